"""The public site's frame and page types: creation rules, rendering, components, budgets, errors."""

import json
import re

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from wagtail.documents import get_document_model
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.models import Page, Site

import pytest

from blog.models import BlogIndexPage
from councils.models import CouncilIndexPage
from events.models import EventIndexPage
from home.models import HomePage, SiteSettings, StandardPage
from home.templatetags.parvis_tags import css_colour
from home.tests.content import councils_create, image_create, publish
from home.views import server_error

pytestmark = pytest.mark.django_db


def _get_ok(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def _queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        _get_ok(client, url)
    return len(queries)


def _site_settings():
    return SiteSettings.for_site(Site.objects.get(is_default_site=True))


def _standard_page(parent, **kwargs):
    page = StandardPage(title=kwargs.pop("title", "À propos"), slug=kwargs.pop("slug", "a-propos"), **kwargs)
    parent.add_child(instance=page)
    return publish(page)


# -- Creation rules ----------------------------------------------------------------------------------


def test_home_page_is_created_only_under_the_root_and_only_once(home):
    root = Page.get_first_root_node()
    assert HomePage.allowed_parent_page_models() == [Page]
    assert not HomePage.can_create_at(root), "max_count = 1: a second home page is refused"
    assert not HomePage.can_create_at(home)


def test_home_page_accepts_the_council_index_the_agenda_the_news_and_standard_pages(home):
    assert set(HomePage.allowed_subpage_models()) == {
        CouncilIndexPage,
        StandardPage,
        EventIndexPage,
        BlogIndexPage,
    }


def test_standard_page_is_created_under_the_home_page_a_standard_page_or_a_council(home, council_a):
    about = _standard_page(home)
    assert StandardPage.can_create_at(home)
    assert StandardPage.can_create_at(about)
    assert StandardPage.can_create_at(council_a)
    assert not StandardPage.can_create_at(CouncilIndexPage.objects.get())
    assert StandardPage.allowed_subpage_models() == [StandardPage]


# -- Rendering ---------------------------------------------------------------------------------------


def test_home_page_renders_the_frame_the_next_meetings_and_the_councils(client, council_factory, home):
    councils_create(council_factory, 2)
    html = _get_ok(client, "/").content.decode()

    assert '<html lang="fr"' in html
    # The skip link is the first link of the page and points at <main id="main">.
    first_link = html.index("<a ", html.index("<body"))
    assert html[first_link:].startswith('<a class="skip-link" href="#main"')
    assert '<main id="main"' in html
    assert html.count('<header class="site-header"') == 1
    assert html.count('<footer class="site-footer"') == 1
    assert 'href="/conseils/conseil-00/"' in html and 'href="/conseils/conseil-01/"' in html
    assert "Séance à venir Conseil 00" in html and "Séance à venir Conseil 01" in html
    # Self-hosted assets only (the canonical link is no asset: it names this very page, absolutely).
    head = html.split("<body")[0]
    assert '<link rel="canonical" href="http://testserver/">' in head
    assert not re.search(r'(src|href)="(https?:)?//', head.replace('href="http://testserver/"', ""))


def test_standard_page_renders_its_intro_and_every_body_block(client, home):
    document = get_document_model().objects.create(
        title="Charte des conseils", file=_uploaded("charte.pdf", b"%PDF-1.4 " + b"x" * 2048)
    )
    photo = image_create(title="Marché")
    page = _standard_page(
        home,
        intro="Tout savoir sur la démarche.",
        body=json.dumps(
            [
                {"type": "heading", "value": {"text": "Les principes", "level": "h3"}},
                {"type": "paragraph", "value": "<p>Un <b>conseil</b> ouvert.</p>"},
                {"type": "quote", "value": {"text": "Chacun a sa voix.", "attribution": "Une habitante"}},
                {"type": "image", "value": {"image": photo.pk, "alt_text": "Le marché", "decorative": False}},
                {"type": "image", "value": {"image": photo.pk, "alt_text": "", "decorative": True}},
                {"type": "document", "value": {"document": document.pk, "label": "Lire la charte"}},
            ]
        ),
    )
    html = _get_ok(client, page.url).content.decode()

    assert '<h1 class="page-title">À propos</h1>' in html
    assert "Tout savoir sur la démarche." in html
    assert '<h3 class="stream-heading">Les principes</h3>' in html
    assert "Un <b>conseil</b> ouvert." in html
    assert re.search(r"<blockquote[^>]*><p>Chacun a sa voix.</p></blockquote>", html)
    assert re.search(r"<figcaption[^>]*>Une habitante</figcaption>", html)
    assert re.search(r'<img alt="Le marché"', html)
    assert re.search(r'<img alt="" class="stream-image__img"', html)
    assert re.search(r'href="[^"]+">Lire la charte</a>\s*<span class="stream-document__meta">\(PDF, 2', html)


def test_video_block_shows_the_embed_with_its_title_when_it_can_be_fetched(client, home):
    url = "https://video.example.org/v/conseil"
    Embed.objects.create(
        url=url,
        hash=get_embed_hash(url),
        type="video",
        html='<iframe title="Réunion publique" src="https://video.example.org/embed/conseil"></iframe>',
        title="Réunion publique",
    )
    page = _standard_page(
        home, body=json.dumps([{"type": "video", "value": {"video": url, "title": "Réunion publique"}}])
    )
    html = _get_ok(client, page.url).content.decode()
    assert '<div class="stream-video__embed">' in html
    assert 'src="https://video.example.org/embed/conseil"' in html
    assert f'href="{url}"' in html


def test_video_block_falls_back_to_a_plain_link_when_the_embed_cannot_be_fetched(client, home):
    url = "https://unknown-provider.example.org/watch/42"
    page = _standard_page(
        home, body=json.dumps([{"type": "video", "value": {"video": url, "title": "Réunion de mars"}}])
    )
    html = _get_ok(client, page.url).content.decode()
    assert "stream-video__embed" not in html
    assert re.search(
        rf'<a class="stream-video__link" href="{re.escape(url)}"[^>]*>[^<]*Réunion de mars', html
    )


def test_pages_below_the_council_index_carry_breadcrumbs_and_top_pages_do_not(client, home, council_a):
    about = _standard_page(home)
    html = _get_ok(client, council_a.url).content.decode()
    crumbs = html[html.index('<nav class="breadcrumbs"') : html.index("</nav>", html.index("breadcrumbs"))]
    assert 'href="/"' in crumbs and 'href="/conseils/"' in crumbs
    assert '<span aria-current="page">Conseil de quartier Centre</span>' in crumbs
    assert 'class="breadcrumbs"' not in _get_ok(client, about.url).content.decode()
    assert 'class="breadcrumbs"' not in _get_ok(client, "/").content.decode()


# -- Site settings in the frame ------------------------------------------------------------------------


def test_site_settings_give_the_name_colours_contact_social_and_legal_links(client, home):
    legal = _standard_page(home, title="Mentions légales", slug="mentions-legales")
    accessibility = _standard_page(home, title="Accessibilité", slug="accessibilite")
    settings = _site_settings()
    settings.site_name = "Chambéry participe"
    settings.tagline = "Les conseils citoyens de la ville"
    settings.primary_colour = "#004a7c"
    settings.accent_colour = "#9c1c1c"
    settings.contact_email = "participation@example.org"
    settings.contact_phone = "04 79 00 00 00"
    settings.postal_address = "Hôtel de ville\n73000 Chambéry"
    settings.mastodon_url = "https://mastodon.example.org/@ville"
    settings.legal_notice_page = legal
    settings.accessibility_page = accessibility
    settings.save()

    html = _get_ok(client, "/").content.decode()
    head, body = html.split("<body", 1)
    assert "— Chambéry participe</title>" in head
    assert "--colour-primary:#004a7c" in head and "--colour-accent:#9c1c1c" in head
    header = body[body.index("<header") : body.index("</header>")]
    assert "Chambéry participe" in header and "Les conseils citoyens de la ville" in header
    footer = body[body.index('<footer class="site-footer"') :]
    assert 'href="mailto:participation@example.org"' in footer
    assert 'href="tel:0479000000"' in footer
    assert "Hôtel de ville<br>73000 Chambéry" in footer
    assert 'href="https://mastodon.example.org/@ville"' in footer
    assert 'href="/mentions-legales/"' in footer and 'href="/accessibilite/"' in footer


def test_site_logo_is_shown_with_the_site_name_as_its_alternative_text(client, home):
    settings = _site_settings()
    settings.site_name = "Ville de Parvis"
    settings.logo = image_create(title="Logo")
    settings.save()
    header = _get_ok(client, "/").content.decode().split("<header", 1)[1].split("</header>")[0]
    assert re.search(r'<img alt="Ville de Parvis" class="brand__logo"', header)


def test_site_settings_colours_reject_anything_but_a_hex_colour(home):
    settings = _site_settings()
    settings.primary_colour = "red"
    with pytest.raises(ValidationError) as error:
        settings.full_clean()
    assert "primary_colour" in error.value.message_dict
    settings.primary_colour = "#1D4E89"
    settings.full_clean()


def test_a_colour_stored_without_validation_never_reaches_the_style_element(client, home):
    SiteSettings.objects.filter(pk=_site_settings().pk).update(primary_colour="red}*{x")
    head = _get_ok(client, "/").content.decode().split("<body")[0]
    assert "red}" not in head
    assert "--colour-primary:#1d4e89" in head
    assert css_colour("#AbCdEf") == "#AbCdEf"
    assert css_colour("#abc", "#000000") == "#000000"


# -- Components --------------------------------------------------------------------------------------


def test_pagination_links_keep_the_other_query_parameters(rf):
    request = rf.get("/recherche/", {"q": "budget participatif", "page": "2"})
    page_obj = Paginator(list(range(50)), 10).page(2)
    html = render_to_string("includes/pagination.html", {"page_obj": page_obj, "request": request})
    assert 'href="?q=budget+participatif&amp;page=1"' in html
    assert 'href="?q=budget+participatif&amp;page=3"' in html
    assert 'aria-current="page"' in html
    single = Paginator([1, 2], 10).page(1)
    assert "<nav" not in render_to_string(
        "includes/pagination.html", {"page_obj": single, "request": request}
    )


def test_search_page_labels_its_field_and_paginates_results(client, home, council_factory):
    for n in range(12):
        council_factory(title=f"Conseil participatif {n}", slug=f"participatif-{n}")
    html = _get_ok(client, "/recherche/?q=participatif").content.decode()
    assert '<label for="search-page-q">' in html
    assert 'value="participatif"' in html
    assert html.count('<li class="search-result">') == 10
    assert 'href="?q=participatif&amp;page=2"' in html


# -- Errors ------------------------------------------------------------------------------------------


def test_a_missing_page_answers_404_inside_the_site_with_ways_back(client, home):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert '<main id="main"' in html
    assert 'href="/conseils/"' in html and 'href="/agenda/"' in html
    assert 'action="/recherche/"' in html
    assert '<h1 class="page-title">' in html


def test_the_server_error_page_needs_no_database(rf, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "<style>" in html and "<link" not in html
    assert 'href="/"' in html


def _uploaded(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)
