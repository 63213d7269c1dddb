"""Content at scale: a city-sized site built in minutes, so that speed is measured at a real size.

`manage.py seed_demo --scale N` calls `build(N)`: N generated councils (`quartier-001`…) under the council
index, each created through the normal service (`councils.services.council_create`: its page, groups,
collections, permissions and sections, exactly as an editor's council), then filled with about
`PAGES_PER_COUNCIL` pages — meetings past and upcoming with agendas, minutes and decisions (~40 %), news
posts with tags (~40 %), events (~10 %), standard pages, some nested in a folder page (~10 %).

Why bulk: `add_child()` and a publish per page cost ~30 queries and ~20 ms each, an hour for 100,000 pages.
Here a council's pages are written with a handful of multi-row INSERTs:

- the tree is computed in Python (treebeard's materialised path: `path`, `depth`, `numchild`; `url_path`),
  the `wagtailcore_page` rows are inserted with their ids returned, then each page type's own table rows
  (multi-table inheritance: Django's `bulk_create` refuses child models, so the rows go through the same
  `_insert()` call `Model.save()` uses, one statement per batch);
- the pages are written live and published (`first_published_at`, `last_published_at`) without revisions:
  nothing public reads a revision, and Wagtail's editor opens a page without one (its first edit creates
  one). Their reference index (`wagtailcore_referenceindex`: "usage" counts in the admin) is not filled;
- the search index is filled from the same objects in memory, in the same pass (on PostgreSQL with one
  INSERT per 500 pages writing the vectors `update_index` would write, `_postgres_index`; elsewhere the
  backend's `add_bulk`), so search finds them at once, with no worker. Pages created the usual way (the
  councils, their sections, the normal demo) whose index task is still queued are indexed at the end too:
  the index is complete when `build` returns. Then PostgreSQL's statistics are refreshed (`_analyze`).

No signal is sent for bulk pages: nothing in Parvis needs one for a published page without registrations.
Idempotent: a generated council already there (found by slug) is skipped; each council is created and
filled in one transaction, so an interrupted run leaves no half-filled council.

`multiply(council, factor)` adds `factor` copies of a council's meetings, posts and events the same way:
query-budget tests use it to check that a page costs the same number of queries with 100 times the content.
"""

import random
import time
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import F, Q
from django.utils import timezone

from taggit.models import Tag
from wagtail.models import Page
from wagtail.search.backends import get_search_backends
from wagtail.search.models import IndexEntry

from blog.models import BlogIndexPage, BlogPage, BlogPageTag
from councils.models import CouncilIndexPage, CouncilKind, CouncilPage
from councils.services import council_create
from events.models import EventPage, RegistrationMode
from home.models import StandardPage
from meetings.blocks import agenda_item
from meetings.models import MeetingFormat, MeetingIndexPage, MeetingPage, MeetingStatus, MinutesStatus

PAGES_PER_COUNCIL = 2000
SLUG_PREFIX = "quartier-"
SEED = 2026
#: Shares of a council's generated pages; standard pages take the rest.
MEETING_SHARE = 0.40
POST_SHARE = 0.40
EVENT_SHARE = 0.10
#: Of the meetings, the share still to come (the rest are past, with minutes).
UPCOMING_SHARE = 0.15
#: Standard pages come in folders: a page and this many sub-pages.
FOLDER_SIZE = 9
#: Rows per INSERT statement (PostgreSQL takes 65,535 parameters; the database may lower it, SQLite does).
BATCH_SIZE = 1000
#: Objects per search-index INSERT.
INDEX_BATCH_SIZE = 500

# -- French content: a few variants, combined -----------------------------------------------------------------

