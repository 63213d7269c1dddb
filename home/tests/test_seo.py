"""What the site tells search engines and link previews (core.seo): sitemap.xml, robots.txt, canonical
links, Open Graph and Twitter tags, the city's JSON-LD, and noindex wherever a page must not be indexed.

The world holds, for every page type, listed pages and hidden ones — members-only, in a working group,
in the sandbox, drafts — so that the sitemap's rule is checked on every type by construction."""

import json
import re
from html import unescape
from xml.etree import ElementTree

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page, PageViewRestriction, Site, get_page_models

import pytest

from blog.factories import BlogPageFactory
from blog.models import BlogIndexPage
from core.models import BasePage
from core.seo import ListedSitemap, text_excerpt
from core.visibility import page_is_public
from councils.factories import CouncilPageFactory, UserFactory, working_group_create
from councils.services import council_add_editor
from councils.tests.worlds import keys_of, two_councils_build, world_built_once, world_fresh
from documents.services import document_create
from events.factories import EventPageFactory
from events.models import EventIndexPage
from events.tests.helpers import meeting_make_private, meeting_publish
from home.factories import StandardPageFactory
from home.models import SiteSettings
from images.factories import CouncilImageFactory
from participation.factories import ProposalIndexPageFactory

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _publish(page):
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


def _standard(parent, title, slug, **fields):
    return _publish(StandardPageFactory(parent=parent, title=title, slug=slug, **fields))


def _event(parent, title, slug, **fields):
    return _publish(EventPageFactory(parent=parent, title=title, slug=slug, **fields))


def _post(parent, title, slug, **fields):
    return _publish(BlogPageFactory(parent=parent, title=title, slug=slug, **fields))


def _draft(page):
    """Unpublished: a draft never published (or taken offline)."""
    page.unpublish()
    return type(page).objects.get(pk=page.pk)


