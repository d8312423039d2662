"""Web pages of CPI processes: the officer's dashboard, a process with its diagram, actions and
history, and the forms that record a need and its specifications (the consultation's own forms
are in ``tenders.consultation.views``)."""

from collections import defaultdict
from functools import reduce
from operator import or_

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from procurement.accounts.models import City, Membership, Supplier
from procurement.core.api import COUNT_SECONDS
from procurement.core.audit import data_version
from procurement.core.exceptions import ApplicationError, NotFound
from procurement.core.models import AuditEntry
from procurement.core.paging import page_rows
from procurement.core.permissions import grants_q, held_q, object_perms_of
from tenders.procedures import (
    PROCEDURE_CHOICES,
    PROCEDURES,
    STAGES,
    STATE_BY_NAME,
    TRANSITION_BY_NAME,
    Edit,
    Transition,
    is_editable,
)
from tenders.process.forms import (
    TenderEditForm,
    TenderForm,
    local_datetime,
)
from tenders.process.models import Participant, Tender
from tenders.process.selectors import (
    notification_get_for_user,
    notifications_for_user,
    notifications_of_tender,
    tender_get_for_user,
    tender_get_private_for_user,
    tender_history,
    tender_list_for_user,
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


ROLES = ("officer", "legal", "committee")


def _is_work(procedure: str, definition: Transition) -> bool:
    """Whether a transition is a step someone must take, rather than a way out of the process
    (cancel, declare void, terminate: final states off the procedure's main line)."""
    if definition.automatic:
        return False
    if definition.target == "=" or not STATE_BY_NAME[definition.target].final:
        return True
    return definition.target in PROCEDURES[procedure].main_line


def _work_by_role() -> dict[str, dict[tuple[str, str], list[Transition]]]:
    """For each role, the (procedure, state) pairs where that role has a step to take, with the
    steps: computed once from the procedure tables."""
    work: dict[str, dict[tuple[str, str], list[Transition]]] = {role: {} for role in ROLES}
    for code, proc in PROCEDURES.items():
        for definition in proc.transitions:
            if not _is_work(code, definition):
                continue
            for role in definition.roles:
                for source in definition.sources:
                    work[role].setdefault((code, source), []).append(definition)
    return work


WORK_BY_ROLE = _work_by_role()


def _state_filter(pairs) -> Q:
    """``(procedure, status)`` in ``pairs``, written short: a state that counts in every
    procedure it belongs to needs no condition on the procedure."""
    procedures_of = defaultdict(set)
    for code, proc in PROCEDURES.items():
        for state in proc.states:
            procedures_of[state.name].add(code)
    wanted = defaultdict(set)
    for code, state in pairs:
        wanted[state].add(code)
    everywhere = sorted(s for s, codes in wanted.items() if codes >= procedures_of[s])
    some: dict[str, list[str]] = defaultdict(list)
    for state, codes in sorted(wanted.items()):
        if state not in everywhere:
            for code in sorted(codes):
                some[code].append(state)
    return reduce(
        or_,
        (Q(procedure=code, status__in=states) for code, states in sorted(some.items())),
        Q(status__in=everywhere),
    )


STATE_FILTER_BY_ROLE = {role: _state_filter(pairs) for role, pairs in WORK_BY_ROLE.items()}


class _Grants:
    """Which processes ``user`` holds ``tenders.<codename>`` on, through a user or a group grant.
    Global permissions count for nothing; a superuser holds everything.

    Pages read in index order and stop after 25 rows, so each row probes the grant tables by key
    (``held_q``); counts read every row of the user's cities, so the user's grants are read once
    and hashed (``grants_q``)."""

    def __init__(self, user) -> None:
        self.user = user
        self.superuser = user.is_superuser

    def q(self, codename: str, *, counting: bool = False) -> Q:
        if self.superuser:
            return Q()
        condition = grants_q if counting else held_q
        grants = condition(self.user, f"tenders.{codename}", Tender)
        assert grants is not None  # Tender has direct-FK permission tables
        return grants


def _city_processes(user, grants: _Grants, *, counting: bool = False) -> QuerySet[Tender]:
    """The processes of ``user``'s cities that ``user`` may read (all of them for a superuser),
    newest first: ``tender_list_for_user`` narrowed to the user's cities (the ids the navigation
    read, so that a page walks the city's processes in index order)."""
    processes = Tender.objects.select_related("city").order_by("-created_at", "-pk")
    if user.is_superuser:
        return processes
    return processes.filter(
        Q(city_id__in=sorted({m.city_id for m in user.memberships_seen if m.city_id})),
        Q(first_published_at__isnull=False) | grants.q("view_tender", counting=counting),
    )


def _waiting(grants: _Grants, processes: QuerySet[Tender]) -> QuerySet[Tender]:
    """The processes in a state where one of ``user``'s roles on them has a step to take, each
    annotated with ``role_<role>`` telling which roles the user holds there. One query: the
    roles are guardian object permissions (``act_<role>``) read as subqueries."""
    held = {role: grants.q(f"act_{role}") for role in ROLES}
    waiting = reduce(or_, (held[role] & STATE_FILTER_BY_ROLE[role] for role in ROLES), Q(pk__in=[]))
    return processes.filter(waiting).annotate(
        **{
            f"role_{role}": Value(True)
            if grants.superuser
            else Case(When(held[role], then=Value(True)), default=Value(False))
            for role in ROLES
        }
    )


def _steps(tender: Tender) -> list[Transition]:
    steps: list[Transition] = []
    for role in ROLES:
        if getattr(tender, f"role_{role}", False):
            for definition in WORK_BY_ROLE[role].get((tender.procedure, tender.status), []):
                if definition not in steps:
                    steps.append(definition)
    return steps


def _stage_counts(user, processes: QuerySet[Tender]) -> dict[str, int]:
    """Processes per stage in one aggregate query (grouped by state, summed per stage). It reads
    every process of the user's cities, so the figures are kept for the user until the next
    audited write (``procurement.core.audit.data_version``; an unaudited change shows
    within ``COUNT_SECONDS``)."""
    key = f"stage-counts:{data_version()}:{user.pk}"
    counts = cache.get(key)
    if counts is None:
        counts = defaultdict(int)
        for row in processes.order_by().values("status").annotate(n=Count("pk")):
            counts[STATE_BY_NAME[row["status"]].stage] += row["n"]
        counts = dict(counts)
        cache.set(key, counts, COUNT_SECONDS)
    return counts


def dashboard(request):
    """City users: their cities' processes by stage and what waits on them, 25 a page. Others:
    published processes, 25 a page.

    A process waits on a user when its current state has a step that one of the user's roles on
    it may take (validate, publish, approve…); whether the step's conditions are met yet is told
    on the process page.
    """
    user = request.user
    # The memberships the navigation already read, rather than two queries of their own.
    memberships = user.memberships_seen if user.is_authenticated else []
    city_user = user.is_authenticated and (user.is_superuser or any(m.city_id for m in memberships))
    if not city_user:
        published = page_rows(request, tender_list_for_user(user=user, public_only=True))
        return render(
            request, "tenders/public_list.html", {"tenders": published.rows, "pager": published}
        )
    grants = _Grants(user)
    processes = _city_processes(user, grants)
    waiting = page_rows(request, _waiting(grants, processes), param="waiting")
    counts = _stage_counts(user, _city_processes(user, grants, counting=True))
    stage = request.GET.get("stage", "")
    listed = processes
    if stage in counts:
        listed = processes.filter(
            status__in=[s for s, state in STATE_BY_NAME.items() if state.stage == stage]
        )
    else:
        stage = ""
    page = page_rows(request, listed)
    by_stage = defaultdict(list)
    for tender in page.rows:
        by_stage[STATE_BY_NAME[tender.status].stage].append(tender)
    stages = [
        (code, label, by_stage.get(code, []), counts.get(code, 0))
        for code, label in STAGES
        if not stage or code == stage
    ]
    return render(
        request,
        "tenders/dashboard.html",
        {
            "stages": stages,
            "stage_counts": [(code, label, counts.get(code, 0)) for code, label in STAGES],
            "stage": stage,
            "pager": page,
            "waiting": [(tender, _steps(tender)) for tender in waiting.rows],
            "waiting_pager": waiting,
            "can_create": user.is_superuser
            or any(m.city_id and m.role == Membership.Role.OFFICER for m in memberships),
        },
    )


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


def _history_with_choices(entries) -> list:
    """The audit rows, each with ``choices``: the options the actor chose in the step's data
    (a reduction of the bid period, say), by their labels, for the history to show."""
    rows = list(entries)
    for entry in rows:
        definition = TRANSITION_BY_NAME.get(entry.name)
        data = entry.data if isinstance(entry.data, dict) else {}
        entry.choices = [
            (field.label, dict(field.choices).get(data[field.name], data[field.name]))
            for field in (definition.data if definition else ())
            if field.choices and data.get(field.name)
        ]
    return rows


def _detail_context(request, tender, private: bool) -> dict:
    context = {"tender": tender, "private": private, "state": STATE_BY_NAME[tender.status]}
    consultation = tender.consultation_for_engine()
    context["consultation"] = consultation
    if not private:
        return context
    user = _PermsOnce(request.user, tender)
    history = _history_with_choices(tender_history(tender=tender))
    # Only the process's own steps mark places on its diagram: other rows about it carry the
    # states of other records (an appeal resolved has the appeal's outcome as its to_state).
    visited = {
        state
        for e in history
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
    participants = list(tender.participants.select_related("supplier").order_by("supplier__name"))
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
    """The notifications to the user's supplier, newest first, 25 a page."""
    pager = page_rows(request, notifications_for_user(user=request.user))
    now = timezone.now()
    rows = [(n, n.evidence_state(now=now)) for n in pager.rows]
    return render(request, "tenders/inbox.html", {"rows": rows, "pager": pager})


@login_required
def inbox_detail(request, pk: int):
    """One notification; opening it is its receipt (Ley 39/2015 art. 43.1), stamped once."""
    try:
        notification = notification_get_for_user(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404 from error
    notification = notification_open(actor=request.user, notification=notification)
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
