"""News: blogs, posts, tags, feeds, and the latest posts on the home and council pages."""

import datetime
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from wagtail.embeds.finders import get_finders

import pytest

from blog.models import BlogIndexPage, BlogPage
from images.factories import CouncilImageFactory

from .conftest import members_only

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def count_queries(action):
    """How many queries `action` runs (counted at the driver, whatever resets Django's query log)."""
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        action()
    return len(executed)


def video_body(url="https://www.youtube.com/watch?v=abcdefghijk", title="Replay du webinaire"):
    return [("video", {"video": url, "title": title})]


# -- Blogs and posts ---------------------------------------------------------------------------------


def test_the_city_blog_answers_at_actualites(client, city_blog, make_post):
    make_post(city_blog, title="Budget participatif : les résultats")
    response = client.get("/actualites/")
    assert response.status_code == 200
    assert "Budget participatif : les résultats" in response.content.decode()


def test_a_new_council_gets_its_own_blog(client, council_a, make_post):
    blog = BlogIndexPage.objects.child_of(council_a).get()
    assert blog.slug == "actualites" and blog.live
    make_post(blog, title="Fête de quartier")
    response = client.get("/conseils/centre/actualites/")
    assert response.status_code == 200
    assert "Fête de quartier" in response.content.decode()


def test_a_blogs_cards_do_not_repeat_whose_news_it_is_but_the_home_page_does(client, council_a, make_post):
    blog = BlogIndexPage.objects.child_of(council_a).get()
    make_post(blog, title="Fête de quartier")
    council_list = client.get("/conseils/centre/actualites/").content.decode()
    assert "Fête de quartier" in council_list and 'class="card__kicker"' not in council_list
    home = client.get("/").content.decode()
    assert 'class="card__kicker">Conseil de quartier Centre' in home


def test_a_post_shows_its_date_author_intro_and_tags(client, city_blog, make_post):
    post = make_post(
        city_blog,
        title="Nouveau site",
        date=datetime.date(2026, 5, 3),
        author="Par la mission participation",
        intro="Le portail fait peau neuve.",
        tags=["numérique"],
    )
    html = client.get(post.url).content.decode()
    assert '<time datetime="2026-05-03">3\xa0mai\xa02026</time>' in html
    assert "Par la mission participation" in html
    assert "Le portail fait peau neuve." in html
    assert "/actualites/tag/numerique/" in html


def test_a_lead_image_without_alternative_text_is_refused(city_blog, make_post):
    post = make_post(city_blog)
    post.lead_image = CouncilImageFactory()
    with pytest.raises(ValidationError) as error:
        post.full_clean()
    assert "lead_image_alt" in error.value.message_dict


def test_the_lead_image_is_shown_with_its_alternative_text(client, city_blog, make_post):
    post = make_post(city_blog, lead_image=CouncilImageFactory(), lead_image_alt="La place du marché")
    html = client.get(post.url).content.decode()
    assert 'alt="La place du marché"' in html


def test_the_blog_index_paginates_ten_posts_a_page(client, city_blog, make_post):
    for n in range(12):
        make_post(city_blog, title=f"Nouvelle numéro {n:02d}")
    first = client.get("/actualites/")
    second = client.get("/actualites/?page=2")
    assert len(first.context["posts"]) == 10
    assert "Nouvelle numéro 11" in first.content.decode()  # newest first
    assert [p.title for p in second.context["posts"]] == ["Nouvelle numéro 01", "Nouvelle numéro 00"]
    assert 'rel="next"' in first.content.decode()
    assert client.get("/actualites/?page=9").status_code == 404


def test_related_posts_share_a_tag_and_are_listed(client, city_blog, blog_a, council_a, make_post):
    post = make_post(city_blog, title="Le budget 2026", tags=["budget", "finances"])
    both = make_post(blog_a, title="Budget du Centre", tags=["budget", "finances"])
    one = make_post(city_blog, title="Vote du budget", tags=["budget"])
    make_post(city_blog, title="Sans rapport", tags=["sport"])
    hidden = make_post(blog_a, title="Budget entre membres", tags=["budget"])
    members_only(hidden, council_a)
    make_post(city_blog, title="Budget en brouillon", tags=["budget"], live=False)

    related = client.get(post.url).context["related_posts"]
    assert [p.title for p in related] == [both.title, one.title]
    assert related[0].council == council_a


