"""Documents of the file that arrive signed: the legal report and the credit certificate
(``kinds.FILE_KINDS``). The legal team writes and signs them with their own tools; OpenCPI keeps
the signed PDF and what its validation found (documents/file_documents.py).

A row is written only for a file whose signature validated when it was uploaded; it never
changes after. A later upload of the same kind is a new row: the newest one is the document.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.kinds import FILE_KIND_CHOICES
from procurement.core.storage import private_storage


class FileDocument(models.Model):
    tender = models.ForeignKey(
        "tenders.Tender", on_delete=models.PROTECT, related_name="file_documents"
    )
    kind = models.CharField(_("kind"), max_length=40, choices=FILE_KIND_CHOICES)
    file = models.FileField(_("signed PDF"), upload_to="file-documents/", storage=private_storage)
    filename = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The membership role the signatory signed in.
    role = models.CharField(_("role"), max_length=60)
    signer_name = models.CharField(_("signed by"), max_length=300)
    signer_national_id = models.CharField(_("signer's ID"), max_length=100, blank=True)
    certificate_serial = models.CharField(_("certificate serial"), max_length=100)
    issuer = models.CharField(_("issued by"), max_length=300, blank=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    timestamped = models.BooleanField(_("trusted timestamp"), default=False)
    trusted = models.BooleanField(_("chains to the trust list"), default=True)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("signed document of the file")
        verbose_name_plural = _("signed documents of the file")
        ordering = ["tender", "kind", "-created_at", "-pk"]
        indexes = [models.Index(fields=["tender", "kind"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.kind}"

    @property
    def reference(self) -> str:
        return f"EXP-{self.pk:06d}"
