"""The questionnaire's logic as JSON, for `survey/static/form.js` to run the same walk as `survey.logic`.  PURE."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from survey.codecs import codec
from survey.expressions import to_json
from survey.logic import compiled, expression_value
from survey.schema.localise import text_in
from survey.schema.model import Question, Questionnaire


def _tree(source: str | None) -> Any:
    return None if source is None else to_json(compiled(source))


def _question(question: Question) -> dict[str, Any]:
    return {
        "name": question.name, **codec(question).browser(question),
        "required": question.required, "required_if": _tree(question.required_if),
        "relevant": _tree(question.relevant), "constraint": _tree(question.constraint),
        "calculation": _tree(question.calculation), "choice_filter": _tree(question.choice_filter),
        "options": [{"code": c.code, "relevant": _tree(c.relevant), "data": dict(c.data)} for c in question.options()],
        "special_answers": list(question.special_answers),
        "other": question.other, "items": [item.name for item in question.items],
    }


def questionnaire_logic(questionnaire: Questionnaire) -> str:
    """What does not change between respondents, as the opening of a JSON object: pages, questions with their
    expressions as trees, option labels. `page_logic` closes it with the respondent's part."""
    static = {"pages": [{"relevant": _tree(page.relevant), "questions": [_question(q) for q in page.questions]}
                        for page in questionnaire.pages],
              "labels": _labels(questionnaire)}
    return _safe(json.dumps(static, ensure_ascii=False, separators=(",", ":")))[:-1]


def _labels(questionnaire: Questionnaire) -> dict[str, dict[str, str]]:
    """Option labels by question and code: how form.js shows a piped choice (`survey.logic.display_value`)."""
    language = questionnaire.language
    return {q.name: {c.code: text_in(c.label, language, language) for c in q.options()}
            for q in questionnaire.all_questions() if q.options()}


def _safe(text: str) -> str:
    """Safe inside <script>: no `</script>`, no markup at all, whatever the questionnaire's texts hold."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page_logic(questionnaire: Questionnaire, logic: str, page: int, answers: Mapping[str, Any], today: str) -> str:
    """The JSON a page embeds: the questionnaire's logic (from `questionnaire_logic`), the page shown, today,
    and the answers given on other pages."""
    on_page = {q.name for q in questionnaire.pages[page].questions}
    given = {q.name: expression_value(q, answers.get(q.name)) for q in questionnaire.questions()
             if q.name not in on_page and q.name in answers}
    others = {k: v for k, v in answers.items() if k.endswith("__other")}
    mine = json.dumps({"page": page, "today": today, "answers": {**given, **others}},
                      ensure_ascii=False, separators=(",", ":"))
    return f"{logic},{_safe(mine)[1:]}"
