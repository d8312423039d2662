"""The process's history reads as words, not as the code's names (issue #19).

The defect: the history on the process page showed ``tender_create → need_draft``,
``grant "process created"`` and ``committee_assign``; the changes made to the process and to its
scores did not show, nor who acted for which organisation.
"""

import re
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.utils import translation

from procurement.accounts.models import Supplier
from procurement.core.audit import audit_history
from procurement.core.formatting import city_minute
from procurement.core.models import AuditEntry
from tenders.award.models import Bid, Criterion
from tenders.award.services.bids import score_save
from tenders.procedures import PARTNERSHIP, STATE_BY_NAME, TRANSITIONS, S
from tenders.process.history import entry_label
from tenders.process.services import tender_update
from tests.factories.tenders import make_tender

ROOT = Path(__file__).resolve().parents[2]
APPS = ("procurement", "tenders", "workflows", "documents", "publication")
CODE_NAMES = (
    "tender_create",
    "tender_update",
    "need_draft",
    "need_validated",
    "committee_assign",
    "process created",
    "validate_need",
    "score_save",
)


def _history_text(client, tender) -> str:
    html = client.get(f"/processes/{tender.pk}/").content.decode()
    start = html.index('data-testid="history"')
    return html[start : html.index("</ol>", start)]


def _recorded_names() -> set[str]:
    """Every literal ``name=`` of an ``audit_record``/``audit_entry`` call in the apps."""
    names = set()
    call = re.compile(r"audit_(?:record|entry)\((.*?)\n\s*\)", re.DOTALL)
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for body in call.findall(path.read_text()):
                names.update(re.findall(r'\bname="([a-z0-9_]+)"', body))
    return names


def _audited_moves() -> set[str]:
    names = set()
    for model in apps.get_models():
        machine = getattr(model, "_status_machine", None)
        if machine is not None:
            names.update(move.name for move in machine if move.audited)
    return names


def test_every_name_the_audit_log_records_has_a_label():
    recorded = _recorded_names()
    assert {"tender_create", "grant", "committee_assign", "pliego_create"} <= recorded
    names = recorded | _audited_moves() | {t.name for t in TRANSITIONS}
    unlabelled = sorted(name for name in names if entry_label(name) is None)
    assert unlabelled == []


def test_labels_follow_the_language_of_the_page():
    with translation.override("en"):
        english = entry_label("tender_create")
    assert english == "Process created"
    with translation.override("es"):
        assert entry_label("tender_create") == translation.gettext("Process created")


def test_process_history_speaks_words_with_who_and_what_changed(demo, login):
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"), state=S.NEED_VALIDATED, title="Sensors")
    tender_update(actor=officer, tender=tender, title="Air-quality sensors for schools")

    text = _history_text(login("officer.logrono"), tender)

    for name in CODE_NAMES:
        assert name not in text, name
    assert "Process created" in text
    assert str(STATE_BY_NAME[S.NEED_VALIDATED].label) in text
    assert "Access granted to:" in text
    assert "procurement officer" in text
    # Who: the person and the organisation they act for.
    assert f"{officer.get_full_name() or officer.username} (Logroño)" in text
    # What changed, old → new.
    assert "title: Sensors → Air-quality sensors for schools" in text
    # The law as words, and the time to the minute (no seconds).
    assert "Validate the need" in text
    assert "Legal basis: Ley 14/2011 art. 36 sexies §4; LCSP art. 28.1" in text
    assert not re.search(r"\d{1,2}:\d{2}:\d{2}", re.sub(r"<[^>]+>", "", text))


def test_committee_member_added_shows_the_persons_name(demo, login):
    tender = make_tender(city=demo.city("logrono"), state=S.NEED_DRAFT)
    member = demo.user("committee.logrono")

    text = _history_text(login("officer.logrono"), tender)

    assert "Committee member added" in text
    assert member.get_full_name() and member.get_full_name() in text


