"""A user's work on processes: the process list (with its search and what waits on the user)
and the sections of the home page (``procurement.core.work``) that processes, consultations,
bids and notifications give, for every role: officer, legal team, committee, supplier.

This module sits above the areas of ``tenders`` (process, consultation, award): it reads all
of them, and none of them reads it.
"""

import datetime as dt
from collections import defaultdict
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.accounts.models import City, Membership
from procurement.core.compiled import KeptQueries
from procurement.core.paging import page_rows
from procurement.core.public_cache import content_digest, request_data_version, user_page
from procurement.core.work import WORK_ITEMS, WorkItem, WorkSection, work_provider_register
from tenders.award.models import Bid, CommitteeMember
from tenders.consultation.models import Consultation, Response, SupplierSubscription
from tenders.consultation.selectors import (
    clarifications_to_answer_for_user,
    clarifications_waiting_of_supplier,
)
from tenders.procedures import STAGES, STATE_BY_NAME, Edit, S, states_where
from tenders.process.forms import ProcessSearchForm
from tenders.process.models import Tender
from tenders.process.pending import (
    Grants,
    city_processes,
    pending_steps,
    stage_counts,
    waiting_processes,
)
from tenders.process.selectors import (
    cpv_digits,
    notifications_for_user,
    tender_list_for_user,
    tender_search,
)

_KEPT = KeptQueries()
# How near a deadline must be for the home page to bring it up.
SOON = dt.timedelta(days=7)


def _search_form(request) -> ProcessSearchForm:
    """The list's search, bound to the query string; an invalid one searches for nothing and
    shows its errors."""
    return ProcessSearchForm(
        request.GET if ProcessSearchForm.asked(request.GET) else None,
        cities=City.objects.order_by("name").values_list("slug", "name"),
    )


@user_page
def dashboard(request):
    """City users: their cities' processes by stage and what waits on them, 25 a page. Others:
    published processes, 25 a page. Both searchable (``ProcessSearchForm``: text, CPV, stage,
    procedure, city, dates), the search kept in the pages' links.

    A process waits on a user when its current state has a step the procedure requires that
    one of the user's roles on it may take (validate, publish, approve…; not the optional ones
    such as extending a deadline); whether the step's conditions are met yet is told on the
    process page. Suppliers' questions the user owes an answer wait on the user too.
    """
    user = request.user
    form = _search_form(request)
    search = form.search() if form.is_bound and form.is_valid() else {}
    # The memberships the navigation already read, rather than two queries of their own.
    memberships = user.memberships_seen if user.is_authenticated else []
    city_user = user.is_authenticated and (user.is_superuser or any(m.city_id for m in memberships))
    if not city_user:
        published = page_rows(request, tender_list_for_user(user=user, public_only=True, **search))
        return render(
            request,
            "tenders/public_list.html",
            {"tenders": published.rows, "pager": published, "form": form},
        )
    grants = Grants(user)
    # The SQL of the unsearched pages is built once per process for this user and their cities
    # (everything it is built from; ``KeptQueries``): the permission checks made building it a
    # fifth of the page's time.
    cities = tuple(sorted({m.city_id for m in memberships if m.city_id}))
    shape = ("process-list", user.pk, user.is_superuser, cities)
    waiting = page_rows(
        request,
        lambda: waiting_processes(grants, city_processes(user, grants)),
        param="waiting",
        kept=(*shape, "waiting"),
    )
    counts = stage_counts(
        user,
        lambda: city_processes(user, grants, counting=True),
        version=request_data_version(request),  # the one the page is kept at
    )
    stage = search.get("stage", "")
    page = page_rows(
        request,
        lambda: tender_search(city_processes(user, grants), **search),
        kept=None if search else (*shape, "page"),
    )
    by_stage = defaultdict(list)
    for tender in page.rows:
        by_stage[STATE_BY_NAME[tender.status].stage].append(tender)
    stages = [
        (code, label, by_stage.get(code, []), counts.get(code, 0))
        for code, label in STAGES
        if not stage or code == stage
    ]
    waiting_steps = [(tender, pending_steps(tender)) for tender in waiting.rows]
    shown = _KEPT.rows(  # counted only when there are more
        ("clarifications-to-answer", user.pk, user.is_superuser),
        lambda: clarifications_to_answer_for_user(user=user)[: WORK_ITEMS + 1],
    )
    return render(
        request,
        "tenders/dashboard.html",
        {
            "form": form,
            "searching": form.active,
            "stages": stages,
            # The two lists are drawn again only when what they show changes.
            "stages_digest": content_digest(
                timezone.get_current_timezone_name(),  # the rows' ISO dates are written in it
                [
                    (code, count, [_listed(tender) for tender in tenders])
                    for code, _label, tenders, count in stages
                ],
            ),
            "waiting_digest": content_digest(
                [
                    (tender.pk, tender.title, tender.city.name, [step.name for step in steps])
                    for tender, steps in waiting_steps
                ]
            ),
            "stage_counts": [(code, label, counts.get(code, 0)) for code, label in STAGES],
            "stage": stage,
            "pager": page,
            "waiting": waiting_steps,
            "waiting_pager": waiting,
            "clarifications": shown[:WORK_ITEMS],
            "clarification_count": len(shown)
            if len(shown) <= WORK_ITEMS
            else clarifications_to_answer_for_user(user=user).count(),
            "can_create": user.is_superuser
            or any(m.city_id and m.role == Membership.Role.OFFICER for m in memberships),
        },
    )


