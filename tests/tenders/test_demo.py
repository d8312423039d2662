"""The demo tells a coherent year (#19): every process's history runs in order up to the seed's
present, its documents are dated at their steps, and no process is left in a dead end.

The whole demo (parties, processes, document library) is seeded once for the module, inside a
transaction rolled back at its end; each test runs in a savepoint of it.
"""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from procurement.accounts.models import User
from procurement.core.models import AuditEntry
from tenders.models import Tender

AIR_QUALITY = "Red de sensores de calidad del aire en tiempo real"
IRRIGATION = "Riego inteligente de parques y jardines"
ROBOTS = "Robots autónomos para la recogida de residuos en el casco antiguo"
FINAL_STATES = {"contract_signed", "cancelled", "deserted"}
DEMO_USERS = (
    "officer.logrono",
    "legal.logrono",
    "committee.logrono",
    "officer.terrassa",
    "legal.terrassa",
)


def _seed_all() -> None:
    from documents import demo as documents_demo
    from procurement.accounts import demo as accounts_demo
    from tenders import demo as tenders_demo

    accounts_demo.seed()
    tenders_demo.seed()
    documents_demo.seed()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The full demo, with every after-commit effect run (each step made its documents), and
    the time the seed started."""
    from django.conf import settings

    media = tmp_path_factory.mktemp("demo-media")
    old = settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = media / "media", media / "private"
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            before = timezone.now()
            with TestCase.captureOnCommitCallbacks(execute=True):
                _seed_all()
            yield before
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = old


@pytest.fixture
def world(seeded, db):
    return seeded


def _history(tender: Tender) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Tender), object_id=str(tender.pk)
        ).order_by("pk")
    )


def test_every_process_history_runs_in_order_and_never_after_the_seed(world):
    seed_ended = timezone.now()
    for tender in Tender.objects.all():
        rows = _history(tender)
        times = [row.at for row in rows]
        assert times == sorted(times), (tender.title, [(r.name, r.at) for r in rows])
        assert all(at <= seed_ended for at in times), tender.title
        # The process was created before its first step, not on the day of the seed.
        created = next(r for r in rows if r.name == "tender_create")
        assert created.at == rows[0].at
        assert tender.created_at == created.at
        steps = [r for r in rows if r.action == AuditEntry.Action.TRANSITION]
        if steps:
            assert created.at <= steps[0].at, tender.title


def test_a_process_with_past_steps_was_created_before_them_not_today(world):
    tender = Tender.objects.get(title=ROBOTS)
    rows = _history(tender)
    assert (world - rows[0].at).days >= 59
    granted = [r for r in rows if r.action == AuditEntry.Action.GRANT]
    assert granted and all(r.at == rows[0].at for r in granted)


def test_every_step_document_is_dated_at_its_step(world):
    from documents.models import GeneratedDocument, Pliego

    documents = GeneratedDocument.objects.exclude(audit_entry=None).select_related("audit_entry")
    assert documents.count() > 15
    for document in documents:
        assert document.created_at == document.audit_entry.at, (document.kind, document.trigger)
    for pliego in Pliego.objects.select_related("tender"):
        assert (world - pliego.created_at).days >= 1, (pliego.tender.title, pliego.kind)
        assert pliego.approved_at is not None and pliego.approved_at <= (
            pliego.published_at or world
        )


def test_every_unfinished_process_has_a_next_step_someone_of_the_demo_can_take(world):
    from workflows.services import transition_options

    users = [User.objects.get(username=name) for name in DEMO_USERS]
    for tender in Tender.objects.exclude(status__in=FINAL_STATES):
        options = [
            option
            for user in users
            for option in transition_options(process=tender, user=user)
            if option.name != "cancel"
        ]
        takeable = [o.name for o in options if o.allowed]
        # A deadline that falls due by itself (a consultation closing, bids closing) is a step
        # too, while suppliers answer or bid in the meantime.
        upcoming = [o.name for o in options if o.definition.automatic and o.due_at]
        assert takeable or upcoming, (tender.title, tender.status, options)


def test_the_robots_tender_is_published_with_its_lots_criteria_and_pliegos(world):
    tender = Tender.objects.get(title=ROBOTS)
    assert tender.status == "published"
    assert tender.lots.count() == 1
    assert tender.criteria.count() == 3
    assert set(tender.pliegos.filter(status="public").values_list("kind", flat=True)) == {
        "pcap",
        "ppt",
    }


def test_one_consultation_has_closed_and_waits_for_its_summaries_and_report(world):
    tender = Tender.objects.get(title=IRRIGATION)
    assert tender.status == "consultation_closed"
    consultation = tender.consultation_for_engine()
    assert consultation.closes_at < world
    assert consultation.responses.filter(status="submitted").count() == 2
    officer = User.objects.get(username="officer.logrono")
    from workflows.services import transition_options

    options = {o.name: o for o in transition_options(process=tender, user=officer)}
    assert options["draft_report"].allowed


def test_suppliers_still_have_an_open_consultation_to_answer(world):
    tender = Tender.objects.get(title=AIR_QUALITY)
    assert tender.status == "consultation_open"
    consultation = tender.consultation_for_engine()
    # Open for weeks yet: the suppliers' responses stay theirs to change until it closes.
    assert (consultation.closes_at - world).days >= 20


def test_a_consultation_report_is_published_and_readable_on_the_portal(world, client):
    tender = Tender.objects.get(status="report_published")
    consultation = tender.consultation_for_engine()
    assert consultation.report_published_at is not None
    page = client.get(f"/portal/consultations/{consultation.pk}/report/")
    assert page.status_code == 200
    assert consultation.report[:40] in page.content.decode()


def test_seeding_again_changes_nothing(world):
    from documents.models import GeneratedDocument

    counts = (
        Tender.objects.count(),
        AuditEntry.objects.count(),
        GeneratedDocument.objects.count(),
        list(Tender.objects.order_by("pk").values_list("status", flat=True)),
    )
    _seed_all()
    assert counts == (
        Tender.objects.count(),
        AuditEntry.objects.count(),
        GeneratedDocument.objects.count(),
        list(Tender.objects.order_by("pk").values_list("status", flat=True)),
    )


LEAKS = "Predicción de fugas en la red de agua con inteligencia artificial"
SHUTTLE = "Lanzadera eléctrica autónoma para el centro histórico"


def test_the_pcp_runs_its_prototype_after_a_scored_and_paid_first_phase(world):
    from tenders.models import PhaseContract, PhaseOffer

    tender = Tender.objects.get(title=LEAKS)
    assert tender.status == "phase2_prototype" and tender.phase_ends_at > world
    assert tender.phases.count() == 3
    # Acme and Nova submitted their sealed offers; the university's was recorded on paper.
    assert tender.phase_offers.filter(status=PhaseOffer.Status.SUBMITTED).count() == 2
    recorded = AuditEntry.objects.get(object_id=str(tender.pk), name="register_applicant")
    assert len(recorded.reason) >= 10
    first = PhaseContract.objects.filter(phase__tender=tender, phase__number=1)
    assert {c.supplier.slug: c.outcome for c in first} == {
        "acme": "kept",
        "nova": "kept",
        "unirioja": "not_kept",
    }
    for contract in first.exclude(supplier__slug="unirioja"):
        assert contract.deliverables.count() == 1
        assert contract.scores.count() == 2
        assert {m.status for m in contract.milestones.all()} == {"paid"}
    second = PhaseContract.objects.filter(phase__tender=tender, phase__number=2)
    assert {c.supplier.slug for c in second} == {"acme", "nova"}
    assert all(c.signed_at for c in second)


def test_the_partnership_runs_its_first_rd_phase_with_its_partners(world):
    from tenders.models import PhaseContract, PhaseOffer

    tender = Tender.objects.get(title=SHUTTLE)
    assert (tender.status, tender.rd_phase, tender.rd_phases_total) == ("rd_phase", 1, 2)
    kinds = sorted(
        tender.phase_offers.filter(status=PhaseOffer.Status.SUBMITTED).values_list(
            "kind", flat=True
        )
    )
    assert kinds == ["offer", "offer", "request", "request"]
    contracts = PhaseContract.objects.filter(phase__tender=tender, signed_at__isnull=False)
    assert {c.supplier.slug for c in contracts} == {"acme", "nova"}
    acme = contracts.get(supplier__slug="acme")
    assert acme.deliverables.count() == 1
    assert [m.status for m in acme.milestones.order_by("order")] == ["paid", "pending"]


@pytest.mark.parametrize("days_ago", range(7))
def test_the_demo_seeds_whatever_the_weekday(demo, days_ago):
    """The legal periods end on a working day, so a period the demo sets with two days to spare
    fails on the day of the week when its last day is a Saturday (the demo broke so on
    2026-12-03: the PCP call's 30 days ended on a Saturday). Seeded as of each day of a week."""
    from tenders import demo as tenders_demo

    tenders_demo.seed(now=timezone.now() - dt.timedelta(days=days_ago))
    assert Tender.objects.filter(title__startswith="Predicción de fugas").exists()
