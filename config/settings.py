"""JointOps settings: every value comes from the environment or a `.env` file (see
`.env.example`, which lists every variable read here).

Unset, the service runs embedded: a SQLite file and the in-memory channel layer.
Production sets `DATABASE_URL` (PostgreSQL) and `REDIS_URL` (channel layer, broker).
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A `.env` file beside manage.py (`make run` writes one for development) fills in what the
# environment leaves unset; ENV_FILE names another file, or none when empty (`make test`).
ENV_FILE = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE and Path(ENV_FILE).is_file():
    environ.Env.read_env(ENV_FILE)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "graphene_django",
    "guardian",
    "axes",
    "django_filters",
    "agencies",
    "audit",
    "operations",
    "timeline",
    "network_analysis",
    "graphql_api",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "agencies.middleware.BearerTokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Embedded mode serves concurrent requests: take the write lock when a transaction
    # starts (no "database is locked" on upgrade), wait for it, and let readers through.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Every request, websocket event and task hands its connection back when it ends. Under
# ASGI each request runs in a thread of its own, so connections kept per thread
# (CONN_MAX_AGE) piled up until the garbage collector found them; PostgreSQL instead
# gets a bounded pool per process (psycopg_pool): at most DATABASE_POOL_MAX_SIZE
# connections, warm between requests, checked before each use. Size it so that
# processes x max size (+ Celery workers) stays under the server's max_connections.
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # with a pool: checked at each checkout
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
        # Seconds a request waits for a free connection before it fails.
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10),
        "max_idle": 300,
    }

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "config.channel_layer.BoundedRedisChannelLayer",
            "CONFIG": {
                # No socket timeout. redis-py 8's default (5 s) equals the time
                # channels-redis blocks waiting for a message, so idle websockets died
                # with "Timeout reading"; and any timeout wraps each send in
                # asyncio.wait_for, which on Python 3.11 can swallow a cancellation, so
                # the receive loop of a closed websocket then polled Redis forever
                # (about 1 disconnect in 16). The server answers every blocking read
                # within channels-redis's wait; keepalive finds a dead peer.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": None,
                        "socket_connect_timeout": 5,
                        "socket_keepalive": True,
                    }
                ],
                "prefix": env.str("CHANNEL_PREFIX", default="jointops"),
                # A group membership lasts this long unless renewed: every process's
                # live hub renews its operations' groups every quarter of it and every
                # websocket its own groups at each re-check (GRAPHQL_WS_REAUTH_INTERVAL),
                # so a live member never expires, while those of a killed process, or of
                # sockets whose close never reached Redis, are gone within it (the
                # default of channels-redis, a day, kept them sending to the dead).
                # Memberships lost with a restarted Redis come back the same way.
                "group_expiry": env.int("CHANNEL_GROUP_EXPIRY", default=900),
                # Messages one channel may hold before sends to it are dropped: each
                # process reads one channel for all the operations it follows, so a
                # burst of reports must fit (a dropped event is only a delay: the hub
                # reads hits by sequence number, and the next event catches up).
                "capacity": env.int("CHANNEL_CAPACITY", default=1000),
                # Redis connections per process and event loop, and how long a send waits
                # for one when all are busy (config/channel_layer.py).
                "max_connections": env.int("REDIS_MAX_CONNECTIONS", default=50),
                "pool_timeout": env.float("REDIS_POOL_TIMEOUT", default=20),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTH_USER_MODEL = "agencies.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-in while throttled (below)
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous callers see nothing

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in throttling (django-axes): after LOGIN_FAILURE_LIMIT failed sign-ins for one
# account, or from one address, sign-in is refused for LOGIN_LOCKOUT_MINUTES with HTTP 429
# and a page that says why. The address is the ASGI client's: behind a proxy, run daphne
# with --proxy-headers so that it is the browser's, not the proxy's.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "frontend.views.sign_in_paused"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The web application signs in at any of its pages; /accounts/login/ takes the form.
LOGIN_URL = "/signin"
# JSON at /graphql/ (401 without credentials), Django's page elsewhere.
CSRF_FAILURE_VIEW = "graphql_api.views.csrf_failure"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Only for `collectstatic` (e.g. to put the files behind a CDN); unset: not needed.
STATIC_ROOT = env.str("STATIC_ROOT", default="") or None
# WhiteNoise serves the static files (the web application's bundle included) from the
# apps' folders, in every mode: no collectstatic step. The bundle's files are named by
# their content hash, so they are cached for a year.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_IMMUTABLE_FILE_TEST = r"^.+/frontend/app/assets/.+-[0-9A-Za-z_-]{8}\.\w+$"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

GRAPHENE = {
    "SCHEMA": "graphql_api.schema.schema",
    "RELAY_CONNECTION_MAX_LIMIT": env.int("GRAPHQL_MAX_PAGE_SIZE", default=100),
    "RELAY_CONNECTION_ENFORCE_FIRST_OR_LAST": False,
    "MIDDLEWARE": ["graphql_api.core.permissions.RootFieldRuleMiddleware"],
}
GRAPHQL_MAX_QUERY_DEPTH = env.int("GRAPHQL_MAX_QUERY_DEPTH", default=12)
# What one document may ask (graphql_api/core/limits.py): aliased fields, root fields of a
# mutation, and the estimated objects resolved (a page of 100 hits with their parts: ~8,000).
GRAPHQL_MAX_ALIASES = env.int("GRAPHQL_MAX_ALIASES", default=20)
GRAPHQL_MAX_MUTATIONS = env.int("GRAPHQL_MAX_MUTATIONS", default=1)
GRAPHQL_MAX_QUERY_COST = env.int("GRAPHQL_MAX_QUERY_COST", default=20000)
# Largest request body (and query string) accepted by /graphql/, in bytes.
GRAPHQL_MAX_BODY_BYTES = env.int("GRAPHQL_MAX_BODY_BYTES", default=1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = GRAPHQL_MAX_BODY_BYTES


def _audience(name: str) -> str:
    """Who may use a developer aid: "anyone", "authenticated" (users) or "nobody"."""
    value = env.str(name, default="anyone" if DEBUG else "authenticated")
    if value not in ("anyone", "authenticated", "nobody"):
        raise ImproperlyConfigured(f"{name} is one of: anyone, authenticated, nobody.")
    return value


# Schema introspection, and the GraphiQL page at /graphql/.
GRAPHQL_INTROSPECTION = _audience("GRAPHQL_INTROSPECTION")
GRAPHIQL = _audience("GRAPHIQL")
# Seconds a websocket may stay open without `connection_init`.
GRAPHQL_WS_INIT_TIMEOUT = env.int("GRAPHQL_WS_INIT_TIMEOUT", default=10)
# Seconds between the re-checks of an open websocket's token or session (a backstop:
# revocation and deactivation through the services close sockets at once); 0: never.
GRAPHQL_WS_REAUTH_INTERVAL = env.float("GRAPHQL_WS_REAUTH_INTERVAL", default=30)
# Operations (queries and subscriptions) one websocket may run at once.
GRAPHQL_WS_MAX_OPERATIONS = env.int("GRAPHQL_WS_MAX_OPERATIONS", default=50)
# Messages one live subscription may have waiting to be sent; a subscriber further behind
# is told to resume (RESUME_REQUIRED, with the afterSequence to resume from).
GRAPHQL_WS_MAX_PENDING = env.int("GRAPHQL_WS_MAX_PENDING", default=300)

# Production hardening: on whenever DEBUG is off, so `check --deploy` is clean.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes tells every sign-in at INFO; lock-outs are WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}

# Network analysis. Runs over at most this many hits finish in the request; larger ones
# go to a Celery worker when CELERY_BROKER_URL is set, else to a thread of this process.
ANALYSIS_INLINE_MAX_HITS = env.int("ANALYSIS_INLINE_MAX_HITS", default=2000)
# A run still queued or running this many seconds after it was created or started was
# left by a worker that died: the next run to be created or started marks it failed.
# Celery's hard limit kills a task at the same age.
ANALYSIS_RUN_TIME_LIMIT = env.int("ANALYSIS_RUN_TIME_LIMIT", default=6 * 3600)
# A networkx dispatch backend for the measures (e.g. "parallel" with nx-parallel).
NETWORKX_BACKEND = env.str("NETWORKX_BACKEND", default="") or None
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = ANALYSIS_RUN_TIME_LIMIT
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
