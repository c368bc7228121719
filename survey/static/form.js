/* The questionnaire's logic in the browser: the twin of survey/logic.py (`resolve`, `assess`, `display_value`) and of
 * the field reading of survey/form_input.py, so that a page shows and hides questions, filters options and
 * fills piped answers as the respondent types. Progressive enhancement only: without this script the server
 * decides the same things when the page is posted, and it stays authoritative.
 * Needs expressions.js (window.SurveyExpressions) loaded first. No dependencies, no build step.
 *
 * Pure part: SurveyForm.assess(model, answers) → {shown_pages, hidden, calculations, required, offered, issues},
 * exactly survey.logic.assess(questionnaire, answers, today=model.today) (tests/test_form_js.py holds them alike).
 * The model is the JSON of survey/logic_json.py:page_logic. */
(function (root) {
  "use strict";

  var E = root.SurveyExpressions;
  var has = Object.prototype.hasOwnProperty;
  var SPECIAL_ANSWERS = ["dont_know", "prefer_not_to_say"];
  var NOT_ASKED = "not_asked";
  var OTHER = "other";
  // What Python's str.strip() and re's \s take for whitespace (JavaScript's trim differs on \x1c-\x1f, \x85, \ufeff).
  var SPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var EDGE_SPACE = new RegExp("^[" + SPACE + "]+|[" + SPACE + "]+$", "g");
  var ANY_SPACE = new RegExp("[" + SPACE + "]", "g");

  function get(mapping, key) {
    return mapping && has.call(mapping, key) && mapping[key] !== undefined ? mapping[key] : null;
  }

  function isObject(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }

  function strip(text) { return text.replace(EDGE_SPACE, ""); }

  function codePoints(text) { return Array.from(text).length; }  // len() in Python counts code points

  function compareText(a, b) {  // by code point, as Python compares str
    var x = Array.from(a), y = Array.from(b);
    for (var k = 0; k < x.length && k < y.length; k++) {
      var p = x[k].codePointAt(0), q = y[k].codePointAt(0);
      if (p !== q) return p < q ? -1 : 1;
    }
    return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
  }

  function questions(model) {
    var out = [];
    model.pages.forEach(function (page) { page.questions.forEach(function (q) { out.push(q); }); });
    return out;
  }

  /* survey.logic.special_kind: dont_know, prefer_not_to_say, not_asked, or null for an ordinary answer. */
  function specialKind(answer) {
    if (!isObject(answer)) return null;
    var keys = Object.keys(answer);
    if (keys.length !== 1 || keys[0] !== "special") return null;
    var kind = answer.special;
    return SPECIAL_ANSWERS.indexOf(kind) !== -1 || kind === NOT_ASKED ? kind : null;
  }

  /* What an expression sees of an answer (the codec's `seen_as`): special answers are null; a repeat group is
   * its count; a matrix is nothing. */
  var SEEN_AS = {
    answer: function (answer) { return answer; },
    count: function (answer) { return Array.isArray(answer) ? answer.length : 0; },
    nothing: function () { return null; }
  };

  function expressionValue(q, answer) {
    if (answer === undefined || specialKind(answer) !== null) return null;
    return SEEN_AS[q.seen_as](answer);
  }

  function holds(tree, env, today, options, otherwise) {
    if (tree === null || tree === undefined) return otherwise;
    options = options || {};
    return E.truthy(E.evaluate(tree, env, {current: options.current, choice: options.choice, today: today}));
  }

  function localToday() {
    var now = new Date(), pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  /* survey.logic.resolve: walk the pages in order; pages and questions asked, calculated values. */
  function resolve(model, answers) {
    var today = model.today || localToday();
    var env = Object.create(null), hidden = [], hiddenSet = Object.create(null);
    var shownPages = [], calculations = Object.create(null);
    questions(model).forEach(function (q) { env[q.name] = expressionValue(q, get(answers, q.name)); });
    model.pages.forEach(function (page, index) {
      var pageShown = holds(page.relevant, env, today, null, true);
      if (pageShown) shownPages.push(index);
      page.questions.forEach(function (q) {
        if (!pageShown || !holds(q.relevant, env, today, null, true)) {
          if (!hiddenSet[q.name]) hidden.push(q.name);
          hiddenSet[q.name] = true;
          env[q.name] = null;
        } else if (q.computed) {
          env[q.name] = calculations[q.name] = E.evaluate(q.calculation, env, {today: today});
        }
      });
    });
    return {env: env, shown_pages: shownPages, hidden: hidden, hiddenSet: hiddenSet, calculations: calculations,
            today: today};
  }

  function isRequired(q, env, today) {
    return q.required === true || holds(q.required_if, env, today, null, false);
  }

  /* The codes of the options shown now: each choice's `relevant` and the question's `choice_filter`. */
  function offered(q, env, today) {
    return (q.options || []).filter(function (c) {
      return holds(c.relevant, env, today, null, true) &&
        holds(q.choice_filter, env, today, {choice: Object.assign({code: c.code}, c.data || {})}, true);
    }).map(function (c) { return c.code; });
  }

  function constraintHolds(q, answer, env, today) {
    if (q.constraint === null || q.constraint === undefined || specialKind(answer) !== null) return true;
    return holds(q.constraint, env, today, {current: expressionValue(q, answer)}, true);
  }

  function given(answer) {
    if (answer === null || answer === undefined || answer === "") return false;
    if (Array.isArray(answer)) return answer.length > 0;
    return !(isObject(answer) && Object.keys(answer).length === 0);
  }

  function present(bound) { return bound !== null && bound !== undefined; }

  /* What a codec's `range` measures of an answer; undefined when the answer is not of that form. */
  var MEASURES = {
    number: function (a) { return typeof a === "number" ? a : undefined; },
    date: function (a) { return typeof a === "string" ? a : undefined; },  // ISO dates compare as text
    length: function (a) { return typeof a === "string" ? codePoints(a) : undefined; },
    count: function (a) { return Array.isArray(a) ? a.length : undefined; }  // an empty list never gets here
  };

  function compareMeasures(x, y) {
    return typeof x === "string" ? compareText(x, y) : x < y ? -1 : x > y ? 1 : 0;
  }

  /* The codec's range_issue, from its `range`: {measure, min, max, below, above}. */
  function rangeIssue(q, answer) {
    var range = q.range;
    if (!range) return null;
    var measured = MEASURES[range.measure](answer);
    if (measured === undefined) return null;
    if (present(range.min) && compareMeasures(measured, range.min) < 0) return range.below;
    if (present(range.max) && compareMeasures(measured, range.max) > 0) return range.above;
    return null;
  }

  function pythonFalsy(v) {
    return v === null || v === undefined || v === false || v === 0 || v === "" ||
      (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
  }

  function optionIssue(q, answer, codes, answers) {
    var allowed = new Set(codes);
    if (q.other) allowed.add(OTHER);
    // The codec's `picked`: a list of codes, or one code.
    var picked = !q.picks ? [] : Array.isArray(answer) ? answer : typeof answer === "string" ? [answer] : [];
    if (picked.some(function (code) { return !allowed.has(code); })) return "unknown_option";
    if (picked.indexOf(OTHER) !== -1 && q.other) {
      var text = get(answers, q.name + "__other");  // Python: str(text or "").strip() is empty
      if (pythonFalsy(text) || (typeof text === "string" && strip(text) === "")) return "specify_other";
    }
    return null;
  }

  /* survey.logic.assess: which questions are asked and required, which options offered, which answers break a rule. */
  function assess(model, answers) {
    var resolution = resolve(model, answers), env = resolution.env, today = resolution.today;
    var required = [], offeredCodes = {}, issues = {};
    questions(model).forEach(function (q) {
      if (resolution.hiddenSet[q.name] || !q.answered) return;
      var answer = get(answers, q.name);
      var needed = isRequired(q, env, today) || q.always_required;
      if (needed) required.push(q.name);
      if (q.offers) offeredCodes[q.name] = offered(q, env, today);
      if (!given(answer)) {
        if (needed) issues[q.name] = "required";
        return;
      }
      var kind = specialKind(answer);
      if (SPECIAL_ANSWERS.indexOf(kind) !== -1) {
        if ((q.special_answers || []).indexOf(kind) === -1) issues[q.name] = "unknown_option";
        return;
      }
      if (q.always_required && answer !== true) {  // the codec's `refused`: a box to agree to, left unticked
        issues[q.name] = "required";
        return;
      }
      var issue = rangeIssue(q, answer);
      if (issue === null && has.call(offeredCodes, q.name)) {
        issue = optionIssue(q, answer, offeredCodes[q.name], answers);
      }
      if (issue === null && !constraintHolds(q, answer, env, today)) issue = "constraint";
      if (issue) issues[q.name] = issue;
    });
    return {shown_pages: resolution.shown_pages, hidden: resolution.hidden, calculations: resolution.calculations,
            required: required, offered: offeredCodes, issues: issues, env: resolution.env};
  }

  // --- display: survey.logic.display_value---------------------------------------------------------------------------

  function pythonNumber(n) {  // str(int) for whole numbers, repr(float) otherwise
    if (Number.isInteger(n)) return BigInt(n).toString();
    if (Math.abs(n) >= 1e-4) return String(n);  // non-whole doubles are below 1e16: both write them plainly
    var m = /^(-?[0-9.]+)e([+-])([0-9]+)$/.exec(n.toExponential());
    return m ? m[1] + "e" + m[2] + (m[3].length < 2 ? "0" + m[3] : m[3]) : String(n);
  }

  function pythonStr(v) {
    if (v === null || v === undefined) return "None";
    if (typeof v === "boolean") return v ? "True" : "False";
    if (typeof v === "number") return pythonNumber(v);
    return String(v);
  }

  /* A value as a person reads it: labels for codes, `12` not `12.0`, … for nothing. */
  function display(model, name, value) {
    if (value === null || value === undefined) return "…";
    var labels = model.labels && has.call(model.labels, name) ? model.labels[name] : {};
    var label = function (v) { return typeof v === "string" && has.call(labels, v) ? labels[v] : v; };
    if (Array.isArray(value)) return value.map(function (v) { return pythonStr(label(v)); }).join(", ");
    if (typeof value === "boolean") return value ? "✓" : "✗";
    if (typeof value === "number" && Number.isInteger(value) && has.call(labels, String(value))) {
      return labels[String(value)];  // a Likert or NPS point: its label
    }
    return pythonStr(label(value));
  }

  // --- reading the page's fields: survey.form_input.read_answer ------------------------------------------------

  /* A number as typed in France: `3,5`, `1 200`; null when it is not one. */
  function number(text) {
    var cleaned = text.replace(ANY_SPACE, "").replace(/,/g, ".");
    if (!/^[+-]?(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9](?:_?[0-9])*)?$/
      .test(cleaned)) return null;
    var value = Number(cleaned.replace(/_/g, ""));
    return Number.isFinite(value) ? value : null;
  }

  function isoDate(year, month, day) {
    var leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    var last = month >= 1 && month <= 12 ? [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] : 0;
    if (year < 1 || year > 9999 || day < 1 || day > last) return null;
    var pad = function (n, width) { var s = String(n); while (s.length < width) s = "0" + s; return s; };
    return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2);
  }

  function date(text) {
    var m = /^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})$/.exec(text);
    if (m) return isoDate(Number(m[3]), Number(m[2]), Number(m[1]));
    m = /^([0-9]{4})-?([0-9]{2})-?([0-9]{2})$/.exec(text);
    return m ? isoDate(Number(m[1]), Number(m[2]), Number(m[3])) : null;
  }

  function timeOfDay(text) {
    var m = new RegExp("^([01]?[0-9]|2[0-3])[" + SPACE + "]*[:hH][" + SPACE + "]*([0-5][0-9])?$").exec(text);
    return m ? (m[1].length < 2 ? "0" : "") + m[1] + ":" + (m[2] || "00") : null;
  }

  function values(fields, name) {
    return (fields[name] || []).map(strip).filter(function (v) { return v !== ""; });
  }

  function ranking(q, fields) {
    var ranks = [];
    for (var k = 0; k < (q.options || []).length; k++) {
      var code = q.options[k].code, picked = values(fields, q.name + "__" + code);
      if (!picked.length) continue;
      if (!/^[+-]?[0-9]+$/.test(picked[0])) return null;
      ranks.push([Number(picked[0]), code]);
    }
    var sorted = ranks.map(function (r) { return r[0]; }).sort(function (a, b) { return a - b; });
    if (sorted.some(function (rank, i) { return rank !== i + 1; })) return null;
    return ranks.sort(function (a, b) { return a[0] - b[0]; }).map(function (r) { return r[1]; });
  }

  function email(text) { return /^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/.test(text) ? text : null; }

  function phone(text) {
    var m = /^(?:\+33|0033|0)([1-9][0-9]{8})$/.exec(text.replace(new RegExp("[" + SPACE + ".\\-()]", "g"), ""));
    return m ? "0" + m[1] : null;
  }

  function whole(text) {
    var n = number(text);
    return n !== null && Number.isInteger(n) ? n : null;
  }

  function yesNo(text) { return text === "1" ? true : text === "0" ? false : null; }

  function same(text) { return text; }

  /* The first non-blank value, read by `parse`. */
  function first(parse) {
    return function (q, fields, own) { return own.length ? parse(own[0]) : null; };
  }

  /* A text: the first value as typed, spaces around it aside (blank when nothing was typed). */
  function firstText(parse) {
    return function (q, fields, own) { return own.length ? parse(strip(fields[q.name][0])) : null; };
  }

  function nothing() { return null; }

  /* How each question type's fields are read: one handler per type, as `survey/codecs/` has one codec per type
     (`own`: the question's own non-blank values). A new type adds its handler here. */
  var READERS = {
    single_choice: first(same),
    dropdown: first(same),
    multiple_choice: function (q, fields, own) { return own.filter(function (v, i) { return own.indexOf(v) === i; }); },
    ranking: function (q, fields) { return ranking(q, fields); },
    likert: first(whole),
    nps: first(whole),
    matrix: function (q, fields) {
      var rows = {};
      (q.items || []).forEach(function (item) {
        var picked = values(fields, q.name + "__" + item);
        if (picked.length) rows[item] = picked[0];
      });
      return rows;
    },
    integer: first(whole),
    decimal: first(number),
    date: first(date),
    time: first(timeOfDay),
    yes_no: first(yesNo),
    consent: first(yesNo),
    short_text: firstText(same),
    long_text: firstText(same),
    email: firstText(email),
    phone: firstText(phone),
    calculate: nothing,
    note: nothing,
    repeat: nothing,  // its items are read by readPage: only their count matters to expressions
  };

  /* The typed answer a question's fields hold (fields: name → [posted values]); null when empty or unreadable. */
  function readAnswer(q, fields) {
    var own = values(fields, q.name);
    for (var k = 0; k < own.length; k++) {
      if (own[k].charAt(0) === "@" && SPECIAL_ANSWERS.indexOf(own[k].slice(1)) !== -1) {
        return {special: own[k].slice(1)};
      }
    }
    return READERS[q.type](q, fields, own);
  }

  /* The answers of one page's questions (and their “Other” texts) from its fields. */
  function readPage(model, index, fields) {
    var answers = {};
    model.pages[index].questions.forEach(function (q) {
      if (q.group) {  // only its count matters to expressions: `{name}__count`
        var count = values(fields, q.name + "__count");
        var n = count.length && /^[0-9]+$/.test(count[0]) ? Math.min(Number(count[0]), 200) : 0;
        answers[q.name] = Array.from({length: n}, function () { return {}; });
        return;
      }
      answers[q.name] = readAnswer(q, fields);
      if (q.other) answers[q.name + "__other"] = strip((fields[q.name + "__other"] || [""])[0]) || null;
    });
    return answers;
  }

  // --- the page -------------------------------------------------------------------------------------------------

  function formFields(form) {
    var fields = {};
    new FormData(form).forEach(function (value, key) {
      if (typeof value !== "string") return;
      (fields[key] = fields[key] || []).push(value);
    });
    return fields;
  }

  /* Answers from other pages arrive as expressions see them: a repeat group as its count. */
  function otherPages(model) {
    var answers = Object.assign({}, model.answers || {});
    questions(model).forEach(function (q) {
      var n = answers[q.name];
      if (q.group && typeof n === "number") {
        answers[q.name] = Array.from({length: Math.max(0, Math.min(n, 200))}, function () { return {}; });
      }
    });
    return answers;
  }

  function controls(element) {
    return Array.prototype.slice.call(element.querySelectorAll("input, select, textarea"));
  }

  /* Show or hide one question; its fields are disabled while hidden, so they are not posted. True when a field
   * changed (the answers read from the page may have changed). */
  function showQuestion(element, shown) {
    var changed = false;
    element.hidden = !shown;
    controls(element).forEach(function (field) {
      if (!shown && !field.disabled) {
        field.disabled = true;
        field.setAttribute("data-logic-disabled", "");
        changed = true;
      } else if (shown && field.hasAttribute("data-logic-disabled")) {
        field.disabled = false;
        field.removeAttribute("data-logic-disabled");
        changed = true;
      }
    });
    return changed;
  }

  /* Hide and disable the options not offered (special answers and “Other” stay), unticking them; true when an
   * answer changed. An option is a wrapper around a radio or checkbox, an <option>, or a ranking row. */
  function filterOptions(element, q, codes) {
    var changed = false, allowed = new Set(codes);
    element.querySelectorAll("[data-option]").forEach(function (option) {
      var code = option.getAttribute("data-option");
      var keep = code.charAt(0) === "@" || (code === OTHER && q.other) || allowed.has(code);
      option.hidden = !keep;
      var fields = option.matches("input, option, select") ? [option] : option.querySelectorAll("input, select");
      Array.prototype.forEach.call(fields, function (field) {
        if (field.tagName === "OPTION" && !keep && field.selected) {
          field.selected = false;
          changed = true;
        } else if (field.tagName === "SELECT" && !keep && field.value !== "") {
          field.value = "";
          changed = true;
        } else if (field.tagName === "INPUT" && !keep && field.checked) {
          field.checked = false;
          changed = true;
        }
        field.disabled = !keep;
      });
    });
    return changed;
  }

  /* The server leaves the fields of a question it hides disabled: they come back when the question does. */
  function adoptHidden(form) {
    form.querySelectorAll("[data-question][hidden]").forEach(function (element) {
      if (element.parentElement && element.parentElement.closest("[data-question]")) return;  // inside a repeat
      controls(element).forEach(function (field) {
        if (field.disabled) field.setAttribute("data-logic-disabled", "");
      });
    });
  }

  function enhance(form, model) {
    var index = model.page, page = model.pages[index];
    if (!page) return;
    var earlier = otherPages(model);
    var shownField = form.querySelector("input[type=hidden][name=shown]");
    adoptHidden(form);

    function update() {
      var verdict = null;
      for (var round = 0; round < 8; round++) {  // hiding a question or unticking an option can change the logic
        var answers = Object.assign({}, earlier, readPage(model, index, formFields(form)));
        verdict = assess(model, answers);
        var hidden = new Set(verdict.hidden), changed = false;
        page.questions.forEach(function (q) {
          var element = form.querySelector('[data-question="' + q.name + '"]');
          if (!element) return;
          changed = showQuestion(element, !hidden.has(q.name)) || changed;
          if (!hidden.has(q.name) && has.call(verdict.offered, q.name)) {
            changed = filterOptions(element, q, verdict.offered[q.name]) || changed;
          }
        });
        if (!changed) break;
      }
      document.querySelectorAll("[data-pipe]").forEach(function (span) {
        var name = span.getAttribute("data-pipe"), text = display(model, name, get(verdict.env, name));
        if (span.textContent !== text) span.textContent = text;
      });
      if (shownField) {
        var hiddenNow = new Set(verdict.hidden);
        shownField.value = page.questions.filter(function (q) { return !hiddenNow.has(q.name); })
          .map(function (q) { return q.name; }).join(" ");
      }
      form.dispatchEvent(new CustomEvent("survey:assessed", {detail: verdict}));
    }

    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  function start() {
    var form = document.querySelector("form[data-survey]");
    var source = document.getElementById("survey-logic");
    if (!form || !source || form.hasAttribute("data-survey-ready") || !E) return;
    var model;
    try { model = JSON.parse(source.textContent); } catch (e) { return; }
    form.setAttribute("data-survey-ready", "");
    enhance(form, model);
  }

  /* assess' result for a test or a caller: the env is internal. */
  function assessment(model, answers) {
    var verdict = assess(model, answers);
    return {shown_pages: verdict.shown_pages, hidden: verdict.hidden, calculations: verdict.calculations,
            required: verdict.required, offered: verdict.offered, issues: verdict.issues};
  }

  root.SurveyForm = {
    assess: assessment, resolve: resolve, display: display, readAnswer: readAnswer, readPage: readPage,
    number: number, start: start
  };
  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
})(typeof window !== "undefined" ? window : this);
