"""Site search: what a reader may find, ranked, with its council, type, date and a highlighted extract.

One ranked query over Wagtail's search index (`modelsearch.IndexEntry`) finds pages and documents
together: each index row is matched against the reader's words with the index's own configuration
(`french_unaccent` on PostgreSQL: French stemming over unaccented words), and kept only when the reader
may see its object —

- pages: live, outside the sandbox, and every view restriction on the way accepts the request
  (`core.visibility.hidden_page_paths`: a council's members see its members-only pages, a working
  group's members its pages);
- documents: saved (`is_ready`), outside the sandbox's collections, and in a collection whose view
  restrictions accept the request (`core.visibility.collection_visible_to`).

Pages and documents are ranked together by the same score (title matches weigh most, then the body; a
long document's many occurrences are damped by its length), so the minutes PDF of a session can come
before a page that only names it. The extracts are computed by PostgreSQL (`ts_headline`) in the query
that reads the page of results. On other databases (the SQLite demo) Wagtail's own search is used,
pages then documents, with extracts highlighted in Python.

Each page of results reads a fixed number of queries, whatever the number of results shown.
"""

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Case, F, FloatField, Func, Q, TextField, Value, When
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast, Greatest, Substr
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.documents import get_document_model
from wagtail.models import Page, PageViewRestriction, get_page_models
from wagtail.search.models import IndexEntry

from modelsearch.backends.database.postgres.weights import get_sql_weights

from blog.models import BlogIndexPage, BlogPage
from core.http_cache import cached
from core.visibility import (
    attach_councils,
    collection_visible_to,
    hidden_page_paths,
    listed_pages,
    private_collection_ids,
)
from councils.models import CouncilAccess, CouncilIndexPage, CouncilPage, WorkingGroupIndexPage
from documents.models import DocumentIndexPage
from events.models import EventIndexPage, EventPage
from meetings.models import MeetingIndexPage, MeetingPage, MinutesStatus

from .backend import search_config

QUERY_MAX_LENGTH = 200
RESULTS_PER_PAGE = 10
#: Characters of a body given to ts_headline (a 300-page PDF's text is not scanned to show 30 words).
HEADLINE_SOURCE_LENGTH = 20_000
#: A one-letter typo: the "did you mean" fallback keeps titles at least this similar (pg_trgm).
FUZZY_THRESHOLD = 0.3
#: Listing pages' score is multiplied by this (see `_listing_type_ids`).
LISTING_WEIGHT = 0.3
FUZZY_MIN_LENGTH = 4
#: Without PostgreSQL: at most this many pages and documents are ranked, filtered and paginated.
FALLBACK_LIMIT = 200
START_MARK, STOP_MARK = "\ue000", "\ue001"  # private-use characters: no text holds them by chance

KINDS = {
    "meeting": pgettext_lazy("search result type", "Meeting"),
    "minutes": pgettext_lazy("search result type", "Minutes"),
    "news": pgettext_lazy("search result type", "News"),
    "event": pgettext_lazy("search result type", "Event"),
    "document": pgettext_lazy("search result type", "Document"),
    "page": pgettext_lazy("search result type", "Page"),
}
PERIODS = {
    "upcoming": _("Upcoming"),
    "past": _("Past"),
    "year": _("This year"),
}
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("janvier", "janv"),
            ("fevrier", "fevr", "fev"),
            ("mars",),
            ("avril", "avr"),
            ("mai",),
            ("juin",),
            ("juillet", "juil"),
            ("aout",),
            ("septembre", "sept"),
            ("octobre", "oct"),
            ("novembre", "nov"),
            ("decembre", "dec"),
        ],
        start=1,
    )
    for name in names
}
MONTH_YEAR = re.compile(r"(?<!\w)(?P<month>[a-z]+)\.?\s+(?P<year>20\d\d)(?!\w)")


def search_query_clean(value):
    """The words to look for: control characters (a null byte cannot reach PostgreSQL) become
    spaces, and an overlong query is cut, so no input makes the search fail."""
    value = "".join(" " if unicodedata.category(char) in ("Cc", "Cs", "Co") else char for char in value)
    return " ".join(value.split())[:QUERY_MAX_LENGTH].strip()