DISTRICTS = (
    "Les Tilleuls", "La Gare", "Bellevue", "Les Vignes", "Le Port", "Saint-Roch", "Les Marronniers",
    "La Croix-Rousse", "Les Près", "Le Moulin", "La Source", "Les Hauts-du-Lac", "Beauséjour",
    "Le Faubourg", "Les Capucins", "La Chapelle", "Montplaisir", "Les Écluses", "Le Bourg", "La Plaine",
)  # fmt: skip
STREETS = (
    "rue des Écoles", "avenue du Lac", "place du Marché", "rue de la République", "quai des Pêcheurs",
    "boulevard Gambetta", "rue Victor-Hugo", "allée des Peupliers", "chemin des Vignes", "rue Jean-Jaurès",
)  # fmt: skip
PLACES = (
    "Maison de quartier", "Salle polyvalente", "École élémentaire", "Médiathèque", "Centre social",
    "Salle des fêtes", "Gymnase municipal", "Foyer des anciens",
)  # fmt: skip
TOPICS = (
    ("Apaiser la circulation", "zone 30, traversées piétonnes près des écoles et stationnement des livraisons"),
    ("Verdir les rues", "plantations d’arbres, pieds d’immeubles fleuris et îlots de fraîcheur pour l’été"),
    ("Budget participatif", "les projets déposés par les habitants, leur chiffrage et le calendrier du vote"),
    ("Propreté et déchets", "points d’apport volontaire, composteurs partagés et dépôts sauvages"),
    ("Vie associative", "le forum des associations, les salles à partager et le calendrier des fêtes"),
    ("Sécurité des écoles", "abords des écoles, pédibus et horaires des agents de circulation"),
    ("Pistes cyclables", "continuités cyclables, arceaux à vélos et stationnement sécurisé"),
    ("Logement", "rénovation énergétique des copropriétés et permanences de conseil aux habitants"),
    ("Commerces de proximité", "le marché du samedi, les vitrines vides et l’animation des rues"),
    ("Jeunesse", "le conseil des jeunes, l’aire de jeux et les activités des vacances"),
    ("Éclairage public", "extinction nocturne, remplacement des lampadaires et sentiment de sécurité"),
    ("Transports en commun", "fréquence des bus, nouvel arrêt et accessibilité des quais"),
)  # fmt: skip
PRESENTERS = (
    "",
    "",
    "La présidence",
    "Le groupe de travail",
    "Les services techniques",
    "L’élue de quartier",
)
POST_OPENINGS = (
    "Retour sur", "Point d’étape :", "Ce qu’il faut retenir :", "Appel à idées :", "En images :", "Bilan :",
)  # fmt: skip
EVENT_KINDS = (
    ("Balade urbaine", "Une marche commentée d’une heure et demie, ouverte à toutes et à tous."),
    ("Atelier participatif", "Deux heures pour imaginer ensemble, cartes et maquettes à l’appui."),
    ("Réunion publique", "Les services présentent le projet et répondent aux questions des habitants."),
    ("Fête de quartier", "Musique, stands des associations et repas partagé sur la place."),
    ("Chantier nature", "Plantations et désherbage avec les jardiniers de la ville ; outils fournis."),
)  # fmt: skip
AUDIENCES = ("Tout public", "Habitants du quartier", "Familles", "Bénévoles du conseil")
FOLDERS = (
    "Nos projets", "Nos propositions", "Comprendre le quartier", "Nos groupes de travail", "Archives",
    "Dossiers thématiques",
)  # fmt: skip
TAGS = (
    "mobilité", "environnement", "budget participatif", "jeunesse", "propreté", "culture", "logement",
    "commerces", "sécurité", "vie associative",
)  # fmt: skip
#: Particular subjects, two drawn per page: a search for one of them matches a few percent of the pages (the
#: topics above, a word of which is in a page out of twelve, are the common words of a real site).
SUBJECTS = (
    "la fontaine Wallace", "les platanes du mail", "le skatepark", "les ralentisseurs", "la passerelle",
    "le lavoir", "les jardins familiaux", "la halle couverte", "le kiosque à musique", "les bornes de recharge",
    "le city-stade", "la boîte à livres", "le poulailler partagé", "les toilettes publiques", "le belvédère",
    "la friche industrielle", "le rucher municipal", "les arceaux vélos", "la ludothèque", "le verger",
    "la piscine découverte", "le marché nocturne", "les fresques murales", "le square Pasteur",
    "la navette électrique", "le tiers-lieu", "la maison de santé", "les bancs ombragés", "le parking relais",
    "la zone de rencontre", "le conservatoire", "les potagers scolaires", "la recyclerie", "le cimetière paysager",
    "les cabanes à oiseaux", "la guinguette", "le pumptrack", "les nichoirs", "la roseraie", "le lavomatic",
)  # fmt: skip
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
    "novembre", "décembre",
)  # fmt: skip
NAMES = (
    "Claire", "Mehdi", "Sophie", "Julien", "Fatou", "Lucas", "Inès", "Thomas", "Camille", "Youssef",
)  # fmt: skip


