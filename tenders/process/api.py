"""API of CPI processes: list, create, read, the actions possible now, fire one, history."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from procurement.accounts.models import City, Membership
from procurement.core.api import ModelSerializer, query_choice
from procurement.core.exceptions import ApplicationError
from procurement.core.inapp import (
    inapp_mark_read,
    inapp_message_get_for_user,
    inapp_messages_for_user,
    inapp_unread_count,
)
from procurement.core.models import InAppMessage
from procurement.core.permissions import object_get_for_user
from procurement.core.public_cache import user_read
from tenders.procedures import PROCEDURE_CHOICES, STAGES, STATE_BY_NAME
from tenders.process.forms import ProcessSearchForm
from tenders.process.history import history_rows
from tenders.process.models import Notification, Tender
from tenders.process.money import MoneyField
from tenders.process.selectors import (
    notification_get_for_user,
    notifications_for_user,
    notifications_of_tender,
    tender_get_for_user,
    tender_get_private_for_user,
    tender_history,
    tender_list_for_user,
)
from tenders.process.services import notification_open, tender_create, tender_update
from workflows.services import transition_options, transition_perform


class CityRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class TenderSerializer(ModelSerializer):
    """The public face of a process."""

    city = CityRefSerializer(read_only=True)
    status_label = serializers.SerializerMethodField()
    stage = serializers.SerializerMethodField()
    estimated_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=True
    )

    class Meta:
        model = Tender
        fields = [
            "id",
            "title",
            "description",
            "city",
            "procedure",
            "status",
            "status_label",
            "stage",
            "estimated_value",
            "currency",
            "cpv_codes",
            "rules_version",
            "first_published_at",
            "submission_deadline",
            "next_check",
            "created_at",
        ]

    def get_status_label(self, tender) -> str:
        return str(STATE_BY_NAME[tender.status].label)

    def get_stage(self, tender) -> str:
        return STATE_BY_NAME[tender.status].stage


# The columns ``TenderSerializer`` reads: a list page does not load the private side's forty
# columns (long texts, a dozen dates) only to drop them.
LIST_COLUMNS = [
    *(
        name
        for name in TenderSerializer.Meta.fields
        if name not in ("city", "status_label", "stage")
    ),
    "city__id",
    "city__name",
    "city__slug",
]


class TenderPrivateSerializer(TenderSerializer):
    """What the city's own people also see."""

    class Meta(TenderSerializer.Meta):
        fields = [
            *TenderSerializer.Meta.fields,
            "functional_specifications",
            "consultation_skip_reason",
            "legal_report_ref",
            "credit_certificate_ref",
            "audit_report_ref",
            "specs_frozen_at",
            "documents_due_at",
            "awarded_at",
            "standstill_ends_at",
            "contract_signed_at",
            "phase_ends_at",
            "negotiation_rounds",
            "rd_phase",
            "rd_phases_total",
        ]


class TenderCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(
        max_length=20000, allow_blank=True, required=False, default=""
    )
    procedure = serializers.ChoiceField(choices=PROCEDURE_CHOICES)
    estimated_value = MoneyField(max_digits=14, decimal_places=2, min_value=0)
    currency = serializers.CharField(max_length=3, required=False)
    cpv_codes = serializers.ListField(
        child=serializers.CharField(max_length=12), max_length=50, required=False, default=list
    )
    city = serializers.IntegerField(
        required=False, help_text="Needed only by officers of several cities."
    )


def _officer_city(user, city_id: int | None) -> City:
    cities = City.objects.filter(memberships__user=user, memberships__role=Membership.Role.OFFICER)
    if user.is_superuser:
        cities = City.objects.all()
    if city_id is not None:
        return object_get_for_user(user, "accounts.view_city_workspace", cities, pk=city_id)
    found = list(cities.distinct()[:2])
    if not found:
        from procurement.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only procurement officers of a city may create processes."))
    if len(found) > 1:
        raise ApplicationError(
            _("You are an officer of several cities: give “city”."), extra={"field": "city"}
        )
    return found[0]


