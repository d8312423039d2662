"""API of market consultations: list, draft, read; the questionnaire, the officers' review,
summaries and report; responses; attachments; clarifications; suppliers' subscriptions."""

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from procurement.accounts.models import City
from procurement.core.api import ModelSerializer, query_bool
from procurement.core.exceptions import ApplicationError, NotFound
from procurement.core.parsers import JSONParser
from procurement.core.public_cache import user_read
from tenders.consultation.models import (
    Clarification,
    Consultation,
    Question,
    QuestionSummary,
    Response,
    ResponseReview,
    SupplierSubscription,
)
from tenders.consultation.selectors import (
    attachment_get_for_user,
    consultation_get_for_city,
    consultation_get_for_user,
    consultation_list_for_user,
    consultation_report_data,
    question_get_for_city,
    response_get_for_user,
    responses_for_user,
    supplier_get_for_representative,
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
from tenders.process.api import SEARCH_PARAMETERS, search_of_request
from tenders.process.selectors import tender_get_private_for_user


class QuestionSerializer(ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "order", "text", "help_text", "kind", "required", "choices"]


class AdviserSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    reason = serializers.CharField(max_length=2000)


def consultation_phase_label(phase: str) -> str:
    """A phase of ``consultation_phase`` as a person reads it (the code stays in the API)."""
    labels = {
        "draft": pgettext("consultation phase", "draft"),
        "announced": pgettext("consultation phase", "announced"),
        "open": pgettext("consultation phase", "open"),
        "closed": pgettext("consultation phase", "closed"),
    }
    return labels.get(phase, phase)


def consultation_phase(consultation: Consultation, now=None) -> str:
    return phase_at(
        published_at=consultation.published_at,
        opens_at=consultation.opens_at,
        closes_at=consultation.closes_at,
        now=now or timezone.now(),
    )


def phase_at(*, published_at, opens_at, closes_at, now) -> str:
    """The phase of a consultation with these moments at ``now`` (``consultation_phase``)."""
    if published_at is None:
        return "draft"
    if closes_at and now >= closes_at:
        return "closed"
    if opens_at and now >= opens_at:
        return "open"
    return "announced"


class ConsultationSerializer(ModelSerializer):
    tender = serializers.IntegerField(source="tender_id", read_only=True)
    title = serializers.CharField(source="tender.title", read_only=True)
    city = serializers.CharField(source="tender.city.name", read_only=True)
    phase = serializers.SerializerMethodField()
    advisers = AdviserSerializer(many=True, read_only=True)

    class Meta:
        model = Consultation
        fields = [
            "id",
            "tender",
            "title",
            "city",
            "subject",
            "background",
            "opens_at",
            "closes_at",
            "advisers",
            "cpv_codes",
            "phase",
            "published_at",
            "report_published_at",
        ]

    def get_phase(self, consultation) -> str:
        return consultation_phase(consultation)


# The columns ``ConsultationSerializer`` reads: the list does not load the report or the
# process's forty columns only to show its title and city.
LIST_COLUMNS = [
    *(
        name
        for name in ConsultationSerializer.Meta.fields
        if name not in ("tender", "title", "city", "phase")
    ),
    "tender_id",
    "tender__title",
    "tender__city__name",
]


def api_datetime(value, zone) -> str | None:
    """``value`` as DRF's ``DateTimeField`` writes it (ISO 8601 in ``zone``, UTC as ``Z``), for
    a database's aware date-time or ``None``."""
    if not value:
        return None
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _text(value) -> str | None:
    return None if value is None else str(value)


def consultation_list_items(rows, *, now) -> list[dict]:
    """``ConsultationSerializer``'s output for rows of ``LIST_COLUMNS`` read as values.

    Building models and running the serializer over them cost as much as the list's query:
    the list writes the same JSON from plain rows. ``tests/api`` compares both."""
    zone = timezone.get_current_timezone()
    return [
        {
            "id": row["id"],
            "tender": row["tender_id"],
            "title": row["tender__title"],
            "city": row["tender__city__name"],
            "subject": row["subject"],
            "background": row["background"],
            "opens_at": api_datetime(row["opens_at"], zone),
            "closes_at": api_datetime(row["closes_at"], zone),
            "advisers": [
                {"name": _text(adviser["name"]), "reason": _text(adviser["reason"])}
                for adviser in row["advisers"]
            ],
            "cpv_codes": row["cpv_codes"],
            "phase": phase_at(
                published_at=row["published_at"],
                opens_at=row["opens_at"],
                closes_at=row["closes_at"],
                now=now,
            ),
            "published_at": api_datetime(row["published_at"], zone),
            "report_published_at": api_datetime(row["report_published_at"], zone),
        }
        for row in rows
    ]


class ClarificationSerializer(ModelSerializer):
    """Never names the asker (LCSP art. 115: equal information for every participant)."""

    class Meta:
        model = Clarification
        fields = ["id", "question", "answer", "answered_at", "created_at"]


class ConsultationDetailSerializer(ConsultationSerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta(ConsultationSerializer.Meta):
        fields = [*ConsultationSerializer.Meta.fields, "questions"]


class QuestionInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    kind = serializers.ChoiceField(choices=Question.Kind.choices, default=Question.Kind.TEXT)
    required = serializers.BooleanField(default=False)  # type: ignore[assignment]
    choices = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=50
    )
    help_text = serializers.CharField(  # type: ignore[assignment]
        max_length=2000, required=False, allow_blank=True, default=""
    )


class ConsultationCreateSerializer(serializers.Serializer):
    tender = serializers.IntegerField()
    subject = serializers.CharField(max_length=300)
    background = serializers.CharField(
        max_length=20000, required=False, allow_blank=True, default=""
    )
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    advisers = AdviserSerializer(many=True, required=False, default=list)
    cpv_codes = serializers.ListField(
        child=serializers.CharField(max_length=12), required=False, default=list, max_length=50
    )
    questions = QuestionInputSerializer(many=True, required=False, default=list)

    def validate(self, attrs):
        if attrs["closes_at"] <= attrs["opens_at"]:
            raise serializers.ValidationError(
                {"closes_at": _("The consultation must close after it opens.")}
            )
        if attrs["closes_at"] <= timezone.now():
            raise serializers.ValidationError(
                {"closes_at": _("The closing time has already passed.")}
            )
        return attrs


class ConsultationListView(ListAPIView):
    """Published consultations (``?open=true`` for those taking answers now); a city's people
    also see their drafts. ``POST``: an officer drafts the consultation of a process."""

    serializer_class = ConsultationSerializer
    permission_classes = [AllowAny]

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "POST" else [AllowAny()]

    @extend_schema(parameters=[OpenApiParameter("open", bool), *SEARCH_PARAMETERS])
    @user_read
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        search = search_of_request(self.request)
        return consultation_list_for_user(
            user=self.request.user,
            open_only=bool(query_bool(self.request, "open")),
            cpv=search["cpv"],
            city=search["city"],
            text=search["text"],
            procedure=search["procedure"],
            stage=search["stage"],
            date_from=search["date_from"],
            date_to=search["date_to"],
        ).values(*LIST_COLUMNS)

    def list(self, request, *args, **kwargs):
        rows = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(consultation_list_items(rows, now=timezone.now()))

    @extend_schema(
        request=ConsultationCreateSerializer, responses={201: ConsultationDetailSerializer}
    )
    def post(self, request):
        serializer = ConsultationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        tender = tender_get_private_for_user(user=request.user, pk=data["tender"])
        consultation = consultation_save(
            actor=request.user,
            tender=tender,
            subject=data["subject"],
            background=data["background"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            advisers=data["advisers"],
            cpv_codes=data["cpv_codes"],
        )
        if data["questions"]:
            for question in list(consultation.questions.all()):
                question_delete(actor=request.user, question=question)
            for item in data["questions"]:
                question_save(actor=request.user, consultation=consultation, **item)
        return ApiResponse(
            ConsultationDetailSerializer(consultation).data, status=status.HTTP_201_CREATED
        )


class ConsultationUpdateSerializer(serializers.Serializer):
    """A change to a drafted consultation: the fields given replace the draft's, the others
    stay as they are (the questions have their own operations)."""

    subject = serializers.CharField(max_length=300, required=False)
    background = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    opens_at = serializers.DateTimeField(required=False)
    closes_at = serializers.DateTimeField(required=False)
    advisers = AdviserSerializer(many=True, required=False)
    cpv_codes = serializers.ListField(
        child=serializers.CharField(max_length=12), required=False, max_length=50
    )


class ConsultationDetailView(APIView):
    """``GET``: the consultation, for everyone who may read it. ``PATCH``: its city's officers
    change the draft until it is published (what the process page's consultation form does)."""

    permission_classes = [AllowAny]

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "PATCH" else [AllowAny()]

    @extend_schema(responses=ConsultationDetailSerializer)
    def get(self, request, pk: int):
        access = consultation_get_for_user(user=request.user, pk=pk)
        return ApiResponse(ConsultationDetailSerializer(access.consultation).data)

    @extend_schema(request=ConsultationUpdateSerializer, responses=ConsultationDetailSerializer)
    def patch(self, request, pk: int):
        consultation = consultation_get_for_city(user=request.user, pk=pk).consultation
        serializer = ConsultationUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        given = serializer.validated_data
        values = {
            field: given.get(field, getattr(consultation, field))
            for field in ("subject", "background", "opens_at", "closes_at", "advisers", "cpv_codes")
        }
        # The web form's checks, on the draft as it would become.
        if values["opens_at"] and values["closes_at"] and values["closes_at"] <= values["opens_at"]:
            raise ApplicationError(
                _("The consultation must close after it opens."), extra={"field": "closes_at"}
            )
        if "closes_at" in given and given["closes_at"] <= timezone.now():
            raise ApplicationError(
                _("The closing time has already passed."), extra={"field": "closes_at"}
            )
        consultation = consultation_save(actor=request.user, tender=consultation.tender, **values)
        return ApiResponse(ConsultationDetailSerializer(consultation).data)


class ConsultationQuestionsView(APIView):
    """``POST``: its city's officers add a question at the end of a drafted questionnaire."""

    @extend_schema(request=QuestionInputSerializer, responses={201: QuestionSerializer})
    def post(self, request, pk: int):
        consultation = consultation_get_for_city(user=request.user, pk=pk).consultation
        serializer = QuestionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question = question_save(
            actor=request.user, consultation=consultation, **serializer.validated_data
        )
        return ApiResponse(QuestionSerializer(question).data, status=status.HTTP_201_CREATED)


class QuestionUpdateSerializer(QuestionInputSerializer):
    text = serializers.CharField(max_length=5000, required=False)
    kind = serializers.ChoiceField(choices=Question.Kind.choices, required=False)
    required = serializers.BooleanField(required=False)  # type: ignore[assignment]
    choices = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=50
    )
    help_text = serializers.CharField(  # type: ignore[assignment]
        max_length=2000, required=False, allow_blank=True
    )


class QuestionDetailView(APIView):
    """One question of a drafted questionnaire: ``PATCH`` it, ``DELETE`` it (the others are
    renumbered). Its city's officers only, while the consultation is a draft; the
    consultation's detail lists the questions."""

    @extend_schema(request=QuestionUpdateSerializer, responses=QuestionSerializer)
    def patch(self, request, pk: int):
        question = question_get_for_city(user=request.user, pk=pk)
        serializer = QuestionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = {
            field: serializer.validated_data.get(field, getattr(question, field))
            for field in ("text", "kind", "required", "choices", "help_text")
        }
        question = question_save(
            actor=request.user, consultation=question.consultation, question=question, **values
        )
        return ApiResponse(QuestionSerializer(question).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        question = question_get_for_city(user=request.user, pk=pk)
        question_delete(actor=request.user, question=question)
        return ApiResponse(status=status.HTTP_204_NO_CONTENT)


class ReportQuestionSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    text = serializers.CharField()
    summary = serializers.CharField()


class ReportSerializer(serializers.Serializer):
    """The report of LCSP art. 115.3: never an answer, never a confidential part."""

    subject = serializers.CharField()
    city = serializers.CharField()
    advisers = AdviserSerializer(many=True)
    entities = serializers.ListField(child=serializers.CharField())
    questions = ReportQuestionSerializer(many=True)
    report = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)


class ReportInputSerializer(serializers.Serializer):
    report = serializers.CharField(max_length=100000)


class ConsultationReportView(APIView):
    """``GET``: the report, for everyone once published, and for its city's officers and legal
    team while it is drafted. ``PUT``: its city's officers write its text after the
    consultation closes and before the report is published (LCSP art. 115.3)."""

    permission_classes = [AllowAny]

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "PUT" else [AllowAny()]

    @extend_schema(responses=ReportSerializer)
    def get(self, request, pk: int):
        access = consultation_get_for_user(user=request.user, pk=pk)
        if access.consultation.report_published_at is None and not access.city:
            raise NotFound(_("Consultation not found."))
        return ApiResponse(consultation_report_data(consultation=access.consultation))

    @extend_schema(request=ReportInputSerializer, responses=ReportSerializer)
    def put(self, request, pk: int):
        access = consultation_get_for_city(user=request.user, pk=pk)
        serializer = ReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consultation = consultation_report_save(
            actor=request.user,
            tender=access.consultation.tender,
            report=serializer.validated_data["report"],
        )
        return ApiResponse(consultation_report_data(consultation=consultation))


class SummaryInputSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    text = serializers.CharField(max_length=20000)


class SummariesInputSerializer(serializers.Serializer):
    summaries = SummaryInputSerializer(many=True, allow_empty=False, max_length=100)


class SummarySerializer(ModelSerializer):
    class Meta:
        model = QuestionSummary
        fields = ["question", "text", "updated_at"]


class ConsultationSummariesView(APIView):
    """``POST``: its city's officers write the non-confidential summaries of the answers, one
    per question, for the report (LCSP art. 115.3); the questions not given keep theirs."""

    @extend_schema(request=SummariesInputSerializer, responses=SummarySerializer(many=True))
    def post(self, request, pk: int):
        consultation = consultation_get_for_city(user=request.user, pk=pk).consultation
        serializer = SummariesInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = question_summaries_save(
            actor=request.user,
            consultation=consultation,
            summaries={
                item["question"]: item["text"] for item in serializer.validated_data["summaries"]
            },
        )
        return ApiResponse(SummarySerializer(saved, many=True).data)


class AnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    value = serializers.JSONField(allow_null=True, required=False)
    confidential = serializers.BooleanField(default=False)


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.IntegerField(source="question_id", allow_null=True)
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    confidential = serializers.BooleanField()


class ResponseSerializer(ModelSerializer):
    supplier = serializers.CharField(source="supplier.name", read_only=True)
    answers = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Response
        fields = [
            "id",
            "consultation",
            "supplier",
            "status",
            "submitted_at",
            "updated_at",
            "answers",
            "attachments",
        ]

    def get_answers(self, response) -> list[dict]:
        return [
            {"question": a.question_id, "value": a.value, "confidential": a.confidential}
            for a in response.answers.all()
        ]


class ResponsePatchSerializer(serializers.Serializer):
    answers = serializers.ListField(child=AnswerSerializer(), max_length=200)


class ConsultationResponsesView(APIView):
    """``GET``: the supplier's own response, or every submitted one for the owning city.
    ``POST``: a supplier starts its response (a draft), optionally with answers."""

    @extend_schema(responses=ResponseSerializer(many=True))
    def get(self, request, pk: int):
        access = consultation_get_for_user(user=request.user, pk=pk)
        if not access.city and not access.is_supplier:
            raise NotFound(_("Consultation not found."))
        responses = responses_for_user(user=request.user, consultation=access.consultation)
        return ApiResponse(ResponseSerializer(responses, many=True).data)

    @extend_schema(request=ResponsePatchSerializer, responses={201: ResponseSerializer})
    def post(self, request, pk: int):
        access = consultation_get_for_user(user=request.user, pk=pk)
        serializer = ResponsePatchSerializer(data=request.data or {"answers": []})
        serializer.is_valid(raise_exception=True)
        # One transaction for the draft and its answers; the service returns the supplier's
        # own response with its content loaded, so it is shown without reading it again.
        response = response_start(
            actor=request.user,
            consultation=access.consultation,
            answers=serializer.validated_data["answers"],
        )
        return ApiResponse(ResponseSerializer(response).data, status=status.HTTP_201_CREATED)


class ResponseDetailView(APIView):
    @extend_schema(responses=ResponseSerializer)
    def get(self, request, pk: int):
        response, _own = response_get_for_user(user=request.user, pk=pk)
        return ApiResponse(ResponseSerializer(response).data)

    @extend_schema(request=ResponsePatchSerializer, responses=ResponseSerializer)
    def patch(self, request, pk: int):
        response, own = response_get_for_user(user=request.user, pk=pk)
        if not own:
            raise NotFound(_("Response not found."))
        serializer = ResponsePatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        response_save(
            actor=request.user, response=response, answers=serializer.validated_data["answers"]
        )
        response, _own = response_get_for_user(user=request.user, pk=pk)
        return ApiResponse(ResponseSerializer(response).data)


class ReviewSerializer(serializers.Serializer):
    response = serializers.IntegerField(source="response_id", read_only=True)
    notes = serializers.CharField(max_length=20000, allow_blank=True, required=False, default="")
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=20, required=False, default=list
    )
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)


