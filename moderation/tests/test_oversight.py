"""'Suivi des conseils': every council's activity, dormant councils first, in a bounded number of queries."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from wagtail.models import Page, PageLogEntry

from councils.factories import UserFactory
from councils.services import council_add_editor
from meetings.factories import MeetingIndexPageFactory, MeetingPageFactory
from meetings.models import MeetingStatus, MinutesStatus
from moderation.models import ReportReason
from moderation.oversight import councils_oversight
from moderation.services import report_create

from .conftest import standard_page


def _age(council, days):
    """Pretend everything in the council (its sections included) was published `days` ago."""
    when = timezone.now() - timedelta(days=days)
    subtree = Page.objects.descendant_of(council, inclusive=True)
    subtree.update(last_published_at=when, first_published_at=when)
    PageLogEntry.objects.filter(page__in=subtree).update(timestamp=when)


def _meeting(index, days, **fields):
    start = timezone.now() + timedelta(days=days)
    meeting = MeetingPageFactory(parent=index, start=start, end=start + timedelta(hours=2), **fields)
    meeting.save_revision().publish()
    return meeting


def _active_world(council_factory):
    """An active council (meetings, publications, a report, an editor) and a dormant one."""
    active = council_factory(title="Conseil Actif", slug="actif")
    dormant = council_factory(title="Conseil Endormi", slug="endormi")
    _age(dormant, 90)
    index = MeetingIndexPageFactory(parent=active)
    index.save_revision().publish()
    _meeting(index, 10)
    _meeting(index, 20)
    _meeting(index, 30, status=MeetingStatus.CANCELLED, cancellation_reason="Salle indisponible.")
    _meeting(index, -10)  # past, no minutes
    _meeting(index, -40, minutes_status=MinutesStatus.DRAFT, minutes="<p>Compte rendu.</p>")
    page = standard_page(active, "Vide-grenier", "vide-grenier")
    report_create(page=page, reason=ReportReason.SPAM)
    editor = UserFactory(username="editrice-active", first_name="Alice", last_name="Martin")
    council_add_editor(council=active, user=editor)
    editor.last_login = timezone.now() - timedelta(days=2)
    editor.save(update_fields=["last_login"])
    return active, dormant, editor


def test_figures_are_right_on_a_small_world(council_factory):
    active, dormant, editor = _active_world(council_factory)
    rows = {row.council.slug: row for row in councils_oversight()}
    a, d = rows["actif"], rows["endormi"]
    assert a.upcoming_meetings == 2, "cancelled meetings are not upcoming"
    assert a.meetings_without_minutes == 1
    assert a.open_reports == 1
    assert a.publications_30_days >= 7
    assert a.last_published_at > timezone.now() - timedelta(minutes=5)
    assert not a.dormant
    assert [(e.name, e.last_login is not None) for e in a.editors] == [("Alice Martin", True)]
    assert d.dormant and d.publications_30_days == 0 and d.upcoming_meetings == 0
    assert d.editors == []


def test_dormant_councils_come_first(council_factory):
    _active_world(council_factory)
    never = council_factory(title="A Conseil sans rien", slug="sans-rien")
    subtree = Page.objects.descendant_of(never, inclusive=True)
    subtree.update(last_published_at=None)
    PageLogEntry.objects.filter(page__in=subtree).delete()
    order = [row.council.slug for row in councils_oversight()]
    assert order == ["sans-rien", "endormi", "actif"]


def test_the_sandbox_is_not_followed(council_factory):
    council_factory(title="Bac à sable", slug="bac-a-sable", is_sandbox=True)
    assert "bac-a-sable" not in [row.council.slug for row in councils_oversight()]


def test_pending_submissions_are_counted_per_council(council_factory, city_staff):
    from moderation.services import review_workflow

    council = council_factory(title="Conseil Relu", slug="relu")
    page = standard_page(council, "Page soumise", "soumise")
    review_workflow().start(page, city_staff)
    rows = {row.council.slug: row for row in councils_oversight()}
    assert rows["relu"].pending_submissions == 1


def _queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_oversight_screens_run_as_many_queries_with_12_councils_as_with_2(
    client, council_factory, city_staff, django_assert_max_num_queries
):
    client.force_login(city_staff)
    for n in range(2):
        council = council_factory(title=f"Conseil {n:02}", slug=f"c{n:02}")
        council_add_editor(council=council, user=UserFactory(username=f"ed{n:02}"))
        report_create(page=council, reason=ReportReason.OTHER)
    urls = [reverse("moderation_oversight"), reverse("wagtailadmin_home"), reverse("moderation_reports")]
    for url in urls:
        client.get(url)  # warm Wagtail's per-process caches
    budgets = {url: _queries_for(client, url) for url in urls}
    for n in range(2, 12):
        council = council_factory(title=f"Conseil {n:02}", slug=f"c{n:02}")
        council_add_editor(council=council, user=UserFactory(username=f"ed{n:02}"))
        report_create(page=council, reason=ReportReason.OTHER)
    for url in urls:
        with django_assert_max_num_queries(budgets[url], info=url):
            response = client.get(url)
        assert response.status_code == 200
    assert "Conseil 11" in client.get(reverse("moderation_oversight")).content.decode()


def test_the_oversight_page_links_each_council_to_its_explorer_and_edit_page(client, council_a, city_staff):
    client.force_login(city_staff)
    html = client.get(reverse("moderation_oversight")).content.decode()
    assert reverse("wagtailadmin_explore", args=[council_a.pk]) in html
    assert reverse("wagtailadmin_pages:edit", args=[council_a.pk]) in html


def test_the_city_dashboard_has_the_oversight_panel_and_editors_do_not(
    client, council_a, editor_a, city_staff
):
    client.force_login(city_staff)
    assert "parvis-oversight-heading" in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(editor_a)
    assert "parvis-oversight-heading" not in client.get(reverse("wagtailadmin_home")).content.decode()
