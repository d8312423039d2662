"""From tender to award (LCSP arts. 145–158): lots, award criteria, sealed bids, the committee's
scores, and the awards and contracts that follow.

Envelope contents are stored encrypted with a key that is not in the database
(``tenders.sealing``) and are readable only after their opening transition.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from procurement.accounts.models import Supplier
from procurement.core.models import TimeStampedModel
from procurement.core.storage import private_storage
from workflows.fsm import ProtectedStatusModel
from workflows.status import NOW, Move, StatusMachine


class Lot(models.Model):
    tender = models.ForeignKey("tenders.Tender", on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    value = models.DecimalField(_("estimated value without VAT"), max_digits=14, decimal_places=2)
    cpv_codes = models.JSONField(_("CPV codes"), default=list, blank=True)
    duration_months = models.PositiveSmallIntegerField(_("duration (months)"), default=12)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "number"], name="lot_number_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="lot_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Criterion(models.Model):
    """An award criterion (LCSP arts. 145–146): judged by the committee, or computed by formula
    from a figure each bidder gives in envelope C."""

    class Kind(models.TextChoices):
        VALUE_JUDGEMENT = "value_judgement", _("value judgement (envelope B)")
        FORMULA = "formula", _("formula (envelope C)")

    class Formula(models.TextChoices):
        PROPORTIONAL_LOWEST = (
            "proportional_lowest",
            _("proportional: lowest offer gets full points"),
        )
        PROPORTIONAL_HIGHEST = (
            "proportional_highest",
            _("proportional: highest offer gets full points"),
        )
        LINEAR = "linear", _("linear between two bounds")
        THRESHOLD = "threshold", _("all or nothing at a threshold")

    tender = models.ForeignKey("tenders.Tender", on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    weight = models.DecimalField(_("weight (points)"), max_digits=6, decimal_places=2)
    innovation = models.BooleanField(_("innovation criterion"), default=False)
    is_price = models.BooleanField(
        _("price"),
        default=False,
        help_text=_("The price offered: checked for abnormally low offers."),
    )
    formula = models.CharField(_("formula"), max_length=30, choices=Formula.choices, blank=True)
    params = models.JSONField(
        _("formula parameters"),
        default=dict,
        blank=True,
        help_text=_("linear: {lower, upper, better: lower|higher}; threshold: {threshold, better}"),
    )

    class Meta:
        ordering = ["order"]
        verbose_name = _("award criterion")
        verbose_name_plural = _("award criteria")
        constraints = [
            models.UniqueConstraint(fields=["tender", "order"], name="criterion_order_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(
                condition=Q(kind="value_judgement", formula="")
                | Q(kind="formula") & ~Q(formula=""),
                name="criterion_formula_only_for_formula_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Bid(ProtectedStatusModel, TimeStampedModel):
    """A supplier's offer for one lot (a process has at least one lot)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Admission(models.TextChoices):
        PENDING = "pending", _("not checked yet")
        ADMITTED = "admitted", _("admitted")
        REMEDY = "remedy", _("asked to remedy defects")
        EXCLUDED = "excluded", _("excluded")

    class Abnormal(models.TextChoices):
        NO = "", _("not abnormal")
        FLAGGED = "flagged", _("presumed abnormally low")
        ACCEPTED = "accepted", _("justification accepted")
        REJECTED = "rejected", _("rejected as abnormally low")

    tender = models.ForeignKey("tenders.Tender", on_delete=models.CASCADE, related_name="bids")
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="bids")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="bids")
    status = FSMField(max_length=12, choices=Status.choices, default=Status.DRAFT, protected=True)
    # Until the deadline a withdrawn bid may be saved again, and any bid submitted again (its
    # submission time is then the last one).
    moves = StatusMachine(
        Move(
            "bid_save",
            sources=[Status.DRAFT, Status.WITHDRAWN],
            target=Status.DRAFT,
            refusal=_(
                "A submitted bid cannot change: withdraw it first, then submit again before the deadline."
            ),
            audited=False,
        ),
        Move(
            "bid_submit",
            sources=[Status.DRAFT, Status.SUBMITTED, Status.WITHDRAWN],
            target=Status.SUBMITTED,
            stamps={"submitted_at": NOW},
            audit_source=False,
        ),
        Move(
            "bid_withdraw",
            sources=[Status.SUBMITTED],
            target=Status.WITHDRAWN,
            refusal=_("Only a submitted bid can be withdrawn."),
        ),
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Sealed envelopes: Fernet tokens (see tenders.sealing); the digests are the bidder's receipt.
    envelope_a = models.BinaryField(default=bytes, editable=False)
    envelope_b = models.BinaryField(default=bytes, editable=False)
    envelope_c = models.BinaryField(default=bytes, editable=False)
    digest_a = models.CharField(max_length=64, blank=True)
    digest_b = models.CharField(max_length=64, blank=True)
    digest_c = models.CharField(max_length=64, blank=True)
    admission = models.CharField(
        max_length=10, choices=Admission.choices, default=Admission.PENDING
    )
    admission_reason = models.TextField(blank=True)
    remedy_due_at = models.DateTimeField(null=True, blank=True)
    abnormal = models.CharField(max_length=10, choices=Abnormal.choices, default="", blank=True)
    abnormal_due_at = models.DateTimeField(null=True, blank=True)
    abnormal_justification = models.TextField(blank=True)
    abnormal_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lot", "supplier"], name="bid_once_per_lot"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} — {self.tender} (lot {self.lot.number})"


def _bid_file_path(instance: "BidFile", filename: str) -> str:
    return f"bids/{instance.bid.tender_id}/{instance.bid_id}/{filename}"


class BidFile(models.Model):
    """A document of a bid: in one of its envelopes, or among the documents the best-ranked
    bidder delivers when asked (LCSP art. 150.2).

    The stored file and its name are encrypted with the sealing key (``tenders.award.sealing``),
    so neither the storage nor a database dump reveals them; the SHA-256 of the plaintext is
    the bidder's receipt. They are read only after their envelope's opening.
    """

    class Part(models.TextChoices):
        A = "a", _("envelope A — administrative documentation")
        B = "b", _("envelope B — value judgement")
        C = "c", _("envelope C — formula criteria and price")
        AWARD = "award", _("documents of the proposed awardee (LCSP art. 150.2)")

    class Signature(models.TextChoices):
        TRUSTED = "trusted", _("signed, valid and trusted")
        SIGNED = "signed", _("signed and intact, certificate not trusted")
        UNSIGNED = "unsigned", _("unsigned")
        INVALID = "invalid", _("invalid signature")
        NOT_CHECKED = "not_checked", _("not checked")

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="files")
    part = models.CharField(max_length=5, choices=Part.choices)
    file = models.FileField(storage=private_storage, upload_to=_bid_file_path, max_length=300)
    # The name may say what the envelope holds ("price-180000.pdf"): sealed like the content.
    name_sealed = models.BinaryField(editable=False)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField()
    # Its signatures, validated once when its envelope is opened (never before: the content is
    # sealed until then) — ``services.bid_files.bid_files_signatures_check``.
    signature = models.CharField(
        _("signature"), max_length=12, choices=Signature.choices, blank=True, default=""
    )
    signature_signer = models.CharField(_("signed by"), max_length=300, blank=True)
    signature_message = models.CharField(_("signature check"), max_length=500, blank=True)
    signature_checked_at = models.DateTimeField(_("signature checked"), null=True, blank=True)

    class Meta:
        ordering = ["part", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.bid_id}/{self.part}/{self.pk}"