def unaccented(value):
    """Lower case without accents: "Réunion" → "reunion" (for comparisons made in Python)."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def query_month_split(query):
    """("words", (first day, last day)) when the query names a month and a year ("mars 2026",
    "réunion janvier 2027"): the month becomes a date filter, the other words are searched."""
    plain = unaccented(query)
    for match in MONTH_YEAR.finditer(plain):
        month = MONTHS.get(match["month"])
        if month:
            year = int(match["year"])
            first = date(year, month, 1)
            last = date(year, month, calendar.monthrange(year, month)[1])
            # The unaccented form has the same length as the original for French letters.
            words = (
                (query[: match.start()] + " " + query[match.end() :]).strip()
                if len(plain) == len(query)
                else (plain[: match.start()] + " " + plain[match.end() :]).strip()
            )
            return " ".join(words.split()), (first, last)
    return query, None


WORD = re.compile(r"\w+")
TOKEN = re.compile(r'(?P<neg>-?)"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+)')


def _word_variants(word):
    """A word and its singular or plural, for what French stemming leaves apart ("rendus", "rendu")."""
    plain = unaccented(word)
    if len(plain) > 3 and plain[-1] in "sx":
        return [word, word[:-1]]
    if len(plain) > 2:
        return [word, word + "s"]
    return [word]


def tsquery_text(query):
    """The reader's words as the text of a PostgreSQL tsquery (to_tsquery's syntax), or "".

    Every word matches its singular and plural; "quoted words" are a phrase; `-word` leaves out what
    holds the word; `OR` between two words accepts either. Words are made of letters and digits only,
    each quoted: whatever the input, the text is a valid tsquery."""
    terms = []
    joiner = " & "
    for match in TOKEN.finditer(query):
        raw = match["phrase"] if match["phrase"] is not None else match["word"]
        if match["word"] == "OR":
            joiner = " | " if terms else " & "
            continue
        negate = bool(match["neg"]) or (match["word"] or "").startswith("-")
        words = WORD.findall(raw)
        if not words:
            continue
        if match["phrase"] is not None:
            term = "(" + " <-> ".join(f"'{w}'" for w in words) + ")"
        else:
            term = (
                "("
                + " & ".join("(" + " | ".join(f"'{v}'" for v in _word_variants(w)) + ")" for w in words)
                + ")"
            )
        if negate:
            term = "!" + term
        terms.append((joiner if terms else "") + term)
        joiner = " & "
    if terms and all(term.lstrip(" &|").startswith("!") for term in terms):
        return ""  # only exclusions: nothing to look for
    return "".join(terms)


COUNCIL_NAME_GENERIC = {"conseil", "quartier", "de", "des", "du", "la", "le", "les", "d", "l"}


def council_name_words(council):
    """What names a council in a query: its title's words without "conseil de quartier des"."""
    words = [w for w in WORD.findall(unaccented(council.title)) if w not in COUNCIL_NAME_GENERIC]
    return " ".join(words)


def query_council_split(query, councils, *, alone=False):
    """("words", council) when the query names a council besides other words ("compte rendu
    charmettes"): the name becomes the council filter. A name alone is searched as words, unless
    `alone` (the query also named a month: "charmettes mars 2026")."""
    plain = " ".join(w for w in WORD.findall(unaccented(query)) if w not in COUNCIL_NAME_GENERIC)
    for council in sorted(councils, key=lambda c: -len(council_name_words(c))):
        name = council_name_words(council)
        if not name:
            continue
        match = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", plain)
        if match:
            rest = (plain[: match.start()] + " " + plain[match.end() :]).split()
            if rest or alone:
                return " ".join(rest), council
    return query, None


@dataclass
class SearchFilters:
    council: CouncilPage | None = None
    kind: str = ""
    period: str = ""
    month: tuple | None = None  # (first day, last day), from the query's words
    council_from_words: bool = False  # the council was named among the words, not chosen in the list

    @property
    def any(self):
        return bool(self.council or self.kind or self.period)