def _zone():
    return ZoneInfo(settings.TIME_ZONE)


def _long_date(day):
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _paragraph(text):
    return {"type": "paragraph", "value": f"<p>{text}</p>", "id": str(uuid.uuid4())}


def _heading(text):
    return {"type": "heading", "value": {"text": text, "level": "h2"}, "id": str(uuid.uuid4())}


# -- Bulk insertion of pages --------------------------------------------------------------------------------


class PageWriter:
    """Pages planned in memory (paths computed from their parents), then written in a few statements.

    `add(parent, page)` places an unsaved specific page as the next child of `parent` (a page already in the
    database, or one added before in this writer); `write()` inserts every planned page, fixes the
    `numchild` of the parents already in the database, and indexes the new pages for search.
    """

    def __init__(self, *, using="default"):
        self.using = using
        self.pages = []
        self._last_step = {}  # parent path -> step of its last child
        self._db_parents = defaultdict(int)  # parent pk -> children added (parents already written)

    def _next_step(self, parent):
        if parent.path not in self._last_step:
            step = 0
            if parent.pk is not None:  # read afresh: the instance's numchild may be out of date
                last = (
                    Page.objects.using(self.using)
                    .filter(path__startswith=parent.path, depth=parent.depth + 1)
                    .order_by("-path")
                    .values_list("path", flat=True)
                    .first()
                )
                step = Page._str2int(last[-Page.steplen :]) if last else 0
            self._last_step[parent.path] = step
        self._last_step[parent.path] += 1
        return self._last_step[parent.path]

    def add(self, parent, page, *, published_at=None):
        """Plan `page` as the last child of `parent`, live and published at `published_at` (now)."""
        depth = parent.depth + 1
        page.path = Page._get_path(parent.path, depth, self._next_step(parent))
        page.depth = depth
        page.numchild = 0
        page.url_path = f"{parent.url_path}{page.slug}/"
        page.locale_id = parent.locale_id
        page.translation_key = uuid.uuid4()
        page.draft_title = page.title
        page.live = True
        page.has_unpublished_changes = False
        page.first_published_at = page.last_published_at = published_at or timezone.now()
        if parent.pk is not None:
            self._db_parents[parent.pk] += 1  # written with an UPDATE … numchild + n
        parent.numchild += 1
        self.pages.append(page)
        return page

    def write(self, *, index=True, refresh=True):
        """Insert the planned pages and index them (`refresh`: see `index_pages`); returns them, saved."""
        pages, self.pages = self.pages, []
        if not pages:
            return []
        page_fields = [f for f in Page._meta.local_concrete_fields if f is not Page._meta.auto_field]
        for batch in self._batches(pages, page_fields):
            ids = Page._base_manager._insert(
                batch, fields=page_fields, returning_fields=[Page._meta.pk], using=self.using
            )
            for page, (pk,) in zip(batch, ids, strict=True):
                page.id = pk
                page.page_ptr_id = pk
        by_model = defaultdict(list)
        for page in pages:
            by_model[type(page)].append(page)
        for model, objs in by_model.items():
            fields = list(model._meta.local_concrete_fields)
            for batch in self._batches(objs, fields):
                model._base_manager._insert(batch, fields=fields, using=self.using)
            for page in objs:
                page._state.adding = False
                page._state.db = self.using
        for parent_pk, added in self._db_parents.items():
            Page.objects.using(self.using).filter(pk=parent_pk).update(numchild=F("numchild") + added)
        self._db_parents.clear()
        self._last_step.clear()
        if index:
            index_pages(by_model, refresh=refresh)
        return pages

    def _batches(self, objs, fields):
        size = connections[self.using].ops.bulk_batch_size(fields, objs) or BATCH_SIZE
        size = max(1, min(size, BATCH_SIZE))
        for start in range(0, len(objs), size):
            yield objs[start : start + size]


