"""API plumbing shared by every app: pagination and JSON errors with a readable ``detail``."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from procurement.core.exceptions import ApplicationError


class Pagination(PageNumberPagination):
    """Page numbers from 1; ``page_size`` from 1 to 100. A malformed ``page`` or ``page_size`` is
    refused with a 400 rather than silently replaced by the default (DRF's own behaviour)."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def _query_int(self, request, name: str, maximum: int | None = None) -> int | None:
        values = request.query_params.getlist(name)
        if not values:
            return None
        if len(values) > 1:
            raise exceptions.ValidationError({name: [_("Give it once.")]})
        raw = values[0].strip()
        if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
            raise exceptions.ValidationError({name: [_("Give a whole number from 1.")]})
        if maximum is not None and int(raw) > maximum:
            raise exceptions.ValidationError(
                {name: [_("Give a whole number from 1 to %(maximum)s.") % {"maximum": maximum}]}
            )
        return int(raw)

    def get_page_size(self, request) -> int | None:
        size = self._query_int(request, self.page_size_query_param, self.max_page_size)
        return size or self.page_size

    def get_page_number(self, request, paginator) -> int:
        return self._query_int(request, self.page_query_param) or 1

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


def query_bool(request, name: str) -> bool | None:
    """A yes/no query parameter: ``true``/``false`` (or 1/0, yes/no); absent is ``None``.

    Anything else is refused with a 400 rather than read as "no"."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    value = raw.strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise exceptions.ValidationError({name: [_("Give true or false.")]})


def query_choice(request, name: str, choices) -> str:
    """A query parameter that names one of ``choices`` (codes, or (code, label) pairs); absent
    is ``""``. An unknown (or blank) value is refused with a 400 rather than matching nothing."""
    raw = request.query_params.get(name)
    if raw is None:
        return ""
    codes = [c[0] if isinstance(c, tuple | list) else c for c in choices]
    if raw not in codes:
        raise exceptions.ValidationError(
            {name: [_("Unknown value; give one of: %(codes)s.") % {"codes": ", ".join(codes)}]}
        )
    return raw


def _first_message(errors: Any) -> str:
    if isinstance(errors, dict):
        for field, value in errors.items():
            message = _first_message(value)
            if message:
                return message if field in ("non_field_errors", "detail") else f"{field}: {message}"
    elif isinstance(errors, list):
        for value in errors:
            message = _first_message(value)
            if message:
                return message
    elif errors:
        return str(errors)
    return ""


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Every API error is JSON with a ``detail`` a person can read.

    Validation errors keep their per-field ``errors`` too; business refusals carry ``reasons``.
    """
    if isinstance(exc, ApplicationError):
        body: dict[str, Any] = {"detail": exc.message}
        if exc.reasons:
            body["reasons"] = exc.reasons
        body.update(exc.extra)
        if "field" in exc.extra:
            body["errors"] = {exc.extra["field"]: [exc.message]}
        return Response(body, status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data
        detail = _first_message(errors) or _("Invalid input.")
        response.data = {"detail": detail, "errors": errors}
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif not isinstance(response.data, dict) or "detail" not in response.data:
        response.data = {"detail": _first_message(response.data) or _("Request refused.")}
    return response
