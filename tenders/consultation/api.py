"""API of market consultations: list, draft, read; responses; attachments; clarifications."""

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from procurement.core.api import ModelSerializer, query_bool
from procurement.core.exceptions import ApplicationError, NotFound
from procurement.core.parsers import JSONParser
from tenders.consultation.models import Clarification, Consultation, Question, Response
from tenders.consultation.selectors import (
    attachment_get_for_user,
    consultation_get_for_user,
    consultation_list_for_user,
    response_get_for_user,
    responses_for_user,
)
from tenders.consultation.services import (
    attachment_add,
    attachment_remove,
    clarification_answer,
    clarification_ask,
    consultation_save,
    question_delete,
    question_save,
    response_save,
    response_start,
    response_submit,
    response_withdraw,
)
from tenders.process.selectors import tender_get_private_for_user


class QuestionSerializer(ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "order", "text", "help_text", "kind", "required", "choices"]


class AdviserSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    reason = serializers.CharField(max_length=2000)


def consultation_phase(consultation: Consultation, now=None) -> str:
    now = now or timezone.now()
    if consultation.published_at is None:
        return "draft"
    if consultation.closes_at and now >= consultation.closes_at:
        return "closed"
    if consultation.opens_at and now >= consultation.opens_at:
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

    @extend_schema(
        parameters=[
            OpenApiParameter("open", bool),
            OpenApiParameter("cpv", str),
            OpenApiParameter("city", str),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        return consultation_list_for_user(
            user=self.request.user,
            open_only=bool(query_bool(self.request, "open")),
            cpv=params.get("cpv", ""),
            city=params.get("city", ""),
        ).only(*LIST_COLUMNS)

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


class ConsultationDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ConsultationDetailSerializer)
    def get(self, request, pk: int):
        access = consultation_get_for_user(user=request.user, pk=pk)
        return ApiResponse(ConsultationDetailSerializer(access.consultation).data)


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
