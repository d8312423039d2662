"""Settings shared by every environment, read from the environment.

Every value that differs between a laptop and a server comes from an environment variable; the
small modules beside this one (dev, test, production) only change defaults.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("OPENCPI_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_fsm",
    "procurement.core",
    "procurement.accounts",
    "workflows",
    "tenders",
    "documents",
    "publication",  # after documents: its effect handlers run after the documents' ones
]

# Most of the stack is scoped to the requests it concerns (procurement.core.middleware):
# /healthz passes through it, API calls with a token skip the browser's session and messages.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "procurement.core.middleware.StaticFilesMiddleware",
    "procurement.core.middleware.RejectNulMiddleware",
    "procurement.core.middleware.SessionMiddleware",
    "procurement.core.middleware.LocaleMiddleware",
    "procurement.core.middleware.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Kept portal pages for visitors without a session, before the rest runs.
    "procurement.core.public_cache.KeptPageMiddleware",
    "procurement.core.middleware.AuthenticationMiddleware",
    "procurement.core.middleware.OTPMiddleware",
    "procurement.accounts.middleware.SecondFactorMiddleware",
    "procurement.core.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "procurement.core.middleware.HtmxMiddleware",
    "procurement.core.middleware.OrganisationContextMiddleware",
    "procurement.core.middleware.SecurityHeadersMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "procurement.urls"
WSGI_APPLICATION = "procurement.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # Every template's {% url %} reverses each address once per process.
            "builtins": ["procurement.core.templatetags.kept_url"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "procurement.core.context_processors.organisation",
                "procurement.core.public_cache.csrf_placeholder",
                "workflows.context_processors.background_banner",
            ],
        },
    },
]

# How long a write waits for another connection's write transaction on SQLite before failing.
SQLITE_BUSY_SECONDS = float(os.environ.get("OPENCPI_SQLITE_BUSY_SECONDS", "30"))


def database(url: str) -> dj_database_url.DBConfig:
    """Connection settings for ``url``, with what each engine needs under concurrent use."""
    config = dj_database_url.parse(
        url,
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
    options: dict = config.setdefault("OPTIONS", {})
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # The embedded database is shared by the web workers, the Celery worker and beat.
        # SQLite allows one writer at a time: in WAL mode readers never wait for it, the busy
        # timeout makes a second writer wait instead of failing with "database is locked", and
        # immediate transactions take the write lock when they begin, so two transactions that
        # read and then write can never deadlock into an error (a deferred transaction that
        # tries to upgrade its read lock while another writes fails at once, whatever the
        # timeout).
        options.update(
            timeout=SQLITE_BUSY_SECONDS,
            transaction_mode="IMMEDIATE",
            init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        )
    if config["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL's JIT compiler pays off for long analytic queries; on these short reads it
        # spent up to a second compiling a 25-row page whose permission subqueries it
        # overestimated.
        options["options"] = "-c jit=off"
        # Bind parameters on the server so psycopg can prepare what a connection runs
        # repeatedly (from the second time): planning the permission subqueries cost as much
        # as running them. Connections persist (CONN_MAX_AGE), so the prepared statements are
        # reused across requests.
        options.update(server_side_binding=True, prepare_threshold=2)
        # Django's backend, its connection health check asked at most once a second per
        # connection instead of before every request (a round trip each time).
        config["ENGINE"] = "procurement.core.postgresql"
    return config


DATABASES = {
    "default": database(os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username/address before the password is tried.
    "axes.backends.AxesStandaloneBackend",
    # Django's password backend, reading the second-factor flag with the user.
    "procurement.accounts.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): 5 failures for a username from one address lock it for 15 min.
AXES_FAILURE_LIMIT = int(os.environ.get("OPENCPI_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Django's database sessions, read with SQL written once (procurement/accounts/sessions.py).
SESSION_ENGINE = "procurement.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# No inline scripts anywhere: every script is a static file (see core.middleware).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

OTP_TOTP_ISSUER = "OpenCPI"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Organisation users never get global permissions (see procurement.accounts.permissions), so the
# anonymous user guardian would create is not needed.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates to the minute as dd/mm/yyyy in both languages (procurement.core.formatting).
FORMAT_MODULE_PATH = ["procurement.formats"]
USE_I18N = True
TIME_ZONE = "Europe/Madrid"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "procurement" / "static"]
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
# Where django.core.mail.backends.filebased.EmailBackend writes (the soak counts deliveries).
EMAIL_FILE_PATH = os.environ.get("DJANGO_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "OpenCPI <no-reply@opencpi.local>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # django-rest-knox tokens (hashed, expiring), still sent as ``Authorization: Token …``.
        "procurement.accounts.authentication.TokenAuthentication",
        # The session only once its second factor is given (when the user has one).
        "procurement.accounts.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "procurement.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "procurement.core.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "procurement.core.api.Pagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "procurement.core.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Supplier registration is confirmed from an e-mailed link, valid this long; requests are
# throttled per network address and per e-mail address.
REGISTRATION_LINK_HOURS = int(os.environ.get("OPENCPI_REGISTRATION_LINK_HOURS", "48"))
REGISTRATIONS_PER_ADDRESS_PER_HOUR = int(
    os.environ.get("OPENCPI_REGISTRATIONS_PER_ADDRESS_PER_HOUR", "5")
)
REGISTRATIONS_PER_EMAIL_PER_HOUR = int(
    os.environ.get("OPENCPI_REGISTRATIONS_PER_EMAIL_PER_HOUR", "3")
)

# API tokens (django-rest-knox): each use pushes the end of an unused token's life
# OPENCPI_API_TOKEN_IDLE_DAYS further on, but never past OPENCPI_API_TOKEN_MAX_DAYS after it was
# issued (0: no such limit). The new end is written at most once an hour per token.
_TOKEN_MAX_DAYS = int(os.environ.get("OPENCPI_API_TOKEN_MAX_DAYS", "365"))
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=int(os.environ.get("OPENCPI_API_TOKEN_IDLE_DAYS", "30"))),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=_TOKEN_MAX_DAYS) if _TOKEN_MAX_DAYS else None,
    "MIN_REFRESH_INTERVAL": 3600,
    "AUTH_HEADER_PREFIX": "Token",
}
# API lists count their rows up to this many; past it ``count`` is null (procurement.core.api).
API_COUNT_LIMIT = int(os.environ.get("OPENCPI_API_COUNT_LIMIT", "1000"))
SPECTACULAR_SETTINGS = {
    "TITLE": "OpenCPI API",
    "DESCRIPTION": "Innovation public procurement for networks of smart cities.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Without deep links an operation's summary is one button, not a button holding a link
    # (axe: nested-interactive, serious).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProcedureEnum": "tenders.procedures.PROCEDURE_CHOICES",
        "TenderStatusEnum": "tenders.procedures.STATE_CHOICES",
        "QuestionKindEnum": "tenders.consultation.models.Question.Kind",
        "SupplierKindEnum": "procurement.accounts.models.Supplier.Kind",
        "DocumentKindEnum": "documents.kinds.KIND_CHOICES",
        "FileDocumentKindEnum": "documents.kinds.FILE_KIND_CHOICES",
        "AwardStatusEnum": "tenders.award.models.Award.Status",
        # Draft → submitted → withdrawn: consultation responses and bids alike.
        "SubmissionStatusEnum": "tenders.consultation.models.Response.Status",
        "TemplateVersionStatusEnum": "documents.models.TemplateVersion.Status",
        "PhaseOfferKindEnum": "tenders.phases.models.PhaseOffer.Kind",
    },
}

# Celery. No broker URL means the embedded broker: kombu's SQLAlchemy transport on a SQLite
# file of its own beside the database (no server needed, and a message is a row written in a
# transaction, so a crash can never leave half a message behind). A URL naming Redis (or any
# broker server) replaces it.
EMBEDDED_BROKER_FILE = VAR_DIR / "broker.sqlite3"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or f"sqla+sqlite:///{EMBEDDED_BROKER_FILE}"
BROKER_EMBEDDED = CELERY_BROKER_URL.startswith("sqla+")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = (
    {
        # Passed to SQLAlchemy's create_engine: a publisher that meets the worker's write waits
        # for it, and no connection is kept across the worker's fork into its pool.
        "connect_args": {"timeout": SQLITE_BUSY_SECONDS},
        "poolclass": "sqlalchemy.pool.NullPool",
    }
    if BROKER_EMBEDDED
    else {"visibility_timeout": int(os.environ.get("OPENCPI_VISIBILITY_TIMEOUT", "3600"))}
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}

# Seed functions run in this order by `manage.py seed_demo`; each app adds its own.
DEMO_SEEDERS = [
    "procurement.accounts.demo.seed",
    "publication.eforms.demo.seed",
    "tenders.demo.seed",
    "documents.demo.seed",
]
DEMO_PASSWORD = "opencpi-demo"  # noqa: S105 - fixed by the foundation issue; demo data only

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Public data read from the shared folder beside the project, never committed into it.
SHARED_DIR = Path(os.environ.get("OPENCPI_SHARED_DIR", BASE_DIR.parent / "shared"))
CPV_CSV = Path(os.environ.get("CPV_CSV", SHARED_DIR / "cpv" / "cpv2008.csv"))
OCDS_SCHEMA_DIR = Path(os.environ.get("OCDS_SCHEMA_DIR", SHARED_DIR / "ocds"))
# eForms notices are built (and validated with $SHARED_DIR/eforms) after each published step
# that has one, by the worker of the "eforms" queue (publication.eforms.tasks).
EFORMS_BUILD_ON_EFFECTS = os.environ.get("OPENCPI_EFORMS_BUILD", "1") == "1"
CELERY_TASK_ROUTES = {
    "publication.eforms_notices_build": {"queue": "eforms"},
    "publication.eforms_pliego_change": {"queue": "eforms"},
}
# Open data (OCDS): the registered ocid prefix, and the public address written into package URIs
# and document links when no request is at hand (tasks, `manage.py export_ocds`).
OCDS_OCID_PREFIX = os.environ.get("OCDS_OCID_PREFIX", "ocds-opencpi")
OPENCPI_PUBLIC_URL = os.environ.get("OPENCPI_PUBLIC_URL", "http://localhost:8000").rstrip("/")

CELERY_BEAT_SCHEDULE["fire-due-events"] = {
    "task": "workflows.fire_due_events",
    "schedule": float(os.environ.get("OPENCPI_SCHEDULER_SECONDS", "60")),
}

# Uploaded files (consultation answers, bids) live here, outside the web root.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("OPENCPI_PRIVATE_MEDIA", VAR_DIR / "private"))
UPLOAD_MAX_BYTES = int(os.environ.get("OPENCPI_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
UPLOAD_ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "text/plain": ".txt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/zip": ".zip",
}
# An uploaded ZIP (office documents are ZIPs too) is refused past these, before it is unpacked
# (procurement.core.uploads): entries, total unpacked bytes, unpacked-to-packed ratio.
UPLOAD_ARCHIVE_MAX_ENTRIES = int(os.environ.get("OPENCPI_UPLOAD_ARCHIVE_MAX_ENTRIES", "1000"))
UPLOAD_ARCHIVE_MAX_BYTES = int(
    os.environ.get("OPENCPI_UPLOAD_ARCHIVE_MAX_BYTES", str(100 * 1024 * 1024))
)
UPLOAD_ARCHIVE_MAX_RATIO = int(os.environ.get("OPENCPI_UPLOAD_ARCHIVE_MAX_RATIO", "100"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# A bid's files (tenders.award): per envelope at most this many, each at most this size; PDF
# and detached XAdES/CAdES signatures only (the kinds LCSP DA 16ª and Ley 39/2015 art. 10.2
# signatures come in). The award documents of LCSP art. 150.2 follow the same limits.
BID_FILE_MAX_COUNT = int(os.environ.get("OPENCPI_BID_FILE_MAX_COUNT", "20"))
BID_FILE_MAX_BYTES = int(os.environ.get("OPENCPI_BID_FILE_MAX_BYTES", str(25 * 1024 * 1024)))
CELERY_BEAT_SCHEDULE["remind-closing-consultations"] = {
    "task": "tenders.consultations_closing_remind",
    "schedule": 3600.0,
}

# The key that seals bid envelopes lives outside the database (see tenders/sealing.py).
SEALING_KEY_FILE = Path(
    os.environ.get("OPENCPI_SEALING_KEY_FILE", VAR_DIR / "keys" / "sealing.key")
)

# The cities' electronic seals (documents/signing.py): `<city-slug>.p12` with its password in
# `<city-slug>.pass` or OPENCPI_SEAL_PASSWORD_<CITY_SLUG>; never in the database. A city without
# one gets unsealed documents. The trust list for signatures is the PEM/DER roots in
# OPENCPI_TRUST_DIR plus the seals' own roots; OPENCPI_TSA_URL adds RFC 3161 timestamps.
OPENCPI_SEALS_DIR = os.environ.get("OPENCPI_SEALS_DIR", str(VAR_DIR / "seals"))
OPENCPI_TRUST_DIR = os.environ.get("OPENCPI_TRUST_DIR", str(VAR_DIR / "trust"))
OPENCPI_TSA_URL = os.environ.get("OPENCPI_TSA_URL", "")
OPENCPI_REVOCATION_FETCH = os.environ.get("OPENCPI_REVOCATION_FETCH", "1") == "1"

CELERY_BEAT_SCHEDULE["relay-effects"] = {"task": "workflows.relay_effects", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["relay-emails"] = {"task": "core.email_relay", "schedule": 60.0}
# When the broker is down, publishing gives up within a second; outboxes resend later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BEAT_SCHEDULE["relay-documents"] = {"task": "documents.relay", "schedule": 300.0}

# Liveness of the background processes, read by /readyz and the administrators' status page.
CELERY_BEAT_SCHEDULER = "procurement.core.heartbeat.Scheduler"
CELERY_BEAT_SCHEDULE["heartbeat"] = {
    "task": "core.heartbeat",
    "schedule": 30.0,
    "options": {"expires": 60},
}
if BROKER_EMBEDDED:
    CELERY_BEAT_SCHEDULE["broker-sweep"] = {"task": "core.broker_sweep", "schedule": 3600.0}
# Background work counts as stalled (banner for officers, /readyz answers 503) past this.
OPENCPI_STALLED_SECONDS = int(os.environ.get("OPENCPI_STALLED_SECONDS", "300"))
FORM_RENDERER = "procurement.core.renderers.FormRenderer"

# Whole-page caches keyed on the data version (procurement.core.public_cache): the portal's pages
# for visitors, a user's busiest pages for that user.
PAGE_CACHE = os.environ.get("OPENCPI_PAGE_CACHE", "1") == "1"
