"""Issue #19, "How it is checked": what a real Varnish on deploy/varnish/parvis.vcl serves, in front of two
real instances of the app, when content is published, unpublished and read (tests/varnish/conftest.py).

"At once" is literal here: the first request after a publish (or an unpublish) returns has the new content,
and the requests just before it were hits, so the change reached the readers through a purge, not through
an expiry or a cache that was never filled.
"""

import json
import re
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from html import unescape
from itertools import count

from django.core.cache import cache
from django.test import Client
from django.utils import timezone

import pytest
import requests
from bs4 import BeautifulSoup

from .conftest import OUTSIDER_IP, REPO

_minutes = count()


def soonest_start():
    """Each call a start sooner than the last (in two days at most): the new meeting is the next one on every
    listing that shows the next meetings (home page, council page), whatever earlier tests published."""
    start = timezone.localtime() + timedelta(days=2) - timedelta(minutes=next(_minutes))
    return start.replace(second=0, microsecond=0)


def new_council(slug):
    from councils.factories import CouncilPageFactory
    from councils.models import CouncilIndexPage
    from meetings.models import MeetingIndexPage

    council = CouncilPageFactory(parent=CouncilIndexPage.objects.get(), title=f"Conseil {slug}", slug=slug)
    council.save_revision().publish()
    return council, MeetingIndexPage.objects.child_of(council).get()


def meeting_draft(index, title):
    """A meeting saved as a draft only (readers see nothing of it yet)."""
    from meetings.factories import MeetingPageFactory

    start = soonest_start()
    meeting = MeetingPageFactory(
        parent=index, title=title, slug=re.sub(r"\W+", "-", title.lower()), start=start, live=False
    )
    meeting.save_revision()
    return meeting


def publish(page, title=None):
    if title is not None:
        page.title = title
    page.save_revision().publish()


def text_of(response):
    """What a reader reads: HTML entities decoded (feeds and pages escape differently)."""
    return unescape(response.text)


def council_urls(council, index):
    """Every response that shows a council's next meeting, through Varnish."""
    return [
        "/",  # the home page: the next meetings of the city
        council.url,  # the council's page: its next meeting
        index.url,  # its meetings index
        "/agenda/",  # the city's agenda
        index.url + "calendrier/",  # the council's iCal feed
        "/agenda/calendrier/",  # the city's iCal feed
    ]


def assert_cached(stack, paths, *, absent=(), present=()):
    """Each path read twice through Varnish: 200, the second read a hit; shows `present`, not `absent`."""
    for path in paths:
        first = stack.get(path)
        second = stack.get(path)
        assert first.status_code == 200, (path, first.status_code)
        assert second.headers.get("X-Cache") == "HIT", (path, first.headers, second.headers)
        for text in absent:
            assert text not in text_of(second), (path, text)
        for text in present:
            assert text in text_of(second), (path, text)


def sign_in_cookie(user):
    """A real session (in the database, committed) for `user`: the `sessionid` a browser would hold."""
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def test_publishing_a_meeting_changes_every_page_that_shows_it_at_once(fresh, db):
    """Publish, retitle, unpublish a meeting: the home page, the council's page, its meetings index, the
    city's agenda, both iCal feeds and the meeting's own page (its agenda) follow at once."""
    council, index = new_council("publication")
    meeting = meeting_draft(index, "Séance Aurore 1")
    paths = council_urls(council, index)

    assert_cached(fresh, paths, absent=["Séance Aurore"])
    assert fresh.get(meeting.url).status_code == 404

    publish(meeting)
    for path in [*paths, meeting.url]:
        response = fresh.get(path)
        assert response.status_code == 200, path
        assert "Séance Aurore 1" in text_of(response), path

    # Its agenda page and the listings are cached again; a new title replaces the old one everywhere at once.
    assert_cached(fresh, [*paths, meeting.url], present=["Séance Aurore 1"])
    publish(meeting, "Séance Aurore 2")
    for path in [*paths, meeting.url]:
        response = fresh.get(path)
        assert "Séance Aurore 2" in text_of(response), path
        assert "Séance Aurore 1" not in text_of(response), path

    # Unpublished: gone at once from every listing, and its page with it.
    assert_cached(fresh, [*paths, meeting.url], present=["Séance Aurore 2"])
    meeting.refresh_from_db()
    meeting.unpublish()
    for path in paths:
        response = fresh.get(path)
        assert response.status_code == 200, path
        assert "Séance Aurore" not in text_of(response), path
    assert fresh.get(meeting.url).status_code == 404


