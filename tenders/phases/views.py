"""Web pages of a PCP's phases (COM(2007) 799; LCSP art. 8): the call's phases and criteria,
the suppliers' sealed offers, each supplier's phase contract (milestones, IPR terms,
deliverables, the committee's scores) and the payments of its milestones.

Each view parses the form, calls one service of ``tenders.phases.services`` and renders; the
selectors decide who reads what (offers stay sealed until the call closes). A refused form is
shown again with what was typed and the reason beside its field, with status 400 (409 for a
state that does not allow it)."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from procurement.core.exceptions import ApplicationError, NotFound
from procurement.core.formatting import money
from tenders.award.api import bid_file_response
from tenders.phases.evaluation import contract_results
from tenders.phases.forms import (
    ContractTermsForm,
    DeliverableForm,
    MilestoneFormSet,
    PhaseCriterionForm,
    PhaseForm,
    PhaseOfferForm,
)
from tenders.phases.models import PaymentMilestone, PhaseContract, PhaseCriterion, PhaseOffer
from tenders.phases.selectors import (
    deliverable_get_for_user,
    milestone_get_for_user,
    offers_opened,
    phase_contract_get_for_user,
    phase_contracts_for_user,
    phase_contracts_own,
    phase_offer_content,
    phase_offer_get_for_user,
    phase_offers_for_user,
)
from tenders.phases.services import (
    PHASED,
    deliverable_add,
    milestone_move,
    phase_contract_terms_save,
    phase_criterion_delete,
    phase_criterion_save,
    phase_criterion_update,
    phase_delete,
    phase_offer_file_add,
    phase_offer_save,
    phase_offer_submit,
    phase_offer_withdraw,
    phase_save,
    phase_score_save,
)
from tenders.procedures import Edit, is_editable
from tenders.process.common import supplier_of
from tenders.process.selectors import tender_get_for_user


def _tender(request, pk):
    """The phased process and whether the user sees its private side; 404 otherwise."""
    try:
        tender, private = tender_get_for_user(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    if tender.procedure not in PHASED:
        raise Http404
    return tender, private


def _pk(value) -> int:
    """An id from a form; 0 (nothing) for anything else."""
    return int(value) if isinstance(value, str) and value.isdigit() else 0


def _field_error(form, error: ApplicationError) -> None:
    """Show a service's refusal beside the field it names (else above the form)."""
    field = (error.extra or {}).get("field")
    form.add_error(field if field in form.fields else None, error.message)


def _status(error: ApplicationError) -> int:
    return error.status_code if error.status_code not in (403, 404) else 400


def _supplier(request):
    if not request.user.is_authenticated:
        return None
    try:
        return supplier_of(request.user)
    except ApplicationError:
        return None


def _is_officer(request, tender) -> bool:
    return request.user.is_authenticated and request.user.has_perm("tenders.act_officer", tender)


def _deliveries(contract: PhaseContract, now) -> None:
    """Mark on ``contract`` what the city looks for: late deliverables and, once its phase
    ended, none delivered."""
    delivered = list(contract.deliverables.all())
    contract.late_count = sum(1 for d in delivered if d.late)
    contract.missing = (
        contract.signed_at is not None
        and contract.ends_at is not None
        and now >= contract.ends_at
        and not delivered
        and not contract.outcome
    )


# --- the call's phases and criteria ------------------------------------------------------------


def _phases_post(request, tender, forms: dict) -> None:
    """One of the officer's forms of the phases page; refusals land in ``forms``."""
    form = request.POST.get("form")
    phases = tender.phases.all()
    if form == "phase":
        phase = None
        if request.POST.get("phase_id"):
            phase = phases.filter(pk=_pk(request.POST["phase_id"])).first()
            if phase is None:
                raise Http404
        bound = PhaseForm(request.POST)
        forms["phase"], forms["editing"] = bound, phase
        if bound.is_valid():
            phase_save(actor=request.user, tender=tender, phase=phase, **bound.cleaned_data)
    elif form == "phase_delete":
        phase = phases.filter(pk=_pk(request.POST.get("phase_id"))).first()
        if phase is None:
            raise Http404
        phase_delete(actor=request.user, phase=phase)
    elif form == "criterion":
        phase = phases.filter(pk=_pk(request.POST.get("phase_id"))).first()
        if phase is None:
            raise Http404
        criterion = None
        if request.POST.get("criterion_id"):
            criterion = phase.criteria.filter(pk=_pk(request.POST["criterion_id"])).first()
            if criterion is None:
                raise Http404
        bound = PhaseCriterionForm(request.POST, auto_id=f"criterion-{phase.pk}-%s")
        forms["criterion"], forms["criterion_phase"] = bound, phase.pk
        forms["editing_criterion"] = criterion
        if bound.is_valid():
            if criterion is None:
                phase_criterion_save(actor=request.user, phase=phase, **bound.cleaned_data)
            else:
                phase_criterion_update(
                    actor=request.user, criterion=criterion, **bound.cleaned_data
                )
    elif form == "criterion_delete":
        criterion = (
            PhaseCriterion.objects.filter(
                pk=_pk(request.POST.get("criterion_id")), phase__tender=tender
            )
            .select_related("phase__tender")
            .first()
        )
        if criterion is None:
            raise Http404
        phase_criterion_delete(actor=request.user, criterion=criterion)
    else:
        raise Http404


