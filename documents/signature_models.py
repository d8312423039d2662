"""Signatures on generated documents: the body's seal put on by OpenCPI and the personal
signatures that signatories upload (documents/signatures.py says who signs what).

A row is written only for a signature that validated when it was added; it never changes after.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procurement.core.storage import private_storage


class DocumentSignature(models.Model):
    class Kind(models.TextChoices):
        SEAL = "seal", _("electronic seal of the body")
        PERSONAL = "personal", _("personal signature")

    document = models.ForeignKey(
        "documents.GeneratedDocument", on_delete=models.PROTECT, related_name="signatures"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The role the signatory signed in (a membership role), or the organ for a seal.
    role = models.CharField(_("role"), max_length=60)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField(_("signed by"), max_length=300)
    signer_national_id = models.CharField(_("signer's ID"), max_length=100, blank=True)
    certificate_serial = models.CharField(_("certificate serial"), max_length=100)
    issuer = models.CharField(_("issued by"), max_length=300, blank=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    timestamped = models.BooleanField(_("trusted timestamp"), default=False)
    # The signed file, for uploads (a seal is in the document's own PDF).
    pdf = models.FileField(
        _("signed PDF"), upload_to="signed/", storage=private_storage, blank=True
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("document signature")
        verbose_name_plural = _("document signatures")
        ordering = ["document", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["document"], condition=Q(kind="seal"), name="documentsignature_one_seal"
            ),
            models.UniqueConstraint(
                fields=["document", "signer", "role"],
                condition=Q(kind="personal"),
                name="documentsignature_once_per_signatory",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} — {self.signer_name}"
