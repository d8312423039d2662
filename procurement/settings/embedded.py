"""`make run`: the production stack on one machine, served over plain http on 127.0.0.1.

DEBUG is off (a bad address answers the plain 404 page, never the list of URL patterns), static
files are collected and served by whitenoise, and the secret key is generated once and kept under
``var/keys`` so sessions survive a restart. What production adds for a public host (HTTPS
redirect, secure cookies, HSTS) is left out: there is no TLS on 127.0.0.1.
"""

import os
import secrets
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False


def _persistent_secret(path: Path) -> str:
    """The key in ``path``, made (mode 0600) on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or _persistent_secret(
    VAR_DIR / "keys" / "secret_key"  # noqa: F405
)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")  # noqa: F405
# The deployment checks that ask for HTTPS (HSTS, redirect, secure cookies) do not apply to a
# server that only listens on the loopback over plain http.
SILENCED_SYSTEM_CHECKS = ["security.W004", "security.W008", "security.W012", "security.W016"]
