"""The public list of a council's members by college: only when the council shows it, names only with
consent, in a bounded number of queries."""

import datetime

import pytest

from councils.factories import CollegeFactory, MembershipFactory, UserFactory
from councils.models import Position
from members import services


def _url(council):
    return council.url + "membres/"


def _show(council):
    council.members_list_public = True
    council.save_revision().publish()
    council.refresh_from_db()
    return council


def _person(council, first, last, **kwargs):
    listed = kwargs.pop("listed", False)
    mandate = MembershipFactory(council=council, user=UserFactory(first_name=first, last_name=last), **kwargs)
    if listed:
        services.membership_consent_set(user=mandate.user, council_id=council.pk, listed=True)
    return mandate


def test_the_list_is_a_404_while_the_council_does_not_show_it(client, council_a):
    _person(council_a, "Anne", "Visible", listed=True)
    response = client.get(_url(council_a))
    assert response.status_code == 404
    assert "Visible" not in response.content.decode()
    assert _url(council_a) not in client.get(council_a.url).content.decode()


def test_the_list_shows_colleges_in_order_with_the_consenting_names_only(client, council_a, city_staff):
    _show(council_a)
    drawn = CollegeFactory(council=council_a, name="Tirés au sort", sort_order=2)
    volunteers = CollegeFactory(council=council_a, name="Volontaires", sort_order=1)
    empty = CollegeFactory(council=council_a, name="Ateliers", sort_order=3)
    _person(council_a, "Anne", "Alpha", college=volunteers, listed=True, position=Position.PRESIDENT)
    _person(council_a, "Bruno", "Bravo", college=volunteers)  # did not agree
    _person(council_a, "Chloé", "Charlie", college=drawn, listed=True)
    _person(council_a, "Denis", "Delta", college=drawn)
    _person(council_a, "Emma", "Echo", college=drawn)
    _person(council_a, "Farid", "Foxtrot", listed=True)  # no college
    gone = _person(council_a, "Gaël", "Golf", college=drawn, listed=True)
    services.membership_end(membership=gone, by=city_staff)  # an ended mandate is neither shown nor counted
    _person(council_a, "Hugo", "Hotel", college=drawn, listed=True, started_on=datetime.date(2099, 1, 1))

    response = client.get(_url(council_a))
    assert response.status_code == 200
    assert response.templates[0].name == "councils/council_members.html"
    content = response.content.decode()
    assert content.index("Volontaires") < content.index("Tirés au sort") < content.index("Ateliers")
    assert content.index("Ateliers") < content.index("Sans collège")
    for name in ("Anne", "Alpha", "Chloé", "Charlie", "Farid", "Foxtrot", "Président·e"):
        assert name in content, name
    for name in ("Bruno", "Bravo", "Denis", "Echo", "Gaël", "Golf", "Hugo"):
        assert name not in content, name
    groups = {(g["college"].name if g["college"] else None): g for g in response.context["colleges"]}
    assert (groups["Volontaires"]["count"], len(groups["Volontaires"]["named"])) == (2, 1)
    assert (groups["Tirés au sort"]["count"], len(groups["Tirés au sort"]["named"])) == (3, 1)
    assert (groups["Ateliers"]["count"], groups["Ateliers"]["named"]) == (0, [])
    assert groups[None]["count"] == 1
    assert response.context["total"] == 6
    assert empty.pk  # an empty college is still listed, with its count
    # No email address, no user name ever reaches the page.
    assert "@" not in content.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_council_page_links_to_the_list_when_it_is_shown(client, council_a):
    _show(council_a)
    assert _url(council_a) in client.get(council_a.url).content.decode()


def test_a_council_without_colleges_lists_its_members_together(client, council_a):
    _show(council_a)
    _person(council_a, "Anne", "Alpha", listed=True)
    content = client.get(_url(council_a)).content.decode()
    assert "Sans collège" not in content and "Anne" in content


def _crowd(council, count):
    colleges = [CollegeFactory(council=council, name=f"Collège {n}", sort_order=n) for n in range(3)]
    for number in range(count):
        _person(
            council,
            f"Prénom{number}",
            f"Nom{number}",
            college=colleges[number % 3] if number % 4 else None,
            listed=number % 2 == 0,
            position=Position.SECRETARY if number % 7 == 0 else None,
        )


@pytest.mark.parametrize("count", [13, 130])
def test_the_list_runs_a_bounded_number_of_queries(client, council_a, count, django_assert_max_num_queries):
    _show(council_a)
    _crowd(council_a, count)
    client.get(_url(council_a))  # warm the site and page caches
    with django_assert_max_num_queries(17):  # 16 + the newsletter footer
        response = client.get(_url(council_a))
    assert response.status_code == 200
    assert response.context["total"] == count
    assert response.context["named_total"] == (count + 1) // 2


def test_a_private_councils_list_stays_behind_its_restriction(client, council_a, member_a):
    from wagtail.models import PageViewRestriction

    _show(council_a)
    _person(council_a, "Anne", "Discrète", listed=True)
    restriction = PageViewRestriction.objects.create(
        page=council_a, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(council_a.access.members_group)
    response = client.get(_url(council_a))
    assert response.status_code == 302 and "Discrète" not in response.content.decode()
    client.force_login(member_a)
    response = client.get(_url(council_a))
    assert response.status_code == 200 and "Discrète" in response.content.decode()
    assert "private" in response["Cache-Control"]
