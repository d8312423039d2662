"""Web pages from tender to award: the tender's lots and criteria, a supplier's sealed bid, and
the committee's and officers' evaluation (admission, scoring sheet, ranking, awards)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from procurement.accounts.models import Membership, User
from procurement.core.exceptions import ApplicationError, NotFound
from tenders.award.api import bid_file_response
from tenders.award.deuc import FLAGS, SOLVENCY_MEANS, TEXT_FIELDS, deuc_gaps
from tenders.award.evaluation import scoreboard
from tenders.award.forms import CriterionForm, LotForm
from tenders.award.models import (
    Award,
    Bid,
    BidFile,
    CommitteeMember,
    Criterion,
    Lot,
    Score,
    TenderQuestion,
)
from tenders.award.receipt import bid_receipt_pdf
from tenders.award.selectors import (
    awards_for_user,
    bid_envelope_read,
    bid_file_read_for_user,
    bid_files_for_user,
    bid_get_for_user,
    bid_summary_for_user,
    bids_for_user,
    envelope_is_open,
)
from tenders.award.services.bid_files import award_document_add, bid_file_add, bid_file_remove
from tenders.award.services.bids import (
    abnormal_decide,
    abnormal_justify,
    bid_admission_decide,
    bid_save,
    bid_submit,
    bid_withdraw,
    committee_assign,
    criterion_delete,
    criterion_save,
    lot_delete,
    lot_save,
    lot_update,
    score_save,
    tender_question_answer,
    tender_question_ask,
)
from tenders.procedures import Edit, is_editable
from tenders.process.common import supplier_of
from tenders.process.selectors import tender_get_for_user


def _tender(request, pk):
    try:
        return tender_get_for_user(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error


def _pk(value) -> int:
    """An id from a form or the address; 0 (nothing) for anything else."""
    return int(value) if isinstance(value, str) and value.isdigit() else 0


def _field_error(form, error: ApplicationError, aliases: dict | None = None) -> None:
    """Show a service's refusal beside the field it names (else above the form)."""
    field = (error.extra or {}).get("field")
    field = (aliases or {}).get(field, field)
    form.add_error(field if field in form.fields else None, error.message)


def _overview_lot_post(request, tender) -> tuple[LotForm, Lot | None]:
    lot = None
    if request.POST.get("lot_id"):
        lot = tender.lots.filter(pk=_pk(request.POST["lot_id"])).first()
        if lot is None:
            raise Http404
    form = LotForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if lot is None:
                lot_save(actor=request.user, tender=tender, **data)
            else:
                lot_update(actor=request.user, lot=lot, **data)
        except ApplicationError as error:
            _field_error(form, error)
    return form, lot


def _overview_criterion_post(request, tender) -> tuple[CriterionForm, Criterion | None]:
    criterion = None
    if request.POST.get("criterion_id"):
        criterion = tender.criteria.filter(pk=_pk(request.POST["criterion_id"])).first()
        if criterion is None:
            raise Http404
    form = CriterionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            criterion_save(
                actor=request.user,
                tender=tender,
                criterion=criterion,
                name=data["name"],
                kind=data["kind"],
                weight=data["weight"],
                formula=data["formula"],
                params=form.params(),
                innovation=data["innovation"],
                is_price=data["is_price"],
            )
        except ApplicationError as error:
            bound = "threshold" if data["formula"] == Criterion.Formula.THRESHOLD else "lower"
            _field_error(form, error, {"params": bound})
    return form, criterion


