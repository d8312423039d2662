"""Electronic seals and the validation of signed PDFs (PAdES, with pyHanko). No database.

**The body's seal** (*sello de órgano*, L40/2015 arts. 40 and 42): each city's PKCS#12 lives
outside the database, like the bid sealing key: ``OPENCPI_SEALS_DIR/<city-slug>.p12``, its
password in ``<city-slug>.pass`` beside it or in the environment variable
``OPENCPI_SEAL_PASSWORD_<CITY_SLUG>``. A city without one gets unsealed documents, which say so;
a seal that cannot be used is logged and never stops a document being made. A seal is a
visible stamp (signer, role, date, verification code and where to verify it), an RFC 3161
timestamp when ``OPENCPI_TSA_URL`` names a TSA, and the validation data embedded (PAdES B-LT, or
B-LTA with a timestamp) so the seal stays verifiable after the certificate expires.

**Validation**: every signature of a PDF checked against the trust list (``OPENCPI_TRUST_DIR``:
PEM or DER roots, plus the roots that come with the cities' seals), as plain data.
"""

import asyncio
import datetime as dt
import logging
import os
import threading
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

SEAL_FIELD = "SelloOrgano"
_T = TypeVar("_T")


def run_sync(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run pyHanko's async API from sync code, also where a loop already runs in this thread
    (Playwright's sync API keeps one in the browser tests' main thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coroutine)
        except BaseException as error:
            box["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


# --- configuration, read at call time ---------------------------------------------------------


def _setting(name: str) -> str:
    return str(getattr(settings, name, "") or "")


def seals_folder() -> Path | None:
    folder = _setting("OPENCPI_SEALS_DIR")
    return Path(folder) if folder and Path(folder).is_dir() else None


def seal_path(city_slug: str) -> Path | None:
    """The city's seal file, if one is installed."""
    folder = _setting("OPENCPI_SEALS_DIR")
    if not folder or not city_slug:
        return None
    path = Path(folder) / f"{city_slug}.p12"
    return path if path.is_file() else None


def _seal_password(city_slug: str, path: Path) -> bytes | None:
    variable = "OPENCPI_SEAL_PASSWORD_" + city_slug.upper().replace("-", "_")
    if os.environ.get(variable):
        return os.environ[variable].encode()
    password_file = path.with_suffix(".pass")
    if password_file.is_file():
        return password_file.read_bytes().rstrip(b"\r\n")
    return None


def _load_certificates(data: bytes) -> list[asn1_x509.Certificate]:
    from cryptography import x509 as pyca_x509

    if b"-----BEGIN" in data:
        found = pyca_x509.load_pem_x509_certificates(data)
    else:
        found = [pyca_x509.load_der_x509_certificate(data)]
    return [asn1_x509.Certificate.load(cert.public_bytes(_der())) for cert in found]


def _der():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def _seal_signer(city_slug: str):
    """pyHanko's signer for the city's seal, or ``None`` when the city has none."""
    from pyhanko.sign import signers

    path = seal_path(city_slug)
    if path is None:
        return None
    return signers.SimpleSigner.load_pkcs12_data(
        path.read_bytes(), other_certs=[], passphrase=_seal_password(city_slug, path)
    )


def _seal_roots() -> list[asn1_x509.Certificate]:
    """The self-signed roots shipped inside the cities' seal files, so that a city's own seal
    validates without a second copy of its root in the trust folder."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    folder = _setting("OPENCPI_SEALS_DIR")
    if not folder or not Path(folder).is_dir():
        return []
    roots = []
    for path in sorted(Path(folder).glob("*.p12")):
        try:
            _key, _cert, chain = pkcs12.load_key_and_certificates(
                path.read_bytes(), _seal_password(path.stem, path)
            )
        except (ValueError, TypeError):
            logger.warning("The seal %s cannot be opened; its roots are not trusted.", path)
            continue
        for ca in chain:
            if ca.issuer == ca.subject:
                roots.append(asn1_x509.Certificate.load(ca.public_bytes(_der())))
    return roots


def trust_roots() -> list[asn1_x509.Certificate]:
    """The trust list: every certificate in ``OPENCPI_TRUST_DIR`` and the seals' roots."""
    roots: list[asn1_x509.Certificate] = []
    folder = _setting("OPENCPI_TRUST_DIR")
    if folder and Path(folder).is_dir():
        for path in sorted(Path(folder).iterdir()):
            if path.suffix.lower() not in {".pem", ".crt", ".cer", ".der"}:
                continue
            try:
                roots.extend(_load_certificates(path.read_bytes()))
            except ValueError:
                logger.warning("%s is not a certificate; it is not trusted.", path)
    return roots + _seal_roots()


def trust_configured() -> bool:
    """Whether any root is installed (a directory listing, no parsing: guards ask it often)."""
    for name in ("OPENCPI_TRUST_DIR", "OPENCPI_SEALS_DIR"):
        folder = _setting(name)
        if folder and Path(folder).is_dir():
            pattern = "*.p12" if name == "OPENCPI_SEALS_DIR" else "*"
            if any(path.is_file() for path in Path(folder).glob(pattern)):
                return True
    return False


def _validation_context(extra_roots: Iterable[asn1_x509.Certificate] = ()):
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=[*trust_roots(), *extra_roots],
        allow_fetching=bool(getattr(settings, "OPENCPI_REVOCATION_FETCH", False)),
        # A certificate that names no revocation service is checked as far as it can be.
        revocation_mode="soft-fail",
    )


# --- sealing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SealRequest:
    city_slug: str
    city_name: str
    role: str  # what the stamp says the seal stands for (the organ)
    verification_code: str
    verify_url: str


def seal_configured(city_slug: str) -> bool:
    return seal_path(city_slug) is not None


def pdf_seal(pdf: bytes, request: SealRequest) -> bytes | None:
    """``pdf`` sealed with the city's seal, as an incremental update (the original bytes stay
    the first revision); ``None`` when the city has no usable seal."""
    try:
        signer = _seal_signer(request.city_slug)
    except (OSError, ValueError):
        logger.exception("The seal of %s cannot be opened; documents stay unsealed.", request)
        return None
    if signer is None:
        return None
    try:
        return run_sync(_seal(pdf, signer, request))
    except Exception:  # a broken seal or TSA must not stop documents being made
        logger.exception("Sealing failed for %s; the document stays unsealed.", request)
        return None


async def _seal(pdf: bytes, signer, request: SealRequest) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    tsa_url = _setting("OPENCPI_TSA_URL")
    timestamper = None
    if tsa_url:
        from pyhanko.sign.timestamps.aiohttp_client import HTTPTimeStamper

        timestamper = HTTPTimeStamper(tsa_url)
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=_("Electronic seal of the body (L40/2015 art. 42)"),
        location=request.city_name,
        embed_validation_info=True,
        use_pades_lta=timestamper is not None,
        validation_context=_validation_context(),
    )
    stamp = TextStampStyle(
        stamp_text=(
            _("Sealed by: %(signer)s")
            + "\n"
            + _("Role: %(role)s")
            + "\n"
            + _("Date: %(ts)s")
            + "\n"
            + _("Verification code: %(code)s")
            + "\n"
            + "%(url)s"
        ),
        border_width=1,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=timestamper,
        stamp_style=stamp,
        # The foot of the last page, in the room the renderer left empty for it (A4 points:
        # the body's bottom margin is 22 mm, its right edge 20 mm from the side).
        new_field_spec=fields.SigFieldSpec(SEAL_FIELD, on_page=-1, box=(300, 64, 538, 130)),
    )
    out = await pdf_signer.async_sign_pdf(
        IncrementalPdfFileWriter(BytesIO(pdf), strict=False),
        appearance_text_params={
            "role": request.role,
            "code": request.verification_code,
            "url": request.verify_url,
        },
    )
    return out.getvalue()


