"""Services of composing: what goes into an issue, its privacy check, its rendering (HTML and plain text),
its personal links and the test send.

An issue has two parts:

- the **written part** — the introduction and the blocks the communications team writes. Every page,
  document and image it points to (found by `core.references.extract_references`, the way Wagtail's
  reference index finds them, so a block added later is covered) must be **public**: a listed page; a
  document or image in a collection with no view restriction, outside the sandbox. The admin form refuses
  anything else on save; `issue_private_references` says it again when sending starts (a page made
  private since); and rendering leaves out whatever is not public, whatever happened before.
- the **latest content** of the issue's lists (`issue_content_latest`), when `include_latest` is ticked:
  news posts first published in the period, and meetings and events starting in the next
  `UPCOMING_DAYS` days — listed pages only (live, no view restriction on them or an ancestor, outside the
  sandbox), never inside a working group. The city's list takes what no council owns; a council's list
  that council's posts, meetings and events.

`issue_freeze` renders the issue once when sending starts, leaving the personal links as placeholders;
`issue_personalise` fills them in for each recipient (or with the newsletter's page for a test send, a
preview or the web archive).
"""

import copy
import html
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html.parser import HTMLParser

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Value, When, Window
from django.db.models.functions import Length, RowNumber, Substr
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.rich_text import expand_db_html

from core.references import extract_references, strip_rich_text
from core.visibility import VisiblePageQuerySet, private_collection_ids, space_model
from jobs.emails import email_queue

from .links import absolute, subscriber_url
from .models import IssueStatus, NewsletterIssue, Subscriber, SubscriberStatus

#: Placeholders of the personal links in a frozen issue (`issue_personalise` replaces them).
UNSUBSCRIBE_PLACEHOLDER = "%%UNSUBSCRIBE_URL%%"
PREFERENCES_PLACEHOLDER = "%%PREFERENCES_URL%%"

#: Without a start of period nor a previous issue: the last 30 days.
DEFAULT_PERIOD_DAYS = 30
#: Meetings and events shown: those starting within this many days.
UPCOMING_DAYS = 42
#: At most this many news posts, and this many meetings and events, per list (a busy council does not
#: make an endless email).
MAX_ITEMS = 10

TEST_SUBJECT_PREFIX = "[Test] "

KIND_LABELS = {
    "page": _("page"),
    "document": _("document"),
    "image": _("image"),
}


# -- What the issue's lists published -----------------------------------------------------------------


@dataclass
class LatestItem:
    kind: str  # "post", "event", "meeting"
    title: str
    url: str
    summary: str = ""
    date: object = None  # a post's date
    start: datetime | None = None
    end: datetime | None = None
    place: str = ""
    online: bool = False
    cancelled: bool = False


@dataclass
class Section:
    newsletter_list: object
    title: str
    posts: list = field(default_factory=list)
    dated: list = field(default_factory=list)

    @property
    def is_empty(self):
        return not (self.posts or self.dated)


def issue_lists(issue: NewsletterIssue) -> list:
    """The issue's lists (with their councils); an unsaved issue in the admin's preview carries the lists
    chosen in the form as `_preview_lists`."""
    lists = getattr(issue, "_preview_lists", None)
    if lists is None:
        if not issue.pk:
            return []
        return list(issue.lists.select_related("council"))
    return lists


def issue_period_start(*, issue: NewsletterIssue, now=None) -> datetime:
    """Where the issue's period starts: its own `period_start`, else when the previous issue sent to one
    of its lists was sent, else 30 days ago."""
    if issue.period_start:
        return issue.period_start
    previous = NewsletterIssue.objects.filter(
        status=IssueStatus.SENT,
        sent_at__isnull=False,
        lists__in=[newsletter_list.pk for newsletter_list in issue_lists(issue)],
    ).exclude(pk=issue.pk)
    # An issue already sent (its web archive) counts from the issue before it, not from later ones.
    before = issue.send_requested_at or issue.sent_at
    if before is not None:
        previous = previous.filter(sent_at__lt=before)
    previous = previous.order_by("-sent_at").values_list("sent_at", flat=True).first()
    return previous or (now or timezone.now()) - timedelta(days=DEFAULT_PERIOD_DAYS)


def _under(model_queryset):
    """An Exists() true when the outer page lies inside (or is) a page of `model_queryset`."""
    return Exists(model_queryset.filter(path=Substr(OuterRef("path"), 1, Length("path"))))


