"""API of the phases of a PCP or partnership: the call's phases and criteria, the suppliers'
sealed offers, phase contracts with milestones and IPR terms, deliverables and scores."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from procurement.core.api import ModelSerializer
from procurement.core.exceptions import NotFound, PermissionDenied
from procurement.core.schema import ErrorSerializer
from tenders.phases.evaluation import contract_results
from tenders.phases.models import (
    Deliverable,
    PaymentMilestone,
    Phase,
    PhaseContract,
    PhaseCriterion,
    PhaseOffer,
)
from tenders.phases.selectors import (
    milestone_get_for_user,
    phase_contract_get_for_user,
    phase_contracts_for_user,
    phase_criterion_get_for_user,
    phase_get_for_user,
    phase_offer_content,
    phase_offer_get_for_user,
    phase_offers_for_user,
    phases_for_user,
)
from tenders.phases.services import (
    deliverable_add,
    milestone_move,
    phase_contract_terms_save,
    phase_criterion_delete,
    phase_criterion_save,
    phase_criterion_update,
    phase_delete,
    phase_offer_file_add,
    phase_offer_save,
    phase_offer_score_save,
    phase_offer_submit,
    phase_offer_withdraw,
    phase_save,
    phase_score_save,
)
from tenders.process.common import supplier_of
from tenders.process.money import MoneyField
from tenders.process.selectors import tender_get_for_user, tender_get_private_for_user


class PhaseCriterionSerializer(ModelSerializer):
    class Meta:
        model = PhaseCriterion
        fields = ["id", "order", "name", "weight", "threshold"]
        read_only_fields = ["id", "order"]


class PhaseSerializer(ModelSerializer):
    max_budget_per_supplier = MoneyField(max_digits=14, decimal_places=2, min_value=0)
    criteria = PhaseCriterionSerializer(many=True, read_only=True)

    class Meta:
        model = Phase
        fields = [
            "id",
            "number",
            "name",
            "objectives",
            "duration_days",
            "max_budget_per_supplier",
            "max_suppliers",
            "criteria",
        ]
        read_only_fields = ["id", "number", "criteria"]


class PhasesView(APIView):
    """The call's phases with their criteria: public once the call is. ``POST`` (officer,
    while the call is drafted) adds one."""

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "POST" else [AllowAny()]

    @extend_schema(responses=PhaseSerializer(many=True))
    def get(self, request, pk: int):
        _tender, phases = phases_for_user(user=request.user, tender_pk=pk)
        return Response(PhaseSerializer(phases, many=True).data)

    @extend_schema(request=PhaseSerializer, responses={201: PhaseSerializer, 400: ErrorSerializer})
    def post(self, request, pk: int):
        tender = tender_get_private_for_user(user=request.user, pk=pk)
        serializer = PhaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        phase = phase_save(actor=request.user, tender=tender, **serializer.validated_data)
        return Response(PhaseSerializer(phase).data, status=status.HTTP_201_CREATED)


class PhaseDetailView(APIView):
    """One phase. ``PUT`` changes it and ``DELETE`` removes the last one (officer, while the
    call is drafted)."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(responses=PhaseSerializer)
    def get(self, request, pk: int):
        return Response(PhaseSerializer(phase_get_for_user(user=request.user, pk=pk)).data)

    @extend_schema(request=PhaseSerializer, responses={200: PhaseSerializer, 400: ErrorSerializer})
    def put(self, request, pk: int):
        phase = phase_get_for_user(user=request.user, pk=pk, private=True)
        serializer = PhaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        phase = phase_save(
            actor=request.user, tender=phase.tender, phase=phase, **serializer.validated_data
        )
        return Response(PhaseSerializer(phase).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        phase = phase_get_for_user(user=request.user, pk=pk, private=True)
        phase_delete(actor=request.user, phase=phase)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PhaseCriteriaView(APIView):
    """A phase's evaluation criteria (weight and threshold). ``POST`` (officer) adds one."""

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "POST" else [AllowAny()]

    @extend_schema(responses=PhaseCriterionSerializer(many=True))
    def get(self, request, pk: int):
        phase = phase_get_for_user(user=request.user, pk=pk)
        return Response(PhaseCriterionSerializer(phase.criteria.all(), many=True).data)

    @extend_schema(
        request=PhaseCriterionSerializer,
        responses={201: PhaseCriterionSerializer, 400: ErrorSerializer},
    )
    def post(self, request, pk: int):
        phase = phase_get_for_user(user=request.user, pk=pk, private=True)
        serializer = PhaseCriterionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        criterion = phase_criterion_save(
            actor=request.user, phase=phase, **serializer.validated_data
        )
        return Response(PhaseCriterionSerializer(criterion).data, status=status.HTTP_201_CREATED)


class PhaseCriterionDetailView(APIView):
    """``PUT`` changes a phase criterion and ``DELETE`` removes it (officer, while the call is
    drafted)."""

    @extend_schema(
        request=PhaseCriterionSerializer,
        responses={200: PhaseCriterionSerializer, 400: ErrorSerializer},
    )
    def put(self, request, pk: int):
        criterion = phase_criterion_get_for_user(user=request.user, pk=pk)
        serializer = PhaseCriterionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        criterion = phase_criterion_update(
            actor=request.user, criterion=criterion, **serializer.validated_data
        )
        return Response(PhaseCriterionSerializer(criterion).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        criterion = phase_criterion_get_for_user(user=request.user, pk=pk)
        phase_criterion_delete(actor=request.user, criterion=criterion)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- offers ------------------------------------------------------------------------------------


class PhaseOfferSerializer(ModelSerializer):
    supplier = serializers.CharField(source="supplier.name", read_only=True)

    class Meta:
        model = PhaseOffer
        fields = [
            "id",
            "tender",
            "supplier",
            "kind",
            "status",
            "digest",
            "submitted_at",
            "updated_at",
        ]
        read_only_fields = fields


class PhaseOfferWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=PhaseOffer.Kind.choices,
        required=False,
        default=PhaseOffer.Kind.OFFER,
        help_text="offer (a PCP offer or a partnership's final offer) or request (a request to "
        "participate in a partnership, LCSP art. 178.1).",
    )
    rd_plan = serializers.CharField(allow_blank=True, required=False, default="")
    team = serializers.CharField(allow_blank=True, required=False, default="")
    prices = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text='The price offered for each phase, by phase number: {"1": "45000"} '
        "(required for an offer).",
    )
    capacity = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        help_text="A request to participate: the R&D and innovation capacity (LCSP art. 178.3).",
    )
    purchase_max_cost = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        help_text="A partnership's final offer: the most the purchase of the results may cost "
        "(LCSP arts. 177.1 and 181).",
    )

    def validate(self, attrs):
        if attrs.get("kind") != PhaseOffer.Kind.REQUEST and "prices" not in self.initial_data:
            raise serializers.ValidationError(
                {"prices": _("Give a price for each phase, by phase number.")}
            )
        return attrs