@dataclass
class SearchHit:
    kind: str
    title: str
    url: str
    title_html: str = ""
    extract_html: str = ""
    council: object = None
    date: object = None
    is_private: bool = False
    detail: str = ""  # a document's kind and format, "minutes published" for a meeting
    promoted: bool = False

    @property
    def kind_label(self):
        return KINDS[self.kind]


# -- Filters ---------------------------------------------------------------------------------------


def search_councils():
    """The councils a reader may filter on: listed ones, by title (the same for every reader: kept in the
    fragment cache, purged with the councils' listing)."""
    return cached("search-councils", _search_councils)


def _search_councils():
    return list(CouncilPage.objects.listed().order_by("title").only("id", "title", "slug", "path"))


def search_filters_read(params, *, councils):
    """The filters from the query string; anything unknown is ignored (never an error)."""
    by_slug = {council.slug: council for council in councils}
    kind = params.get("type", "")
    period = params.get("periode", "")
    return SearchFilters(
        council=by_slug.get(params.get("conseil", "")),
        kind=kind if kind in KINDS else "",
        period=period if period in PERIODS else "",
    )


def _period_bounds(filters, now):
    """[(start, end)] datetime bounds of the period filters (None: open)."""
    bounds = []
    if filters.period == "year":
        bounds.append(
            (
                timezone.make_aware(datetime(now.year, 1, 1)),
                timezone.make_aware(datetime(now.year + 1, 1, 1)),
            )
        )
    if filters.month:
        first, last = filters.month
        bounds.append(
            (
                timezone.make_aware(datetime.combine(first, time.min)),
                timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min)),
            )
        )
    return bounds


def _date_q(field_name, filters, now, *, is_date=False):
    """Q() on one date field for the period and month filters."""
    condition = Q()
    for start, end in _period_bounds(filters, now):
        if is_date:
            start, end = timezone.localtime(start).date(), timezone.localtime(end).date()
        condition &= Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})
    if filters.period == "past":
        condition &= Q(**{f"{field_name}__lt": now.date() if is_date else now})
    return condition


# -- Who may see what ------------------------------------------------------------------------------


class CouncilDirectory:
    """Each council's collections (public, private, its working groups' below the private one), to name
    a document's council and leave out the sandbox's documents. One query."""

    def __init__(self):
        self.by_collection_path = []
        self.sandbox_collection_paths = []
        self.sandbox_paths = []
        accesses = CouncilAccess.objects.select_related("council", "collection", "private_collection").only(
            "council__path",
            "council__title",
            "council__is_sandbox",
            "collection__path",
            "private_collection__path",
        )
        for access in accesses:
            if access.council.is_sandbox:
                self.sandbox_paths.append(access.council.path)
            for collection in (access.collection, access.private_collection):
                self.by_collection_path.append((collection.path, access.council))
                if access.council.is_sandbox:
                    self.sandbox_collection_paths.append(collection.path)

    def council_of(self, collection_path):
        for path, council in self.by_collection_path:
            if collection_path.startswith(path):
                return council
        return None

    def collection_paths_of(self, council):
        return [path for path, owner in self.by_collection_path if owner.pk == council.pk]


def visible_pages(request, directory):
    """Pages this request may open: live, outside the sandbox, every view restriction accepted."""
    pages = Page.objects.live().filter(depth__gt=1)
    for path in [*directory.sandbox_paths, *hidden_page_paths(request)]:
        pages = pages.exclude(path__startswith=path)
    return pages


def visible_documents(request, directory):
    """Documents this request may open: saved, outside the sandbox, in a collection it may see."""
    hidden = [pk for pk in private_collection_ids(request) if not collection_visible_to(pk, request)]
    documents = get_document_model().objects.filter(is_ready=True).exclude(collection_id__in=hidden)
    for path in directory.sandbox_collection_paths:
        documents = documents.exclude(collection__path__startswith=path)
    return documents


