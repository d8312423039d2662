"""Spanish screens speak Spanish (issue #19): the pages an office uses all day, rendered in
Spanish for each demo role, show none of the English words users found on them.

Each role starts at its home page and follows the links it is shown (processes in every state
the demo has, consultations, documents, templates, the fields reference, the portal and its
indicators), reading only visible text: scripts, styles and tags are stripped, and content that
declares another language (``lang="en"``: an English template's name) is left out. Words are
matched whole, so "OpenCPI" is not "open".
"""

import html
import re
from collections import deque

import pytest
from django.conf import settings

from tests.conftest import DEMO_PASSWORD, module_media_root, module_world

# (pattern, what users saw), matched case-sensitively on the visible text.
FORBIDDEN = [
    (r"\bopen\b", "“open” as a status"),
    (r"\band\b", "“and” joining a list of articles"),
    (r"\bAnnex\b", "“Annex III” in a legal basis"),
    (r"\bby analogy\b", "“by analogy” in a legal basis"),
    (r"\bon demand\b", "“on demand” as how a document was made"),
    (r"\beffect:", "“effect:tender_notice” as how a document was made"),
    (r"\b(?:changed|added|removed)\b", "a section's status on the template merge page"),
    (r"\bOpenCPI default set\b", "the default library's version note"),
    (r"\b(?:Unknown tag|unexpected|expected token|Encountered)\b", "a template syntax error"),
    (r"\b\d+\.\d+ d\b", "a decimal point in a Spanish number of days"),
    (r"\bComprobar\b(?! una fecha)", "“Comprobar” where the admission is meant"),
    (r"(?:^|\n)\s*código CPV", "“código CPV” starting a label in lower case"),
    (r"\b(?:Contract notice|Invitation to submit)\b", "a kind of document named in English"),
]

# The <title> repeats the page's heading, where content in another language is marked.
SCRIPT_OR_STYLE = re.compile(r"<(script|style|title)\b.*?</\1\s*>", re.S | re.I)
OTHER_LANGUAGE = re.compile(r'<(\w+)\b[^>]*\blang="(?!es)[^"]*"[^>]*>.*?</\1>', re.S)
TAG = re.compile(r"<[^>]+>")
LINK = re.compile(r'href="(/[^"#?]*)')
# Not pages to read: downloads, actions, the API, the admin, language switching.
NOT_A_PAGE = re.compile(
    r"/(?:logout|i18n|export|pdf|signed|files|admin|api|feed|transitions)\b|\.(?:pdf|csv|xlsx)$"
)
PAGES_PER_ROLE = 220

ROLES = [
    "officer.logrono",
    "legal.logrono",
    "committee.logrono",
    "legal.terrassa",
    "supplier.acme",
    "supplier.nova",
    None,  # the public
]


def visible_text(page: str) -> str:
    """The text a person reads on ``page`` in its own language, one element per line."""
    text = SCRIPT_OR_STYLE.sub(" ", page)
    text = OTHER_LANGUAGE.sub(" ", text)
    text = TAG.sub("\n", text)
    return html.unescape(text)


def english_on(text: str) -> list[str]:
    """Each forbidden English word found in ``text``, with what it was and its context."""
    found = []
    for pattern, what in FORBIDDEN:
        for match in re.finditer(pattern, text):
            start = max(match.start() - 60, 0)
            context = " ".join(text[start : match.end() + 40].split())
            found.append(f"{what}: …{context}…")
    return found


