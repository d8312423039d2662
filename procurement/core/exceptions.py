"""Exceptions that services raise and interfaces translate (form errors, 4xx JSON)."""

from collections.abc import Sequence


class ApplicationError(Exception):
    """A business rule refused the operation; ``message`` is meant for the person who asked."""

    status_code = 400

    def __init__(self, message: str, *, reasons: Sequence[str] = (), extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.reasons = list(reasons)
        self.extra = extra or {}


class NotFound(ApplicationError):
    """Missing or not the caller's: the two are never told apart (STYLE rule 4)."""

    status_code = 404


class PermissionDenied(ApplicationError):
    """The caller may see the object but not do this to it."""

    status_code = 403


class Conflict(ApplicationError):
    """The object's state refuses the operation now (a guard, or a concurrent change)."""

    status_code = 409


class TooManyAttempts(ApplicationError):
    """Throttled: the caller must wait before trying again."""

    status_code = 429