def _filtered_pages(pages, filters, now):
    if filters.council:
        pages = pages.filter(path__startswith=filters.council.path)
    dated = filters.period or filters.month
    kind = filters.kind
    if not kind and not dated:
        # Meetings, events, news and every other page: all of them, without reading the ids of every
        # meeting, event and post (three subqueries over the whole site).
        return pages
    conditions = []
    if kind in ("", "meeting", "minutes"):
        meetings = MeetingPage.objects.all()
        if kind == "minutes":
            meetings = meetings.exclude(minutes_status=MinutesStatus.NONE)
        if dated:
            meetings = meetings.filter(_date_q("start", filters, now))
        if filters.period == "upcoming":
            meetings = meetings.filter(end__gte=now)
        conditions.append(Q(pk__in=meetings.values("pk")))
    if kind in ("", "event"):
        events = EventPage.objects.all()
        if dated:
            events = events.filter(_date_q("start", filters, now))
        if filters.period == "upcoming":
            events = events.filter(end__gte=now)
        conditions.append(Q(pk__in=events.values("pk")))
    if filters.period != "upcoming":
        if kind in ("", "news"):
            news = BlogPage.objects.all()
            if dated:
                news = news.filter(_date_q("date", filters, now, is_date=True))
            conditions.append(Q(pk__in=news.values("pk")))
        if kind in ("", "page"):
            others = Q(content_type_id__in=_other_page_type_ids())
            if dated:
                others &= _date_q("last_published_at", filters, now)
            conditions.append(others)
    if not conditions:
        return pages.none()
    condition = conditions[0]
    for other in conditions[1:]:
        condition |= other
    return pages.filter(condition)


def _filtered_documents(documents, filters, now, directory):
    if filters.kind not in ("", "document", "minutes") or filters.period == "upcoming":
        return documents.none()
    if filters.kind == "minutes":
        documents = documents.filter(kind="minutes")
    if filters.council:
        paths = directory.collection_paths_of(filters.council)
        condition = Q(pk__in=[])
        for path in paths:
            condition |= Q(collection__path__startswith=path)
        documents = documents.filter(condition)
    if filters.period or filters.month:
        documents = documents.filter(_date_q("created_at", filters, now))
    return documents


def _page_type_ids():
    return {ct.pk for ct in ContentType.objects.get_for_models(*get_page_models()).values()}


def _listing_type_ids():
    """Index pages ("Réunions", "Documents", "Actualités" of every council): found, but after the
    meetings, documents and posts they list."""
    listings = ContentType.objects.get_for_models(
        MeetingIndexPage,
        DocumentIndexPage,
        BlogIndexPage,
        EventIndexPage,
        CouncilIndexPage,
        WorkingGroupIndexPage,
    )
    return sorted(ct.pk for ct in listings.values())


def _other_page_type_ids():
    special = ContentType.objects.get_for_models(MeetingPage, EventPage, BlogPage)
    return sorted(_page_type_ids() - {ct.pk for ct in special.values()})


# -- The search (PostgreSQL) -----------------------------------------------------------------------


class FUnaccent(Func):
    function = "f_unaccent"
    output_field = TextField()


def _as_text_ids(queryset):
    return queryset.annotate(text_id=Cast("pk", TextField())).values("text_id")


def _index_entries(request, filters, directory, now):
    """Index rows of everything the request may see, narrowed by the filters."""
    pages = _filtered_pages(visible_pages(request, directory), filters, now)
    documents = _filtered_documents(visible_documents(request, directory), filters, now, directory)
    document_type = ContentType.objects.get_for_model(get_document_model())
    return IndexEntry.objects.filter(
        Q(content_type_id__in=_page_type_ids(), object_id__in=_as_text_ids(pages))
        | Q(content_type_id=document_type.pk, object_id__in=_as_text_ids(documents))
    )


def _headlines(entries, tsquery, config):
    options = {
        "start_sel": START_MARK,
        "stop_sel": STOP_MARK,
        "config": config,
    }
    return entries.annotate(
        body_headline=SearchHeadline(
            Substr("body_text", 1, HEADLINE_SOURCE_LENGTH),
            tsquery,
            max_words=30,
            min_words=12,
            max_fragments=2,
            fragment_delimiter=" … ",
            **options,
        ),
    )


