"""Who sees what of a market consultation (LCSP arts. 115.3 and 133).

- The public: published consultations, their questions, answered clarifications (never who
  asked), and the report once published.
- A supplier: that, plus its own response only.
- Officers and legal team of the owning city: everything, submitted responses included,
  confidential parts too.
- Anyone else: the same 404 as for something that does not exist.
"""

from dataclasses import dataclass

from django.db.models import Case, Prefetch, Q, QuerySet, TextField, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.accounts.models import Membership, Supplier
from procurement.core.exceptions import NotFound
from procurement.core.ids import id_from_text
from procurement.core.permissions import annotate_object_perm, grants_q
from tenders.consultation.models import (
    Answer,
    Attachment,
    Clarification,
    Consultation,
    Question,
    Response,
)
from tenders.procedures import STATE_BY_NAME, Edit, states_where
from tenders.process.models import Tender
from tenders.process.selectors import tenders_private_for_user


def _city_may_read(user, consultation: Consultation) -> bool:
    return bool(
        user.is_authenticated
        and user.has_perm("tenders.view_consultation_responses", consultation.tender)
    )


def _supplier_ids(user) -> list[int]:
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user=user, role=Membership.Role.REPRESENTATIVE).values_list(
            "supplier_id", flat=True
        )
    )


def _cpv_prefix(cpv: str) -> str:
    """The code or leading digits ``cpv`` names, as they start a stored code ("72", "72000000-5")."""
    digits = "".join(ch for ch in cpv.split("-")[0] if ch.isdigit()).rstrip("0")
    if len(digits) > 8:  # the check digit typed without its dash
        digits = f"{digits[:8]}-{digits[8:]}"
    return digits


def consultation_list_for_user(
    *,
    user,
    open_only: bool = False,
    published_only: bool = False,
    cpv: str = "",
    city: str = "",
    closing_before=None,
    now=None,
    text: str = "",
    procedure: str = "",
    stage: str = "",
    date_from=None,
    date_to=None,
) -> QuerySet[Consultation]:
    """Published consultations, and for a city's people also their own drafts (unless
    ``open_only`` or ``published_only``). Every filter runs in SQL: ``text`` in the object,
    the background or the process's title, or the consultation's or the process's number;
    the process's ``procedure`` and ``stage``; a period (``opens_at`` to ``closes_at``) that
    overlaps ``date_from``–``date_to``, both days included."""
    now = now or timezone.now()
    queryset = Consultation.objects.select_related("tender__city")
    visible = Q(published_at__isnull=False)
    if user.is_authenticated and not (open_only or published_only):
        visible |= Q(tender__in=tenders_private_for_user(user).values("pk"))
    queryset = queryset.filter(visible)
    if open_only:
        queryset = queryset.filter(
            published_at__isnull=False,
            opens_at__lte=now,
            closes_at__gt=now,
            tender__status__in=states_where(editable=Edit.RESPONSES),
        )
    if cpv and (prefix := _cpv_prefix(cpv)):
        # The consultation's own codes, else its process's: a code starts right after a quote
        # in the JSON text of the list.
        codes = Case(
            When(cpv_codes=[], then=Cast("tender__cpv_codes", TextField())),
            default=Cast("cpv_codes", TextField()),
        )
        queryset = queryset.annotate(cpv_text=codes).filter(cpv_text__contains=f'"{prefix}')
    if city:
        city_id = id_from_text(city)
        queryset = (
            queryset.filter(tender__city_id=city_id)
            if city_id is not None
            else queryset.filter(tender__city__slug=city)
        )
    if closing_before is not None:
        queryset = queryset.filter(closes_at__lte=closing_before)
    text = text.strip()
    if text:
        match = (
            Q(subject__icontains=text)
            | Q(background__icontains=text)
            | Q(tender__title__icontains=text)
        )
        number = id_from_text(text.lstrip("#"))
        if number is not None:
            match |= Q(pk=number) | Q(tender_id=number)
        queryset = queryset.filter(match)
    if procedure:
        queryset = queryset.filter(tender__procedure=procedure)
    if stage:
        queryset = queryset.filter(
            tender__status__in=[n for n, state in STATE_BY_NAME.items() if state.stage == stage]
        )
    if date_from is not None:
        queryset = queryset.filter(closes_at__date__gte=date_from)
    if date_to is not None:
        queryset = queryset.filter(opens_at__date__lte=date_to)
    return queryset.order_by("closes_at", "pk")


@dataclass
class ConsultationAccess:
    consultation: Consultation
    city: bool  # officers and legal team of the owning city
    supplier_ids: list[int]
    # Anyone of the owning city (its committee too): who may be told "not your role" (403)
    # rather than "not found" when asking to change the consultation.
    own_city: bool = False

    @property
    def is_supplier(self) -> bool:
        return bool(self.supplier_ids)


