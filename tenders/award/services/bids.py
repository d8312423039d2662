"""Writes from the tender to the award: lots and criteria, the committee, sealed bids, the
administrative check, scores, abnormally low offers, and bidders' questions (LCSP arts. 138–150).

Server time decides: bids are written only while the tender is published and before its
deadline; envelopes are sealed (``tenders.sealing``) and opened only by their transitions.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from procurement.accounts.models import Membership, User
from procurement.core.audit import audit_changes, audit_record
from procurement.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from procurement.core.formatting import money, number
from procurement.core.models import AuditEntry
from tenders.award.deuc import deuc_clean, deuc_gaps
from tenders.award.evaluation import abnormal_candidates
from tenders.award.models import Bid, CommitteeMember, Criterion, Lot, Score, TenderQuestion
from tenders.award.notifications import bidder_notify
from tenders.award.sealing import seal, unseal
from tenders.award.services.periods import (
    ABNORMAL_WORKING_DAYS,
    REMEDY_WORKING_DAYS,
    period_end_unopened,
)
from tenders.award.summary import bid_summary_build
from tenders.procedures import Edit, T, is_editable
from tenders.procedures.guards import rules
from tenders.process.common import (
    amount_refusal,
    clean_cpv_codes,
    clean_money,
    parse_amount,
    supplier_of,
    tender_lock_for_officer,
)
from tenders.process.models import Notification, Tender
from workflows.calendars import WorkingCalendar
from workflows.services import transition_perform
from workflows.status import status_change, status_check

FORMULAS = set(Criterion.Formula.values)


def _editable(tender: Tender, what: Edit) -> None:
    if not is_editable(tender, what):
        raise Conflict(
            _(
                "Lots and award criteria are part of the PCAP: they are frozen once the file is approved (LCSP art. 122.1)."
            )
        )


# --- tender details ----------------------------------------------------------------------------


@transaction.atomic
def lot_save(
    *,
    actor: User,
    tender: Tender,
    title: str,
    value,
    cpv_codes=(),
    duration_months: int = 12,
    number: int | None = None,
) -> Lot:
    locked = tender_lock_for_officer(actor, tender)
    _editable(locked, Edit.LOTS)
    title = (title or "").strip()
    if not title or len(title) > 300:
        raise ApplicationError(
            _("Give the lot a title (at most 300 characters)."), extra={"field": "title"}
        )
    if not 1 <= int(duration_months) <= 600:
        raise ApplicationError(
            _("The duration is between 1 and 600 months."), extra={"field": "duration_months"}
        )
    if number is None:
        number = (locked.lots.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    fields = {
        "title": title,
        "value": clean_money(value, "value"),
        "duration_months": int(duration_months),
        "cpv_codes": clean_cpv_codes(list(cpv_codes)) if cpv_codes else list(locked.cpv_codes),
    }
    before = Lot.objects.filter(tender=locked, number=number).first()
    lot, _created = Lot.objects.update_or_create(tender=locked, number=number, defaults=fields)
    if before is not None:
        changes = audit_changes({name: getattr(before, name) for name in fields}, fields)
        if changes:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.CHANGE,
                target=locked,
                name="lot_update",
                data={"object": str(lot), "changes": changes},
            )
    return lot


def lot_update(
    *,
    actor: User,
    lot: Lot,
    title: str,
    value,
    duration_months: int,
    cpv_codes=(),
) -> Lot:
    """Rewrite ``lot`` (keeping its number) while the PCAP may be edited; the change is
    recorded on the process's history (``lot_update``)."""
    return lot_save(
        actor=actor,
        tender=lot.tender,
        number=lot.number,
        title=title,
        value=value,
        duration_months=duration_months,
        cpv_codes=cpv_codes or lot.cpv_codes,
    )


