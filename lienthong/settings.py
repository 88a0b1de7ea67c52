"""Settings, read from the environment.

Without DATABASE_URL the portal runs on SQLite, and without REDIS_URL Celery
tasks run eagerly in-process: that is the zero-setup `make run`. With both it
runs on PostgreSQL with a real broker, worker and beat, which is how the test
suite and production run.
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
PRODUCTION = env_bool("PRODUCTION", False)
# Development only: a fixed key so sessions survive restarts of `make run`.
# With DEBUG off it is refused (system check lienthong.E001, lienthong/checks.py).
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-3b8f2a"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set in production")
    SECRET_KEY = DEV_SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Load balancers / reverse proxies (addresses or networks) whose
# X-Forwarded-For is believed: the client is the right-most hop they did not
# add (lienthong.auth.client_address). Empty: REMOTE_ADDR is the client.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    "agencies",
    "dossiers",
    "staff",
    "citizens",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Vietnamese unless the person picked English (not the browser's language).
    "lienthong.middleware.PortalLocaleMiddleware",
    # After the locale is chosen, so their refusals speak the person's
    # language rather than whatever the thread served last; before anything
    # reads the body or resolves the URL.
    "lienthong.middleware.RequestSizeLimitMiddleware",
    "lienthong.middleware.NulCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "lienthong.urls"
WSGI_APPLICATION = "lienthong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agencies.context_processors.navigation",
                "dossiers.context_processors.legal_basis",
            ],
            # {% load vn %}: dates, times and money as lienthong.formatting writes them.
            "libraries": {"vn": "lienthong.templatetags.vn"},
        },
    }
]

# --- Database -------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")


def database_from_url(url: str) -> dj_database_url.DBConfig:
    """One PostgreSQL connection's settings (the primary and the replica
    alike): persistent connections, checked before reuse."""
    return dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)


if DATABASE_URL:
    DATABASES: dict[str, Any] = {"default": database_from_url(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", BASE_DIR / "db.sqlite3"),
            "OPTIONS": {"timeout": 20},
        }
    }
    # The reports' covering index keeps only its key columns on SQLite.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
# Each parallel test run can pick its own throwaway database.
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
# Optional streaming read replica of the primary: the reports and dashboards
# read from it (reports/db.py), everything else and every write stays on
# `default`. Under test it is the same database as `default` (MIRROR).
REPLICA_DATABASE_URL = os.environ.get("REPLICA_DATABASE_URL", "")
if REPLICA_DATABASE_URL:
    if not DATABASE_URL:
        raise RuntimeError("REPLICA_DATABASE_URL needs DATABASE_URL: a replica of the PostgreSQL primary")
    DATABASES["replica"] = {**database_from_url(REPLICA_DATABASE_URL), "TEST": {"MIRROR": "default"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "agencies.User"

# --- Redis, cache, Celery ---------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# The cache lives in its own Redis database (the broker's +1), so that a
# cache.clear() can never drop queued tasks.
CACHE_URL = os.environ.get("CACHE_URL", "")
if not CACHE_URL and REDIS_URL:
    _base, _sep, _db = REDIS_URL.rpartition("/")
    CACHE_URL = f"{_base}/{int(_db) + 1}" if _db.isdigit() else f"{REDIS_URL.rstrip('/')}/1"
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL,
                          "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "lt")}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "lienthong")
# PDFs and reports go to `<queue>.documents` / `<queue>.reports` (lienthong/celery.py).
CELERY_TASK_ROUTES = ("lienthong.celery.route_task",)
# A task not acknowledged within this time (its worker died) is delivered
# again; longer than the slowest task (the country's daily report).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))}
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
# Task modules beside the apps' tasks.py files.
CELERY_IMPORTS = ("dossiers.document_tasks",)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The static part of the schedule; django-celery-beat copies it into the
# database where an admin can change it (e.g. the daily report time).
CELERY_BEAT_SCHEDULE: dict = {
    "dossiers-sweep": {"task": "dossiers.tasks.sweep", "schedule": 60.0},
    # Retention (docs/domain.md §10): nightly, away from office hours.
    "dossiers-retention-purge": {"task": "dossiers.tasks.purge_expired_personal_data",
                                 "schedule": crontab(hour=2, minute=15)},
    "reports-daily": {
        "task": "reports.tasks.build_daily_report",
        "schedule": crontab(hour=int(os.environ.get("DAILY_REPORT_HOUR", "13")),
                            minute=int(os.environ.get("DAILY_REPORT_MINUTE", "30"))),
    },
}

# --- Personal data (docs/domain.md §2) ------------------------------------
# An officer who opens more than this many distinct dossiers outside their
# queue (no leg of their agency in their unit) in one day is listed on the
# unusual-access report.
UNUSUAL_ACCESS_PER_DAY = int(os.environ.get("UNUSUAL_ACCESS_PER_DAY", "20"))

# --- Auth -----------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Citizens log in with a phone number, an email or a username.
AUTHENTICATION_BACKENDS = ["agencies.auth.ContactBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Language and time ----------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("COLLECTSTATIC", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing root
# Uploads: 10 MB per file (DOMAIN: attachments), a little more per request.
MAX_UPLOAD_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
# A multipart request may carry several attachments.
MAX_REQUEST_SIZE = int(os.environ.get("MAX_REQUEST_SIZE", 6 * MAX_UPLOAD_SIZE))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Email and SMS --------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The SMTP server of django.core.mail.backends.smtp.EmailBackend. A server that
# hangs fails the send after EMAIL_TIMEOUT seconds: the task retries it.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "lienthong@localhost")
SMS_BACKEND = os.environ.get("SMS_BACKEND", "dossiers.notifications.LogSmsBackend")
# The portal's public address, for the links in QR codes, SMS and e-mail
# (lienthong.links). `make run` sets it from its port; production must set it
# (lienthong.checks refuses to start without it).
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "" if PRODUCTION else "http://127.0.0.1:8000").strip()
# PAdES signing of issued PDFs: PEM key and certificate paths (`make run`
# generates a demo pair with `manage.py make_demo_signing_key`).
DOCUMENT_SIGNING_KEY = os.environ.get("DOCUMENT_SIGNING_KEY", "")
DOCUMENT_SIGNING_CERT = os.environ.get("DOCUMENT_SIGNING_CERT", "")
DOCUMENT_SIGNING_PASSPHRASE = os.environ.get("DOCUMENT_SIGNING_PASSPHRASE", "")

# --- REST framework -------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "lienthong.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": ["lienthong.parsers.JSONParser", "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_SCHEMA_CLASS": "lienthong.schema.ErrorsSchema",
    "EXCEPTION_HANDLER": "lienthong.api.exception_handler",
}
# API tokens expire this long after they were issued (docs/api.md).
API_TOKEN_TTL = timedelta(days=int(os.environ.get("API_TOKEN_TTL_DAYS", "30")))
SPECTACULAR_SETTINGS: dict[str, Any] = {
    "TITLE": "Liên thông API",
    "DESCRIPTION": "Dịch vụ công liên thông khai sinh và khai tử",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files (no CDN, no inline script: CSP).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema and its docs page describe every endpoint: for signed-in
    # users only in production (lienthong/urls.py sends the docs page to the log-in).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated" if PRODUCTION
                          else "rest_framework.permissions.AllowAny"],
}

# --- Security (production hardening; tests run with DEBUG off too) --------
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Hardening: `manage.py check --deploy` clean; the load
    # balancer's plain-HTTP health probe is not redirected.
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SAMESITE = "Lax"
    CSRF_COOKIE_SAMESITE = "Lax"

# /healthz details (queues, workers, error texts, host names) are for
# monitoring: a request from 127.0.0.1, or one sending `Authorization: Bearer
# <HEALTHZ_TOKEN>`. Anyone else gets the status alone.
HEALTHZ_TOKEN = os.environ.get("HEALTHZ_TOKEN", "")

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Hardening ----------------------------------------------------------------
# Login throttling (django-axes): 5 failures for one username from one IP lock
# that pair out for 15 minutes. The web form and the API token endpoint both
# go through django.contrib.auth.authenticate(request=...), so both count.
# Attempts live in the database, so each test's rollback/flush forgets them.

INSTALLED_APPS += ["axes", "csp"]
# Last: names the third-party admin sections once every app is loaded.
INSTALLED_APPS += ["lienthong.apps.PortalConfig"]
# Axes must see the response last; CSP adds its header to every response.
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "csp.middleware.CSPMiddleware")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
# Axes' backend goes first and only refuses locked-out pairs; whatever
# backends are configured above (ModelBackend by default) still log people in.
AUTHENTICATION_BACKENDS = ["lienthong.auth.AxesRequestBackend"] + [
    backend for backend in globals().get("AUTHENTICATION_BACKENDS", ["django.contrib.auth.backends.ModelBackend"])
    if not backend.startswith("axes.")
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The "username" is the account the typed name resolves to (any case, any
# spelling of its phone), the address the client's as the deployment sees it.
AXES_USERNAME_CALLABLE = "agencies.auth.login_identity"
AXES_CLIENT_IP_CALLABLE = "lienthong.auth.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_COOLOFF_MESSAGE = format_lazy(
    _("Bạn đã đăng nhập sai {limit} lần liên tiếp. Để bảo vệ tài khoản, việc đăng nhập bằng tên này từ máy của bạn "
      "tạm khóa trong {minutes} phút. Vui lòng thử lại sau hoặc dùng chức năng “Quên mật khẩu”."),
    limit=AXES_FAILURE_LIMIT, minutes=int(AXES_COOLOFF_TIME.total_seconds() // 60))
# Failures and lock-outs are warnings; each successful log-in is not news.
AXES_VERBOSE = False
LOGGING["loggers"]["axes"] = {"level": "WARNING"}
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"

# Content security policy (django-csp 4): no inline scripts anywhere; htmx
# and the portal's scripts are static files. Inline styles stay allowed
# (htmx injects its indicator style).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# One name per choice set in the OpenAPI schema (drf-spectacular's W001
# warnings would otherwise keep `check --deploy` from being clean).
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({
    "ServiceEnum": "dossiers.models.Service",
    "LegStatusEnum": "dossiers.models.LegStatus",
    "DossierStatusEnum": "dossiers.models.DossierStatus",
})

