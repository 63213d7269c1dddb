"""Privacy, by construction: every public route × private content × each role.

Council A holds private things whose titles and file names carry the word "Cormoran": a members-only
page, a members-only meeting, a members-only event, a members-only news post and its tag, a document and
an image in its private collection, a public page that shows the private document and image through its
blocks and rich text, the people registered to its public event (their names, emails and organisations
are private to the organisers), council-level proposals put to the members' vote ("Vote Cormoran",
"Résolution Cormoran") with votes, attendance records and a check-in code for a session, random groups,
a sortition draw (its candidates' names), and the names of members who did not consent to the public list.

Inside A, the working group "Groupe Cormoran" holds its own page, a child page, a meeting, a document and
an image in the group's private collection, and a proposals page with "Proposition Cormoran" and a vote:
only the group's members, A's editors and the city's team open them — not A's other members.

Every public route of the site (`tests.routes.public_routes_with_pages`: every live page and its
sub-routes, feeds and calendars included, and every non-admin URL pattern) is requested with its
parameters filled with those private things (`tests.routes.RouteFiller`, by the parameters' names) and
with `?q=cormoran`, by an anonymous reader, another council's member, another council's editor — none of
them may read anything private of A in the answer (body or headers), nor get the private files' bytes —
and by a member of A outside the working group, who may not read anything of the group. Controls: A's
member reads A's members-only page and vote; the group's member, A's editor and the city's team read the
group. The outbox: no email to someone without access names a private thing.
"""

from datetime import timedelta
from urllib.parse import quote

from django.core import mail
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import PageViewRestriction

import pytest

from attendance.models import CheckInCode
from blog.factories import BlogPageFactory
from blog.models import BlogIndexPage
from councils.factories import UserFactory
from councils.membership import College, Membership
from councils.services import council_add_editor, council_add_member
from councils.tests.worlds import two_councils_build
from documents.services import document_create
from events.factories import EventPageFactory, RegistrationEventFactory, RegistrationFactory
from events.tests.helpers import meeting_make_private, meeting_publish
from home.models import StandardPage
from newsletter.factories import NewsletterIssueFactory, SubscriberFactory, city_list, council_list
from newsletter.models import IssueStatus, NewsletterIssue
from tests.routes import RouteFiller, public_routes_with_pages

SECRET = "cormoran"
CHECK_IN_CODE = "CORMORAN42"
GROUP_CHECK_IN_CODE = "CORMORAN43"
# What would betray A's private things to someone outside A (the reader's own query, echoed back, is no
# leak).
COUNCIL_LEAKS = (
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
    "vote cormoran",
    "résolution cormoran",
    "texte cormoran",
    "adhérente cormoran",
    "mouette cormoran",
)
# What would betray the working group (or what only A's editors hold) to anyone outside it, A's other
# members included.
GROUP_LEAKS = (
    "groupe cormoran",
    "groupe-cormoran",
    "atelier cormoran",
    "atelier-cormoran",
    "réunion cormoran",
    "dossier cormoran",
    "cormoran-dossier",
    "plan cormoran",
    "cormoran-plan",
    "proposition cormoran",
    "motif cormoran",
    "candidat cormoran",
    "tirage cormoran",
    CHECK_IN_CODE.lower(),
    GROUP_CHECK_IN_CODE.lower(),
)
OUTSIDERS = ("anonymous", "another council's member", "another council's editor")
A_MEMBER_OUTSIDE_THE_GROUP = "a member of council A outside the working group"


def _standard_page(parent, title, slug, body=()):
    page = StandardPage(title=title, slug=slug, intro="", body=list(body))
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _named(user, first_name, last_name):
    user.first_name, user.last_name = first_name, last_name
    user.save(update_fields=["first_name", "last_name"])
    return user


def _proposal_index(parent):
    """The proposals page of a council or working group, as `participation` makes it (restricted by its
    own provisioning, not by this test)."""
    from participation.factories import ProposalIndexPageFactory

    index = ProposalIndexPageFactory(parent=parent)
    index.save_revision().publish()
    return type(index).objects.get(pk=index.pk)


def _working_group(council, title, members):
    from councils.factories import working_group_create

    return working_group_create(council, title, members=members)


