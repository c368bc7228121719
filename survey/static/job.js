// A running job's page kept up to date in place, every 2 seconds: the status region (aria-live) is replaced from
// the same page fetched again, so focus, reading position and a screen reader's place stay where they are — a page
// that reloads itself (meta refresh) moves them all, which WCAG 2.2.1 forbids. Without JavaScript the page's
// "Mettre à jour l’état" link does the same by hand.
(function () {
  "use strict";
  var status = document.getElementById("job-status");
  var running = document.querySelector("[data-job-running]");
  if (!status || !running || !window.fetch) { return; }
  document.querySelectorAll("[data-job-auto]").forEach(function (note) { note.hidden = false; });
  var timer = setInterval(function () {
    fetch(location.pathname + "?refresh=0", {credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("job-status");
        if (!fresh) { return; }
        status.replaceChildren.apply(status, Array.from(fresh.childNodes, function (node) {
          return document.importNode(node, true);
        }));
        if (!fresh.querySelector("progress")) { clearInterval(timer); running.hidden = true; }
      })
      .catch(function () { /* a missed beat: the next one tries again */ });
  }, 2000);
})();
