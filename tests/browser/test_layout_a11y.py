"""Layout and accessibility of the pages an office uses all day (issue #19), in a real Chromium:
the header's rows each on one line at 1280 px, checkboxes beside their labels, the template
preview beside its editor on a wide screen (below it on a narrow one), the portal's search
button level with its inputs, and axe finding nothing serious after a flash message, after a
refused form, and on the API docs."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.axe import assert_accessible
from tests.browser.conftest import browser_login, submit
from tests.conftest import Demo

pytestmark = pytest.mark.browser


def box(page, selector: str) -> dict:
    element = page.locator(selector).first
    element.wait_for()
    return element.bounding_box()


def is_one_line(page, selector: str) -> bool:
    """Whether every child of ``selector`` starts on the same line (nothing wrapped)."""
    return page.evaluate(
        """(selector) => {
            const kids = [...document.querySelector(selector).children]
                .filter(k => getComputedStyle(k).display !== "none");
            const tops = kids.map(k => k.getBoundingClientRect());
            const first = tops[0];
            return tops.every(r => r.top < first.bottom && r.bottom > first.top);
        }""",
        selector,
    )


def speak(page, live_server, language: str) -> None:
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )


@pytest.fixture
def consultation_draft(live_demo):
    """A Logroño process whose market consultation is a draft: its questionnaire is editable."""
    from tenders.consultation.services import consultation_save
    from tests.factories.tenders import make_tender

    live_demo = Demo()
    tender = make_tender(
        city=live_demo.city("logrono"), state="consultation_draft", title="Sensores en colegios"
    )
    now = timezone.now()
    consultation_save(
        actor=live_demo.user("officer.logrono"),
        tender=tender,
        subject="Medir la calidad del aire en las aulas",
        opens_at=now + dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        advisers=[],
    )
    return tender


@pytest.mark.parametrize("username", ["officer.logrono", "legal.logrono", "supplier.acme"])
@pytest.mark.parametrize("language", ["es", "en"])
def test_header_rows_each_fit_one_line_at_1280_px(live_server, live_demo, page, username, language):
    speak(page, live_server, language)
    browser_login(page, live_server, username)
    page.goto(f"{live_server.url}/processes/")
    assert page.viewport_size["width"] == 1280
    assert is_one_line(page, ".masthead"), "brand, organisation and session wrapped"
    assert is_one_line(page, ".site-header nav ul"), "the menu wrapped"
    header = box(page, ".site-header")
    masthead, menu = box(page, ".masthead"), box(page, ".site-header nav")
    assert header["height"] <= masthead["height"] + menu["height"] + 12


def test_checkbox_sits_left_of_its_label_on_one_line(live_server, consultation_draft, page):
    browser_login(page, live_server, "officer.logrono")
    page.goto(f"{live_server.url}/processes/{consultation_draft.pk}/consultation/questions/")
    checkbox, label = box(page, "#id_required"), box(page, "label[for=id_required]")
    assert checkbox["x"] + checkbox["width"] <= label["x"]
    assert abs((checkbox["y"] + checkbox["height"] / 2) - (label["y"] + label["height"] / 2)) < 6


def test_a_flash_message_is_announced_and_accessible(live_server, consultation_draft, page):
    browser_login(page, live_server, "officer.logrono")
    page.goto(f"{live_server.url}/processes/{consultation_draft.pk}/consultation/questions/")
    page.fill("#id_text", "¿Qué sensores usan hoy?")
    submit(page, "main form.form button[type=submit]")
    message = page.locator("[role=status] ul.messages li")
    assert "Question added" in message.inner_text()
    assert_accessible(page)


def test_a_refused_form_is_accessible_and_its_help_texts_are_linked(live_server, live_demo, page):
    browser_login(page, live_server, "officer.logrono")
    page.goto(f"{live_server.url}/processes/new/")
    submit(page, "main form.form button[type=submit]")
    assert page.locator("main .errors").count() > 0
    description = page.locator("#id_description")
    helptext_id = description.get_attribute("aria-describedby").split()[0]
    assert page.locator(f"#{helptext_id}").inner_text().strip()
    dangling = page.evaluate(
        """() => [...document.querySelectorAll("[aria-describedby]")].flatMap(el =>
            el.getAttribute("aria-describedby").split(/\\s+/)
              .filter(id => !document.getElementById(id)).map(id => el.id + " → " + id))"""
    )
    assert dangling == []
    assert_accessible(page)


def test_a_refused_question_is_accessible(live_server, consultation_draft, page):
    browser_login(page, live_server, "officer.logrono")
    page.goto(f"{live_server.url}/processes/{consultation_draft.pk}/consultation/questions/")
    submit(page, "main form.form button[type=submit]")
    assert page.locator("main .errors").count() > 0
    assert_accessible(page)


@pytest.fixture
def city_template(live_demo):
    from documents.services import template_create

    live_demo = Demo()
    return template_create(
        actor=live_demo.user("legal.logrono"),
        kind="ppt",
        language="es",
        name="PPT Logroño",
        source="# Objeto\nEl objeto es {{ process.title }}.\n" * 5,
    )


def test_template_preview_sits_beside_the_editor_on_a_wide_screen(live_server, city_template, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    browser_login(page, live_server, "legal.logrono")
    page.goto(f"{live_server.url}/documents/templates/{city_template.pk}/edit/")
    editor, preview = box(page, "#source"), box(page, ".preview-pane")
    assert preview["x"] >= editor["x"] + editor["width"]
    assert preview["y"] < editor["y"] + editor["height"] / 2
    assert preview["y"] < 800, "the preview starts out of sight"


def test_template_preview_goes_below_the_editor_on_a_narrow_screen(
    live_server, city_template, page
):
    page.set_viewport_size({"width": 800, "height": 800})
    browser_login(page, live_server, "legal.logrono")
    page.goto(f"{live_server.url}/documents/templates/{city_template.pk}/edit/")
    editor, preview = box(page, "#source"), box(page, ".preview-pane")
    assert preview["y"] >= editor["y"] + editor["height"]
    assert editor["x"] + editor["width"] <= 800


def test_portal_search_button_is_level_with_its_inputs(live_server, live_demo, page):
    page.goto(f"{live_server.url}/portal/")
    words, button = box(page, "#portal-q"), box(page, ".portal-search button")
    assert abs(button["y"] - words["y"]) <= 1
    assert abs(button["height"] - words["height"]) <= 1
    for other in ("#portal-cpv", "#portal-city", "#portal-network", "#portal-stage"):
        assert abs(box(page, other)["y"] - words["y"]) <= 1, other


@pytest.mark.parametrize("language", ["es", "en"])
def test_api_docs_say_their_language_and_are_accessible(live_server, live_demo, page, language):
    speak(page, live_server, language)
    page.goto(f"{live_server.url}/api/docs/")
    assert page.evaluate("() => document.documentElement.lang") == language
    page.locator("#swagger-ui .info").wait_for()
    assert_accessible(page)