@transaction.atomic
def lot_delete(*, actor: User, lot: Lot) -> None:
    """Remove a lot from the PCAP while it may be edited; the lots after it move up one number,
    so that lots stay numbered 1, 2, 3… as the notice lists them."""
    locked = tender_lock_for_officer(actor, lot.tender)
    _editable(locked, Edit.LOTS)
    current = Lot.objects.get(pk=lot.pk, tender=locked)
    number = current.number
    Lot.objects.filter(pk=lot.pk).delete()
    for later in locked.lots.filter(number__gt=number).order_by("number"):
        later.number -= 1
        later.save(update_fields=["number"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CHANGE,
        target=locked,
        name="lot_delete",
        data={"object": str(current), "changes": {}},
    )


def _number(value) -> Decimal:
    """A number as people type it here (``12,5``, ``1.000,50``) or as JSON sends it."""
    # Numbers stay numbers (Decimal("32.500") is not thirty-two thousand); only text is read.
    number = parse_amount(value)
    if not number.is_finite():
        raise ValueError("not a number")
    return number


def _clean_params(formula: str, params: dict) -> dict:
    if not isinstance(params, dict):
        raise ApplicationError(_("Formula parameters are an object."), extra={"field": "params"})
    better = params.get("better", "lower")
    if better not in ("lower", "higher"):
        raise ApplicationError(_("“better” is lower or higher."), extra={"field": "params"})
    try:
        if formula == Criterion.Formula.LINEAR:
            lower, upper = _number(params["lower"]), _number(params["upper"])
            if not lower < upper:
                raise ApplicationError(
                    _("The lower bound must be below the upper bound."), extra={"field": "params"}
                )
            return {"lower": str(lower), "upper": str(upper), "better": better}
        if formula == Criterion.Formula.THRESHOLD:
            return {"threshold": str(_number(params["threshold"])), "better": better}
    except (KeyError, ValueError) as error:
        raise ApplicationError(
            _(
                "This formula needs its numeric parameters: linear {lower, upper}; threshold {threshold}."
            ),
            extra={"field": "params"},
        ) from error
    return {}


@transaction.atomic
def criterion_save(
    *,
    actor: User,
    tender: Tender,
    name: str,
    kind: str,
    weight,
    formula: str = "",
    params: dict | None = None,
    innovation: bool = False,
    is_price: bool = False,
    criterion: Criterion | None = None,
) -> Criterion:
    """Add an award criterion, or rewrite ``criterion``; the weights of all criteria must add
    up to 100 to publish."""
    locked = tender_lock_for_officer(actor, tender)
    _editable(locked, Edit.CRITERIA)
    others = locked.criteria.all()
    if criterion is not None:
        others = others.exclude(pk=criterion.pk)
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Name the criterion."), extra={"field": "name"})
    if kind not in Criterion.Kind.values:
        raise ApplicationError(
            _("The kind is value_judgement or formula."), extra={"field": "kind"}
        )
    try:
        weight = _number(weight)
    except ValueError as error:
        raise ApplicationError(
            _("The weight must be a number."), extra={"field": "weight"}
        ) from error
    if not weight.is_finite() or not Decimal(0) < weight <= Decimal(100):
        raise ApplicationError(
            _("The weight is between 0 and 100 points."), extra={"field": "weight"}
        )
    weight = weight.quantize(Decimal("0.01"))
    if kind == Criterion.Kind.FORMULA:
        if formula not in FORMULAS:
            raise ApplicationError(
                _("Choose the formula: %(choices)s.") % {"choices": ", ".join(sorted(FORMULAS))},
                extra={"field": "formula"},
            )
        params = _clean_params(formula, params or {})
    else:
        formula, params = "", {}
        if is_price:
            raise ApplicationError(
                _("The price is scored by formula (LCSP art. 146.2)."), extra={"field": "is_price"}
            )
    total = sum((c.weight for c in others), Decimal(0)) + weight
    if total > 100:
        raise ApplicationError(
            _("The criteria would weigh %(total)s points; the total must be 100.")
            % {"total": number(total)},
            extra={"field": "weight"},
        )
    if is_price and others.filter(is_price=True).exists():
        raise ApplicationError(
            _("There is already a price criterion."), extra={"field": "is_price"}
        )
    fields = {
        "name": name[:300],
        "kind": kind,
        "weight": weight,
        "formula": formula,
        "params": params,
        "innovation": bool(innovation),
        "is_price": bool(is_price),
    }
    if criterion is not None:
        before = Criterion.objects.filter(pk=criterion.pk, tender=locked).first()
        if before is None:
            raise NotFound(_("Not found."))
        Criterion.objects.filter(pk=criterion.pk, tender=locked).update(**fields)
        changes = audit_changes({name: getattr(before, name) for name in fields}, fields)
        if changes:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.CHANGE,
                target=locked,
                name="criterion_update",
                data={"object": str(before), "changes": changes},
            )
        return Criterion.objects.get(pk=criterion.pk)
    order = (locked.criteria.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    return Criterion.objects.create(tender=locked, order=order, **fields)


@transaction.atomic
def criterion_delete(*, actor: User, criterion: Criterion) -> None:
    """Remove an award criterion from the PCAP while it may be edited."""
    locked = tender_lock_for_officer(actor, criterion.tender)
    _editable(locked, Edit.CRITERIA)
    current = Criterion.objects.filter(pk=criterion.pk, tender=locked).first()
    if current is None:
        raise NotFound(_("Not found."))
    current.delete()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CHANGE,
        target=locked,
        name="criterion_delete",
        data={"object": str(current), "changes": {}},
    )


