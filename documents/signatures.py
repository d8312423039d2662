"""Who signs which kind of document, and the writes and checks around signatures.

* ``SIGNATORIES``: the kinds the law wants signed by a person, beside ``kinds.py``. Acts that are
  not automated carry the signature of the head of the organ or of an employee (L40/2015 art.
  43.1); OpenCPI's automated copies carry the body's seal (art. 42).
* ``document_seal``: seal a generated PDF with the city's seal, when it has one.
* ``document_signature_add``: a signatory uploads the document signed with their own tool; it
  counts only once validated (intact, covering the whole file, over the very bytes OpenCPI made,
  chaining to the trust list, by this person, in a role the kind needs).
* ``signatures_missing``: the checker behind ``workflows.signature_gates``.
* ``document_signature_report``: every signature of a document validated again, for the
  verification page.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents import signing
from documents.kinds import KIND_BY_CODE
from documents.models import DocumentSignature, GeneratedDocument
from documents.signing import SignatureCheck
from procurement.accounts.models import City, Membership, User
from procurement.core.audit import audit_record
from procurement.core.exceptions import ApplicationError, Conflict, PermissionDenied
from procurement.core.models import AuditEntry

Role = Membership.Role


@dataclass(frozen=True)
class Signatory:
    role: str  # the membership role that signs
    label: Promise  # who that is, in a refusal ("the contracting body")
    legal_basis: str
    # The object permission on the process that makes someone this signatory of it: the
    # city's officers act for the contracting body; only the process's own committee (mesa)
    # members hold ``act_committee`` on it.
    permission: str = "tenders.act_officer"


CONTRACTING_BODY = gettext_lazy("the contracting body")
COMMITTEE_MEMBER = gettext_lazy("a member of the contracting committee")

# The documents a person must sign, and who. In OpenCPI the contracting body acts through its
# procurement officers (they fire the award and contract steps); the committee's value report
# and minutes are signed by its members.
SIGNATORIES: dict[str, tuple[Signatory, ...]] = {
    "evaluation_report": (
        Signatory(
            Role.COMMITTEE,
            COMMITTEE_MEMBER,
            "LCSP arts. 146.2 and 157.5",
            permission="tenders.act_committee",
        ),
    ),
    "committee_minutes": (
        Signatory(
            Role.COMMITTEE,
            COMMITTEE_MEMBER,
            "LCSP art. 326; RGLCAP art. 87",
            permission="tenders.act_committee",
        ),
    ),
    "award_resolution": (
        Signatory(Role.OFFICER, CONTRACTING_BODY, "LCSP art. 150.3; L40/2015 art. 43.1"),
    ),
    "contract": (Signatory(Role.OFFICER, CONTRACTING_BODY, "LCSP art. 153.1; L40/2015 art. 43.1"),),
}
assert set(SIGNATORIES) <= set(KIND_BY_CODE), "SIGNATORIES names an unknown kind"

# What the seal's stamp says it stands for.
SEAL_ROLE = gettext_lazy("Electronic seal of the body (automated action, L40/2015 art. 42)")


def _kind_name(kind: str) -> str:
    """The kind's legal name, to go inside a sentence."""
    language = (translation.get_language() or "en")[:2]
    name = KIND_BY_CODE[kind].name(language)
    return name[:1].lower() + name[1:]


def verify_url(code: str) -> str:
    return f"{settings.OPENCPI_PUBLIC_URL}/documents/verify/?code={code}"


# --- the seal ---------------------------------------------------------------------------------


def seal_configured_for(*, city_id: int) -> bool:
    if not signing.seals_folder():
        return False  # no seals installed at all: no need to look the city up
    slug = City.objects.filter(pk=city_id).values_list("slug", flat=True).first()
    return bool(slug) and signing.seal_configured(slug)


def document_seal(
    *, document: GeneratedDocument, city_id: int, pdf: bytes
) -> tuple[bytes, SignatureCheck | None]:
    """``pdf`` sealed with the city's seal and the seal's check; the bytes unchanged and ``None``
    when the city has no seal (the document then says it is unsealed)."""
    city = City.objects.only("slug", "name").get(pk=city_id)
    if not signing.seal_configured(city.slug):
        return pdf, None
    with translation.override(document.language):
        sealed = signing.pdf_seal(
            pdf,
            signing.SealRequest(
                city_slug=city.slug,
                city_name=city.name,
                role=str(SEAL_ROLE),
                verification_code=document.verification_code,
                verify_url=verify_url(document.verification_code),
            ),
        )
    if sealed is None:
        return pdf, None
    checks = signing.pdf_signatures_check(sealed)
    return sealed, (checks[-1] if checks else None)


