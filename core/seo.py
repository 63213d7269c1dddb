"""Search engines and shared links: what the site says about itself, in one place.

- **Indexable** = listed (`core.visibility`: live, public, outside the sandbox). The sitemap lists exactly
  the listed pages (one queryset, whatever the page type); every other page says `noindex`: members-only
  pages, working groups, proposals, the sandbox, previews, and every view rendered without a page (search
  results, sign-in, Mon espace, signed links, registration and newsletter token pages, error pages) unless
  its view sets `seo_index` in the context. A view or template may also force it (`seo_noindex`, or
  `{% block robots %}` in base.html).
- **`{% seo_meta %}`** (base.html's head, `templates/includes/seo_meta.html`) writes, for every page type:
  the meta description (the search description, else the page's summary or introduction), the canonical
  link (absolute, without query string but the page number of a paginated list), Open Graph and Twitter
  card tags (title, description, absolute URL, the page's public lead or cover image, else the site's
  logo, `fr_FR`, the site's name) and, on the home page, the city as a schema.org organisation (JSON-LD,
  escaped like `core.structured_data`). Dated pages add their own `Event` JSON-LD.
- **`sitemap.xml`** and **`robots.txt`** (views here), and **`RobotsHeaderMiddleware`**: `X-Robots-Tag:
  noindex` on document files and private images whenever the answer depends on who asks.

A private image is never shared (`core.structured_data.share_image_rendition`), and robots.txt names no
private path (it is public: it only names the site's fixed routes).
"""

from functools import cache
from html import unescape
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps.views import SitemapIndexItem
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from wagtail.contrib.sitemaps.sitemap_generator import Sitemap
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap
from wagtail.forms import PasswordViewRestrictionForm
from wagtail.images.models import SourceImageIOError
from wagtail.models import Page, Site

from .structured_data import SCHEMA, absolute_url, json_ld, public_image, share_image_rendition
from .visibility import VisiblePageQuerySet, listed_pages

#: Meta and Open Graph descriptions are cut here, on a word (search engines show about 160 characters).
DESCRIPTION_MAX_LENGTH = 200
#: The site's logo when a page has no image of its own: whole, not cropped (Twitter's "summary" card).
SHARE_LOGO_FILTER = "max-600x600"
#: The one query parameter a canonical link keeps: the page number of a paginated list.
PAGINATION_PARAMETER = "page"
#: Open Graph type by page model (any other: "website").
OPEN_GRAPH_TYPES = {"blog.BlogPage": "article"}
#: Where the page's own summary is found, in order, after its search description.
DESCRIPTION_FIELDS = ("summary", "intro")
#: URLs per sitemap file: more listed pages make `sitemap.xml` an index of files (search engines accept up
#: to 50,000 a file; 1,000 render in about 0.2 s, 100,000 in one response took 23-40 s).
SITEMAP_PAGE_SIZE = 1000
#: Page images shared, in order, with the field holding their alternative text.
IMAGE_FIELDS = (("lead_image", "lead_image_alt"), ("cover_image", "cover_image_alt"))
_MEMO = "_parvis_seo_indexable"


# -- What a page says about itself --------------------------------------------------------------------------


def text_excerpt(value, max_length=DESCRIPTION_MAX_LENGTH):
    """Plain text from a text or rich-text value, on one line, cut on a word."""
    text = " ".join(unescape(strip_tags(str(value or ""))).split())
    return Truncator(text).chars(max_length) if text else ""


def page_description(page, fallback=""):
    """The search description, else the page's summary or introduction, else the fallback."""
    for value in (
        getattr(page, "search_description", ""),
        *(getattr(page, f, "") for f in DESCRIPTION_FIELDS),
    ):
        text = text_excerpt(value)
        if text:
            return text
    return text_excerpt(fallback)


def _image_rendition(image, filter_spec, request):
    image = public_image(image, request)
    if image is None:
        return None
    try:
        return image.get_rendition(filter_spec)
    except SourceImageIOError:
        return None  # the original file is missing: share no image rather than fail the page


def share_image(page, site_settings=None, request=None):
    """(rendition, alternative text, large) shared for the page: its public lead or cover image (1200×630),
    else the site's logo (whole), else (None, "", False). A private image is never shared."""
    for field, alt_field in IMAGE_FIELDS:
        image = getattr(page, field, None) if page is not None else None
        rendition = share_image_rendition(image, request) if image is not None else None
        if rendition is not None:
            return rendition, getattr(page, alt_field, "") or "", True
    logo = getattr(site_settings, "logo", None)
    if logo is not None:
        rendition = _image_rendition(logo, SHARE_LOGO_FILTER, request)
        if rendition is not None:
            return rendition, getattr(site_settings, "site_name", ""), False
    return None, "", False