def _public_pages(model):
    """Listed pages of `model` outside every working group (private by design)."""
    from councils.models import WorkingGroupPage

    return model.objects.listed().filter(~_under(WorkingGroupPage.objects.all()))


def _section_key(page_path, council_paths):
    """The list a page belongs to: the council whose path starts its path, or None (the city)."""
    return next((path for path in council_paths if page_path.startswith(path)), None)


def issue_content_latest(*, issue: NewsletterIssue, now=None) -> list[Section]:
    """For each of the issue's lists (city first), the listed news first published in the period and the
    listed meetings and events of the next `UPCOMING_DAYS` days. A fixed number of queries (five) whatever
    the number of lists and items."""
    from blog.models import BlogPage
    from events.models import EventPage
    from meetings.models import MeetingPage

    now = now or timezone.now()
    start = issue_period_start(issue=issue, now=now)
    lists = list(issue_lists(issue))
    lists.sort(key=lambda newsletter_list: (newsletter_list.council_id is not None, str(newsletter_list)))
    sections = {}
    for newsletter_list in lists:
        key = newsletter_list.council.path if newsletter_list.council_id else None
        sections[key] = Section(newsletter_list=newsletter_list, title=str(newsletter_list))
    if not sections:
        return []
    council_paths = [key for key in sections if key is not None]

    def scope(queryset, order_by):
        """The listed pages of the lists' councils (and, for the city's list, outside every council),
        at most MAX_ITEMS per list: numbered per list by a window function, in the same query."""
        wanted = Q()
        for path in council_paths:
            wanted |= Q(path__startswith=path)
        outside_councils = ~_under(space_model().objects.all())
        if None in sections:
            wanted |= Q(outside_councils)
        # Every council sits at the same depth (children of the councils' index): its path is the first
        # `length` characters of its pages' paths; the city's pages share one partition.
        length = len(council_paths[0]) if council_paths else Page.steplen
        partition = Case(
            When(outside_councils, then=Value("")),
            default=Substr("path", 1, length),
            output_field=CharField(),
        )
        numbered = queryset.filter(wanted).annotate(
            list_rank=Window(RowNumber(), partition_by=[partition], order_by=order_by)
        )
        return numbered.filter(list_rank__lte=MAX_ITEMS).order_by(*order_by)

    def place(page):
        # `scope` kept only pages of the lists' councils and, for the city's list, pages outside them all.
        return sections.get(_section_key(page.path, council_paths))

    post_order = [F("date").desc(), F("first_published_at").desc(), F("pk").desc()]
    posts = scope(
        _public_pages(BlogPage)
        .filter(first_published_at__gte=start, first_published_at__lte=now)
        .only("title", "path", "url_path", "depth", "date", "intro", "first_published_at"),
        post_order,
    )
    for post in posts:
        section = place(post)
        if section is not None:
            section.posts.append(
                LatestItem(
                    kind="post", title=post.title, url=post.get_full_url(), summary=post.intro, date=post.date
                )
            )

    horizon = now + timedelta(days=UPCOMING_DAYS)
    dated = []
    for model, kind, summary_field in ((EventPage, "event", "summary"), (MeetingPage, "meeting", None)):
        fields = ["title", "path", "url_path", "depth", "start", "end", "status", "format", "place_name"]
        if summary_field:
            fields.append(summary_field)
        queryset = _public_pages(model).filter(start__gte=now, start__lt=horizon).only(*fields)
        dated += [(page, kind, summary_field) for page in scope(queryset, [F("start").asc(), F("pk").asc()])]
    dated.sort(key=lambda row: (row[0].start, row[0].pk))
    for page, kind, summary_field in dated:
        section = place(page)
        if section is not None and len(section.dated) < MAX_ITEMS:
            section.dated.append(
                LatestItem(
                    kind=kind,
                    title=page.title,
                    url=page.get_full_url(),
                    summary=getattr(page, summary_field) if summary_field else "",
                    start=page.start,
                    end=page.end,
                    place=page.place_name,
                    online=page.is_online,
                    cancelled=page.is_cancelled,
                )
            )
    return list(sections.values())


# -- Privacy of the written part ----------------------------------------------------------------------