def _postgres_entries(request, query, filters, directory, now):
    """(ranked index rows, tsquery or None, fuzzy: whether they come from the typo fallback)."""
    config = search_config()
    entries = _index_entries(request, filters, directory, now)
    if not query:
        # A month alone ("mars 2026"): everything dated that month, newest first.
        return entries.annotate(rank=Value(0.0, output_field=FloatField())).order_by("-pk"), None, False
    text = tsquery_text(query)
    if not text:
        return entries.none(), None, False
    tsquery = SearchQuery(text, search_type="raw", config=config)
    weights = get_sql_weights()
    rank = (
        SearchRank(F("title"), tsquery, weights=weights) * F("title_norm")
        + SearchRank(F("body"), tsquery, weights=weights, normalization=1)
    ) * Case(When(content_type_id__in=_listing_type_ids(), then=Value(LISTING_WEIGHT)), default=Value(1.0))
    matched = _text_matched(entries, text, config).annotate(rank=rank).order_by("-rank", "pk")
    return matched, tsquery, False


def _postgres_fuzzy_entries(request, query, filters, directory, now):
    """The typo fallback: titles whose words are close to the query's (pg_trgm over unaccented text)."""
    entries = _index_entries(request, filters, directory, now)
    similarity = TrigramWordSimilarity(FUnaccent(Value(query)), FUnaccent(F("title_text")))
    return (
        entries.annotate(rank=Greatest(similarity, Value(0.0), output_field=FloatField()))
        .filter(rank__gte=FUZZY_THRESHOLD)
        .order_by("-rank", "pk")
    )


def _marked_html(text):
    """Escape a headline, then turn its marks into <mark> (unbalanced marks are dropped).

    The indexed text joins a page's fields and blocks with commas, empty ones too, and names the level
    of each heading ("Niveau 2"): those seams are left out of the extract."""
    text = re.sub(r"(?:,\s*)?\bNiveau [1-6]\b", "", text or "")
    text = re.sub(r"(?:\s*,){2,}", ",", text)
    html = escape(text.strip(" ,"))
    html = re.sub(f"{START_MARK}(.*?){STOP_MARK}", r"<mark>\1</mark>", html, flags=re.DOTALL)
    return mark_safe(html.replace(START_MARK, "").replace(STOP_MARK, ""))  # noqa: S308 - escaped above


# -- Matching the words through the indexes --------------------------------------------------------


def _top_level_split(text, separator):
    """`text` cut at each `separator` outside parentheses (a tsquery text of `tsquery_text`)."""
    parts, depth, start, index = [], 0, 0, 0
    while index < len(text):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
        elif depth == 0 and text.startswith(separator, index):
            parts.append(text[start:index].strip())
            index += len(separator)
            start = index
            continue
        index += 1
    parts.append(text[start:].strip())
    return parts


def _required_words(text):
    """For each alternative of a `tsquery_text` query (its parts joined by `|`), the words it requires,
    each as the tsquery text of its variants ("('rendu' | 'rendus')"); None when an alternative requires
    none (only exclusions)."""
    alternatives = []
    for alternative in _top_level_split(text, " | "):
        required = []
        for term in _top_level_split(alternative, " & "):
            if term.startswith("!"):
                continue
            inner = term[1:-1] if term.startswith("(") and term.endswith(")") else term
            separator = " <-> " if " <-> " in inner else " & "  # a phrase's words; words and their variants
            required += _top_level_split(inner, separator)
        if not required:
            return None
        alternatives.append(required)
    return alternatives


#: Alternatives of plain words ("(('conseil' | 'conseils'))"): each is one token of PostgreSQL's parser, so
#: one lexeme at most — no need to ask the configuration.
PLAIN_ALTERNATIVES = re.compile(r"[\s()|]*(?:'[a-z0-9]+'[\s()|]*)+")


def _single_lexemes(tsquery_text):
    """Whether a normalised tsquery (PostgreSQL's text of it) is only lexemes or alternatives of them."""
    return bool(tsquery_text) and not any(operator in tsquery_text for operator in ("&", "!", "<"))


