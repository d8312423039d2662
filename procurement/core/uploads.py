"""Bounded looks inside uploaded containers, to tell their type without trusting them.

An office document (DOCX, XLSX, ODT) is a ZIP archive, so telling it from a plain ZIP means
opening it. A ZIP says how much it unpacks to, and a small one can unpack to gigabytes (a "ZIP
bomb"); reading an entry whole to look at it let one upload take hundreds of megabytes of a web
worker's memory. Here an archive is refused before anything is unpacked when it has too many
entries, unpacks past a size cap or is compressed more tightly than real documents are
(``settings.UPLOAD_ARCHIVE_MAX_ENTRIES``, ``UPLOAD_ARCHIVE_MAX_BYTES``,
``UPLOAD_ARCHIVE_MAX_RATIO``), and the one entry read, ODT's ``mimetype``, is read only as far
as the expected text.
"""

import hashlib
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from procurement.core.exceptions import ApplicationError

ZIP = "application/zip"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"

MIB = 1024 * 1024
# Small entries are not judged by their ratio alone: a few kilobytes of repeated markup can
# compress far more tightly than a document does, and cannot exhaust anything.
RATIO_GRACE_BYTES = 1 * MIB
# The central directory is parsed into memory before any entry can be counted, so its size is
# capped from the end record first: 46 bytes of fixed header per entry plus a generous name.
DIRECTORY_BYTES_PER_ENTRY = 46 + 1024

# The end records of a ZIP (APPNOTE 4.3.16, 4.3.15, 4.3.14).
END = struct.Struct("<4s4H2LH")
END_SIGNATURE = b"PK\x05\x06"
ZIP64_LOCATOR = struct.Struct("<4sLQL")
ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
ZIP64_END = struct.Struct("<4sQ2H2L4Q")
ZIP64_END_SIGNATURE = b"PK\x06\x06"
MAX_COMMENT = 0xFFFF

# What a damaged, truncated, encrypted or unsupported archive raises while it is read.
UNREADABLE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    OSError,
    RuntimeError,  # an encrypted entry
    NotImplementedError,  # a compression method zipfile does not know
    ValueError,
    struct.error,
    zlib.error,
)


class Damaged(Exception):
    pass


def container_type(upload, *, sniffed: str) -> str:
    """The type of an upload whose first bytes were judged ``sniffed``: for a ZIP, the office
    document it is (DOCX, XLSX, ODT) or plain ZIP; any other type is returned unchanged.

    Raises ``ApplicationError`` (a message for the person who uploaded) for a damaged archive
    and for one over the caps, without unpacking it. Leaves ``upload`` at its start.
    """
    if sniffed != ZIP:
        return sniffed
    try:
        entries, directory_bytes = _directory_extent(upload)
        _check_entries(entries, directory_bytes)
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            _check_entries(len(infos), 0)
            _check_sizes(infos)
            names = {info.filename for info in infos}
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
            if "mimetype" in names and _read_start(archive, "mimetype", len(ODT) + 1) == ODT:
                return ODT
    except (Damaged, *UNREADABLE) as error:
        raise ApplicationError(
            _("The file looks like a ZIP archive but is damaged."), extra={"field": "file"}
        ) from error
    finally:
        upload.seek(0)
    return ZIP


def _directory_extent(upload) -> tuple[int, int]:
    """How many entries the archive's end record announces, and the size of its central
    directory, read from the last bytes of the file without parsing the directory."""
    upload.seek(0, 2)
    size = upload.tell()
    tail_size = min(size, END.size + MAX_COMMENT)
    upload.seek(size - tail_size)
    tail = upload.read(tail_size)
    at = tail.rfind(END_SIGNATURE)
    if at < 0 or at + END.size > len(tail):
        raise Damaged("no end of central directory record")
    _sig, _disk, _start_disk, _here, entries, directory_bytes, offset, _comment = END.unpack_from(
        tail, at
    )
    if entries == 0xFFFF or directory_bytes == 0xFFFFFFFF or offset == 0xFFFFFFFF:
        # ZIP64: the real numbers are in the ZIP64 end record, which a locator just before
        # the end record points to.
        locator_at = at - ZIP64_LOCATOR.size
        if locator_at < 0:
            raise Damaged("ZIP64 locator missing")
        signature, _disk, record_at, _disks = ZIP64_LOCATOR.unpack_from(tail, locator_at)
        if signature != ZIP64_LOCATOR_SIGNATURE or record_at >= size:
            raise Damaged("ZIP64 locator damaged")
        upload.seek(record_at)
        record = upload.read(ZIP64_END.size)
        if len(record) < ZIP64_END.size:
            raise Damaged("ZIP64 end record truncated")
        fields = ZIP64_END.unpack(record)
        if fields[0] != ZIP64_END_SIGNATURE:
            raise Damaged("ZIP64 end record damaged")
        entries, directory_bytes = fields[7], fields[8]
    return entries, directory_bytes