def _sandbox_collection_paths():
    return list(
        space_model()
        .objects.filter(is_sandbox=True, access__isnull=False)
        .values_list("access__collection__path", flat=True)
    )


def _public_ids(kind, model, ids):
    """Of `ids` (strings), those of public items of this kind."""
    ids = {pk for pk in ids if str(pk).isdigit()}
    if not ids:
        return set()
    if kind == "page":
        queryset = VisiblePageQuerySet(Page).listed().filter(pk__in=ids)
        from councils.models import WorkingGroupPage

        queryset = queryset.filter(~_under(WorkingGroupPage.objects.all()))
        return {str(pk) for pk in queryset.values_list("pk", flat=True)}
    private = set(private_collection_ids())
    queryset = model.objects.filter(pk__in=ids).exclude(collection_id__in=private)
    sandbox = Q()
    for path in _sandbox_collection_paths():
        sandbox |= Q(collection__path__startswith=path)
    if sandbox:
        queryset = queryset.exclude(sandbox)
    return {str(pk) for pk in queryset.values_list("pk", flat=True)}


def _references(issue):
    """[(kind, model, pk as str, field name)] of every page, document and image the written part holds."""
    return [(kind, model, str(pk), name) for kind, model, pk, name in extract_references(issue)]


def issue_refused_references(*, issue: NewsletterIssue) -> list[tuple[str, object, str, str]]:
    """Every reference of the written part to something not public: [(kind, model, pk, field name)]."""
    references = _references(issue)
    by_kind = {}
    for kind, model, pk, _name in references:
        by_kind.setdefault((kind, model), set()).add(pk)
    public = {key: _public_ids(key[0], key[1], pks) for key, pks in by_kind.items()}
    return [ref for ref in references if ref[2] not in public[ref[0], ref[1]]]


def _item_label(kind, model, pk):
    item = model.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    return item.title if item is not None else f"#{pk}"


def issue_private_reference_errors(*, issue: NewsletterIssue) -> dict[str, list[str]]:
    """{field name: [French message naming the item]} for each reference to something not public."""
    errors = {}
    seen = set()
    for kind, model, pk, name in issue_refused_references(issue=issue):
        if (kind, pk, name) in seen:
            continue
        seen.add((kind, pk, name))
        message = {
            "page": _(
                "The page “%(title)s” is not public (unpublished, members only, in a working group or "
                "the sandbox): an issue may only point to public pages. Remove it or choose another."
            ),
            "document": _(
                "The document “%(title)s” is private: an issue may only point to public documents. "
                "Remove it or choose another."
            ),
            "image": _(
                "The image “%(title)s” is private: an issue may only show public images. "
                "Remove it or choose another."
            ),
        }[kind] % {"title": _item_label(kind, model, pk)}
        errors.setdefault(name, []).append(str(message))
    return errors


def issue_private_references(*, issue: NewsletterIssue) -> list[str]:
    """What stops the issue from being sent: one French message per private item its written part
    points to (empty: nothing). Called on save (the admin form) and again when sending starts."""
    return [
        message for messages in issue_private_reference_errors(issue=issue).values() for message in messages
    ]


# -- Rendering ------------------------------------------------------------------------------------------


def _site_settings():
    from wagtail.models import Site

    from home.models import SiteSettings

    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    return SiteSettings.for_site(site) if site else SiteSettings()


def _public_written_part(issue, refused):
    """The introduction and the body's blocks without anything not public: a block pointing to a private
    item is left out, a rich-text link to one keeps its text only."""
    refused_keys = {(kind, pk) for kind, _model, pk, _name in refused}
    intro = strip_rich_text(issue.intro, refused_keys) if refused_keys else issue.intro
    blocks = []
    for child in issue.body:
        references = {
            (kind, str(pk))
            for model, pk, _path, _content_path in child.block.extract_references(child.value)
            if (kind := _model_kind(model))
        }
        if child.block_type == "paragraph":
            if references & refused_keys:
                from wagtail.rich_text import RichText

                child = _Bound(child, RichText(strip_rich_text(child.value.source, refused_keys)))
            blocks.append(child)
        elif not references & refused_keys:
            blocks.append(child)
    return intro, blocks


def _model_kind(model):
    if issubclass(model, get_document_model()):
        return "document"
    if issubclass(model, get_image_model()):
        return "image"
    if issubclass(model, Page):
        return "page"
    return None


