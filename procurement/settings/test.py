"""Test settings: the database and broker still come from the environment (CI uses PostgreSQL
and Redis); passwords hash fast and mail stays in memory."""

import os

from .base import *  # noqa: F403

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
MEDIA_ROOT = Path(os.environ.get("OPENCPI_TEST_MEDIA", VAR_DIR / "test-media"))  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
LANGUAGE_CODE = "en"
# Tasks run in-process after commit unless a test starts a real worker (tests marked `celery`).
CELERY_TASK_ALWAYS_EAGER = os.environ.get("OPENCPI_TEST_EAGER", "1") == "1"
CELERY_TASK_EAGER_PROPAGATES = True
# Validating an eForms notice compiles the SDK's schematron (seconds per subtype): only the
# tests of notices (tests/publication) turn the building on effects back on.
EFORMS_BUILD_ON_EFFECTS = os.environ.get("OPENCPI_EFORMS_BUILD", "0") == "1"
SEALING_KEY_FILE = VAR_DIR / "test-keys" / "sealing.key"  # noqa: F405
# No seal, trust list or network look-ups unless a test installs its own (tests/factories/pki.py).
OPENCPI_SEALS_DIR = ""
OPENCPI_TRUST_DIR = ""
OPENCPI_TSA_URL = ""
OPENCPI_REVOCATION_FETCH = False
if BROKER_EMBEDDED:  # noqa: F405
    # Tests never share the embedded broker of a `make run` in the same folder.
    EMBEDDED_BROKER_FILE = VAR_DIR / "test-broker.sqlite3"  # noqa: F405
    CELERY_BROKER_URL = f"sqla+sqlite:///{EMBEDDED_BROKER_FILE}"
