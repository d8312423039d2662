"""What a bid will seal, as its bidder checks it before submitting and as the receipt lists it.

The summary is read from the sealed envelopes and the bid's files, for the bidder only (the
selectors and services check who asks). Its ``fingerprint`` is the SHA-256 of everything else
in it: a submission confirmed against one fingerprint is refused if the bid changed since.
"""

import hashlib
import json

from tenders.award.models import Bid, BidFile, Criterion
from tenders.award.sealing import unseal, unseal_bytes

ENVELOPE_PARTS = (BidFile.Part.A, BidFile.Part.B, BidFile.Part.C)


def bid_file_name(bid_file: BidFile) -> str:
    return unseal_bytes(bid_file.name_sealed).decode()


def bid_files_listed(files) -> list[dict]:
    """The files as a bidder or an opener reads them: part, name, type, size, hash, and what
    the validation of their signatures found at the opening."""
    return [
        {
            "id": item.pk,
            "envelope": item.part,
            "name": bid_file_name(item),
            "content_type": item.content_type,
            "size": item.size,
            "sha256": item.sha256,
            "uploaded_at": item.uploaded_at.isoformat(),
            # Empty until the envelope's opening validates the file's signatures.
            "signature": item.signature,
            "signature_label": item.get_signature_display() if item.signature else "",
            "signature_signer": item.signature_signer,
            "signature_message": item.signature_message,
            "signature_checked_at": (
                item.signature_checked_at.isoformat() if item.signature_checked_at else None
            ),
        }
        for item in files
    ]


def bid_summary_build(bid: Bid) -> dict:
    """The lot, the figures, the value-judgement answers, the DEUC, the files with their sizes
    and hashes, and the envelopes' digests, with the fingerprint of all of them."""
    a, b, c = unseal(bid.envelope_a), unseal(bid.envelope_b), unseal(bid.envelope_c)
    criteria = list(bid.tender.criteria.all())
    files = [f for f in bid.files.all() if f.part in ENVELOPE_PARTS]
    summary = {
        "bid": bid.pk,
        "tender": {"id": bid.tender_id, "title": bid.tender.title},
        "supplier": bid.supplier.name,
        "lot": {"number": bid.lot.number, "title": bid.lot.title, "budget": str(bid.lot.value)},
        "figures": [
            {
                "criterion": k.pk,
                "name": k.name,
                "is_price": k.is_price,
                "value": c.get(str(k.pk)),
            }
            for k in criteria
            if k.kind == Criterion.Kind.FORMULA
        ],
        "value_judgement": [
            {
                "criterion": k.pk,
                "name": k.name,
                "text": str(b.get(str(k.pk), "")),
            }
            for k in criteria
            if k.kind == Criterion.Kind.VALUE_JUDGEMENT
        ],
        "declaration": bool(a.get("declaration")),
        "notes": a.get("notes", ""),
        "deuc": a.get("deuc", {}),
        "files": bid_files_listed(files),
        "digests": {"a": bid.digest_a, "b": bid.digest_b, "c": bid.digest_c},
    }
    plain = json.dumps(summary, sort_keys=True, ensure_ascii=False, default=str).encode()
    summary["fingerprint"] = hashlib.sha256(plain).hexdigest()
    return summary
