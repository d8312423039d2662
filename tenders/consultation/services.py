"""Writes on market consultations: the officers' questionnaire and report, the suppliers'
responses, attachments and clarifications (LCSP art. 115).

Server time decides: a supplier writes only while ``opens_at <= now < closes_at``. After the
closing time every write on a response is refused, whatever the interface, and nothing submitted
before changes.
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.accounts.models import Membership, User
from procurement.core.audit import audit_changes, audit_record
from procurement.core.exceptions import ApplicationError, Conflict, NotFound
from procurement.core.inapp import inapp_send
from procurement.core.models import AuditEntry
from procurement.core.uploads import upload_check
from tenders.consultation.models import (
    Answer,
    Attachment,
    Clarification,
    Consultation,
    Question,
    QuestionSummary,
    Response,
    ResponseReview,
)
from tenders.procedures import Edit, is_editable
from tenders.process.common import (
    clean_cpv_codes,
    parse_amount,
    supplier_of,
    tender_lock_for_officer,
)
from tenders.process.models import Tender
from workflows.status import status_change

MAX_TEXT = 20000
MAX_QUESTIONS = 100
MAX_CHOICES = 50

# --- the officers' side ------------------------------------------------------------------------


def _draft_consultation(actor: User, consultation: Consultation) -> Consultation:
    tender = tender_lock_for_officer(actor, consultation.tender)
    if not is_editable(tender, Edit.CONSULTATION):
        raise Conflict(_("The questionnaire is fixed once the consultation is published."))
    return consultation


@transaction.atomic
def consultation_save(
    *,
    actor: User,
    tender: Tender,
    subject: str,
    opens_at,
    closes_at,
    background: str = "",
    advisers: list[dict] | None = None,
    cpv_codes: list[str] | None = None,
) -> Consultation:
    """Draft (or redraft) the process's market consultation before it is published."""
    locked = tender_lock_for_officer(actor, tender)
    if not is_editable(locked, Edit.CONSULTATION):
        raise Conflict(_("A consultation can be drafted only while the process is preparing one."))
    subject = (subject or "").strip()
    if not subject or len(subject) > 300:
        raise ApplicationError(
            _("Give the object of the consultation (at most 300 characters)."),
            extra={"field": "subject"},
        )
    for moment, field in ((opens_at, "opens_at"), (closes_at, "closes_at")):
        if moment is not None and timezone.is_naive(moment):
            raise ApplicationError(_("Give times with their time zone."), extra={"field": field})
    if opens_at and closes_at and closes_at <= opens_at:
        raise ApplicationError(
            _("The consultation must close after it opens."), extra={"field": "closes_at"}
        )
    cleaned_advisers = []
    for adviser in advisers or []:
        if not isinstance(adviser, dict):
            raise ApplicationError(
                _("Each adviser is {name, reason}."), extra={"field": "advisers"}
            )
        cleaned_advisers.append(
            {
                "name": str(adviser.get("name", "")).strip()[:200],
                "reason": str(adviser.get("reason", "")).strip()[:2000],
            }
        )
    codes = clean_cpv_codes(list(cpv_codes)) if cpv_codes else list(locked.cpv_codes)
    consultation, _created = Consultation.objects.update_or_create(
        tender=locked,
        defaults={
            "subject": subject,
            "background": (background or "")[:MAX_TEXT],
            "opens_at": opens_at,
            "closes_at": closes_at,
            "advisers": cleaned_advisers,
            "cpv_codes": codes,
        },
    )
    return consultation


def _clean_choices(kind: str, choices) -> list[str]:
    if kind not in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        return []
    if not isinstance(choices, list | tuple):
        raise ApplicationError(_("Choices are a list of texts."), extra={"field": "choices"})
    cleaned = list(dict.fromkeys(str(c).strip()[:200] for c in choices if str(c).strip()))
    if len(cleaned) < 2 or len(cleaned) > MAX_CHOICES:
        raise ApplicationError(
            _("A choice question needs between 2 and 50 different choices."),
            extra={"field": "choices"},
        )
    return cleaned