def canonical_url(request):
    """This address, absolute, without query string — except the page number of a paginated list."""
    url = request.build_absolute_uri(request.path)
    number = request.GET.get(PAGINATION_PARAMETER, "")
    if number.isdigit() and int(number) > 1:
        url += f"?{PAGINATION_PARAMETER}={int(number)}"
    return url


def open_graph_type(page):
    model = page.specific_class if isinstance(page, Page) else None
    return OPEN_GRAPH_TYPES.get(model._meta.label if model is not None else "", "website")


# -- Indexable or not ---------------------------------------------------------------------------------------


def page_is_listed(page):
    """The rule of the sitemap, for one page: live, public, outside the sandbox (one query)."""
    return VisiblePageQuerySet(Page).filter(pk=page.pk).listed().exists()


def page_indexable(page, request):
    """Whether search engines may index this page as served to this request (memoised per request).

    Served to a visitor without a session, a page has passed Wagtail's view restrictions with none to
    pass (they ask for a sign-in or a password, both kept in the session), and the sandbox is always
    restricted (provisioning): it is listed if live, and no query is spent on every anonymous page. To
    anyone with a session — who may read members-only pages — the sitemap's own rule is asked."""
    if request is None:
        return page_is_listed(page)
    memo = request.__dict__.setdefault(_MEMO, {})
    if page.pk not in memo:
        if getattr(request, "is_preview", False) or not page.live:
            memo[page.pk] = False
        elif settings.SESSION_COOKIE_NAME not in request.COOKIES:
            memo[page.pk] = True
        else:
            memo[page.pk] = page_is_listed(page)
    return memo[page.pk]


def served_page(context):
    """The page this response is (or one of its sub-routes), else None.

    A template context may hold a page the response is *not*: Wagtail's password form, a report form, a
    preview of another page. Such a page lends nothing — no title, description, image — to the head: it
    may be one the reader cannot open (the password form names any page by id)."""
    page = context.get("page")
    if not isinstance(page, Page):
        return None
    if isinstance(context.get("form"), PasswordViewRestrictionForm):
        # Wagtail's password form, answered at the protected page's own address: the page is not served.
        return None
    request = context.get("request")
    if request is None:
        return page
    page_path = urlsplit(page.get_url(request) or "").path
    if not page_path or not request.path.startswith(page_path):
        return None
    return page


def noindex(context):
    """Whether the response rendered with this template context must say `noindex`."""
    request = context.get("request")
    if context.get("seo_noindex") or getattr(request, "is_preview", False):
        return True
    page = served_page(context)
    if page is None:
        return not context.get("seo_index", False)
    return not page_indexable(page, request)


# -- The city as an organisation (home page) ---------------------------------------------------------------


def organization_data(site_settings, request):
    """schema.org's GovernmentOrganization (an Organization) for the city that runs the site."""
    data = {
        "@context": SCHEMA,
        "@type": "GovernmentOrganization",
        "name": getattr(site_settings, "site_name", "") or settings.WAGTAIL_SITE_NAME,
        "url": request.build_absolute_uri("/"),
    }
    logo = _image_rendition(getattr(site_settings, "logo", None), SHARE_LOGO_FILTER, request)
    if logo is not None:
        data["logo"] = absolute_url(logo.url, request)
    if getattr(site_settings, "contact_email", ""):
        data["email"] = site_settings.contact_email
    if getattr(site_settings, "contact_phone", ""):
        data["telephone"] = site_settings.contact_phone
    if getattr(site_settings, "postal_address", ""):
        data["address"] = {
            "@type": "PostalAddress",
            "streetAddress": " ".join(site_settings.postal_address.split()),
        }
    same_as = [url for _label, url in getattr(site_settings, "social_links", [])]
    if same_as:
        data["sameAs"] = same_as
    return data


def is_home_page(page, request):
    site = Site.find_for_request(request) if request is not None else None
    return site is not None and isinstance(page, Page) and page.pk == site.root_page_id


# -- What the head template receives ------------------------------------------------------------------------