def build():
    world = two_councils_build()
    home, council_a = world["home"], world["council_a"]
    members = council_a.access.members_group
    agenda = EventIndexPage.objects.get()
    city_blog = BlogIndexPage.objects.child_of(home).first()
    blog_a = BlogIndexPage.objects.child_of(council_a).get()

    listed = {
        "about": _standard(home, "À propos", "a-propos", search_description="Qui sommes-nous."),
        "council_page": _standard(council_a, "Qui sommes-nous", "qui-sommes-nous"),
        "meeting": meeting_publish(council_a, title="Séance publique", summary="Ordre du jour ouvert."),
        "event": _event(agenda, "Forum des associations", "forum"),
        "post": _post(city_blog, "Nouvelle publique", "nouvelle-publique"),
        "council_post": _post(blog_a, "Nouvelle du quartier", "nouvelle-du-quartier"),
    }
    # Members-only: a restriction on the page itself, or on an ancestor.
    members_page = _standard(council_a, "Espace membres", "espace-membres")
    restriction = PageViewRestriction.objects.create(page=members_page, restriction_type="groups")
    restriction.groups.add(members)
    hidden = {
        "members_page": members_page,
        "members_child": _standard(members_page, "Sous-page réservée", "sous-page-reservee"),
        "members_meeting": meeting_publish(council_a, title="Séance réservée", start=None),
        "members_event": _event(council_a, "Rencontre réservée", "rencontre-reservee"),
        "members_post": _post(blog_a, "Nouvelle réservée", "nouvelle-reservee"),
        "proposals": _publish(ProposalIndexPageFactory(parent=council_a)),
    }
    for key in ("members_meeting", "members_event", "members_post"):
        meeting_make_private(hidden[key], council_a)
    # A working group and what it holds.
    group_member = UserFactory(username="membre-groupe")
    group = working_group_create(council_a, "Groupe mobilités", members=[group_member])
    hidden |= {
        "group_index": group.get_parent().specific,
        "group": group,
        "group_page": _standard(group, "Atelier mobilités", "atelier-mobilites"),
        "group_meeting": meeting_publish(group, title="Réunion du groupe"),
        "group_proposals": _publish(ProposalIndexPageFactory(parent=group)),
    }
    hidden |= {f"group_{p.specific_class.__name__}": p.specific for p in group.get_children()}
    # The sandbox: a council and everything in it.
    sandbox = _publish(
        CouncilPageFactory(
            parent=world["council_index"], title="Bac à sable", slug="bac-a-sable", is_sandbox=True
        )
    )
    sandbox_blog = BlogIndexPage.objects.child_of(sandbox).first()
    hidden |= {
        "sandbox": sandbox,
        "sandbox_page": _standard(sandbox, "Page d’essai", "page-d-essai"),
        "sandbox_meeting": meeting_publish(sandbox, title="Séance d’essai"),
        "sandbox_event": _event(sandbox, "Événement d’essai", "evenement-d-essai"),
    }
    if sandbox_blog is not None:
        hidden["sandbox_post"] = _post(sandbox_blog, "Nouvelle d’essai", "nouvelle-d-essai")
    hidden |= {f"sandbox_{p.specific_class.__name__}": p.specific for p in sandbox.get_children()}
    # Drafts: never published, or taken offline.
    draft_council = CouncilPageFactory(
        parent=world["council_index"], title="Conseil en projet", slug="en-projet", live=False
    )
    hidden |= {
        "draft_council": draft_council,
        "draft_page": _draft(_standard(home, "Page retirée", "page-retiree")),
        "draft_meeting": _draft(meeting_publish(council_a, title="Séance annulée en brouillon")),
        "draft_event": _draft(_event(agenda, "Événement en brouillon", "evenement-brouillon")),
        "draft_post": _draft(_post(city_blog, "Nouvelle en brouillon", "nouvelle-brouillon")),
    }
    hidden |= {f"draft_{p.specific_class.__name__}": p.specific for p in draft_council.get_children()}
    editor_b = UserFactory(username="editeur-biollay")
    council_add_editor(council=world["council_b"], user=editor_b)
    return keys_of(
        {
            **world,
            **{f"listed_{k}": v for k, v in listed.items()},
            **{f"hidden_{k}": v for k, v in hidden.items()},
            "group_member": group_member,
            "sandbox_editor": world["editor_a"],  # every council's editors train in the sandbox
        }
    )


@pytest.fixture(scope="module")
def world_keys(django_db_setup, django_db_blocker):
    with world_built_once(django_db_blocker, build) as keys:
        yield keys


@pytest.fixture
def world(world_keys, db):
    return world_fresh(world_keys)


def pages(world, prefix):
    return {k: v for k, v in vars(world).items() if k.startswith(prefix)}


def sitemap_urls(client, address="/sitemap.xml"):
    response = client.get(address)
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own response
    return {
        url.find("s:loc", SITEMAP_NS).text: url.find("s:lastmod", SITEMAP_NS)
        for url in root.findall("s:url", SITEMAP_NS)
    }