class PhaseOfferContentSerializer(PhaseOfferSerializer):
    rd_plan = serializers.CharField(read_only=True)
    team = serializers.CharField(read_only=True)
    prices = serializers.DictField(child=serializers.CharField(), read_only=True)
    capacity = serializers.CharField(read_only=True)
    purchase_max_cost = serializers.CharField(read_only=True)
    files = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta(PhaseOfferSerializer.Meta):
        fields = [
            *PhaseOfferSerializer.Meta.fields,
            "rd_plan",
            "team",
            "prices",
            "capacity",
            "purchase_max_cost",
            "files",
        ]
        read_only_fields = fields


def _offer_out(offer: PhaseOffer) -> dict:
    data = PhaseOfferSerializer(offer).data
    data.update(phase_offer_content(offer))
    return data


class PhaseOffersView(APIView):
    """PCP offers, and a partnership's requests to participate and final offers: a supplier
    reads its own, the city the submitted ones once their deadline passed. ``POST`` (a
    supplier, while the call, the notice or the invitation to final offers is open) writes its
    offer or request (``kind``) as a sealed draft."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PhaseOfferSerializer(many=True))
    def get(self, request, pk: int):
        offers = phase_offers_for_user(user=request.user, tender_pk=pk)
        return Response(PhaseOfferSerializer(offers, many=True).data)

    @extend_schema(
        request=PhaseOfferWriteSerializer,
        responses={200: PhaseOfferContentSerializer, 400: ErrorSerializer},
    )
    def post(self, request, pk: int):
        tender, _private = tender_get_for_user(user=request.user, pk=pk)
        serializer = PhaseOfferWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        offer = phase_offer_save(actor=request.user, tender=tender, **serializer.validated_data)
        return Response(_offer_out(offer))


class PhaseOfferDetailView(APIView):
    """An offer with its sealed content, for its supplier or, once the call closed, the city."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PhaseOfferContentSerializer)
    def get(self, request, pk: int):
        return Response(_offer_out(phase_offer_get_for_user(user=request.user, pk=pk)))


def _own_offer(request, pk: int) -> PhaseOffer:
    offer = phase_offer_get_for_user(user=request.user, pk=pk)
    if offer.supplier_id != supplier_of(request.user).pk:
        raise NotFound(_("Offer not found."))
    return offer


class FinalOfferScoreSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(help_text="An award criterion of the process.")
    points = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0)
    justification = serializers.CharField()


