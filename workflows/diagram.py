"""An SVG diagram of a procedure with the current state marked.

The procedure's main line is drawn as numbered boxes, row after row; states off the main line
(cancelled, void, an appeal…) appear in a side row when the process is in them or went through
them. Text is escaped; the result is safe to embed.
"""

import itertools
from functools import lru_cache
from html import escape

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from workflows.machine import Machine

BOX_W, BOX_H, GAP_X, GAP_Y, PER_ROW, MARGIN = 168, 54, 22, 34, 5, 10


def _wrap(text: str, width: int = 22) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return lines[:3]


def _box(x: int, y: int, label: str, css: str, number: str = "") -> str:
    lines = _wrap(label)
    top = y + BOX_H / 2 - (len(lines) - 1) * 7
    tspans = "".join(
        f'<tspan x="{x + BOX_W / 2}" y="{top + i * 14:.0f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    num = f'<text class="num" x="{x + 6}" y="{y + 13}">{escape(number)}</text>' if number else ""
    return (
        f'<g class="state {css}"><rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6"/>'
        f'{num}<text x="{x + BOX_W / 2}" y="{y + BOX_H / 2}" text-anchor="middle">{tspans}</text></g>'
    )


def procedure_svg(
    machine: Machine, code: str, current: str, visited: set[str] | None = None
) -> str:
    """The diagram of procedure ``code`` of ``machine`` at state ``current``, having passed
    through ``visited``. The drawing depends on nothing else (and the language of its labels),
    so each one is drawn once per process of the server and kept."""
    return _procedure_svg(machine, code, current, frozenset(visited or ()), get_language())


@lru_cache(maxsize=2048)
def _procedure_svg(
    machine: Machine, code: str, current: str, visited: frozenset[str], language: str | None
) -> str:
    STATE_BY_NAME = machine.state_by_name
    line = machine.procedure(code).main_line
    side = [s for s in dict.fromkeys([*sorted(visited), current]) if s not in line]
    rows = (len(line) + PER_ROW - 1) // PER_ROW + (1 if side else 0)
    width = MARGIN * 2 + PER_ROW * BOX_W + (PER_ROW - 1) * GAP_X
    height = MARGIN * 2 + rows * BOX_H + (rows - 1) * GAP_Y
    parts = []
    positions = []
    for index, name in enumerate(line):
        row, col = divmod(index, PER_ROW)
        x = MARGIN + col * (BOX_W + GAP_X)
        y = MARGIN + row * (BOX_H + GAP_Y)
        positions.append((x, y))
        css = "current" if name == current else ("done" if name in visited else "todo")
        parts.append(_box(x, y, str(STATE_BY_NAME[name].label), css, str(index + 1)))
    arrows = []
    for (x1, y1), (x2, y2) in itertools.pairwise(positions):
        if y1 == y2:
            arrows.append(
                f'<line x1="{x1 + BOX_W}" y1="{y1 + BOX_H / 2}" x2="{x2 - 3}" y2="{y2 + BOX_H / 2}"/>'
            )
        else:
            arrows.append(
                f'<polyline points="{x1 + BOX_W / 2},{y1 + BOX_H} {x1 + BOX_W / 2},{y1 + BOX_H + GAP_Y / 2} '
                f'{x2 + BOX_W / 2},{y1 + BOX_H + GAP_Y / 2} {x2 + BOX_W / 2},{y2 - 3}"/>'
            )
    if side:
        y = MARGIN + (rows - 1) * (BOX_H + GAP_Y)
        for col, name in enumerate(side[:PER_ROW]):
            css = "current" if name == current else "done"
            parts.append(
                _box(
                    MARGIN + col * (BOX_W + GAP_X), y, str(STATE_BY_NAME[name].label), css + " side"
                )
            )
    label = _("Diagram of the procedure; the process is now: %(state)s") % {
        "state": STATE_BY_NAME[current].label
    }
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="procedure-diagram" role="img" '
        f'viewBox="0 0 {width} {height}" aria-label="{escape(label)}"><title>{escape(label)}</title>'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" '
        'markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"/></marker></defs>'
        f'<g class="arrows">{"".join(arrows)}</g>{"".join(parts)}</svg>'
    )
