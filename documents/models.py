"""Legal templates, their immutable versions and sharing between cities; generated documents.

A ``DocumentTemplate`` belongs to a city (or, for a network's default library, to a network).
Its text lives in ``TemplateVersion`` rows that never change once written: editing makes a new
version. Only approved versions generate documents, and approval is per city: a city approves
its own templates (and its adopted copies) by promoting a version to ``approved``; a network's
default version is used by a city only once that city's legal team records a ``CityApproval``.

A ``GeneratedDocument`` is one PDF made from one version and one snapshot of data; it is written
once (pending → ready or failed) and never changes after; generating again makes a new one.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from documents.kinds import KIND_BY_CODE, KIND_CHOICES, Language
from procurement.accounts.models import City, Network, Supplier
from procurement.core.models import AuditEntry, TimeStampedModel
from procurement.core.storage import private_storage
from workflows.fsm import ProtectedStatusModel
from workflows.status import ACTOR, NOW, Move, StatusMachine


class DocumentTemplate(TimeStampedModel):
    city = models.ForeignKey(
        City,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="document_templates",
        verbose_name=_("city"),
    )
    network = models.ForeignKey(
        Network,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="document_templates",
        verbose_name=_("network"),
    )
    kind = models.CharField(_("kind"), max_length=40, choices=KIND_CHOICES)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    adopted_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adoptions",
        verbose_name=_("adopted from"),
    )
    shared_public = models.BooleanField(_("shared publicly"), default=False)
    shared_networks = models.ManyToManyField(
        Network, blank=True, related_name="shared_document_templates"
    )
    shared_cities = models.ManyToManyField(
        City, blank=True, related_name="shared_document_templates"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["kind", "language", "name", "pk"]
        permissions = [
            ("approve_documenttemplate", _("Can review and approve the template's versions")),
            ("share_documenttemplate", _("Can share the template with other cities")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(city__isnull=False, network__isnull=True)
                | Q(city__isnull=True, network__isnull=False),
                name="documenttemplate_one_owner",
            ),
            models.UniqueConstraint(
                fields=["city", "adopted_from"],
                condition=Q(adopted_from__isnull=False),
                name="documenttemplate_adopted_once_per_city",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def owner(self) -> City | Network:
        return self.city or self.network  # type: ignore[return-value]

    @property
    def kind_definition(self):
        return KIND_BY_CODE[self.kind]


# The note of each version the default library publishes (``documents.demo``).
DEFAULT_SET_NOTE = "OpenCPI default set"


class TemplateVersion(ProtectedStatusModel, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "in_review", _("in legal review")
        APPROVED = "approved", _("approved")
        RETIRED = "retired", _("retired")

    template = models.ForeignKey(
        DocumentTemplate, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    source = models.TextField(_("text"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = FSMField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, protected=True
    )
    moves = StatusMachine(
        Move(
            "template_version_submit",
            sources=[Status.DRAFT],
            target=Status.IN_REVIEW,
            stamps={"submitted_at": NOW, "submitted_by": ACTOR},
            refusal=_("Only a draft can be sent to review."),
        ),
        Move(
            "template_version_approve",
            sources=[Status.IN_REVIEW],
            target=Status.APPROVED,
            stamps={"approved_at": NOW, "approved_by": ACTOR},
            refusal=_("Only a version in legal review can be approved."),
        ),
        Move(
            "template_version_retire",
            sources=[Status.DRAFT, Status.IN_REVIEW, Status.APPROVED],
            target=Status.RETIRED,
            stamps={"retired_at": NOW},
            refusal=_("The version is already retired."),
        ),
    )
    upstream = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="downstream",
        verbose_name=_("based on"),
        help_text=_("The version of the adopted template this text builds on."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Who sent it to review: neither they nor the author may approve it (four eyes).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("template version")
        verbose_name_plural = _("template versions")
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="templateversion_number")
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"

    @property
    def note_display(self) -> str:
        """The note as the reader reads it: the default library's own note is stored as a code
        (``DEFAULT_SET_NOTE``) and said in the reader's language; people's notes as written."""
        if self.note == DEFAULT_SET_NOTE:
            return str(_("OpenCPI default set"))
        return self.note


class CityApproval(models.Model):
    """A city's legal team approved a network's default version for the city's own use."""

    version = models.ForeignKey(
        TemplateVersion, on_delete=models.CASCADE, related_name="city_approvals"
    )
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="template_approvals")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("city approval")
        verbose_name_plural = _("city approvals")
        constraints = [
            models.UniqueConstraint(fields=["version", "city"], name="cityapproval_once")
        ]

    def __str__(self) -> str:
        return f"{self.version} — {self.city}"


