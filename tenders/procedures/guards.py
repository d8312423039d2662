"""The guards of the CPI procedures: pure functions ``(process, ctx) -> list of reasons``.

A reason is a sentence a person can act on, ending with the legal article the rule comes from.
Guards read the process through the attributes and methods documented on ``tenders.models.Tender``
(``title``, ``consultation_for_engine()``, ``participant_counts()``…) and the proposed transition
data in ``ctx.data``; they never write.
"""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.core.formatting import number
from tenders.procedures.base import PARTNERSHIP, PCP, PLIEGOS_APPROVED, REQUIRED_PLIEGOS
from tenders.procedures.rules import BidPeriodReduction, RulePack, rules_for
from workflows.guards import Guard, GuardContext, input_check
from workflows.requirements import requirement_reasons
from workflows.signature_gates import signatures_missing


def rules(process) -> RulePack:
    return rules_for(process.rules_version)


def _when(ctx: GuardContext, moment: dt.datetime) -> str:
    return timezone.localtime(moment, ctx.calendar.zone).strftime("%d/%m/%Y %H:%M")


# --- the need ---------------------------------------------------------------------------------


def need_is_described(process, ctx: GuardContext) -> list[str]:
    reasons = []
    if not (process.title or "").strip():
        reasons.append(_("The need has no title (Ley 14/2011 art. 36 sexies §4)."))
    if len((process.description or "").strip()) < 20:
        reasons.append(
            _(
                "Describe the unmet need in at least 20 characters: what the market does not "
                "solve today (Ley 14/2011 art. 36 sexies §4; LCSP art. 28.1)."
            )
        )
    if not process.estimated_value or process.estimated_value <= 0:
        reasons.append(_("Give an indicative budget above zero (LCSP art. 28.1)."))
    if not process.cpv_codes:
        reasons.append(_("Give at least one CPV code (LCSP art. 2.2 and Annex III)."))
    return reasons


@input_check
def reason_given(process, ctx: GuardContext) -> list[str]:
    if len(ctx.reason.strip()) < 10:
        return [
            _("Give the reasons for this decision (at least 10 characters); they are recorded.")
        ]
    return []


@input_check
def consultation_skip_reasoned(process, ctx: GuardContext) -> list[str]:
    if len(ctx.reason.strip()) < 30:
        return [
            _(
                "Skipping the market consultation needs a recorded reason of at least 30 "
                "characters naming the studies that show the solution is innovative "
                "(Ley 14/2011 art. 36 sexies §4)."
            )
        ]
    return []


# --- the market consultation ------------------------------------------------------------------


def consultation_ready_to_publish(process, ctx: GuardContext) -> list[str]:
    consultation = process.consultation_for_engine()
    if consultation is None:
        return [_("No market consultation has been drafted for this process (LCSP art. 115.1).")]
    reasons = []
    if not (consultation.subject or "").strip():
        reasons.append(_("The consultation has no object (LCSP art. 115.1)."))
    if consultation.opens_at is None or consultation.closes_at is None:
        reasons.append(
            _("The consultation needs opening and closing times (LCSP art. 115.1: when it starts).")
        )
    elif consultation.closes_at <= consultation.opens_at:
        reasons.append(_("The consultation must close after it opens."))
    elif consultation.closes_at <= ctx.now:
        reasons.append(_("The consultation's closing time has already passed."))
    for adviser in consultation.advisers or []:
        if not (adviser.get("name") or "").strip() or not (adviser.get("reason") or "").strip():
            reasons.append(
                _(
                    "Every external adviser must be named with the reason for choosing them "
                    "(LCSP art. 115.1)."
                )
            )
            break
    return reasons


def consultation_report_written(process, ctx: GuardContext) -> list[str]:
    consultation = process.consultation_for_engine()
    if consultation is None or not (consultation.report or "").strip():
        return [
            _(
                "The consultation report has not been written: it must list the studies and "
                "their authors and say how the results shaped the specifications (LCSP art. 115.3)."
            )
        ]
    unsummarised = process.consultation_questions_without_summary()
    if unsummarised:
        return [
            _(
                "Summarise the answers to every question for the report, without confidential "
                "parts; missing: questions %(numbers)s (LCSP arts. 115.3 and 133)."
            )
            % {"numbers": ", ".join(str(n) for n in unsummarised)}
        ]
    return []