# -- Tags ---------------------------------------------------------------------------------------------


def test_a_tag_page_lists_the_blogs_posts_with_that_tag(client, city_blog, make_post):
    make_post(city_blog, title="Atelier vélo", tags=["mobilité"])
    make_post(city_blog, title="Concert", tags=["culture"])
    response = client.get("/actualites/tag/mobilite/")
    assert response.status_code == 200
    assert [p.title for p in response.context["posts"]] == ["Atelier vélo"]
    assert "mobilité" in response.content.decode()


def test_an_unknown_tag_answers_404(client, city_blog):
    assert client.get("/actualites/tag/inconnu/").status_code == 404
    assert client.get("/actualites/tag/inconnu/rss/").status_code == 404


def test_the_blog_lists_its_tags_with_their_counts(client, city_blog, make_post):
    make_post(city_blog, tags=["mobilité"])
    make_post(city_blog, tags=["mobilité", "culture"])
    tags = {t.name: t.post_count for t in client.get("/actualites/").context["tags"]}
    assert tags == {"culture": 1, "mobilité": 2}


def test_a_tag_used_only_on_members_only_or_draft_posts_is_never_listed(
    client, city_blog, blog_a, council_a, member_a, make_post
):
    secret = make_post(blog_a, title="Compte rendu interne", tags=["dossier-confidentiel"])
    members_only(secret, council_a)
    make_post(city_blog, title="Brouillon", tags=["projet-secret"], live=False)
    make_post(blog_a, title="Public", tags=["ouvert"])

    for url in (
        "/",
        "/actualites/",
        "/actualites/rss/",
        "/actualites/atom/",
        "/conseils/centre/",
        "/conseils/centre/actualites/",
        "/conseils/centre/actualites/rss/",
        "/conseils/centre/actualites/atom/",
    ):
        html = client.get(url).content.decode()
        assert "dossier-confidentiel" not in html, url
        assert "projet-secret" not in html, url
    assert "ouvert" in client.get("/conseils/centre/actualites/").content.decode()
    for url in (
        "/conseils/centre/actualites/tag/dossier-confidentiel/",
        "/conseils/centre/actualites/tag/dossier-confidentiel/rss/",
        "/actualites/tag/projet-secret/",
        "/actualites/tag/projet-secret/atom/",
    ):
        assert client.get(url).status_code == 404, url

    # A member reads the post and its tag, but no tag page is offered for it (it would list nothing).
    client.force_login(member_a)
    html = client.get(secret.url).content.decode()
    assert "dossier-confidentiel" in html
    assert "/tag/dossier-confidentiel/" not in html


def test_another_councils_editor_is_not_offered_a_members_only_posts_tag(
    client, blog_a, council_a, council_b, make_post
):
    from councils.factories import UserFactory
    from councils.services import council_add_editor

    secret = make_post(blog_a, tags=["dossier-confidentiel"])
    members_only(secret, council_a)
    editor_b = UserFactory(username="editeur-biollay")
    council_add_editor(council=council_b, user=editor_b)
    client.force_login(editor_b)
    response = client.get(reverse("wagtailadmin_tag_autocomplete") + "?term=dossier")
    assert response.status_code == 200
    assert response.json() == []


def test_an_editor_is_offered_public_posts_tags_and_their_own_councils_tags(
    client, blog_a, council_a, council_b, make_post
):
    from councils.factories import UserFactory
    from councils.services import council_add_editor

    make_post(blog_a, tags=["mobilite"])
    own = make_post(blog_a, tags=["mobilite-interne"])
    members_only(own, council_a)
    editor_a = UserFactory(username="editrice-centre")
    council_add_editor(council=council_a, user=editor_a)
    editor_b = UserFactory(username="editeur-biollay")
    council_add_editor(council=council_b, user=editor_b)
    url = reverse("wagtailadmin_tag_autocomplete") + "?term=mobilite"
    client.force_login(editor_a)
    assert sorted(client.get(url).json()) == ["mobilite", "mobilite-interne"]
    client.force_login(editor_b)
    assert client.get(url).json() == ["mobilite"]


