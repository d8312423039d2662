"""The deadline calculator (web and API) counts a period on a city's calendar, says which
holidays it went over, and agrees with every deadline the engine computes."""

import datetime as dt

import pytest

from tenders.award.deuc import deuc_example
from tenders.award.services.bids import bid_admission_decide, bid_save, bid_submit
from tenders.models import Bid, Criterion, Tender
from tenders.procedures import S
from tests.factories.tenders import make_tender
from workflows.calendars import WorkingCalendar
from workflows.models import CityHoliday
from workflows.services import process_fire_due

URL = "/api/v1/calendar/deadline/"
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday


def _ask(api, city, start, days, kind):
    return api.get(URL, {"city": city.pk, "start": start, "days": days, "kind": kind})


def test_a_calendar_day_period_ending_on_a_holiday_moves_to_the_next_working_day(demo, api_as):
    # 35 days from Monday 2 March 2026 is Easter Monday, a holiday in La Rioja.
    response = _ask(api_as(None), demo.city("logrono"), "2026-03-02", 35, "calendar")
    assert response.status_code == 200
    body = response.json()
    assert body["end"] == "2026-04-07"
    assert body["moved_from"] == "2026-04-06"
    assert [(d["date"], d["scope"]) for d in body["skipped"]] == [("2026-04-06", "regional")]
    assert "DA 12" in body["legal_basis"]


def test_working_days_skip_national_regional_and_local_holidays_by_name(demo, api_as):
    logrono = demo.city("logrono")
    CityHoliday.objects.create(city=logrono, date=dt.date(2026, 4, 8), name="Fiesta local")
    # From Monday 30 March: Tue 31, Wed 1, (Maundy Thursday, Good Friday, weekend, Easter
    # Monday), Tue 7, (the local fiesta on Wed 8), Thu 9, Fri 10.
    body = _ask(api_as(None), logrono, "2026-03-30", 5, "working").json()
    assert body["end"] == "2026-04-10"
    assert [(d["date"], d["scope"]) for d in body["skipped"]] == [
        ("2026-04-02", "regional"),
        ("2026-04-03", "national"),
        ("2026-04-06", "regional"),
        ("2026-04-08", "local"),
    ]
    assert body["skipped"][3]["name"] == "Fiesta local"
    assert body["weekend_days_skipped"] == 2