# --- preparation ------------------------------------------------------------------------------


def functional_specifications_written(process, ctx: GuardContext) -> list[str]:
    if len((process.functional_specifications or "").strip()) < 20:
        return [
            _(
                "Write the functional specifications of the solution sought "
                "(Ley 14/2011 art. 36 sexies §4; LCSP art. 126.5.a)."
            )
        ]
    return []


def procedure_eligible(process, ctx: GuardContext) -> list[str]:
    procedure = ctx.data.get("procedure") or process.procedure
    if procedure == "pcp":
        outside = [code for code in process.cpv_codes if not str(code).startswith("73")]
        if outside:
            return [
                _(
                    "A pre-commercial procurement buys R&D services: every CPV code must be in "
                    "division 73 (LCSP art. 8); these are not: %(codes)s."
                )
                % {"codes": ", ".join(outside)}
            ]
    if procedure == "innovation_partnership" and not (process.description or "").strip():
        return [_("State the need that products on the market cannot meet (LCSP art. 177.1).")]
    return []


def file_reports_recorded(process, ctx: GuardContext) -> list[str]:
    reasons = []
    if not process.legal_report_ref:
        reasons.append(_("The legal report of the Secretaría is not recorded (LCSP DA 3ª.8)."))
    if not process.credit_certificate_ref:
        reasons.append(_("The certificate that credit exists is not recorded (LCSP art. 116.3)."))
    if not process.audit_report_ref:
        reasons.append(_("The prior audit of the Intervención is not recorded (LCSP DA 3ª.3)."))
    return reasons


def pliegos_approved(process, ctx: GuardContext) -> list[str]:
    """The file holds its *pliegos*, approved by the legal team, before it is approved: the
    PCAP and PPT are part of the file and the PCAP is approved before the spending is
    (LCSP arts. 116, 117, 122 and 124). The documents app answers which are missing."""
    return requirement_reasons(
        PLIEGOS_APPROVED, process, kinds=REQUIRED_PLIEGOS.get(process.procedure, ())
    )


@input_check
def reference_given(process, ctx: GuardContext) -> list[str]:
    if not str(ctx.data.get("reference") or "").strip():
        return [_("Give the reference of the report (its number or file id).")]
    return []


def audit_after_credit_and_legal(process, ctx: GuardContext) -> list[str]:
    if not process.legal_report_ref or not process.credit_certificate_ref:
        return [
            _(
                "The prior audit comes after the credit certificate and the legal report "
                "(LCSP DA 3ª.3)."
            )
        ]
    return []


def not_recorded_yet(attribute: str) -> Guard:
    def guard(process, ctx: GuardContext) -> list[str]:
        if getattr(process, attribute):
            return [_("This report is already recorded.")]
        return []

    guard.__name__ = f"{attribute}_not_recorded_yet"
    return guard


# --- publication and deadlines ----------------------------------------------------------------


def _deadline(
    ctx: GuardContext, key: str = "submission_deadline"
) -> tuple[dt.datetime | None, list[str]]:
    value = ctx.data.get(key)
    if value is None:
        return None, [_("Give the deadline for submissions.")]
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        return None, [_("The deadline must be a date and time with its time zone.")]
    if value <= ctx.now:
        return None, [_("The deadline must be in the future.")]
    return value, []


def _is_sara(process) -> bool:
    return Decimal(process.estimated_value or 0) >= rules(process).sara_threshold_services


def _reduction(ctx: GuardContext) -> str:
    return ctx.data.get("bid_period_reduction") or BidPeriodReduction.NONE


