"""In-app messages beside the e-mails, for every user, in the same inbox as the legal
notifications but apart from them (issue #19: there were no notifications in the app)."""

import pytest
from django.utils import timezone

from procurement.core.inapp import inapp_send
from procurement.core.models import AuditEntry, InAppMessage
from tenders.models import Notification
from tenders.process.services import notification_send
from tenders.tasks import transition_notify_task
from tests.factories.tenders import make_tender

# The queries counted here are those of rendering the pages.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


def _badge(page: str) -> str | None:
    marker = 'data-testid="unread-count">'
    if marker not in page:
        return None
    return page[page.index(marker) + len(marker) :].split("<", 1)[0]


@pytest.fixture
def tender(demo):
    return make_tender(city=demo.city("logrono"), title="Alumbrado adaptativo")


def test_a_legal_notification_also_leaves_a_message_that_opening_it_reads(tender, demo, login):
    notification = notification_send(
        tender=tender,
        supplier_id=demo.supplier("acme").pk,
        kind=Notification.Kind.EXCLUSION,
        key="test:exclusion",
        subject="Exclusión de su oferta",
        body="La mesa excluye su oferta.",
        sent_at=timezone.now(),
    )
    client = login("supplier.acme")
    inbox = client.get("/processes/inbox/").content.decode()
    assert _badge(inbox) == "1"
    messages = inbox[inbox.index('data-testid="inapp-messages"') :]
    assert "Exclusión de su oferta" in messages[: messages.index("</section>")]
    # The legal one stays apart, with its evidence.
    assert "Legal notifications" in inbox and f"/processes/inbox/{notification.pk}/" in inbox
    client.get(f"/processes/inbox/{notification.pk}/")
    assert _badge(client.get("/processes/inbox/").content.decode()) is None
    # Nova's representative was told nothing.
    assert not InAppMessage.objects.filter(recipient=demo.user("supplier.nova")).exists()


def test_officers_get_a_message_when_a_deadline_moves_their_process(demo):
    tender = make_tender(city=demo.city("logrono"), state="need_validated", title="Alumbrado")
    entry = (
        AuditEntry.objects.filter(object_id=str(tender.pk), action=AuditEntry.Action.TRANSITION)
        .order_by("-pk")
        .first()
    )
    transition_notify_task(entry.pk)
    transition_notify_task(entry.pk)  # a retried task tells nobody twice
    message = InAppMessage.objects.get(recipient=demo.user("officer.logrono"))
    assert "Alumbrado" in message.subject
    assert message.link == f"/processes/{tender.pk}/"
    assert not InAppMessage.objects.filter(recipient=demo.user("officer.terrassa")).exists()


def test_every_user_has_an_inbox_with_an_unread_badge_and_marks_messages_read(demo, login):
    legal = demo.user("legal.logrono")
    inapp_send(key="t:1", users=[legal], subject="Nueva versión del PCAP", link="/documents/")
    inapp_send(key="t:2", users=[legal], subject="Otra plantilla")
    client = login("legal.logrono")
    page = client.get("/").content.decode()
    assert _badge(page) == "2"
    first = InAppMessage.objects.get(key="t:1")
    response = client.post(f"/processes/inbox/messages/{first.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/documents/"
    assert _badge(client.get("/processes/inbox/").content.decode()) == "1"
    client.post("/processes/inbox/messages/read/")
    assert _badge(client.get("/processes/inbox/").content.decode()) is None
    assert InAppMessage.objects.filter(recipient=legal, read_at__isnull=True).count() == 0


def test_nobody_marks_someone_elses_message(demo, login):
    inapp_send(key="t:acme", users=[demo.user("supplier.acme")], subject="Para Acme")
    message = InAppMessage.objects.get(key="t:acme")
    client = login("supplier.nova")
    assert client.post(f"/processes/inbox/messages/{message.pk}/read/").status_code == 404
    assert client.post("/processes/inbox/messages/999999/read/").status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


def test_the_api_lists_and_marks_the_callers_messages(demo, api_as):
    acme = demo.user("supplier.acme")
    inapp_send(key="t:a", users=[acme], subject="Primero", link="/consultations/")
    inapp_send(key="t:b", users=[acme], subject="Segundo")
    inapp_send(key="t:c", users=[demo.user("supplier.nova")], subject="De Nova")
    api = api_as("supplier.acme")
    listed = api.get("/api/v1/notifications/messages/")
    assert listed.status_code == 200 and listed["X-Unread-Count"] == "2"
    assert [m["subject"] for m in listed.json()["results"]] == ["Segundo", "Primero"]
    first = InAppMessage.objects.get(key="t:a")
    marked = api.post(f"/api/v1/notifications/messages/{first.pk}/read/")
    assert marked.status_code == 200 and marked.json()["read_at"]
    unread = api.get("/api/v1/notifications/messages/?unread=true").json()["results"]
    assert [m["subject"] for m in unread] == ["Segundo"]
    assert api.post("/api/v1/notifications/messages/read/").json() == {"marked": 1}
    nova = InAppMessage.objects.get(key="t:c")
    assert api.post(f"/api/v1/notifications/messages/{nova.pk}/read/").status_code == 404
    assert api.get("/api/v1/notifications/messages/?unread=maybe").status_code == 400
    # The legal notifications keep their path.
    assert api.get("/api/v1/notifications/").status_code == 200


def test_sending_the_same_message_twice_leaves_one(demo):
    officer = demo.user("officer.logrono")
    inapp_send(key="t:once", users=[officer, officer.pk], subject="Una vez")
    inapp_send(key="t:once", users=[officer], subject="Una vez")
    assert InAppMessage.objects.filter(key="t:once").count() == 1


def test_the_inbox_queries_do_not_grow_with_the_messages(
    demo, login, django_assert_max_num_queries
):
    officer = demo.user("officer.logrono")
    client = login("officer.logrono")
    inapp_send(key="q:0", users=[officer], subject="Uno")
    client.get("/processes/inbox/")
    with django_assert_max_num_queries(12):
        client.get("/processes/inbox/")
    for number in range(30):
        inapp_send(key=f"q:{number + 1}", users=[officer], subject=f"Mensaje {number}")
    with django_assert_max_num_queries(12):
        page = client.get("/processes/inbox/").content.decode()
    assert page.count('data-testid="inapp-message"') == 25


def test_a_question_tells_the_officers_and_its_answer_tells_the_asker(open_consultation, demo):
    from tenders.consultation.services import clarification_answer, clarification_ask

    asked = clarification_ask(
        actor=demo.user("supplier.acme"),
        consultation=open_consultation,
        question="¿Se admiten sensores en fachadas privadas?",
    )
    told = InAppMessage.objects.get(key=f"clarification:{asked.pk}:asked")
    assert told.recipient == demo.user("officer.logrono")
    assert "Acme" not in told.subject + told.body  # the asker stays unnamed
    clarification_answer(actor=demo.user("officer.logrono"), clarification=asked, answer="Sí.")
    answered = InAppMessage.objects.get(key=f"clarification:{asked.pk}:answered")
    assert answered.recipient == demo.user("supplier.acme")
    assert answered.link == f"/consultations/{open_consultation.pk}/"