@transaction.atomic
def committee_assign(
    *,
    actor: User,
    tender: Tender,
    user: User,
    role: str = "vocal",
    now: dt.datetime | None = None,
) -> CommitteeMember:
    """Put one of the city's committee users on this process's committee (mesa), at ``now``
    (default: the present)."""
    locked = tender_lock_for_officer(actor, tender)
    if not Membership.objects.filter(
        user=user, city=locked.city, role=Membership.Role.COMMITTEE
    ).exists():
        raise ApplicationError(
            _("%(user)s is not a committee user of %(city)s.")
            % {"user": user, "city": locked.city},
            extra={"field": "user"},
        )
    member, created = CommitteeMember.objects.get_or_create(
        tender=locked, user=user, defaults={"role": role[:100]}
    )
    if created:
        for perm in ("tenders.view_tender", "tenders.act_committee"):
            assign_perm(perm, user, locked)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.GRANT,
            target=locked,
            name="committee_assign",
            data={"user": user.username, "perms": ["view_tender", "act_committee"]},
            at=now,
        )
    return member


def _committee_member(actor: User, tender: Tender) -> None:
    if not actor.has_perm("tenders.view_tender", tender):
        raise NotFound(_("Process not found."))
    if not CommitteeMember.objects.filter(tender=tender, user=actor).exists():
        raise PermissionDenied(_("Only members of this process's committee may do this."))


# --- bids --------------------------------------------------------------------------------------


def bid_window_check(tender: Tender, now: dt.datetime) -> None:
    """Refuse a bid's write after the deadline or when the process takes no bids."""
    if tender.submission_deadline is not None and now >= tender.submission_deadline:
        raise Conflict(
            _("The deadline for bids passed at %(when)s.")
            % {
                "when": timezone.localtime(tender.submission_deadline, tender.city.zone).strftime(
                    "%d/%m/%Y %H:%M"
                )
            },
            reasons=[_("Bids are closed (LCSP art. 156).")],
        )
    if not is_editable(tender, Edit.BIDS):
        raise Conflict(_("This process does not take bids now."))


