"""API plumbing shared by every app: pagination, JSON errors with a readable ``detail``, and a
model serializer that introspects its model once."""

import copy
import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.fields import SkipField
from rest_framework.pagination import PageNumberPagination
from rest_framework.relations import PKOnlyObject
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from procurement.core.audit import data_version
from procurement.core.exceptions import ApplicationError

COUNT_SECONDS = 60  # a count survives an unaudited change at most this long


class Pagination(PageNumberPagination):
    """Page numbers from 1; ``page_size`` from 1 to 100. A malformed ``page`` or ``page_size`` is
    refused with a 400 rather than silently replaced by the default (DRF's own behaviour).

    A page is read with one row more than asked for: that row says whether there is a ``next``
    page, so no page needs the total. ``count`` is exact, but it is only counted up to
    ``settings.API_COUNT_LIMIT`` rows: counting every matching process of a national network on
    every request made the first page of a list grow with the data. Past the limit ``count`` is
    ``null`` and clients follow ``next``.
    """

    page_size_query_param = "page_size"
    max_page_size = 100
    template = None  # no browsable page controls: they would need the total
    MAX_OFFSET = 2**31 - 1

    @staticmethod
    def count_limit() -> int:
        return settings.API_COUNT_LIMIT

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        self.number = self.get_page_number(request, None)
        offset = (self.number - 1) * size
        if offset >= self.MAX_OFFSET:  # no list is that long; the databases refuse such offsets
            raise exceptions.NotFound(_("Invalid page: there are fewer pages."))
        rows = list(queryset[offset : offset + size + 1])
        self.has_next = len(rows) > size
        rows = rows[:size]
        if self.number > 1 and not rows:
            raise exceptions.NotFound(_("Invalid page: there are fewer pages."))
        self.count: int | None = self._count(queryset, offset, rows)
        return rows

    def _count(self, queryset, offset: int, rows: list) -> int | None:
        """The rows that match, or None past the limit. The last page already knows it. Other
        pages count keys only (a list's annotations, such as the template library's usage
        counts, are not computed again for rows that are never shown), and the count is kept
        for the same user and filters until the next audited write (``_count_key``): counting
        up to the limit cost more than reading the page."""
        if not self.has_next and (rows or offset == 0):
            counted = offset + len(rows)
        elif isinstance(queryset, QuerySet):
            key = self._count_key()
            counted = cache.get(key)
            if counted is None:
                counted = queryset.order_by().values("pk")[: self.count_limit() + 1].count()
                cache.set(key, counted, COUNT_SECONDS)
        else:
            counted = len(queryset)
        return counted if counted <= self.count_limit() else None

    def _count_key(self) -> str:
        """The user, the path and the filters (not the page), and the data version: the id of
        the newest audit row, which grows with every committed write
        (``procurement.core.audit.data_version``)."""
        request = self.request
        assert request is not None  # set by paginate_queryset
        params = sorted(
            (name, value)
            for name, values in request.query_params.lists()
            if name not in (self.page_query_param, self.page_size_query_param)
            for value in values
        )
        user = getattr(request, "user", None)
        who = user.pk if user is not None and user.is_authenticated else 0
        what = hashlib.sha256(repr((request.path, params)).encode()).hexdigest()
        return f"api-count:{data_version()}:{who}:{self.count_limit()}:{what}"

    def get_next_link(self) -> str | None:
        if not self.has_next or self.request is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self) -> str | None:
        if self.number == 1 or self.request is None:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_paginated_response(self, data) -> Response:
        return Response(
            {
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count"].update(
            nullable=True,
            description=_(
                "How many rows match; null when more than %(limit)s do (follow `next` to read "
                "them all)."
            )
            % {"limit": self.count_limit()},
        )
        return described

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

    def get_page_size(self, request) -> int:
        size = self._query_int(request, self.page_size_query_param, self.max_page_size)
        return size or self.page_size or 25

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


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ``ModelSerializer``, introspecting its model once per class instead of once per use.

    DRF builds a model serializer's fields from the model's metadata every time one is made; on
    a process's detail that cost more than reading the process. The fields are built once and
    each serializer gets its own copies (see ``_field_copy``). Only for serializers whose fields
    never depend on the request or the instance.
    """

    def get_fields(self) -> dict[str, serializers.Field]:
        cls = type(self)
        prototype = cls.__dict__.get("_fields_prototype")
        if prototype is None:
            prototype = super().get_fields()
            cls._fields_prototype = prototype  # type: ignore[attr-defined]
        return {name: _field_copy(field) for name, field in prototype.items()}

    @classmethod
    def represent(cls, instance) -> dict[str, Any]:
        """``cls(instance).data`` (without the ``ReturnDict`` wrapper), through one serializer
        of the class kept for the process: making a serializer copies its fields, which on a
        hot read cost more than turning the row into JSON. Only for serializers that read no
        ``context``."""
        return cls._represent_fields()(instance)

    @classmethod
    def represent_many(cls, instances) -> list[dict[str, Any]]:
        """``cls(instances, many=True).data`` as a list, as ``represent`` makes each item."""
        represent = cls._represent_fields()
        return [represent(instance) for instance in instances]

    @classmethod
    def _represent_fields(cls):
        shared = cls.__dict__.get("_shared_representation")
        if shared is None:
            serializer = cls()
            fields = [field for field in serializer.fields.values() if not field.write_only]

            def shared(instance) -> dict[str, Any]:
                # DRF's ``Serializer.to_representation``, over fields bound once.
                data: dict[str, Any] = {}
                for field in fields:
                    try:
                        attribute = field.get_attribute(instance)
                    except SkipField:
                        continue
                    check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
                    data[field.field_name] = (
                        None if check is None else field.to_representation(attribute)
                    )
                return data

            cls._shared_representation = shared  # type: ignore[attr-defined]
        return shared


def _field_copy(field: serializers.Field) -> serializers.Field:
    """A copy of a prototype field that binding to a serializer cannot change in the prototype.

    DRF deep-copies a field by calling its constructor again, which cost a sixth of a process's
    detail. A flat field only gains attributes of its own when bound (name, parent, source), and
    what it shares with the prototype (validators, choices, messages, a related queryset) is
    never changed after construction, so a shallow copy is enough. A field that holds other
    fields (a nested serializer, a list of serializers, a list or many-related field) binds
    those at construction: it is deep-copied as before.
    """
    if isinstance(field, serializers.BaseSerializer) or any(
        hasattr(field, holder) for holder in ("child", "child_relation")
    ):
        return copy.deepcopy(field)
    return copy.copy(field)
