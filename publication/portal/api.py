"""The indicators as JSON: ``GET /api/v1/indicators/`` (public)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from publication.indicators import indicators_compute


class IndicatorsView(APIView):
    """Per network and per city: processes by stage and procedure, median days per stage,
    suppliers per consultation, share of SMEs, templates shared and reused."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response(indicators_compute())