# -- Feeds ---------------------------------------------------------------------------------------------


def test_the_rss_feed_lists_the_listed_posts_with_links_and_dates(client, city_blog, make_post):
    make_post(city_blog, title="Première", date=datetime.date(2026, 4, 1), tags=["budget"])
    make_post(city_blog, title="Seconde", date=datetime.date(2026, 4, 2))
    make_post(city_blog, title="Brouillon", live=False)
    response = client.get("/actualites/rss/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314 - our own feed
    assert channel.findtext("title") == city_blog.title
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["Seconde", "Première"]
    assert items[0].findtext("link") == "http://testserver/actualites/seconde/".replace(
        "seconde", BlogPage.objects.get(title="Seconde").slug
    )
    assert parsedate_to_datetime(items[1].findtext("pubDate")).date() == datetime.date(2026, 4, 1)
    assert items[1].findtext("category") == "budget"


def test_the_atom_feed_of_a_tag_lists_only_that_tag(client, blog_a, make_post):
    make_post(blog_a, title="Vélo", tags=["mobilité"])
    make_post(blog_a, title="Musique", tags=["culture"])
    response = client.get("/conseils/centre/actualites/tag/mobilite/atom/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - our own feed
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Vélo"]
    assert (
        entries[0].find(f"{ATOM}link").get("href").startswith("http://testserver/conseils/centre/actualites/")
    )
    assert datetime.datetime.fromisoformat(entries[0].findtext(f"{ATOM}updated"))
    assert "mobilite" in feed.find(f"{ATOM}link").get("href")


def test_the_index_announces_its_feeds(client, city_blog):
    html = client.get("/actualites/").content.decode()
    assert 'type="application/rss+xml"' in html and 'href="/actualites/rss/"' in html
    assert 'type="application/atom+xml"' in html and 'href="/actualites/atom/"' in html


# -- Video embeds --------------------------------------------------------------------------------------


def test_an_embed_that_cannot_be_fetched_shows_a_plain_link(client, city_blog, make_post):
    post = make_post(city_blog, body=video_body())
    response = client.get(post.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="https://www.youtube.com/watch?v=abcdefghijk"' in html
    assert "Regarder la vidéo" in html or "Watch the video" in html
    assert "<iframe" not in html


def test_an_embed_provider_that_times_out_shows_a_plain_link(client, city_blog, make_post):
    post = make_post(city_blog, body=video_body())
    get_finders.cache_clear()
    with override_settings(WAGTAILEMBEDS_FINDERS=[{"class": "blog.tests.fake_finders.TimeoutFinder"}]):
        response = client.get(post.url)
    get_finders.cache_clear()
    assert response.status_code == 200
    assert 'href="https://www.youtube.com/watch?v=abcdefghijk"' in response.content.decode()


def test_an_embed_that_can_be_fetched_is_played_in_the_page(client, city_blog, make_post):
    post = make_post(city_blog, body=video_body())
    get_finders.cache_clear()
    with override_settings(WAGTAILEMBEDS_FINDERS=[{"class": "blog.tests.fake_finders.WorkingFinder"}]):
        html = client.get(post.url).content.decode()
    get_finders.cache_clear()
    assert "<iframe" in html


# -- Home and council pages, visibility ----------------------------------------------------------------


def test_the_home_page_shows_the_three_latest_posts_of_the_city_and_councils(
    client, city_blog, blog_a, council_a, make_post
):
    make_post(city_blog, title="La plus ancienne", date=datetime.date(2026, 1, 1))
    make_post(city_blog, title="Ville récente", date=datetime.date(2026, 6, 1))
    make_post(blog_a, title="Centre récent", date=datetime.date(2026, 6, 2))
    make_post(city_blog, title="Ville la plus récente", date=datetime.date(2026, 6, 3))
    response = client.get("/")
    posts = response.context["latest_posts"]
    assert [p.title for p in posts] == ["Ville la plus récente", "Centre récent", "Ville récente"]
    html = response.content.decode()
    assert "Centre récent" in html and "La plus ancienne" not in html
    assert council_a.title in html


def test_the_council_page_shows_its_own_latest_posts_only(client, blog_a, blog_b, make_post):
    make_post(blog_a, title="Nouvelle du Centre")
    make_post(blog_b, title="Nouvelle de Biollay")
    html = client.get("/conseils/centre/").content.decode()
    assert "Nouvelle du Centre" in html
    assert "Nouvelle de Biollay" not in html


def test_a_sandbox_councils_posts_are_listed_nowhere(client, council_factory, make_post):
    sandbox = council_factory(title="Bac à sable", slug="bac-a-sable", is_sandbox=True)
    blog = BlogIndexPage.objects.child_of(sandbox).get()
    make_post(blog, title="Essai de formation", tags=["exercice"])
    for url in ("/", "/actualites/", "/actualites/rss/"):
        html = client.get(url).content.decode()
        assert "Essai de formation" not in html and "exercice" not in html
    assert BlogPage.objects.listed().filter(title="Essai de formation").count() == 0


@pytest.mark.parametrize("url", ["/", "/actualites/", "/conseils/centre/", "/conseils/centre/actualites/"])
def test_listings_cost_the_same_queries_for_2_and_12_posts(
    client, city_blog, blog_a, make_post, django_assert_max_num_queries, url
):
    def add_posts(count):
        for _ in range(count):
            image = CouncilImageFactory()
            make_post(city_blog, tags=["a", "b"], lead_image=image, lead_image_alt="Photo")
            make_post(blog_a, tags=["a", "c"], lead_image=image, lead_image_alt="Photo")

    add_posts(1)
    client.get(url)  # image renditions are made on the first view…
    cache.clear()  # …then read from the database, not from the page cache
    budget = count_queries(lambda: client.get(url))
    add_posts(5)
    client.get(url)
    cache.clear()
    with django_assert_max_num_queries(budget):
        assert client.get(url).status_code == 200


def test_a_post_costs_the_same_queries_with_many_tags_and_related_posts(
    client, city_blog, make_post, django_assert_max_num_queries
):
    post = make_post(city_blog, tags=["a"])
    make_post(city_blog, tags=["a"])
    client.get(post.url)
    cache.clear()
    budget = count_queries(lambda: client.get(post.url))
    post.tags.add("b", "c", "d", "e")
    post.save()
    for _ in range(4):
        make_post(city_blog, tags=["a", "b"])
    client.get(post.url)
    cache.clear()
    with django_assert_max_num_queries(budget):
        assert client.get(post.url).status_code == 200


# -- Admin ---------------------------------------------------------------------------------------------


def test_a_council_editor_writes_a_tagged_post_in_the_councils_blog(client, editor_a, blog_a):
    client.force_login(editor_a)
    add_url = reverse("wagtailadmin_pages:add", args=("blog", "blogpage", blog_a.pk))
    assert client.get(add_url).status_code == 200
    response = client.post(
        add_url,
        {
            "title": "Réunion de rentrée",
            "slug": "reunion-de-rentree",
            "date": "2026-09-01",
            "author": "Par le bureau",
            "intro": "Le conseil reprend ses travaux.",
            "lead_image_alt": "",
            "body-count": "0",
            "tags": "rentrée, vie de quartier",
            "action-publish": "action-publish",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    post = BlogPage.objects.get(slug="reunion-de-rentree")
    assert post.live
    assert sorted(post.tags.names()) == ["rentrée", "vie de quartier"]
    assert "/conseils/centre/actualites/tag/rentree/" in client.get(post.url).content.decode()