def index_pages(by_model, *, refresh=True):
    """Add pages ({model: [specific pages]}) to every search backend, in bulk.

    On PostgreSQL the entries are written by `_postgres_index` (the same rows `update_index` writes, each
    field's text read once), then, with `refresh`, the new entries' title norms are set (`refresh_title_norms`:
    two scans of the whole index, so a long run does it once at its end); other backends get the backend's
    own `add_bulk`."""
    from modelsearch.backends.database.postgres.postgres import PostgresSearchBackend

    for backend in get_search_backends(with_auto_update=True):
        for model, objs in by_model.items():
            if not model.get_search_fields():
                continue
            for start in range(0, len(objs), INDEX_BATCH_SIZE):
                batch = objs[start : start + INDEX_BATCH_SIZE]
                if isinstance(backend, PostgresSearchBackend):
                    _postgres_index(backend, model, batch)
                else:
                    backend.add_bulk(model, batch)
    if refresh:
        refresh_title_norms()


def refresh_title_norms():
    """Set the title norm (average title length / this title's length) of the entries added since the last
    refresh, as modelsearch does after each insert."""
    from modelsearch.backends.database.postgres.postgres import PostgresSearchBackend

    for backend in get_search_backends(with_auto_update=True):
        if isinstance(backend, PostgresSearchBackend):
            backend.get_index_for_model(Page)._refresh_title_norms()


def _postgres_index(backend, model, objs):
    """Write the objects' search entries as modelsearch's `PostgresIndex.add_items` does, faster.

    `add_items` reads every search field's value five times per object (a StreamField's text is rebuilt each
    time) and compiles one Django expression per vector; here each value is read once and the SQL is written
    directly. The vectors are the same: per field `setweight(to_tsvector(config, text), weight)`, joined
    with `||` (an empty text adds nothing), title fields in `title`, other search fields in `body`,
    autocomplete fields in `autocomplete` (with the autocomplete configuration), plain texts for fuzzy search.
    """
    from modelsearch.backends.database.postgres.postgres import ObjectIndexer
    from modelsearch.index import AutocompleteField, SearchField
    from modelsearch.utils import get_content_type_pk

    index = backend.get_index_for_model(model)
    search_fields = model.get_search_fields()
    content_type_pk = get_content_type_pk(model)
    empty = "to_tsvector('')"

    def vector(parts, config, params):
        sql = []
        for text, weight in parts:
            sql.append("setweight(to_tsvector(%s::regconfig, %s), %s)")
            params.extend((config, text, weight))
        return " || ".join(sql) or empty

    rows = []
    params = []
    for obj in objs:
        indexer = ObjectIndexer(obj, backend)
        title, body, autocomplete = [], [], []
        for field in search_fields:
            for current, weight, value in indexer.prepare_field(obj, field):
                text = value.strip()
                if not text:
                    continue
                if isinstance(current, SearchField):
                    (title if current.field_name == "title" else body).append((text, weight))
                elif isinstance(current, AutocompleteField):
                    autocomplete.append((text, weight))
        params.extend((content_type_pk, str(obj.pk)))
        title_sql = vector(title, backend.config, params)
        autocomplete_sql = vector(autocomplete, backend.autocomplete_config, params)
        body_sql = vector(body, backend.config, params)
        params.extend((" ".join(t for t, _w in title), " ".join(t for t, _w in body)))
        rows.append(f"(%s, %s, {title_sql}, {autocomplete_sql}, {body_sql}, 1.0, %s, %s)")
    table = IndexEntry._meta.db_table
    with index.write_connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (content_type_id, object_id, title, autocomplete, body, title_norm, "  # noqa: S608
            f"title_text, body_text) VALUES {', '.join(rows)} "
            "ON CONFLICT (content_type_id, object_id) DO UPDATE SET title = EXCLUDED.title, title_norm = 1.0, "
            "autocomplete = EXCLUDED.autocomplete, body = EXCLUDED.body, title_text = EXCLUDED.title_text, "
            "body_text = EXCLUDED.body_text",
            params,
        )


