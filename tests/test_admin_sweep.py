"""No admin view reveals another council's content — proved by construction.

The sweep walks every URL pattern under the admin prefix *from Django's URL resolver* (no hand-made list:
a view added later, by Parvis or by a Wagtail upgrade, is swept without editing this file). It fills each
parameter of each pattern with council A's objects — pages (live, draft, members-only, locked), revisions,
documents, images, collections, workflow and task states, pending uploads, editing sessions, users and
groups — and adds `?id=` (bulk actions, choosers), search and parent-page/collection queries. Every URL
is requested with GET and with an empty POST as council B's editor and as B's member. Nothing of A — no
title (live or draft), tag, file name, private collection name or page URL — may appear in any response
body or redirect (A's own name and address are public: the site's menu lists them), and no POST may change
the database.

Each request runs in a savepoint rolled back afterwards, so a write (if one slipped through) is reported
without spoiling the rest of the sweep. The guards that make it pass live in `core/admin_guards.py`.
"""

import io
import itertools
import os
import time
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from wagtail.admin.api.views import PagesAdminAPIViewSet
from wagtail.admin.models import EditingSession
from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.contrib.redirects.models import Redirect
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.contrib.settings.registry import registry as settings_registry
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import (
    Page,
    PageViewRestriction,
    Site,
    Task,
    UploadedFile,
    Workflow,
)
from wagtail.users.models import UserProfile
from wagtail.workflows import get_task_types

import pytest
from PIL import Image as PILImage

from core.admin_guards import ROW_PARAMETERS
from councils.factories import CouncilPageFactory, UserFactory
from councils.services import communications_team_group, council_add_editor, council_add_member
from events.factories import RegistrationEventFactory, RegistrationFactory
from home.models import StandardPage
from meetings.factories import MeetingIndexPageFactory
from newsletter.factories import NewsletterIssueFactory, SubscriberFactory, council_list

# Every secret of council A carries this token, so that a leak is easy to spot and to name.
TOKEN = "quxalpha"
ADMIN_PREFIX = "admin/"
# A floor on the patterns swept: a resolver walk that went wrong must not pass for a clean sweep.
MINIMUM_PATTERNS = 150


# --- the world ------------------------------------------------------------------------------------------


def _png_bytes():
    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def _standard_page(parent, title, slug):
    page = StandardPage(title=title, slug=slug, intro="Texte.")
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _council(council_index, title, slug):
    council = CouncilPageFactory(parent=council_index, title=title, slug=slug)
    council.save_revision().publish()
    council.refresh_from_db()
    return council


def _user(username, council, role):
    user = UserFactory(username=username)
    (council_add_editor if role == "editor" else council_add_member)(council=council, user=user)
    return user