def _clean_envelopes(tender: Tender, a: dict, b: dict, c: dict) -> tuple[dict, dict, dict]:
    criteria = {str(k.pk): k for k in tender.criteria.all()}
    if not isinstance(a, dict) or not isinstance(b, dict) or not isinstance(c, dict):
        raise ApplicationError(_("Each envelope is an object."))
    clean_a = {
        "declaration": bool(a.get("declaration", False)),
        "notes": str(a.get("notes", ""))[:20000],
    }
    if "deuc" in a:
        clean_a["deuc"] = deuc_clean(a["deuc"])
    clean_b = {}
    for key, text in b.items():
        criterion = criteria.get(str(key))
        if criterion is None or criterion.kind != Criterion.Kind.VALUE_JUDGEMENT:
            raise ApplicationError(
                _("Envelope B answers the value-judgement criteria only (criterion %(id)s).")
                % {"id": key}
            )
        if len(str(text)) > 50000:
            raise ApplicationError(_("At most 50,000 characters per criterion."))
        clean_b[str(key)] = str(text)
    clean_c = {}
    for key, raw in c.items():
        criterion = criteria.get(str(key))
        if criterion is None or criterion.kind != Criterion.Kind.FORMULA:
            raise ApplicationError(
                _("Envelope C holds the formula criteria's figures only (criterion %(id)s).")
                % {"id": key}
            )
        if raw in (None, ""):
            continue
        try:
            value = parse_amount(raw)
        except ValueError as error:
            refusal = amount_refusal(raw, f"c_{key}")
            raise ApplicationError(
                f"{refusal.message} ({criterion.name})", extra={"field": f"c_{key}"}
            ) from error
        if not value.is_finite() or value < 0 or value > Decimal("1e12"):
            raise ApplicationError(
                _("Figures are numbers from 0 (criterion %(name)s).") % {"name": criterion.name},
                extra={"field": f"c_{key}"},
            )
        if criterion.is_price:
            value = value.quantize(Decimal("0.01"))
        clean_c[str(key)] = str(value)
    return clean_a, clean_b, clean_c


def _price_within_budget(tender: Tender, lot: Lot, clean_c: dict) -> None:
    """Refuse a price above the lot's budget (presupuesto base de licitación, VAT excluded):
    the committee would have to reject such an offer (RGLCAP art. 84), so it is never sealed."""
    for criterion in tender.criteria.all():
        raw = clean_c.get(str(criterion.pk))
        if not criterion.is_price or raw is None:
            continue
        if Decimal(raw) > lot.value:
            currency = tender.currency or "EUR"
            raise ApplicationError(
                _(
                    "The price offered, %(price)s, is above the lot's budget (presupuesto base "
                    "de licitación) of %(budget)s without VAT: such an offer is rejected "
                    "(RGLCAP art. 84)."
                )
                % {"price": money(Decimal(raw), currency), "budget": money(lot.value, currency)},
                extra={"field": f"c_{criterion.pk}"},
            )


@transaction.atomic
def bid_save(*, actor: User, tender: Tender, lot: Lot, a: dict, b: dict, c: dict, now=None) -> Bid:
    """Write the supplier's bid for ``lot`` as a draft: every envelope sealed at once."""
    now = now or timezone.now()
    supplier = supplier_of(actor)
    locked = Tender.objects.select_for_update().select_related("city").get(pk=tender.pk)
    bid_window_check(locked, now)
    if lot.tender_id != locked.pk:
        raise NotFound(_("Lot not found."))
    clean_a, clean_b, clean_c = _clean_envelopes(locked, a, b, c)
    _price_within_budget(locked, lot, clean_c)
    bid, _created = Bid.objects.select_for_update().get_or_create(
        tender=locked, lot=lot, supplier=supplier, defaults={"created_by": actor}
    )
    status_check(bid, "bid_save")
    if "deuc" not in clean_a and bid.envelope_a:
        # A form or client that does not send the DEUC keeps the one already declared.
        previous = unseal(bid.envelope_a).get("deuc")
        if previous:
            clean_a["deuc"] = previous
    for envelope, content in (("a", clean_a), ("b", clean_b), ("c", clean_c)):
        token, digest = seal(content)
        setattr(bid, f"envelope_{envelope}", token)
        setattr(bid, f"digest_{envelope}", digest)
    return status_change(bid, move="bid_save", actor=actor, now=now, lock=False)


