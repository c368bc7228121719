/* Interviewer mode (templates/staff_interview.html): autosave, offline keeping, conflicts, coding, theme clock.
 * Progressive enhancement: without this script the page is one form saved by its buttons (post/redirect/get).
 *
 * Saving. Each text slot (notes, summary, transcript, closed answer) is saved on its own through save.json:
 * {slot, body, base_revision, save_id}. A save is sent ~1.5 s after typing stops (at least every 6 s while typing
 * goes on) and when the field is left. One save per slot is in flight at a time. Until the server acknowledges it,
 * the slot's text and the exact save (with its save_id) are kept in localStorage: after a dropped connection, a
 * server restart or a closed tab, the same save is sent again (the server answers a save_id it already applied with
 * the revision it made, so nothing applies twice), then whatever was typed since. A 409 means the slot changed
 * elsewhere (another tab, another person): both texts are shown and the interviewer chooses, nothing is
 * overwritten silently. The `base:` hidden fields follow every acknowledged revision, so the form's own Save
 * buttons stay consistent with the autosaves.
 *
 * Coding. Alt+Q marks the selected passage (or the whole note) as a quote; Alt+K opens the codebook palette, where
 * the key shown before a code tags the passage with it (again: removes it). No dependencies, no build step. */
(function () {
  "use strict";

  var root = document.querySelector("[data-interview]");
  var dataBlock = document.getElementById("interview-data");
  if (!root || !dataBlock || !window.fetch) return;
  var data = JSON.parse(dataBlock.textContent);
  var form = document.getElementById("interview-form");
  var csrf = form.querySelector("input[name=_csrf_token]").value;
  var statusEl = document.getElementById("save-status");
  var OUTBOX = "interview:" + data.id + ":outbox";
  var CLOCK = "interview:" + data.id + ":time";
  var DEBOUNCE = 1500, MAX_WAIT = 6000, RETRY = 4000;
  var slots = {};  // slot name → state
  var codesById = {};
  data.codes.forEach(function (c) { codesById[c.id] = c; });

  function t(key, params) {
    var text = data.texts[key] || key;
    Object.keys(params || {}).forEach(function (name) { text = text.split("{" + name + "}").join(String(params[name])); });
    return text;
  }

  function randomId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function hhmm(date) { return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2); }

  // --- the status line (a polite live region: its text changes only when what it says changes) ---------------
  var lastSavedAt = null;
  function refreshStatus() {
    var conflicts = 0, waiting = 0, failed = null, busy = 0;
    Object.keys(slots).forEach(function (name) {
      var s = slots[name];
      if (s.conflict) conflicts++;
      if (s.offline) waiting++;
      if (s.error) failed = s.error;
      if (s.inflight) busy++;
    });
    var state, text;
    if (conflicts) { state = "conflict"; text = t("save_status_conflict"); }
    else if (waiting) { state = "offline"; text = t("save_status_offline"); }
    else if (failed) { state = "error"; text = t("save_status_error", {detail: failed}); }
    else if (lastSavedAt) { state = "saved"; text = t("save_status_saved", {time: hhmm(lastSavedAt)}); }
    else { state = statusEl.getAttribute("data-state"); text = statusEl.textContent; }
    statusEl.setAttribute("data-state", state);
    statusEl.setAttribute("aria-busy", busy ? "true" : "false");
    if (statusEl.textContent !== text) statusEl.textContent = text;
  }

  // --- the outbox in localStorage: what is not acknowledged yet, per slot ---------------------------------------
  function readOutbox() {
    try { return JSON.parse(window.localStorage.getItem(OUTBOX) || "{}") || {}; } catch (e) { return {}; }
  }
  var TAB = randomId();  // another tab on the same interview shares the outbox: each clears only its own entries
  function keep(s) {
    var box = readOutbox();
    var body = s.read(), entry = box[s.name];
    if (body === s.saved && !s.pending && !s.conflict) {
      if (entry && (entry.tab === TAB || entry.body === s.saved)) delete box[s.name];
    } else box[s.name] = {body: body, base: s.base, pending: s.pending, tab: TAB};
    try { window.localStorage.setItem(OUTBOX, JSON.stringify(box)); } catch (e) { /* full or disabled: the page still saves */ }
  }

  // --- slots ------------------------------------------------------------------------------------------------------
  function closedFields(container) {
    var fields = {};
    container.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (!el.name || el.name.indexOf("base:") === 0 || el.disabled) return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { fields[el.name] = fields[el.name] || []; return; }
      (fields[el.name] = fields[el.name] || []).push(el.value);
    });
    Object.keys(fields).forEach(function (k) { fields[k] = fields[k].filter(function (v) { return v !== ""; }); if (!fields[k].length) delete fields[k]; });
    return JSON.stringify(fields, Object.keys(fields).sort());
  }
  function setClosedFields(container, json) {
    var fields = {};
    try { fields = JSON.parse(json || "{}"); } catch (e) { return; }
    container.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (!el.name || el.name.indexOf("base:") === 0) return;
      var values = fields[el.name] || [];
      if (el.type === "radio" || el.type === "checkbox") el.checked = values.indexOf(el.value) !== -1;
      else el.value = values[0] || "";
    });
  }

  function makeSlot(name, element, closed) {
    var baseInput = form.querySelector('input[data-base-for="' + CSS.escape(name) + '"]');
    var s = {
      name: name, element: element, closed: closed, baseInput: baseInput,
      base: parseInt(baseInput.value, 10) || 0, pending: null, inflight: false, conflict: null,
      offline: false, error: null, timer: null, firstDirty: 0, retry: null,
      read: function () { return closed ? closedFields(element) : element.value; },
      write: function (body) { if (closed) setClosedFields(element, body); else element.value = body; }
    };
    s.saved = s.read();
    slots[name] = s;
    return s;
  }

  function setBase(s, revision) {
    s.base = revision;
    s.baseInput.value = String(revision);
  }

  function schedule(s) {
    var now = Date.now();
    if (!s.firstDirty) s.firstDirty = now;
    window.clearTimeout(s.timer);
    var wait = Math.max(0, Math.min(DEBOUNCE, s.firstDirty + MAX_WAIT - now));
    s.timer = window.setTimeout(function () { save(s); }, wait);
  }

  function save(s) {
    window.clearTimeout(s.timer);
    s.firstDirty = 0;
    if (s.inflight || s.conflict) return Promise.resolve();
    if (!s.pending) {
      var body = s.read();
      if (body === s.saved) { keep(s); return Promise.resolve(); }
      s.pending = {save_id: randomId(), body: body, base: s.base};
    }
    keep(s);  // before sending: a tab closed now still has it
    return send(s, s.pending);
  }

  function post(url, payload, keepalive) {
    return window.fetch(url, {
      method: "POST", credentials: "same-origin", keepalive: !!keepalive,
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify(payload)
    });
  }

  function send(s, pending, keepalive) {
    s.inflight = true;
    refreshStatus();
    var payload = {slot: s.name, body: pending.body, base_revision: pending.base, save_id: pending.save_id};
    return post(data.base + "/save.json", payload, keepalive).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        s.inflight = false;
        if (response.ok) {
          s.pending = null; s.offline = false; s.error = null;
          s.saved = pending.body;
          setBase(s, answer.revision);
          lastSavedAt = new Date();
          keep(s);
          if (s.read() !== s.saved) schedule(s);
        } else if (response.status === 409) {
          s.pending = null; s.offline = false;
          showConflict(s, answer);
          keep(s);
        } else if (response.status >= 500) {  // the server is down or restarting: like being offline
          wentOffline(s);
        } else {
          s.pending = null; s.offline = false;
          s.error = answer.detail || String(response.status);
          keep(s);
        }
        refreshStatus();
      });
    }, function () {
      s.inflight = false;
      wentOffline(s);
      refreshStatus();
    });
  }

  function wentOffline(s) {
    s.offline = true;  // pending stays as it is: resent with the same save_id
    keep(s);
    window.clearTimeout(s.retry);
    s.retry = window.setTimeout(function () { if (navigator.onLine !== false) save(s); }, RETRY);
  }

  function saveAll(keepalive) {
    return Promise.all(Object.keys(slots).map(function (name) {
      var s = slots[name];
      if (keepalive && !s.inflight && !s.conflict) {
        if (!s.pending && s.read() !== s.saved) s.pending = {save_id: randomId(), body: s.read(), base: s.base};
        if (s.pending) { keep(s); return send(s, s.pending, true); }
        return Promise.resolve();
      }
      return save(s);
    }));
  }

  // --- conflicts: both texts, the interviewer chooses ---------------------------------------------------------
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function showConflict(s, answer) {
    var container = s.closed ? s.element : s.element.closest(".slot");
    var old = container.querySelector(".conflict");
    if (old) old.remove();
    s.conflict = answer;
    var id = "conflit-js-" + s.name.replace(/[^a-z0-9_-]/gi, "-");
    var box = el("div", {"class": "conflict", "role": "group", "aria-labelledby": id});
    box.appendChild(el("p", {"class": "conflict-title", "id": id}, t("conflict_title")));
    var columns = el("div", {"class": "conflict-columns"});
    var theirs = el("div");
    theirs.appendChild(el("p", {"class": "conflict-label"}, t("conflict_theirs")));
    theirs.appendChild(el("div", {"class": "conflict-text"}, s.closed ? (answer.text || "") : answer.body));
    columns.appendChild(theirs);
    if (!s.closed) {
      var yours = el("div");
      yours.appendChild(el("p", {"class": "conflict-label"}, t("conflict_yours")));
      yours.appendChild(el("div", {"class": "conflict-text"}, s.read()));
      columns.appendChild(yours);
    }
    box.appendChild(columns);
    var actions = el("div", {"class": "conflict-actions"});
    function action(label, handler) {
      var button = el("button", {"type": "button", "class": "small secondary"}, label);
      button.addEventListener("click", function () {
        box.remove();
        s.conflict = null;
        setBase(s, answer.revision);
        handler();
        keep(s);
        refreshStatus();
        (s.closed ? s.element.querySelector("input, select, textarea") : s.element).focus();
      });
      actions.appendChild(button);
    }
    action(t("conflict_keep_mine"), function () { save(s); });
    action(t("conflict_take_theirs"), function () {
      s.write(s.closed ? JSON.stringify(answer.fields || {}) : answer.body);
      s.saved = s.read();
    });
    if (!s.closed) {
      action(t("conflict_merge"), function () {
        var mine = s.read();
        s.write(mine.indexOf(answer.body) !== -1 ? mine : answer.body + "\n\n" + mine);
        save(s);
      });
    }
    box.appendChild(actions);
    container.insertBefore(box, container.firstChild);
  }

  // --- coded passages ------------------------------------------------------------------------------------------
  function segmentItem(segment) {
    var item = el("li", {"class": "segment" + (segment.is_quote ? " is-quote" : ""), "data-segment": segment.id});
    if (segment.is_quote) item.appendChild(el("span", {"class": "segment-kind"}, t("segment_quote")));
    item.appendChild(el("q", {}, segment.text));
    item.appendChild(document.createTextNode(" "));
    var chips = el("span", {"class": "chips"});
    segment.codes.forEach(function (codeId) {
      var code = codesById[codeId];
      if (!code) return;
      var chip = el("span", {"class": "chip", "data-code": codeId}, code.label);
      var remove = el("button", {"type": "button", "class": "chip-remove", "data-untag": segment.id + ":" + codeId,
                                  "aria-label": t("segment_untag", {code: code.label}),
                                  "title": t("segment_untag", {code: code.label})}, "×");
      chip.appendChild(remove);
      chips.appendChild(chip);
    });
    item.appendChild(chips);
    return item;
  }

  function showSegment(segment) {
    var list = form.querySelector('ul[data-segments-for="' + CSS.escape(segment.slot) + '"]');
    if (!list) return;
    var item = segmentItem(segment);
    var old = list.querySelector('li[data-segment="' + segment.id + '"]');
    if (old) list.replaceChild(item, old); else list.appendChild(item);
    list.hidden = false;
  }

  function answerOf(response) {
    return response.json().catch(function () { return {}; }).then(function (answer) {
      if (!response.ok) throw new Error(answer.detail || String(response.status));
      return answer;
    });
  }

  function failed(error) {
    var message = error && error.message && error.message !== "Failed to fetch" ? error.message : t("save_status_offline");
    statusEl.setAttribute("data-state", "error");
    statusEl.textContent = t("save_status_error", {detail: message});
  }

  function passage(textarea) {
    var value = textarea.value, start = textarea.selectionStart, end = textarea.selectionEnd;
    if (start === end) { start = 0; end = value.length; }
    while (start < end && /\s/.test(value.charAt(start))) start++;
    while (end > start && /\s/.test(value.charAt(end - 1))) end--;
    return start < end ? {slot: textarea.getAttribute("data-slot-field"), start: start, end: end,
                          text: value.slice(start, end), textarea: textarea} : null;
  }

  function mark(target, isQuote, codes) {
    var s = slots[target.slot];
    return save(s).then(function () {
      return post(data.base + "/segments.json", {slot: target.slot, start: target.start, end: target.end,
                                                  text: target.text, is_quote: isQuote, codes: codes || []});
    }).then(answerOf).then(function (segment) { showSegment(segment); return segment; });
  }

  function tag(segmentId, codeId, on) {
    return post(data.base + "/segments/" + segmentId + "/codes.json", {code_id: codeId, on: on})
      .then(answerOf).then(function (segment) { showSegment(segment); return segment; });
  }

  // The palette: the code keys act on one passage until it is closed.
  var palette = document.getElementById("code-palette");
  var paletteTarget = null;  // {passage, segment}
  function openPalette(target, segment) {
    if (!palette || !data.codes.length) return;
    paletteTarget = {passage: target, segment: segment || null};
    document.getElementById("palette-passage").textContent = "« " + target.text + " »";
    refreshPalette();
    palette.hidden = false;
    palette.querySelector("button").focus();
  }
  function refreshPalette() {
    var applied = paletteTarget && paletteTarget.segment ? paletteTarget.segment.codes : [];
    palette.querySelectorAll(".palette-code").forEach(function (button) {
      button.setAttribute("aria-pressed", applied.indexOf(parseInt(button.getAttribute("data-code-id"), 10)) !== -1 ? "true" : "false");
    });
  }
  function closePalette() {
    if (!palette || palette.hidden) return;
    palette.hidden = true;
    var target = paletteTarget && paletteTarget.passage;
    paletteTarget = null;
    if (target) { target.textarea.focus(); target.textarea.setSelectionRange(target.start, target.end); }
  }
  function pick(codeId) {
    var target = paletteTarget;
    if (!target) return;
    var done = target.segment
      ? tag(target.segment.id, codeId, target.segment.codes.indexOf(codeId) === -1)
      : mark(target.passage, false, [codeId]);
    done.then(function (segment) { if (paletteTarget === target) { target.segment = segment; refreshPalette(); } }, failed);
  }

  function act(kind, textarea) {
    var target = textarea && passage(textarea);
    if (!target) { failed(new Error(t("select_first"))); return; }
    if (kind === "quote") mark(target, true).then(function (segment) { openPalette(target, segment); }, failed);
    else openPalette(target, null);
  }

  // --- sections: one theme at a time, with its clock ------------------------------------------------------------
  var sections = Array.prototype.slice.call(form.querySelectorAll("[data-section]"));
  var links = Array.prototype.slice.call(document.querySelectorAll("[data-section-link]"));
  var current = null;
  function show(id, focus) {
    var found = sections.filter(function (s) { return s.getAttribute("data-section") === id; })[0] || sections[0];
    current = found;
    sections.forEach(function (s) { s.classList.toggle("current", s === found); });
    links.forEach(function (a) {
      if (a.getAttribute("data-section-link") === found.getAttribute("data-section")) a.setAttribute("aria-current", "step");
      else a.removeAttribute("aria-current");
    });
    if (window.history.replaceState) window.history.replaceState(null, "", "#" + found.id);
    if (focus) { var heading = found.querySelector("h2"); heading.setAttribute("tabindex", "-1"); heading.focus(); }
    tickClock();
  }
  function step(delta) {
    var index = sections.indexOf(current) + delta;
    if (index >= 0 && index < sections.length) show(sections[index].getAttribute("data-section"), true);
  }

  var spent = {};
  try { spent = JSON.parse(window.localStorage.getItem(CLOCK) || "{}") || {}; } catch (e) { spent = {}; }
  var elapsedEl = document.getElementById("elapsed");
  var started = Date.parse(elapsedEl.getAttribute("data-started"));
  var stopped = elapsedEl.getAttribute("data-stopped") ? Date.parse(elapsedEl.getAttribute("data-stopped")) : null;
  var lastTick = Date.now();
  function tickClock() {
    var now = Date.now();
    var theme = current && current.getAttribute("data-theme");
    if (theme && !data.complete && document.visibilityState !== "hidden") {
      spent[theme] = (spent[theme] || 0) + Math.min(now - lastTick, 5000) / 1000;
    }
    lastTick = now;
    elapsedEl.textContent = t("interview_minutes", {minutes: Math.max(0, Math.floor(((stopped || now) - started) / 60000))});
    Object.keys(data.themes).forEach(function (id) {
      var minutes = data.themes[id], used = Math.floor((spent[id] || 0) / 60);
      var clock = form.querySelector('[data-theme-clock="' + CSS.escape(id) + '"]');
      var nav = document.querySelector('[data-time-of="' + CSS.escape(id) + '"]');
      var text = t("interview_theme_spent", {spent: used, minutes: minutes});
      var left = minutes - used;
      if (clock) {
        clock.textContent = text + " — " + (left >= 0 ? t("interview_theme_left", {minutes: left}) : t("interview_theme_over", {minutes: -left}));
        clock.classList.toggle("over", left < 0);
      }
      if (nav) { nav.textContent = used + "/" + minutes + " min"; nav.classList.toggle("over", left < 0); }
    });
  }

  // --- wiring ---------------------------------------------------------------------------------------------------
  root.classList.add("js");
  document.querySelectorAll("[data-js-only]").forEach(function (node) { node.hidden = false; });
  form.querySelectorAll("textarea[data-slot-field]").forEach(function (area) {
    var s = makeSlot(area.getAttribute("data-slot-field"), area, false);
    area.addEventListener("input", function () { keep(s); schedule(s); });
    area.addEventListener("change", function () { save(s); });
    area.addEventListener("blur", function () { save(s); });
  });
  form.querySelectorAll("[data-closed-slot]").forEach(function (container) {
    var s = makeSlot(container.getAttribute("data-closed-slot"), container, true);
    container.addEventListener("input", function () { keep(s); schedule(s); });
    container.addEventListener("change", function () { save(s); });
  });

  // What this browser kept and the server has not acknowledged: put it back, then send it.
  var box = readOutbox(), restored = false;
  Object.keys(box).forEach(function (name) {
    var s = slots[name], entry = box[name];
    if (!s || !entry) return;
    if (entry.body === s.saved && !entry.pending) return;
    s.write(entry.body);
    s.base = entry.base;  // the revision these edits were based on, not necessarily the page's
    s.pending = entry.pending || null;
    restored = true;
  });
  if (restored) {
    statusEl.textContent = t("save_status_restored");
    saveAll(false);
  }
  keepOutboxClean();
  function keepOutboxClean() { Object.keys(slots).forEach(function (name) { keep(slots[name]); }); }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    if (button.hasAttribute("data-mark")) {
      event.preventDefault();
      act(button.getAttribute("data-mark"), form.querySelector('textarea[data-slot-field="' + CSS.escape(button.getAttribute("data-for")) + '"]'));
    } else if (button.hasAttribute("data-untag")) {
      event.preventDefault();
      var parts = button.getAttribute("data-untag").split(":");
      tag(parseInt(parts[0], 10), parseInt(parts[1], 10), false).catch(failed);
    }
  });
  // Mouse and touch keep a textarea's selection when a button is pressed; remember the last field used.
  var lastArea = null;
  form.addEventListener("focusin", function (event) { if (event.target.matches("textarea[data-slot-field]")) lastArea = event.target; });

  if (palette) {
    palette.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      if (button.hasAttribute("data-palette-close")) closePalette();
      else if (button.hasAttribute("data-code-id")) pick(parseInt(button.getAttribute("data-code-id"), 10));
    });
    palette.addEventListener("keydown", function (event) {
      if (event.key === "Escape" || event.key === "Enter" && !event.target.closest(".palette-code")) { event.preventDefault(); closePalette(); return; }
      if (event.key === "Tab") {  // keep focus inside the dialog
        var buttons = palette.querySelectorAll("button");
        var first = buttons[0], last = buttons[buttons.length - 1];
        if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
        else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
        return;
      }
      if (event.altKey || event.ctrlKey || event.metaKey || event.key.length !== 1) return;
      var match = data.codes.filter(function (c) { return c.key && c.key === event.key.toLowerCase(); })[0];
      if (match) { event.preventDefault(); pick(match.id); }
    });
  }

  function isKey(event, letter) {
    var key = (event.key || "").toLowerCase();
    return key === letter || (!/^[a-z]$/.test(key) && event.code === "Key" + letter.toUpperCase());
  }
  document.addEventListener("keydown", function (event) {
    if (palette && !palette.hidden) return;
    var area = event.target.matches && event.target.matches("textarea[data-slot-field]") ? event.target : lastArea;
    if (event.altKey && !event.ctrlKey && !event.metaKey && isKey(event, "q")) { event.preventDefault(); act("quote", area); }
    else if (event.altKey && !event.ctrlKey && !event.metaKey && isKey(event, "k")) { event.preventDefault(); act("code", area); }
    else if ((event.ctrlKey || event.metaKey) && isKey(event, "s")) { event.preventDefault(); saveAll(false); }
    else if (event.altKey && event.key === "ArrowDown") { event.preventDefault(); step(1); }
    else if (event.altKey && event.key === "ArrowUp") { event.preventDefault(); step(-1); }
  });

  links.forEach(function (a) {
    a.addEventListener("click", function (event) { event.preventDefault(); show(a.getAttribute("data-section-link"), true); });
  });
  // The form's own buttons post the page: wait for the saves in flight, so that their `base:` are the latest.
  form.addEventListener("submit", function (event) {
    var busy = Object.keys(slots).some(function (name) { return slots[name].inflight; });
    if (!busy) return;
    event.preventDefault();
    var submitter = event.submitter;
    var wait = window.setInterval(function () {
      if (Object.keys(slots).some(function (name) { return slots[name].inflight; })) return;
      window.clearInterval(wait);
      form.requestSubmit(submitter || undefined);
    }, 100);
  });
  window.addEventListener("online", function () { saveAll(false); });
  window.addEventListener("offline", function () { refreshStatus(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { try { window.localStorage.setItem(CLOCK, JSON.stringify(spent)); } catch (e) { /* ignore */ } saveAll(true); }
  });
  window.addEventListener("pagehide", function () { saveAll(true); });

  show((window.location.hash || "").slice(1) || "introduction", false);
  window.setInterval(function () {
    tickClock();
    try { window.localStorage.setItem(CLOCK, JSON.stringify(spent)); } catch (e) { /* ignore */ }
  }, 5000);
  // For tests and for people who want to know: the slots still waiting for the server.
  window.SurveyInterview = {pending: function () {
    return Object.keys(slots).filter(function (n) { var s = slots[n]; return s.inflight || s.pending || s.conflict || s.read() !== s.saved; });
  }, saveAll: saveAll};
}(window));
