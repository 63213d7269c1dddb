"""The admin's listing of a council's meetings: date and status of each, next meeting at the top."""

import re

from django.urls import reverse

import time_machine

from meetings.choices import MeetingStatus

from .conftest import paris

NOW = paris(2026, 11, 20, 12, 0)


def listed_titles(html, titles):
    found = {title: re.search(rf">\s*{re.escape(title)}\s*<", html) for title in titles}
    assert all(found.values()), found
    positions = {title: match.start() for title, match in found.items()}
    return sorted(titles, key=positions.get)


@time_machine.travel(NOW, tick=False)
def test_the_meetings_listing_puts_the_next_meeting_first_then_the_latest_past_ones(
    client, editor_a, meeting_index_a, meeting_factory
):
    for day, title in (
        (2, "Passée ancienne"),
        (16, "Passée récente"),
        (28, "À venir lointaine"),
        (24, "Prochaine"),
    ):
        meeting_factory(title=title, start=paris(2026, 11, day, 18, 30), end=paris(2026, 11, day, 20, 30))
    client.force_login(editor_a)

    response = client.get(reverse("wagtailadmin_explore", args=[meeting_index_a.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert listed_titles(html, ["Passée ancienne", "Passée récente", "À venir lointaine", "Prochaine"]) == [
        "Prochaine",
        "À venir lointaine",
        "Passée récente",
        "Passée ancienne",
    ]


@time_machine.travel(NOW, tick=False)
def test_the_meetings_listing_shows_each_meetings_date_and_status(
    client, editor_a, meeting_index_a, meeting_factory
):
    meeting_factory(title="Séance passée", start=paris(2026, 11, 3, 18, 30), end=paris(2026, 11, 3, 20, 30))
    meeting_factory(
        title="Séance annulée",
        start=paris(2026, 12, 1, 18, 30),
        end=paris(2026, 12, 1, 20, 30),
        status=MeetingStatus.CANCELLED,
        cancellation_reason="Salle indisponible",
    )
    meeting_factory(title="Séance prévue", start=paris(2026, 12, 8, 9, 0), end=paris(2026, 12, 8, 11, 0))
    client.force_login(editor_a)

    html = client.get(reverse("wagtailadmin_explore", args=[meeting_index_a.pk])).content.decode()

    assert "mardi 1er\u00a0déc.\u00a02026, 18\u00a0h\u00a030" in html
    assert "mardi 8\u00a0déc.\u00a02026, 9\u00a0h" in html
    rows = {
        title: re.sub(r"\s+", " ", row)
        for row in re.findall(r"<tr.*?</tr>", html, flags=re.S)
        for title in ("Séance passée", "Séance annulée", "Séance prévue")
        if re.search(rf">\s*{title}\s*<", row)
    }
    assert str(MeetingStatus.HELD.label) in rows["Séance passée"]
    assert str(MeetingStatus.CANCELLED.label) in rows["Séance annulée"]
    assert str(MeetingStatus.PLANNED.label) in rows["Séance prévue"]


@time_machine.travel(NOW, tick=False)
def test_the_meetings_listing_can_still_be_sorted_by_date(client, editor_a, meeting_index_a, meeting_factory):
    for day, title in ((2, "Première"), (28, "Dernière"), (16, "Milieu")):
        meeting_factory(title=title, start=paris(2026, 11, day, 18, 30), end=paris(2026, 11, day, 20, 30))
    client.force_login(editor_a)

    html = client.get(
        reverse("wagtailadmin_explore", args=[meeting_index_a.pk]), {"ordering": "start"}
    ).content

    assert listed_titles(html.decode(), ["Première", "Dernière", "Milieu"]) == [
        "Première",
        "Milieu",
        "Dernière",
    ]
