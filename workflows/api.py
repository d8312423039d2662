"""The deadline calculator's API: when a period ends on a city's calendar, and which holidays
it went over. Public, like the cities and their holidays."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from workflows.calendars import DayKind, Deadline, deadline_calculate


class SkippedDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField()
    scope = serializers.ChoiceField(choices=["national", "regional", "local"])


class DeadlineSerializer(serializers.Serializer):
    city = serializers.IntegerField()
    start = serializers.DateField()
    days = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=[k.value for k in DayKind])
    end = serializers.DateField(help_text="The last day of the period.")
    end_at = serializers.DateTimeField(help_text="The last instant of that day in the city.")
    moved_from = serializers.DateField(
        allow_null=True,
        help_text="Calendar days: the non-working last day the end moved from (LCSP DA 12ª).",
    )
    skipped = SkippedDaySerializer(many=True)
    weekend_days_skipped = serializers.IntegerField()
    legal_basis = serializers.CharField()


def deadline_payload(city_id: int, deadline: Deadline) -> dict:
    return {
        "city": city_id,
        "start": deadline.start,
        "days": deadline.days,
        "kind": deadline.kind,
        "end": deadline.end,
        "end_at": deadline.end_at,
        "moved_from": deadline.moved_from,
        "skipped": [
            {"date": day.date, "name": day.name, "scope": day.scope} for day in deadline.skipped
        ],
        "weekend_days_skipped": deadline.weekend_days_skipped,
        "legal_basis": deadline.legal_basis,
    }


class DeadlineView(APIView):
    """When a period of ``days`` working or calendar days from ``start`` ends in ``city``: the
    same count the engine makes for every deadline it computes. 400 with ``detail`` and
    ``field`` on bad input."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("city", int, required=True, description="city id"),
            OpenApiParameter("start", str, required=True, description="YYYY-MM-DD"),
            OpenApiParameter("days", int, required=True, description="1 to 1000"),
            OpenApiParameter(
                "kind",
                str,
                required=True,
                enum=[k.value for k in DayKind],
                description="working (Ley 39/2015 art. 30.2) or calendar (LCSP DA 12ª)",
            ),
        ],
        responses=DeadlineSerializer,
    )
    def get(self, request):
        params = request.query_params
        city, deadline = deadline_calculate(
            city=params.get("city", ""),
            start=params.get("start", ""),
            days=params.get("days", ""),
            kind=params.get("kind", ""),
        )
        return Response(DeadlineSerializer(deadline_payload(city.pk, deadline)).data)
