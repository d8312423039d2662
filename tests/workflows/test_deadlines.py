"""Time travel: deadlines fire when due and not before, in working days per city calendar, and
the scheduler catches up after it missed beats."""

import datetime as dt

import time_machine
from django.utils import timezone

from procurement.core.models import AuditEntry
from tenders.consultation.services import consultation_save
from tests.factories.tenders import make_tender
from workflows.calendars import WorkingCalendar
from workflows.models import CityHoliday
from workflows.registry import MACHINES
from workflows.services import fire_due_events, transition_perform

MADRID = dt.timezone(dt.timedelta(hours=1))


def run_scheduler(now):
    return fire_due_events(models=MACHINES, now=now)


def _announced(demo, opens, closes, now):
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"), state="consultation_draft")
    consultation_save(
        actor=officer, tender=tender, subject="Sensors", opens_at=opens, closes_at=closes
    )
    return transition_perform(process=tender, name="publish_consultation", actor=officer, now=now)


def test_consultation_opens_at_its_time_and_not_a_minute_before(demo):
    now = dt.datetime(2026, 4, 1, 8, 0, tzinfo=dt.UTC)
    opens, closes = now + dt.timedelta(days=2), now + dt.timedelta(days=20)
    tender = _announced(demo, opens, closes, now)
    assert run_scheduler(opens - dt.timedelta(minutes=1)) == 0
    tender.refresh_from_db()
    assert tender.status == "consultation_announced"
    assert run_scheduler(opens) == 1
    tender.refresh_from_db()
    assert tender.status == "consultation_open"
    assert tender.next_check == closes
    assert run_scheduler(opens + dt.timedelta(minutes=1)) == 0, "firing is idempotent"


def test_the_scheduler_catches_up_after_missed_beats(demo):
    now = dt.datetime(2026, 4, 1, 8, 0, tzinfo=dt.UTC)
    opens, closes = now + dt.timedelta(days=1), now + dt.timedelta(days=5)
    tender = _announced(demo, opens, closes, now)
    # The scheduler was down for a week: one run fires both overdue events, in order.
    assert run_scheduler(now + dt.timedelta(days=7)) == 2
    tender.refresh_from_db()
    assert tender.status == "consultation_closed"
    fired = AuditEntry.objects.filter(object_id=str(tender.pk), actor=None, action="transition")
    assert [e.name for e in fired.order_by("pk")] == ["open_consultation", "close_consultation"]
    assert [e.data["due_at"] for e in fired.order_by("pk")] == [
        opens.isoformat(),
        closes.isoformat(),
    ]


def test_the_real_clock_drives_the_beat_task(demo):
    now = dt.datetime(2026, 4, 1, 8, 0, tzinfo=dt.UTC)
    tender = _announced(demo, now + dt.timedelta(hours=1), now + dt.timedelta(days=3), now)
    from workflows.tasks import fire_due_events_task

    with time_machine.travel(now + dt.timedelta(minutes=59), tick=False):
        fire_due_events_task()
    tender.refresh_from_db()
    assert tender.status == "consultation_announced"
    with time_machine.travel(now + dt.timedelta(hours=1, minutes=1), tick=False):
        fire_due_events_task()
    tender.refresh_from_db()
    assert tender.status == "consultation_open"


def test_working_days_skip_weekends_and_regional_and_local_holidays(demo):
    logrono, terrassa = demo.city("logrono"), demo.city("terrassa")
    # Friday 5 June 2026, 12:00 in Madrid. Tuesday 9 June is La Rioja's day (regional).
    start = dt.datetime(2026, 6, 5, 12, 0, tzinfo=MADRID)
    rioja = WorkingCalendar(logrono).add_working_days(start, 3)
    catalonia = WorkingCalendar(terrassa).add_working_days(start, 3)
    assert timezone.localtime(rioja, logrono.zone).date() == dt.date(2026, 6, 11)
    assert timezone.localtime(catalonia, terrassa.zone).date() == dt.date(2026, 6, 10)
    # A local holiday the city enters itself moves its deadlines too.
    CityHoliday.objects.create(city=terrassa, date=dt.date(2026, 6, 8), name="Festa local")
    catalonia = WorkingCalendar(terrassa).add_working_days(start, 3)
    assert timezone.localtime(catalonia, terrassa.zone).date() == dt.date(2026, 6, 11)
    # The deadline ends at the end of the day, in the city's time zone, stored in UTC.
    assert rioja.tzinfo == dt.UTC
    assert timezone.localtime(rioja, logrono.zone).time() == dt.time(23, 59, 59)


def test_calendar_day_deadlines_move_off_a_non_working_last_day(demo):
    calendar = WorkingCalendar(demo.city("logrono"))
    start = dt.datetime(2026, 5, 20, 10, 0, tzinfo=MADRID)  # Wednesday
    end = calendar.add_calendar_days(start, 10)  # Saturday 30 May → Monday 1 June
    assert timezone.localtime(end, calendar.zone).date() == dt.date(2026, 6, 1)


def test_award_documents_are_due_ten_working_days_after_the_request_is_received(demo):
    """LCSP art. 150.2: 10 working days "desde el siguiente a aquel en que hubiera recibido el
    requerimiento"; the request is notified (DA 15ª), so they run from its opening, or from its
    deemed rejection ten days on while unopened (Ley 39/2015 art. 43.2). In La Rioja, Easter
    2026 takes 2, 3 and 6 April."""
    from tenders.process.models import Notification
    from tenders.process.services import notification_open

    requested = dt.datetime(2026, 3, 27, 10, 0, tzinfo=dt.UTC)  # Friday before Holy Week
    tender = make_tender(city=demo.city("logrono"), state="award_proposed", now=requested)
    tender = transition_perform(
        process=tender, name="request_documents", actor=demo.user("officer.logrono"), now=requested
    )
    zone = tender.city.zone
    # Unopened: deemed rejected on Easter Monday 6 April; 7–10, 13–17 and 20 April.
    assert timezone.localtime(tender.documents_due_at, zone).date() == dt.date(2026, 4, 20)
    assert tender.next_check == tender.documents_due_at

    notice = Notification.objects.get(tender=tender, kind=Notification.Kind.DOCUMENTS)
    bidder = notice.supplier.memberships.get(role="representative").user
    opened = dt.datetime(2026, 3, 30, 8, 0, tzinfo=dt.UTC)  # Monday of Holy Week
    notification_open(actor=bidder, notification=notice, now=opened)
    tender.refresh_from_db()
    # 31 March, 1 April; then 7–10 and 13–16 April: the tenth working day is 16 April.
    due = tender.documents_due_at
    assert timezone.localtime(due, zone).date() == dt.date(2026, 4, 16)
    assert tender.next_check == due
    entry = AuditEntry.objects.filter(name="notification_accessed").latest("pk")
    assert entry.data["period_ends"] == due.isoformat()
    # A second opening changes nothing.
    notification_open(actor=bidder, notification=notice, now=opened + dt.timedelta(days=3))
    tender.refresh_from_db()
    assert tender.documents_due_at == due

    assert run_scheduler(due - dt.timedelta(minutes=1)) == 0
    assert run_scheduler(due + dt.timedelta(minutes=1)) == 1
    tender.refresh_from_db()
    assert tender.status == "award_proposed"
    assert tender.documents_due_at is None
