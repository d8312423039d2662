"""Reads of bids, scores, ranking and awards for a user. Sealed stays sealed.

- A bidder sees its own bids: status and the receipt (the SHA-256 of each sealed envelope);
  while a bid is a draft it also reads back what it wrote.
- The city (officers, legal team, the process's committee) sees who bid and when; it reads
  envelope A after the bids close, B after ``open_envelope_b``, C after ``open_envelope_c``.
- Nobody else sees anything (the same 404 as for a missing bid).
"""

from django.utils.translation import gettext as _

from procurement.accounts.models import Membership
from procurement.core.exceptions import Conflict, NotFound
from procurement.core.ids import id_from_text
from tenders.award.models import Award, Bid, BidFile
from tenders.award.sealing import unseal, unseal_bytes
from tenders.award.summary import bid_file_name, bid_files_listed, bid_summary_build
from tenders.procedures import Edit, is_editable, state_of
from tenders.process.models import Tender


def _supplier_ids(user) -> list[int]:
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user=user, role=Membership.Role.REPRESENTATIVE).values_list(
            "supplier_id", flat=True
        )
    )


def _city_reads(user, tender: Tender) -> bool:
    return bool(user.is_authenticated and user.has_perm("tenders.view_tender", tender))


def bids_for_user(*, user, tender: Tender):
    """A bidder's own bids, or every submitted bid for the city once the bids are closed."""
    queryset = (
        Bid.objects.filter(tender=tender)
        .select_related("supplier", "lot")
        .order_by("lot__number", "submitted_at", "pk")
    )
    own = _supplier_ids(user)
    if own and not _city_reads(user, tender):
        return queryset.filter(supplier_id__in=own)
    if _city_reads(user, tender):
        if is_editable(tender, Edit.BIDS):
            return queryset.none()  # who bid stays secret until the deadline, too
        return queryset.filter(status=Bid.Status.SUBMITTED)
    raise NotFound(_("Process not found."))


def bid_get_for_user(*, user, pk) -> tuple[Bid, bool]:
    """The bid and whether ``user`` reads it as its bidder."""
    try:
        bid = Bid.objects.select_related("tender__city", "supplier", "lot").get(pk=pk)
    except (Bid.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound(_("Bid not found.")) from error
    if bid.supplier_id in _supplier_ids(user):
        return bid, True
    if (
        _city_reads(user, bid.tender)
        and bid.status == Bid.Status.SUBMITTED
        and not is_editable(bid.tender, Edit.BIDS)
    ):
        return bid, False
    raise NotFound(_("Bid not found."))


def envelope_is_open(tender: Tender, envelope: str) -> bool:
    if envelope == "a":
        return state_of(tender).envelope_a_open
    return getattr(tender, f"{envelope}_opened_at") is not None


def bid_envelope_read(*, user, bid: Bid, envelope: str) -> dict:
    """An envelope's content, only after its opening (or the bidder's own draft)."""
    bid, own = bid_get_for_user(user=user, pk=bid.pk)
    if own and bid.status == Bid.Status.DRAFT:
        return unseal(getattr(bid, f"envelope_{envelope}"))
    if own or not envelope_is_open(bid.tender, envelope):
        raise Conflict(
            _("Envelope %(e)s is sealed until its opening (LCSP arts. 146.2 and 157).")
            % {"e": envelope.upper()},
            reasons=[_("Sealed.")],
        )
    return unseal(getattr(bid, f"envelope_{envelope}"))


def awards_for_user(*, user, tender: Tender):
    """Awards are public once made; the city also sees proposals and failed attempts."""
    queryset = (
        Award.objects.filter(tender=tender)
        .select_related("bid__supplier", "lot")
        .order_by("lot__number", "pk")
    )
    if _city_reads(user, tender):
        return queryset
    return queryset.filter(status=Award.Status.AWARDED)


def bid_summary_for_user(*, user, pk) -> tuple[Bid, dict]:
    """What the bid seals, for its bidder only (others get the same 404 as for no bid)."""
    bid, own = bid_get_for_user(user=user, pk=pk)
    if not own:
        raise NotFound(_("Bid not found."))
    return bid, bid_summary_build(bid)


def _file_readable(bid: Bid, own: bool, part: str) -> bool:
    """A bidder reads back its own draft's files; the city an envelope's files once it is
    open, and the awardee's documents (LCSP art. 150.2) as soon as they are delivered."""
    if own:
        return bid.status == Bid.Status.DRAFT or part == BidFile.Part.AWARD
    if part == BidFile.Part.AWARD:
        return True
    return envelope_is_open(bid.tender, part)


def bid_files_for_user(*, user, pk, part: str | None = None) -> tuple[Bid, list[dict]]:
    """The files of bid ``pk`` that ``user`` may know of: all of them (names, sizes, hashes)
    for the bidder; for the city, those of opened envelopes and the award documents."""
    bid, own = bid_get_for_user(user=user, pk=pk)
    files = [
        item
        for item in bid.files.all()
        if (part is None or item.part == part) and (own or _file_readable(bid, own, item.part))
    ]
    return bid, bid_files_listed(files)


def bid_file_read_for_user(*, user, pk) -> tuple[BidFile, str, bytes]:
    """A file's name and plaintext bytes, only where ``_file_readable`` allows: before its
    envelope's opening the same 404 as for a missing file."""
    file_id = id_from_text(pk)
    item = BidFile.objects.filter(pk=file_id).first() if file_id else None
    if item is None:
        raise NotFound(_("File not found."))
    try:
        bid, own = bid_get_for_user(user=user, pk=item.bid_id)
    except NotFound as error:
        raise NotFound(_("File not found.")) from error
    if not _file_readable(bid, own, item.part):
        raise NotFound(_("File not found."))
    with item.file.open("rb") as handle:
        sealed = handle.read()
    return item, bid_file_name(item), unseal_bytes(sealed)