@transaction.atomic
def question_save(
    *,
    actor: User,
    consultation: Consultation,
    text: str,
    kind: str = Question.Kind.TEXT,
    required: bool = False,
    choices=(),
    help_text: str = "",
    question: Question | None = None,
) -> Question:
    """Add a question at the end of the questionnaire, or change ``question``."""
    _draft_consultation(actor, consultation)
    text = (text or "").strip()
    if not text or len(text) > 5000:
        raise ApplicationError(
            _("Write the question (at most 5,000 characters)."), extra={"field": "text"}
        )
    if kind not in Question.Kind.values:
        raise ApplicationError(
            _("Unknown kind “%(kind)s”: use one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(Question.Kind.values)},
            extra={"field": "kind"},
        )
    values = {
        "text": text,
        "kind": kind,
        "required": bool(required),
        "choices": _clean_choices(kind, list(choices or [])),
        "help_text": help_text[:2000],
    }
    if question is not None:
        if question.consultation_id != consultation.pk:
            raise NotFound(_("Question not found."))
        before = {key: getattr(question, key) for key in values}
        for key, value in values.items():
            setattr(question, key, value)
        question.save()
        changes = audit_changes(before, values)
        if changes:
            # On the process, whose history the officers read.
            audit_record(
                actor=actor,
                action=AuditEntry.Action.CHANGE,
                target=consultation.tender,
                name="question_update",
                data={"object": str(question), "changes": changes},
            )
        return question
    existing = consultation.questions.count()
    if existing >= MAX_QUESTIONS:
        raise ApplicationError(_("A questionnaire has at most 100 questions."))
    last = consultation.questions.order_by("-order").values_list("order", flat=True).first() or 0
    return Question.objects.create(consultation=consultation, order=last + 1, **values)


@transaction.atomic
def question_delete(*, actor: User, question: Question) -> None:
    consultation = question.consultation
    _draft_consultation(actor, consultation)
    removed = str(question)
    question.delete()
    for number, item in enumerate(consultation.questions.order_by("order"), start=1):
        if item.order != number:
            Question.objects.filter(pk=item.pk).update(order=number)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CHANGE,
        target=consultation.tender,
        name="question_delete",
        data={"object": removed, "changes": {}},
    )


@transaction.atomic
def consultation_report_save(*, actor: User, tender: Tender, report: str) -> Consultation:
    locked = tender_lock_for_officer(actor, tender)
    consultation = locked.consultation_for_engine()
    if consultation is None or not is_editable(locked, Edit.REPORT):
        raise Conflict(
            _("The report is written after the consultation closes, before it is published.")
        )
    consultation.report = (report or "")[:100000]
    consultation.save(update_fields=["report", "updated_at"])
    return consultation


@transaction.atomic
def question_summary_save(*, actor: User, question: Question, text: str) -> QuestionSummary:
    """The non-confidential summary of one question's answers, written for the report."""
    tender = tender_lock_for_officer(actor, question.consultation.tender)
    if not is_editable(tender, Edit.SUMMARIES):
        raise Conflict(_("Answers are summarised after the consultation closes."))
    text = (text or "").strip()
    if not text:
        raise ApplicationError(_("Write the summary."), extra={"field": "text"})
    summary, _created = QuestionSummary.objects.update_or_create(
        question=question, defaults={"text": text[:MAX_TEXT]}
    )
    return summary


@transaction.atomic
def question_summaries_save(
    *, actor: User, consultation: Consultation, summaries: dict[int, str]
) -> list[QuestionSummary]:
    """The summaries of several questions' answers (``{question id: text}``), all or none;
    a blank text leaves that question's summary as it was."""
    tender = tender_lock_for_officer(actor, consultation.tender)
    if not is_editable(tender, Edit.SUMMARIES):
        raise Conflict(_("Answers are summarised after the consultation closes."))
    questions = {q.pk: q for q in consultation.questions.all()}
    unknown = [str(pk) for pk in summaries if pk not in questions]
    if unknown:
        raise ApplicationError(
            _("Not questions of this consultation: %(ids)s.") % {"ids": ", ".join(unknown)},
            extra={"field": "summaries"},
        )
    return [
        question_summary_save(actor=actor, question=questions[pk], text=text)
        for pk, text in summaries.items()
        if (text or "").strip()
    ]