def _text_matched(entries, text, config):
    """`entries` whose title and body together match the tsquery `text` — `(title || body) @@ q`, exactly
    — written so that the GIN indexes on `title` and on `body` serve it (the joined vector has none: at
    100,000 pages every row was read and joined, 0.7-2 s):

    - a query that is, once the configuration has read it, only alternatives of single lexemes
      ("conseil", "vélo OR bus") matches the joined text when it matches the title or the body;
    - any other keeps the joined match, AND-ed with what it implies: each word one of its alternatives
      requires lies in the title or in the body (`title @@ w OR body @@ w`: a bitmap from each index).

    One query reads what the configuration makes of the query and of each required word."""
    tsquery = SearchQuery(text, search_type="raw", config=config)
    if PLAIN_ALTERNATIVES.fullmatch(text):
        return entries.filter(Q(title=tsquery) | Q(body=tsquery))
    alternatives = _required_words(text) or []
    words = sorted({word for required in alternatives for word in required})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(["to_tsquery(%s::regconfig, %s)::text"] * (1 + len(words))),
            [value for query in (text, *words) for value in (config, query)],
        )
        whole, *normalised = cursor.fetchone()
    if _single_lexemes(whole):
        return entries.filter(Q(title=tsquery) | Q(body=tsquery))
    vector = CombinedExpression(F("title"), "||", F("body"), output_field=SearchVectorField())
    entries = entries.annotate(vector=vector).filter(vector=tsquery)
    # A word the configuration drops (no lexeme) or cuts in several implies nothing usable.
    usable = {word for word, lexemes in zip(words, normalised, strict=True) if _single_lexemes(lexemes)}
    narrowing = Q()
    for required in alternatives:
        implied = Q()
        for word in required:
            if word in usable:
                word_query = SearchQuery(word, search_type="raw", config=config)
                implied &= Q(title=word_query) | Q(body=word_query)
        if not implied:
            return entries  # this alternative implies nothing: no narrowing at all
        narrowing |= implied
    return entries.filter(narrowing) if narrowing else entries


# -- Turning index rows into results ---------------------------------------------------------------


def _hits_for(rows, request, directory):
    """SearchHit for each (content_type_id, object_id, title, extract with marks), in order.

    Fixed number of queries: the pages, their councils, the meetings', events' and posts' dates, the
    documents."""
    document_type_id = ContentType.objects.get_for_model(get_document_model()).pk
    page_ids = [int(r[1]) for r in rows if r[0] != document_type_id]
    document_ids = [int(r[1]) for r in rows if r[0] == document_type_id]
    pages = {
        page.pk: page
        for page in Page.objects.filter(pk__in=page_ids)
        .only("id", "title", "path", "depth", "url_path", "content_type_id", "last_published_at", "locale_id")
        .annotate(
            meeting_start=F("meetingpage__start"),
            minutes_status=F("meetingpage__minutes_status"),
            event_start=F("eventpage__start"),
            post_date=F("blogpage__date"),
        )
    }
    attach_councils(list(pages.values()))
    documents = {
        d.pk: d for d in get_document_model().objects.filter(pk__in=document_ids).select_related("collection")
    }
    private_paths = (
        set(PageViewRestriction.objects.values_list("page__path", flat=True))
        if request.user.is_authenticated and pages
        else set()
    )
    hits = []
    for content_type_id, object_id, _title, body_headline in rows:
        if content_type_id == document_type_id:
            document = documents.get(int(object_id))
            if document is None:
                continue
            hit = SearchHit(
                kind="minutes" if document.kind == "minutes" else "document",
                title=document.title,
                url=document.url,
                council=directory.council_of(document.collection.path),
                date=timezone.localtime(document.created_at),
                is_private=document.collection_id in private_collection_ids(request),
                detail=" · ".join(
                    part for part in (str(document.get_kind_display()), document.format_label) if part
                ),
            )
        else:
            page = pages.get(int(object_id))
            if page is None:
                continue
            hit = SearchHit(
                kind="page",
                title=page.title,
                url=page.get_url(request),
                council=getattr(page, "council", None),
                date=timezone.localtime(page.last_published_at) if page.last_published_at else None,
                is_private=any(page.path.startswith(path) for path in private_paths),
            )
            if page.meeting_start is not None:
                hit.kind = "meeting"
                hit.date = timezone.localtime(page.meeting_start)
                if page.minutes_status != MinutesStatus.NONE:
                    hit.detail = str(_("Minutes available"))
            elif page.event_start is not None:
                hit.kind = "event"
                hit.date = timezone.localtime(page.event_start)
            elif page.post_date is not None:
                hit.kind = "news"
                hit.date = page.post_date
            if hit.council is not None and hit.council.pk == page.pk:
                hit.council = None  # a council's own page: its title says it
        hit.title_html = escape(hit.title)
        hit.extract_html = _marked_html(body_headline)
        hits.append(hit)
    return hits


