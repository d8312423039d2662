"""API of a document's signatures: list them, upload the document signed with one's own tool."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from documents.models import DocumentSignature
from documents.signatures import document_signature_add
from documents.verification import document_signatures_for_user
from procurement.core.api import ModelSerializer


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
