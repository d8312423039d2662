"""Web pages of market consultations: the suppliers' portal, and the officers' draft, report
and review."""

import datetime as dt
import zoneinfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from procurement.accounts.models import City
from procurement.core import formatting
from procurement.core.exceptions import ApplicationError, NotFound
from procurement.core.ids import id_from_text
from procurement.core.paging import page_rows
from procurement.core.public_cache import content_digest, user_page
from tenders.consultation.api import (
    attachment_file_response,
    consultation_phase,
    consultation_phase_label,
)
from tenders.consultation.exports import responses_csv, responses_xlsx
from tenders.consultation.models import Clarification, Question, Response, SupplierSubscription
from tenders.consultation.selectors import (
    attachment_get_for_user,
    consultation_get_for_user,
    consultation_list_for_user,
    consultation_report_data,
    response_get_for_user,
    responses_for_user,
)
from tenders.consultation.services import (
    attachment_add,
    attachment_remove,
    clarification_answer,
    clarification_ask,
    consultation_report_save,
    consultation_save,
    question_delete,
    question_save,
    question_summaries_save,
    response_review_save,
    response_save,
    response_start,
    response_submit,
    response_withdraw,
)
from tenders.consultation.subscriptions import subscription_save
from tenders.procedures import Edit, is_editable
from tenders.process.common import supplier_of
from tenders.process.forms import ConsultationForm, ProcessSearchForm, ReportForm
from tenders.process.selectors import tender_get_private_for_user


