"""Production settings: HTTPS only, strict cookies, Redis cache. Everything else from the environment."""

from .base import *  # noqa: F403
from .base import env, env_bool

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Behind the TLS-terminating proxy the deployment requires, the client's address is the one that proxy
# appends to X-Forwarded-For: sign-in throttling counts failures per address (accounts.lockout.client_ip).
PARVIS_TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "1"))

# Wagtail's live preview shows the page in a same-origin iframe: X-Frame-Options stays SAMEORIGIN
# (base.py), which still refuses framing by any other site.
SILENCED_SYSTEM_CHECKS = ["security.W019"]

if env("REDIS_URL") is None:
    import warnings

    warnings.warn("REDIS_URL is not set: production falls back to a per-process memory cache.", stacklevel=1)
