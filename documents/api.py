"""API of the template library and of generated documents. Views parse, call one service or
selector, and serialise."""

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from documents import pliego_selectors, pliego_services, selectors, services
from documents.kinds import KIND_BY_CODE, KIND_CHOICES, Language
from documents.models import DocumentTemplate, GeneratedDocument, Pliego, TemplateVersion
from procurement.accounts.models import City
from procurement.core.api import ModelSerializer, Pagination, query_choice
from procurement.core.exceptions import ApplicationError, NotFound
from procurement.core.public_cache import user_read
from procurement.core.schema import PageQuerySerializer, paginated


class VersionSerializer(ModelSerializer):
    upstream = serializers.SerializerMethodField()

    class Meta:
        model = TemplateVersion
        fields = [
            "number",
            "status",
            "note",
            "source",
            "upstream",
            "created_at",
            "submitted_at",
            "approved_at",
            "retired_at",
        ]

    def get_upstream(self, version) -> dict | None:
        if version.upstream_id is None:
            return None
        return {"template": version.upstream.template_id, "number": version.upstream.number}


class VersionSummarySerializer(ModelSerializer):
    class Meta:
        model = TemplateVersion
        fields = ["number", "status", "approved_at"]


class TemplateSerializer(ModelSerializer):
    kind_name_es = serializers.SerializerMethodField()
    kind_name_en = serializers.SerializerMethodField()
    ocds_document_type = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    shared_networks = serializers.SerializerMethodField()
    shared_cities = serializers.SerializerMethodField()
    cities_using = serializers.SerializerMethodField()
    documents_made = serializers.SerializerMethodField()
    # The list's schema: the list itself writes the same fields in ``_template_page_data``.
    versions = VersionSummarySerializer(many=True, read_only=True, source="version_summaries")

    class Meta:
        model = DocumentTemplate
        fields = [
            "id",
            "name",
            "description",
            "kind",
            "kind_name_es",
            "kind_name_en",
            "ocds_document_type",
            "language",
            "owner",
            "adopted_from",
            "shared_public",
            "shared_networks",
            "shared_cities",
            "cities_using",
            "documents_made",
            "versions",
            "created_at",
        ]

    def get_kind_name_es(self, template) -> str:
        return KIND_BY_CODE[template.kind].name_es

    def get_kind_name_en(self, template) -> str:
        return KIND_BY_CODE[template.kind].name_en

    def get_ocds_document_type(self, template) -> str:
        return KIND_BY_CODE[template.kind].ocds_document_type

    def get_owner(self, template) -> dict:
        owner = template.owner
        kind = "city" if template.city_id else "network"
        return {"type": kind, "id": owner.pk, "name": owner.name}

    def get_shared_networks(self, template) -> list[int]:
        return _shared_ids(template, "shared_networks")

    def get_shared_cities(self, template) -> list[int]:
        return _shared_ids(template, "shared_cities")

    def get_cities_using(self, template) -> int:
        own = 1 if template.city_id else 0
        return (
            own + getattr(template, "adopters_count", 0) + getattr(template, "approvers_count", 0)
        )

    def get_documents_made(self, template) -> int:
        return getattr(template, "documents_count", 0)


def _shared_ids(template: DocumentTemplate, relation: str) -> list[int]:
    """Ids of what the template is shared with through ``relation``, ascending."""
    return list(getattr(template, relation).order_by("pk").values_list("pk", flat=True))


class TemplateDetailSerializer(TemplateSerializer):
    versions = serializers.SerializerMethodField()  # type: ignore[assignment]
    update_available = serializers.SerializerMethodField()

    class Meta(TemplateSerializer.Meta):
        fields = [*TemplateSerializer.Meta.fields, "update_available"]

    def get_versions(self, template) -> list[dict]:
        return VersionSerializer(selectors.template_versions(template=template), many=True).data  # type: ignore[return-value]

    def get_update_available(self, template) -> int | None:
        newest = services.template_update_available(template)
        return newest.number if newest else None


class TemplateCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    language = serializers.ChoiceField(choices=Language.choices)
    name = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    description = serializers.CharField(
        max_length=5000, required=False, default="", allow_blank=True
    )
    # DRF's metaclass takes declared fields off the class, so "source" does not shadow
    # Field.source at run time; mypy only sees the class attribute.
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=200_000, required=False, help_text="Without it, the default text of the kind."
    )
    city = serializers.IntegerField(required=False)