@transaction.atomic
def bid_deuc_save(*, actor: User, bid: Bid, deuc: dict, now=None) -> Bid:
    """Write the DEUC of a draft bid into its envelope A, sealed again with the rest of it."""
    now = now or timezone.now()
    locked = _own_bid(actor, bid, now)
    status_check(locked, "bid_save")
    content = unseal(locked.envelope_a)
    content["deuc"] = deuc_clean(deuc)
    locked.envelope_a, locked.digest_a = seal(content)
    return status_change(locked, move="bid_save", actor=actor, now=now, lock=False)


def bid_lock_own(*, actor: User, bid: Bid) -> Bid:
    """``bid`` locked for a write by the supplier ``actor`` speaks for; the same 404 for a
    missing bid and another supplier's."""
    supplier = supplier_of(actor)
    locked = (
        Bid.objects.select_for_update()
        .select_related("tender__city")
        .filter(pk=bid.pk, supplier=supplier)
        .first()
    )
    if locked is None:
        raise NotFound(_("Bid not found."))
    return locked


def _own_bid(actor: User, bid: Bid, now) -> Bid:
    locked = bid_lock_own(actor=actor, bid=bid)
    bid_window_check(locked.tender, now)
    return locked


@transaction.atomic
def bid_submit(*, actor: User, bid: Bid, summary_fingerprint: str | None = None, now=None) -> Bid:
    """Submit the bid as sealed. ``summary_fingerprint``, when given, is the fingerprint of the
    summary the bidder confirmed (``tenders.award.summary``): a bid changed since is refused, so
    what is submitted is what was checked."""
    now = now or timezone.now()
    locked = _own_bid(actor, bid, now)
    a, b, c = unseal(locked.envelope_a), unseal(locked.envelope_b), unseal(locked.envelope_c)
    if summary_fingerprint is not None and (
        bid_summary_build(locked)["fingerprint"] != summary_fingerprint
    ):
        raise Conflict(
            _("The bid changed after the summary you confirmed."),
            reasons=[_("Check the summary again, then confirm.")],
        )
    missing = []
    deuc = a.get("deuc") or {}
    if not deuc:
        missing.append(_("the DEUC in envelope A (LCSP art. 140.1.a)"))
    else:
        missing.extend(_("DEUC: %(gap)s") % {"gap": gap} for gap in deuc_gaps(deuc))
    for criterion in locked.tender.criteria.all():
        if (
            criterion.kind == Criterion.Kind.VALUE_JUDGEMENT
            and not str(b.get(str(criterion.pk), "")).strip()
        ):
            missing.append(_("envelope B: %(name)s") % {"name": criterion.name})
        if criterion.kind == Criterion.Kind.FORMULA and str(criterion.pk) not in c:
            missing.append(_("envelope C: %(name)s") % {"name": criterion.name})
    if missing:
        raise Conflict(
            _("The bid is incomplete."),
            reasons=[_("Missing: %(what)s.") % {"what": "; ".join(map(str, missing))}],
        )
    _price_within_budget(locked.tender, locked.lot, c)
    return status_change(
        locked,
        move="bid_submit",
        actor=actor,
        now=now,
        lock=False,
        update_fields=["updated_at"],
        data={
            "digest_a": locked.digest_a,
            "digest_b": locked.digest_b,
            "digest_c": locked.digest_c,
            "files": {str(f.pk): f.sha256 for f in locked.files.all()},
        },
    )


@transaction.atomic
def bid_withdraw(*, actor: User, bid: Bid, now=None) -> Bid:
    now = now or timezone.now()
    locked = _own_bid(actor, bid, now)
    return status_change(
        locked, move="bid_withdraw", actor=actor, now=now, lock=False, update_fields=["updated_at"]
    )


# --- the committee -----------------------------------------------------------------------------


