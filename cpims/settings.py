"""Settings, all read from the environment (12-factor) with defaults that are safe to run.

With no environment at all the system runs in development mode on SQLite with Celery's
filesystem transport as an embedded broker, so one command starts it on any machine with
Python. Production (``CPIMS_ENV=production``) refuses to start without a real secret key and
host names, and turns on every transport-security setting ``check --deploy`` looks for.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated list, spaces around items ignored ("a.org, b.org" is two hosts)."""
    raw = env.str(name, default=None)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


CPIMS_ENV = env.str("CPIMS_ENV", default="development")
if CPIMS_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("CPIMS_ENV must be 'development' or 'production'.")
PRODUCTION = CPIMS_ENV == "production"

# Runtime data (SQLite file, embedded broker queue, development secret key) lives here, outside
# the code and ignored by git.
VAR_DIR = Path(env.str("CPIMS_VAR_DIR", default=str(BASE_DIR / "var")))


def _development_secret_key() -> str:
    """A random key kept in the data folder, so sessions survive restarts without any secret
    being committed or shared between installations."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")  # no default: production must be given one
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters.")
    DEBUG = False
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must name the host(s) the system is served on.")
    # Production never falls back to the single-machine defaults.
    for _required in ("DATABASE_URL", "REDIS_URL"):
        if not env.str(_required, default=""):
            raise ImproperlyConfigured(f"{_required} must be set in production.")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _development_secret_key()
    DEBUG = env.bool("DEBUG", default=True)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # trigram lookups; inert on other databases
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_celery_beat",
    # The project's own apps, lowest layer first (see docs/architecture.md).
    "core",
    "audit",
    "notifications",
    "accounts",
    "cases",
    "referrals",
    "reintegration",
    "trafficking",
    "legal",
    "documents",
    "intake",
    "exports",
    "imports",
    "reporting",
    "cpims",
    # The synthetic national dataset and the benchmark (management commands only).
    "benchmarks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "audit.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A NUL in the path or query string is a 400 before any view passes it to PostgreSQL.
    "core.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    # After authentication: a person given a temporary password chooses their own first.
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    # After authentication: a signed-in person's own language overrides the browser's.
    "cpims.i18n.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After authentication: no-store for signed-in people and the API, CSP on every page.
    "cpims.security_headers.SecurityHeadersMiddleware",
    # A refusal by the object's state or version is a 409 or 412 page, not a server error.
    "core.middleware.ConflictPageMiddleware",
    # Last, as django-axes asks: it turns a lockout into a clear response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cpims.urls"
WSGI_APPLICATION = "cpims.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cpims" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # The bell's number of unread notifications.
                "notifications.views.unread",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------

# How PostgreSQL plans the statements a connection prepares (see _database). With "auto", the
# door to one case (cases.policy) keeps the generic plan of its statement: a lookup by key,
# planned for each run it took two to three milliseconds to plan and a tenth to run.
DATABASE_PLAN_CACHE_MODE = env.str("DATABASE_PLAN_CACHE_MODE", default="auto")


def _database(url: str) -> dict[str, Any]:
    """One database's settings; the replica is built exactly as the primary."""
    database: dict[str, Any] = env.db_url_config(url)
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # The web server, the worker and beat share one file: wait for locks instead of
        # failing, and take the write lock at the start of a transaction so it cannot
        # deadlock midway.
        database["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        }
        return database
    database["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    database["CONN_HEALTH_CHECKS"] = True
    # Behind a pooler in transaction mode (pgbouncer) a cursor kept open between transactions
    # may find itself on another server connection: querysets read with .iterator() then
    # fetch their rows at once instead.
    database["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False
    )
    # A request's queries are index walks that stop at a page's end: starting parallel workers
    # for them costs more than it saves, and leads the planner to hash whole tables instead
    # (docs/performance.md). Index builds have their own setting and keep theirs.
    options = database.setdefault("OPTIONS", {})
    options["options"] = " ".join(
        filter(
            None,
            [
                options.get("options", ""),
                "-c max_parallel_workers_per_gather="
                f"{env.int('DATABASE_PARALLEL_WORKERS', default=0)}",
                f"-c plan_cache_mode={DATABASE_PLAN_CACHE_MODE}",
            ],
        )
    )
    # Parameters bound by PostgreSQL, and a statement run this many times on a connection
    # prepared: parsed once, and planned once when PostgreSQL finds that a generic plan costs no
    # more than planning each run for its parameters (plan_cache_mode auto). That halves
    # PostgreSQL's CPU per request (docs/performance.md); benchmarks.plans checks the main lists
    # run so. DATABASE_PLAN_CACHE_MODE=force_custom_plan plans every run again, should a kept
    # plan ever go wrong; DATABASE_PREPARE_THRESHOLD=off prepares nothing.
    options["server_side_binding"] = True
    threshold = env.str("DATABASE_PREPARE_THRESHOLD", default="5")
    options["prepare_threshold"] = None if threshold == "off" else int(threshold)
    return database


DATABASES = {
    "default": _database(env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'cpims.sqlite3'}")),
}
# A streaming replica of the primary: statistics, reports and exports read from it (core.replica
# says which reads, and how a person who has just written still reads their own write).
_replica_url = env.str("DATABASE_REPLICA_URL", default="")
if _replica_url:
    DATABASES["replica"] = _database(_replica_url)
    # Tests run on the primary's test database: there is no replica to create for them.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["cpims.db_router.ReplicaRouter"]
# How long after a person's write their statistics, reports and exports wait for the replica
# to have replayed it (reading the primary meanwhile); past it the replica is trusted.
REPLICA_LAG_SECONDS = env.int("REPLICA_LAG_SECONDS", default=30)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ---------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery --------------------------------------------------------------------------------
EMBEDDED_BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport: a queue made of files, enough for one machine. Its folders
    # must exist before the worker or the web server touch the queue.
    for _folder in ("queue", "processed", "control"):
        (EMBEDDED_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(EMBEDDED_BROKER_DIR / "queue"),
        "data_folder_out": str(EMBEDDED_BROKER_DIR / "queue"),
        "processed_folder": str(EMBEDDED_BROKER_DIR / "processed"),
        "control_folder": str(EMBEDDED_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "Asia/Phnom_Penh"
# Periodic sweeps: the database holds what is due, so a lost task message is caught up here.
CELERY_BEAT_SCHEDULE = {
    "webhook-sweep": {
        "task": "notifications.tasks.webhook_sweep",
        "schedule": timedelta(minutes=5),
    },
    "reminder-sweep": {
        "task": "notifications.reminders.reminder_sweep",
        "schedule": timedelta(minutes=env.int("REMINDER_SWEEP_MINUTES", default=5)),
    },
    "email-digest": {
        "task": "notifications.tasks.email_digest",
        "schedule": crontab(hour=env.int("EMAIL_DIGEST_HOUR", default=7), minute=0),
    },
    # Signed checkpoints of the audit chain (docs/operations.md, "The audit trail").
    "audit-anchor": {
        "task": "audit.tasks.audit_anchor",
        "schedule": timedelta(minutes=env.int("AUDIT_ANCHOR_MINUTES", default=5)),
    },
    # The statistics store: changes every few minutes, everything again each night.
    "statistics-refresh": {
        "task": "reporting.tasks.statistics_refresh",
        "schedule": timedelta(minutes=env.int("STATISTICS_REFRESH_MINUTES", default=5)),
    },
    "statistics-rebuild": {
        "task": "reporting.tasks.statistics_rebuild",
        "schedule": crontab(hour=env.int("STATISTICS_REBUILD_HOUR", default=2), minute=30),
    },
    # Expired case exports' files deleted; exports whose task message was lost queued again.
    "export-sweep": {
        "task": "exports.tasks.export_sweep",
        "schedule": timedelta(minutes=15),
    },
    # Imports whose worker was lost failed; those whose task message was lost queued again.
    "import-sweep": {
        "task": "imports.tasks.import_sweep",
        "schedule": timedelta(minutes=15),
    },
}
# A broker that is down must not hold a user's request: publishing gives up quickly, the row
# stays pending, and the next sweep queues it again.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}

# --- Authentication and login security ----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock the account (not the address: field workers share office and mobile networks) after
# repeated failures, for the browser login and the token endpoint alike.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cpims.lockout.lockout_response"
# The name authenticator apps show for the two-factor sign-in account.
OTP_TOTP_ISSUER = "CPIMS"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# One reading of the client's address for the lockout and the audit trail alike.
AXES_CLIENT_IP_CALLABLE = "audit.middleware.client_ip"

# Sessions end after a period without activity; every request renews the period.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Forgotten passwords: a link by email, usable once, for this many hours; and how many links
# one address, or one email address, may ask for in an hour.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_LINK_HOURS", default=24) * 3600
PASSWORD_RESET_LIMIT_PER_HOUR = env.int("PASSWORD_RESET_LIMIT_PER_HOUR", default=5)

# Hours a receiver has to answer a referral, by urgency, e.g. "emergency=12,urgent=48";
# urgencies not named keep their defaults (24, 72 and 168 hours).
REFERRAL_RESPONSE_HOURS = {
    urgency: int(hours)
    for urgency, hours in env.dict("REFERRAL_RESPONSE_HOURS", default={}).items()
}
# --- Deadlines and reminders (see docs/operations.md) --------------------------------------
# Follow-up visits after a reintegration, in months after its date.
FOLLOW_UP_SCHEDULE_MONTHS = env.list("FOLLOW_UP_SCHEDULE_MONTHS", cast=int, default=[1, 3, 6, 12])
# Days before a visit (or a plan action, a review, a reassessment) that its reminder comes.
REMINDER_LEAD_DAYS = env.int("REMINDER_LEAD_DAYS", default=3)
# Days a trafficking case may wait for its first victim identification before its owner is
# reminded, and days a repatriation may stay at one step before its owner and her supervisor
# are reminded (again each such period).
IDENTIFICATION_DAYS = env.int("IDENTIFICATION_DAYS", default=7)
REPATRIATION_STALL_DAYS = env.int("REPATRIATION_STALL_DAYS", default=14)
# Hours the social services office has to look at a child reported at risk, by urgency
# ("emergency=2,urgent=24"); urgencies not named keep their defaults (4, 48 and 168 hours).
# Past that, the office's supervisors are reminded.
TRIAGE_HOURS = {
    "emergency": 4,
    "urgent": 48,
    "routine": 168,
    **{urgency: int(hours) for urgency, hours in env.dict("TRIAGE_HOURS", default={}).items()},
}
# Days between case reviews, by risk level ("critical=14,high=30"); levels not named keep
# their defaults (critical 14, high 30, medium 90, low 180).
CASE_REVIEW_DAYS = {
    level: int(days) for level, days in env.dict("CASE_REVIEW_DAYS", default={}).items()
}
# A high or critical risk child with no recorded contact for this many days is flagged.
NO_CONTACT_DAYS = env.int("NO_CONTACT_DAYS", default=14)
# Hours a case registered by the police, a labour inspector or the helpline may stay theirs
# before they are reminded to refer the child to a social worker.
REFER_ON_HOURS = env.int("REFER_ON_HOURS", default=24)
# Hours a plan, closure or referral may wait for a supervisor before they are reminded.
APPROVAL_REMIND_HOURS = env.int("APPROVAL_REMIND_HOURS", default=48)
# Attempts at a notification email before it is marked failed, and how long one may stay
# pending before the sweep queues it again (its task message was lost).
NOTIFICATION_EMAIL_MAX_ATTEMPTS = env.int("NOTIFICATION_EMAIL_MAX_ATTEMPTS", default=6)
NOTIFICATION_EMAIL_GRACE_SECONDS = env.int("NOTIFICATION_EMAIL_GRACE_SECONDS", default=600)
# Webhooks reach only public internet addresses; these host names or IPs (as the URL writes
# them) may be private all the same, and only they may use plain http.
WEBHOOK_ALLOWED_PRIVATE_HOSTS = env_list("WEBHOOK_ALLOWED_PRIVATE_HOSTS")
# Seconds a webhook request may take before the attempt counts as failed.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# Attempts at a webhook delivery (the first and the retries) before it is marked failed.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=9)
# The wait after a failed webhook attempt: doubling from the base, never above the cap.
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
# --- Statistics (docs/statistics.md) --------------------------------------------------------
# Counts of 1 to STATISTICS_MIN_CELL - 1 children are suppressed, with enough other cells.
STATISTICS_MIN_CELL = env.int("STATISTICS_MIN_CELL", default=5)
WEBHOOK_RETRY_CAP_SECONDS = env.float("WEBHOOK_RETRY_CAP_SECONDS", default=3600.0)
# The address links in emails point to; in production, by default, the first allowed host.
SITE_URL = env.str("SITE_URL", default="") or (
    f"https://{ALLOWED_HOSTS[0].lstrip('.')}" if PRODUCTION else "http://127.0.0.1:8000"
)
API_TOKEN_LIFETIME = timedelta(hours=env.int("API_TOKEN_LIFETIME_HOURS", default=12))

# --- Case exports (docs/operations.md) -----------------------------------------------------
# The most cases one export may hold: more is refused, asking for narrower filters.
EXPORT_MAX_ROWS = env.int("EXPORT_MAX_ROWS", default=100_000)
# Hours an export's file may be downloaded (by its requester only) before it is deleted.
EXPORT_EXPIRY_HOURS = env.int("EXPORT_EXPIRY_HOURS", default=24)
# Where the files are written: a private directory, never served as static or media files.
EXPORTS_DIR = Path(env.str("EXPORTS_DIR", default=str(VAR_DIR / "exports")))

# --- Audit trail anchors (docs/operations.md, "The audit trail") ---------------------------
# Signed checkpoints of the audit chain, appended to a file outside the database. The key must
# never be stored in the database: whoever owns the audit table must not be able to sign.
AUDIT_ANCHOR_PATH = Path(env.str("AUDIT_ANCHOR_PATH", default=str(VAR_DIR / "audit-anchors.jsonl")))
if PRODUCTION:
    AUDIT_ANCHOR_KEY = env.str("AUDIT_ANCHOR_KEY")  # no default: production must be given one
    if len(AUDIT_ANCHOR_KEY) < 32:
        raise ImproperlyConfigured("AUDIT_ANCHOR_KEY must be at least 32 random characters.")
    if AUDIT_ANCHOR_KEY == SECRET_KEY:
        raise ImproperlyConfigured("AUDIT_ANCHOR_KEY must differ from SECRET_KEY.")
else:
    # Development only, and marked as such: derived from the secret key, nothing to set up.
    AUDIT_ANCHOR_KEY = env.str("AUDIT_ANCHOR_KEY", default="") or (
        "development-only-" + hashlib.sha256(f"audit-anchor:{SECRET_KEY}".encode()).hexdigest()
    )

# Object permissions: guardian's anonymous user is not wanted; nobody anonymous sees anything.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

SILENCED_SYSTEM_CHECKS = [
    # Guardian's authentication backend is deliberately not installed: grants are read only by
    # the case access policy's SQL (cases.policy), never through user.has_perm().
    "guardian.W001",
    # Lockout is per account, not per address: field offices and mobile carriers put many
    # people behind one address, and locking it would lock them all out. Address-level rate
    # limiting belongs to the reverse proxy (docs/operations.md).
    "axes.W006",
]

# --- REST API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "DEFAULT_FILTER_BACKENDS": ["core.api.filters.AskedFiltersBackend"],
    # JSON only (forms belong to the pages): one content type per request body, so a generated
    # client sends what the server reads. DRF's parser, refusing JSON nested too deep and NUL
    # in any string with a 400.
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.JSONParser"],
    # DRF's JSON, written by orjson (core.api.renderers); the browsable API as before.
    "DEFAULT_RENDERER_CLASSES": [
        "core.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # Each operation declares its refusals and headers as well as its success.
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CPIMS API",
    "DESCRIPTION": "Child protection case management: people, agencies, locations, cases.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Choice sets that several serializers share get one name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "LocationLevelEnum": "accounts.choices.LocationLevel",
        "CallReasonEnum": "intake.choices.CallReason",
        "ClosureReasonEnum": "cases.choices.ClosureReason",
        "ReportUrgencyEnum": "intake.choices.ReportUrgency",
        "UrgencyEnum": "referrals.choices.Urgency",
        "ReportStatusEnum": "intake.choices.ReportStatus",
        "ImportStatusEnum": "imports.models.ImportStatus",
        "RiskLevelEnum": "cases.choices.RiskLevel",
        "CaseStatusEnum": "cases.choices.Status",
        "PlanStatusEnum": "cases.choices.PlanStatus",
        "ServiceStatusEnum": "cases.choices.ServiceStatus",
        "AgencyTypeEnum": "accounts.choices.AgencyType",
        "ReferralTypeEnum": "referrals.choices.ReferralType",
        "ReferralStatusEnum": "referrals.choices.ReferralStatus",
        "WebhookDeliveryStatusEnum": "notifications.models.DeliveryStatus",
        "PlacementTypeEnum": "reintegration.choices.PlacementType",
        "FollowUpStatusEnum": "reintegration.choices.FollowUpStatus",
        "NotificationKindEnum": "notifications.models.NotificationKind",
        "NoteKindEnum": "cases.choices.NoteKind",
        "CaseSectionEnum": "cases.choices.Section",
        "ExportFormatEnum": "exports.models.ExportFormat",
        "CaseActionEnum": "cases.policy.CASE_ACTIONS",
        "FollowUpOutcomeEnum": "reintegration.choices.FollowUpOutcome",
        "ReferralDirectionEnum": "referrals.choices.ReferralDirection",
        "ReferralActionEnum": "referrals.rules.REFERRAL_ACTIONS",
        "WebhookEventEnum": "notifications.models.WEBHOOK_EVENTS",
        "DocumentKindEnum": "documents.choices.DocumentKind",
        "DocumentTypeEnum": "documents.choices.DocumentType",
        "LegalChildRoleEnum": "legal.choices.ChildRole",
        "DefendantStatusEnum": "legal.choices.DefendantStatus",
        "HearingKindEnum": "legal.choices.HearingKind",
        "VictimStatusEnum": "trafficking.choices.VictimStatus",
        "RepatriationStatusEnum": "trafficking.choices.RepatriationStatus",
        "RepatriationDirectionEnum": "trafficking.choices.Direction",
        "CrossingKindEnum": "trafficking.choices.CrossingKind",
    },
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("km", "ខ្មែរ")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers in one style per language (day first, month names in the reader's language).
FORMAT_MODULE_PATH = ["cpims.formats"]
USE_I18N = True
TIME_ZONE = "Asia/Phnom_Penh"
USE_TZ = True

STATIC_URL = "static/"
if PRODUCTION:
    # collectstatic gathers files here at build time; whitenoise serves them from gunicorn.
    STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
else:
    # Served straight from the apps' static folders: no build step to run the system.
    WHITENOISE_USE_FINDERS = True

# --- Security headers (strict everywhere; transport security in production) ----------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Health probes from the load balancer or container engine come over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Case documents (docs/operations.md, "Case documents") ---------------------------------
# The largest file a document may be, in MB.
DOCUMENT_MAX_MB = env.int("DOCUMENT_MAX_MB", default=10)
# Where the encrypted files are written when DOCUMENT_STORAGE is "filesystem": a private folder,
# never served as static or media files, which the web and worker containers share.
DOCUMENTS_DIR = Path(env.str("DOCUMENTS_DIR", default=str(VAR_DIR / "documents")))


def _development_document_key() -> str:
    """A Fernet key kept in the data folder, as the development secret key is."""
    key_file = VAR_DIR / "document_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


# Fernet keys, comma-separated: the first encrypts, all decrypt (put a new key first to rotate).
DOCUMENT_KEYS = env_list("DOCUMENT_KEYS")
if not DOCUMENT_KEYS:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "DOCUMENT_KEYS must hold the key that encrypts case documents: generate one with "
            "python3 -c 'import base64, secrets; "
            "print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())'"
        )
    DOCUMENT_KEYS = [_development_document_key()]
for _key in DOCUMENT_KEYS:
    try:
        _valid_key = len(base64.urlsafe_b64decode(_key.encode())) == 32
    except ValueError:
        _valid_key = False
    if not _valid_key:
        raise ImproperlyConfigured(
            "Each key of DOCUMENT_KEYS must be 32 random bytes in URL-safe base64 (a Fernet key)."
        )
# "filesystem" (DOCUMENTS_DIR) or "s3": an S3-compatible bucket (MinIO, Ceph, AWS), its
# credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Either way the files are
# encrypted before they are written.
DOCUMENT_STORAGE = env.str("DOCUMENT_STORAGE", default="filesystem")
_documents_storage: dict[str, Any]
if DOCUMENT_STORAGE == "filesystem":
    _documents_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": DOCUMENTS_DIR,
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
elif DOCUMENT_STORAGE == "s3":
    _documents_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("DOCUMENT_S3_BUCKET"),
            "endpoint_url": env.str("DOCUMENT_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("DOCUMENT_S3_REGION", default="") or None,
            "location": env.str("DOCUMENT_S3_PREFIX", default="documents"),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    raise ImproperlyConfigured("DOCUMENT_STORAGE must be 'filesystem' or 's3'.")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Production serves collected, compressed files (whitenoise); development the apps' own.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
    "documents": _documents_storage,
}

# EMAIL_URL, e.g. smtp+tls://user:password@mail.example.org:587; printed to the console by
# default, so a development machine never sends mail.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="cpims@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools log each step of every PDF at INFO; their warnings still show.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