def tender_phases(request, pk: int):
    """The call's phases and their criteria; the officer defines them while the call is
    drafted. Below: the offers (the supplier's own; the city's once the call closed) and the
    phase contracts with their deliverables, late or missing, and points."""
    tender, private = _tender(request, pk)
    officer = _is_officer(request, tender)
    editable = officer and is_editable(tender, Edit.PHASES)
    forms: dict = {}
    status = 200
    if request.method == "POST":
        if not editable:
            raise Http404
        try:
            _phases_post(request, tender, forms)
        except ApplicationError as error:
            target = forms.get("phase") or forms.get("criterion")
            if target is not None:
                _field_error(target, error)
            else:
                messages.error(request, error.message)
                return redirect("tender-phases", pk=pk)
        bound = forms.get("phase") or forms.get("criterion")
        if bound is not None and bound.errors:
            status = 400
        else:
            messages.success(request, _("Saved."))
            return redirect("tender-phases", pk=pk)
    phases = list(tender.phases.prefetch_related("criteria"))
    editing = forms.get("editing")
    if editing is None and editable and _pk(request.GET.get("edit")):
        editing = next((p for p in phases if p.pk == _pk(request.GET.get("edit"))), None)
        if editing is not None:
            forms["phase"] = PhaseForm(
                initial={
                    "name": editing.name,
                    "objectives": editing.objectives,
                    "duration_days": editing.duration_days,
                    "max_budget_per_supplier": editing.max_budget_per_supplier,
                    "max_suppliers": editing.max_suppliers,
                }
            )
    editing_criterion = forms.get("editing_criterion")
    if "criterion" not in forms and editable and _pk(request.GET.get("edit_criterion")):
        wanted = _pk(request.GET.get("edit_criterion"))
        for phase in phases:
            editing_criterion = next((c for c in phase.criteria.all() if c.pk == wanted), None)
            if editing_criterion is not None:
                forms["criterion_phase"] = phase.pk
                forms["criterion"] = PhaseCriterionForm(
                    initial={
                        "name": editing_criterion.name,
                        "weight": editing_criterion.weight,
                        "threshold": editing_criterion.threshold,
                    },
                    auto_id=f"criterion-{phase.pk}-%s",
                )
                break
    for phase in phases:
        phase.editing_criterion = None
        if forms.get("criterion_phase") == phase.pk:
            phase.criterion_form = forms["criterion"]
            phase.editing_criterion = editing_criterion
        else:
            phase.criterion_form = PhaseCriterionForm(auto_id=f"criterion-{phase.pk}-%s")
    supplier = _supplier(request)
    now = timezone.now()
    # The city reads every contract, everyone the signed ones, a supplier also its drafts.
    contracts = list(phase_contracts_for_user(user=request.user, tender_pk=tender.pk)[2])
    if supplier is not None and not private:
        known = {c.pk for c in contracts}
        contracts += [
            c for c in phase_contracts_own(user=request.user, tender=tender) if c.pk not in known
        ]
        contracts.sort(key=lambda c: (c.phase.number, c.supplier.name, c.pk))
    for contract in contracts:
        _deliveries(contract, now)
    offers = list(phase_offers_for_user(user=request.user, tender_pk=tender.pk))
    return render(
        request,
        "tenders/phases/phases.html",
        {
            "tender": tender,
            "private": private,
            "officer": officer,
            "editable": editable,
            "phases": phases,
            "phase_form": forms.get("phase") or PhaseForm(),
            "editing": editing,
            "supplier": supplier,
            "taking_offers": is_editable(tender, Edit.PHASE_OFFERS),
            "offers": offers,
            "offers_opened": offers_opened(tender),
            "contracts": contracts,
        },
        status=status,
    )