def _council_content(council, label, editor, *, secret):
    """A council's content: every kind of object an admin URL may name."""
    access = council.access
    prefix = f"{TOKEN}-" if secret else ""
    meetings = MeetingIndexPageFactory(
        parent=council, title=f"Reunions {prefix}{label}", slug=f"{prefix}reunions"
    )
    meetings.save_revision().publish()
    published = _standard_page(council, f"Fete {prefix}{label}", f"{prefix}fete")
    draft = _standard_page(council, f"Jardin {prefix}{label}", f"{prefix}jardin")
    draft.refresh_from_db()
    live_revision = draft.live_revision
    draft.title = f"Brouillon {prefix}{label}"
    draft.save_revision(user=editor)
    draft.refresh_from_db()
    members_only = _standard_page(council, f"Espace membres {prefix}{label}", f"{prefix}espace-membres")
    restriction = PageViewRestriction.objects.create(
        page=members_only, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(access.members_group)
    members_only.locked, members_only.locked_by, members_only.locked_at = True, editor, timezone.now()
    members_only.save(update_fields=["locked", "locked_by", "locked_at"])

    documents = [
        get_document_model().objects.create(
            title=f"Compte rendu {prefix}{label} {name}",
            collection=collection,
            file=SimpleUploadedFile(f"{prefix}{label}-{name}-cr.txt", b"compte rendu"),
        )
        for name, collection in (("public", access.collection), ("prive", access.private_collection))
    ]
    images = [
        get_image_model().objects.create(
            title=f"Photo {prefix}{label} {name}",
            collection=collection,
            file=SimpleUploadedFile(f"{prefix}{label}-{name}-photo.png", _png_bytes()),
        )
        for name, collection in (("public", access.collection), ("prive", access.private_collection))
    ]
    for item in (*documents, *images):
        item.tags.add(f"{prefix}{label}-etiquette")
    upload = UploadedFile.objects.create(
        for_content_type=ContentType.objects.get_for_model(get_document_model()),
        file=SimpleUploadedFile(f"{prefix}{label}-en-attente.txt", b"en attente"),
        uploaded_by_user=editor,
    )

    workflow = draft.get_workflow() or Workflow.objects.filter(active=True).first()
    workflow_state = workflow.start(draft, editor) if workflow else None
    task_state = workflow_state.current_task_state if workflow_state else None
    session = EditingSession.objects.create(
        user=editor,
        content_type=ContentType.objects.get_for_model(Page),
        object_id=str(published.pk),
        last_seen_at=draft.latest_revision_created_at,
    )
    event = RegistrationEventFactory(
        parent=council, title=f"Rencontre {prefix}{label}", slug=f"{prefix}rencontre"
    )
    event.save_revision().publish()
    # Someone registered to the council's event: organisers of another council never see them.
    registrations = [
        RegistrationFactory(
            event=event,
            name=f"Inscrite {prefix}{label}",
            email=f"{prefix}{label}-inscrite@example.org",
            organisation=f"Amicale {prefix}{label}",
        )
    ]
    pages = [draft, published, members_only, council, meetings, event]
    return SimpleNamespace(
        event=event,
        registrations=registrations,
        council=council,
        pages=pages,
        page_objects=pages,
        draft=draft,
        revisions=[draft.latest_revision_id, members_only.latest_revision_id, live_revision.pk],
        documents=documents,
        images=images,
        collections=[access.collection, access.private_collection],
        uploads=[upload],
        workflow_states=[workflow_state] if workflow_state else [],
        task_states=[task_state] if task_state else [],
        sessions=[session],
        groups=[access.editors_group, access.members_group],
    )


def _participation_content(council, label, editor, member, *, secret):
    """A council's members and participation rows: colleges, mandates, a working group (its page, a
    meeting, proposals pages), proposals and votes, attendance records and a check-in code, random groups
    and a sortition draw. Every name, title and candidate carries the token when `secret`."""
    from attendance.models import Attendance, CheckInCode, GroupAssignment, GroupDraw
    from councils.factories import working_group_create
    from councils.membership import College, Membership
    from events.tests.helpers import meeting_publish
    from participation.factories import ProposalFactory, ProposalIndexPageFactory, VoteFactory
    from sortition.models import SortitionDraw

    prefix = f"{TOKEN}-" if secret else ""
    now = timezone.now()
    college = College.objects.create(council=council, name=f"College {prefix}{label}")
    Membership.objects.filter(council=council, user=member).update(college=college)
    member.first_name, member.last_name = "Adele", f"Membre {prefix}{label}"
    member.save(update_fields=["first_name", "last_name"])
    group = working_group_create(council, f"Groupe {prefix}{label}", members=[member])
    meeting = meeting_publish(council, title=f"Seance {prefix}{label}", start=now + timedelta(hours=1))
    indexes = []
    for parent in (council, group):
        index = ProposalIndexPageFactory(parent=parent, title=f"Propositions {prefix}{label}")
        index.save_revision().publish()
        indexes.append(index)
    window = {
        "vote_opens_at": now - timedelta(days=1),
        "vote_closes_at": now + timedelta(days=3),
    }
    proposals = [
        ProposalFactory(
            index=indexes[0], title=f"Proposition {prefix}{label}", body=f"Texte {prefix}{label}", **window
        ),
        ProposalFactory(
            index=indexes[1], title=f"Idee {prefix}{label}", body=f"Texte {prefix}{label}", **window
        ),
        ProposalFactory(
            index=indexes[0],
            title=f"Masquee {prefix}{label}",
            body=f"Texte {prefix}{label}",
            hidden_at=now,
            hidden_reason=f"Motif {prefix}{label}",
            **window,
        ),
    ]
    votes = [VoteFactory(proposal=proposal, voter=member, choice="for") for proposal in proposals[:2]]
    attendances = [Attendance.objects.create(meeting=meeting, member=member, status="present", method="code")]
    code = CheckInCode.objects.create(
        meeting=meeting,
        code=f"{TOKEN[:4]}{label}42".upper(),
        valid_from=now - timedelta(hours=1),
        valid_until=now + timedelta(hours=3),
        created_by=editor,
    )
    draw = GroupDraw.objects.create(meeting=meeting, group_count=1, seed=f"{prefix}graine", algorithm="v1")
    GroupAssignment.objects.create(draw=draw, member=member, group_number=1)
    sortition = SortitionDraw.objects.create(
        council=council,
        title=f"Tirage {prefix}{label}",
        panel_size=1,
        candidates_csv=f"id,name,email,gender\nc1,Candidat {prefix}{label},{prefix}{label}-candidat@example.org,F\n",
        quotas_csv="category,name,min,max\ngender,F,1,1\n",
        seed=7,
        status="done",
        selected_ids=["c1"],
        created_by=editor,
    )
    return SimpleNamespace(
        group=group,
        meeting=meeting,
        indexes=indexes,
        colleges=[college],
        proposals=proposals,
        votes=votes,
        attendances=attendances,
        code=code,
        draws=[draw],
        sortitions=[sortition],
        people=[member],
    )


def _secrets(a):
    """What of A must never reach B: titles (live and draft), tags, file names, collection names, URLs."""
    # The council's own name and address are public: every page of the site lists them in its menu.
    pages = [page for page in a.pages if page.pk != a.council.pk]
    secrets = {page.title for page in pages} | {a.draft.get_latest_revision_as_object().title}
    secrets |= {page.url for page in pages if page.url}
    for item in (*a.documents, *a.images):
        secrets |= {
            item.title,
            os.path.basename(item.file.name),
            os.path.splitext(os.path.basename(item.file.name))[0],
        }
        secrets |= set(item.tags.names())
    secrets |= {collection.name for collection in a.collections if collection.name != a.council.title}
    secrets |= {os.path.basename(upload.file.name) for upload in a.uploads}
    secrets |= {value for r in a.registrations for value in (r.name, r.email, r.organisation)}
    p = a.participation
    secrets |= {college.name for college in p.colleges}
    secrets |= {value for proposal in p.proposals for value in (proposal.title, proposal.body)}
    secrets |= {proposal.hidden_reason for proposal in p.proposals if proposal.hidden_reason}
    secrets |= (
        {draw.title for draw in p.sortitions} | {f"Candidat {TOKEN}-a"} | {draw.seed for draw in p.draws}
    )
    secrets |= {person.last_name for person in p.people}
    secrets.add(p.group.title)
    secrets |= {a.newsletter.subscriber.email, a.newsletter.issue.subject}
    assert all(TOKEN in secret.lower() for secret in secrets), secrets
    return sorted(secrets)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Two councils with every kind of content, built once for the module inside a transaction that is
    rolled back at the end; each test runs in its own savepoint within it."""
    from councils.models import CouncilIndexPage
    from home.services import site_structure_ensure

    with django_db_blocker.unblock(), transaction.atomic():
        home = site_structure_ensure(hostname="testserver")
        council_index = CouncilIndexPage.objects.get()
        council_a = _council(council_index, f"Conseil {TOKEN}", TOKEN)
        council_b = _council(council_index, "Conseil Biollay", "biollay")
        editor_a = _user("editeur-a", council_a, "editor")
        member_a = _user("membre-a", council_a, "member")
        editor_b = _user("editeur-b", council_b, "editor")
        member_b = _user("membre-b", council_b, "member")
        city_staff = UserFactory(username="ville")
        city_staff.groups.add(communications_team_group())
        a = _council_content(council_a, "a", editor_a, secret=True)
        b = _council_content(council_b, "b", editor_b, secret=False)
        a.users, b.users = [editor_a, member_a], [editor_b]
        a.participation = _participation_content(council_a, "a", editor_a, member_a, secret=True)
        b_member = _user("membre-b-conseil", council_b, "member")
        b.participation = _participation_content(council_b, "b", editor_b, b_member, secret=False)
        # The newsletter: a reader of A's list and an issue, which B's editor and member must never see.
        a.newsletter = SimpleNamespace(
            subscriber=SubscriberFactory(
                email=f"lecteur-{TOKEN}@example.org", lists=[council_list(council_a)]
            ),
            issue=NewsletterIssueFactory(
                subject=f"Lettre {TOKEN} de novembre", lists=[council_list(council_a)]
            ),
        )
        for council in (a, b):
            p = council.participation
            council.pages = council.page_objects = [*council.pages, p.group, p.meeting, *p.indexes]
        # Rows Wagtail creates on first sight (a user's profile, a site's settings): not changes of content.
        for user in (editor_a, member_a, editor_b, member_b, city_staff):
            UserProfile.get_for_user(user)
        for site in Site.objects.all():
            for model in settings_registry:
                model.for_site(site) if issubclass(model, BaseSiteSetting) else model.load()
        sessions = {}
        roles = {"editor_a": editor_a, "editor_b": editor_b, "member_b": member_b, "city_staff": city_staff}
        for role, user in roles.items():
            client = Client()
            client.force_login(user)
            sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield SimpleNamespace(home=home, a=a, b=b, secrets=_secrets(a), sessions=sessions, editor_a=editor_a)
        for item in (*a.documents, *a.images, *a.uploads, *b.documents, *b.images, *b.uploads):
            item.file.delete(save=False)
        transaction.set_rollback(True)


# --- the database fingerprint ------------------------------------------------------------------------------


def _tables():
    """Every table a refused request could write to (renditions and sessions excepted: reading a page may
    render a thumbnail of one's own images, and logging out is not a change of content)."""
    from django.apps import apps

    skipped = {"django_session", get_image_model().get_rendition_model()._meta.db_table}
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label == "axes":  # the sign-in log records signing out
            continue
        if model._meta.managed and not model._meta.proxy and model._meta.db_table not in skipped:
            tables.add(model._meta.db_table)
    return sorted(tables)


def write_counts(tables):
    """Rows inserted, updated or deleted so far in this transaction, per table (PostgreSQL's
    `pg_stat_xact_user_tables`, which counts writes even in a savepoint rolled back since): one cheap query,
    where hashing every row after each request cost more as the world grew."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE relname = ANY(%s)",
            [tables],
        )
        return dict(cursor.fetchall())


def fingerprint(tables):
    """A hash of every row of every table, in one query."""
    # Table names come from the model registry, not from input.
    parts = " UNION ALL ".join(
        f"SELECT '{table}' AS t, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h "  # noqa: S608
        f'FROM "{table}" x'
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(parts)
        return dict(cursor.fetchall())


# --- URLs from the resolver --------------------------------------------------------------------------------


@dataclass
class Pattern:
    route: str
    name: str  # namespaced, "" when unnamed
    params: list = field(default_factory=list)

    @property
    def label(self):
        return self.name or self.route


def _params(pattern):
    if hasattr(pattern, "converters") and pattern.converters:
        return list(pattern.converters)
    regex = getattr(pattern, "regex", None)
    return list(regex.groupindex) if regex is not None else []


def admin_patterns():
    """Every URL pattern under the admin prefix, with its namespaced name and its parameters."""
    found = []

    def walk(resolver, route, namespaces, params):
        for entry in resolver.url_patterns:
            entry_route = route + str(entry.pattern)
            entry_params = params + _params(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(
                    entry,
                    entry_route,
                    namespaces + ([entry.namespace] if entry.namespace else []),
                    entry_params,
                )
            elif isinstance(entry, URLPattern) and entry_route.startswith(ADMIN_PREFIX):
                name = ":".join([*namespaces, entry.name]) if entry.name else ""
                found.append(Pattern(entry_route, name, entry_params))

    walk(get_resolver(), "", [], [])
    return found


PAGE_PARAMS = {
    "page_id",
    "parent_page_id",
    "page_to_move_id",
    "destination_id",
    "page_pk",
    "index_id",
    "council_id",
    "meeting_id",
    "working_group_id",
}
KIND_OF_PARAM = {
    "document_id": "documents",
    "doc_id": "documents",
    "image_id": "images",
    "collection_id": "collections",
    "uploaded_file_id": "uploads",
    "workflow_state_id": "workflow_states",
    "task_state_id": "task_states",
    "session_id": "sessions",
    "user_id": "users",
}
# For a bare `pk`: the model is told by the URL's name (first match wins).
KIND_OF_NAME = [
    ("revisions_compare", "pages"),
    ("doc", "documents"),
    ("image", "images"),
    ("collection", "collections"),
    ("task", "tasks"),
    ("workflow", "workflows"),
    ("users_users", "users"),
    ("group", "groups"),
    ("settings", "sites"),
    ("sites", "sites"),
    ("redirect", "redirects"),
    ("page", "pages"),
]
SHARED_KINDS = {
    "tasks": lambda: Task.objects.all(),
    "workflows": lambda: Workflow.objects.all(),
    "sites": lambda: Site.objects.all(),
    "redirects": lambda: Redirect.objects.all(),
}
OWNED_KINDS = (
    "pages",
    "revisions",
    "documents",
    "images",
    "collections",
    "uploads",
    "workflow_states",
    "task_states",
    "sessions",
    "users",
    "groups",
)


def _ids(objects):
    return [obj if isinstance(obj, int) else obj.pk for obj in objects]


def row_ids(parameter, council):
    """The rows a registered admin row parameter names (`core.admin_guards.ROW_PARAMETERS`) that belong to
    the council: those whose page field is the council or a page under it — by the registration alone."""
    from django.apps import apps

    model_label, page_field = ROW_PARAMETERS[parameter]
    model = apps.get_model(model_label)
    return list(
        model.objects.filter(**{f"{page_field}__path__startswith": council.path})
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _kind(param, name, model_pair):
    if param in ROW_PARAMETERS:
        return f"row:{param}"
    if param in PAGE_PARAMS:
        return "pages"
    if param == "redirect_id":
        return "redirects"
    if param.startswith("revision_id"):
        return "revisions"
    if param in KIND_OF_PARAM:
        return KIND_OF_PARAM[param]
    if param == "object_id" and model_pair:
        from django.apps import apps

        model = apps.get_model(*model_pair)
        for kind, base in (
            ("pages", Page),
            ("documents", get_document_model()),
            ("images", get_image_model()),
        ):
            if issubclass(model, base):
                return kind
    if param in ("pk", "object_id", "task_id", "workflow_pk"):
        if param == "task_id":
            return "tasks"
        if param == "workflow_pk":
            return "workflows"
        for needle, kind in KIND_OF_NAME:
            if needle in name:
                return kind
        return "any"
    return None


def _model_pairs(pattern, world):
    """The (app_label, model_name) pairs the URL may name, told by its parameter names and name: page
    types for page URLs (those of A's pages), settings, task types, and otherwise pages and media."""
    if "content_type_app_name" in pattern.params or "pages" in pattern.name:
        models = {Page, *(type(page) for page in world.a.page_objects)}
    elif "settings" in pattern.name:
        models = set(settings_registry)
    elif "workflows" in pattern.name:
        models = set(get_task_types())
    else:
        models = {
            get_document_model(),
            get_image_model(),
            *(type(page) for page in world.a.page_objects),
        }
    return sorted({(m._meta.app_label, m._meta.model_name) for m in models})


def _bulk_actions():
    bulk_action_registry._scan_for_bulk_actions()
    return [
        (app_label, model_name, action)
        for app_label, models in bulk_action_registry.actions.items()
        for model_name, actions in models.items()
        for action in actions
    ]


class Filler:
    """Values for each parameter: A's objects for the one under test, B's own for the others."""

    def __init__(self, world):
        self.world = world
        user = world.editor_a
        self.neutral = {
            "filter_spec": ["original"],
            "uidb64": [urlsafe_base64_encode(force_bytes(user.pk))],
            "token": [default_token_generator.make_token(user)],
            "role": ["editor", "member"],
        }
        self.shared = {kind: list(query()) for kind, query in SHARED_KINDS.items()}

    def values(self, owner, kind):
        council = getattr(self.world, owner)
        if kind == "any":
            return [v for k in OWNED_KINDS for v in self.values(owner, k)]
        if kind in self.shared:
            return _ids(self.shared[kind])
        if kind.startswith("row:"):
            return row_ids(kind[4:], council.council)
        return _ids(getattr(council, kind))

    def neutral_choices(self, pattern):
        """The non-owned parameters: model names, actions, filter specs, tokens."""
        params = set(pattern.params)
        if {"app_label", "model_name", "action"} <= params:
            return [dict(zip(("app_label", "model_name", "action"), t, strict=True)) for t in _bulk_actions()]
        choices = [{}]
        for app_key, model_key in (
            ("content_type_app_name", "content_type_model_name"),
            ("app_label", "model_name"),
            ("app_name", "model_name"),
        ):
            if {app_key, model_key} <= params:
                choices = [
                    {**c, app_key: a, model_key: m}
                    for c in choices
                    for a, m in _model_pairs(pattern, self.world)
                ]
        if "action_name" in params:
            names = (
                list(PagesAdminAPIViewSet.actions)
                if "api" in pattern.name
                else ["approve", "reject", "cancel"]
            )
            choices = [{**c, "action_name": n} for c in choices for n in names]
        for key, values in self.neutral.items():
            if key in params:
                choices = [{**c, key: v} for c in choices for v in values]
        return choices

    def kwargs(self, pattern, mixed=True):
        """Every combination to request: all of A (coherently: each of A's objects in each parameter), and,
        when `mixed`, each parameter of A among B's own."""
        for neutral in self.neutral_choices(pattern):
            pair = next(
                (
                    (neutral[a], neutral[m])
                    for a, m in (
                        ("app_label", "model_name"),
                        ("content_type_app_name", "content_type_model_name"),
                    )
                    if a in neutral
                ),
                None,
            )
            owned = [p for p in pattern.params if p not in neutral]
            kinds = {}
            for param in owned:
                kind = _kind(param, pattern.name, pair)
                kinds[param] = kind or "any"
            if not owned:
                yield neutral
                continue
            a_values = {p: self.values("a", k) or self.values("b", k) for p, k in kinds.items()}
            b_values = {p: self.values("b", k) or a_values[p] for p, k in kinds.items()}
            # Nothing of that kind exists (redirects, say): an id that names nothing still reaches the view.
            a_values = {p: v or [999_999] for p, v in a_values.items()}
            b_values = {p: v or [999_999] for p, v in b_values.items()}
            width = max(len(v) for v in a_values.values()) or 1
            for index in range(width):
                yield {**neutral, **{p: v[index % len(v)] for p, v in a_values.items() if v}}
            if not mixed:
                continue
            for param, values in a_values.items():
                for value in values:
                    others = {p: v[0] for p, v in b_values.items() if p != param and v}
                    yield {**neutral, **others, param: value}


def _literal(route):
    return "/" + route.replace("^", "").replace("$", "").replace(".*", "sweep-unknown")


def urls_for(pattern, filler, mixed=True):
    urls = set()
    if not pattern.params:
        try:
            urls.add(reverse(pattern.name) if pattern.name else _literal(pattern.route))
        except NoReverseMatch:
            urls.add(_literal(pattern.route))
    else:
        for kwargs in filler.kwargs(pattern, mixed=mixed):
            if len(kwargs) != len(set(pattern.params)):
                continue
            try:
                urls.add(reverse(pattern.name, kwargs={k: str(v) for k, v in kwargs.items()}))
            except NoReverseMatch:
                continue
    return sorted(urls)


def query_strings(world, pattern):
    """For URLs that name no object in their path: as is; with `?id=` (bulk actions, choosers' chosen
    views) and a search for A's token (listings, autocompletes); with A's council as parent page and A's
    private collection as filter; bulk actions also with `id=all`."""
    if any(_kind(p, pattern.name, None) for p in pattern.params):
        return [""]
    a = world.a
    ids = sorted({*_ids(a.pages), *_ids(a.documents), *_ids(a.images), *_ids(a.collections)})
    by_ids_and_search = "?" + "&".join(f"id={i}" for i in ids) + f"&q={TOKEN}&term={TOKEN}&search={TOKEN}"
    tree = (
        f"?child_of={a.council.pk}&childOf={a.council.pk}&parent_page_id={a.council.pk}"
        f"&collection_id={_ids(a.collections)[1]}"
    )
    queries = ["", by_ids_and_search, tree]
    if "action" in pattern.params:
        queries.append(f"?id=all&childOf={a.council.pk}&collection_id={_ids(a.collections)[1]}&q={TOKEN}")
    return queries


# --- the sweep ----------------------------------------------------------------------------------------------


@dataclass
class Sweep:
    patterns: list
    swept_patterns: set = field(default_factory=set)
    requests: int = 0
    urls: int = 0
    leaks: list = field(default_factory=list)
    writes: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    statuses: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)


def _body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _messages(response):
    """The text of the messages a response queues for the next page (Django's cookie storage): read where
    they are set, so that a message naming A's content is caught even if no later page shows it."""
    morsel = response.cookies.get(CookieStorage.cookie_name)
    if morsel is None or not morsel.value:
        return b""
    messages = CookieStorage(HttpRequest())._decode(morsel.value)
    if messages is None:  # a cookie that does not decode is shown as is
        return morsel.value.encode()
    return " ".join(str(getattr(message, "message", message)) for message in messages).encode()


def _counts_then_rollback(tables):
    """`write_counts`, then back to the request savepoint, in one round trip: the counts are read first,
    inside the request's savepoint, as `write_counts` would (and rolling back does not lower them)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE relname = ANY(%s); ROLLBACK TO SAVEPOINT sweep_request",
            [tables],
        )
        return dict(cursor.fetchall())


def _rollback_to_request_savepoint():
    """After a request that broke the transaction: undo it, as leaving an `atomic` block would."""
    connection.needs_rollback = False
    with connection.cursor() as cursor:
        cursor.execute("ROLLBACK TO SAVEPOINT sweep_request")


def run_sweep(world, role, *, secrets, methods=("get", "post"), queries=True, mixed=True):
    """Each request runs after one savepoint, rolled back to once the response is read: `ROLLBACK TO
    SAVEPOINT` keeps the savepoint for the next request, and the write counts of the request just made
    travel with it — one round trip per request where an `atomic` block per request took three (and two
    more for the counts around a POST). The counts after a request are the counts before the next one."""
    filler = Filler(world)
    tables = _tables()
    client = Client(raise_request_exception=False)
    result = Sweep(patterns=admin_patterns())
    lowered = [(secret, secret.lower().encode()) for secret in secrets]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SAVEPOINT sweep_request")
        before = write_counts(tables)
        for pattern in result.patterns:
            urls = urls_for(pattern, filler, mixed=mixed)
            if urls:
                result.swept_patterns.add(pattern.label)
            started = time.monotonic()
            variants = query_strings(world, pattern) if queries else [""]
            for url, query, method in itertools.product(urls, variants, methods):
                result.urls += 1
                client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
                callbacks = len(connection.run_on_commit)
                response = getattr(client, method)(url + query)
                result.requests += 1
                result.statuses[response.status_code] = result.statuses.get(response.status_code, 0) + 1
                seen = b"\n".join(
                    (_body(response), response.get("Location", "").encode(), _messages(response))
                ).lower()
                # Each request starts without the messages of the previous ones (checked above, where they
                # were set): otherwise the cookie grows to hundreds of messages, decoded on every request.
                client.cookies.pop(CookieStorage.cookie_name, None)
                for secret, needle in lowered:
                    if needle in seen:
                        result.leaks.append(
                            (pattern.label, method.upper(), url + query, response.status_code, secret)
                        )
                try:
                    after = _counts_then_rollback(tables)
                except DatabaseError:
                    after = None
                    _rollback_to_request_savepoint()
                # What the request left to run on commit goes with its rollback (as an `atomic` block's).
                del connection.run_on_commit[callbacks:]
                # Writes are looked for around each POST (GET is a safe method; it is rolled back too).
                if method == "post" and after is None:
                    result.errors.append((pattern.label, method.upper(), url + query, response.status_code))
                elif method == "post" and after != before:
                    changed = sorted(t for t in after if after[t] != before.get(t))
                    result.writes.append(
                        (pattern.label, method.upper(), url + query, response.status_code, changed)
                    )
                if response.status_code >= 500 and (after is not None or method == "get"):
                    result.errors.append((pattern.label, method.upper(), url + query, response.status_code))
                before = after if after is not None else write_counts(tables)
            result.timings[pattern.label] = result.timings.get(pattern.label, 0) + time.monotonic() - started
        transaction.set_rollback(True)
    return result


def _report(result, role):
    lines = [
        f"{role}: {len(result.patterns)} admin URL patterns ({len(result.swept_patterns)} names) swept, "
        f"{result.requests} requests, statuses {dict(sorted(result.statuses.items()))}"
    ]
    slowest = sorted(result.timings.items(), key=lambda item: -item[1])[:8]
    lines.append("  slowest: " + ", ".join(f"{label} {seconds:.1f}s" for label, seconds in slowest))
    return "\n".join(lines)


class _Sweeps(dict):
    """Each role's sweep, run the first time a test asks for it (under pytest-xdist, a worker that only
    runs the member's tests never pays for the editor's sweep)."""

    def __init__(self, world, django_db_blocker):
        super().__init__()
        self.world, self.blocker = world, django_db_blocker

    def __missing__(self, role):
        with self.blocker.unblock():
            # A member cannot enter the admin at all: every URL with each of A's objects, without the query
            # variants and without mixing A's ids among B's (B's member has no admin ids of their own).
            editor = role == "editor_b"
            result = run_sweep(self.world, role, secrets=self.world.secrets, queries=editor, mixed=editor)
        print(_report(result, role))
        self[role] = result
        return result


@pytest.fixture(scope="module")
def sweeps(world, django_db_blocker):
    return _Sweeps(world, django_db_blocker)


def _format(rows):
    """One line per URL pattern and method: how many requests, a sample URL and what was seen."""
    grouped = {}
    for label, method, url, status, what in rows:
        entry = grouped.setdefault((label, method), {"count": 0, "url": url, "status": status, "what": set()})
        entry["count"] += 1
        entry["what"] |= set(what) if isinstance(what, list) else {what}
    return "\n".join(
        f"  {label} {method} ×{e['count']} e.g. {e['url']} ({e['status']}): {sorted(e['what'])[:4]}"
        for (label, method), e in sorted(grouped.items())
    )


@pytest.mark.parametrize("role", ["editor_b", "member_b"])
def test_no_admin_url_shows_council_a_to_council_b(sweeps, db, role):
    leaks = sweeps[role].leaks
    assert not leaks, f"{len(leaks)} responses show A's content to {role}:\n{_format(leaks)}"


@pytest.mark.parametrize("role", ["editor_b", "member_b"])
def test_no_admin_url_lets_council_b_change_the_database(sweeps, db, role):
    writes = sweeps[role].writes
    assert not writes, f"{len(writes)} requests by {role} changed the database:\n{_format(writes)}"


def test_the_sweep_covers_every_admin_url_pattern(sweeps, db):
    result = sweeps["editor_b"]
    missed = sorted({p.label for p in result.patterns} - result.swept_patterns)
    assert len(result.patterns) >= MINIMUM_PATTERNS, len(result.patterns)
    assert not missed, f"patterns no URL could be built for: {missed}"
    assert result.requests > 4 * len(result.patterns)
    # Not vacuous: B's editor did reach the admin (pages answered), not only refusals.
    assert result.statuses.get(200, 0) > 50, result.statuses


def test_every_registered_row_parameter_names_rows_of_council_a_in_the_world(world, db):
    """A row parameter registered later (`guard_row_parameter`) without rows of A in this world would be
    swept with ids naming nothing: add its rows to `_participation_content`."""
    assert ROW_PARAMETERS, "the apps register their row parameters in their wagtail_hooks"
    empty = [param for param in sorted(ROW_PARAMETERS) if not row_ids(param, world.a.council)]
    assert empty == []
    # And B's rows are B's: the filler never hands A's rows as B's.
    for param in ROW_PARAMETERS:
        assert not set(row_ids(param, world.a.council)) & set(row_ids(param, world.b.council)), param


def test_admin_urls_naming_a_row_are_swept_with_council_a_rows(world, db):
    """Every admin URL pattern with a registered row parameter gets A's rows of that model."""
    filler = Filler(world)
    patterns = [p for p in admin_patterns() if set(p.params) & set(ROW_PARAMETERS)]
    assert patterns
    for pattern in patterns:
        urls = urls_for(pattern, filler)
        for param in set(pattern.params) & set(ROW_PARAMETERS):
            for row in row_ids(param, world.a.council):
                assert any(f"/{row}/" in url for url in urls), (pattern.label, param, row, urls)


# --- what the guards must not take away ---------------------------------------------------------------------


def _guarded_views(world):
    """Views that showed A's content to B's editor before the guards: (URL, what of A they show)."""
    a = world.a
    page_ids = "&".join(f"id={page.pk}" for page in a.pages if page.pk != a.council.pk)
    tag = a.documents[0].tags.names()[0]
    return [
        (reverse("wagtaildocs_chooser:chosen", args=[a.documents[1].pk]), a.documents[1].title),
        (reverse("wagtailimages_chooser:chosen", args=[a.images[1].pk]), a.images[1].title),
        (reverse("wagtailadmin_choose_page_chosen_multiple") + f"?id={a.pages[1].pk}", a.pages[1].title),
        (
            reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"]) + "?" + page_ids,
            a.pages[1].title,
        ),
        (
            reverse("wagtail_bulk_action", args=[*_model_key(get_document_model()), "delete"])
            + f"?id={a.documents[1].pk}",
            a.documents[1].title,
        ),
        (reverse("wagtailadmin_api:documents:listing"), a.documents[0].title),
        (reverse("wagtailadmin_api:images:detail", args=[a.images[0].pk]), a.images[0].title),
        (reverse("wagtailadmin_tag_autocomplete") + f"?term={tag[:6]}", tag),
        (reverse("wagtaildocs:index"), tag),
        (reverse("wagtailimages:index"), tag),
        (reverse("wagtailimages_chooser:choose"), tag),
        (
            reverse("wagtailadmin_pages:revisions_view", args=[a.draft.pk, a.draft.latest_revision_id]),
            "Brouillon",
        ),
        # Not a guard's work but the organisers' own check: A's registrants, shown to A's organisers.
        (reverse("events_admin:registrations", args=[a.event.pk]), a.registrations[0].name),
        (reverse("events_admin:export", args=[a.event.pk]), a.registrations[0].email),
    ]


def _model_key(model):
    return model._meta.app_label, model._meta.model_name


@pytest.mark.parametrize("role", ["editor_a", "city_staff"])
def test_the_guarded_views_still_show_a_to_its_editor_and_to_the_city_team(world, db, role):
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    failures = []
    for url, expected in _guarded_views(world):
        response = client.get(url)
        if response.status_code != 200 or expected.lower().encode() not in _body(response).lower():
            failures.append(f"{url}: {response.status_code}, {expected!r} not shown")
    assert not failures, "\n".join(failures)
