"""Inline SVG bar charts from summary rows, drawn by the `_charts.html` macro so all text is autoescaped."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from survey.aggregate import Row
from survey.templating import environment


def bar_chart(rows: Sequence[Row], label: str) -> Markup:
    """A horizontal bar chart of `rows` (bar length = percent), titled `label` for screen readers."""
    macro = environment().get_template("_charts.html").module.bar_chart  # type: ignore[attr-defined]
    chart: Markup = macro(rows, label)  # a Jinja macro's output is already escaped Markup
    return chart