@input_check
def minimum_bid_period(process, ctx: GuardContext) -> list[str]:
    """Open procedure: 35 days SARA, or what the reduction the officer chose allows (LCSP art.
    156.2–3); below SARA 15, with no reduction (LCSP art. 156.6)."""
    deadline, reasons = _deadline(ctx)
    if deadline is None:
        return reasons
    pack = rules(process)
    reduction = _reduction(ctx)
    if _is_sara(process):
        days, article = pack.open_sara_period(reduction)
    elif reduction != BidPeriodReduction.NONE:
        return [
            _(
                "The reductions of the bid period apply to harmonised (SARA) contracts only; "
                "below the threshold the period is %(days)d days (LCSP arts. 156.3 and 156.6)."
            )
            % {"days": pack.open_min_days}
        ]
    else:
        days, article = pack.open_min_days, "LCSP art. 156.6"
    earliest = ctx.calendar.add_calendar_days(ctx.now, days)
    if deadline < earliest:
        return [
            _(
                "The bid period must last at least %(days)d days: the earliest deadline is %(when)s (%(article)s)."
            )
            % {"days": days, "when": _when(ctx, earliest), "article": article}
        ]
    return []


@input_check
def bid_period_reduction_reasoned(process, ctx: GuardContext) -> list[str]:
    """A reduction is the contracting body's choice, so its reasons go on the record."""
    if _reduction(ctx) != BidPeriodReduction.NONE and len(ctx.reason.strip()) < 10:
        return [
            _(
                "Give the reasons for reducing the bid period (at least 10 characters); they are "
                "recorded (LCSP art. 156.3)."
            )
        ]
    return []


@input_check
def minimum_call_period(process, ctx: GuardContext) -> list[str]:
    """PCP call: 30 days by default, by analogy with the LCSP (arts. 4 and 8)."""
    deadline, reasons = _deadline(ctx)
    if deadline is None:
        return reasons
    days = rules(process).pcp_call_min_days
    earliest = ctx.calendar.add_calendar_days(ctx.now, days)
    if deadline < earliest:
        return [
            _(
                "A PCP call stays open at least %(days)d days: the earliest deadline is %(when)s (LCSP arts. 4 and 8, by analogy)."
            )
            % {"days": days, "when": _when(ctx, earliest)}
        ]
    return []


@input_check
def minimum_request_period(process, ctx: GuardContext) -> list[str]:
    """Partnership requests: 30 days SARA, else 20; never reduced (LCSP arts. 178.2, 119.2.b)."""
    deadline, reasons = _deadline(ctx)
    if deadline is None:
        return reasons
    pack = rules(process)
    days = pack.partnership_sara_min_days if _is_sara(process) else pack.partnership_min_days
    earliest = ctx.calendar.add_calendar_days(ctx.now, days)
    if deadline < earliest:
        return [
            _(
                "Requests to participate stay open at least %(days)d days, not reducible for urgency: the earliest deadline is %(when)s (LCSP arts. 178.2 and 119.2.b.4º)."
            )
            % {"days": days, "when": _when(ctx, earliest)}
        ]
    return []


@input_check
def deadline_in_future(process, ctx: GuardContext) -> list[str]:
    return _deadline(ctx)[1]


@input_check
def deadline_extended(process, ctx: GuardContext) -> list[str]:
    deadline, reasons = _deadline(ctx)
    if deadline is None:
        return reasons
    current = process.submission_deadline
    if current is not None and deadline <= current:
        return [
            _("An extension must move the deadline later than %(when)s (LCSP art. 136.2).")
            % {"when": _when(ctx, current)}
        ]
    return []


def award_criteria_add_up(process, ctx: GuardContext) -> list[str]:
    total = process.award_criteria_weight_total()
    if total is None:
        return [_("No award criteria have been defined (LCSP arts. 145.5 and 146).")]
    if total != 100:
        return [
            _(
                "The award criteria weigh %(total)s points in all; they must add up to 100 (LCSP art. 146)."
            )
            % {"total": number(total)}
        ]
    return []


# --- bids and evaluation ----------------------------------------------------------------------


def lots_defined(process, ctx: GuardContext) -> list[str]:
    if process.lot_count() == 0:
        return [_("Define at least one lot with its value (LCSP art. 99 and Annex III).")]
    return []


def admission_complete(process, ctx: GuardContext) -> list[str]:
    pending = process.admission_pending()
    if pending:
        return [
            _(
                "%(count)d bids still wait for the administrative check or a remedy (LCSP art. 141.2)."
            )
            % {"count": pending}
        ]
    return []