def _python_headline(text, words, length=240):
    """Highlight the query's words in a text (without PostgreSQL): escaped, <mark> around each word."""
    text = " ".join((text or "").split())[:length]
    wanted = {unaccented(word) for word in words if len(word) > 1}
    marked = []
    for token in re.split(r"(\w+)", text):
        plain = unaccented(token)
        if token and any(
            plain.startswith(word) or word.startswith(plain) and len(plain) > 2 for word in wanted
        ):
            marked.append(START_MARK + token + STOP_MARK)
        else:
            marked.append(token)
    return "".join(marked)


# -- Promotions ------------------------------------------------------------------------------------


def search_promotions_for(query, request, directory):
    """The communications team's picks for these words (Wagtail's search promotions), matched without
    case or accents, kept only when the reader may open them. No query on a hit of the fragment cache."""
    if not query:
        return []
    wanted = unaccented(" ".join(query.split()))
    hidden = [*directory.sandbox_paths, *hidden_page_paths(request)]
    hits = []
    for promotion in cached("search-promotions", _search_promotions):
        if unaccented(promotion.query.query_string) != wanted:
            continue
        page = promotion.page
        if page is not None:
            if not page.live or any(page.path.startswith(path) for path in hidden):
                continue
            url = page.get_url(request)
        elif promotion.external_link_url:
            url = promotion.external_link_url
        else:
            continue
        hits.append(
            SearchHit(
                kind="page",
                title=promotion.title,
                title_html=escape(promotion.title),
                url=url,
                extract_html=escape(promotion.description or ""),
                promoted=True,
            )
        )
    return hits


def _search_promotions():
    """Every promotion with its query and page (the same for every reader: kept in the fragment cache,
    purged when a promotion or its page changes)."""
    return list(SearchPromotion.objects.select_related("query", "page").order_by("sort_order", "pk"))


# -- The entry point -------------------------------------------------------------------------------


@dataclass
class SearchOutcome:
    query: str
    results: object  # a django.core.paginator.Page of SearchHit
    filters: SearchFilters
    councils: list
    promotions: list
    fuzzy: bool = False
    words: str = ""  # the query without its month


def search_run(*, request, query, params, now=None):
    """Search for `query` (already cleaned) with the filters in `params` (the query string)."""
    now = now or timezone.now()
    councils = search_councils()
    filters = search_filters_read(params, councils=councils)
    words, filters.month = query_month_split(query)
    if filters.council is None:
        named_words, named_council = query_council_split(words, councils, alone=bool(filters.month))
        if named_council is not None:
            words, filters.council, filters.council_from_words = named_words, named_council, True
    # The councils' collections are the same for every reader: kept in the fragment cache.
    directory = cached("search-council-directory", CouncilDirectory)
    promotions = search_promotions_for(query, request, directory)
    if not query:
        empty = Paginator([], RESULTS_PER_PAGE).get_page(1)
        return SearchOutcome(query, empty, filters, councils, promotions, words=words)
    if connection.vendor == "postgresql":
        entries, tsquery, fuzzy = _postgres_entries(request, words, filters, directory, now)
        paginator = Paginator(entries, RESULTS_PER_PAGE)
        page = paginator.get_page(params.get("page"))
        if not paginator.count and len(words) >= FUZZY_MIN_LENGTH:
            fuzzy = True
            entries = _postgres_fuzzy_entries(request, words, filters, directory, now)
            tsquery = None
            paginator = Paginator(entries, RESULTS_PER_PAGE)
            page = paginator.get_page(params.get("page"))
        start, stop = (page.number - 1) * RESULTS_PER_PAGE, page.number * RESULTS_PER_PAGE
        if tsquery is not None:
            rows = _headlines(entries, tsquery, search_config())[start:stop].values_list(
                "content_type_id", "object_id", "title_text", "body_headline"
            )
        else:
            rows = entries[start:stop].values_list("content_type_id", "object_id", "title_text", "body_text")
            rows = [(ct, pk, None, _python_headline(body, [])) for ct, pk, _title, body in rows]
        page.object_list = _hits_for(list(rows), request, directory)
        return SearchOutcome(query, page, filters, councils, promotions, fuzzy=fuzzy, words=words)
    hits = _fallback_hits(request, words, filters, directory, now)
    page = Paginator(hits, RESULTS_PER_PAGE).get_page(params.get("page"))
    return SearchOutcome(query, page, filters, councils, promotions, words=words)


