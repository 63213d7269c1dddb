"""The site's skeleton: root, home page, council index and city agenda, and the Site pointing at it."""

from django.db import transaction
from django.utils.translation import gettext as _

from wagtail.models import Collection, Page, Site

from blog.models import BlogIndexPage
from councils.models import CouncilIndexPage
from councils.services import communications_team_provision
from events.models import EventIndexPage

from .models import HomePage, SiteSettings


def _child(parent, model, slug, **fields):
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@transaction.atomic
def site_structure_ensure(*, hostname="localhost", port=80, site_name="Parvis"):
    """Create what is missing of the skeleton; return the home page. Idempotent.

    Wagtail's first migration leaves a placeholder "Welcome" page as the site root: it is replaced by
    our HomePage. After a test-database flush there may be no root at all: it is recreated.
    """

    root = Page.get_first_root_node()
    created_roots = root is None or Collection.get_first_root_node() is None
    if root is None:
        root = _add_root()
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    if created_roots:
        # After a test-database flush the city's rights were granted on roots that no longer exist.

        communications_team_provision()

    home = HomePage.objects.first()
    if home is None:
        placeholder = Page.objects.filter(depth=2, slug="home", content_type__model="page").first()
        if placeholder is not None:
            placeholder.slug = "home-placeholder"
            placeholder.save(update_fields=["slug"])
        home = HomePage(title=site_name, slug="accueil")
        root.add_child(instance=home)
        home.save_revision().publish()
        Site.objects.filter(is_default_site=True).exclude(root_page=home).delete()
        if placeholder is not None:
            placeholder.delete()
    site, _created = Site.objects.get_or_create(
        is_default_site=True,
        defaults={"hostname": hostname, "port": port, "root_page": home, "site_name": site_name},
    )
    # The settings row now rather than at a reader's first page: a GET that writes a shown row purges the
    # shared cache (core.cache_signals).
    SiteSettings.for_site(site)
    _child(home, CouncilIndexPage, "conseils", title=_("Councils"))
    _child(home, EventIndexPage, "agenda", title=_("Agenda"))
    _child(home, BlogIndexPage, "actualites", title=_("News"))
    return home


def _add_root():
    from wagtail.models import Locale

    locale, _created = Locale.objects.get_or_create(language_code="fr")
    return Page.add_root(title="Root", slug="root", locale=locale)