def test_the_same_period_ends_differently_in_another_region(demo, api_as):
    # Easter Monday is a holiday in Catalonia too, Maundy Thursday is not.
    body = _ask(api_as(None), demo.city("terrassa"), "2026-03-30", 5, "working").json()
    assert ("2026-04-02", "regional") not in [(d["date"], d["scope"]) for d in body["skipped"]]
    assert body["end"] == "2026-04-08"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-03-02", "days": "10", "kind": "working"}, "city"),
        ({"city": "999999", "start": "2026-03-02", "days": "10", "kind": "working"}, "city"),
        ({"city": "{city}", "start": "02/03/2026", "days": "10", "kind": "working"}, "start"),
        ({"city": "{city}", "start": "2026-03-02", "days": "ten", "kind": "working"}, "days"),
        ({"city": "{city}", "start": "2026-03-02", "days": "0", "kind": "working"}, "days"),
        ({"city": "{city}", "start": "2026-03-02", "days": "100000", "kind": "working"}, "days"),
        ({"city": "{city}", "start": "2026-03-02", "days": "10", "kind": "hours"}, "kind"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(demo, api_as, params, field):
    city = demo.city("logrono")
    params = {k: v.replace("{city}", str(city.pk)) for k, v in params.items()}
    response = api_as(None).get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field and body["detail"]


def test_the_calculator_reads_the_city_and_its_holidays_only(
    demo, api_as, django_assert_max_num_queries
):
    api = api_as(None)
    city = demo.city("logrono")
    with django_assert_max_num_queries(2):
        assert _ask(api, city, "2026-01-01", 200, "working").status_code == 200


def test_the_web_calculator_shows_the_end_and_the_holidays_skipped(demo, client):
    city = demo.city("logrono")
    query = {"city": city.pk, "start": "2026-03-30", "days": 5, "kind": "working"}
    page = client.get("/calendar/deadline/", query)
    assert page.status_code == 200
    text = page.content.decode()
    assert "09/04/2026" in text and "02/04/2026" in text
    partial = client.get("/calendar/deadline/", query, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert "09/04/2026" in partial.content.decode()
    refused = client.get("/calendar/deadline/", {**query, "days": "many"})
    assert refused.status_code == 400
    assert "whole number of days" in refused.content.decode()


def test_the_process_page_offers_the_calculator_next_to_the_deadline_input(demo, login):
    # Published: the officer may extend the deadline, a date to check first.
    tender = make_tender(city=demo.city("logrono"), state=S.PUBLISHED, now=NOW)
    page = login("officer.logrono").get(f"/processes/{tender.pk}/").content.decode()
    assert 'data-testid="check-date"' in page
    assert 'id="deadline-calculator"' in page
    assert 'action="/calendar/deadline/"' in page


# Ley 39/2015 art. 43.2: an unopened notification counts as rejected, so made, ten days on.
UNOPENED = dt.timedelta(days=10)


def _end_at(api, city, moment: dt.datetime, days: int, kind: str) -> dt.datetime:
    start = moment.astimezone(city.zone).date().isoformat()
    body = _ask(api, city, start, days, kind).json()
    return dt.datetime.fromisoformat(body["end_at"])


def test_the_engines_deadlines_agree_with_the_calculator(demo, api_as):
    """The documents' 10 working days (LCSP art. 150.2), the standstill's 15 (art. 153.3), a
    remedy's 3 (art. 141.2) and the SARA bid period's 35 calendar days (art. 156.2). The
    documents and the remedy run from the bidder's receipt of the request (DA 15ª): before it
    opens the notification, from its deemed rejection ten calendar days on."""
    api = api_as(None)
    city = demo.city("logrono")

    requested = make_tender(city=city, state=S.DOCUMENTS_REQUESTED, now=NOW)
    assert requested.documents_due_at == _end_at(
        api, city, requested.documents_requested_at + UNOPENED, 10, "working"
    )

    standstill = make_tender(city=city, state=S.STANDSTILL, now=NOW)
    assert standstill.standstill_ends_at == _end_at(api, city, standstill.awarded_at, 15, "working")

    published = make_tender(city=city, state=S.PUBLISHED, now=NOW)
    lot = published.lots.first()
    bid = bid_save(
        actor=demo.user("supplier.acme"),
        tender=published,
        lot=lot,
        now=NOW,
        a={
            "declaration": True,
            "notes": "ESPD signed.",
            "deuc": deuc_example(name="Acme", tax_id="B12345678", email="bids@acme.example"),
        },
        b={
            str(k.pk): "A clear plan with a pilot in another city."
            for k in published.criteria.filter(kind=Criterion.Kind.VALUE_JUDGEMENT)
        },
        c={
            str(k.pk): str(lot.value * 9 / 10) if k.is_price else str(k.params.get("upper", 1))
            for k in published.criteria.filter(kind=Criterion.Kind.FORMULA)
        },
    )
    bid_submit(actor=demo.user("supplier.acme"), bid=bid, now=NOW)
    after = published.submission_deadline + dt.timedelta(hours=1)
    process_fire_due(model=Tender, pk=published.pk, now=after)
    bid = bid_admission_decide(
        actor=demo.user("committee.logrono"),
        bid=bid,
        decision=Bid.Admission.REMEDY,
        reason="The declaration is not signed.",
        now=after,
    )
    assert bid.remedy_due_at == _end_at(api, city, after + UNOPENED, 3, "working")

    assert WorkingCalendar(city).add_calendar_days(NOW, 35) == _end_at(
        api, city, NOW, 35, "calendar"
    )