@transaction.atomic
def bid_admission_decide(
    *, actor: User, bid: Bid, decision: str, reason: str = "", now=None
) -> Bid:
    """Administrative check of envelope A: admit, ask to remedy (3 working days), or exclude."""
    now = now or timezone.now()
    locked = (
        Bid.objects.select_for_update().select_related("tender__city", "supplier").get(pk=bid.pk)
    )
    tender = locked.tender
    _committee_member(actor, tender)
    if not is_editable(tender, Edit.ADMISSION) or locked.status != Bid.Status.SUBMITTED:
        raise Conflict(
            _("The administrative check happens once bids are closed, before envelope B opens.")
        )
    if decision not in (Bid.Admission.ADMITTED, Bid.Admission.REMEDY, Bid.Admission.EXCLUDED):
        raise ApplicationError(
            _("Decide admitted, remedy or excluded."), extra={"field": "decision"}
        )
    if decision != Bid.Admission.ADMITTED and len((reason or "").strip()) < 10:
        raise ApplicationError(
            _("Give the reasons (at least 10 characters)."), extra={"field": "reason"}
        )
    locked.admission = decision
    locked.admission_reason = (reason or "").strip()
    # Until the bidder opens the request, the 3 working days run from its deemed rejection
    # (LCSP DA 15ª; see tenders.award.services.periods).
    locked.remedy_due_at = (
        period_end_unopened(tender=tender, sent_at=now, working_days=REMEDY_WORKING_DAYS)
        if decision == Bid.Admission.REMEDY
        else None
    )
    locked.save(update_fields=["admission", "admission_reason", "remedy_due_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CHANGE,
        target=locked,
        name="bid_admission",
        to_state=decision,
        reason=locked.admission_reason,
        legal_basis="LCSP art. 141.2",
        at=now,
    )
    if decision != Bid.Admission.ADMITTED:
        bidder_notify(
            locked,
            f"admission:{locked.pk}:{decision}:{now.isoformat()}",
            _("Administrative check of your bid: %(decision)s")
            % {"decision": locked.get_admission_display()},
            locked.admission_reason,
            kind=(
                Notification.Kind.EXCLUSION
                if decision == Bid.Admission.EXCLUDED
                else Notification.Kind.REMEDY
            ),
            at=now,
            sender=actor,
        )
    return locked


@transaction.atomic
def score_save(
    *, actor: User, bid: Bid, criterion: Criterion, points, justification: str, now=None
) -> Score:
    """A committee member scores one bid on one value-judgement criterion, with reasons
    (``now``: when, for the record; the demo's past dates)."""
    tender = Tender.objects.select_for_update().select_related("city").get(pk=bid.tender_id)
    _committee_member(actor, tender)
    bid = Bid.objects.get(pk=bid.pk)
    if not is_editable(tender, Edit.VALUE_SCORES):
        raise Conflict(
            _(
                "Value judgements are scored after envelope B opens and before the report is signed (LCSP art. 146.2)."
            )
        )
    if criterion.tender_id != tender.pk or criterion.kind != Criterion.Kind.VALUE_JUDGEMENT:
        raise ApplicationError(
            _("Score a value-judgement criterion of this process."), extra={"field": "criterion"}
        )
    if bid.admission != Bid.Admission.ADMITTED:
        raise Conflict(_("Only admitted bids are scored."))
    try:
        points = _number(points)
    except ValueError as error:
        raise ApplicationError(_("Points must be a number."), extra={"field": "points"}) from error
    if not Decimal(0) <= points <= criterion.weight:
        raise ApplicationError(
            _("Points go from 0 to %(max)s for this criterion.")
            % {"max": number(criterion.weight)},
            extra={"field": "points"},
        )
    if len((justification or "").strip()) < 10:
        raise ApplicationError(
            _("Justify the score (at least 10 characters)."), extra={"field": "justification"}
        )
    points, justification = points.quantize(Decimal("0.01")), justification.strip()
    before = Score.objects.filter(bid=bid, criterion=criterion, member=actor).first()
    score, _created = Score.objects.update_or_create(
        bid=bid,
        criterion=criterion,
        member=actor,
        defaults={"points": points, "justification": justification},
    )
    changes = {
        name: [old, new]
        for name, old, new in (
            ("points", before.points if before else None, points),
            ("justification", before.justification if before else None, justification),
        )
        if old != new
    }
    if changes:
        # On the process, so its history shows who scored what and how a score changed.
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CHANGE if before else AuditEntry.Action.CREATE,
            target=tender,
            name="score_save",
            legal_basis="LCSP art. 146.2",
            at=now,
            data={
                "object": f"{bid.supplier} · {criterion.name}",
                "bid": bid.pk,
                "criterion": criterion.pk,
                "changes": changes,
            },
        )
    return score