def _listed(tender: Tender) -> tuple:
    """What a process list's row shows of ``tender`` (``LISTED_FIELDS``): its fragment's key."""
    return (
        tender.pk,
        tender.title,
        tender.status,
        tender.procedure,
        tender.next_check,
        tender.city.timezone,
    )


# --- the home page's sections ------------------------------------------------------------------


def _section(key, heading, queryset, item, *, more_url: str = "", to_do: bool = True):
    rows = list(queryset[: WORK_ITEMS + 1])
    count = len(rows) if len(rows) <= WORK_ITEMS else queryset.count()
    return WorkSection(
        key=key,
        heading=heading,
        items=[item(row) for row in rows[:WORK_ITEMS]],
        count=count,
        more_url=more_url,
        to_do=to_do,
    )


def _process_steps(*, user) -> list[WorkSection]:
    """City users: the processes where one of their roles has a required step to take."""
    if not (user.is_superuser or any(m.city_id for m in user.memberships_seen)):
        return []
    grants = Grants(user)
    waiting = waiting_processes(grants, city_processes(user, grants))

    def item(tender: Tender) -> WorkItem:
        return WorkItem(
            subject=f"{tender.title} ({tender.city})",
            url=reverse("tender-detail", args=[tender.pk]),
            action=", ".join(str(step.label) for step in pending_steps(tender)),
            due=tender.next_check,
        )

    return [
        _section(
            "steps",
            gettext_lazy("Steps for you to take"),
            waiting,
            item,
            more_url=reverse("tender-dashboard"),
        )
    ]


def _clarifications_to_answer(*, user) -> list[WorkSection]:
    def item(clarification) -> WorkItem:
        consultation = clarification.consultation
        return WorkItem(
            subject=f"{consultation.tender.title} ({consultation.tender.city})",
            url=reverse("consultation-detail", args=[consultation.pk])
            + f"#clar-{clarification.pk}",
            action=_("Answer the question"),
            detail=clarification.question[:200],
            due=consultation.closes_at,
        )

    return [
        _section(
            "clarifications",
            gettext_lazy("Suppliers' questions to answer"),
            clarifications_to_answer_for_user(user=user),
            item,
        )
    ]


def _deadlines(*, user) -> list[WorkSection]:
    """City users: the processes of their cities whose next deadline falls within a week."""
    if not (user.is_superuser or any(m.city_id for m in user.memberships_seen)):
        return []
    now = timezone.now()
    grants = Grants(user)
    soon = city_processes(user, grants).filter(next_check__gte=now, next_check__lte=now + SOON)

    def item(tender: Tender) -> WorkItem:
        return WorkItem(
            subject=f"{tender.title} ({tender.city})",
            url=reverse("tender-detail", args=[tender.pk]),
            action=str(STATE_BY_NAME[tender.status].label),
            due=tender.next_check,
        )

    return [
        _section(
            "deadlines",
            gettext_lazy("Deadlines in the next 7 days"),
            soon.order_by("next_check", "pk"),
            item,
            to_do=False,
        )
    ]


