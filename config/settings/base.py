"""Base settings: safe for production. Everything secret or host-specific comes from the environment.

`dev.py` relaxes them for the one-command demo, `test.py` speeds them up for the test suite, and
`production.py` adds what a public deployment needs. Every variable is listed in `.env.example`.
"""

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment (see .env.example).")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "core",
    "accounts",
    "home",
    "councils",
    "members",
    "moderation",
    "documents",
    "images",
    "meetings",
    "events",
    "participation",
    "attendance",
    "sortition",
    "blog",
    "newsletter",
    "search",
    "training",
    "jobs",
    "wagtail.contrib.forms",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "accounts.apps.ParvisUsersAppConfig",  # wagtail.users with Parvis's user viewset
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "anymail",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.http_cache.CacheTagMiddleware",  # tags of what each response shows; public only if nobody's
    "core.middleware.ContentSecurityPolicyMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "core.input_guard.InputGuardMiddleware",  # 400 in French for a null byte or malformed UTF-8
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.seo.RobotsHeaderMiddleware",  # X-Robots-Tag: noindex on private documents and images
    "core.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.admin_guards.AdminObjectGuardMiddleware",  # 403 when an admin URL names what one may not see
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Database: DATABASE_URL (PostgreSQL in production and tests; dev.py defaults to embedded SQLite).
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default="postgres://postgres@127.0.0.1:5432/parvis",
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-in while locked out; must come first
    "accounts.backends.EmailOrUsernameBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Members sign in on the public site (accounts.urls); the admin keeps its own sign-in page.
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "accounts:member_space"
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL

# Internationalisation: the site speaks French.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French"))]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("fr", "Français")]
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = [("fr", "Français")]

# Static and media files: self-hosted, no CDN.
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # WhiteNoise: hashed names (served `immutable`), gzip (and Brotli if installed) made by collectstatic.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Media on S3-compatible object storage (django-storages) when a bucket is named; credentials from boto3's
# usual sources (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment, an instance role…), never
# copied here. Objects are written without a public ACL (the bucket's default: private); URLs are plain,
# unsigned: a signed URL expires, and pages holding image URLs stay in the shared cache for a day. The
# bucket's policy makes public exactly the two folders a web server may serve, `images/` and
# `original_images/` (images.urls.PUBLIC_MEDIA_FOLDERS); `documents/` and `private/` stay private and are
# streamed by Parvis's views after their checks (README "Deployment", "Media on object storage").
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME") or env("S3_BUCKET")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env("AWS_S3_REGION_NAME") or None,
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN") or None,
            "location": env("AWS_LOCATION", ""),
            "default_acl": env("AWS_DEFAULT_ACL") or None,
            "querystring_auth": False,
            "file_overwrite": False,  # as on disk: a new upload never replaces another file of the same name
            "object_parameters": {"CacheControl": "max-age=86400"},
        },
    }
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Cache: Redis when REDIS_URL is set, local memory otherwise.
if env("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("REDIS_URL"),
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "parvis"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Email: Django's backends, configured from the environment.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# A mail server that hangs must not hold a worker (and its email's row lock) forever.
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Parvis <ne-pas-repondre@parvis.localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Background work: Django's tasks framework (django-tasks backport, as Wagtail uses it) with a
# database-backed queue (django-tasks-db), run by `manage.py run_worker` (jobs/). Tests use the
# immediate backend unless they start a real worker.
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Security defaults that hold everywhere; production.py adds HTTPS-only ones.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Wagtail
WAGTAIL_SITE_NAME = env("SITE_NAME", "Parvis")
WAGTAILADMIN_BASE_URL = env("BASE_URL", "http://127.0.0.1:8000")
# search/backend.py: French stemming over unaccented words on PostgreSQL (options dropped on SQLite).
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "search.backend",
        "SEARCH_CONFIG": "french_unaccent",
        "AUTOCOMPLETE_CONFIG": "simple_unaccent",
    }
}
WAGTAILDOCS_DOCUMENT_MODEL = "documents.CouncilDocument"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "documents.forms.CouncilDocumentForm"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "ods", "odp", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
# Text of PDF, ODT, DOCX, TXT and CSV documents, extracted in the background and searched
# (documents/text_extraction.py): larger files are skipped; a child process per file, killed after the
# timeout, within a memory limit; at most this many pages and characters are kept.
PARVIS_DOCUMENT_TEXT_MAX_BYTES = WAGTAILDOCS_MAX_UPLOAD_SIZE
PARVIS_DOCUMENT_TEXT_TIMEOUT = int(env("DOCUMENT_TEXT_TIMEOUT", "60"))
PARVIS_DOCUMENT_TEXT_MAX_PAGES = 300
PARVIS_DOCUMENT_TEXT_MAX_CHARS = 500_000
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# Images of private collections are stored under MEDIA_ROOT/private/ and served by images.views.
WAGTAILIMAGES_IMAGE_MODEL = "images.CouncilImage"
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAIL_PASSWORD_RESET_ENABLED = True
WAGTAILADMIN_COMMENTS_ENABLED = True
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILEMBEDS_RESPONSIVE_HTML = True
# Tag slugs in ASCII: /actualites/tag/mobilite/ rather than a percent-encoded "mobilité".
TAGGIT_STRIP_UNICODE_WHEN_SLUGIFYING = True


