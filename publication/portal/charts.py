"""Bar charts as server-rendered SVG: no JavaScript, no external library, readable by screen
readers (a title and description, and the page shows the same numbers as a table)."""

from collections.abc import Sequence
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from procurement.core.formatting import number

BAR = 22
GAP = 8
LABEL_WIDTH = 190
CHART_WIDTH = 560


def bar_chart(
    *, chart_id: str, title: str, rows: Sequence[tuple[Any, float | None]], unit: str = ""
) -> SafeString:
    """A horizontal bar chart of ``rows`` (label, value); ``None`` draws no bar and says "—".
    Values are written in the page's language (16,5 in Spanish)."""
    values = [value for _label, value in rows if value is not None]
    top = max(values) if values else 0
    height = len(rows) * (BAR + GAP) + GAP
    span = CHART_WIDTH - LABEL_WIDTH - 70
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {CHART_WIDTH} {height}"'
        f' aria-labelledby="{escape(chart_id)}-title" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
    ]
    for index, (label, value) in enumerate(rows):
        y = GAP + index * (BAR + GAP)
        width = 0 if not top or value is None else max(round(span * value / top), 1)
        shown = "—" if value is None else f"{number(value)}{unit}"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR * 0.7:.0f}" text-anchor="end">'
            f"{escape(str(label))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR}" rx="2"></rect>'
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + BAR * 0.7:.0f}">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above