def tender_overview(request, pk: int):
    """Lots, criteria and bidders' questions; officers also set them up here: add, edit and
    delete lots and criteria while the PCAP may be edited (LCSP art. 122.1). A refused form is
    shown again with what was typed and the reason beside its field."""
    tender, private = _tender(request, pk)
    officer = request.user.is_authenticated and request.user.has_perm("tenders.act_officer", tender)
    supplier = None
    if request.user.is_authenticated:
        try:
            supplier = supplier_of(request.user)
        except ApplicationError:
            supplier = None
    lot_form = criterion_form = None
    editing_lot = editing_criterion = None
    refused: dict | None = None
    if officer and request.method == "GET" and _pk(request.GET.get("edit_lot")):
        editing_lot = tender.lots.filter(pk=_pk(request.GET.get("edit_lot"))).first()
        if editing_lot is not None:
            lot_form = LotForm(
                initial={
                    "title": editing_lot.title,
                    "value": editing_lot.value,
                    "duration_months": editing_lot.duration_months,
                }
            )
    if officer and request.method == "GET" and _pk(request.GET.get("edit_criterion")):
        editing_criterion = tender.criteria.filter(
            pk=_pk(request.GET.get("edit_criterion"))
        ).first()
        if editing_criterion is not None:
            criterion_form = CriterionForm(initial=CriterionForm.initial_for(editing_criterion))
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            raise Http404
        form = request.POST.get("form")
        try:
            if form == "lot" and officer:
                lot_form, editing_lot = _overview_lot_post(request, tender)
                if lot_form.errors:
                    status = 400
            elif form == "criterion" and officer:
                criterion_form, editing_criterion = _overview_criterion_post(request, tender)
                if criterion_form.errors:
                    status = 400
            elif form == "lot_delete" and officer:
                lot = tender.lots.filter(pk=_pk(request.POST.get("lot_id"))).first()
                if lot is None:
                    raise Http404
                lot_delete(actor=request.user, lot=lot)
            elif form == "criterion_delete" and officer:
                criterion = tender.criteria.filter(pk=_pk(request.POST.get("criterion_id"))).first()
                if criterion is None:
                    raise Http404
                criterion_delete(actor=request.user, criterion=criterion)
            elif form == "committee" and officer:
                user = User.objects.filter(pk=request.POST.get("user") or 0).first()
                if user is None:
                    raise ApplicationError(_("Choose a committee user."))
                committee_assign(actor=request.user, tender=tender, user=user)
            elif form == "question" and supplier is not None:
                tender_question_ask(
                    actor=request.user, tender=tender, question=request.POST.get("question", "")
                )
            elif form == "answer" and officer:
                item = TenderQuestion.objects.filter(
                    pk=request.POST.get("question_id") or 0, tender=tender
                ).first()
                if item is None:
                    raise Http404
                tender_question_answer(
                    actor=request.user, question=item, answer=request.POST.get("answer", "")
                )
            else:
                raise Http404
        except (ApplicationError, ValueError) as error:
            if form in ("question", "answer") and isinstance(error, ApplicationError):
                # Shown again with the text typed and the reason beside it.
                refused = {"form": form, "message": error.message}
                status = error.status_code if error.status_code != 404 else 400
            else:
                messages.error(request, getattr(error, "message", str(error)))
        else:
            if status == 200:
                messages.success(request, _("Saved."))
        if status == 200:
            return redirect("tender-overview", pk=pk)
    questions = tender.tender_questions.all()
    if not private:
        questions = questions.exclude(answer="")
    return render(
        request,
        "tenders/award/overview.html",
        {
            "tender": tender,
            "private": private,
            "officer": officer,
            "supplier": supplier,
            "lots": tender.lots.all(),
            "criteria": tender.criteria.all(),
            "questions": questions,
            "weights": tender.award_criteria_weight_total(),
            "editable": officer and is_editable(tender, Edit.LOTS),
            "criteria_editable": officer and is_editable(tender, Edit.CRITERIA),
            "lot_form": lot_form or LotForm(),
            "editing_lot": editing_lot,
            "criterion_form": criterion_form or CriterionForm(),
            "editing_criterion": editing_criterion,
            "committee": CommitteeMember.objects.filter(tender=tender).select_related("user"),
            "committee_users": User.objects.filter(
                memberships__city=tender.city, memberships__role=Membership.Role.COMMITTEE
            ),
            "awards": awards_for_user(user=request.user, tender=tender),
            "refused": refused,
            "posted": request.POST if refused else {},
        },
        status=status,
    )


