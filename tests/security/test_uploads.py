"""Uploads opened to tell their type are read within hard limits: a small ZIP that unpacks to
gigabytes (a ZIP bomb) is refused without unpacking it, and memory stays flat."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tenders.models import Attachment, Response

# The demo processes are seeded once for the module (tests/conftest.py module_world).
pytestmark = pytest.mark.usefixtures("module_demo_processes")

MIB = 1024 * 1024
ODT = b"application/vnd.oasis.opendocument.text"


@pytest.fixture
def acme_response(open_consultation):
    return Response.objects.get(consultation=open_consultation, supplier__slug="acme")


def _zip(entries: dict[str, bytes | int]) -> bytes:
    """A ZIP of ``entries``: bytes as they are, a number as that many zero bytes (streamed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            if isinstance(content, bytes):
                archive.writestr(name, content)
                continue
            with archive.open(name, "w", force_zip64=content > 2**31) as entry:
                chunk = b"\0" * MIB
                for _ in range(content // MIB):
                    entry.write(chunk)
    return buffer.getvalue()


def _upload(api, response, content: bytes, name: str):
    return api.post(
        f"/api/v1/responses/{response.pk}/attachments/",
        {"file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def test_a_zip_bomb_is_refused_without_unpacking_it_and_memory_stays_flat(acme_response, api_as):
    bomb = _zip({"mimetype": 200 * MIB})  # the probe's file: a 200 MiB entry in ~200 KB
    assert len(bomb) < 300 * 1024
    api = api_as("supplier.acme")
    before = Attachment.objects.count()
    tracemalloc.start()
    try:
        refused = _upload(api, acme_response, bomb, "answer.odt")
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * MIB, f"peak {peak / MIB:.0f} MiB while checking a {len(bomb)} byte file"
    assert refused.status_code == 400, refused.content
    assert "compressed" in refused.json()["detail"]
    assert Attachment.objects.count() == before, "the bomb was stored"


def test_an_archive_that_unpacks_past_the_cap_is_refused(acme_response, api_as, settings):
    settings.UPLOAD_ARCHIVE_MAX_BYTES = 4 * MIB
    # Random bytes do not compress: a fair ratio, but too much in all.
    import os

    archive = _zip({f"part-{i}.bin": os.urandom(MIB) for i in range(5)})
    refused = _upload(api_as("supplier.acme"), acme_response, archive, "parts.zip")
    assert refused.status_code == 400 and "4 MB" in refused.json()["detail"], refused.json()


def test_an_archive_with_too_many_files_is_refused(acme_response, api_as):
    archive = _zip({f"f{i}.txt": b"x" for i in range(1001)})
    refused = _upload(api_as("supplier.acme"), acme_response, archive, "many.zip")
    assert refused.status_code == 400 and "1000" in refused.json()["detail"], refused.json()
    assert not Attachment.objects.filter(response=acme_response, name="many.zip").exists()


@pytest.mark.parametrize(
    ("entries", "content_type"),
    [
        (
            {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>" * 200},
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ({"mimetype": ODT, "content.xml": b"<office:document-content/>"}, ODT.decode()),
        ({"informe.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 64}, "application/zip"),
    ],
    ids=["docx", "xlsx", "odt", "zip"],
)
def test_office_documents_and_plain_archives_are_still_accepted(
    acme_response, api_as, entries, content_type
):
    accepted = _upload(api_as("supplier.acme"), acme_response, _zip(entries), "file.bin")
    assert accepted.status_code == 201, accepted.json()
    assert accepted.json()["content_type"] == content_type


def test_a_damaged_or_encrypted_archive_is_refused_with_a_clear_message(acme_response, api_as):
    api = api_as("supplier.acme")
    truncated = _zip({"mimetype": ODT, "content.xml": b"<x/>" * 1000})[:-30]
    refused = _upload(api, acme_response, truncated, "broken.odt")
    assert refused.status_code == 400 and "damaged" in refused.json()["detail"]
    encrypted = bytearray(_zip({"mimetype": ODT}))
    # Set the "encrypted" flag bit in the local and central headers: reading needs a password.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = encrypted.index(signature) + offset
        encrypted[at] |= 1
    refused = _upload(api, acme_response, bytes(encrypted), "locked.odt")
    assert refused.status_code == 400 and "damaged" in refused.json()["detail"], refused.json()