def test_publishing_a_council_post_changes_its_feeds_at_once(fresh, db):
    """A council's news post: its news index, RSS and Atom feeds and the council's page follow at once."""
    from blog.factories import BlogPageFactory
    from blog.models import BlogIndexPage

    council, _index = new_council("nouvelles")
    news = BlogIndexPage.objects.child_of(council).get()
    paths = [news.url, news.url + "rss/", news.url + "atom/", council.url]
    assert_cached(fresh, paths, absent=["Brocante Solstice"])

    post = BlogPageFactory(parent=news, title="Brocante Solstice", slug="brocante", live=False)
    publish(post)
    for path in paths:
        assert "Brocante Solstice" in text_of(fresh.get(path)), path

    assert_cached(fresh, paths, present=["Brocante Solstice"])
    post.refresh_from_db()
    post.unpublish()
    for path in paths:
        assert "Brocante Solstice" not in text_of(fresh.get(path)), path


def test_members_only_page_is_never_stored(fresh, db):
    """A page restricted to a council's members: never stored, whoever asks (anonymous: sent to sign in;
    a member: passed), and nothing of it reaches an anonymous reader after a member read it."""
    from wagtail.models import PageViewRestriction

    from councils.factories import UserFactory
    from councils.services import council_add_member
    from home.models import StandardPage

    council, _index = new_council("reserve")
    page = StandardPage(title="Compte rendu interne", slug="interne", intro="Le secret du bureau.")
    council.add_child(instance=page)
    publish(page)
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(council.access.members_group)
    member = UserFactory(username="membre-reserve")
    council_add_member(council=council, user=member)
    cookies = {"sessionid": sign_in_cookie(member)}

    for _ in range(2):
        anonymous = fresh.get(page.url)
        assert anonymous.status_code in (302, 403), anonymous.status_code
        assert anonymous.headers["X-Cache"] != "HIT"
        assert "Le secret du bureau" not in anonymous.text
    for _ in range(2):
        reader = fresh.get(page.url, cookies=cookies)
        assert reader.status_code == 200
        assert reader.headers["X-Cache"] == "PASS"
        assert "Le secret du bureau" in text_of(reader)
        assert "private" in reader.headers["Cache-Control"]
    # Read by a member (through a pass) and then by anyone: still nothing stored, nothing shown.
    before = fresh.counters()
    anonymous = fresh.get(page.url)
    assert anonymous.headers["X-Cache"] != "HIT"
    assert "Le secret du bureau" not in anonymous.text
    assert fresh.counters()["MAIN.cache_hit"] == before["MAIN.cache_hit"]
    # The same page made public again is stored (the restriction purged it, and the hit-for-miss is gone).
    restriction.delete()
    assert_cached(fresh, [page.url], present=["Le secret du bureau"])