def _access(request, pk):
    try:
        return consultation_get_for_user(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error


def _city_access(request, pk):
    access = _access(request, pk)
    if not access.city:
        raise Http404
    return access


# What the list's cards and lines show: not the report, the background or the process's forty
# columns.
CARD_COLUMNS = (
    "id",
    "subject",
    "cpv_codes",
    "closes_at",
    "report_published_at",
    "tender__city__name",
    "tender__city__timezone",
)


def _cards(rows: list[dict], *, now: dt.datetime | None = None) -> list[dict]:
    """What the list shows of each consultation (rows of ``CARD_COLUMNS``), worked out here
    rather than by template filters row by row. Given ``now`` (the open ones), also when it
    closes, in words worked out once per moment and city time zone (consultations often close
    at the same hour)."""
    closings: dict[tuple[dt.datetime, str], tuple[str, str, str]] = {}

    def closing(moment: dt.datetime, zone: str) -> tuple[str, str, str]:
        words = closings.get((moment, zone))
        if words is None:
            words = closings[moment, zone] = (
                formatting.city_datetime(moment, zoneinfo.ZoneInfo(zone)),
                timezone.localtime(moment).isoformat(),
                _("in %(left)s") % {"left": timeuntil(moment, now)},
            )
        return words

    cards = []
    for row in rows:
        pk = row["id"]
        closes, closes_iso, left = (
            closing(row["closes_at"], row["tender__city__timezone"]) if now else ("", "", "")
        )
        cards.append(
            {
                "url": reverse("consultation-detail", args=[pk]),
                "report_url": (
                    reverse("consultation-report", args=[pk]) if row["report_published_at"] else ""
                ),
                "subject": row["subject"],
                "city": row["tender__city__name"],
                "cpv_codes": ", ".join(map(str, row["cpv_codes"])),
                "closes": closes,
                "closes_iso": closes_iso,
                "left": left,
            }
        )
    return cards


@user_page
def consultation_list(request):
    """Open consultations soonest closing first, then closed ones newest first: 25 a page each
    (``?page=``, ``?closed=``), read without counting the whole list."""
    now = timezone.now()
    # The city select is written by ``select_options`` (the form's own widget is not shown).
    cities = City.objects.order_by("name").values("name", "slug")
    form = ProcessSearchForm(request.GET if ProcessSearchForm.asked(request.GET) else None)
    search = form.search() if form.is_bound and form.is_valid() else {}
    cpv, city = search.get("cpv", ""), search.get("city", "")
    search = {
        "text": search.get("text", ""),
        "procedure": search.get("procedure", ""),
        "stage": search.get("stage", ""),
        "date_from": search.get("date_from"),
        "date_to": search.get("date_to"),
    }
    open_items = consultation_list_for_user(
        user=request.user, open_only=True, cpv=cpv, city=city, now=now, **search
    )
    closing = request.GET.get("closing_within", "")
    if closing.isascii() and closing.isdigit() and len(closing) <= 5:
        open_items = open_items.filter(closes_at__lte=now + dt.timedelta(days=int(closing)))
    past = (
        consultation_list_for_user(
            user=request.user, published_only=True, city=city, cpv=cpv, **search
        )
        .filter(closes_at__lte=now)
        .order_by("-closes_at", "-pk")
    )
    open_page = page_rows(request, open_items.values(*CARD_COLUMNS))
    past_page = page_rows(request, past.values(*CARD_COLUMNS), param="closed")
    open_cards, past_cards, cities = (
        _cards(open_page.rows, now=now),
        _cards(past_page.rows),
        list(cities),
    )
    return render(
        request,
        "tenders/consultations/list.html",
        {
            "open_items": open_cards,
            "open_pager": open_page,
            "past": past_cards,
            "past_pager": past_page,
            "cities": cities,
            # The parts drawn from these are drawn again only when these change.
            "open_digest": content_digest(open_cards),
            "past_digest": content_digest(past_cards),
            "cities_digest": content_digest(cities),
            "form": form,
            "cpv": cpv,
            "city": city,
            "closing_within": closing,
        },
    )


def consultation_detail(request, pk: int):
    access = _access(request, pk)
    consultation = access.consultation
    clarifications = consultation.clarifications.all()
    if not access.city:
        # Others' questions appear once answered; a supplier also sees its own still waiting.
        clarifications = clarifications.filter(
            ~Q(answer="") | Q(asked_by_id__in=access.supplier_ids)
        )
    own = None
    if access.is_supplier:
        own = consultation.responses.filter(supplier_id__in=access.supplier_ids).first()
    return render(
        request,
        "tenders/consultations/detail.html",
        {
            "consultation": consultation,
            "access": access,
            "phase": consultation_phase(consultation),
            "phase_label": consultation_phase_label(consultation_phase(consultation)),
            "questions": consultation.questions.all(),
            "clarifications": clarifications,
            "own": own,
        },
    )


class ResponseForm(forms.Form):
    """One field (and a confidentiality box) per question, built from the questionnaire."""

    def __init__(self, *args, questions, response=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        answers = {a.question_id: a for a in response.answers.all()} if response else {}
        for question in self.questions:
            answer = answers.get(question.pk)
            name = f"q{question.pk}"
            label = f"{question.order}. {question.text}"
            initial = answer.value if answer else None
            field: forms.Field
            if question.kind == Question.Kind.TEXT:
                field = forms.CharField(
                    label=label,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    max_length=20000,
                )
            elif question.kind == Question.Kind.NUMBER:
                field = forms.CharField(
                    label=label,
                    required=False,
                    max_length=40,
                    widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                )
            elif question.kind == Question.Kind.SINGLE:
                field = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=[("", "—"), *[(c, c) for c in question.choices]],
                    widget=forms.RadioSelect,
                )
            elif question.kind == Question.Kind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    label=label,
                    required=False,
                    choices=[(c, c) for c in question.choices],
                    widget=forms.CheckboxSelectMultiple,
                )
            else:
                field = forms.FileField(label=label, required=False)
            field.help_text = question.help_text
            field.initial = initial
            self.fields[name] = field
            self.fields[f"{name}_confidential"] = forms.BooleanField(
                label=gettext_lazy("Confidential (technical or commercial secret)"),
                required=False,
                initial=bool(answer and answer.confidential),
            )

    def rows(self):
        for question in self.questions:
            yield question, self[f"q{question.pk}"], self[f"q{question.pk}_confidential"]

    def answers(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "question": q.pk,
                "value": None if q.kind == Question.Kind.FILE else data.get(f"q{q.pk}"),
                "confidential": data.get(f"q{q.pk}_confidential", False),
            }
            for q in self.questions
        ]


@login_required
def response_edit(request, pk: int):
    """The supplier's own response: save a draft, submit, withdraw, attach files."""
    access = _access(request, pk)
    consultation = access.consultation
    if not access.is_supplier:
        raise Http404
    response = consultation.responses.filter(supplier_id__in=access.supplier_ids).first()
    questions = consultation.questions.all()
    form = ResponseForm(
        request.POST or None, request.FILES or None, questions=questions, response=response
    )
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if response is None:
                response = response_start(actor=request.user, consultation=consultation)
            if action == "withdraw":
                response_withdraw(actor=request.user, response=response)
                messages.success(request, _("Your response was withdrawn."))
                return redirect("consultation-respond", pk=consultation.pk)
            if form.is_valid():
                response_save(actor=request.user, response=response, answers=form.answers())
                for question in questions:
                    upload = request.FILES.get(f"q{question.pk}")
                    if question.kind == Question.Kind.FILE and upload:
                        attachment_add(
                            actor=request.user,
                            response=response,
                            upload=upload,
                            question=question,
                            confidential=form.cleaned_data.get(
                                f"q{question.pk}_confidential", False
                            ),
                        )
                if action == "submit":
                    response_submit(actor=request.user, response=response)
                    messages.success(request, _("Your response was submitted."))
                else:
                    messages.success(request, _("Saved."))
                return redirect("consultation-respond", pk=consultation.pk)
        except ApplicationError as refused:
            error = refused
    if response is not None:
        response.refresh_from_db()
    return render(
        request,
        "tenders/consultations/respond.html",
        {
            "consultation": consultation,
            "form": form,
            "response": response,
            "error": error,
            "phase": consultation_phase(consultation),
            "attachments": response.attachments.all() if response else [],
        },
        status=error.status_code if error else 200,
    )


