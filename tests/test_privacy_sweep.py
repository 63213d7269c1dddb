"""Privacy, by construction: every public route × private content × each role.

Council A holds private things whose titles and file names carry the word "Cormoran": a members-only
page, a members-only meeting, a members-only event, a members-only news post and its tag, a document and
an image in its private collection, a public page that shows the private document and image through its
blocks and rich text, and the people registered to its public event (their names, emails and
organisations are private to the organisers). Every public route of the site
(`tests.routes.public_routes`: every live page and its sub-routes, feeds and calendars included, and every
non-admin URL pattern) is requested with its parameters pointing at those private things and with
`?q=cormoran`, by an anonymous reader, another council's member and another council's editor: none of
them may read the word anywhere in the answer (body or headers), nor get the private files' bytes. The
council's own member, as a control, reads the members-only page and opens the private files.
"""

from datetime import timedelta
from urllib.parse import quote

from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import PageViewRestriction

import pytest

from blog.factories import BlogPageFactory
from blog.models import BlogIndexPage
from councils.factories import UserFactory
from councils.services import council_add_editor, council_add_member
from councils.tests.worlds import two_councils_build
from documents.services import document_create
from events.factories import EventPageFactory, RegistrationEventFactory, RegistrationFactory
from events.tests.helpers import meeting_make_private, meeting_publish
from home.models import StandardPage
from tests.routes import fill, public_routes

SECRET = "cormoran"
# What would betray the private things (the reader's own query, echoed back, is no leak).
LEAKS = (
    "espace cormoran",
    "séance cormoran",
    "note cormoran",
    "photo cormoran",
    "bureau cormoran",
    "rencontre cormoran",
    "nouvelle cormoran",
    "habitante cormoran",
    "association cormoran",
    "cormoran-",
)


def _standard_page(parent, title, slug, body=()):
    page = StandardPage(title=title, slug=slug, intro="", body=list(body))
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        built = two_councils_build()
        council_a, council_b = built["council_a"], built["council_b"]
        members_a = council_a.access.members_group
        member_b = UserFactory(username="membre-biollay")
        council_add_member(council=council_b, user=member_b)
        editor_b = UserFactory(username="editeur-biollay")
        council_add_editor(council=council_b, user=editor_b)
        soon = timezone.localtime() + timedelta(days=3)
        private_meeting = meeting_publish(council_a, title="Séance Cormoran", start=soon)
        meeting_make_private(private_meeting, council_a)
        meeting_publish(council_a, title="Séance publique", start=soon + timedelta(days=1))
        document = document_create(
            title="Note Cormoran",
            file=ContentFile(b"%PDF-1.4 secret", name="cormoran-note.pdf"),
            collection=council_a.access.private_collection,
            kind="report",
        )
        image = get_image_model().objects.create(
            title="Photo Cormoran",
            collection=council_a.access.private_collection,
            file=get_test_image_file(filename="cormoran-photo.png"),
        )
        private_event = EventPageFactory(
            parent=council_a, title="Rencontre Cormoran", slug="rencontre-privee"
        )
        private_event.save_revision().publish()
        meeting_make_private(private_event, council_a)
        public_event = RegistrationEventFactory(parent=council_a, title="Forum ouvert", slug="forum-ouvert")
        public_event.save_revision().publish()
        RegistrationFactory(
            event=public_event,
            name="Habitante Cormoran",
            email="cormoran-habitante@example.org",
            organisation="Association Cormoran",
            accessibility_needs="Boucle magnétique",
        )
        blog = BlogIndexPage.objects.child_of(council_a).first()
        private_post = BlogPageFactory(parent=blog, title="Nouvelle Cormoran", tags=["Cormoran-secret"])
        private_post.save_revision().publish()
        meeting_make_private(private_post, council_a)
        members_page = _standard_page(council_a, "Espace Cormoran", "espace-membres")
        restriction = PageViewRestriction.objects.create(
            page=members_page, restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.add(members_a)
        _standard_page(
            council_a,
            "Compte rendu public",
            "compte-rendu-public",
            body=[
                {"type": "document", "value": {"document": document.pk, "label": ""}},
                {
                    "type": "image",
                    "value": {"image": image.pk, "alt_text": "Bureau Cormoran", "decorative": False},
                },
                {
                    "type": "paragraph",
                    "value": f'<p><a linktype="document" id="{document.pk}">la note</a></p>',
                },
            ],
        )
        rendition = image.get_rendition("width-800")
        image_url_parts = rendition.url.rstrip("/").split("/")
        values = {
            "_0": str(document.pk),
            "_1": document.filename,
            "document_id": str(document.pk),
            "document_filename": document.filename,
            "image_id": str(image.pk),
            "filter_spec": "width-800",
            "filename": image_url_parts[-1],
            "page_id": str(members_page.pk),
            "page_view_restriction_id": str(restriction.pk),
            "restriction_id": str(council_a.access.private_collection.get_view_restrictions().first().pk),
            "year": str(soon.year),
            "month": str(soon.month),
            "tag_slug": "cormoran-secret",
            "slug": "cormoran-secret",
        }
        yield {
            "routes": public_routes(),
            "values": values,
            "readers": {
                "anonymous": None,
                "another council's member": member_b,
                "another council's editor": editor_b,
            },
            "member_a": built["member_a"],
            "members_page": members_page,
            "document": document,
            "rendition_url": rendition.url,
            "secret_files": (document.file.read(), rendition.file.read()),
        }
        transaction.set_rollback(True)


def _reader_client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _text(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return body, headers


def test_the_sweep_covers_every_kind_of_public_route(world):
    templates = [template for template, _params in world["routes"]]
    for expected in ("/recherche/", "calendrier/", "/documents/", "/conseils/centre/espace-membres/"):
        assert any(expected in t for t in templates), (expected, templates)
    assert len(templates) >= 20


@pytest.mark.parametrize("reader", ["anonymous", "another council's member", "another council's editor"])
def test_no_public_route_shows_anything_private_to_a_reader_without_access(world, db, reader):
    client = _reader_client(world["readers"][reader])
    leaks = []
    for template, params in world["routes"]:
        path = fill(template, params, world["values"])
        for query in ("", f"q={SECRET}"):
            response = client.get(path, QUERY_STRING=query)
            body, headers = _text(response)
            text = (body.decode("utf-8", "replace") + headers).lower()
            # The address the reader asked for, echoed back (a "next" parameter), is no leak.
            for echo in (path, quote(path), quote(path, safe="")):
                text = text.replace(echo.lower(), "")
            leaks += [(path, query, response.status_code, leak) for leak in LEAKS if leak in text]
            if response.status_code == 200 and any(secret in body for secret in world["secret_files"]):
                leaks.append((path, query, "file bytes"))
    assert leaks == []


def test_the_councils_member_reads_what_the_others_cannot(world, db):
    client = _reader_client(world["member_a"])
    page = client.get(world["members_page"].url)
    assert page.status_code == 200
    assert "Espace Cormoran" in page.content.decode()
    public = client.get("/conseils/centre/compte-rendu-public/").content.decode()
    assert "Note Cormoran" in public
    assert "Bureau Cormoran" in public
    document = client.get(world["document"].url)
    assert document.status_code == 200
    assert b"".join(document.streaming_content) == world["secret_files"][0]
    rendition = client.get(world["rendition_url"])
    assert rendition.status_code == 200
