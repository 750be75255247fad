"""Django settings: database from AIRGRADE_DATABASE_URL (SQLite under var/ by default), zh-hans, Asia/Shanghai."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
# var/ holds local state (SQLite file, generated secret key, uploads); AIRGRADE_VAR_DIR moves it.
VAR_DIR = Path(os.environ.get("AIRGRADE_VAR_DIR", Path.cwd() / "var")).resolve()
if os.environ.get("PYTEST_XDIST_WORKER"):
    # `make test` runs the suite in parallel pytest-xdist processes, each on its own test database whose ids start at 1:
    # each gets its own var/ too, so one's job-progress cache, uploads and gate archives never meet another's.
    VAR_DIR = VAR_DIR / "test-workers" / os.environ["PYTEST_XDIST_WORKER"]
PRODUCTION = os.environ.get("AIRGRADE_PRODUCTION", "") in ("1", "true", "yes")


def _secret_key() -> str:
    key = os.environ.get("AIRGRADE_SECRET_KEY")
    if key and PRODUCTION and (len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-")):
        # The same test as Django's security.W009, made an error: sessions and password-reset links hang on it.
        raise ImproperlyConfigured(
            "生产模式的 AIRGRADE_SECRET_KEY 太弱：至少 50 个字符、5 种以上不同字符（AIRGRADE_SECRET_KEY is too weak）"
        )
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("生产模式必须设置环境变量 AIRGRADE_SECRET_KEY (AIRGRADE_SECRET_KEY is required)")
    # Local runs: generate once into var/ so sessions survive restarts without a committed secret.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("AIRGRADE_DEBUG", "") in ("1", "true", "yes") and not PRODUCTION
ALLOWED_HOSTS = [h for h in os.environ.get("AIRGRADE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
if PRODUCTION:
    # Django's test client's host name has no place on a real server.
    ALLOWED_HOSTS = [h for h in ALLOWED_HOSTS if h != "testserver"] or ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    # django-ninja as an app: /api/docs renders Swagger UI from the assets the ninja package ships (no CDN).
    "ninja",
    # django-filter: the filters of every list page (airgrade.platform.lists, ADR 0006); as an app for its messages.
    "django_filters",
    "airgrade.platform.regions",
    "airgrade.platform.accounts",
    "airgrade.platform.audit",
    "airgrade.platform.enterprises",
    "airgrade.platform.declarations",
    "airgrade.platform.grades",
    "airgrade.platform.disclosure",
    "airgrade.platform.emergency",
    "airgrade.platform.gates",
    "airgrade.platform.verification",
    "airgrade.platform.rulebook",
    "airgrade.platform.targets",
    "airgrade.platform.home",
    "django_tasks",
    "django_tasks_db",
    "airgrade.platform.jobs",
    "airgrade.platform.workbooks",
    "airgrade.platform.scorecards",
]

# Background jobs: Django's Tasks API (django-tasks backport) on the database backend — no broker, the same
# SQLite or PostgreSQL database; `airgrade worker` (started by `airgrade serve`) runs them (docs/adr/0004-background-jobs-django-tasks.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Live job progress and cancel flags: a file cache both the web and the worker processes see (jobs/services.py).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "jobs": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache" / "jobs"),
    },
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "airgrade.platform.params.RefuseNulMiddleware",
    "csp.middleware.CSPMiddleware",
    # gunicorn serves no files: WhiteNoise serves the collected static files (CSS, htmx, ECharts) itself.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "airgrade.platform.i18n.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in user's access actor is computed once per request (an expert's assignments read every app).
    "airgrade.platform.permissions.RequestActorMiddleware",
    # A temporary password set by a superior must be changed before anything else (issue 8).
    "airgrade.platform.accounts.middleware.TemporaryPasswordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "airgrade.platform.errors.FriendlyErrorMiddleware",
    # Last, so it sees the outcome of a login and answers a lock-out with the Chinese sign-in page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "airgrade.platform.urls"
WSGI_APPLICATION = "airgrade.platform.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "airgrade.platform.accounts.context.current_actor",
            ],
            # `num`: every number on a page in fixed notation with thousands separators (airgrade.platform.numbers).
            "builtins": ["airgrade.platform.numbers", "airgrade.platform.labels"],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'airgrade.sqlite3'}"
DATABASE_URL = os.environ.get("AIRGRADE_DATABASE_URL", _default_db)
if DATABASE_URL.startswith("sqlite"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer commits; a busy timeout instead of instant 'database is locked'.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
# Parallel test runs (several checkouts on one PostgreSQL server) each get their own test database.
if os.environ.get("AIRGRADE_TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["AIRGRADE_TEST_DATABASE_NAME"]}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not the shared-cache in-memory database: there concurrent connections get "table is locked" at once
    # instead of waiting, so tests that run requests in parallel threads could not use real transactions.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-airgrade.sqlite3")}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Login throttling is django-axes (docs/adr/0005-login-throttling-django-axes.md). Its backend comes first, so
# every authenticate() call, whatever the path, is refused while the username + address pair is locked out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed logins per username + client address before that pair is locked out for the cool-off.
AXES_FAILURE_LIMIT = int(os.environ.get("AIRGRADE_LOGIN_THROTTLE_ATTEMPTS", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "airgrade.platform.accounts.addresses.client_address"
AXES_LOCKOUT_CALLABLE = "airgrade.platform.accounts.views.locked_out"
AXES_VERBOSE = False
# Failed logins for one username from all addresses together before every further try needs the captcha. Higher
# than the per-address limit and never a lock-out: nobody can keep a user out by failing on their name.
LOGIN_CAPTCHA_AFTER_FAILURES = int(os.environ.get("AIRGRADE_LOGIN_CAPTCHA_AFTER", "10"))
# Reverse proxies whose X-Forwarded-For is believed (addresses, comma-separated); see accounts/addresses.py.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("AIRGRADE_TRUSTED_PROXIES", "").split(",") if p.strip()]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Chinese is the source language of the templates; locale/en holds the English catalogue.
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


SESSION_COOKIE_HTTPONLY = True
# htmx sends the CSRF token from the hx-headers attribute of <body>, so the cookie can stay HTTP-only.
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts only from our own static files — no inline script, no eval, no CDN
# (tests/platform/test_security_headers.py fails on an inline script in a template). Inline style attributes stay
# allowed: they carry layout only, and htmx and ECharts set styles at run time.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if PRODUCTION:
    # Served over HTTPS only (a TLS-terminating proxy or gunicorn with certificates): redirect, HSTS, secure cookies.
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if TRUSTED_PROXIES:
        # Only a configured proxy terminates TLS for us, and it sets (overwrites) X-Forwarded-Proto.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("AIRGRADE_LOG_LEVEL", "WARNING")},
}