@transaction.atomic
def response_review_save(*, actor: User, response: Response, notes: str, tags) -> ResponseReview:
    tender = response.consultation.tender
    if not actor.has_perm("tenders.view_consultation_responses", tender):
        raise NotFound(_("Response not found."))
    if isinstance(tags, str):
        tags = re.split(r"[,\n]", tags)
    cleaned = sorted({str(t).strip().lower()[:40] for t in tags or [] if str(t).strip()})[:20]
    review, _created = ResponseReview.objects.update_or_create(
        response=response, defaults={"notes": (notes or "")[:MAX_TEXT], "tags": cleaned}
    )
    return review


@transaction.atomic
def clarification_answer(
    *, actor: User, clarification: Clarification, answer: str
) -> Clarification:
    tender = tender_lock_for_officer(actor, clarification.consultation.tender)
    answer = (answer or "").strip()
    if not answer:
        raise ApplicationError(_("Write the answer."), extra={"field": "answer"})
    if not is_editable(tender, Edit.CLARIFICATIONS):
        raise Conflict(_("Clarifications are answered while the consultation runs."))
    clarification.answer = answer[:MAX_TEXT]
    clarification.answered_at = timezone.now()
    clarification.answered_by = actor
    clarification.save()
    consultation = clarification.consultation
    inapp_send(
        key=f"clarification:{clarification.pk}:answered",
        users=Membership.objects.filter(
            supplier_id=clarification.asked_by_id, role=Membership.Role.REPRESENTATIVE
        ).values_list("user_id", flat=True),
        subject=_("Your question on “%(subject)s” is answered") % {"subject": consultation.subject},
        body=clarification.answer[:500],
        link=reverse("consultation-detail", args=[consultation.pk]),
    )
    return clarification


# --- the suppliers' side -----------------------------------------------------------------------


def _ensure_window(consultation: Consultation, now: dt.datetime) -> None:
    """Server time decides whether the consultation takes answers."""
    tender = consultation.tender
    published = is_editable(tender, Edit.RESPONSES)
    if consultation.closes_at is not None and now >= consultation.closes_at:
        raise Conflict(
            _("The consultation closed at %(when)s: answers can no longer be changed.")
            % {
                "when": timezone.localtime(consultation.closes_at, tender.city.zone).strftime(
                    "%d/%m/%Y %H:%M"
                )
            },
            reasons=[_("The consultation is closed (LCSP art. 115).")],
        )
    if not published or consultation.opens_at is None or now < consultation.opens_at:
        raise Conflict(
            _("The consultation is not open for answers."),
            reasons=[_("The consultation is not open yet.")],
        )


def _lock_own_response(actor: User, response: Response, now) -> Response:
    supplier = supplier_of(actor)
    locked = (
        Response.objects.select_for_update()
        .select_related("consultation__tender__city")
        .filter(pk=response.pk, supplier=supplier)
        .first()
    )
    if locked is None:
        raise NotFound(_("Response not found."))
    locked.supplier = supplier
    _ensure_window(locked.consultation, now)
    return locked


@transaction.atomic
def response_start(
    *, actor: User, consultation: Consultation, answers: list[dict] | None = None, now=None
) -> Response:
    """The supplier's response to ``consultation``: its existing one, or a new draft; with
    ``answers``, saved as ``response_save`` saves them, in the same transaction.

    Returns the response with its answers and files loaded, ready to show.
    """
    now = now or timezone.now()
    supplier = supplier_of(actor)
    consultation = Consultation.objects.select_related("tender__city").get(pk=consultation.pk)
    response = (
        Response.objects.select_for_update(of=("self",))
        .filter(consultation=consultation, supplier=supplier)
        .first()
    )
    created = False
    if response is None:
        _ensure_window(consultation, now)
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    consultation=consultation, supplier=supplier, created_by=actor
                )
            created = True
        except IntegrityError:
            # The same supplier's other request created it meanwhile (one response per
            # supplier and consultation is a database constraint): use that one.
            response = Response.objects.select_for_update(of=("self",)).get(
                consultation=consultation, supplier=supplier
            )
    response.consultation = consultation
    response.supplier = supplier
    if answers:
        if not created:
            _ensure_window(consultation, now)
        _answers_write(actor=actor, response=response, answers=answers, now=now, new=created)
    _load_content(response)
    return response


def _load_content(response: Response) -> None:
    """Load what is shown of ``response`` with it: its answers in question order, its files."""
    prefetch_related_objects(
        [response],
        Prefetch("answers", queryset=Answer.objects.order_by("question__order")),
        "attachments",
    )


