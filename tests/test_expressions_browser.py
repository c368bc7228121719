"""The browser evaluates expressions exactly as the server does: random trees and answers, Python vs Chromium."""

from __future__ import annotations

import json
import math
import random
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.expressions import evaluate, parse, to_json, to_text
from tests.conftest import ROOT, require_in_ci
from tests.test_expressions import ENV, EXAMPLES, TODAY, answer_values, choices, environments, trees

CHROMIUM = "/usr/bin/chromium"
SCRIPT = ROOT / "survey" / "static" / "expressions.js"
pytestmark = pytest.mark.browser

# Runs every case in the page; a non-finite number would be a bug that JSON would hide as null, so it is flagged.
RUN_CASES = """cases => JSON.stringify(JSON.parse(cases).map(c => {
  try {
    const v = SurveyExpressions.evaluate(c.tree, c.env, {current: c.current, choice: c.choice, today: c.today});
    return (typeof v === "number" && !Number.isFinite(v)) ? {nonfinite: String(v)} : {value: v === undefined
      ? "undefined" : v};
  } catch (e) { return {thrown: String(e)}; }
}))"""


@pytest.fixture(scope="module")
def page() -> Iterator[object]:
    """A blank Chromium page with expressions.js loaded: no server needed."""
    require_in_ci("Chromium at /usr/bin/chromium", Path(CHROMIUM).exists())
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_in_ci("the playwright package", False)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        opened = browser.new_page()
        opened.set_content("<!doctype html><title>expressions</title>")
        opened.add_script_tag(content=SCRIPT.read_text(encoding="utf-8"))
        yield opened
        browser.close()


def _same(python: object, browser: object) -> bool:
    """Equal values of the same kind; numbers compare as floats (JSON writes 3.0 as 3)."""
    if isinstance(python, bool) or isinstance(browser, bool):
        return type(python) is type(browser) and python == browser
    if isinstance(python, (int, float)) and isinstance(browser, (int, float)):
        return float(python) == float(browser)
    return python == browser


def _compare(page, cases: list[dict]) -> None:  # noqa: ANN001
    """Evaluate every case in Python and, in one call, in Chromium; list every disagreement."""
    in_python = [evaluate(parse(case["text"]), case["env"], current=case["current"], choice=case["choice"],
                          today=case["today"]) for case in cases]
    payload = [{"tree": to_json(parse(case["text"])), **{k: case[k] for k in ("env", "current", "choice", "today")}}
               for case in cases]
    in_browser = json.loads(page.evaluate(RUN_CASES, json.dumps(payload, allow_nan=False)))
    wrong = [(case["text"], case["env"], case["current"], case["choice"], python, browser)
             for case, python, browser in zip(cases, in_python, in_browser, strict=True)
             if "value" not in browser or not _same(json.loads(json.dumps(python)), browser["value"])]
    assert wrong == [], "\n".join(map(repr, wrong[:10]))


cases = st.fixed_dictionaries({
    "text": trees.map(to_text), "env": environments, "current": answer_values, "choice": choices,
    "today": st.sampled_from([TODAY, "2024-02-29", "1999-12-31"]),
})


@settings(max_examples=100, suppress_health_check=[HealthCheck.data_too_large, HealthCheck.too_slow,
                                                   HealthCheck.function_scoped_fixture])
@given(st.lists(cases, min_size=12, max_size=12))
def test_random_expressions_give_the_same_result_in_chromium(page, batch: list[dict]) -> None:  # noqa: ANN001
    _compare(page, batch)  # 100 examples × 12 cases: at least 1,200 expressions per run


def test_documented_examples_give_the_same_result_in_chromium(page) -> None:  # noqa: ANN001
    _compare(page, [{"text": text, "env": ENV, "current": None, "choice": None, "today": TODAY}
                    for text, _ in EXAMPLES])


def test_constraints_and_choice_filters_in_chromium(page) -> None:  # noqa: ANN001
    _compare(page, [
        {"text": ". >= 16 and . <= 120", "env": {}, "current": age, "choice": None, "today": TODAY}
        for age in (15, 16, 120, 121, None, "17", "dix-sept")
    ] + [
        {"text": "choice.commune = commune", "env": ENV, "current": None, "choice": choice, "today": TODAY}
        for choice in ({"commune": "saint-aubin"}, {"commune": "ailleurs"}, None, {"constructor": "x"})
    ] + [
        {"text": text, "env": {"nom": "😀a", "autre": "\uffff", "constructor": 1}, "current": None, "choice": None,
         "today": TODAY}
        for text in ("nom > autre", "length(nom)", "regex(nom, '.a')", "regex(nom, '[😀-😂]a')", "constructor",
                     "constructor = 1", "__proto__ = null", "round(1.005, 2)", "round(-0.5)", "string(-0)",
                     "string(2 * 0.1 * 3)", "1 / 3", "string(1 / 3)", "int(-0.5) = 0")
    ])


def test_numbers_print_and_round_alike_for_random_doubles(page) -> None:  # noqa: ANN001
    """Any double, drawn from random bits: string() and round() agree with JavaScript's String and toFixed."""
    rng = random.Random(20260315)
    doubles = [struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0] for _ in range(3000)]
    doubles += [rng.uniform(-1e6, 1e6) for _ in range(1000)] + [rng.randint(-10**6, 10**6) / 1000 for _ in range(1000)]
    numbers = [x for x in doubles if math.isfinite(x)]
    trees = [["call", "string", ["name", "x"]] for _ in numbers] + [
        ["call", "round", ["name", "x"], rng.randint(0, 4)] for _ in numbers]
    values = numbers + numbers
    pairs = [[tree, x] for tree, x in zip(trees, values, strict=True)]
    in_browser = page.evaluate("""cases => cases.map(([tree, x]) =>
        SurveyExpressions.evaluate(tree, {x: x}, {today: "2026-01-01"}))""", pairs)
    wrong = []
    for tree, x, browser in zip(trees, values, in_browser, strict=True):
        digits = tree[3] if len(tree) > 3 else None
        python = evaluate(parse("string(x)" if digits is None else f"round(x, {digits})"), {"x": x})
        if not _same(python, browser):
            wrong.append((x, digits, python, browser))
    assert wrong == [], wrong[:10]