def seo_context(context):
    """Everything templates/includes/seo_meta.html writes, from the page's template context."""
    request = context.get("request")
    page = served_page(context)
    site_settings = context.get("site_settings")
    site_name = getattr(site_settings, "site_name", "") or settings.WAGTAIL_SITE_NAME
    title = context.get("seo_title") or (page and (page.seo_title or page.title)) or site_name
    description = context.get("seo_description") or (page_description(page) if page is not None else "")
    if not description and (page is None or is_home_page(page, request)):
        description = text_excerpt(getattr(site_settings, "tagline", ""))
    rendition, image_alt, large = share_image(page, site_settings, request)
    data = {
        "title": title,
        "description": description,
        "site_name": site_name,
        "type": open_graph_type(page) if page is not None else "website",
        "canonical": canonical_url(request) if request is not None else "",
        "image": rendition,
        "image_url": absolute_url(rendition.url, request) if rendition is not None else "",
        "image_alt": image_alt,
        "twitter_card": "summary_large_image" if large else "summary",
        "organization": "",
    }
    if page is not None and is_home_page(page, request):
        data["organization"] = json_ld(organization_data(site_settings, request))
    return data


# -- sitemap.xml, robots.txt --------------------------------------------------------------------------------


class ListedSitemap(Sitemap):
    """Wagtail's sitemap of the request's site, restricted to listed pages (live, public, outside the
    sandbox) by one queryset — the rule every listing uses — whatever the page type. `SITEMAP_PAGE_SIZE`
    URLs per file."""

    limit = SITEMAP_PAGE_SIZE

    @cached_property
    def paginator(self):
        """One paginator (one count) for the index and the file it serves."""
        return super().paginator

    def items(self):
        return (
            listed_pages().descendant_of(self.get_wagtail_site().root_page, inclusive=True).order_by("path")
        )


@require_safe
def sitemap(request):
    """`sitemap.xml`: the listed pages' URLs while they fit in one file; past `SITEMAP_PAGE_SIZE`, an index
    of the files `sitemap.xml?p=1`, `?p=2`… (rendering 100,000 URLs at once took 23-40 s). robots.txt names
    this address either way."""
    pages = ListedSitemap(request)
    files = pages.paginator.num_pages
    if "p" in request.GET or files <= 1:
        return wagtail_sitemap(request, sitemaps={"pages": pages})
    location = request.build_absolute_uri(reverse("sitemap"))
    files = [SitemapIndexItem(f"{location}?p={number}", None) for number in range(1, files + 1)]
    return TemplateResponse(request, "sitemap_index.xml", {"sitemaps": files}, content_type="application/xml")


def _route_prefix(name, arguments=0):
    """The fixed start of a route's path (`/inscriptions/` for `/inscriptions/<token>/`), or None when the
    site has no such route."""
    placeholder = "9876543210"  # digits: accepted by int and str converters alike
    try:
        path = reverse(name, args=[placeholder] * arguments)
    except NoReverseMatch:
        return None
    return path.split(placeholder, 1)[0] if arguments else path


#: Routes crawlers have no business in: the admin, search results, personal and signed-link pages, forms.
#: (URL name, number of arguments).
ROBOTS_DISALLOWED_ROUTES = (
    ("search", 0),
    ("accounts:sign_in", 0),
    ("accounts:sign_out", 0),
    ("accounts:password_reset", 0),
    ("accounts:member_space", 0),
    ("members:invitation", 1),
    ("members_space:consent", 1),
    ("events:registration_manage", 1),
    ("attendance:check_in", 0),
    ("moderation_report", 1),
    ("private_image", 3),
    ("newsletter:subscribe", 0),
    ("newsletter:confirm", 1),
    ("newsletter:preferences_request", 0),
    ("newsletter:unsubscribe", 1),
)


def robots_disallowed_paths():
    paths = [settings.PARVIS_ADMIN_PATH_PREFIX]
    for name, arguments in ROBOTS_DISALLOWED_ROUTES:
        prefix = _route_prefix(name, arguments)
        if prefix and prefix != "/" and not prefix.startswith(tuple(paths)):  # not already covered
            paths.append(prefix)
    return paths


@require_safe
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in robots_disallowed_paths())]
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


# -- X-Robots-Tag on files ------------------------------------------------------------------------------------


@cache
def file_path_prefixes():
    """Where the site serves document files and private images (read from the URLconf once)."""
    return tuple(p for p in (_route_prefix("wagtaildocs_serve", 2), _route_prefix("private_image", 3)) if p)


class RobotsHeaderMiddleware:
    """`X-Robots-Tag: noindex` on document files and private images whenever the answer depends on who asks
    (`Cache-Control: private`, set by `core.middleware.PrivateCacheMiddleware`, which this middleware wraps).
    Files have no `<meta>`: the header is their noindex. Runs no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(file_path_prefixes()) and "private" in response.get("Cache-Control", ""):
            response["X-Robots-Tag"] = "noindex"
        return response
