"""Walk a process through the real engine to the state a test asks for.

``walk_to`` plans the shortest way from the process's state to the one asked for over the
transitions of its procedure, then fires them one by one with ``transition_perform``, as the
city's officer, legal team or committee member the transition names, and waits for automatic
ones with the scheduler of that process alone (``process_fire_due``). Before each step it sets up
what the step's guards ask for through the real services, as the demo seed does
(``tenders/demo.py``): the consultation and its report, the specifications, the file's reports,
the PCAP's lot and criteria, bids, admission, scores, applicants and negotiation minutes.

Time: the steps happen in the past of ``now`` (the test's present, by default the real clock),
starting ``WALK_SPAN`` before it, an hour apart, with waits that jump to the deadline they wait
for. A clock the process is left running on (a consultation that opens or closes, a deadline
for bids or offers, a phase) ends after ``now``, so the process stays where it was put.

A state no walk reaches (the partnership after its final offers: nothing in the engine opens
their envelopes to score them; appeals, abnormally low offers) raises ``Unreachable``, naming
the way out for a test that says why: ``tests.factories.tenders.place_tender_in_state_for_speed``.
"""

import datetime as dt
from collections import deque
from collections.abc import Callable
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from procurement.accounts.models import Membership, Supplier, User
from procurement.core.models import AuditEntry
from tenders.award.deuc import deuc_example
from tenders.award.models import Award, Bid, Criterion
from tenders.award.services.bid_files import award_document_add
from tenders.award.services.bids import (
    bid_admission_decide,
    bid_save,
    bid_submit,
    criterion_save,
    lot_save,
    score_save,
)
from tenders.consultation.services import (
    consultation_report_save,
    consultation_save,
    question_summary_save,
)
from tenders.models import Tender
from tenders.procedures import MACHINE, S, T, target_of
from tenders.process.services import tender_update
from workflows.calendars import WorkingCalendar
from workflows.services import process_fire_due, transition_perform

WALK_SPAN = dt.timedelta(days=120)
STEP = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

# Steps a walk never plans through: loops back, and branches that need what a walk does not make
# (abnormal offers, appeals, late documents). Steps that stay in their state (reports recorded,
# applicants registered, negotiation rounds) are never planned either: they are fired to set up
# the step that needs them.
AVOIDED = frozenset(
    {
        T.RETURN_FILE,
        T.FLAG_ABNORMAL,
        T.DECIDE_ABNORMAL,
        T.DOCUMENTS_MISSED,
        T.RECORD_APPEAL,
        T.DISMISS_APPEAL,
        T.UPHOLD_APPEAL,
        T.UPHOLD_PARTNERSHIP_APPEAL,
        # Its guard needs final offers scored on opened formula envelopes; no transition of the
        # partnership opens them.
        T.EVALUATE_OFFERS,
    }
)

SPECIFICATIONS = (
    "The solution works 24/7, joins the city platform (FIWARE) and cuts the reference "
    "indicator by 30 percent against the 2025 baseline."
)
REASON = "Recorded by the test factory on the way to the state the test needs."


def signed_pdf(text: str) -> bytes:
    """A small real PDF standing for a signed file uploaded by an officer."""
    from documents.renderer import PdfInput, render_pdf

    return render_pdf(
        PdfInput(
            body=text,
            title=text,
            subject=text,
            author="OpenCPI tests",
            language="en",
            document_id="SIGNED",
            verification_code="TEST-0",
            created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        )
    )


class Unreachable(ValueError):
    """No walk through the engine reaches the state asked for."""


def _plan(procedure: str, source: str, target: str) -> list[str]:
    """The names of the transitions on the shortest way from ``source`` to ``target``."""
    if source == target:
        return []
    came: dict[str, tuple[str, str]] = {}
    queue = deque([source])
    while queue:
        state = queue.popleft()
        for definition in MACHINE.transitions_from(procedure, state):
            nxt = target_of(definition, state)
            if definition.name in AVOIDED or nxt in (state, source) or nxt in came:
                continue
            came[nxt] = (state, definition.name)
            if nxt == target:
                names = []
                while nxt != source:
                    nxt, name = came[nxt]
                    names.append(name)
                return names[::-1]
            queue.append(nxt)
    raise Unreachable(
        f"No walk through the engine leads from {source} to {target} in {procedure}: "
        "place the process with place_tender_in_state_for_speed(why=...) and say why."
    )


