"""Response headers every page carries: the Content-Security-Policy (a strict one for the public site,
Wagtail's admin its own), a Permissions-Policy, and `Cache-Control: private` on anything that depends
on who asks, so that no shared cache ever hands one person's page to another.
"""

import hashlib
import re
from base64 import b64encode
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers

from csp.middleware import CSPMiddleware, PolicyParts

PRIVATE_CONTENT_ATTRIBUTE = "parvis_private_content"


def mark_private(request):
    """Flag the response to `request` as restricted content: never stored by a shared cache."""
    setattr(request, PRIVATE_CONTENT_ATTRIBUTE, True)


def is_admin_path(path):
    return path.startswith(settings.PARVIS_ADMIN_PATH_PREFIX)


STYLE_HASHES_ATTRIBUTE = "parvis_style_hashes"


def style_hash(css):
    return f"'sha256-{b64encode(hashlib.sha256(css.encode()).digest()).decode()}'"


def allow_inline_style(request, css):
    """Allow this <style> block on the response to `request` by its hash (`{% inline_style %}`)."""
    hashes = getattr(request, STYLE_HASHES_ATTRIBUTE, None)
    if hashes is None:
        hashes = []
        setattr(request, STYLE_HASHES_ATTRIBUTE, hashes)
    if (value := style_hash(css)) not in hashes:
        hashes.append(value)


@cache
def standalone_page_style_hashes():
    """CSP hashes of the <style> blocks of the standalone error pages (400, 500), which are rendered
    without a request, so without a nonce, and must not depend on anything but themselves."""
    hashes = []
    for name in settings.PARVIS_CSP_STANDALONE_TEMPLATES:
        for template_dir in settings.TEMPLATES[0]["DIRS"]:
            try:
                source = (template_dir / name).read_text(encoding="utf-8")
            except OSError:
                continue
            for style in re.findall(r"<style>(.*?)</style>", source, flags=re.DOTALL):
                hashes.append(style_hash(style))
    return tuple(hashes)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with two policies: CONTENT_SECURITY_POLICY for the public site, and
    PARVIS_ADMIN_CONTENT_SECURITY_POLICY for Wagtail's admin, whose pages use inline styles."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only or parts.config is not None:
            return parts
        if is_admin_path(request.path_info):
            return PolicyParts(
                config=settings.PARVIS_ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"],
                update=parts.update,
                replace=parts.replace,
                nonce=parts.nonce,
            )
        hashes = list(getattr(request, STYLE_HASHES_ATTRIBUTE, ()))
        if response.status_code >= 400:
            hashes.extend(standalone_page_style_hashes())
        if hashes:
            parts.update = {**(parts.update or {}), "style-src": hashes}
        return parts


class PermissionsPolicyMiddleware:
    """Permissions-Policy: the site never needs a camera, a microphone, the position, payments…"""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PARVIS_PERMISSIONS_POLICY_DENY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-cache` on every response that depends on who asks.

    That is: any response to a signed-in person (their pages show members-only items and their name);
    a redirect to a sign-in page (what a restricted page or document answers an anonymous visitor);
    anonymous responses that carry a CSRF token (a form: sign-in, a page's password form), which is
    tied to one visitor's cookie; anything an anonymous visitor sees after giving a page's or a
    collection's password; and whatever a view flagged with `mark_private`. `no-store` set by a view is
    kept. Placed after the CSRF and authentication middleware so it sees both; it runs no query (the
    query budgets of public pages hold).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self.depends_on_who_asks(request, response):
            if "public" in response.get("Cache-Control", ""):
                del response["Cache-Control"]
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ("Cookie",))
        return response

    @staticmethod
    def depends_on_who_asks(request, response):
        if getattr(request, PRIVATE_CONTENT_ATTRIBUTE, False):
            return True
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or settings.CSRF_COOKIE_NAME in response.cookies:
            return True
        if is_redirect_to_sign_in(response):
            return True
        # Only a session signs anyone in or remembers a password: without its cookie the visitor is
        # anonymous, and the session need not be read (reading it adds `Vary: Cookie`).
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return False
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return True
        session = getattr(request, "session", None)
        return session is not None and any(session.get(key) for key in PASSED_RESTRICTIONS_SESSION_KEYS)


# Where Wagtail remembers the page and collection passwords a visitor gave (wagtail.models.view_restrictions).
PASSED_RESTRICTIONS_SESSION_KEYS = ("passed_page_view_restrictions", "passed_collection_view_restrictions")


@cache
def sign_in_paths():
    paths = {reverse("wagtailcore_login"), reverse("wagtailadmin_login")}
    for name in ("WAGTAIL_FRONTEND_LOGIN_URL", "LOGIN_URL"):
        value = getattr(settings, name, None)
        if value:
            paths.add(resolve_url(value))
    return tuple(paths)


def is_redirect_to_sign_in(response):
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    return urlsplit(response.get("Location", "")).path.startswith(sign_in_paths())
