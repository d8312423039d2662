"""Documents of the file that arrive signed: the legal report (LCSP DA 3ª.8) and the credit
certificate (LCSP art. 116.3). The legal team writes and signs them with their own tools and
uploads the signed PDF; the file is approved only once both exist (``guards.signed`` on
``approve_file``, answered by ``signatures.signatures_missing``).

The upload is validated with the same machinery as a signed copy of a generated document
(``signatures.signature_of_uploader``): every signature intact, the newest covering the whole
file, chaining to the trust list, by the uploader (national ID) in a role the kind needs. There
is no original made by OpenCPI to compare it with, so the content is whatever was signed: the
signature is what makes it the document.
"""

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from documents import context as contexts
from documents import signing
from documents.kinds import FILE_KIND_BY_CODE, FILE_KIND_CHOICES
from documents.models import FileDocument
from documents.signatures import signatory_for, signature_of_uploader, upload_read
from procurement.accounts.models import User
from procurement.core.audit import audit_record
from procurement.core.exceptions import ApplicationError
from procurement.core.models import AuditEntry


def _kind_checked(kind: str) -> str:
    if kind not in FILE_KIND_BY_CODE:
        raise ApplicationError(
            _("Choose what the file is: %(kinds)s.")
            % {"kinds": ", ".join(str(label) for _code, label in FILE_KIND_CHOICES)},
            extra={"field": "kind"},
        )
    return kind


def _filename(upload: Any, kind: str) -> str:
    name = str(getattr(upload, "name", "") or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return (name or f"{kind}.pdf")[:200]


@transaction.atomic
def file_document_upload(*, actor: User, process_id: int, kind: str, upload: Any) -> FileDocument:
    """Store the signed ``kind`` of the process's file that ``actor`` uploads, once its signature
    validates; refused with what to do otherwise, and nothing stored."""
    process = contexts.process_private_for_user(user=actor, process_id=process_id)
    kind = _kind_checked(kind)
    signatory = signatory_for(actor, kind, process)
    data = upload_read(upload)
    if not data.startswith(b"%PDF-"):
        raise ApplicationError(
            _("The file is not a PDF: upload the report signed as PAdES (L39/2015 art. 10.2)."),
            extra={"field": "file"},
        )
    try:
        checks = signing.pdf_signatures_check(data)
    except ValueError as error:
        raise ApplicationError(str(error), extra={"field": "file"}) from error
    last = signature_of_uploader(actor=actor, checks=checks)
    sha256 = hashlib.sha256(data).hexdigest()
    document = FileDocument(
        tender_id=process.pk,
        kind=kind,
        filename=_filename(upload, kind),
        size=len(data),
        sha256=sha256,
        uploaded_by=actor,
        role=signatory.role,
        signer_name=last.signer_name[:300],
        signer_national_id=last.signer_id[:100],
        certificate_serial=last.certificate_serial[:100],
        issuer=last.issuer[:300],
        signed_at=last.signed_at,
        timestamped=last.timestamped,
        trusted=last.trusted,
    )
    document.file.save(f"{process.pk}/{kind}-{sha256[:16]}.pdf", ContentFile(data), save=False)
    document.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=document,
        name="file_document_upload",
        legal_basis=signatory.legal_basis,
        data={"kind": kind, "sha256": sha256, "certificate_serial": document.certificate_serial},
    )
    return document
