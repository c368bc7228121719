"""Questions we cannot ask as XLSForm does, carried over as the closest thing with a marked hint."""

from __future__ import annotations

from typing import Any

from survey.xlsform.mapping import EXTRA
from survey.xlsform.reader import Row
from survey.xlsform.tables import kept
from survey.xlsform.types import RowType


def marked(help_: Any, marker: str) -> Any:
    """A hint (one text, or one per language) with `marker` added, so that whoever reviews the form sees it."""
    if isinstance(help_, dict):
        return {code: f"{text} {marker}" for code, text in help_.items()}
    return f"{help_} {marker}" if help_ else marker


class StandIns:
    """Mixed into the importer: uses its `common`, `unused`, `lists`, `report` and `error`."""

    def single_box(self, row: Row, outer: list[str], kind: RowType) -> dict[str, Any]:
        """A list question with a single choice (one box a person ticks or not): a yes/no question, marked."""
        only = self.lists[kind.list_name][0]
        label = only["label"] if isinstance(only["label"], str) else next(iter(only["label"].values()))
        q = self.common(row, outer, "yes_no", {})
        marker = f"[XLSForm : une liste d'un seul choix, « {label} » ; oui = ce choix]"
        q["help"] = marked(q.get("help"), marker)
        self.report.add("survey", row.number, f"`{row.get('name')}`: list `{kind.list_name}` has a single choice "
                                              f"(`{only['code']}`): asked as a marked yes/no question")
        self.unused(row, {"type", "name", "label", "hint", "required", "relevant", EXTRA})
        return kept(q)

    def stand_in(self, row: Row, outer: list[str], kind: RowType, extra: dict[str, Any]) -> dict[str, Any]:
        """A question we cannot ask as it is: a text question (something a person can type) or a note, its hint
        marked so that whoever reviews the form sees what it was."""
        as_note = kind.treatment == "as_note"
        if kind.rest:
            what, quoi = f"`{row.get('type')}`", f"« {row.get('type')} »"
        elif kind.treatment in ("external", "from_file"):
            what = f"{kind.what} (`{kind.list_name}`)"
            quoi = f"{kind.quoi} ({kind.list_name})"
        else:
            what, quoi = kind.what, kind.quoi
        q = self.common(row, outer, "note" if as_note else "short_text", {})
        marker = f"[XLSForm : {quoi}, {'non collecté ici' if as_note else 'à saisir en texte'}]"
        q["help"] = marked(q.get("help"), marker)
        if as_note:
            q.pop("required", None)
            q.pop("required_if", None)
        self.report.add("survey", row.number, f"`{row.get('name')}`: {what} (type `{row.get('type')}`) is "
                                              + ("kept as a marked note: nothing is collected" if as_note
                                                 else "asked as a marked text question"))
        self.unused(row, {"type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message",
                          "choice_filter", "parameters", EXTRA})
        return kept(q)

    def range(self, row: Row, params: dict[str, str], extra: dict[str, Any]) -> str:
        try:
            start, end, step = (float(params.get(k, d)) for k, d in (("start", "1"), ("end", "10"), ("step", "1")))
        except ValueError:
            self.error(row, "parameters", f"cannot read `{row.get('parameters')}`", "write `start=0 end=10 step=1`")
            return "integer"
        if (start, end, step) == (0, 10, 1):
            return "nps"
        whole = all(v.is_integer() for v in (start, end, step))
        low, high = sorted([start, end])
        extra.update({"min": int(low) if whole else low, "max": int(high) if whole else high})
        if step != 1:
            self.report.add("survey", row.number, f"the range step {params.get('step')} is not carried over: any "
                                                  "number between the bounds is accepted")
        return "integer" if whole else "decimal"