def logging_config(log_format):
    """Logs on stderr (journald): `plain` lines, or `json`, one object per line (python-json-logger) with
    time, level, logger, message and any extra fields; Django's `request` object is left out (it is
    not serialisable, and its repr holds the query string: what residents search is not logged)."""
    formatters = {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}}
    if log_format == "json":
        from pythonjsonlogger.core import RESERVED_ATTRS

        formatters["json"] = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "timestamp": "time",  # ISO 8601, UTC
            "rename_fields": {"levelname": "level", "name": "logger"},
            "reserved_attrs": [*RESERVED_ATTRS, "request"],
            "json_default": str,
            "json_ensure_ascii": False,
        }
    elif log_format != "plain":
        raise ImproperlyConfigured("LOG_FORMAT must be json or plain.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": formatters,
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format}},
        "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
        "loggers": {"django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False}},
    }


# LOG_FORMAT: `plain` here (the demo, the tests), `json` by default in production.py.
LOGGING = logging_config(env("LOG_FORMAT", "plain"))

# Sign-in throttling (django-axes): failures counted per account (username and email count as one) and
# per client address, separately; after LOGIN_FAILURE_LIMIT failures, sign-in is refused — even with the
# right password — for LOGIN_COOLOFF_MINUTES. Superusers unlock in the admin (Paramètres → Connexions
# bloquées) or with `manage.py axes_reset_username <username>` / `axes_reset_ip <ip>`.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "accounts.lockout.client_username"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ADMIN = False  # django.contrib.admin is not installed; accounts/ has the Wagtail admin view
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password"]
PARVIS_TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))