# --- a supplier's sealed offer -----------------------------------------------------------------


def _offer_form_initial(offer: PhaseOffer | None, content: dict) -> dict:
    if offer is None:
        return {}
    initial = {"rd_plan": content.get("rd_plan", ""), "team": content.get("team", "")}
    for number, price in content.get("prices", {}).items():
        initial[f"price_{number}"] = price
    return initial


@login_required
def phase_offer_edit(request, pk: int):
    """The supplier's own offer to the call: a sealed draft it saves, adds files to, reviews
    and submits, or withdraws while the call is open."""
    tender, _private = _tender(request, pk)
    supplier = _supplier(request)
    if supplier is None:
        raise Http404
    phases = list(tender.phases.all())
    currency = tender.currency or "EUR"
    offer = phase_offers_for_user(user=request.user, tender_pk=tender.pk).first()
    content = phase_offer_content(offer) if offer is not None else {}
    status = 200
    form = None
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "withdraw":
            if offer is None:
                raise Http404
            try:
                phase_offer_withdraw(actor=request.user, offer=offer)
            except ApplicationError as refused:
                messages.error(request, refused.message)
            else:
                messages.success(request, _("Offer withdrawn: it no longer takes part."))
            return redirect("phase-offer", pk=pk)
        form = PhaseOfferForm(request.POST, phases=phases)
        if form.is_valid():
            try:
                offer = phase_offer_save(
                    actor=request.user,
                    tender=tender,
                    rd_plan=form.cleaned_data["rd_plan"],
                    team=form.cleaned_data["team"],
                    prices=form.prices(),
                )
            except ApplicationError as refused:
                _field_error(form, refused)
                error = refused
            else:
                if action == "review":
                    # Nothing is submitted from here: the supplier first checks what is sealed.
                    return redirect("phase-offer-confirm", pk=offer.pk)
                messages.success(request, _("Draft saved: not submitted yet."))
                return redirect("phase-offer", pk=pk)
        status = _status(error) if error is not None else 400
    if form is None:
        form = PhaseOfferForm(initial=_offer_form_initial(offer, content), phases=phases)
    budgets = {p.number: money(p.max_budget_per_supplier, currency) for p in phases}
    for phase in phases:
        field = form.fields[f"price_{phase.number}"]
        field.help_text = _("At most %(budget)s (write it like 45.000,00).") % {
            "budget": budgets[phase.number]
        }
    return render(
        request,
        "tenders/phases/offer.html",
        {
            "tender": tender,
            "offer": offer,
            "content": content,
            "form": form,
            "open": is_editable(tender, Edit.PHASE_OFFERS),
            "error": error,
        },
        status=status,
    )


def _priced(tender, content: dict) -> list[tuple]:
    """Each phase of the call with the price the offer gives for it (``None``: none yet)."""
    prices = content.get("prices", {})
    return [
        (phase, Decimal(prices[str(phase.number)]) if str(phase.number) in prices else None)
        for phase in tender.phases.all()
    ]


def _own_offer(request, pk: int) -> PhaseOffer:
    try:
        offer = phase_offer_get_for_user(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    supplier = _supplier(request)
    if supplier is None or offer.supplier_id != supplier.pk:
        raise Http404
    return offer


@login_required
@require_POST
def phase_offer_file_upload(request, pk: int):
    """Add a document to the supplier's draft offer, sealed like the bids' files."""
    offer = _own_offer(request, pk)
    try:
        phase_offer_file_add(actor=request.user, offer=offer, upload=request.FILES.get("file"))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("File sealed."))
    return redirect("phase-offer", pk=offer.tender_id)