class PhaseOfferScoresView(APIView):
    """``POST`` (a committee member, once a partnership's final offers closed): score a final
    offer on one award criterion, with its justification (LCSP arts. 145.2 and 179.2)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=FinalOfferScoreSerializer,
        responses={201: FinalOfferScoreSerializer, 400: ErrorSerializer},
    )
    def post(self, request, pk: int):
        offer = phase_offer_get_for_user(user=request.user, pk=pk)
        _tender, private = tender_get_for_user(user=request.user, pk=offer.tender_id)
        if not private:
            raise NotFound(_("Offer not found."))
        serializer = FinalOfferScoreSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        criterion = offer.tender.criteria.filter(pk=serializer.validated_data["criterion"]).first()
        if criterion is None:
            raise NotFound(_("Criterion not found."))
        score = phase_offer_score_save(
            actor=request.user,
            offer=offer,
            criterion=criterion,
            points=serializer.validated_data["points"],
            justification=serializer.validated_data["justification"],
        )
        return Response(
            {
                "criterion": criterion.pk,
                "points": str(score.points),
                "justification": score.justification,
            },
            status=status.HTTP_201_CREATED,
        )


class PhaseOfferSubmitView(APIView):
    """Submit the offer as sealed (R&D plan, team and a price for every phase required)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: PhaseOfferSerializer, 409: ErrorSerializer})
    def post(self, request, pk: int):
        offer = phase_offer_submit(actor=request.user, offer=_own_offer(request, pk))
        return Response(PhaseOfferSerializer(offer).data)


class PhaseOfferWithdrawView(APIView):
    """Withdraw a submitted offer before the call closes."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: PhaseOfferSerializer, 409: ErrorSerializer})
    def post(self, request, pk: int):
        offer = phase_offer_withdraw(actor=request.user, offer=_own_offer(request, pk))
        return Response(PhaseOfferSerializer(offer).data)


class FileUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class PhaseOfferFilesView(APIView):
    """``POST`` (multipart): the supplier adds a document to its draft offer, sealed."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": FileUploadSerializer},
        responses={201: PhaseOfferContentSerializer, 400: ErrorSerializer},
    )
    def post(self, request, pk: int):
        offer = _own_offer(request, pk)
        phase_offer_file_add(actor=request.user, offer=offer, upload=request.data.get("file"))
        offer.refresh_from_db()
        return Response(_offer_out(offer), status=status.HTTP_201_CREATED)


# --- contracts, milestones, deliverables, scores -----------------------------------------------


class PaymentMilestoneSerializer(ModelSerializer):
    amount = MoneyField(max_digits=14, decimal_places=2, min_value=0)

    class Meta:
        model = PaymentMilestone
        fields = [
            "id",
            "order",
            "title",
            "amount",
            "due_date",
            "deliverable",
            "status",
            "accepted_at",
            "paid_at",
        ]
        read_only_fields = ["id", "order", "status", "accepted_at", "paid_at"]


class DeliverableSerializer(ModelSerializer):
    late = serializers.BooleanField(read_only=True)

    class Meta:
        model = Deliverable
        fields = ["id", "title", "summary", "name", "size", "sha256", "uploaded_at", "late"]
        read_only_fields = fields


class PhaseContractSerializer(ModelSerializer):
    supplier = serializers.CharField(source="supplier.name", read_only=True)
    supplier_id = serializers.IntegerField(read_only=True)
    phase = serializers.IntegerField(source="phase.number", read_only=True)
    milestones = PaymentMilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = PhaseContract
        fields = [
            "id",
            "phase",
            "supplier",
            "supplier_id",
            "price",
            "reference",
            "ipr_owner",
            "buyer_licence",
            "call_back",
            "publication",
            "signed_at",
            "ends_at",
            "total_points",
            "outcome",
            "milestones",
        ]
        read_only_fields = fields


def _contract_out(contract: PhaseContract, private: bool) -> dict:
    data = PhaseContractSerializer(contract).data
    if private:
        data["deliverables"] = DeliverableSerializer(contract.deliverables.all(), many=True).data
        data["missing_deliverables"] = (
            contract.signed_at is not None
            and contract.ends_at is not None
            and not contract.deliverables.all()
            and contract.phase.tender.phase_ends_at is None
        )
        data["scores"] = [
            {
                "criterion": row.criterion.name,
                "weight": str(row.criterion.weight),
                "threshold": str(row.criterion.threshold),
                "points": str(row.points),
                "justifications": row.justifications,
            }
            for row in contract_results(contract).rows
        ]
    return data