class VersionCreateSerializer(serializers.Serializer):
    source = serializers.CharField(max_length=200_000, trim_whitespace=False)  # type: ignore[assignment]
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class ShareSerializer(serializers.Serializer):
    public = serializers.BooleanField(required=False, allow_null=True, default=None)
    networks = serializers.ListField(child=serializers.IntegerField(), required=False)
    cities = serializers.ListField(child=serializers.IntegerField(), required=False)


class MergeSerializer(serializers.Serializer):
    resolutions = serializers.DictField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        required=False,
        default=dict,
    )


class DocumentSerializer(ModelSerializer):
    title = serializers.CharField(read_only=True)
    reference = serializers.CharField(read_only=True)
    template_version = serializers.SerializerMethodField()
    ocds_document_type = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = GeneratedDocument
        fields = [
            "id",
            "reference",
            "tender",
            "kind",
            "title",
            "ocds_document_type",
            "language",
            "number",
            "status",
            "failure_reason",
            "public",
            "trigger",
            "sha256",
            "verification_code",
            "template_version",
            "pdf_url",
            "created_at",
            "generated_at",
        ]

    def get_template_version(self, document) -> dict | None:
        version = document.template_version
        if version is None:
            return None
        return {"template": version.template_id, "number": version.number, "id": version.pk}

    def get_ocds_document_type(self, document) -> str:
        return KIND_BY_CODE[document.kind].ocds_document_type

    def get_pdf_url(self, document) -> str | None:
        if document.status != GeneratedDocument.Status.READY:
            return None
        return f"/api/v1/documents/{document.pk}/pdf/"


class DocumentOrderSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    template = serializers.IntegerField(required=False)
    language = serializers.ChoiceField(choices=Language.choices, required=False)


_DATETIME = serializers.DateTimeField()


def _datetime(value) -> str | None:
    """As a serializer's ``DateTimeField`` writes it (in the current time zone)."""
    return None if value is None else _DATETIME.to_representation(value)


def _template_page_data(rows: list[dict]) -> list[dict]:
    """``TemplateSerializer``'s output for a page of ``selectors.template_library_for_user``
    rows, built without a serializer per row (which cost more than the page's queries)."""
    details = selectors.template_library_details([row["id"] for row in rows])
    data = []
    for row in rows:
        kind = KIND_BY_CODE[row["kind"]]
        more = details[row["id"]]
        own = 1 if row["city_id"] else 0
        versions = [
            {
                "number": version["number"],
                "status": version["status"],
                "approved_at": _datetime(version["approved_at"]),
            }
            for version in more["versions"]
        ]
        data.append(
            {
                "id": row["id"],
                "name": row["name"],
                "description": row["description"],
                "kind": row["kind"],
                "kind_name_es": kind.name_es,
                "kind_name_en": kind.name_en,
                "ocds_document_type": kind.ocds_document_type,
                "language": row["language"],
                "owner": {
                    "type": "city" if row["city_id"] else "network",
                    "id": row["city_id"] or row["network_id"],
                    "name": row["owner_name"],
                },
                "adopted_from": row["adopted_from_id"],
                "shared_public": row["shared_public"],
                "shared_networks": more["shared_network_ids"],
                "shared_cities": more["shared_city_ids"],
                "cities_using": own + more["adopters_count"] + more["approvers_count"],
                "documents_made": more["documents_count"],
                "versions": versions,
                "created_at": _datetime(row["created_at"]),
            }
        )
    return data