def index_missing_pages():
    """Index the pages that have no search entry yet (created the usual way, their index task still
    queued for the worker): the index is complete whether or not a worker has run. Returns their number."""
    from django.contrib.contenttypes.models import ContentType

    missing = defaultdict(list)
    content_type_ids = Page.objects.order_by().values_list("content_type_id", flat=True).distinct()
    for content_type_id in content_type_ids:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None or not model.get_search_fields():
            continue
        indexed = IndexEntry.objects.filter(content_type_id=content_type_id).values("object_id")
        pks = list(
            Page.objects.filter(content_type_id=content_type_id)
            .exclude(pk__in=_int_ids(indexed))
            .values_list("pk", flat=True)
        )
        if pks:
            missing[model] = list(model.objects.filter(pk__in=pks))
    index_pages(missing)
    return sum(len(objs) for objs in missing.values())


def _int_ids(object_ids):
    """The index stores object ids as text: compare them as integers, in the database."""
    from django.db.models import IntegerField
    from django.db.models.functions import Cast

    return object_ids.annotate(int_id=Cast("object_id", IntegerField())).values("int_id")


# -- Generated content ----------------------------------------------------------------------------------------


class CouncilFiller:
    """The generated pages of one council, planned into a `PageWriter`."""

    def __init__(self, writer, rng, today):
        self.writer = writer
        self.rng = rng
        self.today = today
        self.now = timezone.now()
        self.tags = None

    def _tags(self):
        if self.tags is None:
            self.tags = [
                Tag.objects.filter(Q(name=name) | Q(slug=_slug(name))).first()
                or Tag.objects.create(name=name, slug=_slug(name))
                for name in TAGS
            ]
        return self.tags

    def _subjects(self):
        """A sentence naming two particular subjects (see SUBJECTS)."""
        first, second = self.rng.sample(SUBJECTS, 2)
        return f"Il a aussi été question de {first} et de {second}."

    def _at(self, day, hour, minute=0):
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=_zone())

    def _published(self, moment):
        return min(moment, self.now)

    def fill(self, council, total):
        """Plan about `total` pages under `council` (its sections must exist); returns [(post, tags)]."""
        meetings_index = MeetingIndexPage.objects.child_of(council).get()
        blog = BlogIndexPage.objects.child_of(council).get()
        meetings = round(total * MEETING_SHARE)
        posts = round(total * POST_SHARE)
        events = round(total * EVENT_SHARE)
        standard = max(0, total - meetings - posts - events)
        place = self._place(council)
        self.meetings(meetings_index, meetings, place)
        tagged = self.posts(blog, posts, council)
        self.events(council, events, place)
        self.standard_pages(council, standard)
        return tagged

    def _place(self, council):
        number = int(council.slug.removeprefix(SLUG_PREFIX) or 0)
        return {
            "place_name": f"{PLACES[number % len(PLACES)]} {council.title.split(' — ')[-1]}",
            "place_address": f"{number % 90 + 1} {STREETS[number % len(STREETS)]}, 73999 Parvis-sur-Lac",
            "access_notes": f"Entrée de plain-pied. Bus ligne {number % 9 + 1}, arrêt Mairie.",
        }

    def _agenda(self, topics):
        items = [agenda_item("Accueil et approbation du compte rendu précédent", 10)]
        for title, detail in topics:
            items.append(
                agenda_item(title, self.rng.choice((15, 20, 25)), self.rng.choice(PRESENTERS), detail)
            )
        items.append(agenda_item("Questions diverses et date de la prochaine séance", 15))
        for item in items:
            item["id"] = str(uuid.uuid4())
        return items

    def meetings(self, index, count, place):
        upcoming = round(count * UPCOMING_SHARE)
        past = count - upcoming
        # Past sessions every four days back from yesterday, upcoming ones every three days from tomorrow.
        days = [self.today - timedelta(days=1 + 4 * n) for n in range(past)]
        days += [self.today + timedelta(days=1 + 3 * n) for n in range(upcoming)]
        for number, day in enumerate(sorted(days), start=1):
            start = self._at(day, 18, 30)
            end = start + timedelta(minutes=120)
            topics = self.rng.sample(TOPICS, 3)
            meeting = MeetingPage(
                title=f"Séance du {_long_date(day)}",
                slug=f"seance-{day:%Y-%m-%d}-{number}",
                start=start,
                end=end,
                summary="Séance publique : chacune et chacun peut y assister et prendre la parole.",
                agenda=self._agenda(topics),
                format=MeetingFormat.IN_PERSON,
                **place,
            )
            if number % 7 == 0:
                meeting.format = MeetingFormat.HYBRID
                meeting.online_url = f"https://visio.example.org/{index.pk}-{day:%Y%m%d}"
            if end < self.now:
                meeting.status = MeetingStatus.HELD
                meeting.attendee_count = self.rng.randint(8, 45)
                meeting.minutes = (
                    "".join(
                        f"<h3>{title}</h3><p>Les membres ont débattu : {detail}. "
                        "Le groupe de travail présentera une proposition à la prochaine séance.</p>"
                        for title, detail in topics
                    )
                    + f"<p>{self._subjects()}</p>"
                )
                meeting.decisions = [
                    {
                        "type": "decision",
                        "value": {"text": f"{topics[0][0]} : le conseil adopte la proposition.", "votes": v},
                        "id": str(uuid.uuid4()),
                    }
                    for v in (self.rng.choice(("Adoptée à l’unanimité", "12 pour, 2 contre", "9 pour")),)
                ]
                approved = day + timedelta(days=14)
                if approved < self.today:
                    meeting.minutes_status = MinutesStatus.APPROVED
                    meeting.minutes_approved_on = approved
                else:
                    meeting.minutes_status = MinutesStatus.DRAFT
            elif number % 25 == 0:
                meeting.status = MeetingStatus.CANCELLED
                meeting.cancellation_reason = "La salle n’est pas disponible : la séance est reportée."
            self.writer.add(index, meeting, published_at=self._published(start - timedelta(days=15)))

    def posts(self, blog, count, council):
        tagged = []
        tags = self._tags()
        for number in range(1, count + 1):
            day = self.today - timedelta(days=number * 2)
            title, detail = TOPICS[number % len(TOPICS)]
            opening = POST_OPENINGS[number % len(POST_OPENINGS)]
            post = BlogPage(
                title=f"{opening} {title.lower()} ({_long_date(day)})",
                slug=f"{_slug(title)}-{number}",
                date=day,
                author=f"Par {NAMES[number % len(NAMES)]}, pour le conseil",
                intro=f"Le conseil {council.title.split(' — ')[-1]} fait le point : {detail}.",
                body=[
                    _paragraph(
                        f"Lors de sa dernière séance, le conseil a travaillé sur un sujet qui revient souvent "
                        f"dans vos messages : {detail}. Voici où en sont les propositions. {self._subjects()}"
                    ),
                    _heading("Et maintenant ?"),
                    _paragraph(
                        "Le groupe de travail se réunit de nouveau dans deux semaines ; chacun peut le "
                        "rejoindre. Écrivez-nous ou venez à la prochaine séance publique."
                    ),
                ],
            )
            self.writer.add(blog, post, published_at=self._at(day, 9))
            tagged.append((post, self.rng.sample(tags, 2)))
        return tagged

    def events(self, council, count, place):
        for number in range(1, count + 1):
            ahead = number % 2 == 0
            day = (
                self.today + timedelta(days=number * 3) if ahead else self.today - timedelta(days=number * 3)
            )
            kind, summary = EVENT_KINDS[number % len(EVENT_KINDS)]
            topic = TOPICS[number % len(TOPICS)][0]
            start = self._at(day, 14)
            event = EventPage(
                title=f"{kind} : {topic.lower()}",
                slug=f"{_slug(kind)}-{number}",
                start=start,
                end=start + timedelta(hours=2),
                summary=summary,
                audience=AUDIENCES[number % len(AUDIENCES)],
                body=[
                    _paragraph(f"{summary} Le thème : {topic.lower()}. Rendez-vous devant l’entrée."),
                    _paragraph(self._subjects()),
                ],
                registration_mode=RegistrationMode.NONE,
                format=MeetingFormat.IN_PERSON,
                show_in_menus=False,
                **place,
            )
            self.writer.add(council, event, published_at=self._published(start - timedelta(days=30)))

    def standard_pages(self, council, count):
        number = 0
        while number < count:
            folder_title = f"{FOLDERS[(number // (FOLDER_SIZE + 1)) % len(FOLDERS)]}"
            folder = StandardPage(
                title=f"{folder_title} ({number // (FOLDER_SIZE + 1) + 1})",
                slug=f"{_slug(folder_title)}-{number // (FOLDER_SIZE + 1) + 1}",
                intro="Les pages de ce dossier présentent nos travaux en cours.",
                body=[
                    _heading("En bref"),
                    _paragraph("Un dossier du conseil, mis à jour après chaque séance."),
                ],
                show_in_menus=number == 0,
            )
            published = self.now - timedelta(days=number)
            self.writer.add(council, folder, published_at=published)
            number += 1
            for _child in range(min(FOLDER_SIZE, count - number)):
                title, detail = TOPICS[number % len(TOPICS)]
                page = StandardPage(
                    title=f"{title} (fiche {number})",
                    slug=f"{_slug(title)}-{number}",
                    intro=f"Ce que le conseil propose : {detail}.",
                    body=[
                        _heading("Le constat"),
                        _paragraph(
                            f"Les habitants nous ont signalé des difficultés : {detail}. {self._subjects()}"
                        ),
                        _heading("Nos propositions"),
                        _paragraph(
                            "Trois pistes, chiffrées avec les services de la ville, soumises au vote."
                        ),
                    ],
                    show_in_menus=False,
                )
                self.writer.add(folder, page, published_at=published)
                number += 1


