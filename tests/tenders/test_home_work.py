"""The user's work: "Waiting on you" on the process list and the home page after login.

Issue #19: the pending list showed optional actions (extend the deadline, record an appeal) and
missed a supplier's unanswered question; the home page greeted the city by name over unlinked
city cards instead of showing the user's work.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from procurement.core.inapp import inapp_send
from tenders.award.models import CommitteeMember
from tenders.consultation.services import clarification_ask, response_start
from tenders.consultation.subscriptions import subscription_save
from tenders.procedures import TRANSITIONS
from tests.factories.tenders import make_tender, place_tender_in_state_for_speed

SPEED = (
    "the list reads only the state a process is in; walking through bids, evaluation and award "
    "to reach it would make the test minutes long"
)


def _block(page: str, testid: str) -> str:
    block = page[page.index(f'data-testid="{testid}"') :]
    return block[: block.index("</ul>")]


def test_the_engine_marks_extend_deadline_appeal_and_cancel_optional():
    optional = {t.name for t in TRANSITIONS if t.optional}
    assert {"extend_deadline", "record_appeal", "cancel", "declare_void", "terminate"} <= optional
    # The steps that move a process on are never optional.
    assert not optional & {"validate_need", "publish_tender", "sign_contract", "approve_file"}


def test_waiting_on_you_lists_no_optional_steps(demo, login):
    logrono = demo.city("logrono")
    place_tender_in_state_for_speed(
        why=SPEED, city=logrono, state="published", title="Bids coming in"
    )
    place_tender_in_state_for_speed(
        why=SPEED, city=logrono, state="awaiting_signature", title="Contract to sign"
    )
    page = login("officer.logrono").get("/processes/").content.decode()
    waiting = _block(page, "waiting")
    # Only the deadline moves a published tender on: extending it is the officer's choice.
    assert "Bids coming in" not in waiting and "Extend the deadline" not in waiting
    assert "Contract to sign" in waiting and "Sign the contract" in waiting
    assert "Record a special appeal" not in waiting


@pytest.fixture
def asked(open_consultation, demo):
    return clarification_ask(
        actor=demo.user("supplier.acme"),
        consultation=open_consultation,
        question="¿Se admiten sensores en fachadas privadas?",
    )


def test_waiting_on_you_lists_a_suppliers_unanswered_question(asked, login):
    page = login("officer.logrono").get("/processes/").content.decode()
    waiting = _block(page, "clarifications-waiting")
    assert "fachadas privadas" in waiting
    assert f'href="/consultations/{asked.consultation_id}/"' in waiting
    # Another city's officer owes it nothing.
    assert "fachadas privadas" not in login("officer.terrassa").get("/processes/").content.decode()


def _questions_badge(page: str) -> str:
    heading = page[page.index('id="clarifications-heading"') :]
    return heading[heading.index('<span class="badge">') + 20 : heading.index("</span>")]


@pytest.mark.usefixtures("no_page_cache")
def test_the_questions_badge_counts_them_all_when_more_than_are_listed(
    open_consultation, demo, login
):
    from procurement.core.work import WORK_ITEMS

    def ask(n: int) -> None:
        clarification_ask(
            actor=demo.user("supplier.acme"),
            consultation=open_consultation,
            question=f"Pregunta número {n}",
        )

    ask(0)
    client = login("officer.logrono")
    page = client.get("/processes/").content.decode()
    assert _questions_badge(page) == "1"

    for n in range(1, WORK_ITEMS + 2):
        ask(n)
    page = client.get("/processes/").content.decode()
    assert _questions_badge(page) == str(WORK_ITEMS + 2)
    assert _block(page, "clarifications-waiting").count("<li>") == WORK_ITEMS


def test_an_answered_question_no_longer_waits(asked, demo, login):
    from tenders.consultation.services import clarification_answer

    clarification_answer(actor=demo.user("officer.logrono"), clarification=asked, answer="Sí.")
    page = login("officer.logrono").get("/processes/").content.decode()
    assert 'data-testid="clarifications-waiting"' not in page


def test_the_home_page_after_login_is_the_officers_work(demo, login):
    tender = make_tender(city=demo.city("logrono"), title="Alumbrado adaptativo")
    page = login("officer.logrono").get("/").content.decode()
    assert "Welcome" not in page and "Member cities" not in page
    steps = _block(page, "work-steps")
    assert f'href="/processes/{tender.pk}/"' in steps and "Validate the need" in steps
    assert "things wait on you" in page or "thing waits on you" in page


def test_the_officers_home_lists_the_questions_to_answer(asked, login):
    page = login("officer.logrono").get("/").content.decode()
    block = _block(page, "work-clarifications")
    assert "fachadas privadas" in block
    assert f"/consultations/{asked.consultation_id}/" in block


def test_the_legal_teams_home_lists_its_steps_not_the_officers(demo, login):
    make_tender(city=demo.city("logrono"), state="file_drafted", title="Expediente listo")
    make_tender(city=demo.city("logrono"), title="Necesidad sin validar")
    page = login("legal.logrono").get("/").content.decode()
    steps = _block(page, "work-steps")
    assert "Expediente listo" in steps and "legal report" in steps.lower()
    assert "Necesidad sin validar" not in page


def test_the_committees_home_lists_the_evaluations_to_score(demo, login):
    logrono = demo.city("logrono")
    mine = place_tender_in_state_for_speed(
        why=SPEED, city=logrono, state="tech_opened", title="Sobres B abiertos"
    )
    other = place_tender_in_state_for_speed(
        why=SPEED, city=logrono, state="tech_opened", title="Ajeno"
    )
    member = demo.user("committee.logrono")
    CommitteeMember.objects.get_or_create(tender=mine, user=member)
    # A process whose committee the user does not sit on is not the user's to score.
    CommitteeMember.objects.filter(tender=other, user=member).delete()
    page = login("committee.logrono").get("/").content.decode()
    block = _block(page, "work-evaluations")
    assert f'href="/processes/{mine.pk}/evaluation/"' in block
    assert "Ajeno" not in block


def test_the_suppliers_home_lists_calls_questions_and_unread_messages(asked, demo, login):
    acme = demo.supplier("acme")
    subscription_save(
        actor=demo.user("supplier.acme"),
        supplier=acme,
        cpv_prefixes=["72"],
        cities=[demo.city("logrono")],
    )
    now = timezone.now()
    call = place_tender_in_state_for_speed(
        why=SPEED,
        city=demo.city("logrono"),
        state="published",
        title="Plataforma de datos abiertos",
        cpv_codes=["72000000-5"],
        first_published_at=now,
        submission_deadline=now + dt.timedelta(days=20),
    )
    place_tender_in_state_for_speed(
        why=SPEED,
        city=demo.city("logrono"),
        state="published",
        title="Obras de pavimentación",
        cpv_codes=["45000000-7"],
        first_published_at=now,
        submission_deadline=now + dt.timedelta(days=20),
    )
    inapp_send(
        key="test:hello",
        users=[demo.user("supplier.acme")],
        subject="Your answer was published",
        link="/consultations/",
    )
    page = login("supplier.acme").get("/").content.decode()
    calls = _block(page, "work-calls")
    assert f'href="/processes/{call.pk}/"' in calls and "pavimentación" not in calls
    assert "fachadas privadas" in _block(page, "work-own-questions")
    assert "Your answer was published" in _block(page, "work-messages")
    # Nova asked nothing and has no alerts.
    nova = login("supplier.nova").get("/").content.decode()
    assert "fachadas privadas" not in nova and "Plataforma de datos abiertos" not in nova


def test_a_supplier_sees_its_own_question_waiting_on_the_consultation(asked, login):
    url = f"/consultations/{asked.consultation_id}/"
    mine = login("supplier.acme").get(url).content.decode()
    assert "fachadas privadas" in mine and 'data-testid="clarification-waiting"' in mine
    # The asker stays unknown: another supplier sees the question only once answered.
    assert "fachadas privadas" not in login("supplier.nova").get(url).content.decode()


def test_visitors_keep_the_public_home_with_linked_cities(demo, client):
    page = client.get("/").content.decode()
    assert "Member cities" in page and 'href="/portal/cities/logrono/"' in page


def _home_queries(client) -> int:
    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured)


@pytest.mark.parametrize("username", ["officer.logrono", "supplier.acme"])
def test_home_queries_do_not_grow_with_the_work(demo, login, username):
    client = login(username)
    logrono = demo.city("logrono")
    subscription_save(
        actor=demo.user("supplier.acme"),
        supplier=demo.supplier("acme"),
        cpv_prefixes=["72"],
        cities=[],
    )
    now = timezone.now()

    def processes(count: int, prefix: str) -> None:
        for number in range(count):
            published = number % 2 == 0
            place_tender_in_state_for_speed(
                why=SPEED,
                city=logrono,
                state="published" if published else "need_draft",
                title=f"{prefix}{number}",
                cpv_codes=["72000000-5"],
                first_published_at=now if published else None,
                submission_deadline=now + dt.timedelta(days=5) if published else None,
            )

    # Past a section's first items, its total is one count, whatever the number of rows.
    processes(22, "N")
    few = _home_queries(client)
    processes(20, "M")
    assert _home_queries(client) == few
    assert few <= 30


def test_the_suppliers_home_lists_open_consultations_matching_its_alerts(demo, login):
    """Only calls for tenders were listed: an open consultation a supplier's alerts match, and
    that it has not answered, was nowhere on its home page."""
    subscription_save(
        actor=demo.user("supplier.acme"),
        supplier=demo.supplier("acme"),
        cpv_prefixes=["72"],
        cities=[demo.city("logrono")],
    )
    matching = make_tender(
        city=demo.city("logrono"),
        state="consultation_open",
        title="Datos abiertos de movilidad",
        cpv_codes=["72000000-5"],
    ).consultation_for_engine()
    make_tender(
        city=demo.city("logrono"),
        state="consultation_open",
        title="Pavimentos drenantes",
        cpv_codes=["45000000-7"],
    )
    block = _block(login("supplier.acme").get("/").content.decode(), "work-consultations")
    assert f'href="/consultations/{matching.pk}/"' in block
    assert matching.subject in block and "Pavimentos" not in block
    # Once answered (a draft is listed on its own), it leaves this list.
    response_start(actor=demo.user("supplier.acme"), consultation=matching)
    page = login("supplier.acme").get("/").content.decode()
    assert f'href="/consultations/{matching.pk}/"' not in page
