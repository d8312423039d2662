"""Public OCDS endpoints: a paginated release package, and one record package per ocid."""

from datetime import UTC, datetime, time

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from procurement.core.api import Pagination
from procurement.core.exceptions import ApplicationError, NotFound
from procurement.core.schema import PageQuerySerializer
from publication.ocds.records import record_build, record_package, release_package
from publication.ocds.selectors import record_releases, releases_public


def _since(raw: str | None):
    if raw is None:
        return None
    try:
        # Both raise ValueError for a well-formed but impossible date (2026-02-30).
        moment = parse_datetime(raw)
        if moment is None and (day := parse_date(raw)) is not None:
            moment = timezone.make_aware(datetime.combine(day, time.min))
        if moment is None or moment.tzinfo is None:
            raise ValueError(raw)
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts (up to ±23:59).
        return moment.astimezone(UTC)
    except (ValueError, OverflowError) as error:
        raise ApplicationError(
            _("since: give a date (2026-05-01) or a date and time with its zone (ISO 8601)."),
            extra={"field": "since"},
        ) from error


class ReleasePackageView(APIView):
    """Every published OCDS release, oldest first, as a release package (``links.next``
    pages on)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATETIME, description="Recorded since."),
            OpenApiParameter("city", str, description="City id or short name."),
            PageQuerySerializer,
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        queryset = releases_public(
            since=_since(request.query_params.get("since")),
            city=request.query_params.get("city", ""),
        ).only("data", "created_at")
        paginator = Pagination()
        page = paginator.paginate_queryset(queryset, request, view=self) or []
        package = release_package(
            releases=[row.data for row in page], uri=request.build_absolute_uri()
        )
        package["links"] = {
            key: link
            for key, link in (
                ("next", paginator.get_next_link()),
                ("prev", paginator.get_previous_link()),
            )
            if link
        }
        return Response(package)


class RecordPackageView(APIView):
    """The record of one ocid: its releases and the compiled release."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, ocid: str) -> Response:
        releases = record_releases(ocid=ocid)
        if not releases:
            raise NotFound(_("No published record with this ocid."))
        package = record_package(
            records=[record_build(ocid=ocid, releases=releases)],
            uri=request.build_absolute_uri(),
        )
        return Response(package)