def _scientific(text: str) -> Decimal | None:
    """``1e6`` and the like, which ``parse_amount`` does not read; ``None`` for other text."""
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return None


def _clean_answer(question: Question, value: Any) -> Any:
    if value is None or value == "" or value == []:
        return None
    kind = question.kind
    if kind == Question.Kind.TEXT:
        text = str(value)
        if len(text) > MAX_TEXT:
            raise ApplicationError(
                _("Question %(n)d: at most 20,000 characters.") % {"n": question.order}
            )
        return text
    if kind == Question.Kind.NUMBER:
        try:
            # Spanish (1.000,50 · 18,50) or plain (1000.50), read as amounts are; JSON numbers
            # as they are.
            number = parse_amount(value)
        except ValueError:
            number = _scientific(str(value))
        if number is None:
            raise ApplicationError(
                _("Question %(n)d: “%(v)s” is not a number.")
                % {"n": question.order, "v": str(value)[:40]}
            )
        if not number.is_finite() or abs(number) > Decimal("1e15"):
            raise ApplicationError(
                _("Question %(n)d: the number is out of range.") % {"n": question.order}
            )
        return str(number)
    if kind == Question.Kind.SINGLE:
        if str(value) not in question.choices:
            raise ApplicationError(
                _("Question %(n)d: choose one of the options given.") % {"n": question.order}
            )
        return str(value)
    if kind == Question.Kind.MULTIPLE:
        values = value if isinstance(value, list) else [value]
        chosen = [str(v) for v in values]
        if any(v not in question.choices for v in chosen):
            raise ApplicationError(
                _("Question %(n)d: choose among the options given.") % {"n": question.order}
            )
        return list(dict.fromkeys(chosen))
    raise ApplicationError(
        _("Question %(n)d takes a file: attach it instead.") % {"n": question.order}
    )


@transaction.atomic
def response_save(*, actor: User, response: Response, answers: list[dict], now=None) -> Response:
    """Save answers (``[{question, value, confidential}]``) as they are; a draft stays a draft
    and a submitted response stays submitted, with its new content, until the closing time."""
    now = now or timezone.now()
    locked = _lock_own_response(actor, response, now)
    _answers_write(actor=actor, response=locked, answers=answers, now=now, new=False)
    return locked


def _answers_write(*, actor: User, response: Response, answers: list[dict], now, new: bool) -> None:
    """Check and store ``answers`` on the locked ``response`` (``new``: it has none yet).

    The audit row of a change to a submitted response is the last write, since its append
    holds the audit chain's lock until COMMIT."""
    if not isinstance(answers, list):
        raise ApplicationError(_("answers must be a list of {question, value, confidential}."))
    questions = {q.pk: q for q in Question.objects.filter(consultation_id=response.consultation_id)}
    cleaned: dict[int, tuple[Question, Any, bool]] = {}
    for item in answers:
        if not isinstance(item, dict) or "question" not in item:
            raise ApplicationError(_("Each answer needs its question."))
        try:
            question = questions[int(item["question"])]
        except (KeyError, TypeError, ValueError) as error:
            raise ApplicationError(
                _("Question %(q)s is not in this consultation.")
                % {"q": str(item.get("question"))[:20]}
            ) from error
        value = (
            None
            if question.kind == Question.Kind.FILE
            else _clean_answer(question, item.get("value"))
        )
        # A question given twice keeps its last answer.
        cleaned[question.pk] = (question, value, bool(item.get("confidential", False)))
    existing = (
        {} if new else {a.question_id: a for a in response.answers.filter(question_id__in=cleaned)}
    )
    to_create, to_update = [], []
    for question, value, confidential in cleaned.values():
        answer = existing.get(question.pk)
        if answer is None:
            to_create.append(
                Answer(response=response, question=question, value=value, confidential=confidential)
            )
        elif answer.value != value or answer.confidential != confidential:
            answer.value, answer.confidential = value, confidential
            to_update.append(answer)
    if to_create:
        Answer.objects.bulk_create(to_create)
    if to_update:
        Answer.objects.bulk_update(to_update, ["value", "confidential"])
    for question, _value, confidential in cleaned.values():
        if question.kind == Question.Kind.FILE and not new:
            response.attachments.filter(question=question).update(confidential=confidential)
    if not new:
        response.save(update_fields=["updated_at"])
    if response.status == Response.Status.SUBMITTED:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CHANGE,
            target=response,
            name="response_edit",
            at=now,
        )