# Content-Security-Policy (django-csp, through core.middleware): strict on the public site — no inline
# script, the one inline <style> (site colours) allowed by its hash, the same for every reader so that the
# shared cache may keep the page (core.templatetags.inline_style); video players from VIDEO_EMBED_ORIGINS only.
# Wagtail's admin (PARVIS_ADMIN_PATH_PREFIX) gets its own: it needs inline scripts and styles, but
# loads nothing from another origin, embeds no plugin and posts forms only to itself.
PARVIS_ADMIN_PATH_PREFIX = "/admin/"
PARVIS_CSP_FRAME_SRC = env_list(
    "VIDEO_EMBED_ORIGINS",
    "https://www.youtube-nocookie.com,https://www.youtube.com,https://player.vimeo.com,https://www.dailymotion.com",
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Inline <style> blocks are allowed by their hash ({% inline_style %}): a cached page cannot carry a nonce.
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "frame-src": ["'self'", *PARVIS_CSP_FRAME_SRC],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
PARVIS_ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # Wagtail 8's page editor and its choosers (modal workflow) run inline <script> blocks.
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "frame-src": ["'self'", *PARVIS_CSP_FRAME_SRC],
        "worker-src": ["'self'", "blob:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# The standalone error pages (no request, so no nonce) keep their inline <style>, allowed by its hash.
PARVIS_CSP_STANDALONE_TEMPLATES = ["error_standalone.html"]
PARVIS_PERMISSIONS_POLICY_DENY = [
    "camera",
    "microphone",
    "geolocation",
    "payment",
    "usb",
    "serial",
    "hid",
    "magnetometer",
    "gyroscope",
    "accelerometer",
    "display-capture",
    "browsing-topics",
]
# No avatar fetched from gravatar.com: no third-party request, nothing to allow in the admin's CSP.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# Parvis
# The page model of a council's space: core.visibility reads its `is_sandbox` flag.
PARVIS_SPACE_MODEL = "councils.CouncilPage"
PARVIS_COMMUNICATIONS_GROUP = env("COMMUNICATIONS_GROUP_NAME", "Équipe communication")
# How long an invitation link (to a council's editors or members) stays valid.
PARVIS_INVITATION_DAYS = 7
# Parvis is AGPL-3.0-or-later (LICENSE): whoever runs a modified copy for the public offers its source.
# The footer links to this address (the repository of the code this site runs).
PARVIS_SOURCE_URL = env("SOURCE_URL", "")

# Newsletter (newsletter/): double opt-in, retention of unconfirmed sign-ups, sending in batches.
# How long an unconfirmed sign-up is kept before the daily purge erases it.
PARVIS_NEWSLETTER_UNCONFIRMED_DAYS = int(env("NEWSLETTER_UNCONFIRMED_DAYS", "7"))
# Deliveries claimed per batch (one SMTP connection per batch).
PARVIS_NEWSLETTER_BATCH_SIZE = int(env("NEWSLETTER_BATCH_SIZE", "100"))
# Sends enqueued per issue: with that many workers running, they share the batches (1 by default).
PARVIS_NEWSLETTER_SENDERS = int(env("NEWSLETTER_SENDERS", "1"))
# SMTP connections each send uses at once (each with its own database connection; PostgreSQL only).
PARVIS_NEWSLETTER_THREADS = int(env("NEWSLETTER_THREADS", "2"))
# The sender of the newsletter (a list address; replies go to the city team).
PARVIS_NEWSLETTER_FROM_EMAIL = env("NEWSLETTER_FROM_EMAIL", DEFAULT_FROM_EMAIL)
# django-anymail: bounces and complaints fed back by the provider's tracking webhooks (/anymail/…) when
# ANYMAIL_WEBHOOK_SECRET is set; the SMTP backend stays the default (README, "Newsletter").
ANYMAIL = {"WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET", "")} if env("ANYMAIL_WEBHOOK_SECRET", "") else {}

# The shared cache in front (Varnish with xkey, or a CDN with tags): core.http_cache, README "Deployment".
# How long a shared cache may keep an anonymous page: purges keep it fresh, this bounds what a lost purge costs.
PARVIS_SHARED_CACHE_SECONDS = int(env("SHARED_CACHE_SECONDS", "86400"))
# The response header that carries the tags: `xkey` (Varnish), `Cache-Tag` (Cloudflare), `Surrogate-Key` (Fastly).
PARVIS_CACHE_TAG_HEADER = env("CACHE_TAG_HEADER", "xkey")
# A response whose tags would exceed this many bytes is not shared (Varnish's http_resp_hdr_len: see deploy/).
PARVIS_CACHE_TAG_MAX_BYTES = int(env("CACHE_TAG_MAX_BYTES", "32000"))
# Where purges go, after each commit, through the worker: each Varnish node's address, comma-separated.
VARNISH_PURGE_URLS = [url.strip() for url in env("VARNISH_PURGE_URLS", "").split(",") if url.strip()]
VARNISH_PURGE_TIMEOUT = float(env("VARNISH_PURGE_TIMEOUT", "5"))
