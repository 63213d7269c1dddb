"""The demo's participation: the citizen assembly as a working body, and a working group.

Modelled on the 2023 citizen assembly of Nancy (130 members in three colleges, eight sessions — the first
online, one hybrid —, random working groups, votes of confidence, three resolutions voted in plenary, a
20 € allowance per attended session, attendance falling from 130 to about fifty, seventy on average, the
volunteers and the workshop representatives more regular than the people drawn by lot). `seed_demo` calls
`ParticipationSeeder(seeder).run()` once the councils, their sessions and the demo accounts exist.

Everything goes through the apps' services (`council_add_member`, `attendance_record`, `groups_draw`,
`proposal_submit`, `resolution_create`, `working_group_create`…); only ballots of past sessions are written
as rows in bulk (the voting service refuses a closed window, rightly). Idempotent: each part is looked up
first (by username, title, session) and skipped when present, so a second run adds nothing. Randomness
comes from generators seeded with fixed strings, so every run draws the same people and the same ballots.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.text import slugify

from attendance.models import Attendance, AttendanceMethod, AttendanceStatus, CheckInCode, GroupDraw
from attendance.services import attendance_record, check_in_code_create, council_sessions, groups_draw
from councils.membership import College, Membership, MembershipRole, Position
from councils.models import CouncilKind, CouncilPage, WorkingGroupPage
from councils.services import council_add_editor, council_add_member, council_create
from councils.working_groups import working_group_create
from documents.models import DocumentIndexPage
from home import demo_content as content
from home.demo_people import people
from home.models import StandardPage
from meetings.models import MeetingIndexPage, MeetingPage, MeetingStatus, MinutesStatus
from participation.models import Proposal, ProposalIndexPage, Vote, VoteChoice
from participation.services import proposal_hide, proposal_submit, proposal_window_set, resolution_create

SEED = "parvis-demo-2026"
ALLOWANCE = Decimal("20.00")
QUORUM_PERCENT = 30
MANDATE_LEAD_DAYS = 21  # mandates start three weeks before the first session

# The three colleges: name, description, drawn by lot, number of members, regularity (how likely a
# member keeps coming: the source found volunteers and workshop representatives the most regular).
COLLEGES = [
    ("Volontaires", "Habitantes et habitants qui ont répondu à l’appel à participation.", False, 50, 1.0),
    ("Tirés au sort", "Personnes tirées au sort sur les listes électorales.", True, 50, 0.7),
    (
        "Représentants des ateliers de vie de quartier",
        "Un ou deux représentants par atelier de vie de quartier.",
        False,
        30,
        1.1,
    ),
]
VOLUNTEERS, DRAWN, WORKSHOPS = range(3)

GROUPS_SESSION = 1  # the second session (index in the held sessions)
GROUPS_COUNT = 9
GROUPS_SEED = "assemblee-seance-2"
RESOLUTIONS_SESSION = 3  # the fourth, hybrid session

# Votes of confidence at the second session: (title, text, share for, share against).
CONFIDENCE_PROPOSALS = [
    (
        "Ouvrir les conseils de quartier dès 16 ans",
        "Permettre aux jeunes de 16 et 17 ans de siéger dans les conseils de quartier, avec voix "
        "délibérative.",
        0.72,
        0.18,
    ),
    (
        "Publier chaque année le bilan de chaque instance",
        "Chaque conseil, l’assemblée et le budget participatif publient un bilan annuel : réunions "
        "tenues, participation, suites données par la ville.",
        0.91,
        0.03,
    ),
    (
        "Tirer au sort une partie des conseils de quartier",
        "Réserver un tiers des places de chaque conseil de quartier à des habitants tirés au sort.",
        0.41,
        0.44,
    ),
    (
        "Garde d’enfants pendant les séances",
        "Proposer une garde d’enfants gratuite pendant les séances du samedi.",
        0.84,
        0.06,
    ),
    (
        "Un droit d’interpellation du conseil municipal",
        "Une question signée par 300 habitants est inscrite à l’ordre du jour du conseil municipal suivant.",
        0.77,
        0.12,
    ),
    (
        "Des comptes rendus faciles à lire",
        "Publier une version en « facile à lire et à comprendre » de chaque compte rendu.",
        0.8,
        0.05,
    ),
    (
        "Voter le budget participatif en ligne et sur papier",
        "Ouvrir le vote du budget participatif en ligne et dans les mairies de quartier, sur deux semaines.",
        0.86,
        0.07,
    ),
]

# The three resolutions voted in plenary at the fourth session, with the five priority zones.
RESOLUTIONS = [
    (
        "Résolution 1 — Partager l’espace entre piétons, vélos et voitures",
        "Donner la priorité aux piétons dans la vieille ville et sur les quais ; zones prioritaires : place "
        "de la Fontaine, quai des Tanneurs.",
        0.78,
        0.12,
    ),
    (
        "Résolution 2 — Des lieux de rencontre ombragés dans chaque quartier",
        "Des bancs, de l’ombre et des fontaines à moins de cinq minutes à pied de chaque logement ; zones "
        "prioritaires : parc du Verger, avenue du Lac, faubourg Saint-Jean.",
        0.88,
        0.04,
    ),
    (
        "Résolution 3 — Associer les habitants à chaque réaménagement",
        "Chaque projet d’aménagement de l’espace public fait l’objet d’une concertation avec les riverains "
        "avant le choix du projet.",
        0.69,
        0.17,
    ),
]

OPEN_PROPOSAL = (
    "Des toilettes publiques gratuites près des aires de jeux",
    "Installer des toilettes publiques gratuites et accessibles près des trois grandes aires de jeux de la "
    "ville, ouvertes de 8 h à 20 h.",
)
HIDDEN_PROPOSAL = (
    "Vente de calendriers au profit de notre association",
    "Nous vendons nos calendriers 10 € pièce, contactez-nous.",
    "Annonce sans lien avec les travaux de l’assemblée.",
)

WORKING_GROUP = {
    "council": "centre",
    "title": "Groupe mobilités",
    "intro": (
        "Le groupe prépare les propositions du conseil pour apaiser la circulation dans la vieille ville : "
        "comptages, plan de circulation, zone de rencontre rue du Marché."
    ),
    "members": 7,  # made-up members of the council, besides the demo participant
    "page": {
        "slug": "feuille-de-route",
        "title": "Feuille de route du groupe",
        "intro": "Ce que le groupe s’est fixé d’ici l’été.",
        "body": [
            ("h2", "Nos trois chantiers"),
            (
                "p",
                "<ul><li>compter les passages rue du Marché, à pied, à vélo et en voiture&nbsp;;</li>"
                "<li>proposer un plan de circulation pour la vieille ville&nbsp;;</li>"
                "<li>tester une zone de rencontre un samedi par mois.</li></ul>",
            ),
            ("h2", "Entre nous"),
            (
                "p",
                "<p>Cette page et les documents du groupe ne sont visibles que par ses membres, les "
                "éditeurs du conseil et l’équipe communication de la ville.</p>",
            ),
        ],
    },
    "documents": [
        ("report", "Comptages rue du Marché — relevés bruts", "Relevés des trois samedis de comptage."),
        ("other", "Plan de circulation — pistes de travail", "Document de travail du groupe, non public."),
    ],
    "meetings": [
        (-12, "Réunion du groupe mobilités — comptages", "Bilan des comptages et premières pistes."),
        (
            9,
            "Réunion du groupe mobilités — plan de circulation",
            "Choisir les pistes à présenter au conseil.",
        ),
    ],
    "proposal": (
        "Tester une zone de rencontre rue du Marché",
        "Un samedi par mois, la rue du Marché passe en zone de rencontre (20 km/h, piétons prioritaires), "
        "pendant trois mois, avant un bilan avec les riverains et les commerçants.",
    ),
}


def _rng(*parts):
    return random.Random(":".join(str(part) for part in (SEED, *parts)))  # noqa: S311 - demo data


class ParticipationSeeder:
    """Builds on a `DemoSeeder` (its today, log, accounts and documents helpers)."""

    def __init__(self, seeder):
        self.seeder = seeder
        self.log = seeder.log
        self.now = timezone.now()
        self._unusable = None
        self._mandates = {}  # {council id: {user id: open mandate}}

    def run(self):
        assembly = self.assembly()
        sessions = list(council_sessions(council=assembly).live())
        held = [s for s in sessions if s.end <= self.now][:8]
        upcoming = [s for s in sessions if s.start > self.now]
        start = (timezone.localtime(held[0].start).date() if held else self.seeder.today) - timedelta(
            days=MANDATE_LEAD_DAYS
        )
        colleges = self.colleges(assembly)
        secretary = self.assembly_members(assembly, colleges, start)
        self.attendance(assembly, held, secretary)
        self.random_groups(held, secretary)
        self.votes(assembly, held, secretary)
        self.check_in_code(upcoming, secretary)
        self.working_group()

    def random_groups(self, held, secretary):
        """The second session worked in random groups balanced across colleges; the seed is recorded."""
        if len(held) <= GROUPS_SESSION or GroupDraw.objects.filter(meeting=held[GROUPS_SESSION]).exists():
            return
        session = held[GROUPS_SESSION]
        draw = groups_draw(meeting=session, group_count=GROUPS_COUNT, seed=GROUPS_SEED, by=secretary)
        GroupDraw.objects.filter(pk=draw.pk).update(created_at=session.start)

    def check_in_code(self, upcoming, secretary):
        """The next meeting's code, valid from now (not an hour before it) so that the demo can check in."""
        if upcoming and not CheckInCode.objects.filter(meeting=upcoming[0]).exists():
            check_in_code_create(
                meeting=upcoming[0],
                by=secretary,
                valid_from=self.now - timedelta(hours=1),
                valid_until=upcoming[0].end + timedelta(hours=1),
            )

    def day_at(self, days, hour):
        """A round local time `days` from today (voting windows read better than "until 4 h 21")."""
        return self.seeder.at(self.seeder.today + timedelta(days=days), hour)

    # -- The assembly, its settings and colleges ---------------------------------------------------

    def assembly(self):
        """The demo's citizen assembly (the content's), else any assembly, else a new one."""
        assemblies = CouncilPage.objects.filter(kind=CouncilKind.ASSEMBLY, is_sandbox=False)
        assembly = assemblies.filter(slug="assemblee").first() or assemblies.order_by("pk").first()
        if assembly is None:
            index = self.seeder.council_index()
            # Provisioned, with its sections (meetings, documents, news), by the service.
            assembly = council_create(
                parent=index, title="Assemblée citoyenne", slug="assemblee", kind=CouncilKind.ASSEMBLY
            )
        wanted = {
            "members_list_public": True,
            "attendance_chart_public": True,
            "allowance_per_session": ALLOWANCE,
            "vote_results_live": False,
            "vote_quorum_percent": QUORUM_PERCENT,
        }
        changed = {field: value for field, value in wanted.items() if getattr(assembly, field) != value}
        if changed:
            for field, value in changed.items():
                setattr(assembly, field, value)
            assembly.save_revision().publish()
        return assembly

    def colleges(self, assembly):
        colleges = []
        for order, (name, description, drawn, _size, _regularity) in enumerate(COLLEGES):
            college, _created = College.objects.get_or_create(
                council=assembly,
                name=name,
                defaults={"description": description, "drawn_by_lot": drawn, "sort_order": order},
            )
            colleges.append(college)
        return colleges

    # -- People ----------------------------------------------------------------------------------------

    def unusable_password(self):
        # Made-up members never sign in: an unusable password (no hashing, so no cost).
        if self._unusable is None:
            self._unusable = make_password(None)
        return self._unusable

    def made_up_users(self, persons):
        """The accounts of made-up people, created in one query when missing; {username: user}."""
        user_model = get_user_model()
        usernames = [person.username for person in persons]
        existing = set(user_model.objects.filter(username__in=usernames).values_list("username", flat=True))
        user_model.objects.bulk_create(
            [
                user_model(
                    username=person.username,
                    email=person.email,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    password=self.unusable_password(),
                )
                for person in persons
                if person.username not in existing
            ]
        )
        return user_model.objects.in_bulk(usernames, field_name="username")

    def mandate(self, council, user, *, college=None, position=None, started_on=None, editor=False):
        """An open mandate through the councils' services, only when missing or different (the open
        mandates of the council are read once)."""
        if council.pk not in self._mandates:
            self._mandates[council.pk] = {
                m.user_id: m for m in Membership.objects.filter(council=council).open()
            }
        current = self._mandates[council.pk].get(user.pk)
        if (
            current is not None
            and (college is None or current.college_id == college.pk)
            and (position is None or current.position == position)
            and (not editor or current.role == MembershipRole.EDITOR)
        ):
            return current
        add = council_add_editor if editor else council_add_member
        membership = add(
            council=council, user=user, college=college, position=position, started_on=started_on
        )
        self._mandates[council.pk][user.pk] = membership
        return membership

    def participant(self):
        spec = content.PARTICIPANT
        return self.seeder.user(spec["username"], first_name=spec["first_name"], last_name=spec["last_name"])

    def assembly_members(self, assembly, colleges, start):
        """About 130 members over the three colleges: the made-up people and the demo accounts (the
        assembly's editor is its secretary). Returns the secretary."""
        user_model = get_user_model()
        names = content.council_usernames(assembly.slug)
        secretary = user_model.objects.filter(username=names["editor"]).first()
        demo_member = user_model.objects.filter(username=names["member"]).first()
        featured = {VOLUNTEERS: secretary, DRAWN: demo_member, WORKSHOPS: self.participant()}
        persons = people(
            sum(size for *_rest, size, _regularity in COLLEGES) - sum(1 for u in featured.values() if u),
            seed=f"{SEED}:assemblee",
            taken=[u.username for u in featured.values() if u],
        )
        users = self.made_up_users(persons)
        new = not Membership.objects.filter(council=assembly, user__in=users.values()).exists()
        position = 0
        for index, (*_rest, size, _regularity) in enumerate(COLLEGES):
            count = size - (1 if featured[index] else 0)
            for person in persons[position : position + count]:
                self.mandate(assembly, users[person.username], college=colleges[index], started_on=start)
            position += count
        president = users[persons[0].username]
        self.mandate(assembly, president, college=colleges[VOLUNTEERS], position=Position.PRESIDENT)
        if secretary is not None:
            self.mandate(
                assembly, secretary, college=colleges[VOLUNTEERS], position=Position.SECRETARY, editor=True
            )
        for index in (DRAWN, WORKSHOPS):
            if featured[index] is not None:
                self.mandate(assembly, featured[index], college=colleges[index], started_on=start)
        # The demo accounts were made members on the day they were created: their mandates, like
        # everyone's, run from before the first session.
        Membership.objects.filter(council=assembly, started_on__gt=start).open().update(started_on=start)
        if new:
            # About six in ten consented to appear in the public list of members.
            consenting = [
                users[p.username].pk for p in persons if _rng("liste", p.username).random() < 0.6
            ] + [u.pk for u in (secretary, featured[WORKSHOPS]) if u]
            Membership.objects.filter(council=assembly, user_id__in=consenting).update(listed_publicly=True)
        return secretary

    # -- Attendance ------------------------------------------------------------------------------------

    def attendance(self, assembly, held, secretary):
        """Who came to each held session: the meeting's `attendee_count` people present, chosen by an
        engagement score (college regularity × a seeded draw, plus noise per session) so that the regular
        colleges hold up better; some of the others excused, the rest absent."""
        memberships = list(
            Membership.objects.open()
            .filter(council=assembly)
            .select_related("user", "college")
            .order_by("user__username")
        )
        regularity = {name: value for name, *_rest, value in COLLEGES}
        fixed = {
            content.council_usernames(assembly.slug)["editor"]: 9.0,  # the secretary never misses one
            content.PARTICIPANT["username"]: 1.05,
            content.council_usernames(assembly.slug)["member"]: 0.3,
        }
        score = {
            m.user_id: fixed.get(
                m.user.username,
                _rng("engagement", m.user.username).random()
                * regularity.get(getattr(m.college, "name", ""), 1),
            )
            for m in memberships
        }
        for number, meeting in enumerate(held):
            if Attendance.objects.filter(meeting=meeting).exists():
                continue
            target = min(meeting.attendee_count or 0, len(memberships))
            noise = _rng("session", number)
            ranked = sorted(memberships, key=lambda m: score[m.user_id] + noise.gauss(0, 0.12), reverse=True)
            statuses = {}
            for rank, membership in enumerate(ranked):
                if rank < target:
                    statuses[membership.user_id] = AttendanceStatus.PRESENT
                elif noise.random() < 0.25:
                    statuses[membership.user_id] = AttendanceStatus.EXCUSED
                else:
                    statuses[membership.user_id] = AttendanceStatus.ABSENT
            attendance_record(meeting=meeting, statuses=statuses, by=secretary, council=assembly)
            records = Attendance.objects.filter(meeting=meeting)
            records.update(recorded_at=meeting.end)
            if number >= 4:
                # From the fifth session on, members checked in on their phone with the session's code.
                checked_in = [
                    r for r in records.filter(status=AttendanceStatus.PRESENT) if noise.random() < 0.45
                ]
                for record in checked_in:
                    record.method = AttendanceMethod.CODE
                    record.recorded_by_id = record.member_id
                    record.recorded_at = meeting.start + timedelta(minutes=noise.randint(-10, 25))
                Attendance.objects.bulk_update(checked_in, ["method", "recorded_by", "recorded_at"])

    # -- Proposals and votes ---------------------------------------------------------------------------

    def proposals_index(self, parent, intro):
        index = ProposalIndexPage.objects.child_of(parent).first()
        if index is None:
            index = ProposalIndexPage(title="Propositions", slug="propositions", intro=intro)
            parent.add_child(instance=index)
            index.save_revision().publish()
        return index

    def ballots(self, proposal, voters, *, share_for, share_against, at, key):
        """Ballots of `voters` (users), written in one query: each votes for, against or abstains with
        the proposal's shares (the people drawn by lot abstain a little more), a few do not vote."""
        colleges = dict(
            Membership.objects.filter(council_id=proposal.council_id, user__in=voters)
            .open()
            .values_list("user_id", "college__drawn_by_lot")
        )
        college_ids = dict(
            Membership.objects.filter(council_id=proposal.council_id, user__in=voters)
            .open()
            .values_list("user_id", "college_id")
        )
        rng = _rng("ballots", key)
        rows = []
        for voter in sorted(voters, key=lambda u: u.pk):
            draw = rng.random()
            if draw < 0.04:
                continue
            draw = rng.random() * (1.15 if colleges.get(voter.pk) else 1)
            choice = (
                VoteChoice.FOR
                if draw < share_for
                else VoteChoice.AGAINST
                if draw < share_for + share_against
                else VoteChoice.ABSTAIN
            )
            stamp = at + timedelta(seconds=rng.randint(0, 900))
            rows.append(
                Vote(
                    proposal=proposal,
                    voter=voter,
                    choice=choice,
                    college_id=college_ids.get(voter.pk),
                    cast_at=stamp,
                    changed_at=stamp,
                )
            )
        Vote.objects.bulk_create(rows)

    def present_at(self, meeting):
        user_model = get_user_model()
        return list(
            user_model.objects.filter(
                attendances__meeting=meeting, attendances__status=AttendanceStatus.PRESENT
            ).order_by("pk")
        )

    def proposal(self, index, *, title, body, author, created_at):
        proposal = proposal_submit(index=index, author=author, title=title, body=body)
        Proposal.objects.filter(pk=proposal.pk).update(created_at=created_at)
        return proposal

    def votes(self, assembly, held, secretary):
        index = self.proposals_index(
            assembly, "Les propositions des membres et les résolutions de l’assemblée, soumises au vote."
        )
        if secretary is None or Proposal.objects.filter(index=index).exists():
            return
        members = {
            m.user_id: m.user
            for m in Membership.objects.open()
            .filter(council=assembly)
            .select_related("user")
            .order_by("user__username")
        }
        authors = [u for u in members.values() if u.username.count(".") == 1]
        if len(held) > GROUPS_SESSION:
            session = held[GROUPS_SESSION]
            present = self.present_at(session)
            opens = session.end - timedelta(minutes=45)
            for number, (title, body, share_for, share_against) in enumerate(CONFIDENCE_PROPOSALS):
                proposal = self.proposal(
                    index,
                    title=title,
                    body=body,
                    author=authors[number * 7 % len(authors)],
                    created_at=opens - timedelta(minutes=30),
                )
                proposal = proposal_window_set(
                    proposal=proposal, opens_at=opens, closes_at=session.end, by=secretary
                )
                self.ballots(
                    proposal, present, share_for=share_for, share_against=share_against, at=opens, key=title
                )
        if len(held) > RESOLUTIONS_SESSION:
            session = held[RESOLUTIONS_SESSION]
            present = self.present_at(session)
            opens = session.end - timedelta(minutes=40)
            for title, body, share_for, share_against in RESOLUTIONS:
                resolution = resolution_create(
                    index=index,
                    by=secretary,
                    title=title,
                    body=body,
                    meeting=session,
                    opens_at=opens,
                    closes_at=session.end,
                )
                Proposal.objects.filter(pk=resolution.pk).update(created_at=opens - timedelta(minutes=20))
                self.ballots(
                    resolution, present, share_for=share_for, share_against=share_against, at=opens, key=title
                )
        # Open now: the demo accounts have not voted yet (about forty members have).
        title, body = OPEN_PROPOSAL
        proposal = self.proposal(
            index, title=title, body=body, author=authors[3], created_at=self.now - timedelta(days=3)
        )
        proposal_window_set(
            proposal=proposal,
            opens_at=self.day_at(-2, 8),
            closes_at=self.day_at(14, 20),
            by=secretary,
        )
        featured = {content.PARTICIPANT["username"], content.council_usernames(assembly.slug)["member"]}
        voters = [u for u in members.values() if u.username not in featured][::3]
        self.ballots(proposal, voters, share_for=0.7, share_against=0.15, at=self.day_at(-2, 9), key=title)
        title, body, reason = HIDDEN_PROPOSAL
        hidden = self.proposal(
            index, title=title, body=body, author=authors[11], created_at=self.now - timedelta(days=5)
        )
        proposal_hide(proposal=hidden, by=secretary, reason=reason)

    # -- A working group in a lively council -----------------------------------------------------------

    def working_group(self):
        spec = WORKING_GROUP
        council = CouncilPage.objects.filter(slug=spec["council"]).first()
        if council is None:
            return
        started = self.seeder.today - timedelta(days=300)
        participant = self.participant()
        self.mandate(council, participant, started_on=started)
        persons = people(spec["members"], seed=f"{SEED}:{council.slug}", taken=[participant.username])
        users = self.made_up_users(persons)
        for person in persons:
            self.mandate(council, users[person.username], started_on=started)
        working_group = WorkingGroupPage.objects.descendant_of(council).filter(title=spec["title"]).first()
        if working_group is None:
            working_group = working_group_create(
                council=council,
                title=spec["title"],
                intro=spec["intro"],
                members=[participant, *users.values()],
            )
            self.log(f"  groupe de travail créé : {working_group.title}")
        page = spec["page"]
        if not StandardPage.objects.child_of(working_group).filter(slug=page["slug"]).exists():
            child = StandardPage(
                slug=page["slug"],
                title=page["title"],
                intro=page["intro"],
                body=content.body_blocks(page["body"]),
                show_in_menus=True,
            )
            working_group.add_child(instance=child)
            child.save_revision().publish()
        self.working_group_documents(working_group, spec)
        self.working_group_meetings(working_group, spec, council)
        index = self.proposals_index(working_group, "Les propositions du groupe, votées par ses membres.")
        if not Proposal.objects.filter(index=index).exists():
            title, body = spec["proposal"]
            proposal = self.proposal(
                index,
                title=title,
                body=body,
                author=users[persons[0].username],
                created_at=self.now - timedelta(days=4),
            )
            editor = (
                get_user_model()
                .objects.filter(username=content.council_usernames(council.slug)["editor"])
                .first()
            )
            proposal_window_set(
                proposal=proposal,
                opens_at=self.day_at(-1, 9),
                closes_at=self.day_at(10, 20),
                by=editor,
            )
            self.ballots(
                proposal,
                list(users.values())[:4],
                share_for=0.8,
                share_against=0.1,
                at=self.day_at(-1, 10),
                key=title,
            )

    def working_group_documents(self, working_group, spec):
        if not DocumentIndexPage.objects.child_of(working_group).exists():
            index = DocumentIndexPage(
                title="Documents du groupe", slug="documents", intro="Réservés au groupe."
            )
            working_group.add_child(instance=index)
            index.save_revision().publish()
        collection = working_group.access.collection
        for kind, title, description in spec["documents"]:
            self.seeder.document(collection, kind, title, description, heading=working_group.title)

    def working_group_meetings(self, working_group, spec, council):
        index = MeetingIndexPage.objects.child_of(working_group).first()
        if index is None:
            index = MeetingIndexPage(title="Réunions du groupe", slug="reunions", intro="")
            working_group.add_child(instance=index)
            index.save_revision().publish()
        if MeetingPage.objects.child_of(index).exists():
            return
        place = {
            "place_name": "Maison des associations, salle 2",
            "place_address": "4 rue du Marché, 73999 Parvis-sur-Lac",
        }
        for days, title, summary in spec["meetings"]:
            day = self.seeder.today + timedelta(days=days)
            start = self.seeder.at(day, 18, 30)
            meeting = MeetingPage(
                title=title,
                slug=slugify(title)[:60],
                start=start,
                end=start + timedelta(minutes=90),
                summary=summary,
                **place,
            )
            if days < 0:
                meeting.status = MeetingStatus.HELD
                meeting.minutes = (
                    "<p>Trois samedis de comptage&nbsp;: deux passages sur trois se font à pied.</p>"
                )
                meeting.minutes_status = MinutesStatus.APPROVED
                meeting.minutes_approved_on = self.seeder.today
                meeting.attendee_count = 6
            index.add_child(instance=meeting)
            meeting.save_revision().publish()
