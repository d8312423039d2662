"""Special appeals lodged by bidders (LCSP arts. 44–60), the suspension they cause and the
tribunal's resolution.

The defect: no bidder could lodge a special appeal; only an officer could record one
(``record_appeal``, officer role).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from procurement.core.exceptions import Conflict
from procurement.core.models import AuditEntry
from tenders.appeals.services import appeal_lodge, appeal_period
from tenders.models import Appeal, Notification, Tender
from tenders.procedures import STATE_BY_NAME, S, T
from tests.factories.tenders import make_tender
from workflows.models import CityHoliday

# The queries counted here are those of rendering the pages.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday
GROUNDS = "The value-judgement scores of my offer ignore the pilot it documents (LCSP art. 145)."


@pytest.fixture
def standstill(demo):
    """A CPTI process of Logroño (€250,000) awarded to Acme an hour ago, in its standstill."""
    return make_tender(city=demo.city("logrono"), state=S.STANDSTILL, value=Decimal("250000"))


def _lodge(api, tender, **fields):
    data = {"act": "award", "grounds": GROUNDS, **fields}
    return api.post(f"/api/v1/tenders/{tender.pk}/appeals/", data, format="multipart")


def test_bidder_lodges_an_appeal_against_the_award_and_the_process_is_suspended(
    demo, standstill, api_as
):
    pdf = SimpleUploadedFile("recurso.pdf", b"%PDF-1.4\n% the appeal\n", "application/pdf")
    response = _lodge(api_as("supplier.nova"), standstill, files=[pdf])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "lodged" and body["suspends"] is True
    assert [d["name"] for d in body["documents"]] == ["recurso.pdf"]
    standstill.refresh_from_db()
    assert standstill.status == S.SUSPENDED_APPEAL
    step = AuditEntry.objects.get(object_id=str(standstill.pk), name=T.RECORD_APPEAL)
    assert step.actor is None, "the suspension happens by law, performed by the system"
    assert f"no. {body['id']}" in step.reason and "art. 53" in step.reason
    lodged = AuditEntry.objects.get(object_id=str(standstill.pk), name="appeal_lodged")
    assert lodged.actor == demo.user("supplier.nova")


def test_officer_still_records_an_appeal_received_on_paper(demo, standstill, api_as):
    response = api_as("officer.logrono").post(
        f"/api/v1/tenders/{standstill.pk}/transitions/{T.RECORD_APPEAL}/",
        {"reason": "Appeal received at the registry on paper, entry 2026/118."},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == S.SUSPENDED_APPEAL


def test_appeal_period_runs_15_working_days_of_the_city_calendar_from_the_award_notification(
    demo,
):
    logrono = demo.city("logrono")
    tender = make_tender(city=logrono, state=S.STANDSTILL, value=Decimal("250000"), now=NOW)
    nova = demo.supplier("nova")
    notification = Notification.objects.get(
        tender=tender, supplier=nova, kind=Notification.Kind.AWARD
    )
    # Published the same day: the period runs from dispatch (DA 15ª.1), 15 working days in
    # La Rioja from Monday 2 March 2026 end on 23 March; a local holiday moves it a day.
    start, ends = appeal_period(tender=tender, supplier=nova, act="award", now=NOW)
    assert start == notification.sent_at
    assert timezone.localtime(ends, logrono.zone).date() == dt.date(2026, 3, 23)
    CityHoliday.objects.create(city=logrono, date=dt.date(2026, 3, 10), name="Fiesta local")
    start, ends = appeal_period(tender=tender, supplier=nova, act="award", now=NOW)
    assert timezone.localtime(ends, logrono.zone).date() == dt.date(2026, 3, 24)


def test_late_appeal_is_refused_citing_art_50_1(demo):
    tender = make_tender(
        city=demo.city("logrono"), state=S.STANDSTILL, value=Decimal("250000"), now=NOW
    )
    late = dt.datetime(2026, 3, 24, 8, 0, tzinfo=dt.UTC)
    with pytest.raises(Conflict) as refused:
        appeal_lodge(
            actor=demo.user("supplier.nova"), tender=tender, act="award", grounds=GROUNDS, now=late
        )
    assert str(refused.value.message).endswith("(LCSP art. 50.1).")
    assert "23/03/2026" in str(refused.value.message)
    assert not Appeal.objects.exists()
    tender.refresh_from_db()
    assert tender.status != S.SUSPENDED_APPEAL


def test_late_appeal_through_the_api_is_a_409_that_names_the_article(demo, api_as):
    tender = make_tender(
        city=demo.city("logrono"), state=S.STANDSTILL, value=Decimal("250000"), now=NOW
    )
    response = _lodge(api_as("supplier.nova"), tender)  # today, months after the award
    assert response.status_code == 409
    assert "LCSP art. 50.1" in response.json()["detail"]


def test_appeal_is_not_available_below_the_threshold(demo, api_as):
    small = make_tender(
        city=demo.city("logrono"), state=S.AWAITING_SIGNATURE, value=Decimal("90000")
    )
    response = _lodge(api_as("supplier.nova"), small)
    assert response.status_code == 409
    assert "LCSP art. 44.1" in response.json()["detail"]
    assert not Appeal.objects.exists()


def test_officer_resolution_dismissing_the_appeal_lets_the_process_move_on(
    demo, standstill, api_as
):
    appeal = _lodge(api_as("supplier.nova"), standstill).json()
    officer = api_as("officer.logrono")
    response = officer.post(
        f"/api/v1/appeals/{appeal['id']}/resolve/",
        {"outcome": "dismissed", "text": "Resolution 245/2026 of the tribunal: dismissed."},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "dismissed"
    standstill.refresh_from_db()
    assert standstill.status == S.AWAITING_SIGNATURE
    names = list(
        AuditEntry.objects.filter(object_id=str(standstill.pk))
        .order_by("pk")
        .values_list("name", flat=True)
    )
    assert names[-2:] == ["appeal_resolved", T.DISMISS_APPEAL]
    # The appellant is notified of the resolution in its inbox.
    assert Notification.objects.filter(
        supplier=demo.supplier("nova"), kind=Notification.Kind.APPEAL
    ).exists()


def test_upheld_appeal_annuls_the_award(demo, standstill, api_as):
    appeal = _lodge(api_as("supplier.nova"), standstill).json()
    response = api_as("officer.logrono").post(
        f"/api/v1/appeals/{appeal['id']}/resolve/",
        {"outcome": "upheld", "text": "Resolution 246/2026: the scores are to be redone."},
        format="json",
    )
    assert response.status_code == 200, response.content
    standstill.refresh_from_db()
    assert standstill.status == S.RANKED
    assert standstill.awarded_at is None


def test_only_the_citys_officers_resolve_and_only_once(demo, standstill, api_as):
    appeal = _lodge(api_as("supplier.nova"), standstill).json()
    url = f"/api/v1/appeals/{appeal['id']}/resolve/"
    data = {"outcome": "inadmissible", "text": "Lodged by a party without standing."}
    assert api_as("supplier.nova").post(url, data, format="json").status_code == 403
    assert api_as("officer.terrassa").post(url, data, format="json").status_code == 404
    assert api_as("officer.logrono").post(url, data, format="json").status_code == 200
    again = api_as("officer.logrono").post(url, data, format="json")
    assert again.status_code == 409


def test_another_suppliers_appeal_is_the_same_404_as_a_missing_one(demo, standstill, api_as):
    appeal = _lodge(api_as("supplier.nova"), standstill).json()
    acme = api_as("supplier.acme")
    theirs = acme.get(f"/api/v1/appeals/{appeal['id']}/")
    missing = acme.get("/api/v1/appeals/999999/")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert acme.get("/api/v1/appeals/").json()["results"] == []
    assert api_as("officer.terrassa").get(f"/api/v1/appeals/{appeal['id']}/").status_code == 404
    document = api_as("officer.logrono").get(f"/api/v1/appeals/{appeal['id']}/")
    assert document.status_code == 200


def test_a_file_the_upload_checks_refuse_loses_nothing_and_says_why(demo, standstill, api_as):
    exe = SimpleUploadedFile("recurso.pdf", b"MZ\x90\x00\x03\x00\x00\x00", "application/pdf")
    response = _lodge(api_as("supplier.nova"), standstill, files=[exe])
    assert response.status_code == 400
    assert "kind of file is not accepted" in response.json()["detail"]
    standstill.refresh_from_db()
    assert standstill.status == S.STANDSTILL
    assert not Appeal.objects.exists()


def test_a_bidder_cannot_appeal_the_pliegos_it_accepted_by_bidding(demo, standstill, api_as):
    response = _lodge(api_as("supplier.nova"), standstill, act="pliegos")
    assert response.status_code == 409
    assert "LCSP arts. 50.1 and 139.1" in response.json()["detail"]


def test_appeal_lists_read_a_fixed_number_of_queries(
    demo, standstill, api_as, django_assert_max_num_queries
):
    _lodge(api_as("supplier.nova"), standstill)
    officer = api_as("officer.logrono")
    with django_assert_max_num_queries(10):
        assert officer.get("/api/v1/appeals/").status_code == 200
    with django_assert_max_num_queries(12):
        listed = officer.get(f"/api/v1/tenders/{standstill.pk}/appeals/")
    assert len(listed.json()["results"]) == 1


def test_bidder_lodges_on_the_web_and_the_officer_resolves_there(demo, standstill, login, client):
    process_page = login("supplier.nova").get(f"/processes/{standstill.pk}/")
    assert 'data-action="lodge-appeal"' in process_page.content.decode()
    page = client.get(f"/processes/{standstill.pk}/appeals/")
    assert page.status_code == 200 and "lodge-appeal" in page.content.decode()
    refused = client.post(
        f"/processes/{standstill.pk}/appeals/", {"act": "award", "grounds": "too short"}
    )
    assert refused.status_code == 400
    assert "too short" in refused.content.decode(), "what was typed is kept"
    lodged = client.post(
        f"/processes/{standstill.pk}/appeals/", {"act": "award", "grounds": GROUNDS}
    )
    assert lodged.status_code == 302
    appeal = Appeal.objects.get()
    assert Tender.objects.get(pk=standstill.pk).status == S.SUSPENDED_APPEAL
    client.logout()
    officer = login("officer.logrono")
    assert str(appeal.pk) in officer.get(f"/processes/{standstill.pk}/appeals/").content.decode()
    resolved = officer.post(
        f"/processes/appeals/{appeal.pk}/resolve/",
        {"outcome": "dismissed", "text": "Resolution 247/2026: dismissed."},
    )
    assert resolved.status_code == 302
    assert Tender.objects.get(pk=standstill.pk).status == S.AWAITING_SIGNATURE


def test_open_data_publishes_the_suspension_and_the_resolution_as_valid_ocds(
    demo, standstill, api_as, django_capture_on_commit_callbacks
):
    from django.conf import settings

    from publication.models import OcdsRelease
    from publication.ocds.validation import closed_codelist_errors, package_errors
    from tests.tenders.test_ocds import _schemas_or_skip

    _schemas_or_skip()
    with django_capture_on_commit_callbacks(execute=True):
        appeal = _lodge(api_as("supplier.nova"), standstill).json()
    with django_capture_on_commit_callbacks(execute=True):
        api_as("officer.logrono").post(
            f"/api/v1/appeals/{appeal['id']}/resolve/",
            {"outcome": "dismissed", "text": "Resolution 248/2026: dismissed."},
            format="json",
        )
    ocid = f"{settings.OCDS_OCID_PREFIX}-{standstill.pk}"
    by_step = {r.audit_entry.name: r.data for r in OcdsRelease.objects.filter(ocid=ocid)}
    suspended = by_step[T.RECORD_APPEAL]["tender"]
    with translation.override(standstill.city.language):
        assert suspended["statusDetails"] == str(STATE_BY_NAME[S.SUSPENDED_APPEAL].label)
    assert [d["documentType"] for d in suspended["documents"] if d["id"].startswith("appeal")] == [
        "complaints"
    ]
    lifted = by_step[T.DISMISS_APPEAL]["tender"]
    assert "statusDetails" not in lifted
    assert len([d for d in lifted["documents"] if d["documentType"] == "complaints"]) == 2
    assert GROUNDS not in str(by_step), "the grounds stay in the file"
    api = api_as(None)
    package = api.get(f"/api/v1/ocds/records/{ocid}/").json()
    assert package_errors(package, kind="record") == []
    assert closed_codelist_errors(package) == []
    releases = api.get(f"/api/v1/ocds/releases/?ocid={ocid}").json()
    assert package_errors(releases, kind="release") == []


def test_appeal_against_an_exclusion_runs_from_its_notification_and_does_not_suspend(
    demo, standstill, api_as
):
    from procurement.core.models import OutboundEmail
    from tenders.process.services import notification_send

    notification_send(
        tender=standstill,
        supplier_id=demo.supplier("nova").pk,
        kind=Notification.Kind.EXCLUSION,
        key="test:exclusion",
        subject="Exclusión de su oferta",
        body="La mesa excluye su oferta (LCSP art. 141.2).",
        sent_at=timezone.now(),
    )
    acme = _lodge(api_as("supplier.acme"), standstill, act="exclusion")
    assert acme.status_code == 409, "Acme's offer was not excluded"
    assert "LCSP arts. 44.2.b and 50.1.c" in acme.json()["detail"]
    response = _lodge(api_as("supplier.nova"), standstill, act="exclusion")
    assert response.status_code == 201, response.content
    assert response.json()["suspends"] is False
    # Not opened and not public: the period has not started yet (DA 15ª.1).
    assert response.json()["period_ends_at"] is None
    standstill.refresh_from_db()
    assert standstill.status == S.STANDSTILL
    aviso = OutboundEmail.objects.get(key=f"appeal:{response.json()['id']}:officers")
    assert "officer.logrono@demo.opencpi.local" in aviso.to


def test_the_suspension_lasts_until_the_last_appeal_against_the_award_is_resolved(
    demo, standstill, api_as
):
    first = _lodge(api_as("supplier.nova"), standstill).json()
    second = _lodge(api_as("supplier.acme"), standstill).json()
    assert second["suspends"] is True
    officer = api_as("officer.logrono")
    resolution = {"outcome": "inadmissible", "text": "Resolution 249/2026: inadmissible."}
    officer.post(f"/api/v1/appeals/{first['id']}/resolve/", resolution, format="json")
    standstill.refresh_from_db()
    assert standstill.status == S.SUSPENDED_APPEAL
    officer.post(f"/api/v1/appeals/{second['id']}/resolve/", resolution, format="json")
    standstill.refresh_from_db()
    assert standstill.status == S.AWAITING_SIGNATURE
