"""Web pages of CPI processes: the officer's dashboard, a process with its diagram, actions and
history, and the forms that record a need, its specifications and its consultation."""

from collections import defaultdict

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from procurement.accounts.models import City, Membership, Supplier
from procurement.core.exceptions import ApplicationError, NotFound
from tenders.forms import ConsultationForm, ReportForm, TenderEditForm, TenderForm, local_datetime
from tenders.models import Participant
from tenders.selectors import (
    tender_get_for_user,
    tender_get_private_for_user,
    tender_history,
    tender_list_for_user,
)
from tenders.services import (
    EDITABLE_STATES,
    consultation_report_save,
    consultation_save,
    tender_create,
    tender_update,
)
from workflows.diagram import procedure_svg
from workflows.procedures import PROCEDURE_CHOICES, STAGES, STATE_BY_NAME, TRANSITION_BY_NAME
from workflows.services import transition_options, transition_perform


def _get(request, pk, private=False):
    try:
        if private:
            return tender_get_private_for_user(user=request.user, pk=pk), True
        return tender_get_for_user(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error


def _officer_cities(user):
    if not user.is_authenticated:
        return City.objects.none()
    if user.is_superuser:
        return City.objects.all()
    return City.objects.filter(
        memberships__user=user, memberships__role=Membership.Role.OFFICER
    ).distinct()


def dashboard(request):
    """City users: their cities' processes by stage and what waits on them. Others: published."""
    city_user = request.user.is_authenticated and (
        request.user.is_superuser
        or Membership.objects.filter(user=request.user, city__isnull=False).exists()
    )
    if not city_user:
        published = tender_list_for_user(user=request.user, public_only=True)[:200]
        return render(request, "tenders/public_list.html", {"tenders": published})
    tenders = list(
        tender_list_for_user(user=request.user)
        .filter(city__memberships__user=request.user)
        .distinct()[:500]
        if not request.user.is_superuser
        else tender_list_for_user(user=request.user)[:500]
    )
    by_stage = defaultdict(list)
    waiting = []
    now = timezone.now()
    for tender in tenders:
        by_stage[STATE_BY_NAME[tender.status].stage].append(tender)
        if STATE_BY_NAME[tender.status].final:
            continue
        allowed = [
            o for o in transition_options(process=tender, user=request.user, now=now) if o.allowed
        ]
        if allowed:
            waiting.append((tender, allowed))
    stages = [(code, label, by_stage.get(code, [])) for code, label in STAGES]
    return render(
        request,
        "tenders/dashboard.html",
        {
            "stages": stages,
            "waiting": waiting,
            "can_create": _officer_cities(request.user).exists(),
        },
    )


@login_required
def tender_new(request):
    cities = list(_officer_cities(request.user))
    if not cities:
        raise Http404(_("Only procurement officers may record needs."))
    form = TenderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        city = cities[0]
        if len(cities) > 1 and request.POST.get("city"):
            city = next((c for c in cities if str(c.pk) == request.POST["city"]), city)
        try:
            tender = tender_create(actor=request.user, city=city, **data)
        except ApplicationError as error:
            form.add_error(
                error.extra.get("field") if error.extra.get("field") in form.fields else None,
                error.message,
            )
        else:
            messages.success(request, _("The need was recorded."))
            return redirect("tender-detail", pk=tender.pk)
    return render(
        request, "tenders/tender_form.html", {"form": form, "cities": cities, "creating": True}
    )


@login_required
def tender_edit(request, pk: int):
    tender, _private = _get(request, pk, private=True)
    if not request.user.has_perm("tenders.change_tender", tender):
        raise Http404
    initial = {
        "title": tender.title,
        "description": tender.description,
        "estimated_value": tender.estimated_value,
        "cpv_codes": "\n".join(tender.cpv_codes),
        "functional_specifications": tender.functional_specifications,
    }
    form = TenderEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            tender_update(actor=request.user, tender=tender, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(
                error.extra.get("field") if error.extra.get("field") in form.fields else None,
                error.message,
            )
        else:
            messages.success(request, _("Saved."))
            return redirect("tender-detail", pk=tender.pk)
    return render(
        request,
        "tenders/tender_form.html",
        {
            "form": form,
            "tender": tender,
            "frozen": tender.status not in EDITABLE_STATES,
        },
    )


@login_required
def consultation_edit(request, pk: int):
    tender, _private = _get(request, pk, private=True)
    if not request.user.has_perm("tenders.act_officer", tender):
        raise Http404
    consultation = tender.consultation_for_engine()
    writing_report = tender.status == "report_draft"
    form: forms.Form
    if writing_report:
        form = ReportForm(
            request.POST or None, initial={"report": consultation.report if consultation else ""}
        )
    else:
        initial = {}
        if consultation:
            initial = {
                f: getattr(consultation, f)
                for f in ("subject", "background", "opens_at", "closes_at", "advisers")
            }
        form = ConsultationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if writing_report:
                consultation_report_save(
                    actor=request.user, tender=tender, report=form.cleaned_data["report"]
                )
            else:
                consultation_save(actor=request.user, tender=tender, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("tender-detail", pk=tender.pk)
    return render(
        request,
        "tenders/consultation_form.html",
        {
            "form": form,
            "tender": tender,
            "writing_report": writing_report,
        },
    )


def _detail_context(request, tender, private: bool) -> dict:
    context = {"tender": tender, "private": private, "state": STATE_BY_NAME[tender.status]}
    consultation = tender.consultation_for_engine()
    context["consultation"] = consultation
    if not private:
        return context
    history = list(tender_history(tender=tender))
    visited = {e.from_state for e in history if e.from_state} | {
        e.to_state for e in history if e.to_state
    }
    options = transition_options(process=tender, user=request.user)
    deadlines = [
        (label, moment)
        for label, moment in [
            (
                _("Consultation opens"),
                consultation.opens_at
                if consultation and tender.status == "consultation_announced"
                else None,
            ),
            (
                _("Consultation closes"),
                consultation.closes_at
                if consultation and tender.status in {"consultation_announced", "consultation_open"}
                else None,
            ),
            (
                _("Deadline for submissions"),
                tender.submission_deadline
                if tender.status
                in {"published", "call_published", "notice_published", "final_offers"}
                else None,
            ),
            (
                _("Documents due"),
                tender.documents_due_at if tender.status == "documents_requested" else None,
            ),
            (
                _("Standstill ends"),
                tender.standstill_ends_at if tender.status == "standstill" else None,
            ),
            (_("Current phase ends"), tender.phase_ends_at),
        ]
        if moment is not None
    ]
    participants = list(tender.participants.select_related("supplier").order_by("supplier__name"))
    context.update(
        {
            "diagram": procedure_svg(tender.procedure, tender.status, visited),
            "allowed": [_action(o, participants, tender) for o in options if o.allowed],
            "blocked": [o for o in options if not o.allowed and not o.definition.automatic],
            "automatic": [o for o in options if o.definition.automatic],
            "history": history,
            "deadlines": deadlines,
            "participants": participants,
            "can_edit": request.user.has_perm("tenders.change_tender", tender)
            and tender.status in EDITABLE_STATES,
            "can_edit_consultation": request.user.has_perm("tenders.act_officer", tender)
            and tender.status in {"consultation_draft", "report_draft"},
            "selected_status": Participant.Status.SELECTED,
        }
    )
    return context


def _action(option, participants, tender) -> dict:
    """What the template needs to draw one action's form."""
    fields = []
    for field in option.definition.data:
        item = {
            "name": field.name,
            "kind": field.kind,
            "label": field.label,
            "required": field.required,
            "input": f"data_{field.name}",
            "choices": [],
        }
        if field.kind == "ids":
            item["choices"] = [
                (p.supplier_id, p.supplier.name)
                for p in participants
                if p.status != Participant.Status.DROPPED
            ]
        elif field.kind == "int" and field.name == "supplier":
            taken = {p.supplier_id for p in participants}
            item["choices"] = [
                (s.pk, s.name) for s in Supplier.objects.order_by("name") if s.pk not in taken
            ]
        elif field.name == "procedure":
            item["kind"] = "choice"
            item["choices"] = [
                ("", _("keep “%(p)s”") % {"p": tender.get_procedure_display()}),
                *PROCEDURE_CHOICES,
            ]
        fields.append(item)
    return {"option": option, "definition": option.definition, "fields": fields}


def tender_detail(request, pk: int):
    tender, private = _get(request, pk)
    return render(request, "tenders/tender_detail.html", _detail_context(request, tender, private))


def _form_data(request, definition, tender) -> dict:
    data = {}
    for field in definition.data:
        if field.kind == "ids":
            values = request.POST.getlist(f"data_{field.name}")
            if values:
                data[field.name] = values
            continue
        value = request.POST.get(f"data_{field.name}", "")
        if field.kind == "datetime" and value:
            value = local_datetime(value, tender.city.zone)
        if value != "":
            data[field.name] = value
    return data


@login_required
@require_POST
def tender_fire(request, pk: int, name: str):
    tender, _private = _get(request, pk, private=True)
    definition = TRANSITION_BY_NAME.get(name)
    reason = request.POST.get("reason", "")
    try:
        if definition is None:
            raise ApplicationError(_("Unknown action."))
        tender = transition_perform(
            process=tender,
            name=name,
            actor=request.user,
            reason=reason,
            data=_form_data(request, definition, tender),
        )
    except ApplicationError as error:
        context = _detail_context(request, tender, True)
        context.update(
            {
                "failed_action": name,
                "failed_detail": error.message,
                "failed_reasons": error.reasons,
                "posted": request.POST,
            }
        )
        status = error.status_code if error.status_code != 404 else 400
        return render(request, "tenders/tender_detail.html", context, status=status)
    messages.success(request, _("Done: %(label)s.") % {"label": definition.label})
    return redirect("tender-detail", pk=tender.pk)
