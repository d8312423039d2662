"""A bid's files: the documents in its envelopes while it is a draft, and the documents the
best-ranked bidder delivers when the city asks for them (LCSP art. 150.2).

Each file is checked (type from its content, size, count: ``settings.BID_FILE_MAX_BYTES``,
``BID_FILE_MAX_COUNT``), hashed, and stored encrypted with the sealing key, its name too: the
storage and the database hold no readable copy until the envelope's opening.
"""

import hashlib
import re
import unicodedata
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.accounts.models import User
from procurement.core.audit import audit_record
from procurement.core.exceptions import ApplicationError, Conflict, NotFound
from procurement.core.formatting import number
from procurement.core.models import AuditEntry
from tenders.award.models import Award, Bid, BidFile
from tenders.award.sealing import seal_bytes, unseal_bytes
from tenders.award.selectors import envelope_is_open
from tenders.award.services.bids import bid_lock_own, bid_window_check
from tenders.process.models import Tender
from workflows.signature_gates import pdf_signatures_verdict
from workflows.status import status_check

PDF = "application/pdf"
XADES = "application/xades+xml"  # an XML signature (XAdES), detached or enveloping
CADES = "application/pkcs7-signature"  # a CMS/PKCS#7 signature (CAdES): .p7s, .p7m, .csig
EXTENSIONS = {PDF: ".pdf", XADES: ".xsig", CADES: ".p7s"}
# pkcs7-signedData (1.2.840.113549.1.7.2), as DER: the content type a CAdES file opens with.
SIGNED_DATA_OID = bytes.fromhex("06092a864886f70d010702")
XMLDSIG = b"http://www.w3.org/2000/09/xmldsig#"


def _sniff(head: bytes) -> str | None:
    """PDF, XAdES or CAdES, judged from the first bytes rather than the name."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head[:1] == b"\x30" and SIGNED_DATA_OID in head[:40]:
        return CADES
    if head.lstrip().startswith(b"-----BEGIN PKCS7-----") or head.lstrip().startswith(
        b"-----BEGIN CMS-----"
    ):
        return CADES
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<") and XMLDSIG in head and b"Signature" in head:
        return XADES
    return None


def _safe_name(name: str, extension: str) -> str:
    base = unicodedata.normalize("NFKC", name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"[\x00-\x1f<>:\"|?*]+", "", stem).strip(" .")[:120] or "document"
    given = base.rsplit(".", 1)[1].lower() if "." in base else ""
    if extension == EXTENSIONS[CADES] and given in ("p7s", "p7m", "csig"):
        extension = f".{given}"
    if extension == EXTENSIONS[XADES] and given in ("xsig", "xml"):
        extension = f".{given}"
    return f"{stem}{extension}"


def _stored(bid: Bid, part: str, upload, now) -> BidFile:
    """Check ``upload``, then store it sealed as a file of ``bid`` in ``part``."""
    if upload is None:
        raise ApplicationError(_("Choose a file."), extra={"field": "file"})
    limit = settings.BID_FILE_MAX_BYTES
    if upload.size > limit:
        raise ApplicationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB per file.")
            % {
                "size": number(round(Decimal(upload.size) / 1048576, 1)),
                "limit": number(Decimal(limit) / 1048576),
            },
            extra={"field": "file"},
        )
    if upload.size == 0:
        raise ApplicationError(_("The file is empty."), extra={"field": "file"})
    count = settings.BID_FILE_MAX_COUNT
    if bid.files.filter(part=part).count() >= count:
        raise ApplicationError(
            _("This envelope already holds %(count)s files, the most it takes.") % {"count": count},
            extra={"field": "file"},
        )
    upload.seek(0)
    content_type = _sniff(upload.read(4096))
    if content_type is None:
        raise ApplicationError(
            _(
                "This kind of file is not accepted: send PDF documents and electronic "
                "signatures (XAdES .xsig, CAdES .p7s/.p7m) (LCSP DA 16ª)."
            ),
            extra={"field": "file"},
        )
    upload.seek(0)
    data = b"".join(upload.chunks())
    name = _safe_name(upload.name, EXTENSIONS[content_type])
    item = BidFile(
        bid=bid,
        part=part,
        name_sealed=seal_bytes(name.encode()),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_at=now,
    )
    sealed = ContentFile(seal_bytes(data))
    item.file.save(f"{uuid.uuid4().hex}.sealed", sealed, save=False)
    item.save()
    return item


@transaction.atomic
def bid_file_add(*, actor: User, bid: Bid, envelope: str, upload, now=None) -> BidFile:
    """Add a document to an envelope of the supplier's draft bid, before the deadline."""
    now = now or timezone.now()
    if envelope not in (BidFile.Part.A, BidFile.Part.B, BidFile.Part.C):
        raise ApplicationError(_("The envelope is a, b or c."), extra={"field": "envelope"})
    locked = bid_lock_own(actor=actor, bid=bid)
    bid_window_check(locked.tender, now)
    status_check(locked, "bid_save")
    item = _stored(locked, envelope, upload, now)
    locked.save(update_fields=["updated_at"])
    return item