def abnormal_flag(*, tender: Tender, at, calendar) -> None:
    """Flag the offers presumed abnormally low and ask each bidder to justify within 5 working
    days (LCSP arts. 149.4 and 159.4.f) from the day after it opens the request (DA 15ª)."""
    due = period_end_unopened(tender=tender, sent_at=at, working_days=ABNORMAL_WORKING_DAYS)
    for bid in Bid.objects.filter(pk__in=abnormal_candidates(tender)).select_related(
        "supplier", "tender__city"
    ):
        bid.abnormal = Bid.Abnormal.FLAGGED
        bid.abnormal_due_at = due
        bid.save(update_fields=["abnormal", "abnormal_due_at", "updated_at"])
        bidder_notify(
            bid,
            f"abnormal:{bid.pk}",
            _("Justify your offer: %(title)s") % {"title": tender.title},
            _(
                "Your offer is presumed abnormally low (LCSP art. 149). Justify it within 5 "
                "working days from the day after you open this notification (LCSP DA 15ª); "
                "if you never open it, by %(when)s."
            )
            % {"when": timezone.localtime(due, tender.city.zone).strftime("%d/%m/%Y %H:%M")},
            kind=Notification.Kind.ABNORMAL,
            at=at,
        )


@transaction.atomic
def abnormal_justify(*, actor: User, bid: Bid, text: str, now=None) -> Bid:
    now = now or timezone.now()
    supplier = supplier_of(actor)
    locked = (
        Bid.objects.select_for_update()
        .select_related("tender")
        .filter(pk=bid.pk, supplier=supplier)
        .first()
    )
    if locked is None:
        raise NotFound(_("Bid not found."))
    if locked.abnormal != Bid.Abnormal.FLAGGED or not is_editable(locked.tender, Edit.ABNORMAL):
        raise Conflict(_("This bid is not asked to justify its offer."))
    if locked.abnormal_due_at and now > locked.abnormal_due_at:
        raise Conflict(_("The time to justify the offer has passed."))
    if len((text or "").strip()) < 20:
        raise ApplicationError(
            _("Explain the offer in at least 20 characters."), extra={"field": "text"}
        )
    locked.abnormal_justification = text.strip()[:50000]
    locked.save(update_fields=["abnormal_justification", "updated_at"])
    return locked


