"""What a step needs from apps the procedures may not import: a registry of named checks.

A guard in the procedure definitions may depend on records kept by an app above the engine (the
file's approved *pliegos* live in ``documents``, which imports ``tenders``, not the other way
round). That app registers a check under a name at app ready; the guard asks the registry by
name. A check nobody registered is a configuration error, never a silent pass: a guard that
quietly found nothing to check would let a step through that the law forbids.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# ``check(process, **options) -> reasons``: an empty list when the requirement is met; each
# reason a sentence a person can read, ending with its article.
Check = Callable[..., list[str]]

CHECKS: dict[str, Check] = {}
# ``fulfil(process, **options)``: how a demo seed meets the requirement through the app's own
# services (the demo of ``tenders`` walks processes past the guard but may not import the app).
DEMO_FULFILMENTS: dict[str, Callable[..., None]] = {}


def requirement_register(
    name: str, check: Check, *, demo_fulfil: Callable[..., None] | None = None
) -> None:
    """Register ``check`` under ``name`` (again with the same function is harmless)."""
    existing = CHECKS.get(name)
    if existing is not None and existing is not check:
        raise ImproperlyConfigured(f"Two checks registered for the requirement {name!r}.")
    CHECKS[name] = check
    if demo_fulfil is not None:
        DEMO_FULFILMENTS[name] = demo_fulfil


def requirement_demo_fulfil(name: str, process, **options: Any) -> None:
    """Meet requirement ``name`` for a demo process, as its people would."""
    fulfil = DEMO_FULFILMENTS.get(name)
    if fulfil is None:
        raise ImproperlyConfigured(f"No app registered how a demo meets {name!r}.")
    fulfil(process, **options)


def requirement_reasons(name: str, process, **options: Any) -> list[str]:
    """Why ``process`` does not meet requirement ``name`` (empty when it does)."""
    check = CHECKS.get(name)
    if check is None:
        raise ImproperlyConfigured(
            f"No app registered the requirement {name!r}: the guard that asks for it cannot run."
        )
    return check(process, **options)
