"""Special appeals lodged by bidders (recurso especial en materia de contratación, LCSP arts.
44–60) and the documents that come with them and with the tribunal's resolution.

An appeal is lodged on the platform by a supplier against the notice and *pliegos*, an exclusion
or the award, within its period (LCSP art. 50.1); one against the award suspends the process
(art. 53) through the process's ``record_appeal`` step. Its ``status`` changes only through
``workflows.status.status_change`` when an officer records the tribunal's resolution.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from procurement.accounts.models import Supplier
from procurement.core.models import TimeStampedModel
from procurement.core.storage import private_storage
from tenders.process.models import Tender
from workflows.fsm import ProtectedStatusModel
from workflows.status import ACTOR, NOW, Move, StatusMachine


class Appeal(ProtectedStatusModel, TimeStampedModel):
    class Act(models.TextChoices):
        # LCSP art. 44.2.a: the notice, the pliegos and the contract documents.
        PLIEGOS = "pliegos", _("the tender notice and its pliegos")
        # LCSP art. 44.2.b: a procedural act that excludes (admission or exclusion of offers).
        EXCLUSION = "exclusion", _("the exclusion of my offer")
        # LCSP art. 44.2.c: the award.
        AWARD = "award", _("the award")

    class Status(models.TextChoices):
        LODGED = "lodged", _("lodged")
        DISMISSED = "dismissed", _("dismissed")
        UPHELD = "upheld", _("upheld")
        INADMISSIBLE = "inadmissible", _("inadmissible")

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="appeals")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="appeals")
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    act = models.CharField(_("act appealed"), max_length=20, choices=Act.choices)
    grounds = models.TextField(_("grounds"))
    measures = models.TextField(_("provisional measures sought"), blank=True)
    lodged_at = models.DateTimeField(_("lodged"))
    # The period as computed when it was lodged (LCSP art. 50.1; DA 15ª for notified acts).
    period_start = models.DateTimeField(_("period runs from"), null=True, blank=True)
    period_ends_at = models.DateTimeField(_("period ends"), null=True, blank=True)
    suspends = models.BooleanField(_("suspends the procedure"), default=False)
    status = FSMField(max_length=20, choices=Status.choices, default=Status.LODGED, protected=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Recorded by the resolution service's audit row, together with the process's step.
    moves = StatusMachine(
        Move(
            "appeal_dismiss",
            sources=[Status.LODGED],
            target=Status.DISMISSED,
            stamps={"resolved_at": NOW, "resolved_by": ACTOR},
            refusal=_("The tribunal's resolution of this appeal is already recorded."),
            audited=False,
        ),
        Move(
            "appeal_uphold",
            sources=[Status.LODGED],
            target=Status.UPHELD,
            stamps={"resolved_at": NOW, "resolved_by": ACTOR},
            refusal=_("The tribunal's resolution of this appeal is already recorded."),
            audited=False,
        ),
        Move(
            "appeal_inadmit",
            sources=[Status.LODGED],
            target=Status.INADMISSIBLE,
            stamps={"resolved_at": NOW, "resolved_by": ACTOR},
            refusal=_("The tribunal's resolution of this appeal is already recorded."),
            audited=False,
        ),
    )

    class Meta:
        ordering = ["-lodged_at", "-pk"]
        indexes = [models.Index(fields=["tender", "status"], name="appeal_tender_status")]

    def __str__(self) -> str:
        return f"{self.get_act_display()} — {self.supplier}"


def _document_path(instance: "AppealDocument", filename: str) -> str:
    return f"appeals/{instance.appeal.tender_id}/{instance.appeal_id}/{filename}"


class AppealDocument(models.Model):
    """A file of an appeal (its grounds and evidence) or of its resolution, stored outside the
    web root and served only to the appellant and the city, as a download."""

    class Part(models.TextChoices):
        GROUNDS = "grounds", _("appeal")
        RESOLUTION = "resolution", _("resolution")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="documents")
    part = models.CharField(max_length=20, choices=Part.choices)
    file = models.FileField(storage=private_storage, upload_to=_document_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
