"""Reads on the phases of a process for a user; missing and forbidden raise the same
``NotFound``.

The call's phases and criteria are public once the call is (like the award criteria). A
supplier reads its own offer; the city reads submitted offers once the call closed (their
sealing lifts then). Phase contracts, their milestones and their outcome are public once signed
(open data publishes them); deliverables and scores are read by the city and, for its own
contract, by the supplier.
"""

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from procurement.accounts.models import Membership
from procurement.core.exceptions import NotFound
from tenders.award.sealing import unseal, unseal_bytes
from tenders.phases.models import (
    Deliverable,
    PaymentMilestone,
    Phase,
    PhaseContract,
    PhaseCriterion,
    PhaseOffer,
)
from tenders.procedures import Edit, is_editable
from tenders.process.models import Tender
from tenders.process.selectors import tender_get_for_user


def _supplier_id(user) -> int | None:
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user=user, role=Membership.Role.REPRESENTATIVE)
        .order_by("pk")
        .values_list("supplier_id", flat=True)
        .first()
    )


def phases_for_user(*, user, tender_pk: int) -> tuple[Tender, QuerySet[Phase]]:
    tender, _private = tender_get_for_user(user=user, pk=tender_pk)
    return tender, tender.phases.prefetch_related("criteria")


def phase_get_for_user(*, user, pk: int, private: bool = False) -> Phase:
    phase = Phase.objects.select_related("tender").filter(pk=pk).first()
    if phase is None:
        raise NotFound(_("Phase not found."))
    _tender, can_private = tender_get_for_user(user=user, pk=phase.tender_id)
    if private and not can_private:
        raise NotFound(_("Phase not found."))
    return phase


def phase_criterion_get_for_user(*, user, pk: int) -> PhaseCriterion:
    criterion = PhaseCriterion.objects.select_related("phase__tender").filter(pk=pk).first()
    if criterion is None:
        raise NotFound(_("Criterion not found."))
    _tender, private = tender_get_for_user(user=user, pk=criterion.phase.tender_id)
    if not private:
        raise NotFound(_("Criterion not found."))
    return criterion


def offers_opened(tender: Tender, kind: str = PhaseOffer.Kind.OFFER) -> bool:
    """Whether the deadline of ``kind`` passed (the call, the requests to participate, the
    final offers), so that their sealing lifts for the city (LCSP arts. 178 and 179)."""
    if tender.submission_deadline is None:
        return False
    if kind == PhaseOffer.Kind.REQUEST:
        return not is_editable(tender, Edit.PHASE_REQUESTS)
    return not is_editable(tender, Edit.PHASE_OFFERS)


def phase_offers_for_user(*, user, tender_pk: int) -> QuerySet[PhaseOffer]:
    """The supplier's own offers (and requests to participate); for the city, the submitted
    ones of each kind once its deadline passed."""
    tender, private = tender_get_for_user(user=user, pk=tender_pk)
    offers = PhaseOffer.objects.filter(tender=tender).select_related("supplier").order_by("pk")
    if private:
        opened = [kind for kind in PhaseOffer.Kind.values if offers_opened(tender, kind)]
        return offers.filter(status=PhaseOffer.Status.SUBMITTED, kind__in=opened)
    supplier_id = _supplier_id(user)
    return offers.filter(supplier_id=supplier_id) if supplier_id else offers.none()


def phase_offer_get_for_user(*, user, pk: int) -> PhaseOffer:
    offer = PhaseOffer.objects.select_related("tender__city", "supplier").filter(pk=pk).first()
    if offer is None:
        raise NotFound(_("Offer not found."))
    if offer.supplier_id == _supplier_id(user):
        return offer
    try:
        _tender, private = tender_get_for_user(user=user, pk=offer.tender_id)
    except NotFound:
        private = False
    if (
        private
        and offers_opened(offer.tender, offer.kind)
        and offer.status == PhaseOffer.Status.SUBMITTED
    ):
        return offer
    raise NotFound(_("Offer not found."))


def phase_offer_content(offer: PhaseOffer) -> dict:
    """The sealed content of an offer the caller may read (``phase_offer_get_for_user``)."""
    content = unseal(offer.sealed)
    content["files"] = [
        {
            "id": item.pk,
            "name": unseal_bytes(item.name_sealed).decode(),
            "size": item.size,
            "sha256": item.sha256,
        }
        for item in offer.files.all()
    ]
    return content


def phase_contracts_for_user(*, user, tender_pk: int) -> tuple[Tender, bool, QuerySet]:
    """The phase contracts of a process: the signed ones for everyone (open data), every one
    for the city; ``private`` says whether deliverables and scores may be shown."""
    tender, private = tender_get_for_user(user=user, pk=tender_pk)
    contracts = (
        PhaseContract.objects.filter(phase__tender=tender)
        .select_related("phase", "supplier")
        .prefetch_related(
            Prefetch("milestones", queryset=PaymentMilestone.objects.order_by("order")),
            Prefetch("deliverables", queryset=Deliverable.objects.order_by("uploaded_at", "pk")),
            "scores",
            "phase__criteria",
        )
        .order_by("phase__number", "supplier__name", "pk")
    )
    if not private:
        contracts = contracts.filter(signed_at__isnull=False)
    return tender, private, contracts


def phase_contract_get_for_user(*, user, pk: int) -> tuple[PhaseContract, str]:
    """A phase contract and how ``user`` reads it: ``city``, ``supplier`` (its own) or
    ``public`` (signed contracts only)."""
    contract = (
        PhaseContract.objects.select_related("phase__tender__city", "supplier")
        .filter(pk=pk)
        .first()
    )
    if contract is None:
        raise NotFound(_("Contract not found."))
    _tender, private = tender_get_for_user(user=user, pk=contract.phase.tender_id)
    if private:
        return contract, "city"
    if contract.supplier_id == _supplier_id(user):
        return contract, "supplier"
    if contract.signed_at is not None:
        return contract, "public"
    raise NotFound(_("Contract not found."))


def milestone_get_for_user(*, user, pk: int) -> PaymentMilestone:
    milestone = PaymentMilestone.objects.select_related("contract__phase").filter(pk=pk).first()
    if milestone is None:
        raise NotFound(_("Milestone not found."))
    _contract, access = phase_contract_get_for_user(user=user, pk=milestone.contract_id)
    if access != "city":
        raise NotFound(_("Milestone not found."))
    return milestone


# --- for the web pages ---------------------------------------------------------------------------


def phase_contracts_own(*, user, tender: Tender) -> QuerySet[PhaseContract]:
    """The contracts of the supplier ``user`` speaks for in ``tender``, signed or still drafts
    (a supplier reads its draft terms before the phase starts)."""
    supplier_id = _supplier_id(user)
    if supplier_id is None:
        return PhaseContract.objects.none()
    return (
        PhaseContract.objects.filter(phase__tender=tender, supplier_id=supplier_id)
        .select_related("phase", "supplier")
        .prefetch_related("milestones", "deliverables")
        .order_by("phase__number", "pk")
    )


def deliverable_get_for_user(*, user, pk: int) -> Deliverable:
    """A deliverable for the city or the contract's supplier; the same 404 for anyone else."""
    item = Deliverable.objects.select_related("contract").filter(pk=pk).first()
    if item is None:
        raise NotFound(_("Deliverable not found."))
    _contract, access = phase_contract_get_for_user(user=user, pk=item.contract_id)
    if access == "public":
        raise NotFound(_("Deliverable not found."))
    return item