class _Bound:
    """A stream child with another value (a paragraph without its refused links)."""

    def __init__(self, child, value):
        self.block = child.block
        self.block_type = child.block_type
        self.id = child.id
        self.value = value

    def render(self, context=None):
        return self.block.render(self.value, context=context)

    def render_as_block(self, context=None):
        return self.block.render(self.value, context=context)

    def __str__(self):
        return self.render()


_ATTR_URL = re.compile(r'\b(href|src)="(/[^"/][^"]*|/)"')
_BARE_TAG_STYLES = {
    "p": "margin: 0 0 16px 0;",
    "ul": "margin: 0 0 16px 0; padding-left: 24px;",
    "ol": "margin: 0 0 16px 0; padding-left: 24px;",
    "li": "margin: 0 0 4px 0;",
}


def _email_polish(markup, link_colour):
    """Absolute links and sources; inline styles on the tags rich text brings (<p>, <a>, lists), which
    carry none (mail clients drop <style> blocks)."""
    markup = _ATTR_URL.sub(lambda m: f'{m.group(1)}="{absolute(m.group(2))}"', markup)
    for tag, style in _BARE_TAG_STYLES.items():
        markup = re.sub(rf"<{tag}\b(?![^>]*\bstyle=)([^>]*)>", rf'<{tag} style="{style}"\1>', markup)
    return re.sub(
        r"<a\b(?![^>]*\bstyle=)([^>]*)>",
        rf'<a style="color: {link_colour}; text-decoration: underline;"\1>',
        markup,
    )