def _fallback_hits(request, words, filters, directory, now):
    """Without PostgreSQL: Wagtail's search over the visible pages, then documents (SQLite demo)."""
    pages = _filtered_pages(visible_pages(request, directory), filters, now)
    documents = _filtered_documents(visible_documents(request, directory), filters, now, directory)
    page_ids = set(pages.values_list("pk", flat=True))
    document_ids = set(documents.values_list("pk", flat=True))
    searchable = Page.objects.live()
    for path in directory.sandbox_paths:
        searchable = searchable.exclude(path__startswith=path)
    # Letters and digits only: SQLite's FTS5 refuses its own operators in a query (`&`, `"`, `*`…).
    words = " ".join(WORD.findall(words))
    if not words and not filters.month:
        return []
    if words:
        found_pages = [p for p in searchable.search(words)[:FALLBACK_LIMIT] if p.pk in page_ids]
        found_documents = [
            d for d in get_document_model().objects.search(words)[:FALLBACK_LIMIT] if d.pk in document_ids
        ]
    else:
        found_pages = list(pages.order_by("-last_published_at")[:FALLBACK_LIMIT])
        found_documents = list(documents.order_by("-created_at")[:FALLBACK_LIMIT])
    document_type_id = ContentType.objects.get_for_model(get_document_model()).pk
    split = words.split()
    rows = [
        (
            p.content_type_id,
            str(p.pk),
            _python_headline(p.title, split),
            _python_headline(p.search_description, split),
        )
        for p in found_pages
    ] + [
        (
            document_type_id,
            str(d.pk),
            _python_headline(d.title, split),
            _python_headline(d.description, split),
        )
        for d in found_documents
    ]
    return _hits_for(rows, request, directory)


# -- Suggestions (autocomplete) --------------------------------------------------------------------

SUGGESTIONS_LIMIT = 8
SUGGESTIONS_MIN_LENGTH = 2


def search_suggestions(*, query):
    """Titles of listed pages (public, live, outside the sandbox) whose words start with the query's,
    without accents or case: "reu" → "Réunion de rentrée du conseil de la Gare". The same for everyone
    (no private title, no document): a shared cache may keep them."""
    words = WORD.findall(query)
    if not words or len(query) < SUGGESTIONS_MIN_LENGTH:
        return []
    pages = listed_pages().filter(depth__gt=2).exclude(content_type_id__in=_listing_type_ids())
    if connection.vendor == "postgresql":
        text = " & ".join(f"'{word}'" for word in words[:-1])
        text = (text + " & " if text else "") + f"'{words[-1]}':*"
        tsquery = SearchQuery(text, search_type="raw", config="simple_unaccent")
        ids = (
            IndexEntry.objects.filter(
                content_type_id__in=_page_type_ids(), object_id__in=_as_text_ids(pages), autocomplete=tsquery
            )
            .annotate(rank=SearchRank(F("autocomplete"), tsquery))
            .order_by("-rank", "pk")
            .values_list("object_id", flat=True)[:SUGGESTIONS_LIMIT]
        )
        found = {page.pk: page for page in Page.objects.filter(pk__in=[int(pk) for pk in ids])}
        ordered = [found[int(pk)] for pk in ids if int(pk) in found]
    else:
        ordered = list(pages.autocomplete(" ".join(words))[:SUGGESTIONS_LIMIT])
    titles = []
    for page in ordered:
        title = " ".join(page.title.split())
        if title not in titles:
            titles.append(title)
    return titles
