"""A certificate authority made in the test: a root, a city's seal (PKCS#12) and people's
certificates, with the `cryptography` package. Nothing here is a real key; nothing is committed.

Certificates follow the Spanish profiles as far as the tests need them: a person's subject
carries the name and the national ID in ``serialNumber`` (``IDCES-12345678Z``, ETSI EN 319 412-1),
a seal's carries the body's name and NIF.
"""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PASSWORD = b"test-seal-password"


def _key() -> rsa.RSAPrivateKey:
    # 2048 bits: the smallest size pyHanko's validation policy accepts without complaint.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Identity:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    chain: list[x509.Certificate] = field(default_factory=list)

    def pkcs12(self, password: bytes = PASSWORD) -> bytes:
        return pkcs12.serialize_key_and_certificates(
            b"opencpi-test",
            self.key,
            self.cert,
            self.chain,
            serialization.BestAvailableEncryption(password),
        )

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


class TestCA:
    """A root that issues end-entity certificates for signing."""

    __test__ = False  # not a pytest test class

    def __init__(self, name: str = "OpenCPI Test Root CA") -> None:
        self.key = _key()
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = dt.datetime.now(dt.UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def issue(self, attributes: list[x509.NameAttribute]) -> Identity:
        key = _key()
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name(attributes))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
            .sign(self.key, hashes.SHA256())
        )
        return Identity(key=key, cert=cert, chain=[self.cert])

    def seal(self, body: str, nif: str = "P2807900B") -> Identity:
        """A body's electronic seal (sello de órgano)."""
        return self.issue(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "ES"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, body),
                x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, f"VATES-{nif}"),
                x509.NameAttribute(NameOID.COMMON_NAME, f"Sello de órgano de {body}"),
            ]
        )

    def person(self, given: str, surname: str, national_id: str) -> Identity:
        """A person's signing certificate, shaped like a Spanish qualified one."""
        return self.issue(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "ES"),
                x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IDCES-{national_id}"),
                x509.NameAttribute(NameOID.GIVEN_NAME, given),
                x509.NameAttribute(NameOID.SURNAME, surname),
                x509.NameAttribute(
                    NameOID.COMMON_NAME, f"{surname.upper()} {given.upper()} - {national_id}"
                ),
            ]
        )


def write_seal(directory: Path, city_slug: str, identity: Identity) -> Path:
    """Install a city's seal the way an operator does: ``<slug>.p12`` and ``<slug>.pass``."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{city_slug}.p12"
    path.write_bytes(identity.pkcs12())
    (directory / f"{city_slug}.pass").write_bytes(PASSWORD + b"\n")
    return path


def write_trust(directory: Path, *roots: TestCA) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for number, root in enumerate(roots):
        (directory / f"root-{number}.pem").write_bytes(root.pem())


def sign_pdf(pdf: bytes, identity: Identity, field: str = "Firma") -> bytes:
    """``pdf`` signed by ``identity`` as a person's PAdES tool does it (AutoFirma signs the same
    way: an incremental update over the unchanged document)."""
    from io import BytesIO

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    from documents.signing import run_sync

    signer = signers.SimpleSigner.load_pkcs12_data(
        identity.pkcs12(), other_certs=[], passphrase=PASSWORD
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    out = run_sync(signers.PdfSigner(meta, signer=signer).async_sign_pdf(writer))
    return out.getvalue()