def _participation(council, group, *, member_a, wg_member, editor):
    """A's proposals (council-level, members only) and the group's, with votes."""
    from participation.factories import ProposalFactory, VoteFactory

    now = timezone.now()
    council_index = _proposal_index(council)
    group_index = _proposal_index(group)
    window = {"vote_opens_at": now - timedelta(days=1), "vote_closes_at": now + timedelta(days=3)}
    vote = ProposalFactory(
        index=council_index,
        title="Vote Cormoran",
        body="Texte Cormoran : un jardin partagé.",
        author=member_a,
        **window,
    )
    resolution = ProposalFactory(
        index=council_index,
        kind="resolution",
        title="Résolution Cormoran",
        body="Texte Cormoran adopté.",
        vote_opens_at=now - timedelta(days=10),
        vote_closes_at=now - timedelta(days=2),
    )
    hidden = ProposalFactory(
        index=council_index,
        title="Proposition Cormoran masquée",
        body="Texte Cormoran masqué.",
        hidden_at=now,
        hidden_reason="Motif Cormoran",
        hidden_by=editor,
        **window,
    )
    in_group = ProposalFactory(
        index=group_index,
        title="Proposition Cormoran",
        body="Un texte du groupe.",
        author=wg_member,
        **window,
    )
    votes = [
        VoteFactory(proposal=vote, voter=member_a, choice="for"),
        VoteFactory(proposal=vote, voter=wg_member, choice="against"),
        VoteFactory(proposal=resolution, voter=member_a, choice="for"),
        VoteFactory(proposal=in_group, voter=wg_member, choice="abstain"),
    ]
    return {"indexes": [council_index, group_index], "proposals": [vote, resolution, hidden, in_group]}, votes


def _attendance(meeting, *, members, editor):
    from attendance.models import Attendance, CheckInCode, GroupAssignment, GroupDraw

    now = timezone.now()
    records = [
        Attendance.objects.create(meeting=meeting, member=member, status="present", method="code")
        for member in members
    ]
    code = CheckInCode.objects.create(
        meeting=meeting,
        code=CHECK_IN_CODE,
        valid_from=now - timedelta(hours=1),
        valid_until=now + timedelta(hours=2),
        created_by=editor,
    )
    draw = GroupDraw.objects.create(meeting=meeting, group_count=2, seed="graine", algorithm="balanced-v1")
    assignments = [
        GroupAssignment.objects.create(draw=draw, member=member, group_number=number + 1)
        for number, member in enumerate(members)
    ]
    return [*records, code, draw, *assignments]


