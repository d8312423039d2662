"""Ids that arrive as text (query strings, form values, URL parts typed by people)."""

# PostgreSQL's bigint and SQLite's INTEGER: a larger number names no row and cannot be sent.
MAX_ID = 2**63 - 1


def id_from_text(value: object) -> int | None:
    """The id ``value`` names, or ``None`` when it names none. Only ASCII digits count:
    ``str.isdigit()`` also takes "²", which ``int()`` refuses, and "٣", which it reads as 3."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
