"""CPI processes (``Tender``), their market consultation and their participants.

A ``Tender`` starts as a need and is carried through one procedure by the engine in
``workflows``: its ``status`` is protected and changes only through
``workflows.services.transition_perform``. The methods in the section "what the guards read"
are the engine's window on the process's data; those about bids and awards reach the award area
through ``tenders.process.ports.award_area()``, since the award area is built on this model.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from procurement.accounts.models import City, Supplier
from procurement.core.compiled import compiled
from procurement.core.exceptions import ApplicationError
from procurement.core.models import TimeStampedModel
from tenders.procedures import CPTI, MACHINE, PROCEDURE_CHOICES, STATE_BY_NAME
from tenders.procedures.rules import CURRENT_RULES, rules_for
from tenders.process.ports import award_area, phase_area
from workflows.calendars import WorkingCalendar
from workflows.fsm import ProtectedStatusModel, state_machine_model
from workflows.status import Move, StatusMachine, status_change_many

TenderStateMachine = state_machine_model(MACHINE, name="TenderStateMachine", module=__name__)


class Tender(TenderStateMachine, TimeStampedModel):
    """A CPI process of a city, from the need to the contract."""

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="tenders")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(
        _("need"), help_text=_("The public-service need the market does not meet.")
    )
    procedure = models.CharField(_("procedure"), max_length=40, choices=PROCEDURE_CHOICES)
    rules_version = models.CharField(_("rules version"), max_length=40, default=CURRENT_RULES)
    estimated_value = models.DecimalField(
        _("estimated value without VAT"), max_digits=14, decimal_places=2
    )
    currency = models.CharField(_("currency"), max_length=3)
    cpv_codes = models.JSONField(_("CPV codes"), default=list)
    functional_specifications = models.TextField(_("functional specifications"), blank=True)
    consultation_skip_reason = models.TextField(_("why the consultation was skipped"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # The scheduler's clock: when the next automatic transition falls due.
    next_check = models.DateTimeField(_("next deadline"), null=True, blank=True, db_index=True)
    first_published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    submission_deadline = models.DateTimeField(_("deadline for submissions"), null=True, blank=True)

    # The file (expediente): reports recorded before approval (LCSP arts. 116–117, DA 3ª).
    legal_report_ref = models.CharField(_("legal report"), max_length=200, blank=True)
    credit_certificate_ref = models.CharField(_("credit certificate"), max_length=200, blank=True)
    audit_report_ref = models.CharField(_("prior audit report"), max_length=200, blank=True)
    specs_frozen_at = models.DateTimeField(_("specifications frozen"), null=True, blank=True)

    # Evaluation and award.
    vat_rate = models.DecimalField(_("VAT %"), max_digits=5, decimal_places=2, default=21)
    abnormal_percent = models.DecimalField(
        _("abnormally low below the mean by (%)"),
        max_digits=5,
        decimal_places=2,
        default=20,
        help_text=_("PCAP parameter for presuming an offer abnormally low (LCSP art. 149.2)."),
    )
    b_opened_at = models.DateTimeField(_("value-judgement envelopes opened"), null=True, blank=True)
    c_opened_at = models.DateTimeField(_("formula envelopes opened"), null=True, blank=True)
    value_report_signed_at = models.DateTimeField(null=True, blank=True)
    documents_requested_at = models.DateTimeField(null=True, blank=True)
    documents_due_at = models.DateTimeField(_("documents due"), null=True, blank=True)
    documents_received_at = models.DateTimeField(null=True, blank=True)
    awarded_at = models.DateTimeField(_("awarded"), null=True, blank=True)
    standstill_ends_at = models.DateTimeField(_("standstill ends"), null=True, blank=True)
    contract_signed_at = models.DateTimeField(_("contract signed"), null=True, blank=True)

    # Phases (PCP, partnership) and negotiation (partnership).
    phase_ends_at = models.DateTimeField(_("current phase ends"), null=True, blank=True)
    min_suppliers_start = models.PositiveSmallIntegerField(null=True, blank=True)
    min_suppliers_final = models.PositiveSmallIntegerField(null=True, blank=True)
    negotiation_rounds = models.PositiveSmallIntegerField(default=0)
    rd_phase = models.PositiveSmallIntegerField(default=0)
    rd_phases_total = models.PositiveSmallIntegerField(default=3)
    purchase_decided = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = _("CPI process")
        verbose_name_plural = _("CPI processes")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("act_officer", _("Can act as procurement officer on the process")),
            ("act_legal", _("Can act as legal team on the process")),
            ("act_committee", _("Can act as committee member on the process")),
            ("view_consultation_responses", _("Can read the market consultation's responses")),
        ]
        indexes = [
            models.Index(fields=["city", "status"]),
            models.Index(fields=["first_published_at"]),
            # Lists show the newest first: read in index order and stop after one page.
            models.Index(fields=["created_at", "id"], name="tender_created_id"),
            # A city's processes, newest first (the dashboard's pages): one city read in order.
            models.Index(fields=["city", "created_at", "id"], name="tender_city_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_value__gte=0), name="tender_value_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(procedure__in=[code for code, _label in PROCEDURE_CHOICES]),
                name="tender_known_procedure",
            ),
            models.CheckConstraint(
                condition=Q(rd_phase__lte=models.F("rd_phases_total")),
                name="tender_rd_phase_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def state(self):
        return STATE_BY_NAME[self.status]

    @property
    def is_public(self) -> bool:
        return self.first_published_at is not None

    # --- what the guards read (see workflows.guards) -----------------------------------------

    def consultation_for_engine(self):
        if not hasattr(self, "_consultation_cache"):
            found = _latest_consultation(self.pk) if self.pk is not None else []
            self._consultation_cache = found[0] if found else None
        return self._consultation_cache

    def consultation_questions_without_summary(self) -> list[int]:
        """Order numbers of the consultation's questions that have no summary for the report."""
        consultation = self.consultation_for_engine()
        if consultation is None:
            return []
        return list(
            consultation.questions.filter(summary__isnull=True).values_list("order", flat=True)
        )

    def award_criteria_weight_total(self) -> Decimal | None:
        """Sum of the award criteria's weights; ``None`` while no criterion is defined."""
        weights = list(self.criteria.values_list("weight", flat=True))
        return sum(weights, Decimal(0)) if weights else None

    def lot_count(self) -> int:
        return self.lots.count()

    def bid_counts(self) -> dict[str, int]:
        """Offers received and still admissible. PCP offers and partnership requests are the
        participants recorded; CPTI offers are the sealed bids."""
        if self.procedure == CPTI:
            submitted = self.bids.filter(status="submitted").count()
            return {"submitted": submitted, "admissible": award_area().live_bid_count(self)}
        statuses = list(self.participants.values_list("status", flat=True))
        return {
            "submitted": len(statuses),
            "admissible": sum(1 for s in statuses if s != Participant.Status.DROPPED),
        }

    def questions_owed_an_answer(self) -> int:
        """Questions asked at least 12 days before the deadline that are still unanswered."""
        if self.submission_deadline is None:
            return 0
        cutoff = self.submission_deadline - dt.timedelta(
            days=rules_for(self.rules_version).question_days_before_deadline
        )
        return self.tender_questions.filter(
            answered_at__isnull=True, created_at__lte=cutoff
        ).count()

    def admission_pending(self) -> int:
        """Submitted bids not yet admitted or excluded (pending, or asked to remedy)."""
        return self.bids.filter(status="submitted", admission__in=["pending", "remedy"]).count()

    def evaluation_gaps(self) -> dict[str, str]:
        """What is missing for each evaluation step, in words ("" when complete)."""
        return award_area().evaluation_gaps(self)

    def abnormal_offer_counts(self) -> dict[str, int]:
        """Offers meeting the PCAP's abnormal parameters (once C is open), flagged, decided."""
        statuses = list(self.bids.exclude(abnormal="").values_list("abnormal", flat=True))
        candidates = 0
        if self.c_opened_at is not None:
            candidates = award_area().abnormal_candidate_count(self)
        return {
            "candidates": candidates,
            "flagged": len(statuses),
            "decided": sum(1 for s in statuses if s in ("accepted", "rejected")),
        }

    def award_documents_missing(self) -> list[str]:
        """Lots whose proposed awardee, asked for its documents, has delivered none."""
        return award_area().award_documents_missing(self)

    def ranking_for_engine(self) -> list[int]:
        """Ids of the live admitted bids, best first (all lots)."""
        return award_area().ranking(self)

    def participant_ids(self, pool: str) -> list[int]:
        """Suppliers still in the procedure: ``applicant`` means every applicant not dropped,
        ``selected`` only those selected."""
        participants = self.participants.exclude(status=Participant.Status.DROPPED)
        if pool == "selected":
            participants = participants.filter(status=Participant.Status.SELECTED)
        return list(participants.values_list("supplier_id", flat=True))

    # --- writes the transition service makes on related rows ---------------------------------

    def envelopes_open(self, *, envelope: str, at) -> None:
        setattr(self, f"{envelope}_opened_at", at)

    def awards_apply(self, *, step: str, at, calendar=None) -> None:
        """Move the live awards of every lot one step (see ``tenders.award.services.awards``)."""
        award_area().awards_step(tender=self, step=step, at=at)

    def abnormal_flag(self, *, at, calendar) -> None:
        award_area().abnormal_flag(tender=self, at=at, calendar=calendar)

    def consultation_mark_published(self, *, at) -> None:
        self.consultations.filter(published_at__isnull=True).update(published_at=at)

    def consultation_mark_report_published(self, *, at) -> None:
        self.consultations.update(report_published_at=at)

    def participants_register(self, *, supplier_id: int) -> None:
        if not Supplier.objects.filter(pk=supplier_id).exists():
            raise ApplicationError(_("No supplier with id %(id)s.") % {"id": supplier_id})
        Participant.objects.get_or_create(tender=self, supplier_id=supplier_id)

    # --- the phases of a PCP or partnership (``tenders.phases`` through ``ports.PhaseArea``) -----

    def phase_number(self) -> int:
        """The phase the process runs or has just closed (0: none yet)."""
        return self.state.phase or self.rd_phase

    def phase_offers_open(self, *, at) -> None:
        phase_area().offers_open(tender=self, at=at)

    def phase_contract_gaps(self, *, phase: int, suppliers: list[int]) -> list[str]:
        return phase_area().contract_gaps(self, phase=phase, suppliers=suppliers)

    def phase_contracts_draft(self, *, phase: int, suppliers: list[int], at) -> None:
        phase_area().contracts_draft(tender=self, phase=phase, suppliers=suppliers, at=at)

    def phase_contracts_sign(self, *, phase: int, suppliers: list[int], at, ends_at) -> None:
        phase_area().contracts_sign(
            tender=self, phase=phase, suppliers=suppliers, at=at, ends_at=ends_at
        )

    def phase_score_gaps(self) -> list[str]:
        return phase_area().score_gaps(self, phase=self.phase_number())

    def phase_evaluation_record(self, *, at) -> None:
        phase_area().evaluation_record(tender=self, phase=self.phase_number(), at=at)

    def phase_gate_gaps(self, *, keep: list[int]) -> list[str]:
        return phase_area().gate_gaps(self, phase=self.phase_number(), keep=keep)

    def phase_gate_apply(self, *, phase: int, keep: list[int], at) -> None:
        phase_area().gate_apply(tender=self, phase=phase, keep=keep, at=at)

    def phase_count(self) -> int:
        """How many phases the call or the partnership's descriptive document defines."""
        return phase_area().phase_count(self)

    def final_offer_gaps(self) -> list[str]:
        """What the evaluation of a partnership's final offers still misses, in words: the
        committee's points for the final offers submitted on the platform, or else the award
        area's bids."""
        reasons = phase_area().final_offer_gaps(self)
        if reasons is not None:
            return reasons
        missing = self.evaluation_gaps()["final_offers"]
        return [missing] if missing else []

    def partners_gaps(self, *, partners: list[int]) -> list[str]:
        return phase_area().partners_gaps(self, partners=partners)

    def purchase_gaps(self, *, supplier: int | None, amount: str | None) -> list[str]:
        return phase_area().purchase_gaps(self, supplier=supplier, amount=amount)

    def participants_keep(self, *, supplier_ids: list[int]) -> None:
        """Select ``supplier_ids``; every other participant still in is dropped (down-selection)."""
        kept = self.participants.filter(supplier_id__in=supplier_ids)
        status_change_many(kept, move="participant_select")
        others = self.participants.exclude(supplier_id__in=supplier_ids)
        status_change_many(others, move="participant_drop")


