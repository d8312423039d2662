"""Notifications to bidders with evidence (LCSP DA 15ª; Ley 39/2015 arts. 41, 43) and the inbox.

The defect: e-mails to bidders kept no evidence of when they were sent, published or read, so
no period that runs from a notification (the special appeal's, LCSP art. 50.1.d) could start
where DA 15ª says.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from procurement.core.models import AuditEntry, OutboundEmail
from tenders.models import Notification
from tenders.procedures import S
from tenders.process.services import notification_open, notification_send
from tests.factories.tenders import make_tender

# The queries counted here are those of rendering the pages.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


@pytest.fixture
def awarded(demo):
    """A CPTI process of Logroño (€250,000) awarded an hour ago, now in its standstill; Acme
    (80 % of the value) won, Nova (90 %) did not."""
    return make_tender(city=demo.city("logrono"), state=S.STANDSTILL, value=Decimal("250000"))


def _of(tender, supplier, kind):
    return Notification.objects.get(tender=tender, supplier=supplier, kind=kind)


def test_every_bidder_receives_the_award_as_a_notification_with_its_evidence(demo, awarded):
    for slug in ("acme", "nova"):
        notification = _of(awarded, demo.supplier(slug), Notification.Kind.AWARD)
        assert notification.sent_at == awarded.awarded_at
        # The award is published on the profile by its own step, the same moment.
        assert notification.perfil_published_at == awarded.awarded_at
        assert notification.accessed_at is None
        assert len(notification.content_sha256) == 64
        assert notification.sender_name.startswith("Logroño")


def test_award_notification_period_starts_at_dispatch_when_published_the_same_day(demo, awarded):
    """DA 15ª.1: from dispatch "siempre que el acto … se haya publicado el mismo día"."""
    notification = _of(awarded, demo.supplier("nova"), Notification.Kind.AWARD)
    assert notification.period_start(now=timezone.now()) == notification.sent_at


def test_unpublished_act_period_starts_when_the_bidder_opens_it(demo, awarded):
    """DA 15ª.1 "en caso contrario": from receipt, the first opening in the inbox."""
    notification = _of(awarded, demo.supplier("acme"), Notification.Kind.DOCUMENTS)
    assert notification.perfil_published_at is None
    assert notification.period_start(now=notification.sent_at + dt.timedelta(days=1)) is None
    opened = notification.sent_at + dt.timedelta(days=3)
    notification_open(actor=demo.user("supplier.acme"), notification=notification, now=opened)
    assert notification.period_start(now=opened) == opened


def test_act_published_another_day_starts_at_access_not_dispatch(demo, awarded):
    sent = dt.datetime(2026, 3, 2, 22, 30, tzinfo=dt.UTC)  # 23:30 in Logroño, Monday
    notification = notification_send(
        tender=awarded,
        supplier_id=demo.supplier("nova").pk,
        kind=Notification.Kind.EXCLUSION,
        key="test:published-next-day",
        subject="Excluded",
        body="Your bid is excluded.",
        sent_at=sent,
        published_at=sent + dt.timedelta(hours=1),  # 00:30 on Tuesday in Logroño
    )
    opened = sent + dt.timedelta(days=2)
    notification_open(actor=demo.user("supplier.nova"), notification=notification, now=opened)
    assert notification.period_start(now=opened) == opened


def test_never_opened_notification_is_deemed_rejected_after_ten_calendar_days(demo, awarded):
    """Ley 39/2015 art. 43.2; the period then starts at the rejection."""
    notification = _of(awarded, demo.supplier("acme"), Notification.Kind.DOCUMENTS)
    ten_days = notification.sent_at + dt.timedelta(days=10)
    assert notification.evidence_state(now=ten_days - dt.timedelta(minutes=1)) == "available"
    assert notification.period_start(now=ten_days - dt.timedelta(minutes=1)) is None
    assert notification.evidence_state(now=ten_days) == "rejected"
    assert notification.period_start(now=ten_days + dt.timedelta(days=5)) == ten_days
    # Opening it after the rejection does not move the start back.
    late = ten_days + dt.timedelta(days=2)
    notification_open(actor=demo.user("supplier.acme"), notification=notification, now=late)
    assert notification.period_start(now=late) == ten_days


def test_opening_a_notification_stamps_its_receipt_once_with_an_audit_row(demo, awarded, api_as):
    notification = _of(awarded, demo.supplier("nova"), Notification.Kind.AWARD)
    api = api_as("supplier.nova")
    first = api.get(f"/api/v1/notifications/{notification.pk}/")
    assert first.status_code == 200, first.content
    assert first.json()["accessed_at"] is not None
    assert first.json()["state"] == "accessed"
    second = api.get(f"/api/v1/notifications/{notification.pk}/")
    assert second.json()["accessed_at"] == first.json()["accessed_at"]
    rows = AuditEntry.objects.filter(name="notification_accessed", object_id=str(awarded.pk))
    assert rows.count() == 1
    assert rows.get().actor == demo.user("supplier.nova")


def test_inbox_lists_only_the_callers_own_notifications(demo, awarded, api_as):
    body = api_as("supplier.nova").get("/api/v1/notifications/").json()
    suppliers = {row["supplier"] for row in body["results"]}
    assert suppliers == {demo.supplier("nova").pk}
    assert {row["kind"] for row in body["results"]} == {Notification.Kind.AWARD}


def test_another_suppliers_notification_is_the_same_404_as_a_missing_one(demo, awarded, api_as):
    acmes = _of(awarded, demo.supplier("acme"), Notification.Kind.AWARD)
    api = api_as("supplier.nova")
    theirs = api.get(f"/api/v1/notifications/{acmes.pk}/")
    missing = api.get("/api/v1/notifications/999999/")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert api_as("officer.logrono").get(f"/api/v1/notifications/{acmes.pk}/").status_code == 404
    acmes.refresh_from_db()
    assert acmes.accessed_at is None, "nobody but the recipient records a receipt"


def test_inbox_list_reads_a_fixed_number_of_queries(
    demo, awarded, api_as, django_assert_max_num_queries
):
    api = api_as("supplier.acme")
    with django_assert_max_num_queries(8):
        response = api.get("/api/v1/notifications/")
    assert response.status_code == 200
    assert len(response.json()["results"]) >= 2


def test_the_email_is_only_an_aviso_pointing_to_the_inbox(demo, awarded):
    notification = _of(awarded, demo.supplier("nova"), Notification.Kind.AWARD)
    email = OutboundEmail.objects.get(key=notification.key)
    assert f"/processes/inbox/{notification.pk}/" in email.body
    assert "supplier.nova@demo.opencpi.local" in email.to


def test_bidder_reads_its_inbox_and_opens_a_notification_on_the_web(demo, awarded, login):
    notification = _of(awarded, demo.supplier("nova"), Notification.Kind.AWARD)
    client = login("supplier.nova")
    page = client.get("/processes/inbox/")
    assert page.status_code == 200
    assert notification.subject in page.content.decode()
    detail = client.get(f"/processes/inbox/{notification.pk}/")
    assert detail.status_code == 200
    notification.refresh_from_db()
    assert notification.accessed_at is not None
    acmes = _of(awarded, demo.supplier("acme"), Notification.Kind.AWARD)
    assert client.get(f"/processes/inbox/{acmes.pk}/").status_code == 404


def test_the_city_reads_every_notification_of_its_process_with_its_evidence(
    demo, awarded, api_as, login, django_assert_max_num_queries
):
    api = api_as("officer.logrono")
    with django_assert_max_num_queries(10):
        response = api.get(f"/api/v1/tenders/{awarded.pk}/notifications/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {(r["supplier"], r["kind"]) for r in rows} >= {
        (demo.supplier("acme").pk, "award"),
        (demo.supplier("nova").pk, "award"),
    }
    assert all(r["accessed_at"] is None for r in rows), "the city reading them is no receipt"
    assert (
        api_as("officer.terrassa").get(f"/api/v1/tenders/{awarded.pk}/notifications/").status_code
        == 404
    )
    assert (
        api_as("supplier.nova").get(f"/api/v1/tenders/{awarded.pk}/notifications/").status_code
        == 404
    )
    page = login("officer.logrono").get(f"/processes/{awarded.pk}/notifications/")
    assert page.status_code == 200 and "Nova" in page.content.decode()


def test_a_remedy_period_runs_from_when_the_bidder_opens_the_request(demo):
    """LCSP art. 141.2 and DA 15ª: three working days from the day after the bidder receives the
    request to remedy; until then, counted from its deemed rejection (Ley 39/2015 art. 43.2)."""
    from tenders.award.deuc import deuc_example
    from tenders.award.services.bids import bid_admission_decide, bid_save, bid_submit
    from tenders.models import Bid, Tender
    from workflows.calendars import WorkingCalendar
    from workflows.services import process_fire_due

    tender = make_tender(city=demo.city("logrono"), state=S.PUBLISHED)
    lot = tender.lots.first()
    acme = demo.user("supplier.acme")
    bid = bid_save(
        actor=acme,
        tender=tender,
        lot=lot,
        a={
            "declaration": True,
            "deuc": deuc_example(name="Acme", tax_id="B12345678", email="bids@acme.example"),
        },
        b={str(k.pk): "A plan." for k in tender.criteria.filter(kind="value_judgement")},
        c={
            str(k.pk): str(lot.value * 9 / 10) if k.is_price else str(k.params.get("upper", 1))
            for k in tender.criteria.filter(kind="formula")
        },
    )
    bid_submit(actor=acme, bid=bid)
    decided = tender.submission_deadline + dt.timedelta(hours=1)
    process_fire_due(model=Tender, pk=tender.pk, now=decided)
    bid = bid_admission_decide(
        actor=demo.user("committee.logrono"),
        bid=bid,
        decision=Bid.Admission.REMEDY,
        reason="The declaration is not signed.",
        now=decided,
    )
    calendar = WorkingCalendar(tender.city)
    assert bid.remedy_due_at == calendar.add_working_days(decided + dt.timedelta(days=10), 3)
    notice = Notification.objects.get(tender=tender, supplier=bid.supplier, kind="remedy")
    opened = decided + dt.timedelta(days=2)
    bidder = notice.supplier.memberships.get(role="representative").user
    notification_open(actor=bidder, notification=notice, now=opened)
    bid.refresh_from_db()
    assert bid.remedy_due_at == calendar.add_working_days(opened, 3)
