"""Look-ups that pickers ask while a person types: the CPV vocabulary, web (JSON for the page's
picker, signed-in people) and API (``/api/v1/cpv/?q=``)."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from procurement.core.reference import cpv_search


@login_required
def cpv_search_json(request):
    """``?q=`` a code, its first digits or words → ``{"results": [{"code", "label"}]}``."""
    results = cpv_search(request.GET.get("q", ""), language=translation.get_language() or "es")
    return JsonResponse({"results": results})


class CpvResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class CpvSearchView(APIView):
    """CPV codes by code (or its first digits) or by words of their Spanish or English label."""

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="a code, its first digits or words")],
        responses=CpvResultSerializer(many=True),
    )
    def get(self, request):
        results = cpv_search(
            request.query_params.get("q", ""), language=translation.get_language() or "es"
        )
        return Response(CpvResultSerializer(results, many=True).data)