class GeneratedDocument(ProtectedStatusModel, models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("being made")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    key = models.CharField(max_length=200, unique=True, help_text="Makes requests idempotent.")
    tender = models.ForeignKey("tenders.Tender", on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=40, choices=KIND_CHOICES)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    number = models.PositiveIntegerField(_("version"))
    requested_template = models.ForeignKey(
        DocumentTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    template_version = models.ForeignKey(
        TemplateVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    status = FSMField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, protected=True
    )
    # Written once: a document is made or fails, and never changes after.
    moves = StatusMachine(
        Move(
            "document_generate",
            sources=[Status.PENDING],
            target=Status.READY,
            stamps={"generated_at": NOW},
            action=AuditEntry.Action.CREATE,
            audit_source=False,
        ),
        # The reason is on the document (``failure_reason``); the attempt is retried as a new
        # document (``documents_retry_failed``), whose making is audited.
        Move(
            "document_fail",
            sources=[Status.PENDING],
            target=Status.FAILED,
            stamps={"generated_at": NOW},
            audited=False,
        ),
    )
    failure_reason = models.TextField(_("why it failed"), blank=True)
    public = models.BooleanField(_("public"), default=False)
    trigger = models.CharField(_("made by"), max_length=60)
    # The step (a transition's audit row) whose effect made the document; none for documents
    # made on demand. The step's OCDS release waits for its documents (``document_ready``).
    audit_entry = models.ForeignKey(
        AuditEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("step"),
    )
    data = models.JSONField(_("data used"), default=dict, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="documents/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    # The CSV (código seguro de verificación, RD 203/2021 art. 21): random and unique per version.
    verification_code = models.CharField(_("verification code"), max_length=20, unique=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True)

    class Meta:
        verbose_name = _("generated document")
        verbose_name_plural = _("generated documents")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "kind", "language", "number"], name="generateddocument_number"
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | (Q(template_version__isnull=False) & ~Q(sha256="")),
                name="generateddocument_ready_has_pdf",
            ),
        ]
        indexes = [models.Index(fields=["tender", "kind", "language"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.kind}"

    @property
    def reference(self) -> str:
        return f"DOC-{self.pk:06d}"

    @property
    def title(self) -> str:
        return KIND_BY_CODE[self.kind].name(self.language)

    @property
    def trigger_display(self) -> str:
        """How the document came to be, in the reader's language: ``trigger`` is a code
        (“on demand”, “effect:tender_notice”) kept for the API and the audit."""
        if self.trigger.startswith("effect:"):
            return str(_("Automatically, at a step of the process"))
        if self.trigger == "on demand":
            return str(_("On request"))
        return self.trigger


# Signatures live in their own module; importing them here registers the model with the app.
from documents.file_document_models import FileDocument  # noqa: E402, F401
from documents.signature_models import DocumentSignature  # noqa: E402, F401


class DocumentTemplateUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(DocumentTemplate, on_delete=models.CASCADE)


class DocumentTemplateGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(DocumentTemplate, on_delete=models.CASCADE)


class Pliego(ProtectedStatusModel, models.Model):
    """One version of one of a process's *pliegos* (PCAP, PPT; a PCP's call documents; a
    partnership's descriptive document): a document of the file.

    It is generated from the city's approved template of its kind or uploaded as a signed PDF,
    approved by the legal team before the file is (LCSP arts. 116, 117, 122 and 124), published
    with the tender notice (LCSP arts. 63 and 138.1) and, once approved, never changes: the PCAP
    changes after its approval only by correction (LCSP art. 122.1), which is a new version that
    supersedes this one, while this one stays readable. A correction records what changed and
    whether it is significant, in which case the bid deadline was extended (LCSP art. 136.2).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")
        PUBLISHED = "public", _("published")
        SUPERSEDED = "superseded", _("superseded")

    class Source(models.TextChoices):
        GENERATED = "generated", _("generated from the city's template")
        UPLOADED = "uploaded", _("uploaded signed file")

    tender = models.ForeignKey("tenders.Tender", on_delete=models.PROTECT, related_name="pliegos")
    kind = models.CharField(_("kind"), max_length=40, choices=KIND_CHOICES)
    number = models.PositiveIntegerField(_("version"))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    template_version = models.ForeignKey(
        TemplateVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="pliegos"
    )
    file = models.FileField(_("file"), upload_to="pliegos/", storage=private_storage)
    filename = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    status = FSMField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, protected=True
    )
    moves = StatusMachine(
        Move(
            "pliego_approve",
            sources=[Status.DRAFT],
            target=Status.APPROVED,
            stamps={"approved_at": NOW, "approved_by": ACTOR},
            refusal=_("Only a draft version can be approved (LCSP art. 122.1)."),
        ),
        Move(
            "pliego_publish",
            sources=[Status.APPROVED],
            target=Status.PUBLISHED,
            stamps={"published_at": NOW},
            refusal=_("Only an approved version can be published (LCSP art. 122.1)."),
        ),
        # A correction after publication is published as it is made: the process is public and
        # bidders must read the corrected text at once (LCSP arts. 122.1 and 136.2).
        Move(
            "pliego_correction_publish",
            sources=[Status.DRAFT],
            target=Status.PUBLISHED,
            stamps={"published_at": NOW, "approved_at": NOW, "approved_by": ACTOR},
            refusal=_("Only a new version can be published as a correction (LCSP art. 122.1)."),
        ),
        Move(
            "pliego_supersede",
            sources=[Status.DRAFT, Status.APPROVED, Status.PUBLISHED],
            target=Status.SUPERSEDED,
            stamps={"superseded_at": NOW},
            refusal=_("This version is already superseded."),
        ),
    )
    amends = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    changes = models.TextField(_("what changed"), blank=True)
    significant = models.BooleanField(
        _("significant change"),
        default=False,
        help_text=_("A significant change extends the bid deadline (LCSP art. 136.2)."),
    )
    new_deadline = models.DateTimeField(_("new deadline"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)

    class Meta:
        verbose_name = _("pliego")
        verbose_name_plural = _("pliegos")
        ordering = ["tender", "kind", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "kind", "number"], name="pliego_number"),
            models.CheckConstraint(
                condition=~Q(significant=True) | Q(new_deadline__isnull=False),
                name="pliego_significant_has_deadline",
            ),
        ]
        indexes = [models.Index(fields=["tender", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} v{self.number}"

    @property
    def title(self) -> str:
        return str(dict(KIND_CHOICES)[self.kind])

    @property
    def ocds_document_type(self) -> str:
        return KIND_BY_CODE[self.kind].ocds_document_type

    @property
    def is_public(self) -> bool:
        return self.published_at is not None


class PliegoDownload(models.Model):
    """A supplier downloaded a version of a pliego: told of its corrections (LCSP art. 136.2)."""

    pliego = models.ForeignKey(Pliego, on_delete=models.CASCADE, related_name="downloads")
    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="pliego_downloads"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("downloaded"), default=timezone.now)

    class Meta:
        verbose_name = _("pliego download")
        verbose_name_plural = _("pliego downloads")
        constraints = [
            models.UniqueConstraint(fields=["pliego", "supplier"], name="pliegodownload_once")
        ]

    def __str__(self) -> str:
        return f"{self.pliego} — {self.supplier_id}"