class TemplateListView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("scope", str, enum=list(selectors.SCOPES)),
            OpenApiParameter("kind", str, enum=[code for code, _label in KIND_CHOICES]),
            OpenApiParameter("language", str),
            OpenApiParameter("city", str),
            OpenApiParameter("network", str),
            OpenApiParameter("q", str, description="Text search in names, descriptions and texts."),
            PageQuerySerializer,
        ],
        responses=paginated(TemplateSerializer),
        operation_id="v1_templates_list",
    )
    @user_read
    def get(self, request):
        params = request.query_params
        queryset = selectors.template_library_for_user(
            user=request.user,
            scope=query_choice(request, "scope", selectors.SCOPES),
            kind=query_choice(request, "kind", KIND_CHOICES),
            language=params.get("language", ""),
            city=params.get("city", ""),
            network=params.get("network", ""),
            q=params.get("q", "").strip(),
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(_template_page_data(page))

    @extend_schema(request=TemplateCreateSerializer, responses={201: TemplateDetailSerializer})
    def post(self, request):
        serializer = TemplateCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        city_id = data.pop("city", None)
        city = City.objects.filter(pk=city_id).first() if city_id else None
        if city_id and city is None:
            raise NotFound("City not found.")
        template = services.template_create(actor=request.user, city=city, **data)
        template = selectors.template_get_for_user(user=request.user, pk=template.pk)
        return Response(TemplateDetailSerializer(template).data, status=status.HTTP_201_CREATED)


class TemplateDetailView(APIView):
    @extend_schema(responses=TemplateDetailSerializer)
    def get(self, request, pk):
        template = selectors.template_get_for_user(user=request.user, pk=pk)
        return Response(TemplateDetailSerializer(template).data)


class PreviewInputSerializer(serializers.Serializer):
    source = serializers.CharField(max_length=200_000, trim_whitespace=False)  # type: ignore[assignment]


class BlockSerializer(serializers.Serializer):
    """One block of the rendered markup: ``h1``/``h2`` with their ``number``, ``p``, ``ul``
    (``items``) or ``table`` (``rows``, the first one the header); texts keep their inline
    markup (``**bold**``) unescaped."""

    kind = serializers.CharField()
    text = serializers.CharField()
    number = serializers.CharField()
    items = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class PreviewSerializer(serializers.Serializer):
    title = serializers.CharField()
    blocks = BlockSerializer(many=True)


class TemplatePreviewView(APIView):
    """A draft text rendered with the kind's sample data, as the editor's live preview shows
    it; nothing is saved. A text that does not check or render is refused (400) with its
    ``problems`` by line, as saving it as a version would be."""

    @extend_schema(request=PreviewInputSerializer, responses=PreviewSerializer)
    def post(self, request, pk):
        template = selectors.template_get_for_user(user=request.user, pk=pk)
        serializer = PreviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        preview = selectors.template_preview(
            source=serializer.validated_data["source"].replace("\r\n", "\n"),
            kind=template.kind,
            language=template.language,
        )
        if preview["errors"]:
            first = preview["errors"][0]
            raise ApplicationError(
                _("Line %(line)s: %(message)s") % first if first["line"] else first["message"],
                extra={"field": "source", "problems": preview["errors"]},
            )
        return Response(PreviewSerializer(preview).data)


class TemplateVersionsView(APIView):
    @extend_schema(request=VersionCreateSerializer, responses={201: VersionSerializer})
    def post(self, request, pk):
        template = selectors.template_get_for_user(user=request.user, pk=pk)
        serializer = VersionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = services.template_version_create(
            actor=request.user, template=template, **serializer.validated_data
        )
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


VERSION_ACTIONS = {
    "submit": services.template_version_submit,
    "approve": services.template_version_approve,
    "retire": services.template_version_retire,
}


class TemplateVersionActionView(APIView):
    """``submit`` a draft to review, ``approve`` it (the owner's legal team; for a network
    default, the caller's city approves it for its own use), ``retire`` it."""

    @extend_schema(
        request=None, responses=VersionSerializer, operation_id="v1_templates_versions_action"
    )
    def post(self, request, pk, number, action):
        template = selectors.template_get_for_user(user=request.user, pk=pk)
        version = selectors.template_version_get(template=template, number=number)
        if action == "approve" and template.network_id is not None:
            services.template_approve_for_city(actor=request.user, version=version)
        elif action in VERSION_ACTIONS:
            version = VERSION_ACTIONS[action](actor=request.user, version=version)
        else:
            raise NotFound("Unknown action.")
        return Response(VersionSerializer(version).data)


class TemplateShareView(APIView):
    @extend_schema(request=ShareSerializer, responses=TemplateDetailSerializer)
    def post(self, request, pk):
        template = selectors.template_get_for_user(user=request.user, pk=pk)
        serializer = ShareSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.template_share(actor=request.user, template=template, **serializer.validated_data)
        template = selectors.template_get_for_user(user=request.user, pk=pk)
        return Response(TemplateDetailSerializer(template).data)


class TemplateAdoptView(APIView):
    @extend_schema(
        request=inline_serializer(
            "AdoptRequest", {"city": serializers.IntegerField(required=False)}
        ),
        responses={201: TemplateDetailSerializer},
    )
    def post(self, request, pk):
        template = selectors.template_get_for_user(user=request.user, pk=pk)
        city_id = request.data.get("city") if hasattr(request.data, "get") else None
        city = City.objects.filter(pk=city_id).first() if city_id else None
        copy = services.template_adopt(actor=request.user, template=template, city=city)
        copy = selectors.template_get_for_user(user=request.user, pk=copy.pk)
        return Response(TemplateDetailSerializer(copy).data, status=status.HTTP_201_CREATED)


class TemplateMergeView(APIView):
    """GET: the per-section merge of the source's new version (clean sections and conflicts).
    POST: make it a new draft, with ``resolutions`` for the conflicting sections."""

    @extend_schema(
        responses=inline_serializer("MergePreview", {"sections": serializers.ListField()})
    )
    def get(self, request, pk):
        template = selectors.template_get_for_user(user=request.user, pk=pk)
        result, newest = services.template_merge_preview(template)
        return Response(
            {
                "source_version": newest.number,
                "clean": result.clean,
                "sections": [
                    {
                        "section": s.key,
                        "conflict": s.conflict,
                        "text": s.text,
                        "base": s.base,
                        "ours": s.ours,
                        "theirs": s.theirs,
                    }
                    for s in result.sections
                ],
            }
        )

    @extend_schema(request=MergeSerializer, responses={201: VersionSerializer})
    def post(self, request, pk):
        template = selectors.template_get_for_user(user=request.user, pk=pk)
        serializer = MergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = services.template_merge(
            actor=request.user,
            template=template,
            resolutions=serializer.validated_data["resolutions"],
        )
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


class ProcessDocumentsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[PageQuerySerializer],
        responses=paginated(DocumentSerializer),
        operation_id="v1_tenders_documents_list",
    )
    def get(self, request, pk):
        _ref, _private, documents = selectors.documents_for_process(
            user=request.user, process_id=pk
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(documents, request, view=self)
        return paginator.get_paginated_response(DocumentSerializer(page, many=True).data)

    @extend_schema(request=DocumentOrderSerializer, responses={202: DocumentSerializer})
    def post(self, request, pk):
        if not request.user.is_authenticated:
            raise NotFound("Process not found.")
        ref, _private = _process_private(request.user, pk)
        serializer = DocumentOrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        template = None
        if data.get("template"):
            template = selectors.template_get_for_user(user=request.user, pk=data["template"])
        document = services.document_order(
            actor=request.user,
            process_id=ref.id,
            kind=data["kind"],
            language=data.get("language", ""),
            template=template,
        )
        document.refresh_from_db()
        return Response(DocumentSerializer(document).data, status=status.HTTP_202_ACCEPTED)


def _process_private(user, pk):
    from documents.context import process_for_user

    ref, private = process_for_user(user=user, process_id=pk)
    if not private:
        raise NotFound("Process not found.")
    return ref, private


class DocumentDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=DocumentSerializer)
    def get(self, request, pk):
        document = selectors.document_get_for_user(user=request.user, pk=pk)
        return Response(DocumentSerializer(document).data)


