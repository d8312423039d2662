"""Spanish screens speak Spanish: the pages an office uses all day, rendered in Spanish for each
demo role, show none of the English words users found on them (issue #19).

Only visible text counts: scripts, styles and tags are stripped first, and words are matched
whole, so "OpenCPI" is not "open" and "Andalucía" is not "and".
"""

import html
import re

import pytest
from django.conf import settings

from tests.documents.conftest import pdf_text  # noqa: F401  (shared with the PDF test)

# Each (pattern, what users saw). Case-sensitive where the English word's case is what shows.
FORBIDDEN = [
    (r"\bopen\b", "“open” as a consultation status"),
    (r"\band\b", "“and” joining a list of articles"),
    (r"\bAnnex\b", "“Annex III” in a legal basis"),
    (r"\bon demand\b", "“on demand” as a document's trigger"),
    (r"\beffect:", "“effect:tender_notice” as a document's trigger"),
    (r"\bchanged\b", "“changed” on the template merge page"),
    (r"\badded\b", "“added” on the template merge page"),
    (r"\bremoved\b", "“removed” on the template merge page"),
    (r"\bOpenCPI default set\b", "the default library's version note"),
    (r"\bUnknown\b", "the template preview's error messages"),
    (r"\bexpected\b", "the template preview's syntax errors"),
    (r"\b\d+\.\d+ d\b", "a decimal point in a Spanish number of days"),
    (r"\bComprobar\b", "“Comprobar” where the admission step is meant"),
    (r"(?:^|[>:\n]\s*)código CPV", "“código CPV” starting a label in lower case"),
    (r"\b(?:Call for tenders|Tender notice|Market consultation report)\b", "English kind names"),
]

SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")


def visible_text(page: str) -> str:
    """The text a person reads on ``page``: no scripts, styles or tags, entities decoded."""
    text = SCRIPT_OR_STYLE.sub(" ", page)
    text = TAG.sub("\n", text)
    return html.unescape(text)


def english_on(text: str) -> list[str]:
    found = []
    for pattern, what in FORBIDDEN:
        for match in re.finditer(pattern, text):
            start = max(match.start() - 50, 0)
            context = " ".join(text[start : match.end() + 50].split())
            found.append(f"{what}: …{context}…")
    return found


@pytest.fixture
def spanish(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    return client