@login_required
@require_POST
def attachment_delete(request, pk: int):
    try:
        attachment = attachment_get_for_user(user=request.user, pk=pk)
        consultation_id = attachment.response.consultation_id
        attachment_remove(actor=request.user, attachment=attachment)
    except NotFound as error:
        raise Http404(error.message) from error
    except ApplicationError as refused:
        messages.error(request, refused.message)
        return redirect("consultation-respond", pk=attachment.response.consultation_id)
    messages.success(request, _("File removed."))
    return redirect("consultation-respond", pk=consultation_id)


@login_required
def attachment_download(request, pk: int):
    try:
        attachment = attachment_get_for_user(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    return attachment_file_response(attachment)


@login_required
def my_responses(request):
    responses = (
        Response.objects.filter(
            supplier__memberships__user=request.user, supplier__memberships__role="representative"
        )
        .select_related("consultation__tender__city")
        .order_by("-updated_at")
    )
    return render(request, "tenders/consultations/my_responses.html", {"responses": responses})


@login_required
@require_POST
def clarification_new(request, pk: int):
    access = _access(request, pk)
    try:
        clarification_ask(
            actor=request.user,
            consultation=access.consultation,
            question=request.POST.get("question", ""),
        )
    except ApplicationError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("Your question was sent. The answer will be published for every participant."),
        )
    return redirect("consultation-detail", pk=pk)


@login_required
@require_POST
def clarification_reply(request, pk: int, clarification_id: int):
    access = _city_access(request, pk)
    item = Clarification.objects.filter(
        pk=clarification_id, consultation=access.consultation
    ).first()
    if item is None:
        raise Http404
    try:
        clarification_answer(
            actor=request.user, clarification=item, answer=request.POST.get("answer", "")
        )
    except ApplicationError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The answer is published."))
    return redirect("consultation-detail", pk=pk)


@login_required
def responses_table(request, pk: int):
    access = _city_access(request, pk)
    consultation = access.consultation
    responses = responses_for_user(user=request.user, consultation=consultation)
    tag = request.GET.get("tag", "")
    rows = []
    for response in responses:
        review = getattr(response, "review", None)
        tags = review.tags if review else []
        if tag and tag not in tags:
            continue
        rows.append((response, tags))
    return render(
        request,
        "tenders/consultations/responses.html",
        {
            "consultation": consultation,
            "rows": rows,
            "tag": tag,
            "questions": consultation.questions.select_related("summary"),
            "can_summarise": is_editable(consultation.tender, Edit.SUMMARIES)
            and request.user.has_perm("tenders.act_officer", consultation.tender),
        },
    )


@login_required
def response_review(request, pk: int, response_id: int):
    access = _city_access(request, pk)
    try:
        response, own = response_get_for_user(user=request.user, pk=response_id)
    except NotFound as error:
        raise Http404(error.message) from error
    if own or response.consultation_id != access.consultation.pk:
        raise Http404
    review = getattr(response, "review", None)
    if request.method == "POST":
        response_review_save(
            actor=request.user,
            response=response,
            notes=request.POST.get("notes", ""),
            tags=request.POST.get("tags", ""),
        )
        messages.success(request, _("Review saved."))
        return redirect("consultation-response-review", pk=pk, response_id=response_id)
    answers = {a.question_id: a for a in response.answers.all()}
    files: dict = {}
    for attachment in response.attachments.all():
        files.setdefault(attachment.question_id, []).append(attachment)
    items = [
        (q, answers.get(q.pk), files.get(q.pk, [])) for q in access.consultation.questions.all()
    ]
    return render(
        request,
        "tenders/consultations/review.html",
        {
            "consultation": access.consultation,
            "response": response,
            "items": items,
            "review": review,
        },
    )


@login_required
@require_POST
def summaries_save(request, pk: int):
    access = _city_access(request, pk)
    try:
        question_summaries_save(
            actor=request.user,
            consultation=access.consultation,
            summaries={
                question.pk: request.POST.get(f"summary_{question.pk}", "")
                for question in access.consultation.questions.all()
            },
        )
    except ApplicationError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Summaries saved."))
    return redirect("consultation-responses", pk=pk)


