"""Sections of a template text, their diff, and the three-way merge an adopter pulls.

A template's text is cut into sections at each line that starts with ``# `` (a numbered section
of the document); the lines before the first heading are the preamble. A section is known by
its heading, so renaming a heading reads as one section removed and another added.

The merge is per section: a section only one side changed takes that side; a section both
changed is merged line by line with ``merge3`` (the three-way merge of Bazaar/Breezy), and
what still clashes is a conflict for a person to resolve.
"""

import difflib
from dataclasses import dataclass, field

from django.utils.translation import pgettext
from merge3 import Merge3

PREAMBLE = ""


@dataclass(frozen=True)
class Section:
    key: str
    text: str

    @property
    def heading(self) -> str:
        return self.key


def _key(line: str) -> str:
    return " ".join(line[2:].split())


def sections_split(source: str) -> list[Section]:
    """The sections of ``source`` in order; joining their texts gives ``source`` back."""
    sections: list[tuple[str, list[str]]] = [(PREAMBLE, [])]
    for line in source.splitlines(keepends=True):
        if line.startswith("# "):
            sections.append((_key(line), [line]))
        else:
            sections[-1][1].append(line)
    result = [Section(key, "".join(lines)) for key, lines in sections]
    if not result[0].text:
        result = result[1:]
    # Two sections with the same heading are told apart by their order.
    seen: dict[str, int] = {}
    unique = []
    for section in result:
        count = seen.get(section.key, 0)
        seen[section.key] = count + 1
        unique.append(
            Section(f"{section.key} ({count + 1})" if count else section.key, section.text)
        )
    return unique


def _by_key(source: str) -> dict[str, str]:
    return {section.key: section.text for section in sections_split(source)}


@dataclass
class SectionDiff:
    key: str
    status: str  # same, changed, added, removed
    lines: list[tuple[str, str]] = field(default_factory=list)  # (" ", "+", "-"), text

    @property
    def status_display(self) -> str:
        """The status as the merge page says it, in the reader's language (a section is female
        in Spanish: “añadida”, “eliminada”, “modificada”)."""
        names = {
            "same": pgettext("template section", "unchanged"),
            "changed": pgettext("template section", "changed"),
            "added": pgettext("template section", "added"),
            "removed": pgettext("template section", "removed"),
        }
        return names.get(self.status, self.status)


def sections_diff(old: str, new: str) -> list[SectionDiff]:
    """Per section, what changed from ``old`` to ``new``, in the order of ``new``."""
    before, after = _by_key(old), _by_key(new)
    keys = [s.key for s in sections_split(new)] + [key for key in before if key not in after]
    result = []
    for key in keys:
        a, b = before.get(key), after.get(key)
        if a == b:
            result.append(SectionDiff(key, "same"))
            continue
        status = "added" if a is None else "removed" if b is None else "changed"
        lines = []
        for row in difflib.ndiff((a or "").splitlines(), (b or "").splitlines()):
            if row.startswith("? "):
                continue
            lines.append((row[0], row[2:]))
        result.append(SectionDiff(key, status, lines))
    return result


@dataclass
class MergedSection:
    key: str
    text: str | None  # None: removed; for a conflict, the text with conflict markers
    conflict: bool = False
    base: str | None = None
    ours: str | None = None
    theirs: str | None = None


@dataclass
class MergeResult:
    sections: list[MergedSection]

    @property
    def conflicts(self) -> list[MergedSection]:
        return [s for s in self.sections if s.conflict]

    @property
    def clean(self) -> bool:
        return not self.conflicts

    def source(self, resolutions: dict[str, str] | None = None) -> str:
        """The merged text; each conflict takes its resolution from ``resolutions``."""
        resolutions = resolutions or {}
        parts = []
        for section in self.sections:
            text = resolutions.get(section.key, section.text) if section.conflict else section.text
            if text:
                parts.append(text if text.endswith("\n") else text + "\n")
        return "".join(parts)


def _merge_text(base: str, ours: str, theirs: str) -> tuple[str, bool]:
    merger = Merge3(
        base.splitlines(keepends=True),
        ours.splitlines(keepends=True),
        theirs.splitlines(keepends=True),
    )
    conflict = any(region[0] == "conflict" for region in merger.merge_regions())
    lines = merger.merge_lines(
        name_a="ours",
        name_b="theirs",
        start_marker="<<<<<<<",
        mid_marker="=======",
        end_marker=">>>>>>>",
    )
    return "".join(lines), conflict


def sections_merge(*, base: str, ours: str, theirs: str) -> MergeResult:
    """Merge the adopter's ``ours`` with the source's new ``theirs``, both grown from ``base``."""
    b, o, t = _by_key(base), _by_key(ours), _by_key(theirs)
    order = [s.key for s in sections_split(theirs)]
    previous: str | None = None
    for section in sections_split(ours):
        if section.key not in order:
            position = (
                order.index(previous) + 1 if previous is not None and previous in order else 0
            )
            order.insert(position, section.key)
        previous = section.key

    merged = []
    for key in order:
        base_text, our_text, their_text = b.get(key), o.get(key), t.get(key)
        if our_text == their_text:
            merged.append(MergedSection(key, our_text))
        elif our_text == base_text:
            merged.append(MergedSection(key, their_text))
        elif their_text == base_text:
            merged.append(MergedSection(key, our_text))
        elif our_text is None or their_text is None:
            merged.append(
                MergedSection(key, our_text or their_text, True, base_text, our_text, their_text)
            )
        else:
            text, conflict = _merge_text(base_text or "", our_text, their_text)
            merged.append(MergedSection(key, text, conflict, base_text, our_text, their_text))
    return MergeResult([s for s in merged if s.text is not None or s.conflict])
