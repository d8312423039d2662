"""Reads for verifying a document by its code (código seguro de verificación) or its hash, and
for a document's signatures.

Anybody holding a document's printed code may check it on the sede (RD 203/2021 art. 21;
L39/2015 art. 27.3.c). A public document shows what it is, its signatures validated now and
where to download it; a private one shows only that it exists and is intact.
"""

import hashlib
import re
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from documents.models import DocumentSignature, GeneratedDocument
from documents.selectors import document_get_for_user
from documents.signatures import SignatureReport, document_signature_report, signed_copy

_HEX = re.compile(r"^[0-9a-f]{64}$")
_CODE = re.compile(r"^[0-9A-F]{5}-?[0-9A-F]{5}$")


@dataclass
class Verification:
    document: GeneratedDocument
    public: bool
    intact: bool
    sealed: bool = False
    signatures: list[SignatureReport] = field(default_factory=list)
    signed_copy: DocumentSignature | None = None


def _normalise(value: str) -> tuple[str, str]:
    """``("code", "ABCDE-12345")``, ``("sha256", hex)`` or ``("", "")`` for anything else."""
    value = value.strip()
    if _HEX.match(value.lower()):
        return "sha256", value.lower()
    compact = value.upper().replace(" ", "")
    if _CODE.match(compact):
        compact = compact.replace("-", "")
        return "code", f"{compact[:5]}-{compact[5:]}"
    return "", ""


def _intact(document: GeneratedDocument) -> bool:
    if not document.pdf:
        return False
    try:
        with document.pdf.open("rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest() == document.sha256
    except OSError:
        return False


def document_verify(*, value: str) -> Verification | None:
    """The made document whose printed code is ``value``, or whose PDF (or a signed copy of it)
    has SHA-256 ``value``; ``None`` when there is none."""
    what, key = _normalise(value)
    if not what:
        return None
    documents = GeneratedDocument.objects.filter(status=GeneratedDocument.Status.READY)
    if what == "code":
        documents = documents.filter(verification_code=key)
    else:
        documents = documents.filter(Q(sha256=key) | Q(signatures__sha256=key))
    document = documents.select_related("tender").distinct().first()
    if document is None:
        return None
    intact = _intact(document)
    if not document.public:
        return Verification(document=document, public=False, intact=intact)
    return Verification(
        document=document,
        public=True,
        intact=intact,
        sealed=document.signatures.filter(kind=DocumentSignature.Kind.SEAL).exists(),
        signatures=document_signature_report(document) if intact else [],
        signed_copy=signed_copy(document),
    )


def document_signatures_for_user(*, user, pk) -> tuple[GeneratedDocument, QuerySet]:
    """A document the user may read and its recorded signatures, oldest first."""
    document = document_get_for_user(user=user, pk=pk)
    return document, document.signatures.select_related("signer").order_by("created_at", "pk")