def _response_for_review(request, pk: int) -> Response:
    """A submitted response, for its city's officers and legal team; the supplier itself (and
    everyone else) gets the same 404 as for a missing one: the review is the city's."""
    response, own = response_get_for_user(user=request.user, pk=pk)
    if own:
        raise NotFound(_("Response not found."))
    return response


class ResponseReviewView(APIView):
    """The officers' review of one submitted response: notes and tags (``GET``, ``PUT``)."""

    @extend_schema(responses=ReviewSerializer)
    def get(self, request, pk: int):
        response = _response_for_review(request, pk)
        review = ResponseReview.objects.filter(response=response).first()
        return ApiResponse(
            ReviewSerializer(review or ResponseReview(response=response, updated_at=None)).data
        )

    @extend_schema(request=ReviewSerializer, responses=ReviewSerializer)
    def put(self, request, pk: int):
        response = _response_for_review(request, pk)
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = response_review_save(
            actor=request.user,
            response=response,
            notes=serializer.validated_data["notes"],
            tags=serializer.validated_data["tags"],
        )
        return ApiResponse(ReviewSerializer(review).data)


class ResponseSubmitView(APIView):
    @extend_schema(request=None, responses=ResponseSerializer)
    def post(self, request, pk: int):
        response, own = response_get_for_user(user=request.user, pk=pk)
        if not own:
            raise NotFound(_("Response not found."))
        submitted = response_submit(actor=request.user, response=response)
        return ApiResponse(ResponseSerializer(submitted).data)