class Participant(ProtectedStatusModel, TimeStampedModel):
    """A supplier taking part in a PCP or partnership: applicant, selected, or dropped at a gate."""

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("applicant")
        SELECTED = "selected", _("selected")
        DROPPED = "dropped", _("dropped")

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="participants")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="participations")
    status = FSMField(
        max_length=20, choices=Status.choices, default=Status.APPLICANT, protected=True
    )
    # Made at a gate of the procedure, whose transition records them in its audit row.
    moves = StatusMachine(
        Move(
            "participant_select",
            sources=[Status.APPLICANT, Status.SELECTED],
            target=Status.SELECTED,
            audited=False,
        ),
        Move(
            "participant_drop",
            sources=[Status.APPLICANT, Status.SELECTED],
            target=Status.DROPPED,
            audited=False,
        ),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tender", "supplier"], name="participant_once")
        ]

    def __str__(self) -> str:
        return f"{self.supplier} in {self.tender}"


class TenderUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Tender, on_delete=models.CASCADE)


class TenderGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Tender, on_delete=models.CASCADE)


class Notification(TimeStampedModel):
    """A notification to a bidder, with the evidence that gives it legal force (LCSP DA 15ª,
    DA 16ª.1.e; Ley 39/2015 arts. 41 and 43).

    The notification is the act made available in the bidder's inbox on the platform
    (*comparecencia*); the e-mail is only its *aviso* (art. 41.6). It keeps who sent it, to
    whom, its full content and that content's hash, when it was made available (``sent_at``),
    when the act was published on the contractor profile (``perfil_published_at``: the time of
    the act's public step, null when the act is not public) and when the bidder first opened it
    (``accessed_at``). Periods that run from it start where ``period_start`` says.
    """

    class Kind(models.TextChoices):
        AWARD = "award", _("award")
        EXCLUSION = "exclusion", _("exclusion")
        REMEDY = "remedy", _("request to remedy defects")
        ABNORMAL = "abnormal", _("request to justify an abnormally low offer")
        DOCUMENTS = "documents", _("request for documents")
        DEADLINE = "deadline", _("deadline extended")
        APPEAL = "appeal", _("special appeal")
        PHASE_RESULT = "phase_result", _("result of a phase evaluation")

    # L39/2015 art. 43.2: deemed rejected ten calendar days after it was made available.
    REJECTED_AFTER = dt.timedelta(days=rules_for(CURRENT_RULES).notification_rejected_days)

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="notifications")
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="notifications", verbose_name=_("to")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Idempotency: a retried step notifies once.
    key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    content_sha256 = models.CharField(_("content SHA-256"), max_length=64)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: sent by the platform on behalf of the contracting body."),
    )
    sender_name = models.CharField(_("from"), max_length=300)
    sent_at = models.DateTimeField(_("made available"))
    perfil_published_at = models.DateTimeField(
        _("published on the contractor profile"), null=True, blank=True
    )
    accessed_at = models.DateTimeField(_("opened"), null=True, blank=True)
    accessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(fields=["supplier", "sent_at", "id"], name="notification_inbox"),
            models.Index(fields=["tender", "supplier", "kind"], name="notification_act"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def rejected_at(self) -> dt.datetime:
        """When an unopened notification counts as rejected, and so as made (L39/2015 art. 43.2)."""
        return self.sent_at + self.REJECTED_AFTER

    def evidence_state(self, *, now: dt.datetime) -> str:
        """``accessed``, ``rejected`` (ten days unopened) or ``available``."""
        if self.accessed_at is not None and self.accessed_at < self.rejected_at:
            return "accessed"
        if now >= self.rejected_at:
            return "rejected"
        return "available"

    def published_same_day(self) -> bool:
        """Whether the act was on the contractor profile the day it was sent, in the city."""
        if self.perfil_published_at is None:
            return False
        zone = self.tender.city.zone
        return (
            self.perfil_published_at.astimezone(zone).date() == self.sent_at.astimezone(zone).date()
        )

    def period_end(self, *, working_days: int, now: dt.datetime) -> dt.datetime:
        """The end of a period of ``working_days`` that runs from this notification, in the
        city's calendar: from its start (``period_start``) or, while it has not started, from
        the latest start it can have, its deemed rejection (L39/2015 art. 43.2)."""
        start = self.period_start(now=now) or self.rejected_at
        return WorkingCalendar(self.tender.city).add_working_days(start, working_days)

    def period_start(self, *, now: dt.datetime) -> dt.datetime | None:
        """Where periods that run from this notification start (LCSP DA 15ª.1): its dispatch
        when the act was published on the profile the same day; else its receipt (the first
        opening), or its deemed rejection after ten unopened days (L39/2015 art. 43.2). ``None``
        while it has not started (neither opened nor ten days old)."""
        if self.published_same_day():
            return self.sent_at
        if self.accessed_at is not None and self.accessed_at < self.rejected_at:
            return self.accessed_at
        if now >= self.rejected_at:
            return self.rejected_at
        return None


# The process's latest consultation (``Tender.consultation_for_engine``), by SQL built once per
# process; the consultation's model is reached through the relation (its area builds on this).
_latest_consultation = compiled(
    lambda tender_id: (
        Tender._meta.get_field("consultations")
        .related_model.objects.filter(tender_id=tender_id)
        .order_by("-pk")[:1]
    ),
    kinds=(int,),
)