def meta(html, attribute, name):
    return [
        unescape(m) for m in re.findall(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', html)
    ]


def head(html):
    return html.split("</head>", 1)[0]


def reader(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# -- sitemap.xml ---------------------------------------------------------------------------------------------


def test_the_sitemap_lists_every_listed_page_with_its_last_change(world, client):
    urls = sitemap_urls(client)

    # The rule, read another way than core.visibility's SQL: live, no restriction on the way, no sandbox.
    sandbox = world.hidden_sandbox.url_path
    expected = {
        p.get_full_url()
        for p in Page.objects.live().filter(depth__gt=1)
        if page_is_public(p) and not p.url_path.startswith(sandbox)
    }
    for page in pages(world, "listed_").values():
        assert page.get_full_url() in urls, page
    assert "http://testserver/" in urls
    assert "http://testserver/conseils/centre/" in urls
    assert "http://testserver/conseils/centre/documents/" in urls
    assert set(urls) == expected
    assert all(lastmod is not None and lastmod.text for lastmod in urls.values())


def test_the_sitemap_lists_no_private_sandbox_or_draft_page_of_any_type(world, client):
    urls = set(sitemap_urls(client))
    hidden = pages(world, "hidden_")

    leaked = {key: page.url_path for key, page in hidden.items() if page.get_full_url() in urls}
    assert leaked == {}
    for word in (
        "espace-membres",
        "groupes",
        "propositions",
        "bac-a-sable",
        "brouillon",
        "reservee",
        "en-projet",
    ):
        assert not any(word in url for url in urls), word
    # Every page type that can have more than one instance has a hidden one in this world.
    types = {type(page) for page in hidden.values()}
    expected = {m for m in get_page_models() if issubclass(m, BasePage) and m.max_count != 1}
    assert expected - types == set()


def test_the_sandbox_stays_out_of_the_sitemap_by_its_own_rule_even_without_its_restriction(world, client):
    """Provisioning closes the sandbox with a view restriction; the sitemap does not count on it."""
    PageViewRestriction.objects.filter(page=world.hidden_sandbox).delete()
    assert Client().get(world.hidden_sandbox_page.url).status_code == 200  # now open to anyone…

    urls = set(sitemap_urls(client))

    assert not any("/bac-a-sable/" in url for url in urls)  # …and still not listed
    html = head(Client().get(world.hidden_sandbox_page.url, HTTP_COOKIE="sessionid=x").content.decode())
    assert NOINDEX in html


def test_the_sitemap_costs_the_same_queries_with_ten_times_the_pages(world, client):
    def count():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/sitemap.xml").status_code == 200
        return len(queries)

    small = count()
    for n in range(60):
        _standard(world.council_a, f"Page {n}", f"page-{n}")
        meeting_publish(world.council_a, title=f"Séance {n}", publish=False)

    assert len(sitemap_urls(client)) > 120
    assert count() == small
    assert small <= 10


def test_a_sitemap_of_more_than_one_file_is_an_index_of_files_listing_the_same_urls(
    world, client, monkeypatch
):
    """Past `SITEMAP_PAGE_SIZE` listed pages, /sitemap.xml (the address robots.txt gives) is a sitemap index
    whose files, together, list exactly what one file would."""
    expected = sitemap_urls(client)
    monkeypatch.setattr(ListedSitemap, "limit", 7)

    index = ElementTree.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 - our own response
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    files = [loc.text for loc in index.findall("s:sitemap/s:loc", SITEMAP_NS)]
    assert files == [f"http://testserver/sitemap.xml?p={n}" for n in range(1, -(-len(expected) // 7) + 1)]
    found = {}
    for url in files:
        urls = sitemap_urls(client, url.removeprefix("http://testserver"))
        assert 0 < len(urls) <= 7
        found.update(urls)
    assert found.keys() == expected.keys()
    assert "Sitemap: http://testserver/sitemap.xml" in client.get("/robots.txt").content.decode()


def test_the_sitemap_is_the_same_for_a_member_as_for_anyone(world):
    assert sitemap_urls(reader(world.member_a)).keys() == sitemap_urls(reader()).keys()


# -- robots.txt --------------------------------------------------------------------------------------------


def test_robots_txt_keeps_crawlers_out_of_personal_and_signed_link_pages(world, client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    disallowed = {line.removeprefix("Disallow: ") for line in lines if line.startswith("Disallow: ")}
    for path in (
        "/admin/",
        "/recherche/",
        "/connexion/",
        "/mon-espace/",
        "/mot-de-passe/",
        "/invitation/",
        "/inscriptions/",
        "/emargement/",
        "/signaler/",
        "/images-privees/",
        "/lettre/confirmer/",
        "/lettre/desinscription/",
    ):
        assert path in disallowed, path
    assert "/" not in disallowed and "/lettre/" not in disallowed and "/documents/" not in disallowed
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    # robots.txt is public: it names no private page.
    assert not any(word in response.content.decode() for word in ("espace-membres", "groupes", "bac-a-sable"))


# -- Canonical link, Open Graph, Twitter -------------------------------------------------------------------


def test_every_public_page_type_has_an_absolute_canonical_link_and_sharing_tags(world, client):
    agenda = EventIndexPage.objects.get()
    listed = [world.home, world.council_index, world.council_a, agenda, *pages(world, "listed_").values()]
    listed += [
        p.specific for p in world.council_a.get_children().live().public() if p.specific_class is not None
    ]
    seen_types = set()
    for page in listed:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        html = head(response.content.decode())
        url = page.get_full_url()
        assert re.findall(r'<link rel="canonical" href="([^"]+)">', html) == [url], page.url
        assert meta(html, "property", "og:url") == [url]
        assert meta(html, "property", "og:title") == [page.seo_title or page.title]
        assert meta(html, "name", "twitter:title") == [page.seo_title or page.title]
        assert meta(html, "property", "og:locale") == ["fr_FR"]
        assert meta(html, "property", "og:site_name") == ["Parvis"]
        assert meta(html, "property", "og:type") == [
            "article" if page.specific_class.__name__ == "BlogPage" else "website"
        ]
        assert meta(html, "name", "twitter:card") in (["summary"], ["summary_large_image"])
        assert 'name="robots"' not in html, page.url
        seen_types.add(type(page))
    public_types = {m for m in get_page_models() if issubclass(m, BasePage)} - {
        t
        for t in (type(p) for p in pages(world, "hidden_").values())
        if t.__name__.startswith(("Working", "Proposal"))
    }
    assert public_types - seen_types == set()


def test_the_description_comes_from_the_search_description_else_the_summary_or_introduction(world, client):
    about = head(client.get(world.listed_about.url).content.decode())
    meeting = head(client.get(world.listed_meeting.url).content.decode())
    home = head(client.get("/").content.decode())

    assert meta(about, "name", "description") == ["Qui sommes-nous."]
    assert meta(about, "property", "og:description") == ["Qui sommes-nous."]
    assert meta(meeting, "name", "description") == ["Ordre du jour ouvert."]
    assert meta(meeting, "name", "twitter:description") == ["Ordre du jour ouvert."]
    # The home page's rich-text introduction, as plain text.
    assert meta(home, "name", "description") == ([text_excerpt(world.home.intro)] if world.home.intro else [])
    assert "<p>" not in "".join(meta(home, "name", "description"))


def test_a_long_description_is_cut_on_a_word(world, client):
    page = world.listed_about
    page.search_description = "Une phrase assez longue pour dépasser la limite. " * 10
    page.save_revision().publish()

    [description] = meta(head(client.get(page.url).content.decode()), "name", "description")

    assert len(description) <= 200 and description.endswith("…")


def test_a_canonical_link_drops_the_query_string_but_a_page_number(world, client):
    url = world.listed_about.url
    html = client.get(url, {"utm_source": "lettre", "q": "x"}).content.decode()
    assert re.findall(r'<link rel="canonical" href="([^"]+)">', html) == [f"http://testserver{url}"]

    meetings = world.listed_meeting.get_parent().url
    html = client.get(meetings, {"page": "2", "utm_source": "x"}).content.decode()
    assert f'<link rel="canonical" href="http://testserver{meetings}?page=2">' in html
    html = client.get(meetings, {"page": "1"}).content.decode()
    assert f'<link rel="canonical" href="http://testserver{meetings}">' in html


def test_a_page_shares_its_public_lead_image_in_absolute_form(world, client):
    image = CouncilImageFactory()
    post = world.listed_post
    post.lead_image, post.lead_image_alt = image, "Le marché du samedi"
    post.save_revision().publish()

    html = head(client.get(post.url).content.decode())

    rendition = image.get_rendition("fill-1200x630")
    assert meta(html, "property", "og:image") == [f"http://testserver{rendition.url}"]
    assert meta(html, "name", "twitter:image") == [f"http://testserver{rendition.url}"]
    assert meta(html, "property", "og:image:alt") == ["Le marché du samedi"]
    assert meta(html, "property", "og:image:width") == [str(rendition.width)]
    assert meta(html, "name", "twitter:card") == ["summary_large_image"]


def test_without_an_image_of_its_own_a_page_shares_the_site_logo_never_a_private_image(world, client):
    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.logo = CouncilImageFactory(title="Logo de la ville")
    settings.save()
    private = CouncilImageFactory(collection=world.council_a.access.private_collection, title="Photo interne")
    post = world.listed_council_post
    post.lead_image, post.lead_image_alt = private, "Réunion interne"
    post.save_revision().publish()

    for url in (post.url, world.listed_about.url):
        html = head(client.get(url).content.decode())
        logo = settings.logo.get_rendition("max-600x600")
        assert meta(html, "property", "og:image") == [f"http://testserver{logo.url}"], url
        assert meta(html, "property", "og:image:alt") == ["Parvis"]
        assert meta(html, "name", "twitter:card") == ["summary"]
        assert "Réunion interne" not in html and "images-privees" not in html


# -- The city as an organisation -------------------------------------------------------------------------


def json_ld_blocks(html):
    return [
        json.loads(b) for b in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


def test_the_home_page_describes_the_city_as_an_organization_in_json_ld(world, client):
    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.site_name = "Ville de Parvis </script><script>alert(1)</script>"
    settings.logo = CouncilImageFactory(title="Logo")
    settings.contact_email = "participation@parvis.example"
    settings.mastodon_url = "https://mastodon.example/@parvis"
    settings.postal_address = "Hôtel de ville\n1 place de la Mairie"
    settings.save()

    html = head(client.get("/").content.decode())

    assert "<script>alert(1)" not in html
    [organization] = json_ld_blocks(html)
    logo = settings.logo.get_rendition("max-600x600")
    assert organization == {
        "@context": "https://schema.org",
        "@type": "GovernmentOrganization",
        "name": "Ville de Parvis </script><script>alert(1)</script>",
        "url": "http://testserver/",
        "logo": f"http://testserver{logo.url}",
        "email": "participation@parvis.example",
        "address": {"@type": "PostalAddress", "streetAddress": "Hôtel de ville 1 place de la Mairie"},
        "sameAs": ["https://mastodon.example/@parvis"],
    }
    # Only the home page: other pages carry no organisation (dated pages carry their Event).
    assert json_ld_blocks(head(client.get(world.listed_about.url).content.decode())) == []


# -- noindex -----------------------------------------------------------------------------------------------


NOINDEX = '<meta name="robots" content="noindex">'


def test_pages_that_are_not_listed_say_noindex_to_those_who_may_open_them(world):
    cases = [
        (world.member_a, world.hidden_members_page),
        (world.member_a, world.hidden_members_child),
        (world.member_a, world.hidden_members_meeting),
        (world.member_a, world.hidden_members_event),
        (world.member_a, world.hidden_members_post),
        (world.member_a, world.hidden_proposals),
        (world.member_a, world.hidden_group_index),
        (world.group_member, world.hidden_group),
        (world.group_member, world.hidden_group_page),
        (world.group_member, world.hidden_group_meeting),
        (world.sandbox_editor, world.hidden_sandbox),
        (world.sandbox_editor, world.hidden_sandbox_page),
        (world.sandbox_editor, world.hidden_sandbox_event),
    ]
    for user, page in cases:
        response = reader(user).get(page.url)
        assert response.status_code == 200, page.url
        assert NOINDEX in head(response.content.decode()), page.url


def test_a_public_page_read_by_a_signed_in_member_is_still_indexable(world):
    html = head(reader(world.member_a).get(world.listed_about.url).content.decode())

    assert "noindex" not in html


def test_a_page_in_another_views_context_lends_nothing_to_the_head(world, client):
    """Wagtail's password form is given any page by id: the head must not name it (nor index it)."""
    restriction = PageViewRestriction.objects.get(page=world.hidden_members_page)
    url = f"/_util/authenticate_with_password/{restriction.pk}/{world.hidden_members_page.pk}/"

    response = client.get(url)

    assert response.status_code == 200
    html = head(response.content.decode())
    assert "Espace membres" not in html and "espace-membres" not in html
    assert meta(html, "property", "og:title") == []  # the password form's head describes nothing
    assert NOINDEX in html


def test_a_preview_says_noindex(world, rf):
    page = world.listed_about
    request = rf.get(page.url)
    response = page.make_preview_request(original_request=request)

    assert NOINDEX in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/recherche/?q=conseil",
        "/recherche/",
        "/connexion/",
        "/mot-de-passe/",
        "/inscriptions/jeton-inconnu/",
        "/invitation/jeton-inconnu/",
        "/lettre/confirmer/jeton-inconnu/",
        "/page-qui-n-existe-pas/",
    ],
)
def test_search_results_personal_pages_signed_links_and_errors_say_noindex(world, client, url):
    response = client.get(url)

    assert response.status_code in (200, 404, 410), url
    html = head(response.content.decode())
    assert "noindex" in html, url


def test_mon_espace_and_the_report_form_say_noindex(world):
    member = reader(world.member_a)
    assert NOINDEX in head(member.get("/mon-espace/").content.decode())
    report = Client().get(f"/signaler/{world.listed_about.pk}/")
    assert report.status_code == 200
    assert "noindex" in head(report.content.decode())


def test_the_standalone_error_pages_say_noindex(client):
    from django.template import loader

    for template in ("400.html", "403.html", "500.html"):
        assert NOINDEX in loader.get_template(template).render(), template


# -- X-Robots-Tag on files ---------------------------------------------------------------------------------


def test_private_documents_and_images_carry_an_x_robots_tag_public_ones_do_not(world):
    private = document_create(
        title="Note",
        file=ContentFile(b"texte", name="note.txt"),
        collection=world.council_a.access.private_collection,
    )
    public = document_create(
        title="Affiche",
        file=ContentFile(b"texte", name="affiche.txt"),
        collection=world.council_a.access.collection,
    )
    image = CouncilImageFactory(collection=world.council_a.access.private_collection)
    rendition = image.get_rendition("width-400")
    member = reader(world.member_a)

    response = member.get(private.url)
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    response = member.get(rendition.url)
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    response = Client().get(public.url)
    assert response.status_code == 200
    assert "X-Robots-Tag" not in response
    assert "X-Robots-Tag" not in Client().get(world.listed_about.url)


def test_the_sitemap_itself_is_not_indexed(client, world):
    assert "noindex" in client.get("/sitemap.xml")["X-Robots-Tag"]


def test_a_rich_text_introduction_becomes_plain_text_for_the_description():
    assert text_excerpt("<p>Rencontres &amp; ateliers&nbsp;: <b>tous</b>\n les mois</p>") == (
        "Rencontres & ateliers : tous les mois"
    )


def test_the_password_form_of_a_protected_page_names_nothing_of_it_and_is_not_indexed(
    world, client, council_factory
):
    from home.factories import StandardPageFactory

    page = StandardPageFactory(
        parent=council_factory(title="Conseil des Arcades", slug="arcades"),
        title="Projet de rachat Dupont",
        slug="rachat",
        intro="Négociation Dupont",
    )
    page.save_revision().publish()
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="s3"
    )
    body = client.get(page.url).content.decode()
    assert 'name="password"' in body  # Wagtail's password form, at the page's own address
    assert "Dupont" not in body  # no title, description or image in the head (og:, twitter:)
    assert '<meta name="robots" content="noindex">' in body