@login_required
def bid_edit(request, pk: int):
    """The supplier's sealed bid for a lot: drafts, submission, withdrawal, and the receipt."""
    tender, _private = _tender(request, pk)
    try:
        supplier_of(request.user)
    except ApplicationError as error:
        raise Http404 from error
    lots = list(tender.lots.all())
    lot = next(
        (
            item
            for item in lots
            if str(item.number) == request.GET.get("lot", request.POST.get("lot", ""))
        ),
        lots[0] if lots else None,
    )
    if lot is None:
        raise Http404
    bid = bids_for_user(user=request.user, tender=tender).filter(lot=lot).first()
    criteria = list(tender.criteria.all())
    refusal: ApplicationError | None = None
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "withdraw" and bid is not None:
                bid_withdraw(actor=request.user, bid=bid)
            else:
                a = {
                    "declaration": bool(request.POST.get("declaration")),
                    "notes": request.POST.get("notes", ""),
                    "deuc": _deuc_from_post(request.POST),
                }
                b = {
                    str(c.pk): request.POST.get(f"b_{c.pk}", "")
                    for c in criteria
                    if c.kind == Criterion.Kind.VALUE_JUDGEMENT
                }
                c = {
                    str(k.pk): request.POST.get(f"c_{k.pk}", "")
                    for k in criteria
                    if k.kind == Criterion.Kind.FORMULA
                }
                bid = bid_save(actor=request.user, tender=tender, lot=lot, a=a, b=b, c=c)
                if action in ("review", "submit"):
                    # Nothing is submitted from here: the bidder first checks what will be sealed.
                    return redirect("bid-confirm", pk=bid.pk)
            messages.success(
                request,
                _("Bid withdrawn.")
                if action == "withdraw"
                else _("Draft saved: not submitted yet."),
            )
            return redirect(f"{request.path}?lot={lot.number}")
        except ApplicationError as refused:
            refusal = refused
    draft: dict[str, dict] = {"a": {}, "b": {}, "c": {}}
    if bid is not None and bid.status == Bid.Status.DRAFT:
        draft = {e: bid_envelope_read(user=request.user, bid=bid, envelope=e) for e in "abc"}
    if refusal is not None:
        draft = {
            "a": {
                "declaration": bool(request.POST.get("declaration")),
                "notes": request.POST.get("notes", ""),
                "deuc": _deuc_from_post(request.POST),
            },
            "b": {str(c.pk): request.POST.get(f"b_{c.pk}", "") for c in criteria},
            "c": {str(c.pk): request.POST.get(f"c_{c.pk}", "") for c in criteria},
        }
    fields = [
        (
            c,
            draft["b"].get(str(c.pk), "")
            if c.kind == Criterion.Kind.VALUE_JUDGEMENT
            else draft["c"].get(str(c.pk), ""),
        )
        for c in criteria
    ]
    return render(
        request,
        "tenders/award/bid.html",
        {
            "tender": tender,
            "lots": lots,
            "lot": lot,
            "bid": bid,
            "fields": fields,
            "draft": draft,
            "deuc": draft["a"].get("deuc") or {},
            "solvency_means": SOLVENCY_MEANS,
            "files": bid_files_for_user(user=request.user, pk=bid.pk)[1] if bid else [],
            "award_requested": bid is not None
            and Award.objects.filter(bid=bid, status=Award.Status.DOCUMENTS_REQUESTED).exists(),
            "parts": [(p.value, p.label) for p in BidFile.Part if p != BidFile.Part.AWARD],
            "error": refusal,
        },
        status=refusal.status_code if refusal else 200,
    )


def _deuc_from_post(post) -> dict:
    """The DEUC fields of the bid form (``deuc_<field>``), typed as the service takes them."""
    deuc: dict = {field: post.get(f"deuc_{field}", "") for field in TEXT_FIELDS}
    deuc.update({field: bool(post.get(f"deuc_{field}")) for field in FLAGS})
    deuc["solvency_means"] = post.get("deuc_solvency_means", "")
    sme = post.get("deuc_sme", "")
    deuc["sme"] = {"yes": True, "no": False}.get(sme)
    return deuc


def _own_bid(request, pk: int) -> Bid:
    try:
        bid, own = bid_get_for_user(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    if not own:
        raise Http404
    return bid


def _bid_page(bid: Bid) -> str:
    return f"{reverse('tender-bid', args=[bid.tender_id])}?lot={bid.lot.number}"


@login_required
@require_POST
def bid_file_upload(request, pk: int):
    """Add a file to an envelope of the bidder's draft, or (part ``award``) deliver a
    document the city asked for (LCSP art. 150.2)."""
    bid = _own_bid(request, pk)
    part = request.POST.get("envelope", "")
    try:
        if part == BidFile.Part.AWARD:
            award_document_add(actor=request.user, bid=bid, upload=request.FILES.get("file"))
        else:
            bid_file_add(
                actor=request.user, bid=bid, envelope=part, upload=request.FILES.get("file")
            )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("File sealed."))
    return redirect(_bid_page(bid))


