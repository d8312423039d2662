"""API from tender to award: lots, criteria, committee, bids, scores, ranking, awards."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from procurement.accounts.models import User
from procurement.core.api import ModelSerializer
from procurement.core.exceptions import ApplicationError, Conflict, NotFound
from procurement.core.schema import ErrorSerializer
from tenders.award.deuc import deuc_gaps
from tenders.award.evaluation import scoreboard
from tenders.award.models import Bid, BidFile, Criterion, Lot, Score, TenderQuestion
from tenders.award.receipt import bid_receipt_pdf
from tenders.award.selectors import (
    awards_for_user,
    bid_envelope_read,
    bid_file_read_for_user,
    bid_files_for_user,
    bid_get_for_user,
    bid_summary_for_user,
    bids_for_user,
)
from tenders.award.services.bid_files import award_document_add, bid_file_add, bid_file_remove
from tenders.award.services.bids import (
    abnormal_decide,
    abnormal_justify,
    bid_admission_decide,
    bid_deuc_save,
    bid_save,
    bid_submit,
    bid_withdraw,
    committee_assign,
    criterion_delete,
    criterion_save,
    lot_delete,
    lot_save,
    score_save,
    tender_question_answer,
    tender_question_ask,
)
from tenders.process.money import MoneyField, NumberField
from tenders.process.selectors import tender_get_for_user, tender_get_private_for_user


class LotSerializer(ModelSerializer):
    value = MoneyField(max_digits=14, decimal_places=2, min_value=0)

    class Meta:
        model = Lot
        fields = ["id", "number", "title", "value", "cpv_codes", "duration_months"]
        read_only_fields = ["id", "number"]


class CriterionSerializer(ModelSerializer):
    weight = NumberField(max_digits=6, decimal_places=2)

    class Meta:
        model = Criterion
        fields = [
            "id",
            "order",
            "name",
            "kind",
            "weight",
            "innovation",
            "is_price",
            "formula",
            "params",
        ]
        read_only_fields = ["id", "order"]


class LotsView(APIView):
    """The process's lots: public once published. ``POST`` (officer) adds one."""

    permission_classes = [AllowAny]

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "POST" else [AllowAny()]

    @extend_schema(responses=LotSerializer(many=True))
    def get(self, request, pk: int):
        tender, _private = tender_get_for_user(user=request.user, pk=pk)
        return Response(LotSerializer(tender.lots.all(), many=True).data)

    @extend_schema(request=LotSerializer, responses={201: LotSerializer})
    def post(self, request, pk: int):
        tender = tender_get_private_for_user(user=request.user, pk=pk)
        serializer = LotSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lot = lot_save(actor=request.user, tender=tender, **serializer.validated_data)
        return Response(LotSerializer(lot).data, status=status.HTTP_201_CREATED)


class CriteriaView(APIView):
    """Award criteria with weights and formulas: public once published. ``POST`` (officer)."""

    permission_classes = [AllowAny]

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "POST" else [AllowAny()]

    @extend_schema(responses=CriterionSerializer(many=True))
    def get(self, request, pk: int):
        tender, _private = tender_get_for_user(user=request.user, pk=pk)
        return Response(CriterionSerializer(tender.criteria.all(), many=True).data)

    @extend_schema(request=CriterionSerializer, responses={201: CriterionSerializer})
    def post(self, request, pk: int):
        tender = tender_get_private_for_user(user=request.user, pk=pk)
        serializer = CriterionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        criterion = criterion_save(actor=request.user, tender=tender, **serializer.validated_data)
        return Response(CriterionSerializer(criterion).data, status=status.HTTP_201_CREATED)


def _lot_or_criterion(model, pk: int, user, *, private: bool):
    """The lot or criterion ``pk`` if ``user`` may read its process (its private side for a
    write): the same ``NotFound`` for missing and not the caller's."""
    item = model.objects.filter(pk=pk).select_related("tender").first()
    try:
        if item is None:
            raise NotFound(_("Not found."))
        if private:
            tender_get_private_for_user(user=user, pk=item.tender_id)
        else:
            tender_get_for_user(user=user, pk=item.tender_id)
    except NotFound as error:
        # One answer for missing and not the caller's: not even the process is named.
        raise NotFound(_("Not found.")) from error
    return item