def test_signed_in_reader_is_passed_and_never_stored(fresh, db):
    """With the session cookie, Varnish neither looks up nor stores: the signed-in reader gets their own page
    (with "Sign out"), and anonymous readers never get it, whether the page was stored before or not."""
    from councils.factories import UserFactory

    council, index = new_council("session")
    cookies = {"sessionid": sign_in_cookie(UserFactory(username="lectrice-session"))}
    signed_in_marker = 'action="/deconnexion/"'

    assert_cached(fresh, [council.url])
    for _ in range(2):
        response = fresh.get(council.url, cookies=cookies)
        assert response.headers["X-Cache"] == "PASS"
        assert signed_in_marker in response.text
        assert "private" in response.headers["Cache-Control"]
    anonymous = fresh.get(council.url)
    assert anonymous.headers["X-Cache"] == "HIT"
    assert signed_in_marker not in anonymous.text
    # Read signed in first, then anonymously: the signed-in answer was not stored either.
    assert fresh.get(index.url, cookies=cookies).headers["X-Cache"] == "PASS"
    first_anonymous = fresh.get(index.url)
    assert first_anonymous.headers["X-Cache"] == "MISS"
    assert signed_in_marker not in first_anonymous.text
    # Other cookies (the CSRF token…) are not the reader's identity: the stored copy serves them.
    with_other_cookie = fresh.get(council.url, cookies={"csrftoken": "x" * 32, "theme": "sombre"})
    assert with_other_cookie.headers["X-Cache"] == "HIT"
    # Credentials of any kind: passed.
    with_authorization = fresh.get(council.url, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert with_authorization.headers["X-Cache"] == "PASS"


def test_responses_without_tags_or_marked_private_are_never_stored(fresh, db):
    """The contract's safety net: no tags header, no storage (even for a 200 that a plain cache would keep
    two minutes); `private` wins over tags; the sign-in form and the health check are never stored."""
    for path in ["/__varnish-probe/untagged/", "/__varnish-probe/tagged-private/"]:
        bodies = set()
        for _ in range(3):
            response = fresh.get(path)
            assert response.status_code == 200
            assert response.headers["X-Cache"] != "HIT", path
            bodies.add(response.text)
        assert len(bodies) == 3, path  # each answer came from the application
    # The sign-in form carries a CSRF token: private, never stored.
    for _ in range(2):
        response = fresh.get("/connexion/")
        assert response.status_code == 200
        assert response.headers["X-Cache"] != "HIT"
    # The health check: always passed to an instance.
    for _ in range(2):
        assert fresh.get("/healthz").headers["X-Cache"] == "PASS"


def test_tags_are_shown_only_to_the_purge_acl(fresh, db):
    """The tags say what a page is made of: only the purge ACL may read them (X-Parvis-Debug-Tags)."""
    council, _index = new_council("etiquettes")
    assert_cached(fresh, [council.url])
    assert "xkey" not in fresh.get(council.url).headers
    debug = fresh.get(council.url, headers={"X-Parvis-Debug-Tags": "1"})
    assert f"p{council.pk}" in debug.headers["xkey"].split()
    # Relayed by a proxy (X-Forwarded-For), or from outside the ACL: no tags.
    relayed = fresh.get(council.url, headers={"X-Parvis-Debug-Tags": "1", "X-Forwarded-For": "198.51.100.4"})
    assert "xkey" not in relayed.headers
    outsider = proxied_request(fresh, f"GET {council.url} HTTP/1.1", {"X-Parvis-Debug-Tags": "1"})
    assert outsider.startswith("HTTP/1.1 200")
    assert "\r\nxkey:" not in outsider.lower()


def proxied_request(stack, request_line, headers):
    """One raw request through Varnish's PROXY listener, claiming to come from OUTSIDER_IP."""
    import socket

    lines = [request_line, f"Host: 127.0.0.1:{stack.varnish_port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    payload = f"PROXY TCP4 {OUTSIDER_IP} 127.0.0.1 40000 {stack.proxied_port}\r\n" + "\r\n".join(lines)
    with socket.create_connection(("127.0.0.1", stack.proxied_port), timeout=10) as sock:
        sock.sendall((payload + "\r\n\r\n").encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


def test_purge_only_from_the_acl(fresh, db):
    """PURGE from outside the ACL (a remote address through the PROXY listener) or relayed by a proxy
    (X-Forwarded-For): 403 and nothing dropped. From the ACL: 200, the number dropped, and it is gone."""
    council, _index = new_council("purge")
    assert_cached(fresh, [council.url])
    tag = f"p{council.pk}"

    outsider = proxied_request(fresh, "PURGE / HTTP/1.1", {"xkey-purge": tag})
    assert outsider.startswith("HTTP/1.1 403"), outsider[:200]
    relayed = fresh.purge([tag], **{"X-Forwarded-For": "198.51.100.4"})
    assert relayed.status_code == 403
    assert fresh.get(council.url).headers["X-Cache"] == "HIT"

    answer = fresh.purge([tag])
    assert answer.status_code == 200
    assert int(answer.text) >= 1
    assert fresh.get(council.url).headers["X-Cache"] == "MISS"


def test_no_stale_read_after_a_purge_returns_under_load(fresh, db):
    """Readers hammer three URLs through Varnish (tests.varnish.readers, 3 threads in a process of their own)
    while 20 publishes change a meeting's title. A read that started after the purge of version n had
    returned must show version n or later."""
    council, index = new_council("charge")
    meeting = meeting_draft(index, "Séance Charge 0")
    publish(meeting)
    paths = [meeting.url, index.url, council.url]

    purged_at = {0: time.monotonic()}  # version -> when its publish (and so its purge) had returned
    reads = []  # [path, started, versions shown, X-Cache, status]
    last_read = {}  # path -> (started, versions shown) of its latest read

    readers = subprocess.Popen(
        [sys.executable, "-m", "tests.varnish.readers", fresh.varnish, "3", r"Séance Charge (\d+)", *paths],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )

    def collect():
        for line in readers.stdout:
            read = json.loads(line)
            reads.append(read)
            last_read[read[0]] = (read[1], read[2])

    collector = threading.Thread(target=collect, daemon=True)
    collector.start()

    def readers_caught_up(n):
        """Each URL has been read since the purge of version n, showing it (so it is stored again)."""
        return all(
            (seen := last_read.get(path)) and seen[0] > purged_at[n] and seen[1] == [n] for path in paths
        )

    try:
        for n in range(1, 21):
            # Every other publish, let the readers store the current version first (bounded polling): that
            # purge drops objects the readers are hitting; the others come while misses are being fetched.
            deadline = time.monotonic() + 10
            while (n % 2 or n == 20) and not readers_caught_up(n - 1) and time.monotonic() < deadline:
                time.sleep(0.005)
            publish(meeting, f"Séance Charge {n}")
            purged_at[n] = time.monotonic()
        deadline = time.monotonic() + 10
        while not readers_caught_up(20) and time.monotonic() < deadline:
            time.sleep(0.005)
    finally:
        readers.stdin.close()
        readers.wait(timeout=60)
        collector.join(timeout=30)

    def latest_purged_before(started):
        return max(v for v, at in purged_at.items() if at < started)

    stale = [
        (path, f"v{latest_purged_before(started)} purged before the read began; it showed {shown}", cache)
        for path, started, shown, cache, _status in reads
        if not shown or min(shown) < latest_purged_before(started)
    ]
    hits = sum(1 for read in reads if read[3] == "HIT")
    assert [read for read in reads if read[4] != 200] == []
    assert readers_caught_up(20), "the readers never saw the last version"
    assert len(reads) > 100 and hits > len(reads) / 2, (len(reads), hits)
    assert stale == [], f"{len(stale)} stale reads of {len(reads)}: {stale[:10]}"


def test_a_fetch_that_read_before_the_commit_is_not_served_after_the_purge(fresh, db):
    """The race the load test leaves to chance, made certain: a miss whose answer an instance built from the
    database before a publish committed, and that reaches Varnish only after the publish's purge returned
    (the instance holds it back: tests.varnish.probes). A read that starts after the purge returned must not
    get that answer, neither by waiting on the same fetch nor from the cache once it is stored."""
    from .probes import slow_built_key

    council, index = new_council("course")
    meeting = meeting_draft(index, "Séance Course 1")
    publish(meeting)
    token = uuid.uuid4().hex
    slow = {}

    def slow_read():
        slow["response"] = fresh.get(meeting.url, headers={"X-Test-Slow": "2", "X-Test-Slow-Id": token})

    thread = threading.Thread(target=slow_read, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while cache.get(slow_built_key(token)) is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert cache.get(slow_built_key(token)), "the instance did not build the slow answer"

    publish(meeting, "Séance Course 2")  # committed, purged: the purge has returned
    during = fresh.get(meeting.url)  # while the old answer is still on its way to Varnish
    thread.join(timeout=30)
    after = fresh.get(meeting.url)

    assert "Séance Course 1" in text_of(slow["response"])  # it started before the publish: old is right
    assert "Séance Course 2" in text_of(during), during.headers
    assert "Séance Course 2" in text_of(after), after.headers


def admin_session(base_url, username, password="demo"):  # noqa: S107 (the factories' password)
    """Sign in to the admin through its form on one instance: a requests session holding its cookies."""
    session = requests.Session()
    form = session.get(f"{base_url}/admin/login/", timeout=30)
    assert form.status_code == 200
    token = BeautifulSoup(form.text, "html.parser").find("input", {"name": "csrfmiddlewaretoken"})["value"]
    answer = session.post(
        f"{base_url}/admin/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/admin/"},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text[:2000]
    assert "sessionid" in session.cookies
    return session


def confirm_admin_action(session, base_url, path):
    """GET an admin confirmation form on an instance, POST it back (with its CSRF token) to the same one."""
    form = session.get(base_url + path, timeout=30)
    assert form.status_code == 200, (path, form.status_code)
    token = BeautifulSoup(form.text, "html.parser").find("input", {"name": "csrfmiddlewaretoken"})["value"]
    answer = session.post(
        base_url + path, data={"csrfmiddlewaretoken": token}, allow_redirects=False, timeout=30
    )
    assert answer.status_code == 302, (path, answer.status_code, answer.text[:2000])


def test_two_instances_publish_on_one_fresh_through_the_other(fresh, db):
    """Scale-out: two instances on one database and one Redis. An editor signed in on instance 1 publishes
    there (the admin's publish action, in that process): the pages instance 2 had put in Varnish are fresh at
    once. The same session works on instance 2 (admin, site, and an unpublish that instance 1's pages follow)."""
    from councils.factories import UserFactory
    from councils.services import council_add_editor

    council, index = new_council("deux-instances")
    editor = UserFactory(username="editrice-deux")
    council_add_editor(council=council, user=editor)
    meeting = meeting_draft(index, "Séance Jumelle 1")
    publish(meeting)
    instance_1, instance_2 = fresh.instances
    via_2 = {"X-Test-Backend": "2"}
    via_1 = {"X-Test-Backend": "1"}
    paths = [meeting.url, council.url, index.url]

    # Stored from instance 2.
    for path in paths:
        first = fresh.get(path, headers=via_2)
        assert first.headers["X-Test-Served-By"] == "web2"
        assert fresh.get(path, headers=via_2).headers["X-Cache"] == "HIT"

    # A draft (saved here) changes nothing; instance 1 publishes it through the admin's publish action.
    meeting.title = "Séance Jumelle 2"
    revision = meeting.save_revision()
    for path in paths:
        assert "Séance Jumelle 1" in text_of(fresh.get(path, headers=via_2))
    session = admin_session(instance_1, editor.username)
    confirm_admin_action(session, instance_1, f"/admin/bulk/wagtailcore/page/publish/?id={meeting.pk}")
    revision.refresh_from_db()
    meeting.refresh_from_db()
    assert meeting.live_revision_id == revision.pk

    for path in paths:
        response = fresh.get(path, headers=via_2)
        assert response.headers["X-Cache"] == "MISS", path
        assert response.headers["X-Test-Served-By"] == "web2"
        assert "Séance Jumelle 2" in text_of(response), path

    # The session opened on instance 1 works on instance 2, in the admin (reads and a write) and on the site.
    dashboard = session.get(instance_2 + "/admin/", allow_redirects=False, timeout=30)
    assert dashboard.status_code == 200
    through_varnish = fresh.get(council.url, cookies={"sessionid": session.cookies["sessionid"]})
    assert through_varnish.headers["X-Cache"] == "PASS"
    assert 'action="/deconnexion/"' in through_varnish.text
    for path in paths:
        assert fresh.get(path, headers=via_1).headers["X-Cache"] == "HIT"
    confirm_admin_action(session, instance_2, f"/admin/pages/{meeting.pk}/unpublish/")
    meeting.refresh_from_db()
    assert not meeting.live
    # Unpublished on instance 2: gone through Varnish from instance 1.
    assert fresh.get(meeting.url, headers=via_1).status_code == 404
    for path in paths[1:]:
        response = fresh.get(path, headers=via_1)
        assert response.headers["X-Test-Served-By"] == "web1"
        assert "Séance Jumelle" not in text_of(response), path


@pytest.mark.parametrize(
    "path", ["/", "/conseils/", "/agenda/", "/actualites/", "/agenda/calendrier/", "/sitemap.xml"]
)
def test_public_pages_are_stored(fresh, db, path):
    """The shared cache is used at all: each public page type is stored (a hit on the second read)."""
    assert_cached(fresh, [path])
