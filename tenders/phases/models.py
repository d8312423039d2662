"""The phases of a pre-commercial procurement (PCP) or of an innovation partnership's R&D.

EU practice (COM(2007) 799; EAFIP toolkit) runs a PCP as competitive phases (solution design,
prototype, original development and field test), down-selecting after each one on a scored
evaluation of what each supplier delivered; the innovation partnership's R&D phases (LCSP arts.
177–182) follow the same pieces. The call defines the phases and their criteria (``Phase``,
``PhaseCriterion``); suppliers submit sealed offers covering every phase (``PhaseOffer``, sealed
with the bids' key, ``tenders.award.sealing``); each supplier in a phase has a phase contract
with its price, payment milestones and IPR terms (``PhaseContract``, ``PaymentMilestone``),
uploads its deliverables (``Deliverable``), and the committee scores them (``PhaseScore``).
"""

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


class Phase(models.Model):
    """A phase the call defines: its duration, the most a supplier may be paid for it, how many
    suppliers may take part in it, and (``criteria``) how what they deliver is judged."""

    tender = models.ForeignKey("tenders.Tender", on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200)
    objectives = models.TextField(_("objectives"), blank=True)
    duration_days = models.PositiveIntegerField(_("duration (days)"))
    max_budget_per_supplier = models.DecimalField(
        _("maximum budget per supplier without VAT"), max_digits=14, decimal_places=2
    )
    max_suppliers = models.PositiveSmallIntegerField(
        _("suppliers who may take part"),
        help_text=_("How many suppliers may start (phase 1) or continue into this phase."),
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.UniqueConstraint(fields=["tender", "number"], name="phase_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="phase_number_positive"),
            models.CheckConstraint(condition=Q(max_suppliers__gte=1), name="phase_has_suppliers"),
            models.CheckConstraint(
                condition=Q(max_budget_per_supplier__gte=0), name="phase_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class PhaseCriterion(models.Model):
    """A criterion on which a phase's deliverables are scored: its weight (the most points)
    and the threshold a supplier must reach to be kept for the next phase."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=300)
    weight = models.DecimalField(_("weight (points)"), max_digits=6, decimal_places=2)
    threshold = models.DecimalField(
        _("threshold (points)"), max_digits=6, decimal_places=2, default=0
    )

    class Meta:
        ordering = ["order"]
        verbose_name = _("phase criterion")
        verbose_name_plural = _("phase criteria")
        constraints = [
            models.UniqueConstraint(fields=["phase", "order"], name="phase_criterion_order"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="phase_criterion_weight"),
            models.CheckConstraint(
                condition=Q(threshold__gte=0) & Q(threshold__lte=models.F("weight")),
                name="phase_criterion_threshold_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PhaseOffer(ProtectedStatusModel, TimeStampedModel):
    """A supplier's sealed submission to a phased process, sealed with the bids' key until its
    legal opening (``sealed``; the SHA-256 of the plaintext is the supplier's receipt).

    ``kind`` says what it is: an ``offer`` covering every phase (a PCP's offer, or an innovation
    partnership's final offer, LCSP art. 179: R&D plan, team, price per phase and, for the
    partnership, the maximum cost of the later purchase, art. 177.1), or a partnership's
    ``request`` to participate (LCSP art. 178.1: the R&D and innovation capacity the selection
    judges, art. 178.3).

    ``recorded_reason`` is set only when an officer recorded an offer received outside the
    platform (the old ``register_applicant`` step, now an exception that needs its reasons)."""

    class Kind(models.TextChoices):
        OFFER = "offer", _("offer")
        REQUEST = "request", _("request to participate")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        WITHDRAWN = "withdrawn", _("withdrawn")

    tender = models.ForeignKey(
        "tenders.Tender", on_delete=models.CASCADE, related_name="phase_offers"
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="phase_offers")
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.OFFER, editable=False
    )
    status = FSMField(max_length=12, choices=Status.choices, default=Status.DRAFT, protected=True)
    moves = StatusMachine(
        Move(
            "phase_offer_save",
            sources=[Status.DRAFT, Status.WITHDRAWN],
            target=Status.DRAFT,
            refusal=_("A submitted offer cannot change: withdraw it first, then submit again."),
            audited=False,
        ),
        Move(
            "phase_offer_submit",
            sources=[Status.DRAFT, Status.WITHDRAWN],
            target=Status.SUBMITTED,
            stamps={"submitted_at": NOW},
            refusal=_("This offer is already submitted."),
        ),
        Move(
            "phase_offer_withdraw",
            sources=[Status.SUBMITTED],
            target=Status.WITHDRAWN,
            refusal=_("Only a submitted offer can be withdrawn."),
        ),
    )
    sealed = models.BinaryField(default=bytes, editable=False)
    digest = models.CharField(max_length=64, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_reason = models.TextField(_("why an officer recorded it"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "supplier", "kind"], name="phase_offer_once_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} — {self.tender}"


def _offer_file_path(instance: "PhaseOfferFile", filename: str) -> str:
    return f"phase-offers/{instance.offer.tender_id}/{instance.offer_id}/{filename}"


class PhaseOfferScore(TimeStampedModel):
    """One committee member's points for one partnership final offer on one award criterion of
    the descriptive document (LCSP arts. 145.2 and 179.2: best price-quality ratio, never the
    price alone)."""

    offer = models.ForeignKey(PhaseOffer, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey("tenders.Criterion", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(max_digits=6, decimal_places=2)
    justification = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "criterion", "member"], name="phase_offer_score_once"
            ),
            models.CheckConstraint(
                condition=Q(points__gte=0), name="phase_offer_score_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id}/{self.criterion_id}/{self.member_id}"


class PhaseOfferFile(models.Model):
    """A document of a PCP offer, stored and named sealed like the bids' files."""

    offer = models.ForeignKey(PhaseOffer, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(storage=private_storage, upload_to=_offer_file_path, max_length=300)
    name_sealed = models.BinaryField(editable=False)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.offer_id}/{self.pk}"


class PhaseContract(TimeStampedModel):
    """The contract of one supplier for one phase: its price, when it runs, its payment
    milestones and its IPR terms (COM(2007) 799 §4.2: the supplier keeps the ownership of its
    results, the buyer keeps a free licence to use them and may call them back when the supplier
    does not exploit them), and the phase's evaluation of the supplier once made."""

    class Owner(models.TextChoices):
        SUPPLIER = "supplier", _("the supplier")
        BUYER = "buyer", _("the contracting authority")
        SHARED = "shared", _("shared")

    class Outcome(models.TextChoices):
        PENDING = "", _("not evaluated yet")
        KEPT = "kept", _("kept for the next phase")
        NOT_KEPT = "not_kept", _("not kept")
        COMPLETED = "completed", _("completed the last phase")

    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="contracts")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="phase_contracts")
    price = models.DecimalField(_("phase price without VAT"), max_digits=14, decimal_places=2)
    reference = models.CharField(_("contract reference"), max_length=100, blank=True)
    ipr_owner = models.CharField(
        _("who owns the results"), max_length=10, choices=Owner.choices, default=Owner.SUPPLIER
    )
    buyer_licence = models.TextField(_("the buyer's licence"))
    call_back = models.TextField(_("call-back right"))
    publication = models.TextField(_("publication rights"))
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    ends_at = models.DateTimeField(_("phase ends"), null=True, blank=True)
    total_points = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default="", blank=True
    )
    evaluated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["phase__number", "supplier__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "supplier"], name="phase_contract_once"),
            models.CheckConstraint(condition=Q(price__gte=0), name="phase_contract_price"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} — {self.phase}"


class PaymentMilestone(ProtectedStatusModel, models.Model):
    """A payment of a phase contract: its amount, when it falls due and the deliverable it
    pays for; accepted (the deliverable is fine) and then paid. A contract's milestones add up
    to its price."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        PAID = "paid", _("paid")

    contract = models.ForeignKey(PhaseContract, on_delete=models.CASCADE, related_name="milestones")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=300)
    amount = models.DecimalField(_("amount without VAT"), max_digits=14, decimal_places=2)
    due_date = models.DateField(_("due date"))
    deliverable = models.CharField(_("deliverable it pays for"), max_length=300)
    status = FSMField(max_length=10, choices=Status.choices, default=Status.PENDING, protected=True)
    moves = StatusMachine(
        Move(
            "milestone_accept",
            sources=[Status.PENDING],
            target=Status.ACCEPTED,
            stamps={"accepted_at": NOW},
            refusal=_("Only a pending milestone can be accepted."),
        ),
        Move(
            "milestone_pay",
            sources=[Status.ACCEPTED],
            target=Status.PAID,
            stamps={"paid_at": NOW},
            refusal=_("Only an accepted milestone can be paid."),
        ),
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "order"], name="milestone_order"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="milestone_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.title


def _deliverable_path(instance: "Deliverable", filename: str) -> str:
    return f"deliverables/{instance.contract.phase.tender_id}/{instance.contract_id}/{filename}"


class Deliverable(models.Model):
    """A file a supplier delivers for its phase contract, with a summary. One delivered after
    the phase's end is late."""

    contract = models.ForeignKey(
        PhaseContract, on_delete=models.CASCADE, related_name="deliverables"
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"))
    file = models.FileField(storage=private_storage, upload_to=_deliverable_path, max_length=300)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def late(self) -> bool:
        ends = self.contract.ends_at
        return ends is not None and self.uploaded_at > ends


class PhaseScore(TimeStampedModel):
    """One committee member's score of one supplier's phase deliverables on one criterion."""

    contract = models.ForeignKey(PhaseContract, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(PhaseCriterion, on_delete=models.CASCADE, related_name="scores")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(max_digits=6, decimal_places=2)
    justification = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "criterion", "member"], name="phase_score_once"
            ),
            models.CheckConstraint(condition=Q(points__gte=0), name="phase_score_not_negative"),
        ]