def questions_answered_in_time(process, ctx: GuardContext) -> list[str]:
    """Questions asked 12 days or more before the deadline are answered 6 days before it, or
    the deadline moves (LCSP arts. 138.3 and 136.2)."""
    late = process.questions_owed_an_answer()
    if late:
        return [
            _(
                "%(count)d bidders' questions asked in time are unanswered: answer them and the deadline is extended (LCSP art. 138.3)."
            )
            % {"count": late}
        ]
    return []


def bids_recorded(process, ctx: GuardContext) -> list[str]:
    if process.bid_counts()["submitted"] == 0:
        return [_("No bids recorded: there is nothing to check (LCSP art. 157.3).")]
    return []


def no_admissible_bids(process, ctx: GuardContext) -> list[str]:
    counts = process.bid_counts()
    if counts["admissible"] > 0:
        return [
            _(
                "%(count)d bids are still admissible: the tender cannot be declared void (LCSP art. 150.3)."
            )
            % {"count": counts["admissible"]}
        ]
    return []


def admissible_bids(process, ctx: GuardContext) -> list[str]:
    if process.bid_counts()["admissible"] == 0:
        return [_("No bid has been admitted after the administrative check (LCSP art. 157).")]
    return []


def value_judgements_scored(process, ctx: GuardContext) -> list[str]:
    missing = process.evaluation_gaps()["value_judgement"]
    if missing:
        return [
            _("Value-judgement scores are missing: %(what)s (LCSP art. 146.2).") % {"what": missing}
        ]
    return []


def value_report_signed(process, ctx: GuardContext) -> list[str]:
    if process.value_report_signed_at is None:
        return [
            _(
                "The value-judgement report must be signed before the formula envelopes are "
                "opened (LCSP art. 146.2)."
            )
        ]
    return []


def abnormal_offers_found(process, ctx: GuardContext) -> list[str]:
    if process.abnormal_offer_counts().get("candidates", 0) == 0:
        return [_("No offer meets the abnormally-low parameters of the PCAP (LCSP art. 149.2).")]
    return []


def no_pending_abnormal_offers(process, ctx: GuardContext) -> list[str]:
    counts = process.abnormal_offer_counts()
    if counts["flagged"] == 0 and counts.get("candidates", 0) > 0:
        return [
            _(
                "%(count)d offers meet the abnormally-low parameters: flag them and ask for a justification first (LCSP art. 149.4)."
            )
            % {"count": counts["candidates"]}
        ]
    if counts["flagged"] > counts["decided"]:
        return [
            _("%(count)d abnormally low offers still wait for a decision (LCSP art. 149.4–6).")
            % {"count": counts["flagged"] - counts["decided"]}
        ]
    return []


def formula_scores_computed(process, ctx: GuardContext) -> list[str]:
    missing = process.evaluation_gaps()["formula"]
    if missing:
        return [_("Formula scores are missing: %(what)s (LCSP art. 146).") % {"what": missing}]
    return []


def ranking_exists(process, ctx: GuardContext) -> list[str]:
    if not process.ranking_for_engine():
        return [_("There is no ranking of admissible offers to propose from (LCSP art. 150.1).")]
    return []


def award_documents_delivered(process, ctx: GuardContext) -> list[str]:
    missing = process.award_documents_missing()
    if missing:
        return [
            _(
                "The proposed awardee has delivered no documents for %(lots)s: they are "
                "received once uploaded (LCSP art. 150.2)."
            )
            % {"lots": "; ".join(missing)}
        ]
    return []


def award_documents_received(process, ctx: GuardContext) -> list[str]:
    if process.documents_received_at is None:
        return [_("The proposed bidder's documents have not been received (LCSP art. 150.2).")]
    return []


def special_appeal_applies(process, ctx: GuardContext) -> list[str]:
    if Decimal(process.estimated_value or 0) <= rules(process).special_appeal_threshold:
        return [
            _("The special appeal does not apply (estimated value ≤ €100,000; LCSP art. 44.1).")
        ]
    return []


