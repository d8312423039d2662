"""The published OCDS releases of CPI processes: written once, never changed nor deleted."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procurement.core.models import AuditEntry


class AppendOnly(Exception):
    """Raised on any attempt to change or delete a published release."""


class OcdsReleaseQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("OCDS releases are append-only.")

    def delete(self):
        raise AppendOnly("OCDS releases are append-only.")


class OcdsRelease(models.Model):
    """One OCDS release: the state of a process's public data right after one published step.

    ``(tender, audit_entry)`` is unique, so a retried task finds the release already written.
    ``data`` is the release exactly as published; records are compiled from these rows.
    """

    tender = models.ForeignKey(
        "tenders.Tender", on_delete=models.PROTECT, related_name="ocds_releases"
    )
    audit_entry = models.ForeignKey(AuditEntry, on_delete=models.PROTECT, related_name="+")
    ocid = models.CharField(_("ocid"), max_length=120, db_index=True)
    release_id = models.CharField(_("release id"), max_length=160, unique=True)
    tag = models.JSONField(_("tag"), default=list)
    date = models.DateTimeField(_("release date"))
    data = models.JSONField(_("release"))
    created_at = models.DateTimeField(_("recorded"), default=timezone.now, db_index=True)

    objects = OcdsReleaseQuerySet.as_manager()

    class Meta:
        # Made by the tenders app before open data had an app of its own.
        db_table = "tenders_ocdsrelease"
        verbose_name = _("OCDS release")
        verbose_name_plural = _("OCDS releases")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "audit_entry"], name="ocdsrelease_once_per_step"
            )
        ]
        indexes = [models.Index(fields=["ocid", "date"], name="tenders_ocd_ocid_19733b_idx")]

    def __str__(self) -> str:
        return self.release_id

    def save(self, *args, **kwargs):
        # Integrity, not business logic: a published release is a public record.
        if not self._state.adding:
            raise AppendOnly("OCDS releases are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("OCDS releases are append-only.")