def seal_record(*, document: GeneratedDocument, check: SignatureCheck) -> DocumentSignature:
    """The seal's row, in the transaction that stores the sealed PDF."""
    return DocumentSignature.objects.create(
        document=document,
        kind=DocumentSignature.Kind.SEAL,
        role=str(SEAL_ROLE)[:60],
        signer_name=check.signer_name[:300] or check.organization[:300],
        signer_national_id=check.signer_id[:100],
        certificate_serial=check.certificate_serial[:100],
        issuer=check.issuer[:300],
        signed_at=check.signed_at,
        timestamped=check.timestamped,
        sha256=document.sha256,
    )


# --- personal signatures ----------------------------------------------------------------------


def _read(upload: Any) -> bytes:
    if isinstance(upload, bytes):
        return upload
    if upload is None:
        raise ApplicationError(_("Choose the signed PDF to upload."), extra={"field": "file"})
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ApplicationError(
            _("The file is larger than %(size)s MB.")
            % {"size": settings.UPLOAD_MAX_BYTES // (1024 * 1024)},
            extra={"field": "file"},
        )
    return upload.read()


def _refuse(message: str) -> ApplicationError:
    return ApplicationError(message, extra={"field": "file"})


def _signatory_for(actor: User, document: GeneratedDocument) -> Signatory:
    signatories = SIGNATORIES.get(document.kind, ())
    if not signatories:
        raise Conflict(
            _("A %(kind)s takes no personal signature: OpenCPI seals it (L40/2015 art. 42).")
            % {"kind": _kind_name(document.kind)}
        )
    for signatory in signatories:
        if actor.has_perm(signatory.permission, document.tender):
            return signatory
    wanted = ", ".join(str(s.label) for s in signatories)
    raise PermissionDenied(
        _("The %(kind)s is signed by %(who)s of this process (%(basis)s).")
        % {
            "kind": _kind_name(document.kind),
            "who": wanted,
            "basis": signatories[0].legal_basis,
        }
    )


def _stored_pdf(document: GeneratedDocument) -> bytes:
    with document.pdf.open("rb") as handle:
        return handle.read()


@transaction.atomic
def document_signature_add(
    *, actor: User, document: GeneratedDocument, upload: Any
) -> DocumentSignature:
    """Record ``actor``'s signature on ``document`` from the signed PDF they upload. Refused,
    with what to do about it, unless the file is the document OpenCPI made, signed by this
    person with a trusted certificate, in a role the kind needs, and unchanged since."""
    if document.status != GeneratedDocument.Status.READY:
        raise Conflict(_("Only a document that has been made can be signed."))
    signatory = _signatory_for(actor, document)
    data = _read(upload)
    try:
        checks = signing.pdf_signatures_check(data)
    except ValueError as error:
        raise _refuse(str(error)) from error
    original = _stored_pdf(document)
    # An incremental signature keeps the signed document as the file's first bytes; anything
    # else means the content is not the document OpenCPI made and whose hash it published.
    if not data.startswith(original):
        raise _refuse(
            _(
                "The signed file is not %(ref)s as OpenCPI made it: its content differs. Download "
                "the document again, sign it without changing it and upload the result "
                "(L39/2015 art. 26.2)."
            )
            % {"ref": document.reference}
        )
    # The seal OpenCPI put on the document is inside the original; the upload adds the rest.
    if not [check for check in checks if check.signed_length > len(original)]:
        raise _refuse(
            _(
                "The file has no electronic signature: sign the PDF with AutoFirma or another "
                "PAdES signer and upload the signed file (L39/2015 art. 10.2)."
            )
        )
    last = checks[-1]
    for check in checks:
        if not check.intact or not check.valid:
            raise _refuse(
                _(
                    "The signature of %(name)s is broken: the file was changed after it was "
                    "signed (L39/2015 art. 26.2)."
                )
                % {"name": check.signer_name}
            )
    if not last.covers_whole_file:
        raise _refuse(
            _(
                "Content was added to the file after the last signature, which does not cover "
                "the whole document (L39/2015 art. 26.2)."
            )
        )
    for check in checks:
        if not check.trusted:
            raise _refuse(
                _(
                    "The certificate of %(name)s does not chain to a trusted certification "
                    "authority, or is revoked or expired (L39/2015 art. 10.2.a)."
                )
                % {"name": check.signer_name}
            )
    if not actor.national_id:
        raise _refuse(
            _(
                "Your account has no national ID to match the certificate against: ask the "
                "city administrator to record it (L40/2015 art. 43.1)."
            )
        )
    if signing.national_id(last.signer_id) != signing.national_id(actor.national_id):
        raise _refuse(
            _(
                "The file is signed by %(name)s, not by you: each signatory uploads the document "
                "signed with their own certificate (L40/2015 art. 43.1)."
            )
            % {"name": last.signer_name or last.signer_id}
        )
    if DocumentSignature.objects.filter(
        document=document, kind=DocumentSignature.Kind.PERSONAL, signer=actor, role=signatory.role
    ).exists():
        raise Conflict(_("You have already signed this document."))
    sha256 = hashlib.sha256(data).hexdigest()
    signature = DocumentSignature(
        document=document,
        kind=DocumentSignature.Kind.PERSONAL,
        role=signatory.role,
        signer=actor,
        signer_name=last.signer_name[:300],
        signer_national_id=last.signer_id[:100],
        certificate_serial=last.certificate_serial[:100],
        issuer=last.issuer[:300],
        signed_at=last.signed_at,
        timestamped=last.timestamped,
        sha256=sha256,
    )
    signature.pdf.save(
        f"{document.tender_id}/{document.reference}-{sha256[:12]}.pdf",
        ContentFile(data),
        save=False,
    )
    signature.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=document,
        name="document_signature_add",
        legal_basis=signatory.legal_basis,
        data={
            "role": signatory.role,
            "sha256": sha256,
            "certificate_serial": signature.certificate_serial,
        },
    )
    return signature


