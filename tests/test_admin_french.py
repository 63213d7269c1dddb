"""The admin screens a resident editor uses speak French and load nothing from outside services.

Rendered as the council's editor: the dashboard, the explorer, the edit and add screens of every page type
of a council's space, documents and images (listing, multiple upload, edit), and their account. No image,
script, style sheet or frame may come from another host (no gravatar avatar, no CDN), and the English words
volunteers reported ("Password", "None", "Moderators") appear nowhere a person reads.
"""

import re
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import urlparse

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.urls import reverse

from wagtail.images import get_image_model

import pytest
from PIL import Image as PILImage

from documents.models import DocumentIndexPage
from documents.services import document_create
from home.models import StandardPage
from meetings.factories import MeetingIndexPageFactory, MeetingPageFactory

REPORTED_ENGLISH = re.compile(r"\b(None|Password|Moderators)\b")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


class Screen(HTMLParser):
    """What a person reads on the screen (text outside hidden elements, scripts and templates, plus the
    attributes read aloud or shown on hover) and what the browser loads by itself (img, script, link,
    iframe, source)."""

    def __init__(self, html):
        super().__init__()
        self.text, self.loads, self._stack, self._hidden_at = [], [], [], None
        self.feed(html)

    @property
    def _hidden(self):
        return self._hidden_at is not None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "srcset") if tag in ("img", "script", "iframe", "source") else ():
            if attrs.get(name):
                self.loads.append(attrs[name])
        if tag == "link" and attrs.get("href") and "alternate" not in (attrs.get("rel") or ""):
            self.loads.append(attrs["href"])
        if tag in VOID:
            if attrs.get("type") != "hidden" and "hidden" not in attrs:
                self._read_attributes(attrs)
            return
        self._stack.append(tag)
        if not self._hidden and ("hidden" in attrs or tag in ("script", "style", "template")):
            self._hidden_at = len(self._stack)
        if not self._hidden:
            self._read_attributes(attrs)

    def _read_attributes(self, attrs):
        if self._hidden:
            return
        self.text.extend(attrs[name] for name in READ_ATTRIBUTES if attrs.get(name))

    def handle_endtag(self, tag):
        if tag in VOID or tag not in self._stack:
            return
        while self._stack:
            closed = self._stack.pop()
            if self._hidden_at is not None and len(self._stack) < self._hidden_at:
                self._hidden_at = None
            if closed == tag:
                break

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.text.append(data.strip())


def _png():
    buffer = BytesIO()
    PILImage.new("RGB", (40, 30), "#1f4e8c").save(buffer, "PNG")
    return ImageFile(BytesIO(buffer.getvalue()), name="affiche.png")


@pytest.fixture
def editor_screens(council_a, editor_a):
    index = MeetingIndexPageFactory(parent=council_a)
    index.save_revision().publish()
    meeting = MeetingPageFactory(parent=index)
    meeting.save_revision().publish()
    standard = StandardPage(title="Le conseil en bref", slug="en-bref")
    council_a.add_child(instance=standard)
    standard.save_revision().publish()
    documents = DocumentIndexPage.objects.child_of(council_a).get()
    document = document_create(
        title="Ordre du jour",
        file=ContentFile(b"%PDF-1.4\n", name="odj.pdf"),
        collection=council_a.access.collection,
    )
    image = get_image_model().objects.create(
        title="Affiche", file=_png(), collection=council_a.access.collection
    )
    screens = {
        "dashboard": reverse("wagtailadmin_home"),
        "explorer of the council": reverse("wagtailadmin_explore", args=[council_a.pk]),
        "explorer of the meetings": reverse("wagtailadmin_explore", args=[index.pk]),
        "documents": reverse("wagtaildocs:index"),
        "documents upload": reverse("wagtaildocs:add_multiple"),
        "document edit": reverse("wagtaildocs:edit", args=[document.pk]),
        "images": reverse("wagtailimages:index"),
        "images upload": reverse("wagtailimages:add_multiple"),
        "image edit": reverse("wagtailimages:edit", args=[image.pk]),
        "account": reverse("wagtailadmin_account"),
        "page search": reverse("wagtailadmin_pages:search") + "?q=conseil",
    }
    for page in (council_a, index, meeting, documents, standard):
        screens[f"edit {type(page.specific).__name__}"] = reverse("wagtailadmin_pages:edit", args=[page.pk])
    for parent, model in ((index, "meetingpage"), (council_a, "standardpage")):
        app = "meetings" if model == "meetingpage" else "home"
        screens[f"add {model}"] = reverse("wagtailadmin_pages:add", args=[app, model, parent.pk])
    return screens


def test_the_screens_editors_use_load_nothing_from_another_host(client, editor_a, editor_screens):
    client.force_login(editor_a)
    outside = {}
    for name, url in editor_screens.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        screen = Screen(response.content.decode())
        assert screen.loads, name  # the parser did find the admin's own scripts and styles
        external = [
            src
            for src in screen.loads
            if "gravatar" in src or urlparse(src.split(" ")[0]).netloc not in ("", "testserver")
        ]
        if external:
            outside[name] = external
    assert outside == {}


def test_the_screens_editors_use_show_none_of_the_reported_english_words(client, editor_a, editor_screens):
    client.force_login(editor_a)
    english = {}
    for name, url in editor_screens.items():
        screen = Screen(client.get(url).content.decode())
        found = sorted({text[:80] for text in screen.text if REPORTED_ENGLISH.search(text)})
        if found:
            english[name] = found
    assert english == {}


def test_avatars_are_never_fetched_from_gravatar(settings, editor_a):
    from wagtail.users.utils import get_gravatar_url

    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    assert get_gravatar_url(editor_a.email) is None


def test_the_screen_reader_skips_hidden_elements_and_reads_labels():
    screen = Screen(
        '<div hidden><span>None</span></div><p title="Titre">Bonjour <b>à tous</b></p>'
        '<img src="https://www.gravatar.com/avatar/x" alt="Avatar"><input type="text" placeholder="Rechercher">'
    )

    assert screen.text == ["Titre", "Bonjour", "à tous", "Avatar", "Rechercher"]
    assert screen.loads == ["https://www.gravatar.com/avatar/x"]
