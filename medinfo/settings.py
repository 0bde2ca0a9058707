"""medinfo settings: everything that differs between machines comes from the environment.

DJANGO_DEBUG       "1"/"true" for development; off (the production default) otherwise.
                   Refused with a public host name in DJANGO_ALLOWED_HOSTS.
DJANGO_ENV         "production" makes manage.py ignore a development .env (medinfo/envfile.py);
                   gunicorn never reads .env.
DJANGO_SECRET_KEY  required when DEBUG is off; development has a fixed, clearly fake key.
DJANGO_ALLOWED_HOSTS  comma-separated host names (default in DEBUG: localhost, 127.0.0.1).
DATABASE_URL       PostgreSQL URL; unset or empty: the embedded server under .data/.
MEDINFO_DB_NAME    the database on the embedded server ("medinfo"; benchmarks use another).
MEDINFO_EMBEDDED_DIR  the embedded server's data folder (.data/postgres by default).
DATABASE_REPLICA_URLS  comma-separated PostgreSQL URLs of streaming replicas of DATABASE_URL:
                   reader GETs read from them; writes, the admin and previews use the
                   primary (medinfo/db_routing.py). Unset: everything uses the primary.
DATABASE_PRIMARY_AFTER_WRITE_SECONDS  how long a client's reads stay on the primary after
                   it wrote (5), so editors see their own changes whatever the replica lag.
REDIS_URL          optional cache backend (redis://...); the local-memory cache otherwise.
                   App servers that share it share their cached pages.
MEDINFO_PAGE_CACHE "0" turns the full-page cache off (benchmarks of uncached pages).
MEDINFO_PAGE_CACHE_DELAY  seconds a process may serve pages of the content version it last
                   read (1; the test suite uses 0).
DJANGO_CDN_MAX_AGE / DJANGO_CDN_STALE_SECONDS  s-maxage and stale-while-revalidate of public
                   pages (1 s each by default).

Production only (DEBUG off), all optional:
DJANGO_CSRF_TRUSTED_ORIGINS  comma-separated origins, e.g. https://medinfo.example.
DJANGO_BEHIND_TLS_PROXY      "1" when a TLS-terminating proxy forwards X-Forwarded-Proto
                             and X-Forwarded-For (HTTPS detection, login throttling).
DJANGO_TRUSTED_PROXY_COUNT   how many proxies of ours append to X-Forwarded-For (1: just
                             the load balancer; 2: a CDN in front of it). The client's
                             address for login throttling is that many entries from the end.
DJANGO_SECURE_SSL_REDIRECT   "0" to leave HTTP-to-HTTPS redirects to the proxy.
DJANGO_LOCAL_HTTP            "1": production settings served over plain HTTP on this machine
                             only (`make run`): no HTTPS redirect, HSTS or Secure cookies, so
                             the admin login works on http://127.0.0.1. Refused with a public
                             host name in DJANGO_ALLOWED_HOSTS.
DJANGO_HSTS_SECONDS          HSTS max-age (one year by default).
DJANGO_MEDIA_ROOT            where uploads are stored (media/ by default).
DJANGO_AXES_ENABLED          "0" turns login throttling off.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (production). "
            "For development, run `make dev` once (it writes .env) or set DJANGO_DEBUG=1."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production-0123456789abcdef"

LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", LOCAL_HOSTS if DEBUG else [])
if DEBUG and (public := [h for h in ALLOWED_HOSTS if h.lstrip(".") not in LOCAL_HOSTS]):
    raise ImproperlyConfigured(
        f"DJANGO_DEBUG is on with public host names ({', '.join(public)}): a production "
        "server must never show debug pages. Set DJANGO_DEBUG=0 (and DJANGO_ENV=production, "
        "so that manage.py ignores a development .env), or serve only local host names."
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "markdownx",
    "axes",
    "reversion",
    "reversion_compare",
    "medinfo",
    "content",
    "drugs",
    "articles",
    "pages",
    "interchange",
    "pagecache",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Reader GETs read from a replica (if any): before anything that reads the database.
    "medinfo.db_routing.ReplicaRoutingMiddleware",
    # Whole pages for anonymous readers; what it stores is already compressed (GZip inside).
    "pagecache.middleware.PageCacheMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "medinfo.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "medinfo.urls"
WSGI_APPLICATION = "medinfo.wsgi.application"

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
                "django.template.context_processors.csp",
                "pages.context_processors.site",
            ],
        },
    },
]

# --- Database: PostgreSQL everywhere -------------------------------------------------
_database_url = os.environ.get("DATABASE_URL", "").strip()
if not _database_url:
    from medinfo.embedded_db import database_url

    # MEDINFO_DB_NAME picks another database on the embedded server (benchmarks use one).
    _database_url = database_url(
        Path(os.environ.get("MEDINFO_EMBEDDED_DIR", "").strip() or BASE_DIR / ".data" / "postgres"),
        os.environ.get("MEDINFO_DB_NAME", "").strip() or "medinfo",
    )
DATABASES = {
    "default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
}
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("medinfo runs on PostgreSQL only: DATABASE_URL must be postgres://")

# Read replicas, "replica_1", "replica_2", ...: reader requests only (medinfo/db_routing.py).
# A short connect timeout (libpq's minimum is 2 s): a replica that does not answer costs one
# request that long, then the primary serves for a while. A test run mirrors them onto the
# test database of "default" rather than creating test databases on read-only servers.
DATABASE_REPLICAS = []
for _number, _replica_url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    _replica = dj_database_url.parse(_replica_url, conn_max_age=60, conn_health_checks=True)
    if _replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS must be postgres:// URLs")
    _replica.setdefault("OPTIONS", {})["connect_timeout"] = 2
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
    DATABASE_REPLICAS.append(f"replica_{_number}")
DATABASE_ROUTERS = ["medinfo.db_routing.ReplicaRouter"]
DATABASE_PRIMARY_AFTER_WRITE_SECONDS = max(1, env_int("DATABASE_PRIMARY_AFTER_WRITE_SECONDS", 5))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------
# Redis is optional: while it is down or slow the cache acts empty (medinfo/cache.py), and
# no request waits on it longer than these timeouts (it answers in well under 1 ms).
# Without Redis each process keeps its own pages (the local-memory cache): still correct,
# since every entry is keyed on the shared content version (pagecache/version.py).
_redis_url = os.environ.get("REDIS_URL", "").strip()
if _redis_url:
    CACHES = {
        alias: {
            "BACKEND": "medinfo.cache.OptionalRedisCache",
            "LOCATION": _redis_url,
            "KEY_PREFIX": f"medinfo-{alias}",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        for alias in ("default", "pages")
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
            "OPTIONS": {"MAX_ENTRIES": env_int("MEDINFO_PAGE_CACHE_ENTRIES", 2000)},
        },
    }

# --- Full-page cache for anonymous readers (pagecache/) ----------------------------------
PAGE_CACHE_ENABLED = env_bool("MEDINFO_PAGE_CACHE", default=True)
PAGE_CACHE_ALIAS = "pages"
# How long a process may go on serving pages of the content version it last read: the
# longest a publish, rename or edit takes to reach every reader (scheduled times are exact).
PAGE_CACHE_VERSION_SECONDS = float(os.environ.get("MEDINFO_PAGE_CACHE_DELAY", "").strip() or 1)
PAGE_CACHE_SECONDS = 600  # an entry's life; a new content version leaves old ones unread
# What a CDN may do with a public page (Cache-Control): keep it this long, then serve it
# stale while it revalidates, or while the site is down. The defaults keep the 1-s promise.
PAGE_CDN_SECONDS = env_int("DJANGO_CDN_MAX_AGE", 1)
PAGE_CDN_STALE_SECONDS = env_int("DJANGO_CDN_STALE_SECONDS", 1)
PAGE_CDN_STALE_IF_ERROR_SECONDS = env_int("DJANGO_CDN_STALE_IF_ERROR_SECONDS", 86400)

# --- Authentication ------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = 0.25  # hours
# Locked by client address and, separately, by username: a rotating User-Agent or many
# addresses guessing one editor's password still count against that username.
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_ENABLED = env_bool("DJANGO_AXES_ENABLED", default=True)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"


TRUSTED_PROXY_COUNT = max(1, env_int("DJANGO_TRUSTED_PROXY_COUNT", 1))


def client_ip_behind_proxy(request, proxies: int | None = None) -> str | None:
    """The address the outermost of our proxies saw, from X-Forwarded-For.

    Each of our proxies appends the address it received from, so with N proxies (CDN, load
    balancer, ...) the client's is the Nth entry from the right; entries further left came
    from the client and can be forged. Behind a proxy REMOTE_ADDR is the proxy itself, so
    throttling by it would lock every editor out at once.
    """
    proxies = proxies or TRUSTED_PROXY_COUNT
    entries = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    entries = [e for e in entries if e]
    if len(entries) >= proxies:
        return entries[-proxies]
    return entries[0] if entries else request.META.get("REMOTE_ADDR")


# --- Internationalisation --------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", "").strip() or BASE_DIR / "media")
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
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024  # larger Markdown previews are refused

# --- django-markdownx: our renderer, our endpoints (see articles/editor_views.py) ------
MARKDOWNX_MARKDOWNIFY_FUNCTION = "content.markup.markdownify"
MARKDOWNX_MEDIA_PATH = "markdownx/"
MARKDOWNX_UPLOAD_MAX_SIZE = 5 * 1024 * 1024
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png"]
MARKDOWNX_SERVER_CALL_LATENCY = 400
# 12.6 megapixels: a 12 MP phone photo (4032×3024) fits. An upload holds at most two copies
# of 4 bytes a pixel (articles/uploads.py), 100 MB: four at once stay under 512 MB.
MARKDOWNX_IMAGE_MAX_PIXELS = 4096 * 3072

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("DJANGO_BEHIND_TLS_PROXY"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        AXES_CLIENT_IP_CALLABLE = client_ip_behind_proxy
    if env_bool("DJANGO_LOCAL_HTTP"):
        # `make run`: production on http://127.0.0.1, where a Secure cookie never comes back
        # and an HTTPS redirect or HSTS would lock the browser out. Never on a public name.
        if public := [h for h in ALLOWED_HOSTS if h.lstrip(".") not in LOCAL_HOSTS]:
            raise ImproperlyConfigured(
                f"DJANGO_LOCAL_HTTP serves plain HTTP and is for this machine only, not for "
                f"{', '.join(public)}: unset it and serve HTTPS."
            )
        SECURE_SSL_REDIRECT = False
        SECURE_HSTS_SECONDS = 0
        SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