def _sortition(council, editor):
    from sortition.models import SortitionDraw

    return SortitionDraw.objects.create(
        council=council,
        title="Tirage Cormoran",
        panel_size=1,
        candidates_csv="id,name,email,gender\nc1,Candidat Cormoran,candidat-cormoran@example.org,F\n",
        quotas_csv="category,name,min,max\ngender,F,1,1\n",
        seed=1234,
        status="done",
        selected_ids=["c1"],
        report="Candidat Cormoran tiré.",
        created_by=editor,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        built = two_councils_build()
        council_a, council_b = built["council_a"], built["council_b"]
        editor_a, member_a, city_staff = built["editor_a"], built["member_a"], built["city_staff"]
        members_a = council_a.access.members_group
        member_b = UserFactory(username="membre-biollay")
        council_add_member(council=council_b, user=member_b)
        editor_b = UserFactory(username="editeur-biollay")
        council_add_editor(council=council_b, user=editor_b)
        # A's members: a college, names private unless they consent to the public list.
        college = College.objects.create(council=council_a, name="Collège des habitants")
        _named(member_a, "Adhérente", "Cormoran")
        wg_member = _named(UserFactory(username="membre-groupe"), "Mouette", "Cormoran")
        council_add_member(council=council_a, user=wg_member, college=college)
        listed = _named(UserFactory(username="membre-publique"), "Camille", "Publique")
        council_add_member(council=council_a, user=listed, college=college)
        Membership.objects.filter(user=listed).update(listed_publicly=True)
        council_a.members_list_public = True
        council_a.attendance_chart_public = True
        council_a.save_revision().publish()
        council_a.refresh_from_db()

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
        # A page behind a shared password: Wagtail answers its form at the page's own address.
        password_page = _standard_page(council_a, "Dossier Cormoran", "dossier-protege")
        password_page.search_description = "Négociation Cormoran"
        password_page.save_revision().publish()
        PageViewRestriction.objects.create(
            page=password_page, restriction_type=PageViewRestriction.PASSWORD, password="cormoran-mdp"
        )
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

        # The working group: its page, a child page, a meeting, a document and an image of its own.
        group = _working_group(council_a, "Groupe Cormoran", [wg_member])
        group_access = group.access
        group_page = _standard_page(group, "Atelier Cormoran", "atelier-cormoran")
        group_meeting = meeting_publish(group, title="Réunion Cormoran", start=soon + timedelta(days=2))
        group_document = document_create(
            title="Dossier Cormoran",
            file=ContentFile(b"%PDF-1.4 dossier du groupe", name="cormoran-dossier.pdf"),
            collection=group_access.collection,
            kind="report",
        )
        group_image = get_image_model().objects.create(
            title="Plan Cormoran",
            collection=group_access.collection,
            file=get_test_image_file(filename="cormoran-plan.png", colour="red"),
        )
        participation, votes = _participation(
            council_a, group, member_a=member_a, wg_member=wg_member, editor=editor_a
        )
        attendance = _attendance(private_meeting, members=[member_a, wg_member], editor=editor_a)
        # The group's own session, open for check-in now: only the group's members are offered it.
        attendance.append(
            CheckInCode.objects.create(
                meeting=group_meeting,
                code=GROUP_CHECK_IN_CODE,
                valid_from=timezone.now() - timedelta(hours=1),
                valid_until=timezone.now() + timedelta(hours=2),
                created_by=editor_a,
            )
        )
        draw = _sortition(council_a, editor_a)
        # The newsletter: a reader's address, and a sent issue whose blocks point at A's private things
        # (the admin refuses them; written directly, as a page made private after saving would leave them).
        subscriber = SubscriberFactory(
            email="lecteur-cormoran@example.org", lists=[city_list(), council_list(council_a)]
        )
        issue = NewsletterIssueFactory(
            subject="Lettre publique", lists=[city_list(), council_list(council_a)]
        )
        issue.intro = f'<p>Voir <a linktype="page" id="{members_page.pk}">ce lien</a>.</p>'
        issue.body = [
            {"type": "page", "value": {"page": members_page.pk, "text": ""}},
            {"type": "page", "value": {"page": group_page.pk, "text": ""}},
            {"type": "document", "value": {"document": document.pk, "label": ""}},
            {"type": "image", "value": {"image": image.pk, "decorative": False, "alt_text": "Une vue"}},
        ]
        issue.save()
        NewsletterIssue.objects.filter(pk=issue.pk).update(
            status=IssueStatus.SENT, send_requested_at=timezone.now(), sent_at=timezone.now()
        )

        rendition = image.get_rendition("width-800")
        group_rendition = group_image.get_rendition("width-800")
        image_url_parts = rendition.url.rstrip("/").split("/")
        values = {
            "_0": [document.pk, group_document.pk],
            "_1": [document.filename, group_document.filename],
            "document_id": [document.pk, group_document.pk],
            "document_filename": [document.filename, group_document.filename],
            "image_id": [image.pk, group_image.pk],
            "filter_spec": "width-800",
            "filename": [image_url_parts[-1], group_rendition.url.rstrip("/").split("/")[-1]],
            "page_id": [members_page.pk, group.pk, group_page.pk],
            "page_view_restriction_id": [
                restriction.pk,
                *PageViewRestriction.objects.filter(page=group).values_list("pk", flat=True),
            ],
            "restriction_id": [
                council_a.access.private_collection.get_view_restrictions().first().pk,
                *group_access.collection.get_view_restrictions().values_list("pk", flat=True),
            ],
            "year": str(soon.year),
            "month": str(soon.month),
            "tag_slug": "cormoran-secret",
            # Secrets handed to one person (an invitation, a registration's link, a reset): a reader
            # without them can only guess.
            "token": "jeton-devine",
            "uidb64": "MQ",
        }
        pages = [
            members_page,
            password_page,
            private_meeting,
            private_event,
            private_post,
            group,
            group_page,
            group_meeting,
            *participation["indexes"],
        ]
        rows = [
            *pages,
            *participation["proposals"],
            *votes,
            *attendance,
            draw,
            college,
            *Membership.objects.filter(council=council_a),
            group_access,
            document,
            group_document,
            image,
            group_image,
            issue,
            subscriber,
        ]
        yield {
            "filler": RouteFiller(values, rows),
            "readers": {
                "anonymous": None,
                "another council's member": member_b,
                "another council's editor": editor_b,
                A_MEMBER_OUTSIDE_THE_GROUP: member_a,
            },
            "member_a": member_a,
            "editor_a": editor_a,
            "city_staff": city_staff,
            "wg_member": wg_member,
            "members_page": members_page,
            "council_a": council_a,
            "group": group,
            "group_page": group_page,
            "group_meeting": group_meeting,
            "group_document": group_document,
            "group_rendition_url": group_rendition.url,
            "proposals": participation["proposals"],
            "indexes": participation["indexes"],
            "document": document,
            "rendition_url": rendition.url,
            "council_files": (document.file.read(), rendition.file.read()),
            "group_files": (group_document.file.read(), group_rendition.file.read()),
        }
        transaction.set_rollback(True)


@pytest.fixture
def routes(world):
    """Every public route, read under the test's urlconf, with the page a sub-route belongs to."""
    return public_routes_with_pages()


def _reader_client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _text(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return body, headers


def _forbidden(reader):
    """What the reader may not read: words, and file bytes."""
    if reader == A_MEMBER_OUTSIDE_THE_GROUP:
        return GROUP_LEAKS, "group_files"
    return COUNCIL_LEAKS + GROUP_LEAKS, "all_files"


def test_the_sweep_covers_every_kind_of_public_route(world, routes, db):
    templates = [template for template, _params, _page in routes]
    for expected in (
        "/recherche/",
        "calendrier/",
        "/documents/",
        "/conseils/centre/espace-membres/",
        "/conseils/centre/groupes/groupe-cormoran/",
        "/conseils/centre/groupes/groupe-cormoran/atelier-cormoran/",
        "/conseils/centre/propositions/",
        "/conseils/centre/groupes/groupe-cormoran/propositions/",
        "/conseils/centre/propositions/%(proposal_id)s/",
        "/conseils/centre/membres/",
        "/mon-espace/",
        "/emargement/",
    ):
        assert any(expected in t for t in templates), (expected, templates)
    assert len(templates) >= 30


def test_every_route_parameter_is_filled_with_the_private_world(world, routes, db):
    """No parameter is left to a default that names nothing: each takes A's private ids, codes, slugs —
    a new sub-route (`propositions/<int:proposal_id>/`) or URL pattern is filled without editing this."""
    filler = world["filler"]
    unfilled = sorted(
        {(template, param) for template, params, page in routes for param in filler.unfilled(params, page)}
    )
    assert unfilled == []
    proposal_ids = {str(p.pk) for p in world["proposals"]}
    for template, params, page in routes:
        for param in params:
            if "proposal" in param:
                assert proposal_ids <= set(filler.candidates(param, page)), (template, param)


def _sweep(client, world, routes, reader):
    words, files = _forbidden(reader)
    secret_files = world["group_files"] + (world["council_files"] if files == "all_files" else ())
    leaks, requests = [], 0
    for template, params, page in routes:
        for path in world["filler"].paths(template, params, page):
            for query in ("", f"q={SECRET}"):
                response = client.get(path, QUERY_STRING=query)
                requests += 1
                body, headers = _text(response)
                text = (body.decode("utf-8", "replace") + headers).lower()
                # The address the reader asked for, echoed back (a "next" parameter), is no leak.
                for echo in (path, quote(path), quote(path, safe="")):
                    text = text.replace(echo.lower(), "")
                leaks += [(path, query, response.status_code, leak) for leak in words if leak in text]
                if response.status_code == 200 and any(secret in body for secret in secret_files):
                    leaks.append((path, query, response.status_code, "file bytes"))
    return leaks, requests


@pytest.mark.parametrize("reader", [*OUTSIDERS, A_MEMBER_OUTSIDE_THE_GROUP])
def test_no_public_route_shows_anything_private_to_a_reader_without_access(world, routes, db, reader):
    client = _reader_client(world["readers"][reader])
    leaks, requests = _sweep(client, world, routes, reader)
    print(f"{reader}: {requests} requests")
    assert leaks == [], "\n".join(map(str, leaks))
    assert requests > 2 * len(routes)


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
    assert b"".join(document.streaming_content) == world["council_files"][0]
    rendition = client.get(world["rendition_url"])
    assert rendition.status_code == 200
    proposals = client.get(world["indexes"][0].url)
    assert proposals.status_code == 200
    assert "Vote Cormoran" in proposals.content.decode()


def test_a_member_of_the_council_outside_the_group_opens_none_of_it(world, db):
    client = _reader_client(world["member_a"])
    assert client.get(world["members_page"].url).status_code == 200  # the council's members-only page
    for url in (
        world["group"].url,
        world["group_page"].url,
        world["group_meeting"].url,
        world["indexes"][1].url,
        world["group_document"].url,
        world["group_rendition_url"],
    ):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), (url, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/connexion/"), url


@pytest.mark.parametrize("reader", ["wg_member", "editor_a", "city_staff"])
def test_the_groups_member_and_the_councils_editor_read_the_group(world, db, reader):
    client = _reader_client(world[reader])
    for url, text in (
        (world["group"].url, "Groupe Cormoran"),
        (world["group_page"].url, "Atelier Cormoran"),
        (world["group_meeting"].url, "Réunion Cormoran"),
        (world["indexes"][1].url, "Proposition Cormoran"),
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert text in response.content.decode(), (url, text)
    document = client.get(world["group_document"].url)
    assert document.status_code == 200
    assert b"".join(document.streaming_content) == world["group_files"][0]
    assert client.get(world["group_rendition_url"]).status_code == 200


def _people_with_access(world):
    """{email: "group" | "council"}: who may read the group's things, who may read A's."""
    people = {user.email: "group" for user in (world["wg_member"], world["editor_a"], world["city_staff"])}
    people[world["member_a"].email] = "council"
    return people


def test_no_email_to_someone_without_access_names_a_private_thing(world, db):
    """Every email the world and a few sign-in flows queued: to someone outside A it names nothing of A,
    to A's member outside the group nothing of the group."""
    from jobs.models import OutboundEmail

    client = Client()
    for email in ("membre-biollay@example.org", world["member_a"].email, world["wg_member"].email):
        client.post("/mot-de-passe/", {"email": email})
    people = _people_with_access(world)
    emails = [(e.to, e.subject, e.body_text + e.body_html) for e in OutboundEmail.objects.all()]
    emails += [(", ".join(m.to), m.subject, m.body) for m in mail.outbox]
    assert emails, "the flows above send emails"
    leaks = []
    for to, subject, body in emails:
        access = people.get(to)
        if access == "group":
            continue
        words = GROUP_LEAKS if access == "council" else COUNCIL_LEAKS + GROUP_LEAKS
        text = (subject + body).lower()
        leaks += [(to, subject, word) for word in words if word in text]
    assert leaks == [], "\n".join(map(str, leaks))


def test_the_public_list_of_members_names_only_those_who_agreed(world, db):
    """Control for the sweep's "adhérente/mouette cormoran": the list is there, and names who consented."""
    response = Client().get(world["council_a"].url + "membres/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Camille" in html and "Publique" in html
    assert "Cormoran" not in html


def test_the_groups_member_is_offered_the_groups_session_to_check_in(world, db):
    """Control for the sweep's "réunion cormoran" on `/emargement/` and "Mon espace": the group's session
    open for check-in is offered to the group's member (and to no one else, by the sweep)."""
    client = _reader_client(world["wg_member"])
    assert "Réunion Cormoran" in client.get("/emargement/").content.decode()
    assert "Réunion Cormoran" in client.get("/mon-espace/").content.decode()
