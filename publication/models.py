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


class BuyerProfile(models.Model):
    """What an eForms notice says of a city council as buyer that the city row does not hold:
    its identifiers and address (BT-501, BT-506, BT-513, BT-512, BT-507), and the body that
    hears special appeals against its acts (BT-500 of the review organisation, LCSP arts.
    44-47). A city without one gets notices that fail validation, naming what is missing."""

    city = models.OneToOneField(
        "accounts.City", on_delete=models.CASCADE, related_name="eforms_profile"
    )
    tax_id = models.CharField(_("tax id (NIF)"), max_length=40)
    email = models.EmailField(_("contracting e-mail"))
    telephone = models.CharField(_("telephone"), max_length=40)
    town = models.CharField(_("town"), max_length=120)
    postal_code = models.CharField(_("postal code"), max_length=20)
    nuts = models.CharField(_("NUTS-3 code"), max_length=5, help_text=_("e.g. ES230 (La Rioja)."))
    review_body = models.CharField(_("appeals body"), max_length=300)
    review_body_tax_id = models.CharField(_("appeals body's tax id"), max_length=40)
    review_body_email = models.EmailField(_("appeals body's e-mail"))
    review_body_town = models.CharField(_("appeals body's town"), max_length=120)
    review_body_postal_code = models.CharField(_("appeals body's postal code"), max_length=20)
    review_body_nuts = models.CharField(_("appeals body's NUTS-3 code"), max_length=5)

    class Meta:
        verbose_name = _("buyer profile for eForms")
        verbose_name_plural = _("buyer profiles for eForms")

    def __str__(self) -> str:
        return str(self.city)


class SupplierAddress(models.Model):
    """A supplier's address as an eForms award notice names its winners (BT-513, BT-512,
    BT-507): the supplier row holds only its country."""

    supplier = models.OneToOneField(
        "accounts.Supplier", on_delete=models.CASCADE, related_name="eforms_address"
    )
    town = models.CharField(_("town"), max_length=120)
    postal_code = models.CharField(_("postal code"), max_length=20)
    nuts = models.CharField(_("NUTS-3 code"), max_length=5)

    class Meta:
        verbose_name = _("supplier address for eForms")
        verbose_name_plural = _("supplier addresses for eForms")

    def __str__(self) -> str:
        return str(self.supplier)


class Notice(models.Model):
    """One eForms notice of a process, made after the step that published what it announces.

    Its XML is kept as built, with what the shared validator found (XSD and the SDK's static
    schematron). Only a ``valid`` notice is offered for download; an ``invalid`` one shows its
    officers the failed rules. ``(tender, audit_entry, subtype)`` is unique, so a retried task
    finds the notice already made. A change notice has its own notice id and names the notice
    it changes (``changes``).
    """

    class Status(models.TextChoices):
        VALID = "valid", _("valid")
        INVALID = "invalid", _("invalid")

    tender = models.ForeignKey("tenders.Tender", on_delete=models.PROTECT, related_name="notices")
    audit_entry = models.ForeignKey(AuditEntry, on_delete=models.PROTECT, related_name="+")
    subtype = models.CharField(_("notice subtype"), max_length=4)
    notice_id = models.UUIDField(_("notice id"), unique=True)
    version = models.CharField(_("version"), max_length=2, default="01")
    changes = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changed_by",
        verbose_name=_("changes the notice"),
    )
    xml = models.TextField(_("XML"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    findings = models.JSONField(_("findings"), default=list)
    built_at = models.DateTimeField(_("built"), default=timezone.now)
    seconds = models.FloatField(_("validation time (s)"), default=0)

    class Meta:
        verbose_name = _("eForms notice")
        verbose_name_plural = _("eForms notices")
        ordering = ["built_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "audit_entry", "subtype"], name="notice_once_per_step"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subtype} {self.notice_id}"

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.VALID

    @property
    def is_change(self) -> bool:
        return self.changes_id is not None