class ResponseWithdrawView(APIView):
    @extend_schema(request=None, responses=ResponseSerializer)
    def post(self, request, pk: int):
        response, own = response_get_for_user(user=request.user, pk=pk)
        if not own:
            raise NotFound(_("Response not found."))
        response_withdraw(actor=request.user, response=response)
        response, _own = response_get_for_user(user=request.user, pk=pk)
        return ApiResponse(ResponseSerializer(response).data)


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    question = serializers.IntegerField(required=False, allow_null=True)
    confidential = serializers.BooleanField(default=False)


class ResponseAttachmentsView(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer},
    )
    def post(self, request, pk: int):
        response, own = response_get_for_user(user=request.user, pk=pk)
        if not own:
            raise NotFound(_("Response not found."))
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question = None
        if serializer.validated_data.get("question"):
            question = response.consultation.questions.filter(
                pk=serializer.validated_data["question"]
            ).first()
            if question is None:
                raise ApplicationError(
                    _("That question is not in this consultation."), extra={"field": "question"}
                )
        attachment = attachment_add(
            actor=request.user,
            response=response,
            upload=serializer.validated_data["file"],
            question=question,
            confidential=serializer.validated_data["confidential"],
        )
        return ApiResponse(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


def attachment_file_response(attachment) -> FileResponse:
    """A private file as a download: never rendered inline, never sniffed."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


class AttachmentView(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk: int):
        attachment = attachment_get_for_user(user=request.user, pk=pk)
        return attachment_file_response(attachment)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        attachment = attachment_get_for_user(user=request.user, pk=pk)
        _response, own = response_get_for_user(user=request.user, pk=attachment.response_id)
        if not own:
            raise NotFound(_("File not found."))
        attachment_remove(actor=request.user, attachment=attachment)
        return ApiResponse(status=status.HTTP_204_NO_CONTENT)


class ClarificationAskSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=5000)


class ConsultationClarificationsView(APIView):
    """Answered clarifications, for everyone who may read the consultation; the owning city also
    sees those still unanswered. ``POST``: a supplier asks."""

    permission_classes = [AllowAny]

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "POST" else [AllowAny()]

    @extend_schema(responses=ClarificationSerializer(many=True))
    def get(self, request, pk: int):
        access = consultation_get_for_user(user=request.user, pk=pk)
        items = access.consultation.clarifications.all()
        if not access.city:
            items = items.exclude(answer="")
        return ApiResponse(ClarificationSerializer(items, many=True).data)

    @extend_schema(request=ClarificationAskSerializer, responses={201: ClarificationSerializer})
    def post(self, request, pk: int):
        access = consultation_get_for_user(user=request.user, pk=pk)
        serializer = ClarificationAskSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = clarification_ask(
            actor=request.user,
            consultation=access.consultation,
            question=serializer.validated_data["question"],
        )
        return ApiResponse(ClarificationSerializer(item).data, status=status.HTTP_201_CREATED)


class ClarificationAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=20000)


class ClarificationAnswerView(APIView):
    @extend_schema(request=ClarificationAnswerSerializer, responses=ClarificationSerializer)
    def post(self, request, pk: int):
        item = Clarification.objects.select_related("consultation__tender").filter(pk=pk).first()
        if item is None or not request.user.has_perm(
            "tenders.view_tender", item.consultation.tender
        ):
            raise NotFound(_("Clarification not found."))
        serializer = ClarificationAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = clarification_answer(
            actor=request.user, clarification=item, answer=serializer.validated_data["answer"]
        )
        return ApiResponse(ClarificationSerializer(item).data)


class SubscriptionSerializer(serializers.Serializer):
    supplier = serializers.IntegerField(read_only=True)
    cpv_prefixes = serializers.ListField(
        child=serializers.CharField(max_length=20),
        max_length=100,
        required=False,
        default=list,
        help_text="CPV codes or their leading digits (72 or 72000000-5); none means any.",
    )
    cities = serializers.ListField(
        child=serializers.IntegerField(),
        max_length=200,
        required=False,
        default=list,
        help_text="Ids of the cities whose consultations to hear of; none means any.",
    )
    # No default in the schema: OpenAPI holds a default to the field's format, and "" is no
    # e-mail address. Absent means "the representatives' addresses", as blank does.
    email = serializers.EmailField(required=False, allow_blank=True)


def _subscription_data(supplier, subscription: SupplierSubscription | None) -> dict:
    return {
        "supplier": supplier.pk,
        "cpv_prefixes": subscription.cpv_prefixes if subscription else [],
        "cities": sorted(c.pk for c in subscription.cities.all()) if subscription else [],
        "email": subscription.email if subscription else "",
    }


class SupplierSubscriptionView(APIView):
    """What a supplier is told of: consultations by CPV code and city, at which address.
    Its representatives only (``GET``, ``PUT``)."""

    @extend_schema(responses=SubscriptionSerializer)
    def get(self, request, pk: int):
        supplier = supplier_get_for_representative(user=request.user, pk=pk)
        subscription = (
            SupplierSubscription.objects.filter(supplier=supplier)
            .prefetch_related("cities")
            .first()
        )
        return ApiResponse(_subscription_data(supplier, subscription))

    @extend_schema(request=SubscriptionSerializer, responses=SubscriptionSerializer)
    def put(self, request, pk: int):
        supplier = supplier_get_for_representative(user=request.user, pk=pk)
        serializer = SubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        wanted = set(data["cities"])
        cities = list(City.objects.filter(pk__in=wanted))
        unknown = sorted(wanted - {c.pk for c in cities})
        if unknown:
            raise ApplicationError(
                _("Unknown cities: %(ids)s.") % {"ids": ", ".join(map(str, unknown))},
                extra={"field": "cities"},
            )
        subscription = subscription_save(
            actor=request.user,
            supplier=supplier,
            cpv_prefixes=data["cpv_prefixes"],
            cities=cities,
            email=data.get("email", ""),
        )
        return ApiResponse(_subscription_data(supplier, subscription))
