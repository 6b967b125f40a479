"""credo settings: everything that differs between installations comes from the
environment (see the README's table). The defaults are the embedded choice, so a
fresh machine needs nothing but Python: SQLite under var/, files on local disk,
mail to the console, tasks in the database.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env_path("CREDO_VAR_DIR", BASE_DIR / "var")

DEBUG = env_bool("DEBUG", default=False)
# Production mode: secure cookies, HSTS and HTTPS redirects; `check --deploy` is clean.
PRODUCTION = env_bool("CREDO_PRODUCTION", default=False)

_DEV_SECRET = "django-insecure-credo-development-only-never-use-in-production"  # noqa: S105 - refused in production
SECRET_KEY = env_str("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production (CREDO_PRODUCTION=1).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public address of this installation, used in emails and, later, credential URLs.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# What people call this installation: emails open and sign with it, subjects carry it, authenticator apps list it.
CREDO_SITE_NAME = env_str("CREDO_SITE_NAME", "credo")

# Issuers' private signing keys are stored encrypted under this key-encryption key
# (32 bytes, urlsafe base64; `python -m credo.credentials.kek` prints a new one). Keep it
# out of the database and its backups: whoever holds both can sign as every issuer.
# Outside production an unset value falls back to a key derived from SECRET_KEY.
KEY_ENCRYPTION_KEY = env_str("CREDO_KEY_ENCRYPTION_KEY")
# While rotating the KEK: the old ones, comma-separated, until `manage.py reseal_signing_keys` has run.
PREVIOUS_KEY_ENCRYPTION_KEYS = env_list("CREDO_PREVIOUS_KEY_ENCRYPTION_KEYS")
# The audit log's hash chain is sealed (HMAC-SHA-256) with this key (32 bytes, urlsafe base64;
# `python -m credo.audit.keys` prints a new one). Keep it out of the database and its backups:
# with the database alone nobody can then rewrite the log unseen. Outside production an unset
# value falls back to a key derived from SECRET_KEY (with a label of its own).
AUDIT_KEY = env_str("CREDO_AUDIT_KEY")
# After changing it: the old ones, comma-separated, for as long as the events they sealed are checked.
PREVIOUS_AUDIT_KEYS = env_list("CREDO_PREVIOUS_AUDIT_KEYS")

INSTALLED_APPS = [
    # Django's admin (the operator pages, /operator/) behind the site's sign-in: credo/accounts/operator.py.
    "credo.accounts.operator.OperatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "ninja",
    "credo.core",
    "credo.accounts",
    "credo.audit",
    "credo.catalogue",
    "credo.programmes",
    "credo.portfolios",
    "credo.assessment",
    "credo.credentials",
    "credo.front",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "credo" / "templates"],
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


def _database(url: str) -> dict[str, Any]:
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60)))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE takes the write lock when a transaction starts, so two writers queue
        # instead of one failing half-way; WAL lets readers go on while one writes.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    return config


DATABASE_URL = env_str("DATABASE_URL", "")
if not DATABASE_URL:
    # The embedded default: a SQLite file in var/, which a fresh clone does not have yet.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'credo.sqlite3'}"
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

# django-allauth: email is the login; addresses must be verified; failed logins are rate-limited.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{CREDO_SITE_NAME}] "
ACCOUNT_ADAPTER = "credo.accounts.adapter.AccountAdapter"
# Our labels and hints on allauth's forms (its pages are ours too: credo/templates/account/).
ACCOUNT_FORMS = {
    "login": "credo.accounts.forms.SignInForm",
    "signup": "credo.accounts.forms.SignUpForm",
    "reset_password": "credo.accounts.forms.ForgottenPasswordForm",
    "reset_password_from_key": "credo.accounts.forms.ChoosePasswordForm",
    "add_email": "credo.accounts.forms.AnotherEmailForm",
    "change_password": "credo.accounts.forms.NewPasswordForm",
    "set_password": "credo.accounts.forms.FirstPasswordForm",
    "reauthenticate": "credo.accounts.forms.ConfirmPasswordForm",
}
# Rate limits: on unless CREDO_RATE_LIMITS=0 (load tests only). They count in the default cache, which every
# web process shares (CACHE_URL, below). "login_failed" is keyed per account *and* client address (the adapter
# makes the key), so a stranger's wrong passwords never lock the owner out; the looser per-address limit
# slows one address trying a few passwords on many accounts. allauth reads ACCOUNT_RATE_LIMITS = False as "off".
CREDO_RATE_LIMITS = env_bool("CREDO_RATE_LIMITS", default=True)
ACCOUNT_RATE_LIMITS: dict[str, str] | bool = (
    {
        "login_failed": "20/10m/ip,5/5m/key",
        "signup": "20/m/ip",
        "reset_password": "20/m/ip,5/m/key",
    }
    if CREDO_RATE_LIMITS
    else False
)
# Behind a reverse proxy: the proxies' addresses or networks, comma-separated. Only a request from one of
# them has its X-Forwarded-For read for the client's address (credo.core.http.client_address); none by default.
CREDO_TRUSTED_PROXIES = env_list("CREDO_TRUSTED_PROXIES")
for _proxy in CREDO_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"CREDO_TRUSTED_PROXIES must list addresses or networks (e.g. 10.0.0.0/8); got {_proxy!r}."
        ) from None
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = CREDO_SITE_NAME
# The operator pages (/operator/, the Django admin) let in only staff who signed in with a second factor.
CREDO_OPERATOR_MFA = env_bool("CREDO_OPERATOR_MFA", default=PRODUCTION)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env_path("STATIC_ROOT", VAR_DIR / "static")
MEDIA_ROOT = env_path("MEDIA_ROOT", VAR_DIR / "media")
# Uploaded files are never served from a public URL: downloads go through views
# that check permission, so MEDIA_URL is deliberately not routed.
MEDIA_URL = "/media/"


def _storages() -> dict[str, Any]:
    backend = env_str("FILE_STORAGE", "local")
    static = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    }
    if backend == "local":
        return {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": static,
        }
    if backend == "s3":
        return {
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": env_str("S3_BUCKET"),
                    "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
                    "region_name": env_str("S3_REGION") or None,
                    "access_key": env_str("S3_ACCESS_KEY_ID") or None,
                    "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
                    "default_acl": "private",
                    "querystring_auth": True,
                    "file_overwrite": False,
                },
            },
            "staticfiles": static,
        }
    raise ImproperlyConfigured(f"FILE_STORAGE must be 'local' or 's3'; got {backend!r}.")


STORAGES = _storages()

# Portfolio uploads (bytes): the most one file may be, and the most one learner's portfolio may hold.
CREDO_PORTFOLIO_MAX_FILE_BYTES = env_int("CREDO_PORTFOLIO_MAX_FILE_BYTES", 50 * 1024 * 1024)
CREDO_PORTFOLIO_QUOTA_BYTES = env_int("CREDO_PORTFOLIO_QUOTA_BYTES", 500 * 1024 * 1024)
# How many days an attestor's link works (they are reminded 5 days before it stops).
CREDO_ATTESTATION_DAYS = env_int("CREDO_ATTESTATION_DAYS", 30)

# How many days the file an export job made can be downloaded before it is deleted.
CREDO_JOB_OUTPUT_DAYS = env_int("CREDO_JOB_OUTPUT_DAYS", 7)

# Mail goes by SMTP when a host is given; else each message is saved in the outbox (one .eml file each,
# under var/outbox/) and a one-line summary is printed, instead of whole messages on the console.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "credo.core.outbox.OutboxEmailBackend"
EMAIL_OUTBOX_DIR = env_path("CREDO_EMAIL_OUTBOX", VAR_DIR / "outbox")
# The outbox's pages (/dev/outbox/, staff only), for trying credo out: with DEBUG or CREDO_DEV_OUTBOX, and
# never in production, where they would show other people's mail.
DEV_OUTBOX = (DEBUG or env_bool("CREDO_DEV_OUTBOX", default=False)) and not PRODUCTION
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "credo <noreply@credo.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where replies to support notifications arrive (support+<token>@this domain, piped to
# `manage.py receive_support_email`); blank: notifications ask people to answer on credo.
SUPPORT_REPLY_DOMAIN = env_str("CREDO_SUPPORT_REPLY_DOMAIN")
# Refuse emailed replies unless our MTA's Authentication-Results header shows dmarc=pass for the
# sender's domain; the authserv-id names which header is our MTA's (blank: the topmost).
SUPPORT_EMAIL_REQUIRE_DMARC_PASS = env_bool("CREDO_SUPPORT_EMAIL_REQUIRE_DMARC_PASS", default=False)
SUPPORT_EMAIL_AUTHSERV_ID = env_str("CREDO_SUPPORT_EMAIL_AUTHSERV_ID")

# Background work: tasks are rows in the database, run by `manage.py task_worker`.
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# A worker renews its running task's lease every quarter of this; once a lease runs out (the worker died), any live
# worker queues the task again, until it has run CREDO_TASK_MAX_ATTEMPTS times (credo/core/worker.py).
CREDO_TASK_LEASE_SECONDS = env_int("CREDO_TASK_LEASE_SECONDS", 60)
CREDO_TASK_MAX_ATTEMPTS = env_int("CREDO_TASK_MAX_ATTEMPTS", 5)


def _cache(url: str) -> dict[str, Any]:
    """The cache every web process shares: rate limits and used authentication codes live here.

    ``db://`` (the default) is a table in the database (made by ``migrate``), so the embedded set-up needs
    nothing more; ``redis://`` / ``rediss://`` and ``memcached://host:port`` are faster for busy sites;
    ``locmem://`` is one process's memory, for the test suite only (each test process is one server):
    with several processes each would count its own limits, so production refuses it.
    """
    scheme, _, rest = url.partition("://")
    if scheme == "db":
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_TABLE}
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "memcached" and rest:
        servers = [server for server in rest.rstrip("/").split(",") if server]
        return {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache", "LOCATION": servers}
    if scheme == "locmem" and not PRODUCTION:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    raise ImproperlyConfigured(
        "CACHE_URL must be db://, redis://host:6379/0, memcached://host:11211 or (outside production) locmem://; "
        f"got {url!r}."
    )


#: The database cache's table: credo.core's first migration makes it, whatever CACHE_URL says at the time.
CACHE_TABLE = "credo_cache"
CACHES = {"default": _cache(env_str("CACHE_URL", "db://"))}

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True

# Content-Security-Policy on every response (django-csp; decision 0016): scripts and styles only from files
# this site serves, so an injected <script>, style="" or onclick= does nothing. A response that already
# carries a policy keeps it (badge images, file downloads: stricter ones of their own).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Permissions-Policy (django-permissions-policy): credo uses none of these powerful features, so no page,
# nor anything injected into one, may ask for them.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
