"""eForms notices of a process: the list, and the XML of each valid notice."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from publication.eforms.selectors import finding_words, notice_get_for_user, notices_for_user
from publication.models import Notice


class NoticeSerializer(serializers.ModelSerializer):
    xml_url = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = ["notice_id", "version", "subtype", "status", "built_at", "changes", "xml_url"]

    def get_xml_url(self, notice) -> str | None:
        if not notice.is_valid:
            return None
        from django.urls import reverse

        return reverse("api-tender-notice-xml", args=[notice.tender_id, notice.notice_id])

    def get_changes(self, notice) -> str | None:
        return str(notice.changes.notice_id) if notice.changes_id else None


class NoticePrivateSerializer(NoticeSerializer):
    """For the city's people: what failed, in words, for a notice to mend."""

    failed_rules = serializers.SerializerMethodField()
    validation_seconds = serializers.FloatField(source="seconds")

    class Meta(NoticeSerializer.Meta):
        fields = [*NoticeSerializer.Meta.fields, "failed_rules", "validation_seconds"]

    def get_failed_rules(self, notice) -> list[str]:
        return [finding_words(f) for f in notice.findings if f.get("severity") == "ERROR"]


class NoticesView(APIView):
    """The process's eForms notices, oldest first: valid ones for anyone who may read the
    process once published; every one, with its failed rules in words, for its city."""

    permission_classes = [AllowAny]

    @extend_schema(responses=NoticePrivateSerializer(many=True), operation_id="v1_tenders_notices")
    def get(self, request, pk):
        notices, private = notices_for_user(user=request.user, tender_id=pk)
        serializer = NoticePrivateSerializer if private else NoticeSerializer
        return Response(serializer(notices, many=True).data)


class NoticeXmlView(APIView):
    """The XML of a valid notice, to send to TED or a national platform."""

    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "application/xml"): OpenApiTypes.STR})
    def get(self, request, pk, notice_id):
        notice = notice_get_for_user(user=request.user, tender_id=pk, notice_id=notice_id)
        response = HttpResponse(notice.xml.encode("utf-8"), content_type="application/xml")
        response["Content-Disposition"] = (
            f'attachment; filename="eforms-{notice.subtype}-{notice.notice_id}.xml"'
        )
        return response