@login_required
@require_POST
def bid_file_delete(request, pk: int):
    item = BidFile.objects.filter(pk=pk).select_related("bid__lot").first()
    if item is None:
        raise Http404
    bid = _own_bid(request, item.bid_id)
    try:
        bid_file_remove(actor=request.user, bid_file=item)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("File removed."))
    return redirect(_bid_page(bid))


@login_required
def bid_file_download(request, pk: int):
    """A bid's file for whoever may read it: the city after its envelope's opening."""
    try:
        item, name, data = bid_file_read_for_user(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    return bid_file_response(name, item.content_type, data)


@login_required
def bid_confirm(request, pk: int):
    """What will be sealed, to check before submitting; the bid is submitted only from here,
    against the fingerprint of the summary shown."""
    bid = _own_bid(request, pk)
    refusal: ApplicationError | None = None
    if request.method == "POST":
        try:
            if not request.POST.get("confirm"):
                raise ApplicationError(
                    _("Tick the confirmation to submit: nothing has been sealed yet."),
                    extra={"field": "confirm"},
                )
            bid_submit(
                actor=request.user,
                bid=bid,
                summary_fingerprint=request.POST.get("fingerprint", ""),
            )
        except ApplicationError as refused:
            refusal = refused
        else:
            messages.success(request, _("Your bid is sealed and submitted. Keep the receipt."))
            return redirect(_bid_page(bid))
    bid, summary = bid_summary_for_user(user=request.user, pk=pk)
    return render(
        request,
        "tenders/award/bid_confirm.html",
        {
            "tender": bid.tender,
            "bid": bid,
            "summary": summary,
            "missing": deuc_gaps(summary["deuc"]),
            "error": refusal,
        },
        status=refusal.status_code if refusal else 200,
    )


@login_required
def bid_receipt(request, pk: int):
    bid = _own_bid(request, pk)
    if bid.status != Bid.Status.SUBMITTED:
        raise Http404
    bid, summary = bid_summary_for_user(user=request.user, pk=pk)
    return bid_file_response(
        f"justificante-{bid.pk}.pdf", "application/pdf", bid_receipt_pdf(bid, summary)
    )


@login_required
def my_bids(request):
    bids = (
        Bid.objects.filter(
            supplier__memberships__user=request.user, supplier__memberships__role="representative"
        )
        .select_related("tender__city", "lot")
        .order_by("-updated_at")
    )
    return render(request, "tenders/award/my_bids.html", {"bids": bids})


def _evaluation_context(request, tender, refused: dict | None = None) -> dict:
    """The evaluation page; ``refused`` (form, bid, message, field) puts back what was typed in
    the refused form, with the reason beside it."""
    member = CommitteeMember.objects.filter(tender=tender, user=request.user).exists()
    bids = list(bids_for_user(user=request.user, tender=tender))
    criteria = list(tender.criteria.all())
    vj = [c for c in criteria if c.kind == Criterion.Kind.VALUE_JUDGEMENT]
    mine = {
        (s.bid_id, s.criterion_id): {"points": s.points, "justification": s.justification}
        for s in Score.objects.filter(bid__tender=tender, member=request.user)
    }
    if refused and refused["form"] == "scores":
        for c in vj:
            typed = {
                "points": request.POST.get(f"points_{c.pk}", ""),
                "justification": request.POST.get(f"why_{c.pk}", ""),
            }
            if refused.get("criterion") == c.pk:
                typed["error"] = refused["message"]
            mine[(refused["bid"], c.pk)] = typed
    rows = []
    for bid in bids:
        envelope_a = (
            bid_envelope_read(user=request.user, bid=bid, envelope="a")
            if envelope_is_open(tender, "a")
            else None
        )
        envelope_b = (
            bid_envelope_read(user=request.user, bid=bid, envelope="b")
            if envelope_is_open(tender, "b")
            else None
        )
        cells = [(c, (envelope_b or {}).get(str(c.pk), ""), mine.get((bid.pk, c.pk))) for c in vj]
        rows.append(
            {
                "bid": bid,
                "a": envelope_a,
                "cells": cells,
                "files": bid_files_for_user(user=request.user, pk=bid.pk)[1],
                "refused": refused if refused and refused["bid"] == bid.pk else None,
            }
        )
    ranking = []
    formula_criteria = [c for c in criteria if c.kind == Criterion.Kind.FORMULA]
    if tender.c_opened_at is not None:
        # Once envelope C is open the committee reads each figure offered beside its points
        # (LCSP art. 157.4); before, the figures stay sealed and nothing here reads them.
        for lot in tender.lots.all():
            for position, line in enumerate(scoreboard(tender, lot=lot), start=1):
                line.offers = [
                    (c, line.offered.get(c.pk), line.by_criterion.get(c.pk))
                    for c in formula_criteria
                ]
                ranking.append((lot, position, line))
        offers_by_bid = {line.bid.pk: line.offers for _lot, _position, line in ranking}
        for row in rows:
            row["offers"] = offers_by_bid.get(row["bid"].pk, [])
    return {
        "tender": tender,
        "member": member,
        "rows": rows,
        "vj": vj,
        "ranking": ranking,
        "formula_criteria": formula_criteria if ranking else [],
        "awards": awards_for_user(user=request.user, tender=tender),
        "can_admit": member and is_editable(tender, Edit.ADMISSION),
        "can_score": member and is_editable(tender, Edit.VALUE_SCORES),
        "can_decide_abnormal": member and is_editable(tender, Edit.ABNORMAL),
        "flagged": [b for b in bids if b.abnormal == Bid.Abnormal.FLAGGED],
        "refused": refused,
        "posted": request.POST if refused else {},
        # Posted to the sheet's action: the browser is shown the sheet's own address.
        "page_address": reverse("tender-evaluation", args=[tender.pk]) if refused else "",
    }


@login_required
def evaluation(request, pk: int):
    """The city's side: bids after the deadline, admission, the scoring sheet, ranking, awards."""
    tender, private = _tender(request, pk)
    if not private:
        raise Http404
    return render(request, "tenders/award/evaluation.html", _evaluation_context(request, tender))


@transaction.atomic
def _scores_save(request, tender, bid) -> None:
    """All of one bid's points from the sheet, or none (the first refusal names its criterion)."""
    for criterion in tender.criteria.filter(kind=Criterion.Kind.VALUE_JUDGEMENT):
        points = request.POST.get(f"points_{criterion.pk}", "").strip()
        if points == "":
            continue
        try:
            score_save(
                actor=request.user,
                bid=bid,
                criterion=criterion,
                points=points,
                justification=request.POST.get(f"why_{criterion.pk}", ""),
            )
        except ApplicationError as error:
            error.extra = {**(error.extra or {}), "criterion": criterion.pk}
            raise


@login_required
@require_POST
def evaluation_act(request, pk: int):
    """The committee's forms on the evaluation page. A refused form is shown again on that
    page with what was typed (points, justifications, reasons) and the reason for the refusal."""
    tender, private = _tender(request, pk)
    if not private and request.POST.get("form") != "justify":
        raise Http404
    form = request.POST.get("form")
    bid = Bid.objects.filter(pk=_pk(request.POST.get("bid")), tender=tender).first()
    if bid is None:
        raise Http404
    try:
        if form == "admission":
            bid_admission_decide(
                actor=request.user,
                bid=bid,
                decision=request.POST.get("decision", ""),
                reason=request.POST.get("reason", ""),
            )
        elif form == "scores":
            _scores_save(request, tender, bid)
        elif form == "abnormal":
            abnormal_decide(
                actor=request.user,
                bid=bid,
                accept=request.POST.get("accept") == "yes",
                reason=request.POST.get("reason", ""),
            )
        elif form == "justify":
            abnormal_justify(
                actor=request.user, bid=bid, text=request.POST.get("justification", "")
            )
            messages.success(request, _("Justification sent."))
            return redirect("my-bids")
        else:
            raise Http404
    except ApplicationError as error:
        if form == "justify" or not private:
            messages.error(request, error.message)
            return redirect("my-bids")
        refused = {
            "form": form,
            "bid": bid.pk,
            "message": error.message,
            "field": (error.extra or {}).get("field"),
            "criterion": (error.extra or {}).get("criterion"),
        }
        return render(
            request,
            "tenders/award/evaluation.html",
            _evaluation_context(request, tender, refused),
            status=error.status_code if error.status_code != 404 else 400,
        )
    messages.success(request, _("Saved."))
    return redirect("tender-evaluation", pk=pk)