class DocumentPdfView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, pk):
        document = selectors.document_get_for_user(user=request.user, pk=pk)
        return document_pdf_response(document)


def document_pdf_response(document: GeneratedDocument) -> FileResponse:
    if document.status != GeneratedDocument.Status.READY or not document.pdf:
        raise NotFound("The document has no PDF yet.")
    response = FileResponse(
        document.pdf.open("rb"),
        content_type="application/pdf",
        filename=f"{document.reference}-{document.kind}.pdf",
    )
    response["X-Document-SHA256"] = document.sha256
    return response


# --- pliegos -----------------------------------------------------------------------------------


class PliegoSerializer(ModelSerializer):
    title = serializers.CharField(read_only=True)
    ocds_document_type = serializers.CharField(read_only=True)
    file_url = serializers.SerializerMethodField()
    amends = serializers.SerializerMethodField()

    class Meta:
        model = Pliego
        fields = [
            "id",
            "tender",
            "kind",
            "title",
            "ocds_document_type",
            "number",
            "source",
            "status",
            "filename",
            "size",
            "sha256",
            "file_url",
            "created_at",
            "approved_at",
            "published_at",
            "superseded_at",
            "amends",
            "changes",
            "significant",
            "new_deadline",
        ]

    def get_file_url(self, pliego) -> str:
        return f"/api/v1/tenders/{pliego.tender_id}/pliegos/{pliego.pk}/file/"

    def get_amends(self, pliego) -> int | None:
        return pliego.amends.number if pliego.amends_id else None


class PliegoCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    file = serializers.FileField(
        required=False, help_text="The signed PDF; without it, generated from the template."
    )
    template = serializers.IntegerField(required=False)


class PliegoAmendSerializer(serializers.Serializer):
    changes = serializers.CharField(help_text="What the correction changes (published with it).")
    significant = serializers.BooleanField(default=False)
    new_deadline = serializers.DateTimeField(required=False, allow_null=True)
    file = serializers.FileField(required=False)
    template = serializers.IntegerField(required=False)


class PliegosView(APIView):
    """A process's pliegos: published versions for anyone who may see the process, drafts for
    the city's officers and legal team (LCSP art. 138.1)."""

    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        parameters=[PageQuerySerializer],
        responses=paginated(PliegoSerializer),
        operation_id="v1_tenders_pliegos_list",
    )
    def get(self, request, pk):
        _process, pliegos = pliego_selectors.pliegos_for_process(user=request.user, process_id=pk)
        paginator = Pagination()
        page = paginator.paginate_queryset(pliegos, request, view=self)
        return paginator.get_paginated_response(PliegoSerializer(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": PliegoCreateSerializer},
        responses={201: PliegoSerializer},
        operation_id="v1_tenders_pliegos_create",
    )
    def post(self, request, pk):
        if not request.user.is_authenticated:
            raise NotFound("Process not found.")
        serializer = PliegoCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        pliego = pliego_services.pliego_create(
            actor=request.user,
            process_id=pk,
            kind=data["kind"],
            upload=_upload_bytes(data.get("file")),
            filename=getattr(data.get("file"), "name", ""),
            template=_template(request, data),
        )
        return Response(PliegoSerializer(pliego).data, status=status.HTTP_201_CREATED)


def _upload_bytes(upload) -> bytes | None:
    if upload is None:
        return None
    # Read no more than the limit and one byte: the service refuses a larger file by its size.
    return upload.read(pliego_services.MAX_UPLOAD_BYTES + 1)


def _template(request, data):
    if not data.get("template"):
        return None
    return selectors.template_get_for_user(user=request.user, pk=data["template"])


class PliegoApproveView(APIView):
    @extend_schema(request=None, responses=PliegoSerializer)
    def post(self, request, pk, pliego_pk):
        _process, pliego = pliego_selectors.pliego_get_for_user(
            user=request.user, process_id=pk, pk=pliego_pk
        )
        pliego = pliego_services.pliego_approve(actor=request.user, pliego=pliego)
        return Response(PliegoSerializer(pliego).data)


class PliegoAmendView(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": PliegoAmendSerializer},
        responses={201: PliegoSerializer},
    )
    def post(self, request, pk, pliego_pk):
        _process, pliego = pliego_selectors.pliego_get_for_user(
            user=request.user, process_id=pk, pk=pliego_pk
        )
        serializer = PliegoAmendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        new = pliego_services.pliego_amend(
            actor=request.user,
            pliego=pliego,
            changes=data["changes"],
            significant=data["significant"],
            new_deadline=data.get("new_deadline"),
            upload=_upload_bytes(data.get("file")),
            filename=getattr(data.get("file"), "name", ""),
            template=_template(request, data),
        )
        return Response(PliegoSerializer(new).data, status=status.HTTP_201_CREATED)


class PliegoFileView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, pk, pliego_pk):
        _process, pliego = pliego_selectors.pliego_get_for_user(
            user=request.user, process_id=pk, pk=pliego_pk
        )
        return pliego_file_response(request.user, pliego)


def pliego_file_response(user, pliego: Pliego) -> FileResponse:
    """The PDF as a download, recorded for a supplier so it hears of corrections."""
    pliego_services.pliego_download_record(user=user, pliego=pliego)
    response = FileResponse(
        pliego.file.open("rb"),
        as_attachment=True,
        content_type="application/pdf",
        filename=f"{pliego.kind}-v{pliego.number}.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Document-SHA256"] = pliego.sha256
    return response
