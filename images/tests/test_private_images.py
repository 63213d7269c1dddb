"""Private images: stored where the web server never serves them, shown only to those allowed.

An image of council A's private collection, on a public page of council A, on a members-only page and
as the council's cover: its rendition URL goes through the serving view, which lets only the council's
members have the bytes (`Cache-Control: private`); its files are under MEDIA_ROOT/private/, which the
demo server does not serve. Public images stay plain files under /media/.
"""

import importlib
import json
import re
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import Resolver404, clear_url_caches, resolve, reverse

from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import CollectionViewRestriction, PageViewRestriction

import pytest

from councils.factories import UserFactory
from councils.services import council_add_member
from home.models import StandardPage
from images.factories import CouncilImageFactory
from images.models import CouncilImage

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_b(council_b):
    user = UserFactory(username="membre-biollay")
    council_add_member(council=council_b, user=user)
    return user


def _page_with_image(parent, image, *, title, slug):
    page = StandardPage(
        title=title,
        slug=slug,
        body=json.dumps(
            [{"type": "image", "value": {"image": image.pk, "alt_text": "Le lavoir", "decorative": False}}]
        ),
    )
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def world(council_a, council_b, member_a, member_b):
    private_image = CouncilImageFactory(
        title="Plan du lavoir", collection=council_a.access.private_collection
    )
    public_image = CouncilImageFactory(title="Fête du quartier", collection=council_a.access.collection)
    public_page = _page_with_image(council_a, private_image, title="Le lavoir", slug="lavoir")
    members_page = _page_with_image(council_a, private_image, title="Espace membres", slug="espace-membres")
    restriction = PageViewRestriction.objects.create(
        page=members_page, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(council_a.access.members_group)
    council_a.cover_image = private_image
    council_a.cover_image_alt = "Le plan du lavoir"
    council_a.save_revision().publish()
    return {
        "private_image": private_image,
        "public_image": public_image,
        "public_page": public_page,
        "members_page": members_page,
        "council_page": council_a,
        "member_a": member_a,
        "member_b": member_b,
    }


@pytest.fixture
def demo_urlconf():
    """config.urls as the demo server (DEBUG) builds it, media folders included."""
    import config.urls

    with override_settings(DEBUG=True):
        importlib.reload(config.urls)
        clear_url_caches()
        yield
    importlib.reload(config.urls)
    clear_url_caches()


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def _image_urls(html):
    return re.findall(r'<img[^>]*src="([^"]+)"', html)


def _private_image_urls(client, world):
    """The private image's rendition URLs as council A's member sees them on the three pages."""
    client.force_login(world["member_a"])
    urls = set()
    for page in ("public_page", "members_page", "council_page"):
        response = client.get(world[page].url)
        assert response.status_code == 200
        urls.update(url for url in _image_urls(response.content.decode()) if "/images-privees/" in url)
    client.logout()
    assert urls
    return urls


def test_a_private_images_files_live_in_the_private_folder_only(world):
    image = world["private_image"]
    rendition = image.get_rendition("width-800")
    media = Path(settings.MEDIA_ROOT)

    assert image.file.name.startswith("private/original_images/")
    assert rendition.file.name.startswith("private/images/")
    for stored in (image.file, rendition.file):
        path = Path(stored.path).resolve()
        assert path.exists()
        assert path.is_relative_to(media.resolve() / "private")
        assert not path.is_relative_to(media.resolve() / "images")
        assert not path.is_relative_to(media.resolve() / "original_images")


def test_a_private_images_rendition_url_goes_through_the_checking_view(world):
    rendition = world["private_image"].get_rendition("fill-1200x400")

    assert rendition.url.startswith("/images-privees/")
    assert "/media/" not in rendition.url
    assert resolve(rendition.url).url_name == "private_image"


def test_every_page_showing_the_private_image_gives_its_member_the_checking_views_url(client, world):
    urls = _private_image_urls(client, world)

    assert len(urls) == 2  # width-800 in the body blocks, fill-1200x400 as the cover
    assert all(url.startswith("/images-privees/") for url in urls)


def test_the_private_image_does_not_appear_at_all_to_those_who_may_not_see_it(client, world):
    for who in (None, world["member_b"]):
        if who:
            client.force_login(who)
        for page in ("public_page", "council_page"):
            html = client.get(world[page].url).content.decode()
            assert "/images-privees/" not in html
            assert "/media/private/" not in html
        assert client.get(world["members_page"].url).status_code in (302, 403, 404)


def test_anonymous_readers_are_sent_to_sign_in_and_get_no_bytes(client, world):
    for url in _private_image_urls(client, world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "next=" in response["Location"]
        assert not getattr(response, "streaming", False)


def test_another_councils_member_gets_a_not_found_and_no_bytes(client, world):
    urls = _private_image_urls(client, world)
    client.force_login(world["member_b"])
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert not getattr(response, "streaming", False)


def test_the_councils_member_gets_the_bytes_with_a_private_cache_control(client, world):
    urls = _private_image_urls(client, world)
    client.force_login(world["member_a"])
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        rendition = world["private_image"].renditions.get(file__endswith="/" + url.rsplit("/", 1)[1])
        with rendition.file.open("rb") as stored:
            assert _body(response) == stored.read()
        cache_control = response["Cache-Control"]
        assert "private" in cache_control
        assert "public" not in cache_control
        assert "Cookie" in response["Vary"]
        assert response["Content-Type"].startswith("image/")


def test_the_view_never_makes_a_rendition_nobody_asked_for(client, world):
    image = world["private_image"]
    client.force_login(world["member_a"])
    url = reverse(
        "private_image", kwargs={"image_id": image.pk, "filter_spec": "fill-4000x4000", "filename": "x.png"}
    )

    assert client.get(url).status_code == 404
    assert not image.renditions.filter(filter_spec="fill-4000x4000").exists()


def test_the_demo_server_never_serves_the_private_folder(world, demo_urlconf):
    image = world["private_image"]
    rendition = image.get_rendition("width-800")
    client = Client(raise_request_exception=False)
    for path in (
        f"/media/{image.file.name}",
        f"/media/{rendition.file.name}",
        f"/media/images/../{rendition.file.name}",
        f"/media/original_images/../{image.file.name}",
        f"/media/images/%2E%2E/{rendition.file.name}",
    ):
        response = client.get(path)
        assert response.status_code in (400, 404), path
        assert not getattr(response, "streaming", False), path
    with pytest.raises(Resolver404):
        resolve("/media/private/images/plan.width-800.png")
    with pytest.raises(Resolver404):
        resolve("/media/documents/compte-rendu-prive.pdf")


def test_public_images_stay_plain_files_the_demo_server_serves_to_anyone(client, world, demo_urlconf):
    image = world["public_image"]
    rendition = image.get_rendition("width-800")

    assert image.file.name.startswith("original_images/")
    assert rendition.file.name.startswith("images/")
    assert rendition.url == f"{settings.MEDIA_URL}{rendition.file.name}"
    response = client.get(rendition.url)
    assert response.status_code == 200
    with rendition.file.open("rb") as stored:
        assert _body(response) == stored.read()


def test_moving_an_image_to_the_private_collection_moves_its_file_and_drops_its_public_renditions(
    world, django_capture_on_commit_callbacks
):
    image = world["public_image"]
    media = Path(settings.MEDIA_ROOT)
    old_original = media / image.file.name
    old_rendition = media / image.get_rendition("width-800").file.name
    assert old_original.exists() and old_rendition.exists()

    with django_capture_on_commit_callbacks(execute=True):
        image.collection = world["council_page"].access.private_collection
        image.save()

    image.refresh_from_db()
    assert image.file.name.startswith("private/original_images/")
    assert (media / image.file.name).exists()
    assert not old_original.exists()
    assert not old_rendition.exists()
    assert not image.renditions.exists()
    assert image.get_rendition("width-800").url.startswith("/images-privees/")


def test_moving_an_image_back_to_the_public_collection_makes_it_a_plain_file_again(
    world, django_capture_on_commit_callbacks
):
    image = world["private_image"]
    media = Path(settings.MEDIA_ROOT)
    old_original = media / image.file.name
    old_rendition = media / image.get_rendition("width-800").file.name

    with django_capture_on_commit_callbacks(execute=True):
        image.collection = world["council_page"].access.collection
        image.save()

    image.refresh_from_db()
    assert image.file.name.startswith("original_images/")
    assert not old_original.exists()
    assert not old_rendition.exists()
    assert image.get_rendition("width-800").url.startswith(settings.MEDIA_URL + "images/")


def test_restricting_a_collection_moves_its_images_and_lifting_it_moves_them_back(
    council_a, django_capture_on_commit_callbacks
):
    image = CouncilImageFactory(collection=council_a.access.collection)
    old_original = Path(settings.MEDIA_ROOT) / image.file.name

    with django_capture_on_commit_callbacks(execute=True):
        restriction = CollectionViewRestriction.objects.create(
            collection=council_a.access.collection, restriction_type=CollectionViewRestriction.LOGIN
        )
    image.refresh_from_db()
    assert image.file.name.startswith("private/original_images/")
    assert not old_original.exists()

    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    image.refresh_from_db()
    assert image.file.name.startswith("original_images/")
    assert (Path(settings.MEDIA_ROOT) / image.file.name).exists()


def test_a_restricted_collection_without_images_can_still_be_deleted(council_a):
    collection = council_a.access.private_collection.add_child(name="Archives")
    CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.LOGIN
    )

    collection.delete()

    assert not CollectionViewRestriction.objects.filter(collection_id=collection.pk).exists()


def test_the_councils_editor_sees_the_private_image_in_the_admin(client, world, editor_a):
    client.force_login(editor_a)
    html = client.get(reverse("wagtailimages:edit", args=[world["private_image"].pk])).content.decode()
    urls = [url for url in _image_urls(html) if url.startswith("/images-privees/")]

    assert urls
    response = client.get(urls[0])
    assert response.status_code == 200
    assert _body(response).startswith(b"\x89PNG")


def test_moving_images_with_the_admins_bulk_action_moves_their_files(
    client, world, city_staff, django_capture_on_commit_callbacks
):
    image = world["public_image"]
    client.force_login(city_staff)
    url = reverse("wagtail_bulk_action", args=("images", "councilimage", "add_to_collection"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{url}?id={image.pk}", {"collection": world["council_page"].access.private_collection.pk}
        )

    assert response.status_code == 302
    image.refresh_from_db()
    assert image.collection_id == world["council_page"].access.private_collection.pk
    assert image.file.name.startswith("private/original_images/")


def test_an_image_uploaded_in_the_admin_to_the_private_collection_is_stored_privately(
    client, council_a, editor_a
):
    png = get_test_image_file(filename="croquis.png").file.getvalue()
    client.force_login(editor_a)
    response = client.post(
        reverse("wagtailimages:add"),
        {
            "title": "Croquis du préau",
            "collection": council_a.access.private_collection.pk,
            "file": SimpleUploadedFile("croquis.png", png, content_type="image/png"),
            "tags": "",
        },
    )

    assert response.status_code == 302
    image = CouncilImage.objects.get(title="Croquis du préau")
    assert image.file.name.startswith("private/original_images/croquis")
