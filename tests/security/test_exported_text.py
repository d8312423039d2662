"""Text people typed leaves the site as text: a feed reader never gets their markup to run."""

from xml.etree import ElementTree

from tests.factories.tenders import make_tender
from workflows.services import transition_perform

ATOM = "{http://www.w3.org/2005/Atom}"
MARKUP = '<img src=x onerror="alert(document.domain)"> <b>urgente</b>\n\nSegundo párrafo & más'


def test_the_atom_feed_carries_a_description_as_text_not_as_markup(
    demo, client, django_capture_on_commit_callbacks
):
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"), title="Bancos con sombra", description=MARKUP)
    with django_capture_on_commit_callbacks(execute=True):
        tender = transition_perform(process=tender, name="validate_need", actor=officer)
        transition_perform(process=tender, name="publish_demand_map", actor=officer)
    feed = ElementTree.fromstring(client.get("/portal/feed/").content)  # noqa: S314 - ours
    entry = next(
        e for e in feed.iter(f"{ATOM}entry") if "Bancos con sombra" in e.findtext(f"{ATOM}title")
    )
    summary = entry.find(f"{ATOM}summary")
    # What a feed reader renders: the element's text, read as HTML when type="html".
    shown = summary.text if summary.get("type") == "html" else ""
    assert "<img" not in shown and "<b>" not in shown, shown
    assert "&lt;img src=x onerror=" in shown, "the text is still there, as text"
    assert "Segundo párrafo &amp; más" in shown
