"""Steps that wait for signed documents: the registry between the procedures that name them and
the app that keeps the signatures.

A procedure's guard asks ``signatures_missing(process=…, kinds=…)`` for the kinds of document
a step needs signed and gets back the reasons to refuse (each ending with its article). The
documents app registers the one checker at app ready; the procedures cannot import it (tenders
may not import documents), and nothing here knows what a document or a process is. Asking with
no checker registered is a configuration error, never a silent pass.
"""

from collections.abc import Callable, Iterable
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