def _slug(text):
    from django.utils.text import slugify

    return slugify(text)[:50]


def _tag_posts(tagged):
    BlogPageTag.objects.bulk_create(
        [BlogPageTag(content_object_id=post.pk, tag_id=tag.pk) for post, tags in tagged for tag in tags],
        batch_size=BATCH_SIZE,
    )


def _analyze():
    """Bring PostgreSQL's statistics (and visibility map) up to date after a bulk load: without them the
    planner still sees a small site and picks plans that take seconds at 100,000 pages, until autovacuum
    passes. VACUUM cannot run in a transaction (tests): ANALYZE alone then."""
    connection = connections[router.db_for_write(Page)]
    if connection.vendor != "postgresql":
        return
    models = (Page, IndexEntry, MeetingPage, BlogPage, BlogPageTag, EventPage, StandardPage)
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {tables}")


def _say(stdout, message):
    if stdout is not None:
        stdout.write(message)


def build(scale: int, *, stdout=None, pages_per_council: int = PAGES_PER_COUNCIL) -> dict:
    """Add `scale` generated councils of about `pages_per_council` pages each (those already there are kept).

    Returns {"councils": created, "pages": pages created, "seconds": elapsed, "indexed": pages indexed late}.
    """
    started = time.monotonic()
    index = CouncilIndexPage.objects.get()
    existing = set(
        CouncilPage.objects.child_of(index)
        .filter(slug__startswith=SLUG_PREFIX)
        .values_list("slug", flat=True)
    )
    today = timezone.localdate()
    before = Page.objects.count()
    created = 0
    for number in range(1, scale + 1):
        slug = f"{SLUG_PREFIX}{number:03d}"
        if slug in existing:
            continue
        rng = random.Random(SEED + number)  # noqa: S311 - reproducible demo data, not security
        district = DISTRICTS[(number - 1) % len(DISTRICTS)]
        if number > len(DISTRICTS):
            district = f"{district} {(number - 1) // len(DISTRICTS) + 1}"
        with transaction.atomic():
            council = council_create(
                parent=CouncilIndexPage.objects.get(pk=index.pk),
                title=f"Quartier {number:03d} — {district}",
                slug=slug,
                kind=CouncilKind.NEIGHBOURHOOD,
                area=f"{STREETS[number % len(STREETS)]}, {STREETS[(number + 3) % len(STREETS)]}",
                intro=(
                    f"Le conseil du quartier {district} réunit habitants, commerçants et associations. "
                    "Ses séances sont publiques ; chacune et chacun peut y prendre la parole."
                ),
                contact_name=f"{NAMES[number % len(NAMES)]}, animatrice bénévole",
                contact_email=f"conseil-{slug}@parvis.localhost",
            )
            writer = PageWriter(using=router.db_for_write(Page))
            tagged = CouncilFiller(writer, rng, today).fill(council, pages_per_council)
            writer.write(refresh=False)
            _tag_posts(tagged)
        created += 1
        if created % 10 == 0:
            _say(stdout, f"  {created} councils, {Page.objects.count() - before} pages…")
    indexed = index_missing_pages()  # and the title norms of every entry added above
    if created:
        _analyze()
    result = {
        "councils": created,
        "pages": Page.objects.count() - before,
        "seconds": round(time.monotonic() - started, 1),
        "indexed": indexed,
    }
    _say(
        stdout,
        f"Scale {scale}: {result['councils']} councils and {result['pages']} pages added "
        f"in {result['seconds']} s ({Page.objects.count()} pages in all).",
    )
    return result