# --- validation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCheck:
    """What a person needs to know of one signature in a PDF."""

    field_name: str
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the cryptographic signature is correct
    trusted: bool  # the certificate chains to the trust list (and is not revoked)
    covers_whole_file: bool  # nothing was added after it
    signed_length: int  # how many bytes of the file it covers
    signer_name: str
    signer_id: str  # the subject's serialNumber (a person's national ID)
    organization: str
    certificate_serial: str
    issuer: str
    signed_at: dt.datetime | None
    timestamped: bool
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and not self.error


def national_id(signer_id: str) -> str:
    """The ID in a certificate's ``serialNumber``: ``IDCES-12345678Z`` (ETSI EN 319 412-1
    semantics) or a bare ``12345678Z`` both give ``12345678Z``."""
    value = signer_id.strip().upper()
    if len(value) > 6 and value[5] == "-" and value[:2] in {"ID", "PA", "TI", "PN"}:
        value = value[6:]
    return value.replace(" ", "").replace("-", "")


def _name_part(name: asn1_x509.Name, key: str) -> str:
    value = name.native.get(key, "")
    return ", ".join(value) if isinstance(value, list) else str(value or "")


def pdf_signatures_check(pdf: bytes) -> list[SignatureCheck]:
    """Every signature in ``pdf``, oldest first, validated against the trust list. A file that
    is not a PDF, or is damaged, gives a ``ValueError`` with a readable message."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as error:
        raise ValueError(_("The file is not a readable PDF.")) from error
    context = _validation_context()
    return [_check(signature, context) for signature in embedded]


def _check(signature, context) -> SignatureCheck:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    cert = signature.signer_cert
    subject = cert.subject
    byte_range = signature.sig_object.get("/ByteRange")
    signed_length = int(byte_range[2]) + int(byte_range[3]) if byte_range else 0
    base: dict[str, Any] = {
        "field_name": signature.field_name or "",
        "signed_length": signed_length,
        "signer_name": _name_part(subject, "common_name"),
        "signer_id": _name_part(subject, "serial_number"),
        "organization": _name_part(subject, "organization_name"),
        "certificate_serial": format(cert.serial_number, "X"),
        "issuer": _name_part(cert.issuer, "common_name"),
    }
    try:
        status = run_sync(
            async_validate_pdf_signature(signature, signer_validation_context=context)
        )
    except (SignatureValidationError, PdfError, ValueError, KeyError) as error:
        # A damaged file fails while its signed revision is read: it is not intact.
        return SignatureCheck(
            **base,
            intact=False,
            valid=False,
            trusted=False,
            covers_whole_file=False,
            signed_at=None,
            timestamped=False,
            error=_("The signed content is damaged or was changed after signing: %(error)s")
            % {"error": error},
        )
    timestamp = status.timestamp_validity
    signed_at = timestamp.timestamp if timestamp is not None else status.signer_reported_dt
    error = ""
    if not status.intact:
        error = _("The signed content was changed after signing.")
    elif not status.valid:
        error = _("The signature does not match the certificate.")
    elif status.revoked:
        error = _("The signer's certificate is revoked.")
    elif not status.trusted:
        error = _("The signer's certificate does not chain to a trusted authority.")
    return SignatureCheck(
        **base,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        # Validation data (DSS, document timestamps) appended after a PAdES signature is
        # expected; anything else added after it is not covered by it.
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        or (
            status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
            and status.modification_level is not None
            and status.modification_level <= ModificationLevel.LTA_UPDATES
        ),
        signed_at=signed_at,
        timestamped=timestamp is not None,
        error=error,
    )
