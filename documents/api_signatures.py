"""API of a document's signatures: list them, upload the document signed with one's own tool."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from documents.file_documents import file_document_upload
from documents.kinds import FILE_KIND_CHOICES
from documents.models import DocumentSignature, FileDocument
from documents.selectors import file_documents_for_user
from documents.signatures import document_signature_add
from documents.verification import document_signatures_for_user
from documents.views_signatures import file_document_response
from procurement.core.api import ModelSerializer
from procurement.core.exceptions import NotFound


class SignatureSerializer(ModelSerializer):
    class Meta:
        model = DocumentSignature
        fields = [
            "id",
            "kind",
            "role",
            "signer_name",
            "certificate_serial",
            "issuer",
            "signed_at",
            "timestamped",
            "sha256",
            "created_at",
        ]


class SignatureUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The document's PDF signed with PAdES.")


class DocumentSignaturesView(APIView):
    # Reading follows the document (public ones for anybody); uploading needs a signatory.
    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(responses=SignatureSerializer(many=True))
    def get(self, request, pk):
        _document, signatures = document_signatures_for_user(user=request.user, pk=pk)
        return Response(SignatureSerializer(signatures, many=True).data)

    @extend_schema(
        request={"multipart/form-data": SignatureUploadSerializer},
        responses={201: SignatureSerializer},
    )
    def post(self, request, pk):
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        document, _signatures = document_signatures_for_user(user=request.user, pk=pk)
        serializer = SignatureUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        signature = document_signature_add(
            actor=request.user, document=document, upload=serializer.validated_data["file"]
        )
        return Response(SignatureSerializer(signature).data, status=status.HTTP_201_CREATED)


# --- documents of the file that arrive signed -----------------------------------------------------


class FileDocumentSerializer(ModelSerializer):
    class Meta:
        model = FileDocument
        fields = [
            "id",
            "kind",
            "filename",
            "size",
            "sha256",
            "role",
            "signer_name",
            "certificate_serial",
            "issuer",
            "signed_at",
            "timestamped",
            "trusted",
            "created_at",
        ]


class FileDocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=FILE_KIND_CHOICES, help_text="legal_report or credit_certificate"
    )
    file = serializers.FileField(help_text="The report as a PDF signed with PAdES.")


class FileDocumentsView(APIView):
    """The signed legal report and credit certificate of a process's file (LCSP DA 3ª.8 and art.
    116.3), for its city. ``POST`` (multipart): the legal team uploads one signed."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=FileDocumentSerializer(many=True))
    def get(self, request, pk):
        documents = file_documents_for_user(user=request.user, process_id=pk)
        return Response(FileDocumentSerializer(documents, many=True).data)

    @extend_schema(
        request={"multipart/form-data": FileDocumentUploadSerializer},
        responses={201: FileDocumentSerializer},
    )
    def post(self, request, pk):
        file_documents_for_user(user=request.user, process_id=pk)  # the same 404 first
        serializer = FileDocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = file_document_upload(
            actor=request.user,
            process_id=pk,
            kind=serializer.validated_data["kind"],
            upload=serializer.validated_data["file"],
        )
        return Response(FileDocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class FileDocumentPdfView(APIView):
    """One signed document of the file, as uploaded."""

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, pk, document_pk):
        try:
            document = file_documents_for_user(user=request.user, process_id=pk).get(pk=document_pk)
        except FileDocument.DoesNotExist as error:
            raise NotFound(_("Document not found.")) from error
        return file_document_response(document)