@login_required
def phase_offer_confirm(request, pk: int):
    """What will be sealed, to check before submitting; the offer is submitted only from here,
    and only if its fingerprint is still the one shown."""
    offer = _own_offer(request, pk)
    error = None
    if request.method == "POST":
        try:
            if not request.POST.get("confirm"):
                raise ApplicationError(
                    _("Tick the confirmation to submit: nothing has been submitted yet."),
                    extra={"field": "confirm"},
                )
            if request.POST.get("digest", "") != offer.digest:
                raise ApplicationError(
                    _("The offer changed since this summary was shown: check it again.")
                )
            phase_offer_submit(actor=request.user, offer=offer)
        except ApplicationError as refused:
            error = refused
        else:
            messages.success(request, _("Your offer is sealed and submitted. Keep the receipt."))
            return redirect("phase-offer", pk=offer.tender_id)
    tender = offer.tender
    content = phase_offer_content(offer)
    return render(
        request,
        "tenders/phases/offer_confirm.html",
        {
            "tender": tender,
            "offer": offer,
            "content": content,
            "priced": _priced(tender, content),
            "error": error,
        },
        status=_status(error) if error is not None else 200,
    )


@login_required
def phase_offer_detail(request, pk: int):
    """An offer as its supplier, or the city once the call closed, reads it."""
    try:
        offer = phase_offer_get_for_user(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    content = phase_offer_content(offer)
    return render(
        request,
        "tenders/phases/offer_detail.html",
        {
            "tender": offer.tender,
            "offer": offer,
            "content": content,
            "priced": _priced(offer.tender, content),
        },
    )


# --- a phase contract: terms, milestones, deliverables, scores ---------------------------------


def _terms_forms(contract: PhaseContract, data=None):
    milestones = list(contract.milestones.all())
    formset = MilestoneFormSet(
        data,
        prefix="m",
        initial=[
            {
                "title": m.title,
                "amount": m.amount,
                "due_date": m.due_date,
                "deliverable": m.deliverable,
            }
            for m in milestones
        ],
    )
    terms = ContractTermsForm(
        data,
        initial={
            "ipr_owner": contract.ipr_owner,
            "buyer_licence": contract.buyer_licence,
            "call_back": contract.call_back,
            "publication": contract.publication,
        },
    )
    return formset, terms


def _terms_save(request, contract, formset, terms) -> bool:
    """The officer's milestones and IPR terms; False with the refusal on the forms."""
    if not (formset.is_valid() and terms.is_valid()):
        return False
    rows = [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.is_blank()]
    try:
        phase_contract_terms_save(
            actor=request.user,
            contract=contract,
            milestones=[
                {k: row[k] for k in ("title", "amount", "due_date", "deliverable")} for row in rows
            ],
            **terms.cleaned_data,
        )
    except ApplicationError as error:
        field = (error.extra or {}).get("field")
        if field in terms.fields:
            terms.add_error(field, error.message)
        else:
            # Milestones (or a state that allows no change): above the milestones' table.
            formset._non_form_errors = formset.error_class([error.message])
        return False
    return True


@transaction.atomic
def _scores_save(request, contract) -> None:
    """All the member's points on the contract from the sheet, or none (the first refusal
    names its criterion)."""
    for criterion in contract.phase.criteria.all():
        points = request.POST.get(f"points_{criterion.pk}", "").strip()
        if points == "":
            continue
        try:
            phase_score_save(
                actor=request.user,
                contract=contract,
                criterion=criterion,
                points=points.replace(",", "."),
                justification=request.POST.get(f"why_{criterion.pk}", ""),
            )
        except ApplicationError as error:
            error.extra = {**(error.extra or {}), "criterion": criterion.pk}
            raise


def _contract_post(request, contract, access, state: dict) -> bool:
    """One of the contract page's forms; True when done, False when refused (``state`` keeps
    the refused form and its reason)."""
    form = request.POST.get("form")
    tender = contract.phase.tender
    if form == "terms" and access == "city" and _is_officer(request, tender):
        formset, terms = _terms_forms(contract, request.POST)
        state["formset"], state["terms"] = formset, terms
        return _terms_save(request, contract, formset, terms)
    if form == "milestone" and access == "city":
        try:
            milestone = milestone_get_for_user(user=request.user, pk=_pk(request.POST.get("id")))
        except NotFound as error:
            raise Http404(error.message) from error
        if milestone.contract_id != contract.pk:
            raise Http404
        move = {"accept": "milestone_accept", "pay": "milestone_pay"}.get(
            request.POST.get("move", "")
        )
        if move is None:
            raise Http404
        try:
            milestone_move(actor=request.user, milestone=milestone, move=move)
        except ApplicationError as error:
            state["milestone_error"] = (milestone.pk, error.message)
            state["status"] = _status(error)
            return False
        state["done"] = (
            _("Milestone accepted.") if move == "milestone_accept" else _("Milestone paid.")
        )
        return True
    if form == "deliverable" and access == "supplier":
        bound = DeliverableForm(request.POST, request.FILES)
        state["deliverable"] = bound
        if not bound.is_valid():
            return False
        try:
            deliverable_add(
                actor=request.user,
                contract=contract,
                title=bound.cleaned_data["title"],
                summary=bound.cleaned_data["summary"],
                upload=bound.cleaned_data.get("file"),
            )
        except ApplicationError as error:
            _field_error(bound, error)
            state["status"] = _status(error)
            return False
        state["done"] = _("Deliverable received.")
        return True
    if form == "scores" and access == "city":
        try:
            _scores_save(request, contract)
        except ApplicationError as error:
            state["scores_error"] = {
                "message": error.message,
                "criterion": (error.extra or {}).get("criterion"),
            }
            state["status"] = _status(error)
            return False
        state["done"] = _("Scores saved.")
        return True
    raise Http404


def phase_contract_detail(request, pk: int):
    """One supplier's contract for one phase: its price, payment milestones and IPR terms (the
    officer sets them until a milestone is accepted, then accepts and pays milestones), its
    deliverables (the supplier uploads them; late ones are marked) and, for the committee, the
    scoring sheet of the phase's criteria."""
    try:
        contract, access = phase_contract_get_for_user(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    tender = contract.phase.tender
    state: dict = {}
    if request.method == "POST":
        if not request.user.is_authenticated or access == "public":
            raise Http404
        if _contract_post(request, contract, access, state):
            messages.success(request, state.get("done") or _("Saved."))
            return redirect("phase-contract", pk=pk)
        contract.refresh_from_db()
    officer = access == "city" and _is_officer(request, tender)
    milestones = list(contract.milestones.all())
    member = access == "city" and tender.committee.filter(user=request.user).exists()
    can_score = (
        member
        and contract.signed_at is not None
        and contract.evaluated_at is None
        and tender.phase_number() == contract.phase.number
        and tender.phase_ends_at is None
    )
    criteria = list(contract.phase.criteria.all())
    sheet = []
    if can_score:
        mine = {s.criterion_id: s for s in contract.scores.filter(member=request.user)}
        refused = state.get("scores_error")
        for criterion in criteria:
            score = mine.get(criterion.pk)
            points = score.points if score else ""
            why = score.justification if score else ""
            if refused:
                points = request.POST.get(f"points_{criterion.pk}", "")
                why = request.POST.get(f"why_{criterion.pk}", "")
            sheet.append(
                {
                    "criterion": criterion,
                    "points": points,
                    "justification": why,
                    "error": refused["message"]
                    if refused and refused["criterion"] == criterion.pk
                    else "",
                }
            )
    formset = terms = None
    terms_editable = (
        officer
        and not contract.outcome
        and all(m.status == PaymentMilestone.Status.PENDING for m in milestones)
    )
    if terms_editable:
        formset, terms = state.get("formset"), state.get("terms")
        if formset is None:
            formset, terms = _terms_forms(contract)
    deliverables = list(contract.deliverables.all()) if access != "public" else []
    _deliveries(contract, timezone.now())
    can_deliver = (
        access == "supplier"
        and contract.signed_at is not None
        and contract.evaluated_at is None
        and not contract.outcome
    )
    # The committee's running means once someone scored; the supplier reads them evaluated.
    show_results = contract.evaluated_at is not None and access != "public"
    if access == "city" and not show_results:
        show_results = contract.scores.exists()
    status = state.get("status", 400) if request.method == "POST" else 200
    return render(
        request,
        "tenders/phases/contract.html",
        {
            "tender": tender,
            "contract": contract,
            "access": access,
            "officer": officer,
            "milestones": milestones,
            "milestone_error": state.get("milestone_error"),
            "formset": formset,
            "terms": terms,
            "deliverables": deliverables,
            "deliverable_form": state.get("deliverable") or DeliverableForm(),
            "can_deliver": can_deliver,
            "sheet": sheet,
            "scores_error": state.get("scores_error"),
            "results": contract_results(contract) if show_results and criteria else None,
            "page_address": reverse("phase-contract", args=[contract.pk]),
        },
        status=status,
    )


@login_required
def deliverable_download(request, pk: int):
    """A deliverable's file, for the city and the contract's supplier."""
    try:
        item = deliverable_get_for_user(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    with item.file.open("rb") as stored:
        data = stored.read()
    return bid_file_response(item.name, item.content_type, data)