def _missing_required(response: Response) -> list[int]:
    """Order numbers of the required questions ``response`` leaves unanswered (its answers and
    files loaded by ``_load_content``)."""
    answered = {a.question_id for a in response.answers.all() if a.value not in (None, "", [])}
    with_files = {a.question_id for a in response.attachments.all()}
    return [
        q.order
        for q in response.consultation.questions.filter(required=True)
        if (q.pk not in with_files if q.kind == Question.Kind.FILE else q.pk not in answered)
    ]


@transaction.atomic
def response_submit(*, actor: User, response: Response, now=None) -> Response:
    """Submit the supplier's response if every required question is answered.

    Returns it with its answers and files loaded, ready to show."""
    now = now or timezone.now()
    locked = _lock_own_response(actor, response, now)
    _load_content(locked)
    missing = _missing_required(locked)
    if missing:
        raise Conflict(
            _("Answer the required questions first."),
            reasons=[
                _("Required questions unanswered: %(n)s.") % {"n": ", ".join(map(str, missing))}
            ],
        )
    return status_change(
        locked,
        move="response_submit",
        actor=actor,
        now=now,
        lock=False,
        update_fields=["updated_at"],
    )


@transaction.atomic
def response_withdraw(*, actor: User, response: Response, now=None) -> Response:
    now = now or timezone.now()
    locked = _lock_own_response(actor, response, now)
    return status_change(
        locked,
        move="response_withdraw",
        actor=actor,
        now=now,
        lock=False,
        update_fields=["updated_at"],
    )


@transaction.atomic
def attachment_add(
    *,
    actor: User,
    response: Response,
    upload,
    question: Question | None = None,
    confidential: bool = False,
    now=None,
) -> Attachment:
    """Attach a file: size and type (from the content) checked, name sanitised, stored privately."""
    now = now or timezone.now()
    locked = _lock_own_response(actor, response, now)
    if question is not None and question.consultation_id != locked.consultation_id:
        raise NotFound(_("Question not found."))
    if upload is None:
        raise ApplicationError(_("Choose a file."), extra={"field": "file"})
    if locked.attachments.count() >= 20:
        raise ApplicationError(_("A response takes at most 20 files."), extra={"field": "file"})
    checked = upload_check(upload, field="file")
    attachment = Attachment(
        response=locked,
        question=question,
        name=checked.name,
        content_type=checked.content_type,
        size=upload.size,
        sha256=checked.sha256,
        confidential=bool(confidential),
    )
    attachment.file.save(checked.name, upload, save=False)
    attachment.save()
    locked.save(update_fields=["updated_at"])
    return attachment


@transaction.atomic
def attachment_remove(*, actor: User, attachment: Attachment, now=None) -> None:
    now = now or timezone.now()
    _lock_own_response(actor, attachment.response, now)
    stored = attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: attachment.file.storage.delete(stored))


@transaction.atomic
def clarification_ask(
    *, actor: User, consultation: Consultation, question: str, now=None
) -> Clarification:
    now = now or timezone.now()
    supplier = supplier_of(actor)
    consultation = Consultation.objects.select_related("tender__city").get(pk=consultation.pk)
    _ensure_window(consultation, now)
    text = (question or "").strip()
    if not text or len(text) > 5000:
        raise ApplicationError(
            _("Write the question (at most 5,000 characters)."), extra={"field": "question"}
        )
    clarification = Clarification.objects.create(
        consultation=consultation, asked_by=supplier, question=text
    )
    # The city's officers answer it: they hear of it in the app (the asker stays unnamed).
    inapp_send(
        key=f"clarification:{clarification.pk}:asked",
        users=Membership.objects.filter(
            city_id=consultation.tender.city_id, role=Membership.Role.OFFICER
        ).values_list("user_id", flat=True),
        subject=_("A supplier asked about “%(subject)s”") % {"subject": consultation.subject},
        body=text[:500],
        link=reverse("consultation-detail", args=[consultation.pk]),
    )
    return clarification