class CommitteeMember(models.Model):
    """A member of the process's committee (mesa), chosen from the city's committee users."""

    tender = models.ForeignKey("tenders.Tender", on_delete=models.CASCADE, related_name="committee")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role in the committee"), max_length=100, default="vocal")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tender", "user"], name="committee_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class Score(TimeStampedModel):
    """One committee member's score of one bid on one value-judgement criterion, with reasons."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(max_digits=6, decimal_places=2)
    justification = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bid", "criterion", "member"], name="score_once"),
            models.CheckConstraint(condition=Q(points__gte=0), name="score_not_negative"),
        ]


class Award(ProtectedStatusModel, TimeStampedModel):
    """The award of a lot to a bid: proposed, documents asked and received,
    awarded, contract signed; or failed when the bidder did not deliver its documents."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        DOCUMENTS_REQUESTED = "documents_requested", _("documents requested")
        DOCUMENTS_RECEIVED = "documents_received", _("documents received")
        FAILED = "failed", _("failed: documents not delivered")
        AWARDED = "awarded", _("awarded")
        ANNULLED = "annulled", _("annulled by an appeal")

    tender = models.ForeignKey("tenders.Tender", on_delete=models.CASCADE, related_name="awards")
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="awards")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="awards")
    status = FSMField(
        max_length=20, choices=Status.choices, default=Status.PROPOSED, protected=True
    )
    # One step per transition of the process (``tenders.award.services.awards``), which records
    # them in its audit row.
    moves = StatusMachine(
        Move(
            "award_documents_request",
            sources=[Status.PROPOSED],
            target=Status.DOCUMENTS_REQUESTED,
            audited=False,
        ),
        Move(
            "award_documents_receive",
            sources=[Status.DOCUMENTS_REQUESTED],
            target=Status.DOCUMENTS_RECEIVED,
            audited=False,
        ),
        Move(
            "award_documents_miss",
            sources=[Status.DOCUMENTS_REQUESTED],
            target=Status.FAILED,
            audited=False,
        ),
        Move(
            "award_resolve",
            sources=[Status.DOCUMENTS_RECEIVED],
            target=Status.AWARDED,
            stamps={"awarded_at": NOW},
            audited=False,
        ),
        Move("award_annul", sources=[Status.AWARDED], target=Status.ANNULLED, audited=False),
    )
    total_points = models.DecimalField(max_digits=7, decimal_places=2)
    value = models.DecimalField(
        _("award value without VAT"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    awarded_at = models.DateTimeField(null=True, blank=True)
    contract_signed_at = models.DateTimeField(null=True, blank=True)
    contract_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["lot"],
                condition=~Q(status__in=["failed", "annulled"]),
                name="award_one_live_per_lot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bid.supplier} — {self.get_status_display()}"


class TenderQuestion(TimeStampedModel):
    """A bidder's question during the tender, answered publicly (LCSP art. 138.3)."""

    tender = models.ForeignKey(
        "tenders.Tender", on_delete=models.CASCADE, related_name="tender_questions"
    )
    asked_by = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="+")
    question = models.TextField()
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]


DECIMAL_ZERO = Decimal("0")