@transaction.atomic
def bid_file_remove(*, actor: User, bid_file: BidFile, now=None) -> None:
    """Take a document out of the supplier's draft bid (before the deadline), or out of the
    award documents while they are still asked for."""
    now = now or timezone.now()
    locked = bid_lock_own(actor=actor, bid=bid_file.bid)
    item = BidFile.objects.filter(pk=bid_file.pk, bid=locked).first()
    if item is None:
        raise NotFound(_("File not found."))
    if item.part == BidFile.Part.AWARD:
        _documents_requested(locked)
    else:
        bid_window_check(locked.tender, now)
        status_check(locked, "bid_save")
    stored = item.file.name
    storage = item.file.storage
    item.delete()
    locked.save(update_fields=["updated_at"])
    transaction.on_commit(lambda: storage.delete(stored))


def _documents_requested(bid: Bid) -> Award:
    award = Award.objects.filter(bid=bid, status=Award.Status.DOCUMENTS_REQUESTED).first()
    if award is None:
        raise Conflict(
            _(
                "Documents are delivered here when the city asks the best-ranked bidder for "
                "them (LCSP art. 150.2)."
            )
        )
    return award


@transaction.atomic
def award_document_add(*, actor: User, bid: Bid, upload, now=None) -> BidFile:
    """The best-ranked bidder delivers a document the city asked for (LCSP art. 150.2)."""
    now = now or timezone.now()
    locked = bid_lock_own(actor=actor, bid=bid)
    _documents_requested(locked)
    item = _stored(locked, BidFile.Part.AWARD, upload, now)
    locked.save(update_fields=["updated_at"])
    return item


# --- the bidders' signatures, checked at the opening ------------------------------------------

ENVELOPES = (BidFile.Part.A, BidFile.Part.B, BidFile.Part.C)


def _verdict(item: BidFile, data: bytes) -> tuple[str, str, str]:
    """(result, signer, message) for one file's plaintext."""
    if item.content_type != PDF:
        # A detached or enveloping XAdES/CAdES file needs a validator OpenCPI does not have
        # (pyHanko reads PAdES only): it is not judged invalid, only not checked, and says so.
        return (
            BidFile.Signature.NOT_CHECKED,
            "",
            _(
                "%(format)s signatures are not validated by OpenCPI: check this file with "
                "VALIDe or @firma (LCSP DA 16ª.1.f)."
            )
            % {"format": "XAdES" if item.content_type == XADES else "CAdES"},
        )
    verdict = pdf_signatures_verdict(data)
    return verdict.result, verdict.signer, verdict.message


def bid_files_signatures_check(*, tender_id: int, now=None) -> int:
    """Validate, once, the signatures of every file in the envelopes of ``tender_id``'s
    submitted bids that are open now (A from the bids' closing, B and C at their opening: LCSP
    arts. 157.2–4); files of sealed envelopes are not read. Returns how many were checked.

    Run after the opening's commit (the ``bid_signatures`` effect), so a slow validation never
    holds the process's lock; running it again checks only what is left."""
    now = now or timezone.now()
    tender = Tender.objects.filter(pk=tender_id).first()
    if tender is None:
        return 0
    open_parts = [part for part in ENVELOPES if envelope_is_open(tender, part)]
    if not open_parts:
        return 0
    pending = BidFile.objects.filter(
        bid__tender_id=tender_id,
        bid__status=Bid.Status.SUBMITTED,
        part__in=open_parts,
        signature_checked_at__isnull=True,
    ).order_by("pk")
    checked = 0
    for item in pending:
        with item.file.open("rb") as handle:
            data = unseal_bytes(handle.read())
        result, signer, message = _verdict(item, data)
        # Only a file not checked meanwhile is written: two runs never overwrite each other.
        checked += BidFile.objects.filter(pk=item.pk, signature_checked_at__isnull=True).update(
            signature=result,
            signature_signer=signer[:300],
            signature_message=str(message)[:500],
            signature_checked_at=now,
        )
    if checked:
        audit_record(
            actor=None,
            action=AuditEntry.Action.CHANGE,
            target=tender,
            name="bid_signatures_check",
            legal_basis="LCSP DA 16ª.1.f; L39/2015 art. 10.2",
            data={"files": checked, "envelopes": [str(part) for part in open_parts]},
        )
    return checked