class _TextConverter(HTMLParser):
    """Rich text to plain text: paragraphs separated by a blank line, list items with a dash, each link
    followed by its address in full."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.href = None
        self.link_text = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.href = dict(attrs).get("href")
            self.link_text = []
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "a":
            text = "".join(self.link_text)
            if self.href:
                url = absolute(self.href) if self.href.startswith("/") else self.href
                self.parts.append(f"{text} ({url})" if text.strip() and text.strip() != url else url)
            else:
                self.parts.append(text)
            self.href = None
        elif tag in ("p", "ul", "ol", "h2", "h3", "h4"):
            self.parts.append("\n\n")

    def handle_data(self, data):
        (self.link_text if self.href is not None else self.parts).append(data)


def html_to_text(markup: str) -> str:
    """Rich text (database or rendered form) as plain text for the text part."""
    converter = _TextConverter()
    converter.feed(expand_db_html(markup or ""))
    converter.close()
    text = "".join(converter.parts)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _block_texts(blocks):
    """Each block of the written part as plain text."""
    texts = []
    for child in blocks:
        value = child.value
        kind = child.block_type
        if kind == "heading":
            texts.append(f"{value['text']}\n{'-' * min(len(value['text']), 60)}")
        elif kind == "paragraph":
            texts.append(html_to_text(value.source))
        elif kind == "image":
            caption = getattr(value, "caption", "") or ""
            alt = "" if getattr(value, "decorative", False) else getattr(value, "contextual_alt_text", "")
            line = gettext("[Image: %(description)s]") % {"description": alt} if alt else ""
            texts.append("\n".join(part for part in (line, caption) if part))
        elif kind == "document":
            document = value["document"]
            if document is not None:
                texts.append(f"{value['label'] or document.title}\n{absolute(document.url)}")
        elif kind == "page":
            page = value["page"]
            if page is not None:
                texts.append(
                    "\n".join(part for part in (page.title, value["text"], page.get_full_url()) if part)
                )
        elif kind == "button":
            texts.append(f"{value['label']}\n{value['url']}")
    return [text for text in texts if text.strip()]


def _recipients_lists(issue):
    return [str(newsletter_list) for newsletter_list in issue_lists(issue)]


def issue_context(*, issue: NewsletterIssue, now=None, sections=None, archive_link=False) -> dict:
    """What the email templates (HTML and text) and the web archive need."""
    settings = _site_settings()
    refused = issue_refused_references(issue=issue)
    intro, blocks = _public_written_part(issue, refused)
    if sections is None:
        sections = issue_content_latest(issue=issue, now=now) if issue.include_latest else []
    sections = [section for section in sections if not section.is_empty]
    preheader = html_to_text(intro).replace("\n", " ")[:140] if intro else ""
    if not preheader:
        titles = [item.title for section in sections for item in section.posts + section.dated]
        preheader = ", ".join(titles)[:140]
    return {
        "issue": issue,
        "subject": issue.subject,
        "preheader": preheader,
        "intro": expand_db_html(intro) if intro else "",
        "intro_text": html_to_text(intro),
        "blocks": blocks,
        "block_texts": _block_texts(blocks),
        "sections": sections,
        "list_names": _recipients_lists(issue),
        "site_name": settings.site_name,
        "primary_colour": settings.primary_colour or "#1d4e89",
        "postal_address": settings.postal_address,
        "contact_email": settings.contact_email,
        "site_url": absolute("/"),
        "newsletter_url": absolute(reverse("newsletter:page")),
        # The web version exists once the issue is sent: only the sent email links to it.
        "archive_url": absolute(reverse("newsletter:issue", args=[issue.pk])) if archive_link else "",
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        "preferences_url": PREFERENCES_PLACEHOLDER,
        "email": True,
    }


def issue_render(*, issue: NewsletterIssue, now=None, archive_link=False) -> dict:
    """{"subject", "html", "text"} of the issue, personal links left as placeholders."""
    context = issue_context(issue=issue, now=now, archive_link=archive_link)
    markup = render_to_string("newsletter/email/issue.html", context)
    text = render_to_string("newsletter/email/issue.txt", context)
    text = re.sub(r"\n{3,}", "\n\n", html.unescape(text)).strip() + "\n"
    return {
        "subject": issue.subject,
        "html": _email_polish(markup, context["primary_colour"]),
        "text": text,
    }


def issue_freeze(*, issue: NewsletterIssue) -> dict:
    """The issue rendered once, when sending starts: every recipient gets the same subject, HTML and text,
    only the personal links (`%%UNSUBSCRIBE_URL%%`, `%%PREFERENCES_URL%%`) differ."""
    return issue_render(issue=issue, archive_link=True)


def issue_freeze_for_lists(*, issue: NewsletterIssue, lists: list, now=None) -> dict:
    """The issue as one recipient reads it: the written part, and the latest news of *their* lists only
    (among the issue's). Rendered once per distinct set of lists by the sender, at the send's start time."""
    reader_issue = copy.copy(issue)
    reader_issue._preview_lists = list(lists)
    return issue_render(issue=reader_issue, now=now, archive_link=True)


def issue_personalise(frozen: dict, *, subscriber: Subscriber | None = None) -> tuple[str, str, str]:
    """(subject, text, html) for one recipient: their signed unsubscribe and preferences links; without a
    subscriber (a test send, a preview, the web archive), the newsletter's page."""
    if subscriber is None:
        unsubscribe = preferences = absolute(reverse("newsletter:page"))
    else:
        unsubscribe = subscriber_url(subscriber, "unsubscribe")
        preferences = subscriber_url(subscriber, "preferences")

    def fill(value, escape):
        u, p = (html.escape(unsubscribe), html.escape(preferences)) if escape else (unsubscribe, preferences)
        return value.replace(UNSUBSCRIBE_PLACEHOLDER, u).replace(PREFERENCES_PLACEHOLDER, p)

    return frozen["subject"], fill(frozen["text"], False), fill(frozen["html"], True)


# -- Recipients and the test send ---------------------------------------------------------------------


def issue_recipients(*, issue: NewsletterIssue):
    """Confirmed subscribers of any of the issue's lists, each once."""
    return Subscriber.objects.filter(
        status=SubscriberStatus.CONFIRMED,
        pk__in=Subscriber.objects.filter(subscriptions__newsletter_list__issues=issue).values("pk"),
    )


def issue_recipient_count(*, issue: NewsletterIssue) -> int:
    return issue_recipients(issue=issue).count()


def issue_send_test(*, issue: NewsletterIssue, user) -> bool:
    """Email the issue as it stands to `user` (their account's address), subject prefixed "[Test]", through
    the outbox. False when the user has no address."""
    if not user.email:
        return False
    frozen = issue.frozen if issue.status != IssueStatus.DRAFT and issue.frozen else issue_render(issue=issue)
    subject, text, markup = issue_personalise(frozen, subscriber=None)
    email_queue(to=user.email, subject=TEST_SUBJECT_PREFIX + subject, body_text=text, body_html=markup)
    return True