@transaction.atomic
def abnormal_decide(*, actor: User, bid: Bid, accept: bool, reason: str, now=None) -> Bid:
    """The committee's reasoned proposal on a flagged offer, accepted or rejected (LCSP 149.6)."""
    now = now or timezone.now()
    locked = Bid.objects.select_for_update().select_related("tender__city").get(pk=bid.pk)
    _committee_member(actor, locked.tender)
    if not is_editable(locked.tender, Edit.ABNORMAL) or locked.abnormal != Bid.Abnormal.FLAGGED:
        raise Conflict(_("Only a flagged offer under review can be decided."))
    if not locked.abnormal_justification and not (
        locked.abnormal_due_at and now > locked.abnormal_due_at
    ):
        raise Conflict(_("Wait for the bidder's justification or the end of its time to justify."))
    if len((reason or "").strip()) < 10:
        raise ApplicationError(
            _("Give the reasons (at least 10 characters)."), extra={"field": "reason"}
        )
    locked.abnormal = Bid.Abnormal.ACCEPTED if accept else Bid.Abnormal.REJECTED
    locked.abnormal_reason = reason.strip()
    locked.save(update_fields=["abnormal", "abnormal_reason", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CHANGE,
        target=locked,
        name="abnormal_decide",
        to_state=locked.abnormal,
        reason=locked.abnormal_reason,
        legal_basis="LCSP art. 149.6",
        at=now,
    )
    if not accept:
        # A rejected abnormally low offer is excluded (art. 149.6), an act open to the special
        # appeal (art. 44.2.b): its period runs from this notification (DA 15ª).
        bidder_notify(
            locked,
            f"abnormal-rejected:{locked.pk}",
            _("Your offer is excluded as abnormally low: %(title)s")
            % {"title": locked.tender.title},
            locked.abnormal_reason,
            kind=Notification.Kind.EXCLUSION,
            at=now,
            sender=actor,
        )
    return locked


# --- bidders' questions ------------------------------------------------------------------------


@transaction.atomic
def tender_question_ask(*, actor: User, tender: Tender, question: str, now=None) -> TenderQuestion:
    now = now or timezone.now()
    supplier = supplier_of(actor)
    locked = Tender.objects.select_related("city").get(pk=tender.pk)
    bid_window_check(locked, now)
    text = (question or "").strip()
    if not text or len(text) > 5000:
        raise ApplicationError(
            _("Write the question (at most 5,000 characters)."), extra={"field": "question"}
        )
    return TenderQuestion.objects.create(
        tender=locked, asked_by=supplier, question=text, created_at=now
    )


@transaction.atomic
def tender_question_answer(
    *, actor: User, question: TenderQuestion, answer: str, now=None
) -> TenderQuestion:
    """Answer publicly. A question asked 12 days or more before the deadline and answered less
    than 6 days before it moves the deadline to 6 days after the answer, and every bidder is told
    (LCSP arts. 138.3 and 136.2)."""
    now = now or timezone.now()
    tender = tender_lock_for_officer(actor, question.tender)
    answer = (answer or "").strip()
    if not answer:
        raise ApplicationError(_("Write the answer."), extra={"field": "answer"})
    question.answer, question.answered_at = answer[:20000], now
    question.save(update_fields=["answer", "answered_at", "updated_at"])
    pack = rules(tender)
    deadline = tender.submission_deadline
    if (
        is_editable(tender, Edit.BIDS)
        and deadline is not None
        and question.created_at <= deadline - dt.timedelta(days=pack.question_days_before_deadline)
        and now > deadline - dt.timedelta(days=pack.answer_days_before_deadline)
    ):
        new_deadline = WorkingCalendar(tender.city).add_calendar_days(
            now, pack.answer_days_before_deadline
        )
        transition_perform(
            process=tender,
            name=T.EXTEND_DEADLINE,
            actor=actor,
            now=now,
            reason=_(
                "Automatic: a question asked in time was answered less than 6 days before the deadline (LCSP art. 138.3)."
            ),
            data={"submission_deadline": new_deadline},
        )
        for bid in tender.bids.select_related("supplier").distinct():
            bidder_notify(
                bid,
                f"extended:{tender.pk}:{new_deadline.isoformat()}:{bid.supplier_id}",
                _("Deadline extended: %(title)s") % {"title": tender.title},
                _("The deadline for bids is now %(when)s (LCSP art. 136.2).")
                % {
                    "when": timezone.localtime(new_deadline, tender.city.zone).strftime(
                        "%d/%m/%Y %H:%M"
                    )
                },
                kind=Notification.Kind.DEADLINE,
                at=now,
                sender=actor,
                # The extension is a public step of its own (LCSP art. 136.2).
                published_at=now,
            )
    return question
