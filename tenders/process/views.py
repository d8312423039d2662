"""Web pages of CPI processes: the officer's dashboard, a process with its diagram, actions and
history, and the forms that record a need and its specifications (the consultation's own forms
are in ``tenders.consultation.views``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from procurement.accounts.models import City, Membership, Supplier
from procurement.core.compiled import compiled
from procurement.core.exceptions import ApplicationError, NotFound
from procurement.core.inapp import (
    inapp_mark_read,
    inapp_message_get_for_user,
    inapp_messages_for_user,
)
from procurement.core.models import AuditEntry
from procurement.core.paging import page_rows
from procurement.core.permissions import object_perms_of
from procurement.core.public_cache import user_page
from tenders.procedures import (
    PROCEDURE_CHOICES,
    STATE_BY_NAME,
    TRANSITION_BY_NAME,
    Edit,
    is_editable,
)
from tenders.process.forms import (
    TenderEditForm,
    TenderForm,
    local_datetime,
)
from tenders.process.history import history_rows
from tenders.process.models import Participant, Tender
from tenders.process.selectors import (
    notification_get_for_user,
    notifications_for_user,
    notifications_of_tender,
    tender_get_for_user,
    tender_get_private_for_user,
    tender_history,
)
from tenders.process.services import notification_open, tender_create, tender_update
from workflows.calendars import DAY_KIND_CHOICES
from workflows.diagram import procedure_svg
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


def _form_status(form) -> int:
    """400 for a refused form (shown again with what was typed), as the other pages answer."""
    return 400 if form.is_bound and form.errors else 200


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
        request,
        "tenders/tender_form.html",
        {"form": form, "cities": cities, "creating": True},
        status=_form_status(form),
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
            "frozen": not is_editable(tender, Edit.SPECS),
        },
        status=_form_status(form),
    )


class _PermsOnce:
    """``user`` with its object permissions on one process read once (one query) rather than
    at each check: the process page asks about the same process half a dozen times (each
    action's roles, editing, the consultation). Everything else is the user's own; the answers
    are guardian's grants, the same as ``user.has_perm`` gives for an organisation user."""

    def __init__(self, user, process: Tender) -> None:
        self._user = user
        self._process = process
        self._held = object_perms_of(user, process)

    def __getattr__(self, name: str):
        return getattr(self._user, name)

    def has_perm(self, perm: str, obj=None) -> bool:
        if isinstance(obj, Tender) and obj.pk == self._process.pk:
            if not (self._user.is_authenticated and self._user.is_active):
                return False
            return self._user.is_superuser or perm in self._held
        return self._user.has_perm(perm, obj)


# The process page's participants, by SQL built once per process.
_participants_of = compiled(
    lambda tender_id: (
        Participant.objects.filter(tender_id=tender_id)
        .select_related("supplier")
        .order_by("supplier__name")
    ),
    kinds=(int,),
)


def _detail_context(request, tender, private: bool) -> dict:
    context = {"tender": tender, "private": private, "state": STATE_BY_NAME[tender.status]}
    consultation = tender.consultation_for_engine()
    context["consultation"] = consultation
    # The user whose permissions the page's parts (the pliegos' panel) ask on this process.
    context["perms_user"] = request.user
    if not private:
        return context
    user = _PermsOnce(request.user, tender)
    context["perms_user"] = user
    entries = list(tender_history(tender=tender))
    history = history_rows(
        entries,
        city=tender.city,
        viewer=request.user,
        scores_open=tender.value_report_signed_at is not None,
    )
    # Only the process's own steps mark places on its diagram: other rows about it carry the
    # states of other records (an appeal resolved has the appeal's outcome as its to_state).
    visited = {
        state
        for e in entries
        if e.action == AuditEntry.Action.TRANSITION
        for state in (e.from_state, e.to_state)
        if state
    }
    options = transition_options(process=tender, user=user)
    deadlines = [
        (deadline.label, moment)
        for deadline in STATE_BY_NAME[tender.status].deadlines
        if (moment := deadline.moment(tender)) is not None
    ]
    participants = _participants_of(tender.pk)
    allowed = [_action(o, participants, tender) for o in options if o.allowed]
    # Officers check a deadline on the city's calendar before they type it.
    takes_a_date = any(f["kind"] == "datetime" for action in allowed for f in action["fields"])
    context.update(
        {
            "diagram": procedure_svg(tender.machine, tender.procedure, tender.status, visited),
            "allowed": allowed,
            "calculator": {
                "asked": {"start": timezone.localdate(timezone=tender.city.zone).isoformat()},
                "kinds": DAY_KIND_CHOICES,
            }
            if takes_a_date
            else None,
            "blocked": [o for o in options if not o.allowed and not o.definition.automatic],
            "automatic": [o for o in options if o.definition.automatic],
            "history": history,
            "deadlines": deadlines,
            "participants": participants,
            "can_edit": user.has_perm("tenders.change_tender", tender)
            and is_editable(tender, Edit.SPECS),
            "can_edit_consultation": user.has_perm("tenders.act_officer", tender)
            and (is_editable(tender, Edit.CONSULTATION) or is_editable(tender, Edit.REPORT)),
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
        elif field.choices:
            item["kind"] = "choice"
            item["choices"] = list(field.choices)
        elif field.name == "procedure":
            item["kind"] = "choice"
            item["choices"] = [
                ("", _("keep “%(p)s”") % {"p": tender.get_procedure_display()}),
                *PROCEDURE_CHOICES,
            ]
        fields.append(item)
    return {"option": option, "definition": option.definition, "fields": fields}


@user_page
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


def _keep_typed(allowed: list[dict], name: str, posted) -> None:
    """Put back into the refused action's form what was typed in it."""
    for action in allowed:
        if action["definition"].name != name:
            continue
        for field in action["fields"]:
            if field["kind"] == "ids":
                field["values"] = posted.getlist(field["input"])
            else:
                field["value"] = posted.get(field["input"], "")


@login_required
@require_http_methods(["GET", "POST"])
def tender_fire(request, pk: int, name: str):
    """Fire one of the process's actions from its page. A refusal shows the process page again
    (its address restored in the browser) with what was typed and the reasons; the address of
    this action, opened or reloaded, leads back to the process page."""
    tender, _private = _get(request, pk, private=True)
    if request.method == "GET":
        return redirect("tender-detail", pk=tender.pk)
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
                "failed_field": (error.extra or {}).get("field"),
                "page_address": reverse("tender-detail", args=[tender.pk]),
            }
        )
        _keep_typed(context.get("allowed", []), name, request.POST)
        status = error.status_code if error.status_code != 404 else 400
        return render(request, "tenders/tender_detail.html", context, status=status)
    messages.success(request, _("Done: %(label)s.") % {"label": definition.label})
    return redirect("tender-detail", pk=tender.pk)


# --- the bidder's inbox ------------------------------------------------------------------------


@login_required
def inbox(request):
    """The user's inbox: the legal notifications to the user's supplier (with their evidence),
    newest first, and apart from them the platform's messages to the user; 25 a page each."""
    pager = page_rows(request, notifications_for_user(user=request.user))
    now = timezone.now()
    rows = [(n, n.evidence_state(now=now)) for n in pager.rows]
    messages_pager = page_rows(
        request, inapp_messages_for_user(user=request.user), param="messages"
    )
    return render(
        request,
        "tenders/inbox.html",
        {
            "rows": rows,
            "pager": pager,
            "supplier_user": any(m.supplier_id for m in request.user.memberships_seen),
            "inapp": messages_pager.rows,
            "inapp_pager": messages_pager,
        },
    )


@login_required
@require_POST
def inapp_message_read(request, pk: int | None = None):
    """Mark one of the user's messages read (``pk``), or all of them; back to the inbox, or
    on to the message's link when ``open`` is posted."""
    message = None
    if pk is not None:
        try:
            message = inapp_message_get_for_user(user=request.user, pk=pk)
        except NotFound as error:
            raise Http404(error.message) from error
    marked = inapp_mark_read(actor=request.user, message=message)
    if message is not None and request.POST.get("open") and message.link.startswith("/"):
        return redirect(message.link)
    if message is None:
        messages.success(
            request,
            ngettext("%(n)d message marked read.", "%(n)d messages marked read.", marked)
            % {"n": marked},
        )
    return redirect("inbox")


@login_required
def inbox_detail(request, pk: int):
    """One notification; opening it is its receipt (Ley 39/2015 art. 43.1), stamped once."""
    try:
        notification = notification_get_for_user(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404 from error
    notification = notification_open(actor=request.user, notification=notification)
    # The message that told the user of it has done its work.
    inapp_messages_for_user(user=request.user).filter(
        key=notification.key, read_at__isnull=True
    ).update(read_at=timezone.now())
    now = timezone.now()
    return render(
        request,
        "tenders/inbox_detail.html",
        {
            "notification": notification,
            "state": notification.evidence_state(now=now),
            "period_start": notification.period_start(now=now),
        },
    )


@login_required
def tender_notifications(request, pk: int):
    """The city's view of a process's notifications and their evidence (the file's proof)."""
    tender, _private = _get(request, pk, private=True)
    pager = page_rows(request, notifications_of_tender(tender=tender))
    now = timezone.now()
    rows = [(n, n.evidence_state(now=now), n.period_start(now=now)) for n in pager.rows]
    return render(
        request,
        "tenders/tender_notifications.html",
        {"tender": tender, "rows": rows, "pager": pager},
    )
