"""One settings module; environment variables select the runtime mode.

Embedded (default): SQLite in ``NETRAL_DATA_DIR`` (WAL, IMMEDIATE transactions), local
memory cache, in-process live broadcaster. Scaled out: ``DATABASE_URL`` (PostgreSQL) and
``REDIS_URL`` (cache, rate limits, live pub/sub).
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("NETRAL_DATA_DIR", "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """Secret from the environment, else one generated once and kept in the data folder."""
    key = os.environ.get("NETRAL_SECRET_KEY")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key
    # A concurrent first start may have written it between our read and create.


SECRET_KEY = _secret_key()
DEBUG = _env_bool("NETRAL_DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("NETRAL_ALLOWED_HOSTS", "*").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("NETRAL_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "template_partials",
    "netral.core",
    "netral.accounts",
    "netral.events",
    "netral.knowledge",
    "netral.discussion",
    "netral.evaluation",
    "netral.reports",
    "netral.complaints",
    "reversion",
    "netral.live",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "netral.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "netral.urls"
WSGI_APPLICATION = "netral.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "events:dashboard"
LOGOUT_REDIRECT_URL = "core:home"

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
                "django.template.context_processors.i18n",
                "netral.core.context.netral",
            ],
            "builtins": [
                "django.templatetags.i18n",
                "template_partials.templatetags.partials",
                "netral.core.templatetags.netral",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------
SQLITE_INIT_COMMAND = (
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "PRAGMA foreign_keys=ON;"
    "PRAGMA busy_timeout=20000;"
    "PRAGMA cache_size=-20000;"
)
_database_url = os.environ.get("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=600, conn_health_checks=os.environ.get("NETRAL_DB_HEALTH_CHECKS", "1") == "1")}
    if os.environ.get("NETRAL_TEST_PG_NAME"):  # parallel test runs on one server
        DATABASES["default"]["TEST"] = {"NAME": os.environ["NETRAL_TEST_PG_NAME"]}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "netral.sqlite3",
            "OPTIONS": {
                # One writer at a time: take the write lock at BEGIN, so two writers never
                # deadlock on a read-to-write upgrade ("database is locked").
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": SQLITE_INIT_COMMAND,
            },
            # Tests use a file too (not shared-cache memory), so WAL, IMMEDIATE transactions
            # and the busy timeout behave as in production.
            "TEST": {"NAME": os.environ.get("NETRAL_TEST_SQLITE_NAME") or str(DATA_DIR / "test_netral.sqlite3")},
            # Server threads are persistent: keep their connection (PRAGMAs run once).
            "CONN_MAX_AGE": None,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, rate limits ---------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL") or None
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("NETRAL_CACHE_PREFIX", "netral"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
RATELIMIT_ENABLE = _env_bool("NETRAL_RATELIMIT", True)
RATELIMIT_VIEW = "netral.core.views.ratelimited"
# Behind a load balancer set NETRAL_PROXY_COUNT to trust X-Forwarded-For that many hops.
NETRAL_PROXY_COUNT = int(os.environ.get("NETRAL_PROXY_COUNT", "0"))
RATELIMIT_IP_META_KEY = "netral.core.ratelimit.client_ip"

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Auth -----------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ----------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "netral_lang"

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("NETRAL_MEDIA_DIR", DATA_DIR / "media")).resolve()
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
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
NETRAL_MATERIAL_MAX_BYTES = int(os.environ.get("NETRAL_MATERIAL_MAX_MB", "25")) * 1024 * 1024
NETRAL_IMPORT_MAX_BYTES = int(os.environ.get("NETRAL_IMPORT_MAX_MB", "10")) * 1024 * 1024

# --- Security -------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it from the meta tag, not the cookie
SESSION_COOKIE_SECURE = _env_bool("NETRAL_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Village-hall mode is plain HTTP on a LAN; TLS is the load balancer's job when scaled out.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if NETRAL_PROXY_COUNT else None
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Netral ---------------------------------------------------------------------------
NETRAL_VERSION = __import__("netral").__version__
NETRAL_PUBLIC_URL = os.environ.get("NETRAL_PUBLIC_URL", "").rstrip("/")
NETRAL_PARTICIPANT_COOKIE_DAYS = 60
NETRAL_CHECKIN_QR_PERIOD = int(os.environ.get("NETRAL_CHECKIN_QR_PERIOD", "60"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("NETRAL_LOG_LEVEL", "WARNING")},
    "loggers": {"bm25s": {"level": "WARNING"}},
}
CSRF_FAILURE_VIEW = "netral.core.views.csrf_failure"
