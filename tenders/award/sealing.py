"""Sealed envelopes: bid contents encrypted with a key the database does not hold.

The key comes from the environment (``OPENCPI_SEALING_KEY``, a Fernet key) or, failing that, from
a key file outside the database (``settings.SEALING_KEY_FILE``, created on first use with mode
0600). A database dump alone never reveals a bid; the key must be backed up separately.
"""

import hashlib
import json
import os
import time
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=4)
def _fernet(key_source: str) -> Fernet:
    return Fernet(key_source.encode())


def _key() -> str:
    key = os.environ.get("OPENCPI_SEALING_KEY", "").strip()
    if key:
        return key
    path = Path(settings.SEALING_KEY_FILE)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: use theirs
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(Fernet.generate_key().decode())
    for _attempt in range(50):
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.01)  # the other process is still writing it
    raise ImproperlyConfigured(f"The sealing key file {path} is empty.")


def seal(content: dict) -> tuple[bytes, str]:
    """Encrypt ``content``; return the token and the SHA-256 of the plaintext (the receipt)."""
    plain = json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    return _fernet(_key()).encrypt(plain), hashlib.sha256(plain).hexdigest()


def unseal(token: bytes) -> dict:
    if not token:
        return {}
    try:
        return json.loads(_fernet(_key()).decrypt(bytes(token)))
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "This envelope was sealed with another key: restore the sealing key from backup."
        ) from error


def seal_bytes(data: bytes) -> bytes:
    """Encrypt a file's bytes with the same key as the envelopes."""
    return _fernet(_key()).encrypt(data)


def unseal_bytes(token: bytes) -> bytes:
    try:
        return _fernet(_key()).decrypt(bytes(token))
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "This file was sealed with another key: restore the sealing key from backup."
        ) from error
