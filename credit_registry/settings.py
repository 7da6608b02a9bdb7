"""Settings for credit_registry, read from the environment (django-environ).

Development defaults need nothing: an embedded SQLite file, DEBUG on. Production is one switch:
``DJANGO_PRODUCTION=true`` turns DEBUG off, demands a real SECRET_KEY and ALLOWED_HOSTS, and
turns on HTTPS-only cookies, HSTS and the redirect to HTTPS. Every variable is listed in
``.env.example``.
"""

import datetime
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

PRODUCTION = env.bool("DJANGO_PRODUCTION", default=False)

if PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str(
        "DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdefghijklmnop"
    )
    ALLOWED_HOSTS = env.list(
        "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"]
    )

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)

INSTALLED_APPS = [
    "credit_registry.apps.RegistryAdminConfig",  # django.contrib.admin with our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "import_export",
    "django_tasks_db",
    "axes",
    "simple_history",
    "credit_registry",
    "schools",
    "teachers",
    "students",
    "evaluations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # NUL bytes in parameters get a 400 page here, before any view or query sees them.
    "credit_registry.middleware.BadInputMiddleware",
    # Any POST moves the counter every cached signed-in page is checked against.
    "credit_registry.middleware.ChangesMiddleware",
    # Names the signed-in user on every history row of people, schools, accounts, the catalog
    # and policies (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "credit_registry.urls"

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
                "credit_registry.context_processors.registry",
            ],
        },
    },
]

WSGI_APPLICATION = "credit_registry.wsgi.application"

# One database. With no DATABASE_URL an embedded SQLite file is used so that a newcomer needs no
# server; production and CI use PostgreSQL (postgres://user@host:5432/name).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background tasks (PDF batches, large imports) through Django's tasks framework, stored in the
# database and run by `manage.py db_worker` (django-tasks-db).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# A cache every app server shares (rate limits, counters): a database table by default, Redis
# in a larger installation (CACHE_URL=redis://127.0.0.1:6379/1).
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://registry_cache")}
# Pages are cached per signed-in user (credit_registry.freshness): room for a few thousand,
# instead of the database cache's default 300 entries.
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
    CACHES["default"]["max_entries"] = env.int("CACHE_MAX_ENTRIES", default=20_000)

# Argon2id first (credit_registry/hashers.py; it also reads Argon2 hashes of other parameters);
# the others only to read older hashes, which are replaced at the next login.
PASSWORD_HASHERS = [
    "credit_registry.hashers.RegistryArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (SPEC §9, README "Login throttling"): django-axes locks an account after five
# failures from any address (15 minutes); a second limiter (credit_registry.views.LoginView)
# refuses every login from an address after 20 failures within the hour, over any accounts.
# Bureau staff unlock both in the workbench (登录锁定).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "credit_registry.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "credit_registry.common.client.peer_address"
# Addresses are limited by that second limiter (a school's network shares one address, and five
# failures there must not lock every teacher out), so axes' warning about ip_address is moot.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
REGISTRY_LOGIN_FAILURES_PER_ADDRESS = env.int("REGISTRY_LOGIN_FAILURES_PER_ADDRESS", default=20)
# The reverse proxies in front of the app (addresses or networks, comma-separated): only a
# request from one of them has its X-Forwarded-For believed. Empty: the direct peer counts.
REGISTRY_TRUSTED_PROXIES = env.list("REGISTRY_TRUSTED_PROXIES", default=[])
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: Simplified Chinese first, English available; China Standard Time.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "var" / "static")

# Uploaded evidence and photos are personal data: they live outside any web root and are served
# only through views that check who may see them. There is deliberately no MEDIA_URL route.
PRIVATE_MEDIA_ROOT = env.path("REGISTRY_PRIVATE_MEDIA_ROOT", default=BASE_DIR / "var" / "private")
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": "/private-not-served/"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Who runs this registry: shown in titles, reports and the admin site.
REGISTRY_DISTRICT_NAME = env.str("REGISTRY_DISTRICT_NAME", default="蕉城区")
REGISTRY_SITE_TITLE = env.str("REGISTRY_SITE_TITLE", default="教育系统信用管理平台")
# The public address QR codes on PDFs point to; empty: the host of the request that made them.
REGISTRY_PUBLIC_BASE_URL = env.str("REGISTRY_PUBLIC_BASE_URL", default="")

MAILERS = {
    "default": {
        "BACKEND": env.str(
            "DJANGO_EMAIL_BACKEND",
            default="django.core.mail.backends.smtp.EmailBackend"
            if PRODUCTION
            else "django.core.mail.backends.console.EmailBackend",
        ),
    }
}
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="registry@localhost")

# Content-Security-Policy through Django's own middleware: only our own origin.
SECURE_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "script-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Codes and identifiers are cut out of every line (credit_registry.common.log_redaction).
    "filters": {"redact": {"()": "credit_registry.common.log_redaction.RedactingFilter"}},
    "formatters": {
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"]},
        "server": {"class": "logging.StreamHandler", "formatter": "server", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # Django's own loggers keep no console handler of their own: every line reaches the root's
    # once. runserver's request lines have their handler (Django's format) and do not propagate.
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
    },
}

# django-import-export: one bad row means nothing is written.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# A file with more rows than this is checked and imported by the background worker, with its
# progress shown in the admin (credit_registry/import_tasks.py), instead of in the request.
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=20_000)

# A single PDF listing more records than this is typeset by the background worker and offered
# on a job page (credit_registry/document_jobs.py) instead of in the request: about 0.1 s plus
# 3–4 ms a record, so 230 records stay within a second. The district report always goes there.
PDF_BACKGROUND_RECORDS = env.int("PDF_BACKGROUND_RECORDS", default=230)
