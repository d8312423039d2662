"""The OpenAPI schema class: drf-spectacular's, with every operation's error answers documented.

Kept apart from ``procurement.core.api``: DRF imports the pagination class from there while
``rest_framework.generics`` is still loading, and drf-spectacular's ``openapi`` imports generics.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.utils import Direction, OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from procurement.core.api import Pagination


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx answer: a readable ``detail``, per-field ``errors`` for invalid
    input, ``reasons`` when a business rule refuses."""

    detail = serializers.CharField(help_text="What went wrong, for a person to read.")
    errors = serializers.DictField(  # type: ignore[assignment]
        required=False,
        help_text="Invalid input: each field's messages (nested as the input is).",
    )
    reasons = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="A business rule's refusal: each reason, with its legal basis where there is one.",
    )


ERROR_DESCRIPTIONS = {
    "400": _("Invalid input, or a business rule refused it."),
    "401": _("No valid token or session."),
    "403": _("The caller's organisation or role may not do this."),
    "404": _("Not found, or not the caller's (the two are not told apart)."),
    "409": _("The object's state refuses this now (with the reasons)."),
    "415": _("The body is not JSON, a form or multipart form data."),
    "429": _("Too many attempts: wait and try again."),
}


class PageQuerySerializer(serializers.Serializer):
    """The query of a paginated view that is not a generic list (``Pagination`` by hand)."""

    page = serializers.IntegerField(min_value=1, required=False)
    page_size = serializers.IntegerField(min_value=1, max_value=100, required=False)


def paginated(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    """The page ``Pagination`` answers with, for views that paginate by hand."""
    name = serializer_class.__name__.removesuffix("Serializer")
    return inline_serializer(
        f"Paginated{name}List",
        {
            "count": serializers.IntegerField(
                allow_null=True,
                help_text=_(
                    "How many rows match; null when more than %(limit)s do (follow `next` to "
                    "read them all)."
                )
                % {"limit": Pagination.count_limit()},
            ),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, plus the error answers each operation can really give.

    Declared once here rather than on every view, so that a new endpoint documents its errors
    without anyone remembering to: 400 for input (a body or query parameters), 401 where a token
    or session is read, 403 where a permission or a role is checked, 404 for a path id or a page
    that does not exist (or is not the caller's), 409 when an object's state refuses a write, 415
    for a body of another media type, 429 where the view throttles. An explicit ``responses``
    entry for a code wins.
    """

    def _get_response_bodies(self, direction: Direction = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                error = OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
                responses[code] = self._get_response_for_code(error, code, direction=direction)
        for code, response in responses.items():
            if code in ERROR_DESCRIPTIONS and not response.get("description"):
                response["description"] = ERROR_DESCRIPTIONS[code]
        return responses

    def _error_codes(self) -> list[str]:
        view = self.view
        unsafe = self.method not in ("GET", "HEAD", "OPTIONS")
        authenticates = bool(view.get_authenticators())
        public = all(isinstance(p, AllowAny) for p in view.get_permissions())
        query = [p for p in self._get_parameters() if p["in"] == "query"]
        paginated = any(p["name"] == "page" for p in query)
        codes = []
        if unsafe or query:
            codes.append("400")
        if authenticates:
            codes.append("401")
        if authenticates and (unsafe or not public):
            codes.append("403")
        if "{" in self.path or paginated or (unsafe and authenticates):
            codes.append("404")
        if unsafe and authenticates:
            codes.append("409")
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("415")
        if getattr(view, "throttle_scope", None):
            codes.append("429")
        return codes
