"""The transition service: guards with reasons, audit rows, permissions, walks through procedures."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from documents.pliego_services import pliego_approve, pliego_create
from procurement.core.exceptions import Conflict, NotFound, PermissionDenied
from procurement.core.models import AuditEntry
from tenders.consultation.services import consultation_report_save, consultation_save
from tests.factories.tenders import make_tender, place_tender_in_state_for_speed
from tests.factories.walks import signed_pdf
from workflows.services import transition_options, transition_perform

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday


# A PCP offer recorded by an officer is an exception that needs its reasons (issue #16).
OUTSIDE = "Received on paper at the registry during a platform outage."


def fire(tender, name, user, reason="", now=NOW, **data):
    return transition_perform(
        process=tender, name=name, actor=user, reason=reason, data=data, now=now
    )


def test_need_validation_refuses_with_readable_reasons_and_the_law(demo):
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"), description="short", cpv_codes=[])
    with pytest.raises(Conflict) as refused:
        fire(tender, "validate_need", officer)
    reasons = " ".join(refused.value.reasons)
    assert "at least 20 characters" in reasons and "36 sexies" in reasons
    assert "CPV" in reasons
    tender.refresh_from_db()
    assert tender.status == "need_draft"


def test_every_transition_writes_one_audit_row_with_actor_reason_and_legal_basis(demo):
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"))
    tender = fire(tender, "validate_need", officer, reason="Ficha aprobada por el área")
    entry = AuditEntry.objects.get(action="transition", object_id=str(tender.pk))
    assert (entry.actor, entry.name, entry.from_state, entry.to_state) == (
        officer,
        "validate_need",
        "need_draft",
        "need_validated",
    )
    assert entry.reason == "Ficha aprobada por el área"
    assert "36 sexies" in entry.legal_basis
    assert entry.at == NOW


def test_skipping_the_consultation_needs_a_reason_naming_the_studies(demo):
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"), state="need_validated", now=NOW)
    with pytest.raises(Conflict) as refused:
        fire(tender, "skip_consultation", officer, reason="no time")
    assert "36 sexies" in refused.value.reasons[0]
    tender = fire(
        tender,
        "skip_consultation",
        officer,
        reason="The 2025 market study (report 12/2025) showed nothing on the market.",
    )
    assert tender.status == "consultation_skipped"
    assert tender.consultation_skip_reason.startswith("The 2025 market study")


def test_consultation_publication_needs_object_dates_and_reasoned_advisers(demo):
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"), state="consultation_draft", now=NOW)
    with pytest.raises(Conflict) as refused:
        fire(tender, "publish_consultation", officer)
    assert "No market consultation" in refused.value.reasons[0]
    consultation_save(
        actor=officer,
        tender=tender,
        subject="Sensors",
        opens_at=NOW + dt.timedelta(days=1),
        closes_at=NOW + dt.timedelta(days=30),
        advisers=[{"name": "Dr. Ruiz", "reason": ""}],
    )
    with pytest.raises(Conflict) as refused:
        fire(tender, "publish_consultation", officer)
    assert "115.1" in refused.value.reasons[0]


def test_a_whole_front_walk_from_need_to_approved_file(demo):
    officer, legal = demo.user("officer.logrono"), demo.user("legal.logrono")
    tender = make_tender(city=demo.city("logrono"))
    tender = fire(tender, "validate_need", officer)
    tender = fire(tender, "start_consultation", officer)
    consultation_save(
        actor=officer,
        tender=tender,
        subject="Sensors for air quality",
        opens_at=NOW + dt.timedelta(days=1),
        closes_at=NOW + dt.timedelta(days=30),
    )
    tender = fire(tender, "publish_consultation", officer)
    assert tender.first_published_at == NOW
    assert tender.next_check == NOW + dt.timedelta(days=1)
    with pytest.raises(PermissionDenied):
        fire(tender, "open_consultation", officer)
    from tests.workflows.test_deadlines import run_scheduler

    run_scheduler(NOW + dt.timedelta(days=31))
    tender.refresh_from_db()
    assert tender.status == "consultation_closed"
    tender = fire(tender, "draft_report", officer, now=NOW + dt.timedelta(days=32))
    with pytest.raises(Conflict):
        fire(tender, "publish_report", officer, now=NOW + dt.timedelta(days=33))
    consultation_report_save(actor=officer, tender=tender, report="Entities consulted: ...")
    tender = fire(tender, "publish_report", officer, now=NOW + dt.timedelta(days=33))
    tender = fire(tender, "draft_specs", officer, now=NOW + dt.timedelta(days=34))
    with pytest.raises(Conflict) as refused:
        fire(tender, "choose_procedure", officer, now=NOW + dt.timedelta(days=35))
    assert "126.5.a" in refused.value.reasons[0]
    tender.functional_specifications = "Must cut NO2 exposure by 30% in every district."
    tender.save(update_fields=["functional_specifications"])
    tender = fire(tender, "choose_procedure", officer, now=NOW + dt.timedelta(days=35))
    tender = fire(tender, "submit_file", officer, now=NOW + dt.timedelta(days=36))
    with pytest.raises(Conflict) as refused:
        fire(tender, "record_audit_report", legal, reference="F-1")
    assert "DA 3ª.3" in refused.value.reasons[0]
    with pytest.raises(PermissionDenied):
        fire(tender, "record_legal_report", officer, reference="J-1")
    tender = fire(tender, "record_legal_report", legal, reference="J-1")
    tender = fire(tender, "record_credit_certificate", legal, reference="RC-1")
    tender = fire(tender, "record_audit_report", legal, reference="F-1")
    assert tender.status == "file_drafted"
    # The file holds its PCAP and PPT, approved by the legal team (LCSP arts. 116–124).
    with pytest.raises(Conflict) as refused:
        fire(tender, "approve_file", officer)
    assert "LCSP arts. 116, 117, 122 and 124" in " ".join(refused.value.reasons)
    for kind in ("pcap", "ppt"):
        pliego = pliego_create(
            actor=officer, process_id=tender.pk, kind=kind, upload=signed_pdf(kind)
        )
        pliego_approve(actor=legal, pliego=pliego)
    tender = fire(tender, "approve_file", officer)
    assert tender.status == "file_approved" and tender.specs_frozen_at == NOW
    # Publishing needs the PCAP's lots and award criteria.
    with pytest.raises(Conflict) as refused:
        fire(tender, "publish_tender", officer, submission_deadline=NOW + dt.timedelta(days=60))
    reasons = " ".join(refused.value.reasons)
    assert "at least one lot" in reasons and "No award criteria" in reasons


def test_the_procedure_decides_which_transitions_exist(demo):
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"), procedure="pcp", state="file_approved", now=NOW)
    with pytest.raises(Conflict) as refused:
        fire(tender, "publish_tender", officer, submission_deadline=NOW + dt.timedelta(days=60))
    assert "not possible" in refused.value.message
    with pytest.raises(Conflict) as refused:
        fire(tender, "publish_call", officer, submission_deadline=NOW + dt.timedelta(days=20))
    assert "30 days" in refused.value.reasons[0]
    tender = fire(tender, "publish_call", officer, submission_deadline=NOW + dt.timedelta(days=31))
    assert tender.status == "call_published"


def test_pcp_needs_rd_cpv_codes(demo):
    officer = demo.user("officer.logrono")
    tender = make_tender(
        city=demo.city("logrono"),
        procedure="pcp",
        state="specs_draft",
        cpv_codes=["72000000-5"],
        functional_specifications="x" * 40,
        now=NOW,
    )
    with pytest.raises(Conflict) as refused:
        fire(tender, "choose_procedure", officer)
    assert "LCSP art. 8" in refused.value.reasons[0] and "72000000-5" in refused.value.reasons[0]


def test_pcp_down_selection_keeps_a_minimum_of_suppliers(demo):
    officer, committee = demo.user("officer.logrono"), demo.user("committee.logrono")
    tender = make_tender(city=demo.city("logrono"), procedure="pcp", state="offers_closed", now=NOW)
    suppliers = [demo.supplier("acme"), demo.supplier("nova"), demo.supplier("unirioja")]
    for supplier in suppliers[:2]:
        tender = fire(tender, "register_applicant", officer, OUTSIDE, supplier=supplier.pk)
    with pytest.raises(Conflict) as refused:
        fire(tender, "select_suppliers", committee, suppliers=[s.pk for s in suppliers[:2]])
    assert "At least 3" in refused.value.reasons[0]
    tender = fire(tender, "register_applicant", officer, OUTSIDE, supplier=suppliers[2].pk)
    tender = fire(tender, "select_suppliers", committee, suppliers=[s.pk for s in suppliers])
    tender = fire(tender, "start_phase1", officer, phase_ends_at=NOW + dt.timedelta(days=90))
    from tests.workflows.test_deadlines import run_scheduler

    run_scheduler(NOW + dt.timedelta(days=91))
    tender.refresh_from_db()
    assert tender.status == "phase1_gate"
    with pytest.raises(Conflict) as refused:
        fire(
            tender,
            "pass_gate1",
            committee,
            now=NOW + dt.timedelta(days=92),
            keep=[suppliers[0].pk],
            phase_ends_at=NOW + dt.timedelta(days=200),
        )
    assert "At least 2" in refused.value.reasons[0]
    tender = fire(
        tender,
        "pass_gate1",
        committee,
        now=NOW + dt.timedelta(days=92),
        keep=[suppliers[0].pk, suppliers[1].pk],
        phase_ends_at=NOW + dt.timedelta(days=200),
    )
    assert tender.status == "phase2_prototype"
    assert tender.participant_ids("selected") == sorted([suppliers[0].pk, suppliers[1].pk]) or set(
        tender.participant_ids("selected")
    ) == {suppliers[0].pk, suppliers[1].pk}
    # A dropped supplier cannot come back at the next gate.
    run_scheduler(NOW + dt.timedelta(days=201))
    tender.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        fire(
            tender,
            "pass_gate2",
            committee,
            now=NOW + dt.timedelta(days=202),
            keep=[suppliers[0].pk, suppliers[2].pk],
            phase_ends_at=NOW + dt.timedelta(days=300),
        )
    assert "still in the procedure" in refused.value.reasons[0]


def test_partnership_needs_three_candidates(demo):
    officer, committee = demo.user("officer.logrono"), demo.user("committee.logrono")
    tender = make_tender(
        city=demo.city("logrono"),
        procedure="innovation_partnership",
        state="requests_closed",
        now=NOW,
    )
    # Candidates request to participate on the platform; these two arrived on paper, an
    # exception recorded with its reasons (LCSP art. 178.1).
    for slug in ("acme", "nova"):
        tender = fire(
            tender,
            "register_applicant",
            officer,
            reason="Solicitud presentada en el registro general.",
            supplier=demo.supplier(slug).pk,
        )
    with pytest.raises(Conflict) as refused:
        fire(
            tender,
            "select_candidates",
            committee,
            candidates=[demo.supplier("acme").pk, demo.supplier("nova").pk],
        )
    assert "178.3" in refused.value.reasons[0]


def test_partnership_rd_phases_end_in_a_purchase_decision(demo):
    officer = demo.user("officer.logrono")
    tender = place_tender_in_state_for_speed(
        why="no walk reaches the R&D phases: the partnership's final offers cannot be scored, "
        "since no transition of the partnership opens their formula envelopes",
        city=demo.city("logrono"),
        procedure="innovation_partnership",
        state="rd_gate",
        rd_phase=1,
        rd_phases_total=2,
    )
    with pytest.raises(Conflict) as refused:
        fire(tender, "finish_rd", officer)
    assert "phase 1 of 2" in refused.value.reasons[0]
    tender = fire(tender, "continue_rd", officer, phase_ends_at=NOW + dt.timedelta(days=100))
    assert (tender.status, tender.rd_phase) == ("rd_phase", 2)
    from tests.workflows.test_deadlines import run_scheduler

    run_scheduler(NOW + dt.timedelta(days=101))
    tender.refresh_from_db()
    tender = fire(tender, "finish_rd", officer, now=NOW + dt.timedelta(days=102))
    tender = fire(
        tender,
        "decide_purchase",
        officer,
        now=NOW + dt.timedelta(days=103),
        reason="Performance and cost caps met (report RD-2).",
        purchase=True,
    )
    assert tender.purchase_decided is True
    tender = fire(tender, "close", officer, now=NOW + dt.timedelta(days=104))
    assert tender.status == "closed"


def test_formula_envelopes_cannot_open_before_the_value_report(demo):
    committee = demo.user("committee.logrono")
    tender = place_tender_in_state_for_speed(
        why="the engine reaches tech_evaluated only by signing the value report, and this test "
        "needs the state without it to see the guard refuse",
        city=demo.city("logrono"),
        state="tech_evaluated",
    )
    with pytest.raises(Conflict) as refused:
        fire(tender, "open_envelope_c", committee)
    assert "146.2" in refused.value.reasons[0]


def test_bids_dependent_guards_refuse_with_their_true_reason(demo):
    committee = demo.user("committee.logrono")
    tender = make_tender(city=demo.city("logrono"), state="bids_closed", now=NOW)
    with pytest.raises(Conflict) as refused:
        fire(tender, "check_admin", committee)
    assert "No bids recorded" in refused.value.reasons[0]


def test_a_void_declaration_needs_no_admissible_bids_and_a_reason(demo):
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"), state="bids_closed", now=NOW)
    with pytest.raises(Conflict):
        fire(tender, "declare_void", officer)
    tender = fire(tender, "declare_void", officer, reason="No bid arrived before the deadline.")
    assert tender.status == "void"


def test_standstill_applies_above_the_special_appeal_threshold(demo):
    """LCSP art. 44.1: > €100,000 → 15 working days of standstill before signature (153.3)."""
    officer = demo.user("officer.logrono")
    from tests.workflows.test_deadlines import run_scheduler

    big = make_tender(
        city=demo.city("logrono"),
        state="documents_received",
        value=Decimal("250000"),
        now=NOW,
    )
    small = make_tender(
        city=demo.city("logrono"),
        state="documents_received",
        value=Decimal("90000"),
        now=NOW,
    )
    big, small = fire(big, "award", officer), fire(small, "award", officer)
    run_scheduler(NOW + dt.timedelta(minutes=1))
    big.refresh_from_db()
    small.refresh_from_db()
    assert small.status == "awaiting_signature"
    assert big.status == "standstill"
    # 15 working days from Monday 2 March 2026 in La Rioja: 23 March (no holiday in between).
    assert timezone.localtime(big.standstill_ends_at, big.city.zone).date() == dt.date(2026, 3, 23)
    run_scheduler(big.standstill_ends_at - dt.timedelta(minutes=1))
    big.refresh_from_db()
    assert big.status == "standstill"
    run_scheduler(big.standstill_ends_at + dt.timedelta(minutes=1))
    big.refresh_from_db()
    assert big.status == "awaiting_signature"
    big = fire(big, "sign_contract", officer, now=big.standstill_ends_at + dt.timedelta(hours=1))
    assert big.status == "contract_signed"


def test_options_show_allowed_and_blocked_actions_with_reasons(demo):
    tender = make_tender(city=demo.city("logrono"), state="file_drafted")
    officer_view = {
        o.name: o for o in transition_options(process=tender, user=demo.user("officer.logrono"))
    }
    legal_view = {
        o.name: o for o in transition_options(process=tender, user=demo.user("legal.logrono"))
    }
    assert not officer_view["approve_file"].allowed
    assert any("DA 3ª.8" in r for r in officer_view["approve_file"].reasons)
    assert not officer_view["record_legal_report"].allowed
    assert legal_view["record_legal_report"].allowed
    assert not legal_view["record_audit_report"].allowed


def test_other_cities_cannot_fire_and_see_the_same_not_found(demo):
    tender = make_tender(city=demo.city("logrono"))
    with pytest.raises(NotFound):
        fire(tender, "validate_need", demo.user("officer.terrassa"))


def test_a_stale_page_gets_the_process_changed_meanwhile(demo):
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"))
    stale = type(tender).objects.get(pk=tender.pk)
    fire(tender, "validate_need", officer)
    with pytest.raises(Conflict) as refused:
        fire(stale, "validate_need", officer)
    assert "changed meanwhile" in refused.value.message
    assert AuditEntry.objects.filter(action="transition", object_id=str(tender.pk)).count() == 1


def test_data_errors_are_clear(demo):
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"), procedure="pcp", state="file_approved", now=NOW)
    from procurement.core.exceptions import ApplicationError

    for bad in (
        {"submission_deadline": "tomorrow"},
        {"submission_deadline": "2026-05-01T10:00"},
        {"bogus": 1},
    ):
        with pytest.raises(ApplicationError) as refused:
            transition_perform(
                process=tender, name="publish_call", actor=officer, data=bad, now=NOW
            )
        assert refused.value.message