def test_a_score_changed_by_the_committee_is_recorded_old_to_new(demo, login):
    tender = make_tender(city=demo.city("logrono"), state=S.TECH_OPENED, value=Decimal("200000"))
    member = tender.committee.select_related("user").order_by("pk").first().user
    bid = tender.bids.filter(admission=Bid.Admission.ADMITTED).order_by("pk").first()
    criterion = tender.criteria.filter(kind=Criterion.Kind.VALUE_JUDGEMENT).first()
    score_save(actor=member, bid=bid, criterion=criterion, points=10, justification="A sound plan.")
    score_save(actor=member, bid=bid, criterion=criterion, points=12, justification="A sound plan.")

    rows = [e for e in audit_history(tender) if e.name == "score_save"]

    assert [r.data["changes"]["points"] for r in rows] == [[None, "10.00"], ["10.00", "12.00"]]
    assert rows[1].action == AuditEntry.Action.CHANGE
    assert "justification" not in rows[1].data["changes"]
    text = _history_text(login(member.username), tender)
    assert "Score recorded" in text
    assert "points: 10.00 → 12.00" in text
    assert f"{bid.supplier} · {criterion.name}" in text


def test_api_history_gives_the_same_words(demo, api_as):
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"), state=S.NEED_DRAFT, title="Sensors")
    tender_update(actor=officer, tender=tender, title="Air-quality sensors")

    rows = api_as("officer.logrono").get(f"/api/v1/tenders/{tender.pk}/history/").json()

    created = next(r for r in rows if r["name"] == "tender_create")
    assert created["label"] == "Process created"
    assert created["organisation"] == "Logroño"
    edited = next(r for r in rows if r["name"] == "tender_update")
    assert edited["changes"] == [{"field": "title", "old": "Sensors", "new": "Air-quality sensors"}]


def test_a_members_points_stay_hidden_from_the_others_until_the_report_is_signed(
    demo, login, api_as
):
    tender = make_tender(city=demo.city("logrono"), state=S.TECH_OPENED, value=Decimal("200000"))
    member = tender.committee.select_related("user").order_by("pk").first().user
    bid = tender.bids.filter(admission=Bid.Admission.ADMITTED).order_by("pk").first()
    criterion = tender.criteria.filter(kind=Criterion.Kind.VALUE_JUDGEMENT).first()
    score_save(actor=member, bid=bid, criterion=criterion, points=17, justification="A sound plan.")

    officer_page = _history_text(login("officer.logrono"), tender)
    officer_api = api_as("officer.logrono").get(f"/api/v1/tenders/{tender.pk}/history/").json()

    assert "Score recorded" in officer_page
    assert "17.00" not in officer_page
    scored = next(r for r in officer_api if r["name"] == "score_save")
    assert "17.00" not in str(scored)
    own = api_as(member.username).get(f"/api/v1/tenders/{tender.pk}/history/").json()
    assert "17.00" in str(next(r for r in own if r["name"] == "score_save"))


def test_the_deadline_given_with_a_step_reads_as_the_citys_time(demo, login):
    tender = make_tender(city=demo.city("logrono"), state=S.PUBLISHED)
    deadline = tender.submission_deadline

    text = _history_text(login("officer.logrono"), tender)

    assert f"Deadline for submissions: {city_minute(deadline, tender.city.zone)}" in text


def test_a_registered_applicant_reads_as_the_suppliers_name(demo, login):
    tender = make_tender(
        city=demo.city("logrono"), procedure=PARTNERSHIP, state=S.CANDIDATES_SELECTED
    )
    registered = [e for e in audit_history(tender) if e.name == "register_applicant"]
    assert registered

    text = _history_text(login("officer.logrono"), tender)

    supplier = Supplier.objects.get(pk=registered[0].data["supplier"])
    assert f"Supplier: {supplier.name}" in text
    assert not re.search(r"Supplier: \d", text)