@login_required
def responses_export(request, pk: int, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    access = _city_access(request, pk)
    responses = list(responses_for_user(user=request.user, consultation=access.consultation))
    if fmt == "csv":
        body, content_type = (
            responses_csv(access.consultation, responses),
            "text/csv; charset=utf-8",
        )
    else:
        body = responses_xlsx(access.consultation, responses)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    reply = HttpResponse(body, content_type=content_type)
    reply["Content-Disposition"] = f'attachment; filename="consultation-{pk}-responses.{fmt}"'
    reply["X-Content-Type-Options"] = "nosniff"
    return reply


def consultation_report(request, pk: int):
    access = _access(request, pk)
    if access.consultation.report_published_at is None and not access.city:
        raise Http404
    return render(
        request,
        "tenders/consultations/report.html",
        {
            "consultation": access.consultation,
            "report": consultation_report_data(consultation=access.consultation),
            "draft": access.consultation.report_published_at is None,
        },
    )


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Question"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Question.Kind.choices)
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False)
    choices = forms.CharField(
        label=gettext_lazy("Choices (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10000,
    )


@login_required
def consultation_edit(request, pk: int):
    """The officers' draft of the process's consultation, or its report once it has closed."""
    try:
        tender = tender_get_private_for_user(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    if not request.user.has_perm("tenders.act_officer", tender):
        raise Http404
    consultation = tender.consultation_for_engine()
    writing_report = is_editable(tender, Edit.REPORT)
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


@login_required
def questions_edit(request, pk: int):
    """The officers' questionnaire editor, while the consultation is a draft: add, edit
    (``?edit=<question>``) and delete questions. A refused question is shown again as typed."""
    try:
        tender = tender_get_private_for_user(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    consultation = tender.consultation_for_engine()
    if consultation is None or not request.user.has_perm("tenders.act_officer", tender):
        raise Http404
    editing = None
    wanted = request.POST.get("question_id") or request.GET.get("edit") or ""
    if wanted:
        editing = consultation.questions.filter(pk=int(wanted) if wanted.isdigit() else 0).first()
        if editing is None:
            raise Http404
    if request.method == "POST":
        form = QuestionForm(request.POST)
    elif editing is not None:
        form = QuestionForm(
            initial={
                "text": editing.text,
                "kind": editing.kind,
                "required": editing.required,
                "choices": "\n".join(editing.choices or []),
            }
        )
    else:
        form = QuestionForm()
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("delete"):
                question = consultation.questions.filter(pk=request.POST["delete"]).first()
                if question is None:
                    raise Http404
                question_delete(actor=request.user, question=question)
                messages.success(request, _("Question deleted."))
                return redirect("tender-questions", pk=pk)
            if form.is_valid():
                data = form.cleaned_data
                question_save(
                    actor=request.user,
                    consultation=consultation,
                    question=editing,
                    text=data["text"],
                    kind=data["kind"],
                    required=data["required"],
                    choices=[c for c in data["choices"].splitlines() if c.strip()],
                )
                messages.success(request, _("Question saved.") if editing else _("Question added."))
                return redirect("tender-questions", pk=pk)
            status = 400
        except ApplicationError as refused:
            field = (refused.extra or {}).get("field")
            form.add_error(field if field in form.fields else None, refused.message)
            status = refused.status_code if refused.status_code != 404 else 400
    return render(
        request,
        "tenders/consultations/questions.html",
        {
            "tender": tender,
            "consultation": consultation,
            "questions": consultation.questions.all(),
            "form": form,
            "editing": editing,
            "editable": is_editable(tender, Edit.CONSULTATION),
        },
        status=status,
    )


@login_required
def supplier_subscriptions(request):
    try:
        supplier = supplier_of(request.user)
    except ApplicationError as error:
        raise Http404 from error
    subscription = SupplierSubscription.objects.filter(supplier=supplier).first()
    cities = City.objects.order_by("name")
    if request.method == "POST":
        try:
            subscription_save(
                actor=request.user,
                supplier=supplier,
                cpv_prefixes=[
                    c
                    for c in request.POST.get("cpv_prefixes", "").replace(",", "\n").splitlines()
                    if c.strip()
                ],
                cities=list(
                    cities.filter(
                        pk__in=[
                            city_id
                            for c in request.POST.getlist("cities")
                            if (city_id := id_from_text(c)) is not None
                        ]
                    )
                ),
                email=request.POST.get("email", ""),
            )
        except ApplicationError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Subscriptions saved."))
            return redirect("supplier-subscriptions")
    return render(
        request,
        "tenders/consultations/subscriptions.html",
        {
            "supplier": supplier,
            "subscription": subscription,
            "cities": cities,
            "chosen": {c.pk for c in subscription.cities.all()} if subscription else set(),
        },
    )