def _city_user(tender: Tender, role: str) -> User:
    user = (
        User.objects.filter(memberships__city=tender.city_id, memberships__role=role)
        .order_by("pk")
        .first()
    )
    if user is None:
        raise Unreachable(f"{tender.city} has no user with the role {role} to walk the process.")
    return user


class _Walk:
    def __init__(self, tender: Tender, *, target: str, now: dt.datetime, consultation: dict):
        self.tender = tender
        self.target = target
        self.now = now
        self.consultation = consultation
        self.plan: list[str] = []
        last = (
            AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Tender),
                object_id=str(tender.pk),
                action=AuditEntry.Action.TRANSITION,
            )
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
        self.clock = max(filter(None, [last, now - WALK_SPAN]))
        self._users: dict[str, User] = {}

    # --- actors and time ---------------------------------------------------------------------

    def user(self, role: str) -> User:
        if role not in self._users:
            if role == Membership.Role.COMMITTEE:
                member = self.tender.committee.select_related("user").order_by("pk").first()
                if member is None:
                    raise Unreachable(f"{self.tender} has no committee member to walk it.")
                self._users[role] = member.user
            else:
                self._users[role] = _city_user(self.tender, role)
        return self._users[role]

    def tick(self) -> dt.datetime:
        self.clock += STEP
        return self.clock

    def will(self, name: str) -> bool:
        """Whether the walk goes on through transition ``name``."""
        return name in self.plan

    def later(self, days: int, *, waited_by: str, at_least: int = 0) -> dt.datetime:
        """A deadline ``days`` ahead: of the walk's clock when the walk waits for it (the
        transition ``waited_by`` is on its way), else of the test's present, so that the
        process is left with its clock running. ``at_least``: a legal minimum in calendar days
        from the step, counted on the city's calendar, where a last day on a weekend or a
        holiday moves to the next working day (LCSP DA 12ª): a fixed number of days fell short
        of it on some days of the year."""
        start = self.clock if self.will(waited_by) else max(self.clock, self.now)
        deadline = start + days * DAY
        if at_least:
            step = self.clock + STEP  # the moment ``fire`` will give the step
            minimum = WorkingCalendar(self.tender.city).add_calendar_days(step, at_least)
            deadline = max(deadline, minimum)
        return deadline

    def catch_up(self, *, unless: tuple[str, ...]) -> None:
        """Bring the clock to the test's present before a step that starts a clock computed
        from the step's time (the standstill after an award, the documents' ten working days),
        unless the walk goes on through one of ``unless``: the process is left with its clock
        running."""
        if not any(self.will(name) for name in unless):
            self.clock = max(self.clock, self.now - STEP)

    # --- steps -------------------------------------------------------------------------------

    def fire(self, name: str, *, data: dict | None = None, reason: str = "") -> None:
        definition = MACHINE.transition_by_name[name]
        self.tender = transition_perform(
            process=self.tender,
            name=name,
            actor=self.user(definition.roles[0]),
            reason=reason,
            data=data or {},
            now=self.tick(),
        )

    def wait(self) -> None:
        """Let the scheduler fire what falls due next on this process."""
        due = self.tender.next_check
        if due is None:
            raise Unreachable(
                f"{self.tender.status}: nothing falls due on this process, the walk is stuck."
            )
        self.clock = max(self.clock, due)
        before = self.tender.status
        process_fire_due(model=Tender, pk=self.tender.pk, now=self.clock)
        self.tender = Tender.objects.select_related("city").get(pk=self.tender.pk)
        if self.tender.status == before:
            raise Unreachable(f"{before}: its deadline passed but no guard let a transition out.")

    def run(self, through: str | None = None) -> Tender:
        if through is not None:
            self._run_to(through)
        self._run_to(self.target)
        if self.tender.status == S.CONSULTATION_DRAFT and self.consultation:
            self.consultation_draft()
        return self.tender

    def _run_to(self, goal: str) -> None:
        while self.tender.status != goal:
            self.plan = _plan(self.tender.procedure, self.tender.status, goal)
            if goal != self.target:
                self.plan += _plan(self.tender.procedure, goal, self.target)
            name = self.plan[0]
            definition = MACHINE.transition_by_name[name]
            prepare = PREPARE.get(name)
            if prepare is not None:
                prepare(self)
            if definition.automatic:
                self.wait()
            else:
                data = DATA[name](self) if name in DATA else None
                reason = REASON if definition.needs_reason else ""
                self.fire(name, data=data, reason=reason)

    # --- what the guards ask for -------------------------------------------------------------

    def consultation_draft(self) -> None:
        opens = self.later(1, waited_by=T.OPEN_CONSULTATION)
        if self.will(T.CLOSE_CONSULTATION):
            closes = opens + 14 * DAY
        else:
            closes = max(self.clock, self.now) + 30 * DAY
        fields = {
            "subject": "Market consultation for the test",
            "opens_at": opens,
            "closes_at": closes,
        }
        fields.update(self.consultation)
        consultation_save(actor=self.user(Membership.Role.OFFICER), tender=self.tender, **fields)

    def consultation_report(self) -> None:
        officer = self.user(Membership.Role.OFFICER)
        consultation = self.tender.consultation_for_engine()
        for question in consultation.questions.all():
            question_summary_save(
                actor=officer, question=question, text=f"Summary of answers {question.order}."
            )
        consultation_report_save(
            actor=officer,
            tender=self.tender,
            report="Entities consulted and how their answers shaped the specifications.",
        )

    def specifications(self) -> None:
        if len((self.tender.functional_specifications or "").strip()) < 20:
            self.tender = tender_update(
                actor=self.user(Membership.Role.OFFICER),
                tender=self.tender,
                functional_specifications=SPECIFICATIONS,
            )

    def file_reports(self) -> None:
        for name, field, reference in (
            (T.RECORD_LEGAL_REPORT, "legal_report_ref", "INF-JUR-TEST/1"),
            (T.RECORD_CREDIT_CERTIFICATE, "credit_certificate_ref", "RC-TEST/1"),
            (T.RECORD_AUDIT_REPORT, "audit_report_ref", "FISC-TEST/1"),
        ):
            if not getattr(self.tender, field):
                self.fire(name, data={"reference": reference})

    def pliegos(self) -> None:
        """The pliegos the file needs (the PCAP and PPT, a PCP's call documents, a partnership's
        descriptive document), uploaded as signed PDFs by the officer and approved by the legal
        team, as the approve_file guard requires (LCSP arts. 116, 117, 122 and 124)."""
        from documents.context import pliegos_required
        from documents.models import Pliego
        from documents.pliego_services import pliego_approve, pliego_create

        officer = self.user(Membership.Role.OFFICER)
        legal = self.user(Membership.Role.LEGAL)
        for kind in pliegos_required(procedure=self.tender.procedure):
            if Pliego.objects.filter(
                tender=self.tender,
                kind=kind,
                status__in=(Pliego.Status.APPROVED, Pliego.Status.PUBLISHED),
            ).exists():
                continue
            pliego = pliego_create(
                actor=officer,
                process_id=self.tender.pk,
                kind=kind,
                upload=signed_pdf(f"{kind} of {self.tender.title}"),
                filename=f"{kind}.pdf",
            )
            pliego_approve(actor=legal, pliego=pliego)

    def pcap(self) -> None:
        """When the walk goes on to publish a CPTI tender and its PCAP is still empty: one lot
        worth the whole estimate and the demo's three criteria (40 + 50 + 10), written before
        the file is submitted, after which they are frozen."""
        if not self.will(T.PUBLISH_TENDER):
            return
        officer = self.user(Membership.Role.OFFICER)
        if not self.tender.lots.exists():
            lot_save(
                actor=officer,
                tender=self.tender,
                title="The whole need",
                value=self.tender.estimated_value,
            )
        if self.tender.criteria.exists():
            return
        criterion_save(
            actor=officer,
            tender=self.tender,
            name="Technical quality and innovation",
            kind="value_judgement",
            weight=40,
            innovation=True,
        )
        criterion_save(
            actor=officer,
            tender=self.tender,
            name="Price",
            kind="formula",
            weight=50,
            formula="proportional_lowest",
            is_price=True,
        )
        criterion_save(
            actor=officer,
            tender=self.tender,
            name="Warranty (years)",
            kind="formula",
            weight=10,
            formula="linear",
            params={"lower": 1, "upper": 5, "better": "higher"},
        )

    def bids(self) -> None:
        """Two suppliers bid on every lot, at 80 and 90 percent of its value (not abnormally
        low), when the walk goes on to the administrative check."""
        if not self.will(T.CHECK_ADMIN):
            return
        bidders = User.objects.filter(memberships__role=Membership.Role.REPRESENTATIVE).order_by(
            "username"
        )[:2]
        criteria = list(self.tender.criteria.all())
        for share, bidder in zip((Decimal("0.8"), Decimal("0.9")), bidders, strict=False):
            for lot in self.tender.lots.all():
                c = {}
                for criterion in criteria:
                    if criterion.kind != Criterion.Kind.FORMULA:
                        continue
                    if criterion.is_price:
                        c[str(criterion.pk)] = str((lot.value * share).quantize(Decimal("1")))
                    else:
                        c[str(criterion.pk)] = str(criterion.params.get("upper", 1))
                bid = bid_save(
                    actor=bidder,
                    tender=self.tender,
                    lot=lot,
                    now=self.tick(),
                    a={
                        "declaration": True,
                        "notes": "ESPD signed.",
                        "deuc": deuc_example(
                            name=bidder.username,
                            tax_id="B12345678",
                            email=bidder.email or "bids@example.org",
                        ),
                    },
                    b={
                        str(k.pk): "A clear plan with a pilot in another city."
                        for k in criteria
                        if k.kind == Criterion.Kind.VALUE_JUDGEMENT
                    },
                    c=c,
                )
                bid_submit(actor=bidder, bid=bid, now=self.tick())

    def award_documents(self) -> None:
        """The proposed awardee delivers its documents (LCSP art. 150.2) as a PDF."""
        for award in Award.objects.filter(
            tender=self.tender, status=Award.Status.DOCUMENTS_REQUESTED
        ).select_related("bid"):
            bidder = User.objects.filter(
                memberships__supplier=award.bid.supplier_id,
                memberships__role=Membership.Role.REPRESENTATIVE,
            ).first()
            award_document_add(
                actor=bidder,
                bid=award.bid,
                upload=SimpleUploadedFile("certificados.pdf", b"%PDF-1.4 certificates"),
                now=self.tick(),
            )

    def admission(self) -> None:
        for bid in self.tender.bids.filter(status=Bid.Status.SUBMITTED, admission="pending"):
            bid_admission_decide(
                actor=self.user(Membership.Role.COMMITTEE),
                bid=bid,
                decision=Bid.Admission.ADMITTED,
                now=self.tick(),
            )

    def scores(self) -> None:
        members = [m.user for m in self.tender.committee.select_related("user").order_by("pk")]
        bids = self.tender.bids.filter(admission=Bid.Admission.ADMITTED).order_by("pk")
        criteria = self.tender.criteria.filter(kind=Criterion.Kind.VALUE_JUDGEMENT)
        for rank, bid in enumerate(bids):
            for criterion in criteria:
                for member in members:
                    score_save(
                        actor=member,
                        bid=bid,
                        criterion=criterion,
                        points=criterion.weight * Decimal("0.8") / (rank + 1),
                        justification="Clear, measurable, piloted in another city.",
                    )

    def applicants(self) -> None:
        registered = set(self.tender.participants.values_list("supplier_id", flat=True))
        for supplier in Supplier.objects.order_by("pk")[:3]:
            if supplier.pk not in registered:
                self.fire(T.REGISTER_APPLICANT, data={"supplier": supplier.pk}, reason=REASON)

    def negotiation(self) -> None:
        if self.tender.negotiation_rounds < 1:
            self.fire(
                T.RECORD_NEGOTIATION_ROUND,
                data={"minutes": "First round: every candidate presents its R&D project."},
            )

    def applicant_ids(self) -> list[int]:
        return sorted(self.tender.participant_ids("applicant"))

    def kept_ids(self) -> list[int]:
        return sorted(self.tender.participant_ids("selected"))[:2]