def spanish_client(client, username: str | None):
    client.cookies.clear()
    if username:
        response = client.post(
            "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, f"login failed for {username}"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    return client


def read_as(client, start: list[str]) -> tuple[dict[str, str], list[str]]:
    """Follow the links shown from ``start``: each page's English (url → findings) and the
    urls read."""
    english: dict[str, str] = {}
    seen: list[str] = []
    queue = deque(start)
    while queue and len(seen) < PAGES_PER_ROLE:
        url = queue.popleft()
        if url in seen:
            continue
        seen.append(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        assert '<html lang="es">' in page, url
        found = english_on(visible_text(page))
        if found:
            english[url] = "\n    ".join(found)
        queue.extend(href for href in LINK.findall(page) if not NOT_A_PAGE.search(href))
    return english, seen


@pytest.fixture(scope="module")
def _everything(django_db_setup, django_db_blocker, module_folder):
    """The demo processes of each procedure in their states, with the default template
    library approved for the demo cities: made once for the module (``module_world``)."""
    from django.utils import translation

    from documents import demo as documents_demo
    from procurement.accounts import demo as accounts_demo
    from tenders import demo as tenders_demo

    with module_world(django_db_blocker, module_folder):
        # What the demo sends (notifications) is stored in the language it is sent in: the
        # deployment's, Spanish.
        with translation.override("es"):
            accounts_demo.seed()
            tenders_demo.seed()
            documents_demo.seed()
        yield


@pytest.fixture
def demo_everything(_everything, demo, settings, module_folder):
    module_media_root(settings, module_folder)
    return demo


@pytest.mark.parametrize("username", ROLES, ids=lambda name: name or "public")
def test_pages_in_spanish_show_no_english(demo_everything, client, username):
    spanish_client(client, username)
    start = ["/", "/portal/", "/portal/indicators/", "/consultations/"]
    if username:
        start += ["/processes/", "/documents/templates/", "/documents/fields/"]
    english, seen = read_as(client, start)
    assert len(seen) > 5
    report = "\n".join(f"{url}\n    {found}" for url, found in english.items())
    assert not english, f"English on Spanish pages of {username or 'the public'}:\n{report}"


def test_the_crawl_reads_process_consultation_document_and_template_pages(demo_everything, client):
    spanish_client(client, "legal.logrono")
    _english, seen = read_as(client, ["/", "/processes/", "/documents/templates/"])
    for kind in (
        r"^/processes/\d+/$",
        r"^/consultations/\d+/$",
        r"^/documents/process/\d+/$",
        r"^/documents/templates/\d+/$",
        r"^/documents/fields/$",
        r"^/portal/indicators/$",
    ):
        assert any(re.match(kind, url) for url in seen), kind


def test_a_forbidden_word_is_found_in_visible_text_only():
    page = (
        '<html lang="es"><script>if (open) {}</script><p class="open">LCSP arts. 28.4 and 134'
        '</p><p lang="en">Contract notice and more</p><a href="/x">OpenCPI</a></html>'
    )
    found = english_on(visible_text(page))
    assert len(found) == 1 and "LCSP arts. 28.4 and 134" in found[0]


# --- the pages reached by a form, not a link -----------------------------------------------

MERGE_BASE = """Preámbulo de {{ city.name }}.

# Objeto
El objeto es {{ process.title }}.

# Plazo
El plazo es de seis meses.
"""


def _approve(user, template, source):
    from documents.services import (
        template_version_approve,
        template_version_create,
        template_version_submit,
    )
    from tests.factories.people import colleague

    version = template_version_create(actor=user, template=template, source=source, note="")
    template_version_submit(actor=user, version=version)
    city = user.memberships.get(role="legal").city
    return template_version_approve(actor=colleague(city=city), version=version)


def test_template_merge_page_says_what_changed_in_spanish(demo, client):
    from documents.services import template_adopt, template_create, template_share

    logrono, terrassa = demo.user("legal.logrono"), demo.user("legal.terrassa")
    source = template_create(
        actor=logrono, kind="ppt", language="es", name="PPT Logroño", source=MERGE_BASE
    )
    _approve(logrono, source, MERGE_BASE)
    template_share(
        actor=logrono, template=source, networks=[demo.city("logrono").networks.get().pk]
    )
    copy = template_adopt(actor=terrassa, template=source)
    _approve(terrassa, copy, MERGE_BASE.replace("seis meses", "ocho meses"))
    theirs = MERGE_BASE + "\n# Protección de datos\nSe cumple el RGPD.\n"
    _approve(logrono, source, theirs.replace("# Objeto\n", "# Objeto del contrato\n"))

    spanish_client(client, "legal.terrassa")
    response = client.get(f"/documents/templates/{copy.pk}/merge/")
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert "Protección de datos" in text
    assert english_on(text) == []


@pytest.mark.parametrize(
    "source",
    [
        "{{ process.title ",
        "{% if process.title %}sin cerrar",
        "{% foo %}",
        "{% for p in participants %}{% endif %}",
        "{{ process.title process.city }}",
        "{{ process.nothing_here }}",
        "{{ process.title.what }}",
    ],
)
def test_template_preview_errors_are_in_spanish(demo, client, source):
    from documents.services import template_create

    template = template_create(
        actor=demo.user("legal.logrono"), kind="ppt", language="es", name="PPT", source="Hola."
    )
    spanish_client(client, "legal.logrono")
    edit = client.get(f"/documents/templates/{template.pk}/edit/")
    assert edit.status_code == 200 and english_on(visible_text(edit.content.decode())) == []
    response = client.post(f"/documents/templates/{template.pk}/preview/", {"source": source})
    text = visible_text(response.content.decode())
    assert "La plantilla tiene problemas" in text
    assert english_on(text) == []