def special_appeal_does_not_apply(process, ctx: GuardContext) -> list[str]:
    if Decimal(process.estimated_value or 0) > rules(process).special_appeal_threshold:
        return [
            _("The special appeal applies: the standstill must run first (LCSP arts. 44.1, 153.3).")
        ]
    return []


def standstill_over(process, ctx: GuardContext) -> list[str]:
    ends = process.standstill_ends_at
    if ends is not None and ctx.now < ends:
        return [
            _(
                "The standstill runs until %(when)s: the contract cannot be signed before (LCSP art. 153.3)."
            )
            % {"when": _when(ctx, ends)}
        ]
    return []


# --- PCP and partnership: applicants, selection, phases ---------------------------------------


def _supplier_ids(ctx: GuardContext, key: str) -> list[int] | None:
    value = ctx.data.get(key)
    if not isinstance(value, list | tuple) or not all(isinstance(v, int) for v in value):
        return None
    return list(dict.fromkeys(value))


@input_check
def supplier_given(process, ctx: GuardContext) -> list[str]:
    if not isinstance(ctx.data.get("supplier"), int):
        return [_("Name the supplier (its id) whose offer or request was received.")]
    return []


@input_check
def offer_exception_reasoned(process, ctx: GuardContext) -> list[str]:
    """A PCP's suppliers submit their own sealed offers, and a partnership's candidates their
    own requests to participate, on the platform; an officer records one received otherwise
    only as an exception, with its reasons."""
    if len(ctx.reason.strip()) >= 10:
        return []
    if process.procedure == PCP:
        return [
            _(
                "Suppliers submit their PCP offers themselves on the platform: record one "
                "received otherwise only with the reasons why (LCSP art. 8; COM(2007) 799)."
            )
        ]
    if process.procedure == PARTNERSHIP:
        return [
            _(
                "Candidates submit their requests to participate themselves on the platform: "
                "record one received otherwise only with the reasons why (LCSP art. 178.1)."
            )
        ]
    return []


def selection_meets_minimum(
    key: str, minimum: Callable[[Any], int], article: str, pool: str
) -> Guard:
    """The suppliers in ``ctx.data[key]`` are all in ``pool`` and at least ``minimum(process)``."""

    def guard(process, ctx: GuardContext) -> list[str]:
        chosen = _supplier_ids(ctx, key)
        if chosen is None:
            return [_("List the suppliers chosen (their ids).")]
        allowed = set(process.participant_ids(pool))
        strangers = [s for s in chosen if s not in allowed]
        if strangers:
            return [
                _("Only suppliers still in the procedure can be chosen; not: %(ids)s.")
                % {"ids": strangers}
            ]
        needed = minimum(process)
        if len(chosen) < needed:
            return [
                _("At least %(needed)d suppliers must be chosen; %(count)d were (%(article)s).")
                % {"needed": needed, "count": len(chosen), "article": article}
            ]
        return []

    guard.__name__ = f"selection_{key}_meets_minimum"
    return input_check(guard)


def phase1_contracts_ready(process, ctx: GuardContext) -> list[str]:
    """Every selected supplier has a phase-1 contract whose milestones add up to its price."""
    return process.phase_contract_gaps(phase=1, suppliers=process.participant_ids("selected"))


def phase_scores_complete(process, ctx: GuardContext) -> list[str]:
    """Every committee member scored every supplier of the phase on every criterion."""
    return process.phase_score_gaps()


@input_check
def gate_keeps_evaluated(process, ctx: GuardContext) -> list[str]:
    """The phase evaluation was made and every supplier kept reached the thresholds."""
    keep = _supplier_ids(ctx, "keep")
    if keep is None:
        return []
    return process.phase_gate_gaps(keep=keep)


@input_check
def phase_end_given(process, ctx: GuardContext) -> list[str]:
    value = ctx.data.get("phase_ends_at")
    if not isinstance(value, dt.datetime) or timezone.is_naive(value) or value <= ctx.now:
        return [_("Give the date and time when this phase ends (in the future).")]
    return []


