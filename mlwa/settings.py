"""MLWA settings: one module, every value from the environment (see .env.example).

Without any variable set, MLWA runs embedded: DEBUG, SQLite under var/, a worker with no broker.
Production sets MLWA_DEBUG=false, MLWA_SECRET_KEY, DATABASE_URL and CELERY_BROKER_URL.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from mlwa.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MLWA_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("MLWA_DEBUG", True)
SECRET_KEY = env_str("MLWA_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("MLWA_SECRET_KEY must be set when MLWA_DEBUG is false")
    SECRET_KEY = "embedded-debug-only-key-never-used-in-production"  # noqa: S105
ALLOWED_HOSTS = env_list("MLWA_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("MLWA_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before whitenoise's: its runserver command, on a server that reads chunked bodies (mlwa.devserver).
    "mlwa",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "axes",
    "accounts",
    "lens",
    "reviews",
    "notifications",
]

MIDDLEWARE = [
    # Before all: every answer, a 413 too, carries the request id, and every request is logged once.
    "mlwa.request_id.RequestIdMiddleware",
    # /healthz answers before the Host is validated (mlwa.health: probes come with the pod's IP).
    "mlwa.health.HealthzMiddleware",
    # Next, so that an oversized body is refused before anything reads it.
    "mlwa.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Below SecurityMiddleware, so that the JSON 404 it makes carries nosniff and HSTS too.
    "mlwa.middleware.ApiNotFoundMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mlwa.htmx.HtmxLoginRedirectMiddleware",
    # Inside authentication and messages, so that the 405 page it makes shows the user's header.
    "mlwa.middleware.MethodNotAllowedMiddleware",
    # Last, as django-axes asks: it turns a login refused for a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mlwa.urls"
WSGI_APPLICATION = "mlwa.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite by default. Two processes write (web and worker), so: WAL for readers beside a writer,
# IMMEDIATE transactions so that a writer takes the lock up front instead of failing mid-way, and a
# busy timeout to wait for it. Any SQLite database gets them, the embedded default's or one that
# DATABASE_URL names (sqlite:///path): without them, reports rendering beside exports gave "database
# is locked" 500s (issue 14). Options in the URL's query come first.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}
_SQLITE_PATH = VAR_DIR / "mlwa.sqlite3"
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("MLWA_DB_CONN_MAX_AGE", 60))
    }
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(_SQLITE_PATH)}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
if not DATABASE_URL:
    # SQLite makes the file, not its folder. Only the embedded default's folder is ours to make: a
    # DATABASE_URL's folder that is missing is an outage to report (/readyz), not to paper over.
    _SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reviews:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes, accounts.lockout): after MLWA_LOGIN_FAILURE_LIMIT failed logins of one
# username from one address, that pair is refused (429, even with the right password) until
# MLWA_LOGIN_COOLOFF_MINUTES after the last failure. By the pair, not the username alone, so that an
# attacker cannot lock a user out from everywhere. The login page and the API's HTTP Basic login both
# count. A success resets the count; `manage.py axes_reset_username <name>` lifts a lockout early.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out pair before any password check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("MLWA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("MLWA_LOGIN_COOLOFF_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
# An attempt while locked out is refused without being counted, so the lockout ends when the page says,
# however often the user (or an attacker) tries meanwhile.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
# Proxies in front of MLWA that append the client's address to X-Forwarded-For. 0: the client is the
# connection's peer (REMOTE_ADDR) and X-Forwarded-For is ignored, as anyone can send it. Login
# throttling (accounts.lockout.client_ip) and the API's rate limits (REST_FRAMEWORK's NUM_PROXIES) read it.
MLWA_PROXY_COUNT = env_int("MLWA_PROXY_COUNT", 0)

# A session lasts MLWA_SESSION_COOKIE_AGE seconds from the login (default 12 hours: a working day),
# not from the last request: sliding expiry (SESSION_SAVE_EVERY_REQUEST) would write the session row on
# every page and htmx request, and would keep a stolen cookie alive for as long as it is used.
SESSION_COOKIE_AGE = env_int("MLWA_SESSION_COOKIE_AGE", 12 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("MLWA_SESSION_EXPIRE_AT_BROWSER_CLOSE", False)
SESSION_SAVE_EVERY_REQUEST = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("MLWA_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MLWA_MEDIA_ROOT", str(VAR_DIR / "media")))
# Rendered reports: a private folder, outside MEDIA_ROOT and STATIC_ROOT, served only by the download
# views, which check access at the moment of the download.
MLWA_REPORTS_DIR = Path(env_str("MLWA_REPORTS_DIR", str(VAR_DIR / "reports")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Request bodies: anything larger is answered 413 before it is read (mlwa.middleware). A lens is at
# most 500,000 characters, up to 2 MB of UTF-8, plus the form around it.
MLWA_MAX_REQUEST_BYTES = env_int("MLWA_MAX_REQUEST_BYTES", 4 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MLWA_MAX_REQUEST_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = MLWA_MAX_REQUEST_BYTES

# Scripts and styles come only from our own static files; htmx is configured not to evaluate code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # our URLs (workload ids, names in queries) stay with us
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# HTTPS. In production (MLWA_DEBUG=false) MLWA is reached over HTTPS: cookies travel only over TLS,
# browsers are told to use HTTPS only (HSTS) and plain HTTP is redirected, except the health endpoints,
# which load balancers and docker compose ask over plain HTTP. Embedded (DEBUG), over http://127.0.0.1,
# all of it is off. Each part can be set either way from the environment (.env.example).
_HTTPS = not DEBUG
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("MLWA_SECURE_COOKIES", _HTTPS)
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: pages send the token from the template (base.html's hx-headers,
# forms' csrf_token), so the cookie can be hidden from scripts too.
CSRF_COOKIE_HTTPONLY = True
# A form whose CSRF check fails (a page left open across a logout) gets the site's 403 page, which
# says nothing was saved and offers to log in again.
CSRF_FAILURE_VIEW = "mlwa.views.csrf_failure"
SECURE_SSL_REDIRECT = env_bool("MLWA_SECURE_SSL_REDIRECT", _HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("MLWA_HSTS_SECONDS", 365 * 24 * 60 * 60 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("MLWA_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("MLWA_HSTS_PRELOAD", False)
# Behind a TLS-terminating proxy, the request reaching MLWA is plain HTTP; the proxy says the client's
# was HTTPS in X-Forwarded-Proto. Trust that header only behind a proxy that sets it and strips the
# client's own: anyone else could send it and pass plain HTTP off as HTTPS.
if env_bool("MLWA_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Preloading is a commitment to HTTPS for the whole domain that is slow to undo: opt-in, and the
# check --deploy warning about it (W021) silenced while it is off.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Without CELERY_BROKER_URL the embedded default queues tasks in files under var/broker/, so that a
# worker runs beside the web server with no Redis.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

# Reports (reviews.reports.tasks). A task is acknowledged once done, and given back to the queue
# if its worker dies, so a killed worker loses no report; each worker process takes one task at a
# time and is replaced after so many tasks or so much memory (KiB), as WeasyPrint's caches grow.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 50)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 400_000)
MLWA_REPORT_SOFT_TIME_LIMIT = env_int("MLWA_REPORT_SOFT_TIME_LIMIT", 120)
MLWA_REPORT_TIME_LIMIT = env_int("MLWA_REPORT_TIME_LIMIT", 150)
# A RUNNING report whose heartbeat is older than this (seconds) lost its worker; a QUEUED one sent
# longer ago than MLWA_REPORT_QUEUED_STALE lost its message. The reaper queues them again, at most
# MLWA_REPORT_MAX_ATTEMPTS renderings in all, then marks them failed.
MLWA_REPORT_HEARTBEAT_STALE = env_int("MLWA_REPORT_HEARTBEAT_STALE", 60)
MLWA_REPORT_QUEUED_STALE = env_int("MLWA_REPORT_QUEUED_STALE", 600)
MLWA_REPORT_MAX_ATTEMPTS = env_int("MLWA_REPORT_MAX_ATTEMPTS", 3)
MLWA_REPORT_REAP_EVERY = env_int("MLWA_REPORT_REAP_EVERY", 60)
# Asking for a report waits at most this long (seconds) for the broker, then answers 503.
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 2)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # An unacknowledged task (its worker died) goes back to the queue after this many seconds:
        # longer than a report may take (MLWA_REPORT_TIME_LIMIT), or a slow one would run twice.
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 900),
        "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
        "socket_timeout": env_int("CELERY_BROKER_SOCKET_TIMEOUT", 5),
    }
# The queue tasks are sent to and workers read; a test or a second instance sharing a Redis names its own.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
# mlwa.celery autodiscovers `<app>.tasks`; the reports' tasks live a level down.
CELERY_IMPORTS = ["reviews.reports.tasks"]
CELERY_BEAT_SCHEDULE = {
    "reap-stale-reports": {
        "task": "reviews.reports.tasks.reap_stale_reports",
        "schedule": float(MLWA_REPORT_REAP_EVERY),
    },
}

# The outbox (mlwa.events, notifications.outbox): an event is delivered once its transaction commits,
# through a task queued within MLWA_OUTBOX_QUEUE_TIMEOUT seconds (else the sweep delivers it); the
# sweep runs every MLWA_OUTBOX_SWEEP_EVERY seconds (Celery beat) and at each worker's start, and moves
# a consumer's cursor only over events older than MLWA_OUTBOX_GRACE seconds (a transaction still open
# may yet commit an event of a lower id).
MLWA_OUTBOX_QUEUE_TIMEOUT = env_int("MLWA_OUTBOX_QUEUE_TIMEOUT", 1)
MLWA_OUTBOX_SWEEP_EVERY = env_int("MLWA_OUTBOX_SWEEP_EVERY", 60)
MLWA_OUTBOX_GRACE = env_int("MLWA_OUTBOX_GRACE", 300)
CELERY_BEAT_SCHEDULE["sweep-outbox"] = {
    "task": "notifications.tasks.sweep_outbox",
    "schedule": float(MLWA_OUTBOX_SWEEP_EVERY),
}

# The shared cache carries the API's rate limits. Embedded: this process's memory. Production sets
# MLWA_CACHE_URL (redis://...) so that limits hold across processes; short timeouts, because when
# Redis is unreachable the limits fail open (mlwa.api.throttling) and requests must not wait for it.
MLWA_CACHE_URL = env_str("MLWA_CACHE_URL")
if MLWA_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": MLWA_CACHE_URL,
            "KEY_PREFIX": "mlwa",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The REST API (mlwa.api, lens.api, reviews.api). Token auth comes first so that a request without
# credentials is answered 401 with `WWW-Authenticate: Token`, not 403.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["mlwa.api.permissions.Authenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["mlwa.api.throttling.UserThrottle", "mlwa.api.throttling.AnonThrottle"],
    "DEFAULT_PAGINATION_CLASS": "mlwa.api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # `?format=` wins over `Accept` (never a 406); an unknown format is a 400.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "mlwa.api.negotiation.FormatFirstNegotiation",
    # DRF's JSON parser with the nesting limit of every outside JSON (mlwa.jsonlimits).
    "DEFAULT_PARSER_CLASSES": ["mlwa.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "mlwa.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "mlwa.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # The client address the rate limits count by: see MLWA_PROXY_COUNT.
    "NUM_PROXIES": MLWA_PROXY_COUNT,
}
# Requests per client: "<n>/<second|minute|hour|day>". `password` counts the HTTP Basic logins that
# create tokens (each costs a password hash), per client address.
MLWA_API_RATES = {
    "user": env_str("MLWA_API_RATE_USER", "1200/minute"),
    "anon": env_str("MLWA_API_RATE_ANON", "120/minute"),
    "password": env_str("MLWA_API_RATE_PASSWORD", "10/minute"),
    # Lens imports and workload restores of each user, browser and API together (mlwa.heavy).
    "heavy": env_str("MLWA_API_RATE_HEAVY", "10/minute"),
}
#: The most workloads the organisation-wide risk summary answers in one response.
MLWA_RISK_SUMMARY_MAX = env_int("MLWA_RISK_SUMMARY_MAX", 10_000)

SPECTACULAR_SETTINGS = {
    "TITLE": "MLWA API",
    "DESCRIPTION": (
        "Workload reviews with the AWS Well-Architected Machine Learning Lens built in. "
        "Authenticate with `Authorization: Token <key>` (create a key on your profile page, with "
        "`manage.py token create`, or with `POST /api/v1/tokens/`), or with the browser's session. "
        "Every error is JSON: `{code, message, fields}`, where `fields` maps each input path at fault "
        "to its messages. Limits: a request body of at most MLWA_MAX_REQUEST_BYTES (413); a JSON body "
        "nested at most 64 deep (400 `json_too_deep`, naming the path where the limit was passed); "
        "whole numbers in the query from 1 to 2,147,483,647, ids to 9,223,372,036,854,775,807 (400 "
        "naming the parameter); lens imports and workload restores per user, pages and API together "
        "(MLWA_API_RATE_HEAVY, default 10/minute: 429 with Retry-After)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "mlwa.api.schema.describe_path_parameters",
        "mlwa.api.schema.integer_path_parameters",
        "mlwa.api.schema.bound_query_numbers",
        "mlwa.api.renames.document_renames",
    ],
    "ENUM_NAME_OVERRIDES": {
        "RiskEnum": "reviews.models.Answer.Risk",
        "ReasonEnum": "reviews.models.Answer.Reason",
        "EnvironmentEnum": "reviews.models.Workload.Environment",
        "ShareRoleEnum": "reviews.models.Share.Role",
        "ReportKindEnum": "reviews.models.Report.Kind",
        # The item's update and the bulk change (issue 17) share it: the name it had alone.
        "ImprovementUpdateStatusEnum": "reviews.models.ImprovementItem.Status",
    },
}

# Health (mlwa.health): /readyz waits at most this long (s) for the broker; a worker beats every
# MLWA_WORKER_HEARTBEAT_EVERY s (reviews.reports.heartbeat) and is "stale" after
# MLWA_WORKER_HEARTBEAT_STALE s without a beat.
try:
    MLWA_READYZ_BROKER_TIMEOUT = float(env_str("MLWA_READYZ_BROKER_TIMEOUT", "1"))
except ValueError:
    raise ImproperlyConfigured("MLWA_READYZ_BROKER_TIMEOUT must be a number of seconds") from None
MLWA_WORKER_HEARTBEAT_EVERY = env_int("MLWA_WORKER_HEARTBEAT_EVERY", 15)
MLWA_WORKER_HEARTBEAT_STALE = env_int("MLWA_WORKER_HEARTBEAT_STALE", 60)

# Logs: one line a record on stderr, JSON in production and text under DEBUG (MLWA_LOG_FORMAT), each
# with the request id (and, in a worker, the task id) it was written for; Celery's worker logs the
# same way (mlwa.logs). `mlwa.access` has one line per request (mlwa.request_id).
MLWA_LOG_FORMAT = env_str("MLWA_LOG_FORMAT", "text" if DEBUG else "json").strip().lower()
if MLWA_LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"MLWA_LOG_FORMAT must be json or text, not {MLWA_LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "mlwa.logs.ContextFilter"}},
    "formatters": {
        "json": {"()": "mlwa.logs.JsonFormatter"},
        "text": {"()": "mlwa.logs.TextFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["context"], "formatter": MLWA_LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": env_str("MLWA_LOG_LEVEL", "INFO")},
    # Django's own console handler would print its records a second time under DEBUG: they reach
    # the root's. (django.server, runserver's access log, keeps its own.)
    "loggers": {"django": {"handlers": [], "propagate": True}},
}

# Outgoing requests and the lens catalog (issue 17, mlwa.outgoing and lens.catalog). Every request to
# another server goes through mlwa.outgoing: https only, public addresses only, these limits.
# MLWA_OUTGOING_ALLOW lists the exceptions (host names, addresses, networks such as 10.0.0.0/8);
# MLWA_OUTGOING_CA_FILE adds an organisation's own certificate authority (PEM) to the trust store.
MLWA_OUTGOING_ALLOW = env_list("MLWA_OUTGOING_ALLOW")
MLWA_OUTGOING_CA_FILE = env_str("MLWA_OUTGOING_CA_FILE")
MLWA_OUTGOING_MAX_BYTES = env_int("MLWA_OUTGOING_MAX_BYTES", 5 * 1024 * 1024)
MLWA_OUTGOING_CONNECT_TIMEOUT = env_int("MLWA_OUTGOING_CONNECT_TIMEOUT", 5)
MLWA_OUTGOING_READ_TIMEOUT = env_int("MLWA_OUTGOING_READ_TIMEOUT", 10)
MLWA_OUTGOING_TOTAL_TIMEOUT = env_int("MLWA_OUTGOING_TOTAL_TIMEOUT", 30)
MLWA_OUTGOING_MAX_REDIRECTS = env_int("MLWA_OUTGOING_MAX_REDIRECTS", 3)
# A folder of lens files (e.g. the official AWS lenses, see the README) listed in the lens library,
# each one click away from being added; empty: no catalog.
MLWA_LENS_CATALOG = env_str("MLWA_LENS_CATALOG")