# The search of the process list, the same as the web's form (``ProcessSearchForm``).
SEARCH_PARAMETERS = [
    OpenApiParameter(
        "q", str, description="words of the title or description, or the process number"
    ),
    OpenApiParameter("cpv", str, description="a CPV code or its first digits (72, 72000000-5)"),
    OpenApiParameter("stage", str, enum=[c for c, _l in STAGES]),
    OpenApiParameter("procedure", str, enum=[c for c, _l in PROCEDURE_CHOICES]),
    OpenApiParameter("city", str, description="city id or slug"),
    OpenApiParameter(
        "date_from",
        OpenApiTypes.DATE,
        description="published (or, before that, recorded) on or after this day",
    ),
    OpenApiParameter(
        "date_to",
        OpenApiTypes.DATE,
        description="published (or, before that, recorded) on or before this day",
    ),
]


def search_of_request(request) -> dict:
    """The list search the query parameters ask for; a 400 naming the parameter when one is
    malformed (an unknown stage, a date that is not YYYY-MM-DD, an end before the start)."""
    # The web's form leaves an empty choice for "any"; the API's schema gives these parameters a
    # set of values or a date format, so an empty one is refused like any other bad value.
    empty = [
        name
        for name in ("stage", "procedure", "date_from", "date_to")
        if name in request.query_params and not request.query_params[name].strip()
    ]
    if empty:
        raise ValidationError(
            {name: [_("Give a value or leave the parameter out.")] for name in empty}
        )
    form = ProcessSearchForm(request.query_params)
    if not form.is_valid():
        raise ValidationError(
            {field: [str(e) for e in errors] for field, errors in form.errors.items()}
        )
    return form.search()


class TenderListView(ListAPIView):
    """Processes: the caller's cities' own and every published one. ``POST`` records a need."""

    permission_classes = [AllowAny]

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "POST" else [AllowAny()]

    def get_serializer_class(self):
        return TenderSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, description="state name(s), comma separated"),
            *SEARCH_PARAMETERS,
        ]
    )
    @user_read
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(TenderSerializer.represent_many(page))

    def get_queryset(self):
        params = self.request.query_params
        states = params.get("status", "")
        unknown = [s for s in states.split(",") if s and s not in STATE_BY_NAME]
        if unknown:
            raise ValidationError({"status": [_("Unknown state: %(s)s.") % {"s": unknown[0]}]})
        query_choice(self.request, "procedure", PROCEDURE_CHOICES)  # 400 on an unknown one
        return tender_list_for_user(
            user=self.request.user, status=states, **search_of_request(self.request)
        ).only(*LIST_COLUMNS)

    @extend_schema(request=TenderCreateSerializer, responses={201: TenderPrivateSerializer})
    def post(self, request):
        serializer = TenderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        tender = tender_create(
            actor=request.user,
            city=_officer_city(request.user, data.get("city")),
            title=data["title"],
            description=data["description"],
            procedure=data["procedure"],
            estimated_value=data["estimated_value"],
            currency=data.get("currency"),
            cpv_codes=data["cpv_codes"],
        )
        return Response(TenderPrivateSerializer(tender).data, status=status.HTTP_201_CREATED)


class TenderUpdateSerializer(serializers.Serializer):
    """What the web's edit form writes: the need and its functional specifications."""

    title = serializers.CharField(max_length=300)
    description = serializers.CharField(max_length=20000, allow_blank=True)
    estimated_value = MoneyField(max_digits=14, decimal_places=2, min_value=0)
    cpv_codes = serializers.ListField(child=serializers.CharField(max_length=12), max_length=50)
    functional_specifications = serializers.CharField(max_length=50000, allow_blank=True)


class TenderDetailView(APIView):
    """A process. ``PUT`` / ``PATCH`` (its city's officers): the need and its functional
    specifications, while they may be edited (until the file is approved, LCSP art. 122.1);
    409 once they are frozen."""

    permission_classes = [AllowAny]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(responses=TenderPrivateSerializer)
    @user_read
    def get(self, request, pk: int):
        tender, private = tender_get_for_user(user=request.user, pk=pk)
        serializer = TenderPrivateSerializer if private else TenderSerializer
        return Response(serializer.represent(tender))

    def _update(self, request, pk: int, *, partial: bool) -> Response:
        tender = tender_get_private_for_user(user=request.user, pk=pk)
        serializer = TenderUpdateSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        tender = tender_update(actor=request.user, tender=tender, **serializer.validated_data)
        return Response(TenderPrivateSerializer(tender).data)

    @extend_schema(request=TenderUpdateSerializer, responses=TenderPrivateSerializer)
    def put(self, request, pk: int):
        return self._update(request, pk, partial=False)

    @extend_schema(request=TenderUpdateSerializer, responses=TenderPrivateSerializer)
    def patch(self, request, pk: int):
        return self._update(request, pk, partial=True)


class TransitionOptionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    target = serializers.CharField()
    allowed = serializers.BooleanField()
    automatic = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    legal_basis = serializers.CharField()
    needs_reason = serializers.BooleanField()
    data = serializers.ListField(child=serializers.DictField())  # type: ignore[assignment]
    due_at = serializers.DateTimeField(allow_null=True)


def option_payload(option) -> dict:
    definition = option.definition
    return {
        "name": definition.name,
        "label": str(definition.label),
        "target": option.target,
        "allowed": option.allowed,
        "automatic": definition.automatic,
        "reasons": [str(r) for r in option.reasons],
        "legal_basis": definition.legal_basis,
        "needs_reason": definition.needs_reason,
        "data": [
            {
                "name": f.name,
                "kind": f.kind,
                "label": str(f.label),
                "required": f.required,
                **(
                    {"choices": [{"value": v, "label": str(label)} for v, label in f.choices]}
                    if f.choices
                    else {}
                ),
            }
            for f in definition.data
        ],
        "due_at": option.due_at,
    }


class TransitionListView(APIView):
    """The transitions leaving the current state: may the caller fire each, and if not, why."""

    @extend_schema(responses=TransitionOptionSerializer(many=True))
    def get(self, request, pk: int):
        tender = tender_get_private_for_user(user=request.user, pk=pk)
        options = transition_options(process=tender, user=request.user)
        return Response(
            TransitionOptionSerializer([option_payload(o) for o in options], many=True).data
        )


class TransitionRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    data = serializers.DictField(required=False, default=dict)  # type: ignore[assignment]


class TransitionFireView(APIView):
    """Fire one transition. 409 with ``detail`` and ``reasons`` when a guard or a concurrent
    change refuses it; 403 when the caller's role may not; 400 for malformed data."""

    @extend_schema(
        request=TransitionRequestSerializer,
        responses={
            200: TenderPrivateSerializer,
            409: inline_serializer(
                "TransitionRefused",
                {
                    "detail": serializers.CharField(),
                    "reasons": serializers.ListField(child=serializers.CharField()),
                },
            ),
        },
    )
    def post(self, request, pk: int, name: str):
        tender = tender_get_private_for_user(user=request.user, pk=pk)
        serializer = TransitionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tender = transition_perform(
            process=tender,
            name=name,
            actor=request.user,
            reason=serializer.validated_data["reason"],
            data=serializer.validated_data["data"],
        )
        return Response(TenderPrivateSerializer(tender).data)


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True, help_text="username; null when the system acted")
    action = serializers.CharField()
    name = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    reason = serializers.CharField()
    legal_basis = serializers.CharField()
    data = serializers.DictField()  # type: ignore[assignment]
    label = serializers.CharField(help_text="what happened, in the language of the request")
    actor_name = serializers.CharField(help_text="the person's name; “the system” when none")
    organisation = serializers.CharField(help_text="the organisation the person acts for")
    subject = serializers.CharField(help_text="what the act was about (a lot, a score…)")
    changes = HistoryChangeSerializer(many=True)


class HistoryView(APIView):
    @extend_schema(responses=HistoryEntrySerializer(many=True))
    def get(self, request, pk: int):
        tender = tender_get_private_for_user(user=request.user, pk=pk)
        rows = [
            {
                "at": e.at,
                "actor": e.actor.username if e.actor else None,
                "action": e.action,
                "name": e.name,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "reason": e.reason,
                "legal_basis": e.legal_basis,
                "data": {k: v for k, v in e.data.items() if k != "changes"}
                if line.sealed
                else e.data,
                "label": line.label,
                "actor_name": line.who,
                "organisation": line.organisation,
                "subject": line.subject,
                "changes": [{"field": f, "old": old, "new": new} for f, old, new in line.changes],
            }
            for line in history_rows(
                tender_history(tender=tender),
                city=tender.city,
                viewer=request.user,
                scores_open=tender.value_report_signed_at is not None,
            )
            for e in (line.entry,)
        ]
        return Response(HistoryEntrySerializer(rows, many=True).data)