def negotiation_held(process, ctx: GuardContext) -> list[str]:
    if process.negotiation_rounds < 1:
        return [_("Hold and record at least one negotiation round first (LCSP art. 179).")]
    return []


@input_check
def minutes_given(process, ctx: GuardContext) -> list[str]:
    if len(str(ctx.data.get("minutes") or "").strip()) < 10:
        return [
            _(
                "Record the minutes of the round: offers, changes, advantages obtained (LCSP art. 169.6)."
            )
        ]
    return []


def final_offers_scored(process, ctx: GuardContext) -> list[str]:
    missing = process.final_offer_gaps()
    if missing:
        return [
            _("Final offers are not scored yet: %(what)s (LCSP art. 179.2).")
            % {"what": "; ".join(str(m) for m in missing)}
        ]
    return []


@input_check
def partners_made_final_offers(process, ctx: GuardContext) -> list[str]:
    """The partners are chosen among the final offers evaluated (LCSP arts. 179.2, 177.2)."""
    partners = _supplier_ids(ctx, "partners")
    if partners is None:
        return []
    return process.partners_gaps(partners=partners)


def rd_contracts_ready(process, ctx: GuardContext) -> list[str]:
    """Every partner has a contract for R&D phase 1 whose payment milestones add up to its
    price (LCSP art. 180.1: intermediate targets and payments in instalments)."""
    return process.phase_contract_gaps(phase=1, suppliers=process.participant_ids("selected"))


def gate_evaluated(process, ctx: GuardContext) -> list[str]:
    """The scored evaluation of the phase just ended is closed: a gate decides on its report
    (LCSP art. 180.1; COM(2007) 799)."""
    return process.phase_gate_gaps(keep=[])


@input_check
def rd_gate_keeps_evaluated(process, ctx: GuardContext) -> list[str]:
    """The R&D phase's evaluation is closed and every partner kept (all those still in, when
    the gate names none) reached its thresholds (LCSP art. 180.1)."""
    keep = _supplier_ids(ctx, "keep")
    if keep is None or not keep:
        keep = process.participant_ids("selected")
    return process.phase_gate_gaps(keep=keep)


def more_rd_phases(process, ctx: GuardContext) -> list[str]:
    if process.rd_phase >= process.rd_phases_total:
        return [_("This was the last R&D phase (LCSP art. 180).")]
    return []


def last_rd_phase(process, ctx: GuardContext) -> list[str]:
    if process.rd_phase < process.rd_phases_total:
        return [
            _(
                "R&D phase %(phase)d of %(total)d: the purchase decision comes after the last (LCSP art. 181)."
            )
            % {"phase": process.rd_phase, "total": process.rd_phases_total}
        ]
    return []


@input_check
def purchase_decision_given(process, ctx: GuardContext) -> list[str]:
    if not isinstance(ctx.data.get("purchase"), bool):
        return [_("Say whether the results are bought: purchase true or false (LCSP art. 181).")]
    return []


@input_check
def purchase_terms_given(process, ctx: GuardContext) -> list[str]:
    """A decision to buy says what is bought, from which partner and at what price, within
    the maximum cost agreed (LCSP arts. 177.1 and 181). A partnership whose descriptive
    document defined no phases (one begun before they were) records the decision alone."""
    if ctx.data.get("purchase") is not True or not process.phase_count():
        return []
    reasons = []
    if len(str(ctx.data.get("items") or "").strip()) < 10:
        reasons.append(
            _(
                "Say what is bought: the goods, services or works and their quantity (LCSP art. 181)."
            )
        )
    reasons.extend(
        process.purchase_gaps(supplier=ctx.data.get("supplier"), amount=ctx.data.get("amount"))
    )
    return reasons


# --- signed documents --------------------------------------------------------------------------


def signed(*kinds: str) -> Guard:
    """The step waits until a document of each of ``kinds`` exists signed by whoever must sign
    it; the reasons name the missing signature and its article. The documents app keeps the
    signatures and answers through ``workflows.signature_gates``."""

    def guard(process, ctx: GuardContext) -> list[str]:
        return signatures_missing(process=process, kinds=kinds)

    guard.__name__ = "signed_" + "_".join(kinds)
    return guard
