"""Settings, read from environment variables with safe production defaults.

DATABASE_URL      database (default: SQLite under the data directory)
DATABASE_REPLICA_URL  a PostgreSQL streaming replica of DATABASE_URL for reads (default: none)
ZONEOPS_DATA_DIR  SQLite database, uploads and the generated secret key (default: the
                  checkout's var/ when run from a checkout (installed editable), otherwise
                  ~/.local/share/zoneops; never the working directory)
SECRET_KEY        if unset, a random key is generated once and kept in the data directory
DEBUG             "1" only for development (default off)
ALLOWED_HOSTS     comma separated (default 127.0.0.1,localhost)
ZONEOPS_HTTPS     "1" (default) turns on secure cookies, HSTS and the HTTPS redirect;
                  `zoneops serve` and the tests run plain HTTP on loopback with "0"
TIME_ZONE         default Asia/Shanghai
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def default_data_dir() -> Path:
    """Where the data lives unless ZONEOPS_DATA_DIR says: not the working directory, so that
    ``zoneops report …`` run from elsewhere finds the same database as ``make demo``."""
    checkout = Path(__file__).resolve().parents[2]  # src/zoneops/settings.py → the checkout
    if (checkout / "pyproject.toml").is_file() and (checkout / "src" / "zoneops").is_dir():
        return checkout / "var"
    return Path.home() / ".local" / "share" / "zoneops"


DATA_DIR = Path(os.environ.get("ZONEOPS_DATA_DIR") or default_data_dir()).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "zoneops.core",
    "zoneops.api",
    "zoneops.jobs",
    "zoneops.notifications",
    "zoneops.enterprises",
    "zoneops.projects",
    "zoneops.investment",
    "zoneops.appeals",
    "zoneops.hazards",
    "zoneops.indicators",
    "zoneops.tasks",
    "zoneops.reports",
    "zoneops.intake",
]

# The domain apps in dependency order: demo data, synthetic data and API routes are collected
# from each one's demo.py, generate.py and api.py where it has them.
ZONEOPS_APPS = [app.split(".")[1] for app in INSTALLED_APPS if app.startswith("zoneops.")]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the database: which reads of the request may go to the replica.
    "zoneops.core.db.router.ReplicaMiddleware",
    "zoneops.core.rest.params.NumberBoundsMiddleware",
    "zoneops.core.files.uploads.UploadSizeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zoneops.core.ui.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zoneops.core.accounts.security.SessionSecurityMiddleware",
    "zoneops.core.accounts.security.SecurityHeadersMiddleware",
    "zoneops.core.ui.middleware.ChangeContextMiddleware",
    "zoneops.core.ui.middleware.PhoneFormRedirectMiddleware",
]

ROOT_URLCONF = "zoneops.urls"
CSRF_FAILURE_VIEW = "zoneops.core.ui.auth_views.csrf_failure"
WSGI_APPLICATION = "zoneops.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zoneops.core.ui.context_processors.navigation",
                "zoneops.notifications.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'zoneops.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; the busy timeout waits instead of failing.
    # Connections are kept (CONN_MAX_AGE above) with a larger page cache: a fresh connection per
    # request starts cold, which on a database of a few GB costs more than the request itself.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation pays off for long analytic queries, not for a page's: on the dashboard it
    # cost 460-610 ms of compiling for a 40 ms query once the row estimates passed its threshold.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

# Read scale-out (PostgreSQL only): a streaming replica of the primary answers the reads of
# GET requests (dashboards, lists, exports, the API's reads); every write, every read inside a
# transaction or after a write, and ZONEOPS_REPLICA_PIN_SECONDS of a browser's requests after it
# wrote go to the primary (zoneops.core.db.router). Migrations run on the primary only.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=DATABASES["default"].get("CONN_MAX_AGE", 60)
    )
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ValueError("DATABASE_REPLICA_URL must be a PostgreSQL streaming replica")
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    # The tests' database on the primary reaches the replica by replication, under its name.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["zoneops.core.db.router.ReplicaRouter"]
ZONEOPS_REPLICA_PIN_SECONDS = float(os.environ.get("ZONEOPS_REPLICA_PIN_SECONDS", "5"))
# Dashboard figures are cached until the next committed write to the data
# (zoneops.core.db.versions); entries expire after this many seconds at the latest.
ZONEOPS_FIGURE_CACHE_SECONDS = int(os.environ.get("ZONEOPS_FIGURE_CACHE_SECONDS", "600"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "zoneops.core.accounts.security.ComplexityValidator"},
    {"NAME": "zoneops.core.accounts.security.HistoryValidator"},
]
# Account security (等保 2.0): see zoneops.core.accounts.security.
ZONEOPS_PASSWORD_HISTORY = int(os.environ.get("ZONEOPS_PASSWORD_HISTORY", "5"))
ZONEOPS_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("ZONEOPS_PASSWORD_MAX_AGE_DAYS", "90"))
ZONEOPS_LOCKOUT_FAILURES = int(os.environ.get("ZONEOPS_LOCKOUT_FAILURES", "5"))
ZONEOPS_LOCKOUT_MINUTES = int(os.environ.get("ZONEOPS_LOCKOUT_MINUTES", "30"))
# The public appeal lookup: wrong phone digits per address and per tracking number in an hour.
ZONEOPS_APPEAL_LOOKUP_FAILURES = int(os.environ.get("ZONEOPS_APPEAL_LOOKUP_FAILURES", "20"))
ZONEOPS_APPEAL_LOOKUP_FAILURES_PER_NUMBER = int(
    os.environ.get("ZONEOPS_APPEAL_LOOKUP_FAILURES_PER_NUMBER", "5")
)
ZONEOPS_LOCKOUT_ADDRESS_ACCOUNTS = int(os.environ.get("ZONEOPS_LOCKOUT_ADDRESS_ACCOUNTS", "10"))
ZONEOPS_LOCKOUT_ALERT_ADDRESSES = int(os.environ.get("ZONEOPS_LOCKOUT_ALERT_ADDRESSES", "5"))
ZONEOPS_LOCKOUT_ACCOUNT_CEILING = int(os.environ.get("ZONEOPS_LOCKOUT_ACCOUNT_CEILING", "50"))
ZONEOPS_SESSION_IDLE_MINUTES = int(os.environ.get("ZONEOPS_SESSION_IDLE_MINUTES", "30"))
# Administrators (system, security, audit; superusers) log in with a second factor (TOTP).
# Off only for development and the demo: ZONEOPS_REQUIRE_ADMIN_TOTP=0.
ZONEOPS_REQUIRE_ADMIN_TOTP = env_bool("ZONEOPS_REQUIRE_ADMIN_TOTP", True)
# The audit trail is kept at least this many days (等保 2.0: 180 at least; checked at start-up).
ZONEOPS_AUDIT_RETENTION_DAYS = int(os.environ.get("ZONEOPS_AUDIT_RETENTION_DAYS", "180"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Each app keeps its own locale/ folder. Core's comes first so that its words for shared
# strings ("Add", "Filter", "Log out") win over those of Django's admin.
LOCALE_PATHS = [BASE_DIR / "core" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "uploads"
# Counters such as the public lookup's failures per address must be shared by every gunicorn
# worker on the host, which the default per-process memory cache is not.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
    }
}
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Spreadsheet and document uploads: refused above this size before they are read, and above
# ZONEOPS_UPLOAD_MAX_UNZIPPED_MB once unpacked (zoneops.core.files.uploads); nginx's
# client_max_body_size in deploy/ matches the first.
# Background jobs (后台作业): django-tasks with its database backend, run by `zoneops job_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Imports of files at least this large run as a job (0: every import); smaller ones in the request.
ZONEOPS_JOB_IMPORT_MIN_KB = int(os.environ.get("ZONEOPS_JOB_IMPORT_MIN_KB", "64"))
# List exports of more rows than this are written by a job (the page answers with the job).
ZONEOPS_JOB_EXPORT_MIN_ROWS = int(os.environ.get("ZONEOPS_JOB_EXPORT_MIN_ROWS", "5000"))
# Bulk API calls of more records than this answer 202 and are written by a job.
ZONEOPS_JOB_BULK_MIN_ROWS = int(os.environ.get("ZONEOPS_JOB_BULK_MIN_ROWS", "2000"))
# Intake texts of at least this many characters are read by a job.
ZONEOPS_JOB_INTAKE_MIN_CHARS = int(os.environ.get("ZONEOPS_JOB_INTAKE_MIN_CHARS", "20000"))
# Finished jobs and their files are removed by `zoneops tick` after this many days (0: kept).
ZONEOPS_JOB_KEEP_DAYS = int(os.environ.get("ZONEOPS_JOB_KEEP_DAYS", "30"))
ZONEOPS_UPLOAD_MAX_MB = int(os.environ.get("ZONEOPS_UPLOAD_MAX_MB", "20"))
ZONEOPS_UPLOAD_MAX_UNZIPPED_MB = int(os.environ.get("ZONEOPS_UPLOAD_MAX_UNZIPPED_MB", "200"))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10000

# Proxies whose X-Real-IP / X-Forwarded-For are believed (addresses or networks, comma
# separated); from any other address those headers are ignored
# (core.accounts.security.client_address).
ZONEOPS_TRUSTED_PROXIES = tuple(
    item.strip()
    for item in os.environ.get("ZONEOPS_TRUSTED_PROXIES", "127.0.0.1,::1").split(",")
    if item.strip()
)

HTTPS = env_bool("ZONEOPS_HTTPS", True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))

REST_FRAMEWORK = {
    # The token first: a request without credentials is answered 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "zoneops.api.filters.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "zoneops.api.pagination.CountLimitedPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "zoneops.api.schema.ZoneopsAutoSchema",
    # Request bodies are JSON; the few operations that take a file say MultiPartParser alone.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Every error body has one shape (code, message in Chinese and English, field errors).
    "EXCEPTION_HANDLER": "zoneops.api.errors.exception_handler",
    # Requests per user (a token or a session): past it 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("ZONEOPS_API_RATE", "6000/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "zoneops API",
    "VERSION": "0.6.2",  # raise with every change of the API: docs/openapi.yaml shows it
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the installed sidecar package: nothing is loaded from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema for requests and responses would declare read-only fields as sent.
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "zoneops.api.schema.drop_parameter_titles",
        "zoneops.api.schema.drop_database_integer_limits",
    ],
    # Choice sets of the same field name in several apps: one named enum each.
    "ENUM_NAME_OVERRIDES": {
        "AppealCategoryEnum": "zoneops.appeals.models.Category",
        "AppealChannelEnum": "zoneops.appeals.models.Channel",
        "HazardCategoryEnum": "zoneops.hazards.models.Category",
        "HazardLevelEnum": "zoneops.hazards.models.Level",
        "ProjectCategoryEnum": "zoneops.projects.models.Project.Category",
        "IndustryLevelEnum": "zoneops.enterprises.models.Industry.Level",
        "CertificationLevelEnum": "zoneops.enterprises.models.Certification.Level",
        "IdleRevivalStatusEnum": "zoneops.enterprises.models.IdleRevival.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Rows per page on list pages, and the most rows one export may hold.
ZONEOPS_PAGE_SIZE = 50
ZONEOPS_EXPORT_MAX_ROWS = int(os.environ.get("ZONEOPS_EXPORT_MAX_ROWS", "1000000"))
# A year's holiday arrangement published before chinese-calendar knows it
# (see core/calendar/workdays.py).
ZONEOPS_HOLIDAYS_FILE = os.environ.get("ZONEOPS_HOLIDAYS_FILE", "")
# How often (seconds) a process looks whether another one has entered a year's holiday
# arrangement on the 工作日历 page; 0: never (one process, or the tests).
ZONEOPS_CALENDAR_RECHECK_SECONDS = float(os.environ.get("ZONEOPS_CALENDAR_RECHECK_SECONDS", "60"))
# The zone map's base layer (off by default: the map draws the zone's boundary without tiles).
# An XYZ tile service in WGS-84 / Web Mercator with {z}, {x}, {y} (and {s} for one of
# ZONEOPS_MAP_TILE_SUBDOMAINS), e.g. an intranet 天地图 WMTS with its key:
# http://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec
#   &STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=KEY
# GCJ-02 services (高德, 腾讯) would put every point some 500 m off: not for this setting.
ZONEOPS_MAP_TILE_URL = os.environ.get("ZONEOPS_MAP_TILE_URL", "")
ZONEOPS_MAP_TILE_SUBDOMAINS = os.environ.get("ZONEOPS_MAP_TILE_SUBDOMAINS", "")
ZONEOPS_MAP_TILE_ATTRIBUTION = os.environ.get("ZONEOPS_MAP_TILE_ATTRIBUTION", "")
ZONEOPS_MAP_TILE_MAX_ZOOM = int(os.environ.get("ZONEOPS_MAP_TILE_MAX_ZOOM", "18"))
# Closed-loop escalation: working days past the deadline before each further level.
ZONEOPS_ESCALATION_AFTER_DAYS = [0, 3, 5]

PRODUCT_NAME = _("zoneops")

# projects: traffic lights against 序时进度 (defaults: the published practice) and photo uploads
ZONEOPS_PROJECT_LIGHT_START_RED_MONTHS = 3  # not started by the planned start: red this late
ZONEOPS_PROJECT_LIGHT_INVEST_YELLOW_POINTS = 10  # completed share behind the elapsed share by …
ZONEOPS_PROJECT_LIGHT_INVEST_RED_POINTS = 30  # … 10–30 points: yellow; more than 30: red
ZONEOPS_PROJECT_LIGHT_MILESTONE_OVERDUE = "yellow"
ZONEOPS_PROJECT_LIGHT_BLOCKER_OVERDUE = "red"
ZONEOPS_PROJECT_PHOTO_MAX_BYTES = 10 * 1024 * 1024
# projects / investment: distinct OpenAPI enum names for the two "stage" choice sets
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "ProjectStageEnum": "zoneops.projects.models.Project.Stage",
        "LeadStageEnum": "zoneops.investment.models.Lead.Stage",
    }
)
# investment: response deadlines of a new lead, in working days after it is received
ZONEOPS_LEAD_FIRST_CONTACT_WORKING_DAYS = 1
ZONEOPS_LEAD_ASSESSMENT_WORKING_DAYS = 3
# notifications: the outbox (retries, leases, threads), the daily digest, SMS and 无事不扰
ZONEOPS_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("ZONEOPS_NOTIFY_MAX_ATTEMPTS", "8"))
ZONEOPS_NOTIFY_BACKOFF_SECONDS = 30  # first retry after 30 s, then doubling …
ZONEOPS_NOTIFY_BACKOFF_MAX_SECONDS = 3600  # … up to an hour
ZONEOPS_NOTIFY_LEASE_SECONDS = 300  # a claimed row returns to the queue if not settled by then
ZONEOPS_NOTIFY_WORKERS = int(os.environ.get("ZONEOPS_NOTIFY_WORKERS", "16"))
ZONEOPS_NOTIFY_BATCH = 500
ZONEOPS_NOTIFY_TIMEOUT_SECONDS = 10
ZONEOPS_DIGEST_HOUR = int(os.environ.get("ZONEOPS_DIGEST_HOUR", "8"))  # local time, working days
ZONEOPS_ENTERPRISE_SMS_PER_MONTH = int(os.environ.get("ZONEOPS_ENTERPRISE_SMS_PER_MONTH", "4"))
ZONEOPS_SMS_URL = os.environ.get("ZONEOPS_SMS_URL", "")
ZONEOPS_SMS_BODY_TEMPLATE = os.environ.get(
    "ZONEOPS_SMS_BODY_TEMPLATE", '{"phone": $phone, "content": $text}'
)
ZONEOPS_SMS_CONTENT_TYPE = "application/json; charset=utf-8"
ZONEOPS_SMS_OK_FIELD = os.environ.get("ZONEOPS_SMS_OK_FIELD", "")  # e.g. "code" …
ZONEOPS_SMS_OK_VALUE = os.environ.get("ZONEOPS_SMS_OK_VALUE", "0")  # … must equal this
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "NotificationEventEnum": "zoneops.notifications.models.Event",
        "NotificationChannelEnum": "zoneops.notifications.models.Channel",
    }
)