# --- the bidder's inbox: notifications with evidence (LCSP DA 15ª) ------------------------------


class TenderRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class NotificationSerializer(ModelSerializer):
    """A notification and its evidence: made available, published, opened, and where periods
    that run from it start (LCSP DA 15ª.1; Ley 39/2015 art. 43)."""

    tender = TenderRefSerializer(read_only=True)
    state = serializers.SerializerMethodField(help_text="available, accessed or rejected")
    rejected_at = serializers.DateTimeField(read_only=True)
    period_start = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "tender",
            "supplier",
            "kind",
            "subject",
            "body",
            "content_sha256",
            "sender_name",
            "sent_at",
            "perfil_published_at",
            "accessed_at",
            "rejected_at",
            "state",
            "period_start",
        ]

    def _now(self):
        return self.context.get("now") or timezone.now()

    def get_state(self, notification) -> str:
        return notification.evidence_state(now=self._now())

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_period_start(self, notification):
        start = notification.period_start(now=self._now())
        return serializers.DateTimeField().to_representation(start) if start else None


class NotificationListView(ListAPIView):
    """The notifications to the caller's supplier, newest first (the inbox)."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        return notifications_for_user(user=self.request.user)


class NotificationDetailView(APIView):
    """One notification; reading it is its receipt: the first reading stamps ``accessed_at``
    (Ley 39/2015 art. 43.1). Someone else's and a missing one give the same 404."""

    @extend_schema(responses=NotificationSerializer)
    def get(self, request, pk: int):
        notification = notification_get_for_user(user=request.user, pk=pk)
        notification = notification_open(actor=request.user, notification=notification)
        return Response(NotificationSerializer(notification).data)


class InAppMessageSerializer(ModelSerializer):
    """A message of the platform to the caller: no legal effect (not a ``Notification``)."""

    class Meta:
        model = InAppMessage
        fields = ["id", "subject", "body", "link", "created_at", "read_at"]


class InAppMessageListView(ListAPIView):
    """The caller's in-app messages, newest first; ``?unread=true`` only the unread ones. The
    ``X-Unread-Count`` header tells how many are unread in all."""

    serializer_class = InAppMessageSerializer

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="only the unread messages")]
    )
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["X-Unread-Count"] = str(inapp_unread_count(user=request.user))
        return response

    def get_queryset(self):
        messages = inapp_messages_for_user(user=self.request.user)
        unread = self.request.query_params.get("unread", "")
        if unread.lower() in {"true", "1", "yes"}:
            messages = messages.filter(read_at__isnull=True)
        elif unread and unread.lower() not in {"false", "0", "no"}:
            raise ValidationError({"unread": [_("Give true or false.")]})
        return messages


class InAppMessageReadView(APIView):
    """Mark one of the caller's messages read (the web inbox's button). Someone else's and a
    missing one give the same 404; marking a read message again changes nothing."""

    @extend_schema(
        operation_id="v1_notifications_message_read", request=None, responses=InAppMessageSerializer
    )
    def post(self, request, pk: int):
        message = inapp_message_get_for_user(user=request.user, pk=pk)
        inapp_mark_read(actor=request.user, message=message)
        message.refresh_from_db()
        return Response(InAppMessageSerializer(message).data)


class InAppMessagesReadView(APIView):
    """Mark every unread message of the caller read (the web inbox's "Mark all read")."""

    @extend_schema(
        operation_id="v1_notifications_messages_read_all",
        request=None,
        responses=inline_serializer("InAppMessagesRead", {"marked": serializers.IntegerField()}),
    )
    def post(self, request):
        return Response({"marked": inapp_mark_read(actor=request.user)})


class TenderNotificationsView(ListAPIView):
    """Every notification of a process with its evidence, for the city's file (LCSP DA 16ª.1.e;
    Ley 39/2015 art. 41.1: the proof goes into the expediente)."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        tender = tender_get_private_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return notifications_of_tender(tender=tender)