def signed_copy(document: GeneratedDocument) -> DocumentSignature | None:
    """The newest signed file of the document (each signatory signs the one before)."""
    return (
        document.signatures.filter(kind=DocumentSignature.Kind.PERSONAL)
        .order_by("-created_at", "-pk")
        .first()
    )


# --- the gates --------------------------------------------------------------------------------


def gates_active() -> bool:
    """Whether steps wait for signed documents. ``OPENCPI_SIGNATURE_GATES``: ``on``, ``off`` or
    ``auto`` (the default): on once a trust list is installed, since without one no signature
    could ever be accepted and every such step would be blocked for good."""
    mode = str(getattr(settings, "OPENCPI_SIGNATURE_GATES", "auto") or "auto").lower()
    if mode in {"on", "1", "true"}:
        return True
    if mode in {"off", "0", "false"}:
        return False
    return signing.trust_configured()


def signatures_missing(process: Any, kinds: tuple[str, ...]) -> list[str]:
    """For each kind, the signatories still missing on every made document of it in the process,
    as reasons ending with their article."""
    if not gates_active():
        return []
    signed: dict[int, set[str]] = {}
    kind_of: dict[int, str] = {}
    for document_id, kind in GeneratedDocument.objects.filter(
        tender_id=process.pk, kind__in=kinds, status=GeneratedDocument.Status.READY
    ).values_list("pk", "kind"):
        signed[document_id] = set()
        kind_of[document_id] = kind
    for document_id, role in DocumentSignature.objects.filter(
        document_id__in=list(signed), kind=DocumentSignature.Kind.PERSONAL
    ).values_list("document_id", "role"):
        signed[document_id].add(role)
    reasons = []
    for kind in kinds:
        needed = SIGNATORIES.get(kind, ())
        documents = [pk for pk, k in kind_of.items() if k == kind]
        if any(all(s.role in signed[pk] for s in needed) for pk in documents):
            continue
        missing = needed or (Signatory("", CONTRACTING_BODY, KIND_BY_CODE[kind].legal_basis),)
        reasons.append(
            _(
                "The %(kind)s signed by %(who)s is missing: make it, have it signed and upload "
                "the signed PDF (%(basis)s)."
            )
            % {
                "kind": _kind_name(kind),
                "who": ", ".join(str(s.label) for s in missing),
                "basis": missing[0].legal_basis,
            }
        )
    return reasons


# --- verification -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureReport:
    kind: str
    role: str
    check: SignatureCheck


def document_signature_report(document: GeneratedDocument) -> list[SignatureReport]:
    """Every signature the document carries, validated again now: the seal in its PDF, then the
    personal signatures in the newest signed copy."""
    reports: list[SignatureReport] = []
    if document.status != GeneratedDocument.Status.READY or not document.pdf:
        return reports
    seal_checks = []
    if document.signatures.filter(kind=DocumentSignature.Kind.SEAL).exists():
        seal_checks = signing.pdf_signatures_check(_stored_pdf(document))
    reports += [
        SignatureReport(DocumentSignature.Kind.SEAL, str(SEAL_ROLE), check) for check in seal_checks
    ]
    copy = signed_copy(document)
    if copy is not None:
        with copy.pdf.open("rb") as handle:
            checks = signing.pdf_signatures_check(handle.read())
        roles = {
            s.certificate_serial: str(Role(s.role).label) if s.role in Role.values else s.role
            for s in document.signatures.filter(kind=DocumentSignature.Kind.PERSONAL)
        }
        for check in checks[len(seal_checks) :]:
            reports.append(
                SignatureReport(
                    DocumentSignature.Kind.PERSONAL,
                    roles.get(check.certificate_serial, ""),
                    check,
                )
            )
    return reports