def _evaluations(*, user) -> list[WorkSection]:
    """Committee members: the processes whose bids they are to check or score now."""
    scoring = set(states_where(editable=Edit.VALUE_SCORES)) | set(
        states_where(editable=Edit.ADMISSION)
    )
    tenders = (
        Tender.objects.filter(
            pk__in=CommitteeMember.objects.filter(user=user).values("tender_id"),
            status__in=sorted(scoring),
        )
        .select_related("city")
        .order_by("-updated_at", "-pk")
    )

    def item(tender: Tender) -> WorkItem:
        return WorkItem(
            subject=f"{tender.title} ({tender.city})",
            url=reverse("tender-evaluation", args=[tender.pk]),
            action=_("Check and score the bids"),
        )

    return [_section("evaluations", gettext_lazy("Evaluations to score"), tenders, item)]


def _supplier_ids(user) -> list[int]:
    return [
        m.supplier_id
        for m in user.memberships_seen
        if m.supplier_id and m.role == Membership.Role.REPRESENTATIVE
    ]


def _alerts_match(supplier_ids: list[int], tender: str = "") -> Q | None:
    """What one of the alerts of ``supplier_ids`` asks of a process (reached through
    ``tender``, a lookup prefix such as ``"tender__"``): its city and a CPV code (the text of
    its codes annotated as ``cpv_text``); an alert with no cities or no codes matches any.
    ``None`` when there are no alerts."""
    subscriptions = list(
        SupplierSubscription.objects.filter(supplier_id__in=supplier_ids).prefetch_related("cities")
    )
    if not subscriptions:
        return None
    matches = []
    for subscription in subscriptions:
        match = Q()
        cities = [city.pk for city in subscription.cities.all()]
        if cities:
            match &= Q(**{f"{tender}city_id__in": cities})
        prefixes = [p for p in (cpv_digits(c) for c in subscription.cpv_prefixes) if p]
        if prefixes:
            match &= reduce(or_, (Q(cpv_text__contains=f'"{p}') for p in prefixes))
        matches.append(match)
    return reduce(or_, matches)


def calls_matching_alerts(*, supplier_ids: list[int]) -> QuerySet[Tender]:
    """Published processes taking bids now whose city and CPV codes match the alerts of one of
    ``supplier_ids`` (an alert with no cities or no codes matches any), soonest deadline first."""
    match = _alerts_match(supplier_ids)
    if match is None:
        return Tender.objects.none()
    return (
        Tender.objects.filter(
            first_published_at__isnull=False, status__in=states_where(editable=Edit.BIDS)
        )
        .annotate(cpv_text=Cast("cpv_codes", TextField()))
        .filter(match)
        .select_related("city")
        .order_by("submission_deadline", "pk")
    )


def consultations_matching_alerts(
    *, supplier_ids: list[int], now: dt.datetime
) -> QuerySet[Consultation]:
    """Market consultations open now that match the alerts of one of ``supplier_ids`` and that
    none of them has answered yet (a draft is on the home page by itself), closing first."""
    match = _alerts_match(supplier_ids, tender="tender__")
    if match is None:
        return Consultation.objects.none()
    return (
        Consultation.objects.filter(
            tender__status=S.CONSULTATION_OPEN, opens_at__lte=now, closes_at__gt=now
        )
        .annotate(cpv_text=Cast("tender__cpv_codes", TextField()))
        .filter(match)
        .exclude(responses__supplier_id__in=supplier_ids)
        .select_related("tender__city")
        .order_by("closes_at", "pk")
    )