def _check_entries(entries: int, directory_bytes: int) -> None:
    limit = settings.UPLOAD_ARCHIVE_MAX_ENTRIES
    if entries > limit or directory_bytes > limit * DIRECTORY_BYTES_PER_ENTRY:
        raise ApplicationError(
            _("The archive holds %(count)s files; the limit is %(limit)s.")
            % {"count": entries, "limit": limit},
            extra={"field": "file"},
        )


def _check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse an archive that says it unpacks past the cap, or whose entries (or whole) are
    compressed more tightly than documents are. zipfile never unpacks an entry past the size
    its header states, so the stated sizes bound what reading could cost."""
    limit = settings.UPLOAD_ARCHIVE_MAX_BYTES
    ratio = settings.UPLOAD_ARCHIVE_MAX_RATIO
    unpacked = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos)
    tight = [
        info
        for info in infos
        if info.file_size > RATIO_GRACE_BYTES and info.file_size > ratio * info.compress_size
    ]
    if tight or (unpacked > RATIO_GRACE_BYTES and unpacked > ratio * packed):
        raise ApplicationError(
            _(
                "The archive is compressed more than %(ratio)s to 1, as archives made to "
                "exhaust servers are: send its files uncompressed or one by one."
            )
            % {"ratio": ratio},
            extra={"field": "file"},
        )
    if unpacked > limit:
        raise ApplicationError(
            _("The archive unpacks to %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(unpacked / MIB, 1), "limit": f"{limit / MIB:g}"},
            extra={"field": "file"},
        )


def _read_start(archive: zipfile.ZipFile, name: str, limit: int) -> str:
    """At most ``limit`` bytes from the start of entry ``name``, as text ("" if not UTF-8):
    zipfile unpacks only as much as is asked for."""
    with archive.open(name) as entry:
        start = entry.read(limit)
    try:
        return start.decode()
    except UnicodeDecodeError:
        return ""


def sniff(head: bytes) -> str | None:
    """The type of a file judged from its first bytes, not its name."""
    for magic, kind in (
        (b"%PDF-", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"PK\x03\x04", ZIP),
    ):
        if head.startswith(magic):
            return kind
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/plain" if b"\x00" not in head else None


def sanitise_filename(name: str, extension: str) -> str:
    """A file name safe on any disk: ASCII letters, digits, dot, dash, underscore."""
    base = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    base = base.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-._")[:80] or "file"
    return f"{stem}{extension}"


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    name: str  # sanitised, with the extension of its real type
    sha256: str


def upload_check(upload, *, field: str) -> CheckedUpload:
    """``upload``'s real type (archives inspected before anything is unpacked), a safe name and
    its SHA-256; an empty, oversized (``settings.UPLOAD_MAX_BYTES``) or unaccepted file
    (``settings.UPLOAD_ALLOWED_TYPES``) is refused naming the file, as the error of ``field``."""
    if upload.size == 0:
        raise ApplicationError(
            _("The file %(name)s is empty.") % {"name": upload.name}, extra={"field": field}
        )
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ApplicationError(
            _("The file %(name)s is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "name": upload.name,
                "size": round(upload.size / MIB, 1),
                "limit": settings.UPLOAD_MAX_BYTES // MIB,
            },
            extra={"field": field},
        )
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    content_type = sniff(head)
    if content_type is not None:
        content_type = container_type(upload, sniffed=content_type)
    if content_type not in settings.UPLOAD_ALLOWED_TYPES:
        raise ApplicationError(
            _(
                "%(name)s: this kind of file is not accepted; send PDF, PNG, JPEG, plain text, "
                "DOCX, XLSX, ODT or ZIP."
            )
            % {"name": upload.name},
            extra={"field": field},
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(
        content_type=content_type,
        name=sanitise_filename(upload.name, settings.UPLOAD_ALLOWED_TYPES[content_type]),
        sha256=digest.hexdigest(),
    )