class LotDetailView(APIView):
    """One lot. ``PUT`` / ``PATCH`` / ``DELETE`` (the process's officers) while the PCAP may be
    edited (until the file is approved, LCSP art. 122.1); the lots after a deleted one move up
    a number."""

    permission_classes = [AllowAny]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(responses=LotSerializer)
    def get(self, request, pk: int):
        return Response(LotSerializer(_lot_or_criterion(Lot, pk, request.user, private=False)).data)

    def _update(self, request, pk: int, *, partial: bool) -> Response:
        lot = _lot_or_criterion(Lot, pk, request.user, private=True)
        serializer = LotSerializer(lot, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        current = {
            "title": lot.title,
            "value": lot.value,
            "cpv_codes": lot.cpv_codes,
            "duration_months": lot.duration_months,
        }
        lot = lot_save(
            actor=request.user,
            tender=lot.tender,
            number=lot.number,
            **{**current, **serializer.validated_data},
        )
        return Response(LotSerializer(lot).data)

    @extend_schema(request=LotSerializer, responses=LotSerializer)
    def put(self, request, pk: int):
        return self._update(request, pk, partial=False)

    @extend_schema(request=LotSerializer, responses=LotSerializer)
    def patch(self, request, pk: int):
        return self._update(request, pk, partial=True)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        lot = _lot_or_criterion(Lot, pk, request.user, private=True)
        lot_delete(actor=request.user, lot=lot)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CriterionDetailView(APIView):
    """One award criterion. ``PUT`` / ``PATCH`` / ``DELETE`` (the process's officers) while the
    PCAP may be edited (LCSP art. 122.1); the weights must still add up to at most 100."""

    permission_classes = [AllowAny]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(responses=CriterionSerializer)
    def get(self, request, pk: int):
        criterion = _lot_or_criterion(Criterion, pk, request.user, private=False)
        return Response(CriterionSerializer(criterion).data)

    def _update(self, request, pk: int, *, partial: bool) -> Response:
        criterion = _lot_or_criterion(Criterion, pk, request.user, private=True)
        serializer = CriterionSerializer(criterion, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        current = {
            "name": criterion.name,
            "kind": criterion.kind,
            "weight": criterion.weight,
            "formula": criterion.formula,
            "params": criterion.params,
            "innovation": criterion.innovation,
            "is_price": criterion.is_price,
        }
        criterion = criterion_save(
            actor=request.user,
            tender=criterion.tender,
            criterion=criterion,
            **{**current, **serializer.validated_data},
        )
        return Response(CriterionSerializer(criterion).data)

    @extend_schema(request=CriterionSerializer, responses=CriterionSerializer)
    def put(self, request, pk: int):
        return self._update(request, pk, partial=False)

    @extend_schema(request=CriterionSerializer, responses=CriterionSerializer)
    def patch(self, request, pk: int):
        return self._update(request, pk, partial=True)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        criterion = _lot_or_criterion(Criterion, pk, request.user, private=True)
        criterion_delete(actor=request.user, criterion=criterion)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommitteeRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.CharField(max_length=100, required=False, default="vocal")


class CommitteeView(APIView):
    @extend_schema(request=CommitteeRequestSerializer, responses={201: CommitteeRequestSerializer})
    def post(self, request, pk: int):
        tender = tender_get_private_for_user(user=request.user, pk=pk)
        serializer = CommitteeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = User.objects.filter(username=serializer.validated_data["username"]).first()
        if user is None:
            raise ApplicationError(_("No such user."), extra={"field": "username"})
        member = committee_assign(
            actor=request.user, tender=tender, user=user, role=serializer.validated_data["role"]
        )
        return Response(
            {"username": member.user.username, "role": member.role}, status=status.HTTP_201_CREATED
        )


class BidSerializer(ModelSerializer):
    """A bid's public metadata and the bidder's receipt; never envelope contents."""

    supplier = serializers.CharField(source="supplier.name")
    lot = serializers.IntegerField(source="lot.number")

    class Meta:
        model = Bid
        fields = [
            "id",
            "lot",
            "supplier",
            "status",
            "submitted_at",
            "digest_a",
            "digest_b",
            "digest_c",
            "admission",
            "admission_reason",
            "abnormal",
            "abnormal_due_at",
        ]


class EnvelopesSerializer(serializers.Serializer):
    a = serializers.DictField(
        required=False, default=dict, help_text='{"declaration": true, "notes": "…"}'
    )
    b = serializers.DictField(required=False, default=dict, help_text="criterion id → text")
    c = serializers.DictField(required=False, default=dict, help_text="criterion id → figure")


class BidWriteSerializer(serializers.Serializer):
    lot = serializers.IntegerField(help_text="lot number")
    envelopes = EnvelopesSerializer()


class BidsView(APIView):
    """``GET``: a bidder's own bids; the city's, once the bids are closed. ``POST``: a supplier
    writes (or rewrites) its draft bid for a lot; every envelope is sealed."""

    @extend_schema(responses=BidSerializer(many=True))
    def get(self, request, pk: int):
        tender, _private = tender_get_for_user(user=request.user, pk=pk)
        return Response(
            BidSerializer(bids_for_user(user=request.user, tender=tender), many=True).data
        )

    @extend_schema(request=BidWriteSerializer, responses={201: BidSerializer})
    def post(self, request, pk: int):
        tender, _private = tender_get_for_user(user=request.user, pk=pk)
        serializer = BidWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lot = tender.lots.filter(number=serializer.validated_data["lot"]).first()
        if lot is None:
            raise ApplicationError(_("This process has no such lot."), extra={"field": "lot"})
        envelopes = serializer.validated_data["envelopes"]
        bid = bid_save(
            actor=request.user,
            tender=tender,
            lot=lot,
            a=envelopes["a"],
            b=envelopes["b"],
            c=envelopes["c"],
        )
        return Response(BidSerializer(bid).data, status=status.HTTP_201_CREATED)


class BidDetailView(APIView):
    @extend_schema(responses=BidSerializer)
    def get(self, request, pk: int):
        bid, _own = bid_get_for_user(user=request.user, pk=pk)
        return Response(BidSerializer(bid).data)


class BidEnvelopeView(APIView):
    """An envelope's content: 409 while it is sealed."""

    @extend_schema(
        parameters=[OpenApiParameter("envelope", str, OpenApiParameter.PATH, enum=["a", "b", "c"])],
        responses={200: OpenApiTypes.OBJECT, 409: ErrorSerializer},
    )
    def get(self, request, pk: int, envelope: str):
        if envelope not in ("a", "b", "c"):
            raise NotFound(_("No such envelope."))
        bid, _own = bid_get_for_user(user=request.user, pk=pk)
        return Response(bid_envelope_read(user=request.user, bid=bid, envelope=envelope))


class BidSubmitSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(
        default=False,
        help_text="true: the bidder has checked the summary and submits the bid as sealed.",
    )
    fingerprint = serializers.CharField(
        max_length=64,
        required=False,
        help_text="The summary's fingerprint: refused (409) if the bid changed since.",
    )


class BidSubmitView(APIView):
    """Submit the bid: only with ``confirm: true``, after reading ``GET …/summary/``."""

    @extend_schema(
        request=BidSubmitSerializer, responses={200: BidSerializer, 400: ErrorSerializer}
    )
    def post(self, request, pk: int):
        bid, own = bid_get_for_user(user=request.user, pk=pk)
        if not own:
            raise NotFound(_("Bid not found."))
        serializer = BidSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not serializer.validated_data["confirm"]:
            raise ApplicationError(
                _(
                    "Check the summary of what will be sealed (GET /api/v1/bids/%(id)s/summary/), "
                    "then submit with confirm: true."
                )
                % {"id": bid.pk},
                extra={"field": "confirm"},
            )
        submitted = bid_submit(
            actor=request.user,
            bid=bid,
            summary_fingerprint=serializer.validated_data.get("fingerprint"),
        )
        return Response(BidSerializer(submitted).data)


class BidFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    envelope = serializers.ChoiceField(choices=BidFile.Part.choices)
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    signature = serializers.ChoiceField(
        choices=BidFile.Signature.choices,
        allow_blank=True,
        help_text="What the validation at the envelope's opening found; empty before it.",
    )
    signature_label = serializers.CharField(allow_blank=True)
    signature_signer = serializers.CharField(allow_blank=True)
    signature_message = serializers.CharField(allow_blank=True)
    signature_checked_at = serializers.DateTimeField(allow_null=True)


class BidFileUploadSerializer(serializers.Serializer):
    envelope = serializers.ChoiceField(choices=["a", "b", "c"])
    file = serializers.FileField()


class BidFilesView(APIView):
    """A bid's files: the bidder lists its own; the city those of opened envelopes. ``POST``
    (multipart): the bidder adds a PDF or signature file to an envelope of its draft."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(responses=BidFileSerializer(many=True))
    def get(self, request, pk: int):
        _bid, files = bid_files_for_user(user=request.user, pk=pk)
        return Response(BidFileSerializer(files, many=True).data)

    @extend_schema(
        request={"multipart/form-data": BidFileUploadSerializer},
        responses={201: BidFileSerializer, 400: ErrorSerializer},
    )
    def post(self, request, pk: int):
        bid, own = bid_get_for_user(user=request.user, pk=pk)
        if not own:
            raise NotFound(_("Bid not found."))
        serializer = BidFileUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = bid_file_add(
            actor=request.user,
            bid=bid,
            envelope=serializer.validated_data["envelope"],
            upload=serializer.validated_data["file"],
        )
        _bid, files = bid_files_for_user(user=request.user, pk=bid.pk)
        listed = next(f for f in files if f["id"] == item.pk)
        return Response(BidFileSerializer(listed).data, status=status.HTTP_201_CREATED)


def bid_file_response(name: str, content_type: str, data: bytes) -> HttpResponse:
    """A bid's file as a download: never rendered inline, never sniffed, never cached."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


class BidFileView(APIView):
    """One file: its bytes for whoever may read it (the city after its envelope's opening; the
    same 404 before). ``DELETE``: the bidder takes it out of its draft."""

    @extend_schema(responses={(200, "application/octet-stream"): bytes, 404: ErrorSerializer})
    def get(self, request, pk: int):
        item, name, data = bid_file_read_for_user(user=request.user, pk=pk)
        return bid_file_response(name, item.content_type, data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        item = BidFile.objects.filter(pk=pk).select_related("bid").first()
        if item is None:
            raise NotFound(_("File not found."))
        _bid, own = bid_get_for_user(user=request.user, pk=item.bid_id)
        if not own:
            raise NotFound(_("File not found."))
        bid_file_remove(actor=request.user, bid_file=item)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BidDeucView(APIView):
    """The DEUC (ESPD) of envelope A, for the bidder (LCSP art. 140.1.a). ``PUT``: write it
    into the draft; ``GET`` also lists what a submission still lacks."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        _bid, summary = bid_summary_for_user(user=request.user, pk=pk)
        return Response({"deuc": summary["deuc"], "missing": deuc_gaps(summary["deuc"])})

    @extend_schema(
        request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT, 400: ErrorSerializer}
    )
    def put(self, request, pk: int):
        bid, own = bid_get_for_user(user=request.user, pk=pk)
        if not own:
            raise NotFound(_("Bid not found."))
        deuc = request.data.get("deuc", request.data) if isinstance(request.data, dict) else None
        bid_deuc_save(actor=request.user, bid=bid, deuc=deuc)
        _bid, summary = bid_summary_for_user(user=request.user, pk=pk)
        return Response({"deuc": summary["deuc"], "missing": deuc_gaps(summary["deuc"])})


class BidSummaryView(APIView):
    """What submitting will seal: lot and budget, figures, answers, DEUC, files with sizes and
    hashes, envelope digests, and the fingerprint to confirm against. The bidder only."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        _bid, summary = bid_summary_for_user(user=request.user, pk=pk)
        summary["missing_deuc"] = deuc_gaps(summary["deuc"])
        return Response(summary)


class BidReceiptView(APIView):
    """The receipt (justificante) of a submitted bid as a PDF, for its bidder."""

    @extend_schema(responses={(200, "application/pdf"): bytes, 409: ErrorSerializer})
    def get(self, request, pk: int):
        bid, summary = bid_summary_for_user(user=request.user, pk=pk)
        if bid.status != Bid.Status.SUBMITTED:
            raise Conflict(_("The receipt exists once the bid is submitted."))
        return bid_file_response(
            f"justificante-{bid.pk}.pdf", "application/pdf", bid_receipt_pdf(bid, summary)
        )


class AwardDocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class BidAwardDocumentsView(APIView):
    """The documents the best-ranked bidder delivers when asked (LCSP art. 150.2): listed for
    the bidder and the city; ``POST`` (multipart) by the bidder while they are asked for."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(responses=BidFileSerializer(many=True))
    def get(self, request, pk: int):
        _bid, files = bid_files_for_user(user=request.user, pk=pk, part=BidFile.Part.AWARD)
        return Response(BidFileSerializer(files, many=True).data)

    @extend_schema(
        request={"multipart/form-data": AwardDocumentUploadSerializer},
        responses={201: BidFileSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request, pk: int):
        bid, own = bid_get_for_user(user=request.user, pk=pk)
        if not own:
            raise NotFound(_("Bid not found."))
        serializer = AwardDocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = award_document_add(
            actor=request.user, bid=bid, upload=serializer.validated_data["file"]
        )
        _bid, files = bid_files_for_user(user=request.user, pk=bid.pk, part=BidFile.Part.AWARD)
        listed = next(f for f in files if f["id"] == item.pk)
        return Response(BidFileSerializer(listed).data, status=status.HTTP_201_CREATED)


class BidWithdrawView(APIView):
    @extend_schema(request=None, responses=BidSerializer)
    def post(self, request, pk: int):
        bid, own = bid_get_for_user(user=request.user, pk=pk)
        if not own:
            raise NotFound(_("Bid not found."))
        return Response(BidSerializer(bid_withdraw(actor=request.user, bid=bid)).data)


class AdmissionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["admitted", "remedy", "excluded"])
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class BidAdmissionView(APIView):
    @extend_schema(request=AdmissionSerializer, responses=BidSerializer)
    def post(self, request, pk: int):
        bid, own = bid_get_for_user(user=request.user, pk=pk)
        if own:
            raise NotFound(_("Bid not found."))
        serializer = AdmissionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(
            BidSerializer(
                bid_admission_decide(actor=request.user, bid=bid, **serializer.validated_data)
            ).data
        )


class AbnormalSerializer(serializers.Serializer):
    justification = serializers.CharField(max_length=50000, required=False)
    accept = serializers.BooleanField(required=False)
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class BidAbnormalView(APIView):
    """The bidder justifies a flagged offer; the committee accepts or rejects it with reasons."""

    @extend_schema(request=AbnormalSerializer, responses=BidSerializer)
    def post(self, request, pk: int):
        bid, own = bid_get_for_user(user=request.user, pk=pk)
        serializer = AbnormalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if own:
            bid = abnormal_justify(actor=request.user, bid=bid, text=data.get("justification", ""))
        else:
            if "accept" not in data:
                raise ApplicationError(
                    _("Say whether the justification is accepted."), extra={"field": "accept"}
                )
            bid = abnormal_decide(
                actor=request.user, bid=bid, accept=data["accept"], reason=data["reason"]
            )
        return Response(BidSerializer(bid).data)


class ScoreSerializer(ModelSerializer):
    member = serializers.CharField(source="member.username", read_only=True)
    points = NumberField(max_digits=6, decimal_places=2)

    class Meta:
        model = Score
        fields = ["id", "bid", "criterion", "member", "points", "justification"]
        read_only_fields = ["id", "member"]


class ScoresView(APIView):
    """Value-judgement scores. Members see and write their own while scoring; once the report
    is signed, everyone on the city's side sees all of them."""

    @extend_schema(responses=ScoreSerializer(many=True))
    def get(self, request, pk: int):
        tender = tender_get_private_for_user(user=request.user, pk=pk)
        scores = Score.objects.filter(bid__tender=tender).select_related("member")
        if tender.value_report_signed_at is None:
            scores = scores.filter(member=request.user)
        return Response(ScoreSerializer(scores, many=True).data)

    @extend_schema(request=ScoreSerializer, responses={201: ScoreSerializer})
    def post(self, request, pk: int):
        tender = tender_get_private_for_user(user=request.user, pk=pk)
        serializer = ScoreSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["bid"].tender_id != tender.pk:
            raise ApplicationError(_("That bid is not in this process."), extra={"field": "bid"})
        score = score_save(
            actor=request.user,
            bid=data["bid"],
            criterion=data["criterion"],
            points=data["points"],
            justification=data["justification"],
        )
        return Response(ScoreSerializer(score).data, status=status.HTTP_201_CREATED)


class RankingOfferSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    name = serializers.CharField()
    is_price = serializers.BooleanField()
    offered = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        allow_null=True,
        help_text="the figure offered in the opened envelope C (the price, for the price criterion)",
    )
    points = serializers.DecimalField(max_digits=7, decimal_places=2)


class RankingLineSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    bid = serializers.IntegerField()
    lot = serializers.IntegerField()
    supplier = serializers.CharField()
    value_judgement = serializers.DecimalField(max_digits=7, decimal_places=2)
    formula = serializers.DecimalField(max_digits=7, decimal_places=2)
    total = serializers.DecimalField(max_digits=7, decimal_places=2)
    abnormal = serializers.CharField()
    offers = RankingOfferSerializer(many=True)


class RankingView(APIView):
    """The ranking by weighted total, per lot: only after the formula envelopes are open."""

    @extend_schema(responses={200: RankingLineSerializer(many=True), 409: ErrorSerializer})
    def get(self, request, pk: int):
        tender = tender_get_private_for_user(user=request.user, pk=pk)
        if tender.c_opened_at is None:
            raise Conflict(
                _("The ranking exists once the formula envelopes are open (LCSP art. 146.2)."),
                reasons=[_("Sealed.")],
            )
        rows = []
        formula_criteria = [c for c in tender.criteria.all() if c.kind == Criterion.Kind.FORMULA]
        for lot in tender.lots.all():
            for position, line in enumerate(scoreboard(tender, lot=lot), start=1):
                rows.append(
                    {
                        "rank": position,
                        "bid": line.bid.pk,
                        "lot": lot.number,
                        "supplier": line.bid.supplier.name,
                        "value_judgement": line.value_judgement,
                        "formula": line.formula,
                        "total": line.total,
                        "abnormal": line.bid.abnormal,
                        "offers": [
                            {
                                "criterion": c.pk,
                                "name": c.name,
                                "is_price": c.is_price,
                                "offered": line.offered.get(c.pk),
                                "points": line.by_criterion.get(c.pk, 0),
                            }
                            for c in formula_criteria
                        ],
                    }
                )
        return Response(RankingLineSerializer(rows, many=True).data)


class AwardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lot = serializers.IntegerField(source="lot.number")
    supplier = serializers.CharField(source="bid.supplier.name")
    status = serializers.CharField()
    total_points = serializers.DecimalField(max_digits=7, decimal_places=2)
    value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    awarded_at = serializers.DateTimeField(allow_null=True)
    contract_signed_at = serializers.DateTimeField(allow_null=True)


class AwardsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=AwardSerializer(many=True))
    def get(self, request, pk: int):
        tender, _private = tender_get_for_user(user=request.user, pk=pk)
        return Response(
            AwardSerializer(awards_for_user(user=request.user, tender=tender), many=True).data
        )


class TenderQuestionSerializer(ModelSerializer):
    class Meta:
        model = TenderQuestion
        fields = ["id", "question", "answer", "answered_at", "created_at"]
        read_only_fields = ["id", "answer", "answered_at", "created_at"]


class TenderQuestionsView(APIView):
    """Bidders' questions: answered ones are public and never name the asker."""

    permission_classes = [AllowAny]

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "POST" else [AllowAny()]

    @extend_schema(responses=TenderQuestionSerializer(many=True))
    def get(self, request, pk: int):
        tender, private = tender_get_for_user(user=request.user, pk=pk)
        items = tender.tender_questions.all()
        if not private:
            items = items.exclude(answer="")
        return Response(TenderQuestionSerializer(items, many=True).data)

    @extend_schema(request=TenderQuestionSerializer, responses={201: TenderQuestionSerializer})
    def post(self, request, pk: int):
        tender, _private = tender_get_for_user(user=request.user, pk=pk)
        serializer = TenderQuestionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = tender_question_ask(
            actor=request.user, tender=tender, question=serializer.validated_data["question"]
        )
        return Response(TenderQuestionSerializer(item).data, status=status.HTTP_201_CREATED)


class TenderAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=20000)


class TenderQuestionAnswerView(APIView):
    @extend_schema(request=TenderAnswerSerializer, responses=TenderQuestionSerializer)
    def post(self, request, pk: int):
        item = TenderQuestion.objects.select_related("tender").filter(pk=pk).first()
        if item is None or not request.user.has_perm("tenders.view_tender", item.tender):
            raise NotFound(_("Question not found."))
        serializer = TenderAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = tender_question_answer(
            actor=request.user, question=item, answer=serializer.validated_data["answer"]
        )
        return Response(TenderQuestionSerializer(item).data)