class PhaseContractsView(APIView):
    """The process's phase contracts with their milestones: signed ones for everyone; the city
    and each supplier (its own) also read deliverables, late or missing, and scores."""

    permission_classes = [AllowAny]

    @extend_schema(responses=PhaseContractSerializer(many=True))
    def get(self, request, pk: int):
        _tender, private, contracts = phase_contracts_for_user(user=request.user, tender_pk=pk)
        return Response([_contract_out(c, private) for c in contracts])


class MilestoneInSerializer(serializers.Serializer):
    title = serializers.CharField()
    amount = MoneyField(max_digits=14, decimal_places=2, min_value=0)
    due_date = serializers.DateField()
    deliverable = serializers.CharField()


class ContractTermsSerializer(serializers.Serializer):
    milestones = MilestoneInSerializer(many=True)
    ipr_owner = serializers.ChoiceField(choices=PhaseContract.Owner.choices, required=False)
    buyer_licence = serializers.CharField(required=False)
    call_back = serializers.CharField(required=False)
    publication = serializers.CharField(required=False)


class PhaseContractView(APIView):
    """One phase contract. ``PUT`` (officer): its payment milestones, which must add up to the
    phase price, and its IPR terms, while no milestone is accepted."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(responses=PhaseContractSerializer)
    def get(self, request, pk: int):
        contract, access = phase_contract_get_for_user(user=request.user, pk=pk)
        return Response(_contract_out(contract, access != "public"))

    @extend_schema(
        request=ContractTermsSerializer,
        responses={200: PhaseContractSerializer, 400: ErrorSerializer},
    )
    def put(self, request, pk: int):
        contract, access = phase_contract_get_for_user(user=request.user, pk=pk)
        if access == "public":
            raise NotFound(_("Contract not found."))
        serializer = ContractTermsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract = phase_contract_terms_save(
            actor=request.user, contract=contract, **serializer.validated_data
        )
        return Response(_contract_out(contract, True))


class DeliverableUploadSerializer(serializers.Serializer):
    title = serializers.CharField()
    summary = serializers.CharField()
    file = serializers.FileField()


class DeliverablesView(APIView):
    """``POST`` (multipart, the contract's supplier): deliver a file of the phase with a
    summary; after the phase's end it is recorded as late."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": DeliverableUploadSerializer},
        responses={201: DeliverableSerializer, 400: ErrorSerializer},
    )
    def post(self, request, pk: int):
        contract, access = phase_contract_get_for_user(user=request.user, pk=pk)
        if access == "public":
            raise NotFound(_("Contract not found."))
        if access != "supplier":
            raise PermissionDenied(_("Only the contract's supplier delivers its results."))
        serializer = DeliverableUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = deliverable_add(
            actor=request.user,
            contract=contract,
            title=serializer.validated_data["title"],
            summary=serializer.validated_data["summary"],
            upload=serializer.validated_data["file"],
        )
        return Response(DeliverableSerializer(item).data, status=status.HTTP_201_CREATED)


class PhaseScoreSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    points = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0)
    justification = serializers.CharField()


class PhaseScoresView(APIView):
    """``POST`` (a committee member, at the gate after the phase): score the contract's
    deliverables on one criterion of the phase, with its justification."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=PhaseScoreSerializer, responses={201: PhaseScoreSerializer, 400: ErrorSerializer}
    )
    def post(self, request, pk: int):
        contract, access = phase_contract_get_for_user(user=request.user, pk=pk)
        if access != "city":
            raise NotFound(_("Contract not found."))
        serializer = PhaseScoreSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        criterion = contract.phase.criteria.filter(
            pk=serializer.validated_data["criterion"]
        ).first()
        if criterion is None:
            raise NotFound(_("Criterion not found."))
        score = phase_score_save(
            actor=request.user,
            contract=contract,
            criterion=criterion,
            points=serializer.validated_data["points"],
            justification=serializer.validated_data["justification"],
        )
        return Response(
            {
                "criterion": criterion.pk,
                "points": str(score.points),
                "justification": score.justification,
            },
            status=status.HTTP_201_CREATED,
        )


class MilestoneMoveView(APIView):
    """``POST`` (officer): accept a milestone (its deliverable is fine) or pay an accepted one."""

    permission_classes = [IsAuthenticated]
    move = ""

    @extend_schema(request=None, responses={200: PaymentMilestoneSerializer, 409: ErrorSerializer})
    def post(self, request, pk: int):
        milestone = milestone_get_for_user(user=request.user, pk=pk)
        moved = milestone_move(actor=request.user, milestone=milestone, move=self.move)
        return Response(PaymentMilestoneSerializer(moved).data)


class MilestoneAcceptView(MilestoneMoveView):
    move = "milestone_accept"


class MilestonePayView(MilestoneMoveView):
    move = "milestone_pay"