# -- More of an existing council's content (query budgets) -----------------------------------------------------

#: Fields a copy gets afresh (tree, identity, revisions) rather than from the original.
_FRESH_FIELDS = {
    "id", "page_ptr", "path", "depth", "numchild", "url_path", "translation_key", "latest_revision",
    "live_revision", "locked", "locked_at", "locked_by", "alias_of",
}  # fmt: skip


def _copy(page, slug):
    model = type(page)
    copy = model(
        **{
            field.attname: getattr(page, field.attname)
            for field in model._meta.concrete_fields
            if field.name not in _FRESH_FIELDS
        }
    )
    copy.slug = slug
    return copy


@transaction.atomic
def multiply(council, factor: int) -> int:
    """Add `factor` copies of each of the council's live meetings, posts and events, next to the original
    (same parent, same content and tags, slugs `…-copie-N`), in bulk. Returns the number of pages added.

    Meetings' attached documents and events' rooms and programme are not copied."""
    writer = PageWriter(using=router.db_for_write(Page))
    parents = {}
    originals = []
    for model in (MeetingPage, BlogPage, EventPage):
        originals += list(model.objects.descendant_of(council).live().order_by("path"))
    parent_paths = {page.path[: -Page.steplen] for page in originals}
    taken = set()  # slugs of the parents' children: a copy never takes a sibling's URL (second call)
    for parent in Page.objects.filter(path__in=parent_paths):
        parents[parent.path] = parent
        taken.update(parent.get_children().values_list("slug", flat=True))
    tags = defaultdict(list)
    for item in BlogPageTag.objects.filter(
        content_object__in=[p for p in originals if isinstance(p, BlogPage)]
    ):
        tags[item.content_object_id].append(item.tag_id)
    copies = []
    for page in originals:
        parent = parents[page.path[: -Page.steplen]]
        number = 0
        for _copy_number in range(factor):
            number += 1
            while f"{page.slug}-copie-{number}" in taken:
                number += 1
            slug = f"{page.slug}-copie-{number}"
            taken.add(slug)
            copy = _copy(page, slug)
            writer.add(parent, copy, published_at=page.first_published_at)
            copies.append((page, copy))
    writer.write()
    BlogPageTag.objects.bulk_create(
        [
            BlogPageTag(content_object_id=copy.pk, tag_id=tag_id)
            for page, copy in copies
            for tag_id in tags.get(page.pk, ())
        ],
        batch_size=BATCH_SIZE,
    )
    return len(copies)
