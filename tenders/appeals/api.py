"""API of special appeals: lodge and list a process's appeals, the caller's appeals, one appeal,
its files, and the officer's record of the tribunal's resolution."""

from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from procurement.core.api import ModelSerializer
from tenders.appeals.models import Appeal, AppealDocument
from tenders.appeals.selectors import (
    appeal_document_get_for_user,
    appeal_get_for_user,
    appeals_for_user,
)
from tenders.appeals.services import appeal_lodge, appeal_resolve
from tenders.process.selectors import tender_get_for_user


class AppealDocumentSerializer(ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = AppealDocument
        fields = ["id", "part", "name", "content_type", "size", "sha256", "uploaded_at", "url"]

    def get_url(self, document) -> str:
        return f"/api/v1/appeal-documents/{document.pk}/"


class AppealSerializer(ModelSerializer):
    documents = AppealDocumentSerializer(many=True, read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)

    class Meta:
        model = Appeal
        fields = [
            "id",
            "tender",
            "supplier",
            "supplier_name",
            "act",
            "grounds",
            "measures",
            "lodged_at",
            "period_start",
            "period_ends_at",
            "suspends",
            "status",
            "resolution",
            "resolved_at",
            "documents",
        ]


class AppealLodgeSerializer(serializers.Serializer):
    act = serializers.ChoiceField(choices=Appeal.Act.choices)
    grounds = serializers.CharField(max_length=50000)
    measures = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=10
    )


class AppealResolveSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[c for c in Appeal.Status.choices if c[0] != Appeal.Status.LODGED]
    )
    text = serializers.CharField(max_length=50000)
    file = serializers.FileField(required=False, allow_null=True)


def _files(request) -> list:
    return request.FILES.getlist("files") if hasattr(request, "FILES") else []


class TenderAppealsView(ListAPIView):
    """A process's appeals the caller may read (a bidder its own, the city all of them).
    ``POST`` lodges one (multipart with ``files``, or JSON without)."""

    serializer_class = AppealSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        tender, _private = tender_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return appeals_for_user(user=self.request.user, tender=tender)

    @extend_schema(
        request={
            "multipart/form-data": AppealLodgeSerializer,
            "application/json": AppealLodgeSerializer,
        },
        responses={201: AppealSerializer},
    )
    def post(self, request, pk: int):
        tender, _private = tender_get_for_user(user=request.user, pk=pk)
        serializer = AppealLodgeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        appeal = appeal_lodge(
            actor=request.user,
            tender=tender,
            act=data["act"],
            grounds=data["grounds"],
            measures=data["measures"],
            uploads=_files(request),
        )
        appeal = appeal_get_for_user(user=request.user, pk=appeal.pk)
        return Response(AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)


class AppealListView(ListAPIView):
    """Every appeal the caller may read: a supplier's own, a city's against its processes."""

    serializer_class = AppealSerializer

    def get_queryset(self):
        return appeals_for_user(user=self.request.user)


class AppealDetailView(APIView):
    @extend_schema(responses=AppealSerializer)
    def get(self, request, pk: int):
        return Response(AppealSerializer(appeal_get_for_user(user=request.user, pk=pk)).data)


class AppealResolveView(APIView):
    """An officer records the tribunal's resolution; the process moves on when it was the last
    appeal suspending it (LCSP arts. 53 and 57)."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={
            "multipart/form-data": AppealResolveSerializer,
            "application/json": AppealResolveSerializer,
        },
        responses={200: AppealSerializer},
    )
    def post(self, request, pk: int):
        appeal = appeal_get_for_user(user=request.user, pk=pk)
        serializer = AppealResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        appeal_resolve(
            actor=request.user,
            appeal=appeal,
            outcome=data["outcome"],
            text=data["text"],
            upload=data.get("file"),
        )
        return Response(AppealSerializer(appeal_get_for_user(user=request.user, pk=pk)).data)


def appeal_file_response(document: AppealDocument) -> FileResponse:
    """A private file as a download: never rendered inline, never sniffed."""
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


class AppealDocumentView(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk: int):
        return appeal_file_response(appeal_document_get_for_user(user=request.user, pk=pk))