def consultation_get_for_user(*, user, pk) -> ConsultationAccess:
    # Both grants are read with the consultation: one query, not four permission look-ups.
    queryset = Consultation.objects.select_related("tender__city")
    for name, perm in (
        ("city_reads", "tenders.view_consultation_responses"),
        ("city_sees", "tenders.view_tender"),
    ):
        queryset = annotate_object_perm(user, perm, queryset, name, via="tender")
    try:
        consultation = queryset.get(pk=pk)
    except (Consultation.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound(_("Consultation not found.")) from error
    city = bool(consultation.city_reads)  # type: ignore[attr-defined]
    own_city = city or bool(consultation.city_sees)  # type: ignore[attr-defined]
    if consultation.published_at is None and not own_city:
        raise NotFound(_("Consultation not found."))
    return ConsultationAccess(consultation, city, _supplier_ids(user), own_city)


def consultation_get_for_city(*, user, pk) -> ConsultationAccess:
    """The consultation for a change by its own city: the same 404 as for a missing one to
    anyone else, even where the public may read it."""
    access = consultation_get_for_user(user=user, pk=pk)
    if not access.own_city:
        raise NotFound(_("Consultation not found."))
    return access


def question_get_for_city(*, user, pk) -> Question:
    """A question of a consultation of ``user``'s city, with its consultation and process;
    the same 404 for missing and for another city's."""
    question_id = id_from_text(pk)
    question = Question.objects.filter(pk=question_id).first() if question_id else None
    if question is None:
        raise NotFound(_("Question not found."))
    try:
        access = consultation_get_for_city(user=user, pk=question.consultation_id)
    except NotFound as error:
        raise NotFound(_("Question not found.")) from error
    question.consultation = access.consultation
    return question


def supplier_get_for_representative(*, user, pk) -> Supplier:
    """A supplier ``user`` represents; the same 404 for missing and for anyone else's."""
    supplier = (
        Supplier.objects.filter(
            pk=pk, memberships__user=user, memberships__role=Membership.Role.REPRESENTATIVE
        ).first()
        if user.is_authenticated and id_from_text(pk) is not None
        else None
    )
    if supplier is None:
        raise NotFound(_("Supplier not found."))
    return supplier


def _with_content(queryset: QuerySet[Response]) -> QuerySet[Response]:
    return queryset.select_related("supplier", "consultation__tender__city").prefetch_related(
        Prefetch(
            "answers",
            queryset=Answer.objects.select_related("question").order_by("question__order"),
        ),
        "attachments",
    )


def responses_for_user(*, user, consultation: Consultation) -> QuerySet[Response]:
    """The owning city sees every submitted response; a supplier its own; others nothing."""
    if _city_may_read(user, consultation):
        queryset = consultation.responses.filter(status=Response.Status.SUBMITTED)
    else:
        queryset = consultation.responses.filter(supplier_id__in=_supplier_ids(user))
    return _with_content(queryset).order_by("supplier__name")


def response_get_for_user(*, user, pk) -> tuple[Response, bool]:
    """The response and whether ``user`` reads it as its supplier (else as the owning city)."""
    try:
        response = _with_content(Response.objects.all()).get(pk=pk)
    except (Response.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound(_("Response not found.")) from error
    if response.supplier_id in _supplier_ids(user):
        return response, True
    if response.status == Response.Status.SUBMITTED and _city_may_read(user, response.consultation):
        return response, False
    raise NotFound(_("Response not found."))


def attachment_get_for_user(*, user, pk) -> Attachment:
    try:
        attachment = Attachment.objects.select_related("response__consultation__tender").get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound(_("File not found.")) from error
    response_get_for_user(user=user, pk=attachment.response_id)
    return attachment


def consultation_report_data(*, consultation: Consultation) -> dict:
    """What the public report holds (LCSP art. 115.3): advisers, entities consulted, the
    questions, the officers' non-confidential summaries, and the report text. Never an answer."""
    submitted = consultation.responses.filter(status=Response.Status.SUBMITTED).select_related(
        "supplier"
    )
    questions = consultation.questions.select_related("summary").order_by("order")
    return {
        "subject": consultation.subject,
        "city": consultation.tender.city.name,
        "advisers": consultation.advisers,
        "entities": sorted(r.supplier.name for r in submitted),
        "questions": [
            {
                "order": q.order,
                "text": q.text,
                "summary": getattr(getattr(q, "summary", None), "text", ""),
            }
            for q in questions
        ],
        "report": consultation.report,
        "published_at": consultation.report_published_at,
    }


def clarifications_to_answer_for_user(*, user) -> QuerySet[Clarification]:
    """Suppliers' questions not answered yet, on the consultations of processes where ``user``
    acts as procurement officer (who answers them) and while they may be answered; oldest
    first."""
    if not user.is_authenticated:
        return Clarification.objects.none()
    queryset = Clarification.objects.filter(
        answer="", consultation__tender__status__in=states_where(editable=Edit.CLARIFICATIONS)
    )
    if not user.is_superuser:
        grants = grants_q(user, "tenders.act_officer", Tender)
        assert grants is not None  # Tender has direct-FK permission tables
        queryset = queryset.filter(consultation__tender__in=Tender.objects.filter(grants))
    return queryset.select_related("consultation__tender__city").order_by("created_at", "pk")


def clarifications_waiting_of_supplier(*, user) -> QuerySet[Clarification]:
    """The questions the suppliers ``user`` represents asked and the city has not answered yet,
    while they may still be answered; oldest first."""
    supplier_ids = _supplier_ids(user)
    if not supplier_ids:
        return Clarification.objects.none()
    return (
        Clarification.objects.filter(
            answer="",
            asked_by_id__in=supplier_ids,
            consultation__tender__status__in=states_where(editable=Edit.CLARIFICATIONS),
        )
        .select_related("consultation__tender__city")
        .order_by("created_at", "pk")
    )