PREPARE: dict[str, Callable[[_Walk], None]] = {
    T.PUBLISH_CONSULTATION: lambda w: (
        None if w.tender.consultation_for_engine() else w.consultation_draft()
    ),
    T.PUBLISH_REPORT: _Walk.consultation_report,
    T.CHOOSE_PROCEDURE: _Walk.specifications,
    T.SUBMIT_FILE: _Walk.pcap,
    T.APPROVE_FILE: lambda w: (w.file_reports(), w.pliegos()),
    T.CLOSE_BIDS: _Walk.bids,
    T.CHECK_ADMIN: _Walk.admission,
    T.SIGN_VALUE_REPORT: _Walk.scores,
    T.REQUEST_DOCUMENTS: lambda w: w.catch_up(unless=(T.RECEIVE_DOCUMENTS,)),
    T.RECEIVE_DOCUMENTS: _Walk.award_documents,
    T.AWARD: lambda w: w.catch_up(unless=(T.END_STANDSTILL, T.SKIP_STANDSTILL)),
    T.SELECT_SUPPLIERS: _Walk.applicants,
    T.SELECT_CANDIDATES: _Walk.applicants,
    T.CALL_FINAL_OFFERS: _Walk.negotiation,
}

DATA: dict[str, Callable[[_Walk], dict]] = {
    # The legal minimums: LCSP art. 156.2 (35 days), PCP by analogy and art. 178.2 (30 days).
    T.PUBLISH_TENDER: lambda w: {
        "submission_deadline": w.later(40, waited_by=T.CLOSE_BIDS, at_least=35)
    },
    T.PUBLISH_CALL: lambda w: {
        "submission_deadline": w.later(31, waited_by=T.CLOSE_CALL, at_least=30)
    },
    T.PUBLISH_NOTICE: lambda w: {
        "submission_deadline": w.later(31, waited_by=T.CLOSE_REQUESTS, at_least=30)
    },
    T.CALL_FINAL_OFFERS: lambda w: {
        "submission_deadline": w.later(7, waited_by=T.CLOSE_FINAL_OFFERS)
    },
    T.SELECT_SUPPLIERS: lambda w: {"suppliers": w.applicant_ids()},
    T.SELECT_CANDIDATES: lambda w: {"candidates": w.applicant_ids()},
    T.START_PHASE1: lambda w: {"phase_ends_at": w.later(7, waited_by=T.END_PHASE1)},
    T.PASS_GATE1: lambda w: {
        "keep": w.kept_ids(),
        "phase_ends_at": w.later(7, waited_by=T.END_PHASE2),
    },
    T.PASS_GATE2: lambda w: {
        "keep": w.kept_ids(),
        "phase_ends_at": w.later(7, waited_by=T.END_PHASE3),
    },
}


def walk_to(
    tender: Tender,
    state: str,
    *,
    now: dt.datetime | None = None,
    through: str | None = None,
    consultation: dict | None = None,
) -> Tender:
    """Move ``tender`` to ``state`` through the engine (see the module), passing ``through``
    first when given; ``consultation`` overrides what ``consultation_save`` is given."""
    walk = _Walk(
        tender,
        target=state,
        now=now or timezone.now(),
        consultation=dict(consultation or {}),
    )
    return walk.run(through=through)