def _supplier_work(*, user) -> list[WorkSection]:
    supplier_ids = _supplier_ids(user)
    if not supplier_ids:
        return []
    now = timezone.now()

    def question(clarification) -> WorkItem:
        consultation = clarification.consultation
        return WorkItem(
            subject=f"{consultation.subject} ({consultation.tender.city})",
            url=reverse("consultation-detail", args=[consultation.pk]),
            action=_("Waiting for the city's answer"),
            detail=clarification.question[:200],
        )

    def draft_response(response: Response) -> WorkItem:
        consultation = response.consultation
        return WorkItem(
            subject=f"{consultation.subject} ({consultation.tender.city})",
            url=reverse("consultation-respond", args=[consultation.pk]),
            action=_("Submit your response"),
            due=consultation.closes_at,
        )

    def draft_bid(bid: Bid) -> WorkItem:
        return WorkItem(
            subject=f"{bid.tender.title} ({bid.tender.city})",
            url=reverse("tender-bid", args=[bid.tender_id]),
            action=_("Submit your bid"),
            due=bid.tender.submission_deadline,
        )

    def bid(row: Bid) -> WorkItem:
        return WorkItem(
            subject=f"{row.tender.title} ({row.tender.city})",
            url=reverse("tender-bid", args=[row.tender_id]),
            action=row.get_status_display(),
            detail=str(STATE_BY_NAME[row.tender.status].label),
            due=row.tender.submission_deadline,
        )

    def consultation(row: Consultation) -> WorkItem:
        return WorkItem(
            subject=f"{row.subject} ({row.tender.city})",
            url=reverse("consultation-detail", args=[row.pk]),
            action=_("Read it and answer"),
            due=row.closes_at,
        )

    def call(tender: Tender) -> WorkItem:
        return WorkItem(
            subject=f"{tender.title} ({tender.city})",
            url=reverse("tender-detail", args=[tender.pk]),
            action=tender.get_procedure_display(),
            due=tender.submission_deadline,
        )

    drafts_responses = (
        Response.objects.filter(
            supplier_id__in=supplier_ids,
            status=Response.Status.DRAFT,
            consultation__closes_at__gt=now,
            consultation__closes_at__lte=now + SOON,
        )
        .select_related("consultation__tender__city")
        .order_by("consultation__closes_at", "pk")
    )
    drafts_bids = (
        Bid.objects.filter(
            supplier_id__in=supplier_ids,
            status=Bid.Status.DRAFT,
            tender__submission_deadline__gt=now,
            tender__submission_deadline__lte=now + SOON,
        )
        .select_related("tender__city")
        .order_by("tender__submission_deadline", "pk")
    )
    bids = (
        Bid.objects.filter(supplier_id__in=supplier_ids)
        .exclude(tender__status__in=[s.name for s in STATE_BY_NAME.values() if s.final])
        .select_related("tender__city")
        .order_by("-updated_at", "-pk")
    )
    return [
        _section(
            "own-questions",
            gettext_lazy("Your questions waiting for an answer"),
            clarifications_waiting_of_supplier(user=user),
            question,
            to_do=False,
        ),
        _section(
            "draft-responses",
            gettext_lazy("Draft responses closing within 7 days"),
            drafts_responses,
            draft_response,
            more_url=reverse("my-responses"),
        ),
        _section(
            "draft-bids",
            gettext_lazy("Draft bids due within 7 days"),
            drafts_bids,
            draft_bid,
            more_url=reverse("my-bids"),
        ),
        _section(
            "consultations",
            gettext_lazy("Open consultations matching your alerts"),
            consultations_matching_alerts(supplier_ids=supplier_ids, now=now),
            consultation,
            more_url=reverse("consultation-list"),
            to_do=False,
        ),
        _section(
            "calls",
            gettext_lazy("Open calls matching your alerts"),
            calls_matching_alerts(supplier_ids=supplier_ids),
            call,
            more_url=reverse("supplier-subscriptions"),
            to_do=False,
        ),
        _section(
            "bids",
            gettext_lazy("Your bids"),
            bids,
            bid,
            more_url=reverse("my-bids"),
            to_do=False,
        ),
    ]


def _legal_notifications(*, user) -> list[WorkSection]:
    """Suppliers: the legal notifications not opened yet (periods may already run)."""
    if not _supplier_ids(user):
        return []
    unopened = notifications_for_user(user=user).filter(accessed_at__isnull=True)

    def item(notification) -> WorkItem:
        return WorkItem(
            subject=notification.subject,
            url=reverse("inbox-detail", args=[notification.pk]),
            action=_("Open the notification"),
            detail=f"{notification.tender.title} ({notification.tender.city})",
        )

    return [
        _section(
            "notifications",
            gettext_lazy("Notifications not opened"),
            unopened,
            item,
            more_url=reverse("inbox"),
        )
    ]


def work_providers_register() -> None:
    """Put the processes' work on every user's home page (``TendersConfig.ready``)."""
    for provider in (
        _process_steps,
        _clarifications_to_answer,
        _evaluations,
        _deadlines,
        _legal_notifications,
        _supplier_work,
    ):
        work_provider_register(provider)
