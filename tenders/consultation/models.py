"""The preliminary market consultation (LCSP art. 115): questionnaire, responses, clarifications,
the officers' review, and the suppliers' subscriptions to be told when one opens.

A supplier's response is its own until the consultation closes; after the closing time nothing
in it changes. Answers and files marked confidential (technical or commercial secrets, LCSP arts.
115.3 and 133) never leave the owning city.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from procurement.accounts.models import City, Supplier
from procurement.core.models import TimeStampedModel
from procurement.core.storage import private_storage
from workflows.fsm import ProtectedStatusModel
from workflows.status import NOW, Move, StatusMachine


class Consultation(TimeStampedModel):
    """A preliminary market consultation of a process (LCSP art. 115)."""

    tender = models.ForeignKey(
        "tenders.Tender", on_delete=models.CASCADE, related_name="consultations"
    )
    subject = models.CharField(_("object"), max_length=300)
    background = models.TextField(_("background"), blank=True)
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    advisers = models.JSONField(
        _("external advisers"),
        default=list,
        blank=True,
        help_text=_("Names of the external advisers and why they were chosen (LCSP art. 115.1)."),
    )
    cpv_codes = models.JSONField(_("CPV codes"), default=list, blank=True)
    report = models.TextField(
        _("report"),
        blank=True,
        help_text=_("Studies and their authors, and how the results shaped the specifications."),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    report_published_at = models.DateTimeField(_("report published"), null=True, blank=True)

    class Meta:
        verbose_name = _("market consultation")
        verbose_name_plural = _("market consultations")
        constraints = [
            models.UniqueConstraint(fields=["tender"], name="consultation_one_per_tender"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="consultation_closes_after_opening",
            ),
        ]
        # Open consultations are listed soonest closing first, ties by id: read in this order,
        # a page stops after its rows even when many close at the same hour.
        indexes = [models.Index(fields=["closes_at", "id"])]

    def __str__(self) -> str:
        return self.subject


class Question(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("free text")
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        NUMBER = "number", _("number")
        FILE = "file", _("file upload")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.TextField(_("question"))
    help_text = models.TextField(_("help"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "order"], name="question_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.text[:60]}"


class Response(ProtectedStatusModel, TimeStampedModel):
    """One supplier's answer to one consultation (a database constraint keeps it to one)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        WITHDRAWN = "withdrawn", _("withdrawn")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="responses"
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="consultation_responses"
    )
    status = FSMField(max_length=12, choices=Status.choices, default=Status.DRAFT, protected=True)
    # The response stays the supplier's until the consultation closes: it may submit it again.
    moves = StatusMachine(
        Move(
            "response_submit",
            sources=[Status.DRAFT, Status.SUBMITTED, Status.WITHDRAWN],
            target=Status.SUBMITTED,
            stamps={"submitted_at": NOW},
            audit_source=False,
        ),
        Move(
            "response_withdraw",
            sources=[Status.SUBMITTED],
            target=Status.WITHDRAWN,
            refusal=_("Only a submitted response can be withdrawn."),
        ),
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("consultation response")
        verbose_name_plural = _("consultation responses")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "supplier"], name="response_one_per_supplier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.supplier} → {self.consultation}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField(null=True, blank=True)
    confidential = models.BooleanField(_("confidential"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.response} / {self.question}"


def _attachment_path(instance: "Attachment", filename: str) -> str:
    return f"consultations/{instance.response.consultation_id}/{instance.response_id}/{filename}"


class Attachment(models.Model):
    """A file attached to a response, stored outside the web root and served only through a
    permission-checked view, as a download."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="attachments")
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    file = models.FileField(storage=private_storage, upload_to=_attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    confidential = models.BooleanField(_("confidential"), default=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Clarification(TimeStampedModel):
    """A supplier's question and the officers' public answer; the asker is never shown."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="clarifications"
    )
    asked_by = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]


class ResponseReview(TimeStampedModel):
    """The owning city's private notes and tags on one response."""

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="review")
    notes = models.TextField(_("notes"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)


class QuestionSummary(TimeStampedModel):
    """The officers' non-confidential summary of the answers to one question, for the report."""

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="summary")
    text = models.TextField(_("summary"))


class SupplierSubscription(TimeStampedModel):
    """What a supplier wants to hear about: CPV code prefixes and cities (empty: all)."""

    supplier = models.OneToOneField(Supplier, on_delete=models.CASCADE, related_name="subscription")
    cpv_prefixes = models.JSONField(_("CPV prefixes"), default=list, blank=True)
    cities = models.ManyToManyField(City, blank=True, related_name="+")
    email = models.EmailField(_("notification e-mail"), blank=True)
