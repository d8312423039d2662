"""Steps that wait for signed documents: the registry between the procedures that name them and
the app that keeps the signatures.

A procedure's guard asks ``signatures_missing(process=…, kinds=…)`` for the kinds of document
a step needs signed and gets back the reasons to refuse (each ending with its article). The
documents app registers the one checker at app ready; the procedures cannot import it (tenders
may not import documents), and nothing here knows what a document or a process is. Asking with
no checker registered is a configuration error, never a silent pass.

The same app registers the validation of the signatures inside a PDF, which bids' files need
when their envelope is opened (``pdf_signatures_verdict``).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

SignatureChecker = Callable[[Any, tuple[str, ...]], list[str]]

_checker: list[SignatureChecker] = []


def signature_checker_register(checker: SignatureChecker) -> None:
    """Register (or replace) the checker: ``checker(process, kinds) -> reasons``."""
    _checker[:] = [checker]


def signatures_missing(*, process: Any, kinds: Iterable[str]) -> list[str]:
    """Why the step cannot go ahead for want of signed documents of ``kinds``; empty when
    every one exists with the signatures it needs."""
    if not _checker:
        raise ImproperlyConfigured(
            "No signature checker is registered: the documents app registers it at ready()."
        )
    return _checker[0](process, tuple(kinds))


# --- signatures inside files that apps above the documents' one keep (bids) -------------------


@dataclass(frozen=True)
class PdfSignatureVerdict:
    """What the committee needs to know of the signatures in one PDF: ``result`` is
    ``trusted`` (signed, intact, chaining to the trust list), ``signed`` (signed and intact, by
    a certificate off the trust list), ``unsigned`` or ``invalid`` (broken or not a readable
    PDF); ``signer`` names the newest signer; ``message`` says why, for a person."""

    result: str
    signer: str = ""
    message: str = ""


PdfChecker = Callable[[bytes], PdfSignatureVerdict]

_pdf_checker: list[PdfChecker] = []


def pdf_checker_register(checker: PdfChecker) -> None:
    """Register (or replace) the PDF signature checker (the documents app, at ready())."""
    _pdf_checker[:] = [checker]


def pdf_signatures_verdict(data: bytes) -> PdfSignatureVerdict:
    """The signatures in the PDF ``data``, validated by the registered checker."""
    if not _pdf_checker:
        raise ImproperlyConfigured(
            "No PDF signature checker is registered: the documents app registers it at ready()."
        )
    return _pdf_checker[0](data)
