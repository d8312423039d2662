"""The Spanish catalogue is complete: no entry is left untranslated or marked fuzzy.

A fuzzy entry is ignored by ``compilemessages``, so its English shows on a Spanish screen just
like an empty one; both fail here, each listed with its line in the ``.po`` file.
"""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parents[2] / "locale"
CATALOGUES = sorted(
    path
    for path in (
        LOCALE / "es" / "LC_MESSAGES" / "django.po",
        LOCALE / "es" / "LC_MESSAGES" / "djangojs.po",
    )
    if path.is_file()
)


def catalogue_gaps(path: Path) -> list[str]:
    """Each untranslated or fuzzy entry of the catalogue at ``path``, as ``file:line msgid``."""
    with path.open("rb") as po:
        catalogue = read_po(po, locale="es")
    gaps = []
    for message in catalogue:
        if not message.id:  # the header
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        problem = "fuzzy" if message.fuzzy else "untranslated" if not all(strings) else None
        if problem:
            line = message.lineno
            msgid = message.id[0] if isinstance(message.id, tuple) else message.id
            gaps.append(f"{path.name}:{line} {problem}: {msgid!r}")
    return gaps


def test_the_spanish_django_catalogue_exists():
    assert (LOCALE / "es" / "LC_MESSAGES" / "django.po").is_file()


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.name)
def test_spanish_catalogue_has_no_untranslated_or_fuzzy_entry(path):
    gaps = catalogue_gaps(path)
    assert not gaps, f"{len(gaps)} entries to translate:\n" + "\n".join(gaps)


def test_a_fuzzy_or_empty_entry_is_reported(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "Open"\nmsgstr "Abierta"\n\n'
        '#, fuzzy\nmsgid "Closed"\nmsgstr "Cerrada"\n\n'
        'msgid "Annex III"\nmsgstr ""\n\n'
        'msgid "one day"\nmsgid_plural "%(n)s days"\nmsgstr[0] "un día"\nmsgstr[1] ""\n',
        encoding="utf-8",
    )
    gaps = catalogue_gaps(po)
    assert [gap.split(" ", 1)[1] for gap in gaps] == [
        "fuzzy: 'Closed'",
        "untranslated: 'Annex III'",
        "untranslated: 'one day'",
    ]
