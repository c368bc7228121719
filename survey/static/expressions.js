/* The questionnaire expression language in the browser: evaluates the JSON trees made by
 * survey.expressions.to_json with exactly the rules of survey/expressions/evaluate.py and values.py.
 * No parser here (the server parses), no dependencies, no build step. The server stays authoritative:
 * this only updates the page before it is posted.
 * Tree: literals are JSON scalars; ["name", n], ["current"], ["choice", attr], ["neg", x], ["not", x],
 * [op, a, b] for or and = != < <= > >= + - * / mod, ["regex", s, source|null], ["call", f, ...args]. */
(function (root) {
  "use strict";

  var NUMERAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
  var DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
  var has = Object.prototype.hasOwnProperty;

  function finite(n) { return Number.isFinite(n) ? n : null; }

  function normalise(raw) {
    if (raw === null || raw === undefined) return null;
    if (typeof raw === "boolean" || typeof raw === "string") return raw;
    if (typeof raw === "number") return finite(raw);
    if (Array.isArray(raw) && raw.every(function (item) { return typeof item === "string"; })) return raw.slice();
    return null;
  }

  function truthy(v) {
    if (v === null || typeof v === "boolean") return v === true;
    if (typeof v === "number") return v !== 0;
    return v.length > 0;
  }

  function isEmpty(v) {
    return v === null || ((typeof v === "string" || Array.isArray(v)) && v.length === 0);
  }

  function toNumber(v) {
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "number") return v;
    if (typeof v === "string" && NUMERAL.test(v)) return finite(Number(v));
    return null;
  }

  function toText(v) {
    if (v === null) return "";
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") return String(v);  // String(-0) is "0", as format_number writes it
    if (Array.isArray(v)) return v.join(" ");
    return v;
  }

  // Python orders texts by code point; JavaScript's < by UTF-16 unit, which differs beyond U+FFFF.
  function compareText(a, b) {
    var i = 0, j = 0;
    while (i < a.length && j < b.length) {
      var x = a.codePointAt(i), y = b.codePointAt(j);
      if (x !== y) return x < y ? -1 : 1;
      i += x > 0xffff ? 2 : 1;
      j += y > 0xffff ? 2 : 1;
    }
    return i < a.length ? 1 : j < b.length ? -1 : 0;
  }

  function equal(a, b) {
    if (a === null || b === null) return a === null && b === null;
    if (Array.isArray(a) || Array.isArray(b)) {
      return Array.isArray(a) && Array.isArray(b) && a.length === b.length &&
        a.every(function (item, k) { return item === b[k]; });
    }
    if (typeof a === "string" && typeof b === "string") return a === b;
    var x = toNumber(a), y = toNumber(b);
    return x !== null && y !== null && x === y;
  }

  function order(a, b) {
    if (a === null || b === null || Array.isArray(a) || Array.isArray(b)) return null;
    if (typeof a === "string" && typeof b === "string") return compareText(a, b);
    var x = toNumber(a), y = toNumber(b);
    if (x === null || y === null) return null;
    return x > y ? 1 : x < y ? -1 : 0;
  }

  function parseDate(v) {
    var m = typeof v === "string" ? DATE.exec(v) : null;
    if (!m) return null;
    var year = Number(m[1]), month = Number(m[2]), day = Number(m[3]);
    var leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    var last = month >= 1 && month <= 12 ? [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] : 0;
    return day >= 1 && day <= last ? [year, month, day] : null;
  }

  function dayNumber(date) {  // H. Hinnant's days_from_civil, as in values.py
    var year = date[0] - (date[1] <= 2 ? 1 : 0), month = date[1], day = date[2];
    var era = Math.floor(year / 400), yoe = year - era * 400;
    var doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
    var doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
    return era * 146097 + doe - 719468;
  }

  function arithmetic(op, a, b) {
    if (op === "+") return finite(a + b);
    if (op === "-") return finite(a - b);
    if (op === "*") return finite(a * b);
    if (b === 0) return null;
    return op === "/" ? finite(a / b) : a % b;
  }

  function numbers(args) {
    return args.map(toNumber).filter(function (n) { return n !== null; });
  }

  function extreme(args, better) {
    var best = null;
    numbers(args).forEach(function (n) { if (best === null || better(n, best)) best = n; });
    return best;
  }

  var FUNCTIONS = {
    selected: [2, 2, function (answer, code) {
      var wanted = toText(code);
      if (Array.isArray(answer)) return code !== null && answer.indexOf(wanted) !== -1;
      return typeof answer === "string" && code !== null && answer === wanted;
    }],
    count_selected: [1, 1, function (answer) {
      if (answer === null) return 0;
      if (Array.isArray(answer)) return answer.length;
      return typeof answer === "string" ? (answer ? 1 : 0) : null;
    }],
    "if": [3, 3, null],
    concat: [1, null, function () { return Array.prototype.map.call(arguments, toText).join(""); }],
    length: [1, 1, function (v) { var n = 0; for (var ch of toText(v)) n += 1; return n; }],
    contains: [2, 2, function (text, part) { return text !== null && toText(text).indexOf(toText(part)) !== -1; }],
    regex: [2, 2, null],
    today: [0, 0, null],
    number: [1, 1, toNumber],
    string: [1, 1, toText],
    "int": [1, 1, function (v) { var n = toNumber(v); return n === null ? null : Math.trunc(n); }],
    round: [1, 2, function (v, digits) {
      var n = toNumber(v), places = digits === undefined ? 0 : toNumber(digits);
      if (n === null || places === null || places !== Math.trunc(places) || places < 0 || places > 15) return null;
      if (Math.abs(n) >= 1e21) return n;
      return Number(n.toFixed(places));  // half away from zero on the exact binary value, like Decimal in Python
    }],
    min: [1, null, function () { return extreme(Array.from(arguments), function (n, best) { return n < best; }); }],
    max: [1, null, function () { return extreme(Array.from(arguments), function (n, best) { return n > best; }); }],
    coalesce: [2, null, function () {
      for (var k = 0; k < arguments.length; k++) if (!isEmpty(arguments[k])) return arguments[k];
      return null;
    }],
    empty: [1, 1, isEmpty],
    year: [1, 1, function (v) { var d = parseDate(v); return d ? d[0] : null; }],
    days_between: [2, 2, function (start, end) {
      var first = parseDate(start), last = parseDate(end);
      return first && last ? dayNumber(last) - dayNumber(first) : null;
    }]
  };

  var patterns = new Map();
  function regexOf(source) {
    if (!patterns.has(source)) {
      var made = null;
      try { made = new RegExp(source, "su"); } catch (e) { made = null; }
      patterns.set(source, made);
    }
    return patterns.get(source);
  }

  function localToday() {
    var now = new Date(), pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  var ORDER = { "<": [-1], "<=": [-1, 0], ">": [1], ">=": [1, 0] };

  function value(tree, ctx) {
    if (tree === null || typeof tree !== "object") return tree === undefined ? null : tree;
    var op = tree[0];
    switch (op) {
      case "name": return ctx.env.has(tree[1]) ? ctx.env.get(tree[1]) : null;
      case "current": return ctx.current;
      case "choice": return has.call(ctx.choice, tree[1]) && typeof ctx.choice[tree[1]] === "string"
        ? ctx.choice[tree[1]] : null;
      case "not": return !truthy(value(tree[1], ctx));
      case "neg": { var n = toNumber(value(tree[1], ctx)); return n === null ? null : -n; }
      case "and": return truthy(value(tree[1], ctx)) && truthy(value(tree[2], ctx));
      case "or": return truthy(value(tree[1], ctx)) || truthy(value(tree[2], ctx));
      case "regex": {
        var subject = value(tree[1], ctx), pattern = tree[2] === null ? null : regexOf(tree[2]);
        if (pattern === null) return null;
        return subject !== null && pattern.test(toText(subject));
      }
      case "call": return call(tree[1], tree.slice(2), ctx);
    }
    var left = value(tree[1], ctx), right = value(tree[2], ctx);
    if (op === "=") return equal(left, right);
    if (op === "!=") return !equal(left, right);
    if (has.call(ORDER, op)) return ORDER[op].indexOf(order(left, right)) !== -1;
    var a = toNumber(left), b = toNumber(right);
    return a === null || b === null ? null : arithmetic(op, a, b);
  }

  function call(name, args, ctx) {
    var known = has.call(FUNCTIONS, name) ? FUNCTIONS[name] : null;
    if (known === null || args.length < known[0] || (known[1] !== null && args.length > known[1])) return null;
    if (name === "if") return value(truthy(value(args[0], ctx)) ? args[1] : args[2], ctx);
    if (name === "today") return ctx.today;
    if (name === "regex") return null;  // a regex() the server could not vet arrives as ["regex", s, null]
    return known[2].apply(null, args.map(function (arg) { return value(arg, ctx); }));
  }

  /* evaluate(tree, env, {current, choice, today}) → null, boolean, number, string or array of strings. */
  function evaluate(tree, env, options) {
    options = options || {};
    var answers = new Map();
    Object.keys(env || {}).forEach(function (key) { answers.set(key, normalise(env[key])); });
    var ctx = {
      env: answers,
      current: normalise(options.current),
      choice: options.choice || {},
      today: typeof options.today === "string" ? options.today : localToday()
    };
    try {
      return value(tree, ctx);
    } catch (e) {  // only a malformed or absurdly deep tree; the server would have refused it
      return null;
    }
  }

  root.SurveyExpressions = { evaluate: evaluate, truthy: truthy, toText: toText };
})(typeof window !== "undefined" ? window : this);
