"""Production settings: HTTPS only, strict cookies, Redis cache, JSON logs. Everything else from the environment.

The stack they run in (nginx → Varnish → gunicorn, the worker, systemd units) is in deploy/.
"""

from .base import *  # noqa: F403
from .base import env, env_bool, logging_config

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Varnish's health probe talks plain HTTP to each instance: /healthz answers it rather than redirecting.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Behind deploy/'s stack, nginx appends the client to X-Forwarded-For and Varnish appends nginx: the
# client's address is the second from the right. Sign-in throttling and the rate limits count per address
# (accounts.lockout.client_ip); with nginx alone in front, set TRUSTED_PROXY_COUNT=1.
PARVIS_TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "2"))

# Wagtail's live preview shows the page in a same-origin iframe: X-Frame-Options stays SAMEORIGIN
# (base.py), which still refuses framing by any other site.
SILENCED_SYSTEM_CHECKS = ["security.W019"]

# One JSON object per log line (journald, log shippers); LOG_FORMAT=plain for lines a person reads.
LOGGING = logging_config(env("LOG_FORMAT", "json"))

if env("REDIS_URL") is None:
    import warnings

    warnings.warn("REDIS_URL is not set: production falls back to a per-process memory cache.", stacklevel=1)
