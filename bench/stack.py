"""The production stack under load, beside its two ceilings, in one run (issue #19, `make bench`).

    python bench/stack.py [--scale 50] [--quick] [--duration 10] [--threads 2] [--connections 16]
                          [--publishes 20] [--no-others] [--output docs/benchmarks.md]

Brings up, on its own ports, everything a deployment runs: gunicorn (2 sync workers, deploy/gunicorn.conf.py
when present) on the production settings, the background worker (it sends the purges), and Varnish with the
repository's VCL (deploy/varnish/parvis.vcl) in front — plus the two ceilings the figures are compared with:
nginx serving the very bytes Parvis answered as static files (the warm ceiling), and a bare WSGI app
(bench/bare_wsgi.py) serving them from memory under the same gunicorn settings (the cold ceiling).

Then, for the home page, a council page, a meeting, the news index, an event, a search and the iCal feeds,
picked from the scaled data, wrk at a fixed concurrency measures requests/s and p50/p95/p99: warm (through
Varnish), cold (straight to gunicorn), nginx, bare WSGI. While wrk loads a council page through Varnish, a
meeting of that council is published again and again; each time, the delay from the commit to the new title
showing through Varnish on the council page, its meetings index and the home page is measured, and any read
that still shows the old page once the purge task has returned is counted. Then the newsletter and sortition
benchmarks (bench/newsletter_bench.py, bench/sortition_bench.py) run as they are. Prints a table and writes
it, with the date, the machine and the issue's targets met or not, to docs/benchmarks.md.

The data live in the PostgreSQL database `parvis_bench` (`seed_demo --scale N`), kept between runs: a marker
table records the scale and the seeding code it was built with, so a rerun at the same scale skips the load.
Every process is stopped at the end, on Ctrl+C or on failure. `--quick` (the data parvis_bench already holds,
else scale 2; 3-second runs, fewer publishes, small newsletter and sortition runs) checks that everything
works in a few minutes; its report goes to /tmp/parvis-bench/benchmarks-quick.md unless --output is given.
`--serve` brings the stack up and keeps it up (Ctrl+C stops it), to look at it by hand.
"""

import argparse
import collections
import contextlib
import datetime
import hashlib
import http.client
import json
import os
import pathlib
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
WORK = pathlib.Path("/tmp/parvis-bench")  # noqa: S108 (a machine for benchmarks; nothing secret)
VARNISH_DIR = "/tmp/parvis-bench-varnish"  # noqa: S108
DATABASE = "parvis_bench"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/9"
PORTS = {"varnish": 6201, "gunicorn": 8201, "nginx": 8202, "bare": 8203}
VARNISHD, NGINX, WRK = "/usr/sbin/varnishd", "/usr/sbin/nginx", "/usr/bin/wrk"
VCL = ROOT / "deploy" / "varnish" / "parvis.vcl"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
SEED_FILES = ["home/management/commands/seed_demo.py", "home/scale.py"]
MARKER_TABLE = "parvis_bench_marker"
WRK_TIMEOUT = 30  # seconds; --timeout
# The figures for warm pages, cold pages and publish-to-fresh (the query budget is a test).
TARGET_WARM_RATIO, TARGET_COLD_RATIO, TARGET_P95_MS, TARGET_FRESH_P99_S = 0.80, 0.03, 100.0, 1.0

WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "PARVIS requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d "
    .. "p50=%d p90=%d p95=%d p99=%d max=%d\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency.max))
end
"""

# Used only until deploy/varnish/parvis.vcl exists: the cache contract of COMMON.md in its smallest form.
FALLBACK_VCL = """vcl 4.1;
import xkey;
import std;

backend default { .host = "127.0.0.1"; .port = "%(backend_port)s"; }

acl purgers { "127.0.0.1"; "::1"; }

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) { return (synth(403, "Forbidden")); }
        if (!req.http.xkey-purge) { return (synth(400, "xkey-purge missing")); }
        return (synth(200, "" + xkey.purge(req.http.xkey-purge)));
    }
    if (req.method != "GET" && req.method != "HEAD") { return (pass); }
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\\s*)sessionid=") {
        set req.http.X-Parvis-Pass = "1";
        return (pass);
    }
    return (hash);
}

sub vcl_backend_response {
    if (!beresp.http.xkey || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
}

sub vcl_deliver {
    if (req.http.X-Parvis-Pass) { set resp.http.X-Cache = "PASS"; }
    elsif (obj.uncacheable) { set resp.http.X-Cache = "PASS"; }
    elsif (obj.hits > 0) { set resp.http.X-Cache = "HIT"; }
    else { set resp.http.X-Cache = "MISS"; }
    if (!(req.http.X-Parvis-Debug-Tags == "1" && client.ip ~ purgers)) { unset resp.http.xkey; }
}

sub vcl_synth {
    if (req.method == "PURGE") {
        set resp.http.Content-Type = "text/plain";
        set resp.body = resp.reason;
        return (deliver);
    }
}
"""


def log(message):
    print(f"bench: {message}", flush=True)


# -- Environment and data ----------------------------------------------------------------------------------


def settings_read_env(name):
    """Whether the settings read `name` from the environment (they change during the day: read them fresh)."""
    text = "".join((ROOT / "config" / "settings" / f).read_text() for f in ("base.py", "production.py"))
    return f'"{name}"' in text


def bench_env(secret_key):
    """The production settings on the bench database, Redis DB 9 and Varnish's purge address, no TLS."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PARVIS_BENCH"))}
    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "VARNISH_PURGE_URLS",
        "ALLOWED_HOSTS",
        "SECRET_KEY",
        "MEDIA_ROOT",
    ):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"{PG_SERVER}/{DATABASE}",
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX="parvis-bench",
        SECURE_SSL_REDIRECT="false",
        VARNISH_PURGE_URLS=f"http://127.0.0.1:{PORTS['varnish']}/",
        BASE_URL=f"http://127.0.0.1:{PORTS['varnish']}",
        MEDIA_ROOT=str(WORK / "media"),
        STATIC_ROOT=str(WORK / "static"),
        PARVIS_BENCH_BODIES=str(WORK / "bytes"),
        PYTHONPATH=str(ROOT),
    )
    if not settings_read_env("STATIC_ROOT"):
        # collectstatic must not write into the repository: a settings module that only moves STATIC_ROOT.
        overlay = WORK / "settings"
        overlay.mkdir(parents=True, exist_ok=True)
        (overlay / "parvis_bench_settings.py").write_text(
            "import os\nfrom config.settings.production import *  # noqa: F403\n"
            "STATIC_ROOT = os.environ['STATIC_ROOT']\n"
        )
        env.update(DJANGO_SETTINGS_MODULE="parvis_bench_settings", PYTHONPATH=f"{overlay}:{ROOT}")
    return env


def manage(env, *arguments, quiet=False):
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(
            f"manage.py {' '.join(arguments)} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    if not quiet:
        tail = result.stdout.strip().splitlines()[-1:] or [""]
        log(f"manage.py {' '.join(arguments)}: {time.monotonic() - started:.1f} s {tail[0][:160]}")
    return result.stdout


def seed_supports_scale():
    return "--scale" in (ROOT / SEED_FILES[0]).read_text()


def seed_fingerprint(scale):
    digest = hashlib.sha256(str(scale).encode())
    for name in SEED_FILES:
        path = ROOT / name
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()[:16]


def migrations_pending():
    """Whether a migration file of the project is not in parvis_bench's django_migrations (a query, not the
    half minute `migrate` takes to find nothing to do on a busy machine)."""
    import psycopg

    on_disk = {
        (path.parent.parent.name, path.stem)
        for path in ROOT.glob("*/migrations/[0-9]*.py")
        if not path.is_relative_to(ROOT / ".venv")
    }
    with psycopg.connect(f"{PG_SERVER}/{DATABASE}", autocommit=True) as db:
        applied = set(db.execute("SELECT app, name FROM django_migrations").fetchall())
    return bool(on_disk - applied)


def marker_scale():
    """The scale parvis_bench was seeded at, or None."""
    import psycopg

    try:
        with psycopg.connect(f"{PG_SERVER}/{DATABASE}", autocommit=True) as db:
            row = db.execute(f"SELECT scale FROM {MARKER_TABLE}").fetchone()  # noqa: S608
    except psycopg.Error:
        return None
    return row[0] if row else None


def data_prepare(env, scale, reload=False):
    """`parvis_bench` migrated and seeded at `scale`; kept as it is when its marker says it already is.
    Without VARNISH_PURGE_URLS: no Varnish is up yet, and seeding must not queue thousands of purges."""
    import psycopg

    env = {k: v for k, v in env.items() if k != "VARNISH_PURGE_URLS"}

    wanted_scale = scale if seed_supports_scale() else 0
    fingerprint = seed_fingerprint(wanted_scale)
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as server:
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
    marker = None
    if exists:
        with psycopg.connect(f"{PG_SERVER}/{DATABASE}", autocommit=True) as db:
            with contextlib.suppress(psycopg.errors.UndefinedTable):
                marker = db.execute(f"SELECT scale, fingerprint, seeded_at FROM {MARKER_TABLE}").fetchone()  # noqa: S608
    if marker and marker[0] == wanted_scale and not reload:
        changed = "" if marker[1] == fingerprint else "; the seeding code changed since: --reload to reseed"
        log(
            f"data: {DATABASE} already holds scale {wanted_scale} (seeded {marker[2]:%Y-%m-%d %H:%M}), kept{changed}"
        )
        if migrations_pending():
            manage(env, "migrate", "--noinput", "-v0")
        return wanted_scale, 0.0
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as server:
        server.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        server.execute(f"CREATE DATABASE {DATABASE}")
    shutil.rmtree(WORK / "media", ignore_errors=True)
    started = time.monotonic()
    manage(env, "migrate", "--noinput", "-v0")
    seeding = ["seed_demo", "--scale", str(scale)] if wanted_scale else ["seed_demo"]
    if not wanted_scale:
        log("data: seed_demo has no --scale yet: plain demo content")
    manage(env, *seeding)
    seconds = time.monotonic() - started
    with psycopg.connect(f"{PG_SERVER}/{DATABASE}", autocommit=True) as db:
        db.execute(f"CREATE TABLE {MARKER_TABLE} (scale integer, fingerprint text, seeded_at timestamptz)")
        db.execute(f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s, now())", [wanted_scale, fingerprint])  # noqa: S608
        db.execute("VACUUM ANALYZE")
    log(f"data: {DATABASE} migrated and seeded at scale {wanted_scale} in {seconds:.0f} s")
    return wanted_scale, seconds


# -- Processes ---------------------------------------------------------------------------------------------


class Stack:
    """The processes this run started; each in its own session so that stopping one stops its children
    (gunicorn's workers) and Ctrl+C in the terminal reaches only this script, which stops them in turn."""

    def __init__(self):
        self.processes = []
        (WORK / "logs").mkdir(parents=True, exist_ok=True)

    def start(self, name, command, env=None, port=None, timeout=60):
        if port and port_open(port):
            raise RuntimeError(f"port {port} is already in use: stop what listens there first")
        logfile = open(WORK / "logs" / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append((name, process, logfile))
        if port:
            deadline = time.monotonic() + timeout
            while not port_open(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start:\n{self.log_tail(name)}")
                time.sleep(0.1)
        return process

    def log_tail(self, name, lines=30):
        text = (WORK / "logs" / f"{name}.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def alive(self, notes=None):
        """Raise if a server stopped; the worker only gets a note (without it, purges never come)."""
        for name, process, _ in self.processes:
            if process.poll() is None:
                continue
            if name == "worker" and notes is not None:
                note = (
                    f"the worker stopped (status {process.returncode}): no purge after that; see {WORK}/logs"
                )
                if note not in notes:
                    log(note + "\n" + self.log_tail(name, 3))
                    notes.append(note)
                continue
            raise RuntimeError(f"{name} stopped (status {process.returncode}):\n{self.log_tail(name)}")

    def stop(self):
        for _name, process, logfile in reversed(self.processes):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            logfile.close()
        self.processes = []


def port_open(port):
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def gunicorn_command(app, port, pythonpath=None):
    """The same gunicorn settings for Parvis and the bare app: the deployment's file when there is one,
    2 sync workers on our port in any case (command-line flags override the file)."""
    command = [str(pathlib.Path(sys.executable).parent / "gunicorn")]
    if GUNICORN_CONF.exists():
        command += ["-c", str(GUNICORN_CONF)]
    command += ["--workers", "2", "--worker-class", "sync", "--bind", f"127.0.0.1:{port}"]
    if pythonpath:
        command += ["--pythonpath", pythonpath]
    return [*command, app]


SITE_VCL = """# bench/stack.py's own parvis-site.vcl: one gunicorn instance, purges from this machine.
backend web {
    .host = "127.0.0.1";
    .port = "%(backend_port)s";
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
    .between_bytes_timeout = 30s;
}

sub parvis_backend {
    set req.backend_hint = web;
}

acl parvis_purgers {
    "127.0.0.1";
    "::1";
}
"""


def vcl_prepare():
    """The repository's VCL (deploy/varnish/parvis.vcl) with our own parvis-site.vcl (its backends and ACL)
    found first through vcl_path, as deploy/README.md tells tests to; a minimal VCL until it exists.
    Returns the VCL, extra `-p` parameters and a description."""
    site_dir = WORK / "varnish-site"
    site_dir.mkdir(parents=True, exist_ok=True)
    if not VCL.exists():
        target = site_dir / "fallback.vcl"
        target.write_text(FALLBACK_VCL % {"backend_port": PORTS["gunicorn"]})
        return target, [], "a minimal VCL of the bench's own (deploy/varnish/parvis.vcl did not exist yet)"
    (site_dir / "parvis-site.vcl").write_text(SITE_VCL % {"backend_port": PORTS["gunicorn"]})
    params = [f"vcl_path={site_dir}:{VCL.parent}"]
    what = (
        "deploy/varnish/parvis.vcl, unchanged, with the bench's own parvis-site.vcl: one backend (gunicorn) "
        "and no health probe — the cold runs saturate gunicorn on purpose, and the deployment's probe "
        "(`/healthz?scope=web`, 3 s timeout) would mark it sick, so Varnish would answer 503 for the runs after"
    )
    return VCL, params, what


def varnish_params():
    """The `-p` parameters deploy/README.md gives varnishd (tag headers can be long), else our own."""
    readme = ROOT / "deploy" / "README.md"
    params = re.findall(r"-p\s+([a-z_]+=\S+)", readme.read_text()) if readme.exists() else []
    params = [p.strip("`'\"\\") for p in params if not p.startswith("vcl_path")]
    names = {p.split("=")[0] for p in params}
    for default in ("http_resp_hdr_len=65536", "http_resp_size=131072", "workspace_backend=262144"):
        if default.split("=")[0] not in names:
            params.append(default)
    return list(dict.fromkeys(params))


def nginx_conf(urls):
    """nginx serving each benchmarked body as a file, with its content type (access log off, sendfile)."""
    base = WORK / "nginx"
    base.mkdir(parents=True, exist_ok=True)
    locations = "\n".join(
        f'        location = /b/{item["key"]} {{ default_type "{item["content_type"]}"; }}' for item in urls
    )
    temp = "\n".join(
        f"    {kind}_temp_path {base}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = f"""worker_processes auto;
pid {base}/nginx.pid;
error_log {base}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    open_file_cache max=100;
    gzip_static on;
    types {{ }}
{temp}
    server {{
        listen 127.0.0.1:{PORTS["nginx"]};
        root {WORK / "bytes"};
{locations}
    }}
}}
"""
    path = base / "nginx.conf"
    path.write_text(conf)
    return path


# -- HTTP and wrk ------------------------------------------------------------------------------------------


def fetch(port, path, headers=None, timeout=60):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def wrk_script():
    path = WORK / "report.lua"
    path.write_text(WRK_REPORT)
    return path


def wrk(url, seconds, threads, connections, timeout=None, headers=()):
    """One wrk run; requests/s and percentiles (ms) from the Lua report, errors counted."""
    command = [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(wrk_script())]
    for header in headers:
        command += ["-H", header]
    command += ["--timeout", f"{timeout or WRK_TIMEOUT}s"]
    result = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60)  # noqa: S603
    return wrk_parse(result.stdout + result.stderr)


def wrk_parse(output):
    match = re.search(r"^PARVIS (.*)$", output, re.M)
    if not match:
        raise RuntimeError(f"wrk gave no report:\n{output[-2000:]}")
    values = {k: int(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    seconds = values["duration_us"] / 1e6
    errors = sum(values[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "rps": values["requests"] / seconds if seconds else 0.0,
        "requests": values["requests"],
        "errors": errors,
        "non_2xx_3xx": values["status"],
        # No request completed (each took longer than the run): no latency to show, not 0 ms.
        **{p: values[p] / 1000 if values["requests"] else None for p in ("p50", "p90", "p95", "p99", "max")},
    }


def varnish_counters():
    output = subprocess.run(  # noqa: S603
        [
            "/usr/bin/varnishstat",
            "-n",
            VARNISH_DIR,
            "-1",
            "-f",
            "MAIN.cache_hit",
            "-f",
            "MAIN.cache_miss",
            "-f",
            "MAIN.s_pass",
            "-f",
            "MAIN.cache_hitmiss",
            "-f",
            "MAIN.cache_hitpass",
        ],
        capture_output=True,
        text=True,
    ).stdout
    return {
        line.split()[0].split(".")[1]: int(line.split()[1]) for line in output.splitlines() if line.strip()
    }


# -- Django-side helpers, run as `stack.py --child …` in a process with the bench environment ---------------


def django_setup():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def child_pick(scale):
    """The benchmarked URLs, picked from the scaled data: the council (not one of the demo's) of one of the
    meetings the home page lists, that meeting (it is republished), its latest past meeting, an event…"""
    from wagtail.models import Page

    from blog.models import BlogIndexPage
    from councils.models import CouncilPage
    from events.models import EventIndexPage, EventPage
    from home import demo_content
    from meetings.models import MeetingIndexPage, MeetingPage

    demo_slugs = {council["slug"] for council in demo_content.COUNCILS}
    home_list = list(MeetingPage.objects.listed().upcoming()[:6])

    def council_of(page):
        return CouncilPage.objects.ancestor_of(page).live().public().last()

    from django.test import Client

    # Meetings starting at the same time tie in the home page's order: keep those it shows now.
    home_html = Client(HTTP_HOST="127.0.0.1").get("/").content
    shown = [m for m in home_list if m.relative_url(None).encode() in home_html] or home_list
    candidates = [(m, council_of(m)) for m in shown]
    candidates = [(m, c) for m, c in candidates if c is not None]
    scaled = [(m, c) for m, c in candidates if c.slug not in demo_slugs]
    if not candidates:
        raise RuntimeError("no upcoming meeting of a public council: nothing to publish")
    published, council = (scaled or candidates)[0]
    meetings_index = MeetingIndexPage.objects.child_of(council).live().first()
    past = (
        MeetingPage.objects.descendant_of(council)
        .listed()
        .exclude(pk=published.pk)
        .filter(start__lt=published.start)
        .order_by("-start")
        .first()
    )
    event = (
        EventPage.objects.descendant_of(council).listed().order_by("-start").first()
        or EventPage.objects.listed().order_by("-start").first()
    )
    blog_index = BlogIndexPage.objects.live().public().order_by("depth").first()
    agenda = EventIndexPage.objects.live().public().order_by("depth").first()

    def url(page):
        return page.relative_url(None) if page else None

    urls = [
        ("home page", "/"),
        ("council page", url(council)),
        ("meeting", url(past or published)),
        ("news index", url(blog_index)),
        ("event", url(event)),
        ("search", "/recherche/?q=conseil"),
        ("iCal: council feed", url(meetings_index) + "calendrier/" if meetings_index else None),
        ("iCal: city agenda", url(agenda) + "calendrier/" if agenda else None),
    ]
    urls = [{"name": n, "path": p} for n, p in urls if p]
    print(
        json.dumps(
            {
                "urls": urls,
                "publish": {
                    "meeting_id": published.pk,
                    "title": published.title,
                    "url": url(published),
                    "pages": {
                        "council page": url(council),
                        "meetings index": url(meetings_index),
                        "home page": "/",
                    },
                },
                "council": council.title,
                "council_is_scaled": council.slug not in demo_slugs,
                "counts": {
                    "pages": Page.objects.count(),
                    "councils": CouncilPage.objects.count(),
                    "meetings": MeetingPage.objects.count(),
                    "events": EventPage.objects.count(),
                },
            }
        )
    )


def child_queries(paths):
    """Queries per request for each URL, in steady state (a first request fills the app's own caches)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for path in paths:
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        counts[path] = {"queries": len(queries), "status": response.status_code}
    print(json.dumps(counts))


def child_publish(meeting_id, pages, count, port, link=None):
    """Publish the meeting `count` times with a new title. One thread per page reads it through Varnish every
    10 ms; for each publish: the delay from its commit to the first read showing the new title, and the reads
    that still showed an old one although they started after the purge task had returned."""
    import threading
    import uuid

    from django.db import transaction

    from meetings.models import MeetingPage

    try:
        from core.tasks import cache_purge
    except ImportError:
        print(json.dumps({"available": False, "why": "core.tasks.cache_purge does not exist"}))
        return
    from django_tasks_db.models import DBTaskResult

    state = {"title": None, "stop": False}
    reads = {name: [] for name in pages}  # (started, ended, title looked for, shown, status X-Cache)

    def poll(name, path):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while not state["stop"]:
            title = state["title"]
            started = time.time()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
            except (http.client.HTTPException, OSError):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            shown = title is not None and title.encode() in body
            # A list can drop the meeting (ties in its order): such a read is not stale, it is "unlisted".
            listed = shown or link is None or link.encode() in body
            how = f"{response.status} {response.getheader('X-Cache', '-')}"
            reads[name].append((started, time.time(), title, shown, how, listed))
            time.sleep(0.01)
        connection.close()

    threads = [threading.Thread(target=poll, args=item, daemon=True) for item in pages.items()]
    for thread in threads:
        thread.start()
    results = []
    try:
        for n in range(count):
            title = f"Seance banc {uuid.uuid4().hex[:10]}"
            committed = {}
            page = MeetingPage.objects.get(pk=meeting_id)
            state["title"] = title
            with transaction.atomic():
                transaction.on_commit(lambda done=committed: done.setdefault("at", time.time()))
                page.title = title
                page.save_revision().publish()
            t0 = committed["at"]
            since = datetime.datetime.fromtimestamp(t0 - 0.5, tz=datetime.UTC)
            purge_done_at, deadline = None, t0 + 30
            while time.time() < deadline:
                time.sleep(0.02)
                if purge_done_at is None:
                    tasks = list(
                        DBTaskResult.objects.filter(task_path=cache_purge.module_path, enqueued_at__gte=since)
                    )
                    if tasks and all(t.finished_at for t in tasks):
                        purge_done_at = max(t.finished_at for t in tasks).timestamp()
                fresh = all(any(r[2] == title and r[3] for r in list(reads[name])) for name in pages)
                if fresh and purge_done_at and time.time() > purge_done_at + 0.2:
                    break
            mine = {name: [r for r in list(reads[name]) if r[2] == title] for name in pages}
            fresh_at = {
                name: min(r[1] for r in rows if r[3]) - t0
                for name, rows in mine.items()
                if any(r[3] for r in rows)
            }
            after = [
                (name, r)
                for name, rows in mine.items()
                for r in rows
                if purge_done_at and r[0] > purge_done_at
            ]
            stale = [(name, r) for name, r in after if not r[3] and r[5]]
            unlisted = sorted({name for name, r in after if not r[5]})
            results.append(
                {
                    "n": n,
                    "fresh": fresh_at,
                    "purge_task_done": (purge_done_at - t0) if purge_done_at else None,
                    "stale_after_purge": len(stale),
                    "stale_after_purge_pages": sorted({name for name, _ in stale}),
                    "stale_after_purge_kinds": dict(collections.Counter(r[4] for _, r in stale)),
                    "unlisted_after_purge": unlisted,
                    "reads": sum(len(rows) for rows in mine.values()),
                }
            )
            print(json.dumps(results[-1]), file=sys.stderr, flush=True)
            time.sleep(0.3)
    finally:
        state["stop"] = True
        for thread in threads:
            thread.join(timeout=70)
    print(json.dumps({"available": True, "results": results}))


def run_child(env, *arguments, timeout=900):
    result = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--child", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise RuntimeError(f"child {arguments[0]} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# -- The run -----------------------------------------------------------------------------------------------


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def measure_urls(urls, args, stack, notes):
    rows = []
    for item in urls:
        path, key = item["path"], item["key"]
        stack.alive(notes)
        row = {"name": item["name"], "path": path, "queries": item.get("queries")}
        # Warm: through Varnish, after a warm-up pass; X-Cache checked after the warm-up, counters over the run.
        varnish_url = f"http://127.0.0.1:{PORTS['varnish']}{path}"
        accept = ["Accept-Encoding: gzip"] if args.gzip else []
        wrk(varnish_url, args.warmup, args.threads, args.connections, headers=accept)
        status, headers, _ = fetch(PORTS["varnish"], path, headers=dict(h.split(": ") for h in accept))
        row["warm_status"], row["x_cache"] = status, headers.get("x-cache", "(none)")
        row["encoding"] = headers.get("content-encoding", "identity")
        before = varnish_counters()
        row["warm"] = wrk(varnish_url, args.duration, args.threads, args.connections, headers=accept)
        time.sleep(0.5)  # worker threads publish their counters in batches
        after = varnish_counters()
        delta = {k: after.get(k, 0) - before.get(k, 0) for k in after}
        looked = sum(
            delta.get(k, 0) for k in ("cache_hit", "cache_miss", "s_pass", "cache_hitmiss", "cache_hitpass")
        )
        row["hit_ratio"] = delta.get("cache_hit", 0) / looked if looked else None
        nginx_url = f"http://127.0.0.1:{PORTS['nginx']}/b/{key}"
        if not args.quick:  # a file server needs no warm-up; quick mode saves the seconds
            wrk(nginx_url, args.warmup, args.threads, args.connections, headers=accept)
        row["nginx"] = wrk(nginx_url, args.duration, args.threads, args.connections, headers=accept)
        # Cold: straight to gunicorn; the ceiling is the bare app under the same gunicorn.
        cold_url = f"http://127.0.0.1:{PORTS['gunicorn']}{path}"
        wrk(cold_url, args.warmup, args.threads, args.connections)
        gunicorn_drain()
        row["cold"] = wrk(cold_url, args.duration, args.threads, args.connections)
        gunicorn_drain()
        # One client at a time: the render time itself, without the queue in front of 2 workers.
        row["cold1"] = wrk(cold_url, max(2, args.duration // 2), 1, 1)
        gunicorn_drain()
        bare_url = f"http://127.0.0.1:{PORTS['bare']}/b/{key}"
        if not args.quick:
            wrk(bare_url, args.warmup, args.threads, args.connections)
        row["bare"] = wrk(bare_url, args.duration, args.threads, args.connections)
        row["warm_ratio"] = row["warm"]["rps"] / row["nginx"]["rps"] if row["nginx"]["rps"] else 0.0
        row["cold_ratio"] = row["cold"]["rps"] / row["bare"]["rps"] if row["bare"]["rps"] else 0.0
        hits = "?" if row["hit_ratio"] is None else f"{row['hit_ratio']:.0%}"
        errors = sum(row[k]["errors"] for k in ("warm", "nginx", "cold", "cold1", "bare"))
        log(
            f"{item['name']:<20} warm {row['warm']['rps']:8.0f}/s ({row['x_cache']}, hits {hits}) "
            f"nginx {row['nginx']['rps']:8.0f}/s ({row['warm_ratio']:.0%}) | cold {row['cold']['rps']:6.1f}/s "
            f"p95 {fmt(row['cold']['p95'], 0)} ms, bare {row['bare']['rps']:6.0f}/s ({row['cold_ratio']:.1%})"
            + (f" — {errors} errors (wrk: connect/read/timeout/status ≥ 400)" if errors else "")
        )
        rows.append(row)
    return rows


def gunicorn_drain():
    """Wait until gunicorn has answered what wrk left queued (a request sent now is served after them), so
    that the next measurement, or the next publish, does not wait behind an abandoned backlog."""
    started = time.monotonic()
    with contextlib.suppress(OSError, http.client.HTTPException):
        fetch(PORTS["gunicorn"], "/robots.txt", timeout=120)
    return time.monotonic() - started


def publish_to_fresh(env, picked, args):
    """Publishes under wrk's load on the council page through Varnish (the load stops with the publishes)."""
    council_path = picked["publish"]["pages"]["council page"]
    pages = {name: path for name, path in picked["publish"]["pages"].items() if path}
    # Only pages that show the meeting (link to it) today can show its new title.
    link = picked["publish"]["url"]
    for name, path in list(pages.items()):
        for _ in range(3):
            status, headers, body = fetch(PORTS["varnish"], path)
            if status == 200:
                break
            time.sleep(1)
        if link.encode() not in body:
            log(
                f"publish: {name} ({path}: {status}, {len(body)} bytes, X-Cache {headers.get('x-cache')}) does "
                f"not link to the meeting {link}: not polled"
            )
            pages.pop(name)
    load = subprocess.Popen(  # noqa: S603
        [
            WRK,
            f"-t{args.threads}",
            f"-c{args.connections}",
            "-d600s",
            "--latency",
            "-s",
            str(wrk_script()),
            f"http://127.0.0.1:{PORTS['varnish']}{council_path}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        time.sleep(1)
        outcome = run_child(
            env,
            "publish",
            json.dumps(
                {
                    "meeting_id": picked["publish"]["meeting_id"],
                    "pages": pages,
                    "count": args.publishes,
                    "port": PORTS["varnish"],
                    "link": link,
                }
            ),
        )
    finally:
        if load.poll() is None:
            load.send_signal(signal.SIGINT)
        try:
            output = load.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            load.kill()
            output = load.communicate()[0]
    outcome["pages"] = pages
    with contextlib.suppress(RuntimeError):
        outcome["load"] = wrk_parse(output)
    return fresh_summary(outcome)


def fresh_summary(outcome):
    """p50/p99 from commit to fresh on every page that lists the meeting, and the stale reads after the
    purge. A page that never showed a new title is left out as not listing the meeting (the home page's six
    soonest meetings tie at scale: its order can drop it), not counted as stale."""
    if not outcome.get("available"):
        return outcome
    results = outcome["results"]
    pages = dict(outcome["pages"])
    unlisted = {name for name in pages if not any(name in r["fresh"] for r in results)}
    for r in results:
        unlisted |= set(r.get("unlisted_after_purge", []))
        if "unlisted_after_purge" not in r and set(r["stale_after_purge_pages"]) <= unlisted:
            r["stale_after_purge"] = (
                0  # (a run before reads knew the link: its only "stale" page was unlisted)
            )
    outcome["unlisted"] = sorted(unlisted)
    pages = {name: path for name, path in pages.items() if name not in unlisted}
    outcome["listed_pages"] = pages
    everywhere = [
        max(r["fresh"][name] for name in pages)
        for r in results
        if pages and all(name in r["fresh"] for name in pages)
    ]
    outcome["all_fresh"] = len(everywhere)
    outcome["fresh_p50"] = statistics.median(everywhere) if everywhere else None
    outcome["fresh_p99"] = percentile(everywhere, 0.99)
    outcome["fresh_max"] = max(everywhere) if everywhere else None
    outcome["per_page"] = {
        name: {
            "p50": statistics.median([r["fresh"][name] for r in results if name in r["fresh"]]),
            "p99": percentile([r["fresh"][name] for r in results if name in r["fresh"]], 0.99),
        }
        for name in outcome["pages"]
        if any(name in r["fresh"] for r in results)
    }
    done = [r["purge_task_done"] for r in results if r["purge_task_done"] is not None]
    outcome["purge_done_p50"] = statistics.median(done) if done else None
    outcome["purge_done_p99"] = percentile(done, 0.99)
    outcome["stale_after_purge"] = sum(r["stale_after_purge"] for r in results)
    kinds = collections.Counter()
    for r in results:
        if r["stale_after_purge"]:
            kinds.update(r.get("stale_after_purge_kinds", {}))
    outcome["stale_kinds"] = dict(kinds)
    outcome["never_fresh"] = len(results) - len(everywhere)
    return outcome


def other_benchmarks(args):
    """bench/newsletter_bench.py and bench/sortition_bench.py as they are; their lines parsed for the table."""
    out = {"newsletter": [], "sortition": [], "errors": []}
    newsletter_args = ["--subscribers", "2000", "--plan", "1x2"] if args.quick else []
    sortition_args = ["--plan", "legacy:500:40,maximin:100:15"] if args.quick else []
    clean_env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    # newsletter_bench.py drops and recreates its database: never let it take ours.
    clean_env["PARVIS_NEWSLETTER_BENCH_DATABASE"] = "parvis_bench_newsletter"
    newsletter_db = newsletter_database()
    runs = [("sortition", "sortition_bench.py", sortition_args)]
    if newsletter_db != DATABASE:
        runs.insert(0, ("newsletter", "newsletter_bench.py", newsletter_args))
    else:
        out["errors"].append(
            "newsletter: skipped — bench/newsletter_bench.py drops the database `parvis_bench` this benchmark "
            "keeps; run it alone (`python bench/newsletter_bench.py`) or give it its own database"
        )
    for kind, script, extra in runs:
        log(f"{kind}: bench/{script} {' '.join(extra)}")
        result = subprocess.run(  # noqa: S603
            [sys.executable, str(ROOT / "bench" / script), *extra],
            cwd=ROOT,
            env=clean_env,
            capture_output=True,
            text=True,
        )
        lines = [line for line in result.stdout.splitlines() if line.startswith(f"{kind}:")]
        for line in lines:
            print(line, flush=True)
        out[kind] = lines
        if result.returncode:
            out["errors"].append(f"{kind}: exit status {result.returncode}: {result.stderr.strip()[-500:]}")
    return out


def newsletter_database():
    """The database bench/newsletter_bench.py would drop, with the environment we give it."""
    text = (ROOT / "bench" / "newsletter_bench.py").read_text()
    match = re.search(r"^DATABASE\s*=\s*(.+)$", text, re.M)
    if not match:
        return DATABASE
    expression = match.group(1)
    if "PARVIS_NEWSLETTER_BENCH_DATABASE" in expression:
        return "parvis_bench_newsletter"
    literal = re.search(r'"([^"]+)"', expression)
    return literal.group(1) if literal else DATABASE


# -- Report ------------------------------------------------------------------------------------------------


def machine():
    def first(command):
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=10)  # noqa: S603
            return (out.stdout + out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"

    cpuinfo = pathlib.Path("/proc/cpuinfo").read_text()
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    meminfo = pathlib.Path("/proc/meminfo").read_text()
    ram = int(re.search(r"MemTotal:\s*(\d+)", meminfo).group(1)) / 1024 / 1024
    import django

    import wagtail

    return {
        "cpus": os.cpu_count(),
        "cpu": model.group(1).strip() if model else platform.processor(),
        "ram": f"{ram:.1f} GiB",
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "wagtail": wagtail.__version__,
        "postgresql": first(["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SHOW server_version"]),
        "varnish": first([VARNISHD, "-V"]).replace("varnishd ", ""),
        "nginx": first([NGINX, "-v"]).replace("nginx version: ", ""),
        "gunicorn": first([str(pathlib.Path(sys.executable).parent / "gunicorn"), "--version"]),
        "wrk": first([WRK, "-v"]).split(" [")[0],
    }


def fmt(value, digits=1, unit=""):
    return "—" if value is None else f"{value:,.{digits}f}{unit}"


def table(rows):
    head = (
        "| URL | warm rps | p50 | p95 | p99 | X-Cache (hits) | nginx rps | warm/nginx "
        "| cold rps | p50 | p95 | p99 | bare rps | cold/bare | 1 client: p50 | p95 | queries |\n"
        "|---|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n"
    )
    lines = []
    for r in rows:
        w, c, one = r["warm"], r["cold"], r["cold1"]
        cache = f"{r['x_cache']} ({'?' if r['hit_ratio'] is None else format(r['hit_ratio'], '.0%')})"
        if r["name"] == "search":
            cache += " — never cached: passes"
        queries = r.get("queries") or {}
        lines.append(
            f"| {r['name']} `{r['path']}` | {w['rps']:,.{0 if w['rps'] >= 100 else 1}f} | {fmt(w['p50'], 2)} | {fmt(w['p95'], 2)} "
            f"| {fmt(w['p99'], 2)} | {cache} | {r['nginx']['rps']:,.0f} | {r['warm_ratio']:.0%} "
            f"| {c['rps']:,.1f} | {fmt(c['p50'], 0)} | {fmt(c['p95'], 0)} | {fmt(c['p99'], 0)} "
            f"| {r['bare']['rps']:,.0f} | {r['cold_ratio']:.2%} | {fmt(one['p50'], 0)} | {fmt(one['p95'], 0)} "
            f"| {queries.get('queries', '—')} |"
        )
    return head + "\n".join(lines) + "\n"


def failed_rows(failed):
    return "".join(f"| {f['name']} `{f['path']}` | not measured: {f['why']} |\n" for f in failed)


def targets(rows, fresh, counts, connections, failed=()):
    cacheable = [r for r in rows if r["name"] != "search"]
    warm_min = min((r["warm_ratio"] for r in cacheable), default=0)
    cold_median = statistics.median([r["cold_ratio"] for r in rows]) if rows else 0
    p95 = {r["name"]: r["cold"]["p95"] for r in rows if r["name"] in ("council page", "search")}
    p95_one = {r["name"]: r["cold1"]["p95"] for r in rows if r["name"] in ("council page", "search")}
    pages = counts.get("pages", 0)
    status = []
    if failed:
        status.append(
            (
                "Every benchmarked URL answers (not an issue target: a precondition)",
                "; ".join(f"{f['name']} `{f['path']}` {f['why']}" for f in failed),
                False,
            )
        )
    status.append(
        (
            f"Warm pages through Varnish ≥ {TARGET_WARM_RATIO:.0%} of nginx serving the same bytes",
            f"lowest {warm_min:.0%} (median {statistics.median([r['warm_ratio'] for r in cacheable]):.0%}); "
            "search excluded: it is never cached"
            if cacheable
            else "not measured",
            bool(cacheable) and warm_min >= TARGET_WARM_RATIO,
        )
    )
    status.append(
        (
            f"Cold pages ≥ {TARGET_COLD_RATIO:.0%} of the bare-WSGI ceiling at the median page",
            f"median {cold_median:.2%}",
            cold_median >= TARGET_COLD_RATIO,
        )
    )
    scale_note = "" if pages >= 100_000 else f" — measured at {pages:,} pages, not 100,000"
    for figures, how in ((p95, f"{connections} connections on 2 workers"), (p95_one, "one client at a time")):
        status.append(
            (
                f"Council page and search p95 under {TARGET_P95_MS:.0f} ms (cold) at 100,000 pages — {how}",
                ", ".join(
                    f"{k} {fmt(v, 0, ' ms') if v is not None else 'none completed in the run'}"
                    for k, v in figures.items()
                )
                + scale_note,
                bool(figures)
                and all(v is not None and v < TARGET_P95_MS for v in figures.values())
                and pages >= 100_000,
            )
        )
    queries = [r["queries"]["queries"] for r in rows if r.get("queries")]
    status.append(
        (
            "Queries per page ≤ 12 (the target is a test; counted here too, steady state)",
            f"highest {max(queries)}" if queries else "not counted",
            bool(queries) and max(queries) <= 12,
        )
    )
    if fresh.get("available") and fresh.get("fresh_p99") is not None:
        status.append(
            (
                f"Publish to fresh p99 under {TARGET_FRESH_P99_S:.0f} s, 0 stale reads after the purge returned",
                f"p99 {fresh['fresh_p99']:.3f} s, {fresh['stale_after_purge']} stale reads after the purge, "
                f"{fresh['never_fresh']} publishes never fresh",
                fresh["fresh_p99"] < TARGET_FRESH_P99_S
                and fresh["stale_after_purge"] == 0
                and not fresh["never_fresh"],
            )
        )
    else:
        status.append(("Publish to fresh p99 under 1 s, 0 stale reads", "not available", False))
    return status


def report(ctx):
    rows, fresh, others, args = ctx["rows"], ctx["fresh"], ctx["others"], ctx["args"]
    m, counts = ctx["machine"], ctx["picked"]["counts"]
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `bench/stack.py` (`make bench`) on {ctx['date']:%Y-%m-%d %H:%M} UTC"
        + (" — **quick mode: a smoke run, not the figures**" if args.quick else "")
        + ". Rerun it rather than editing this file.",
        "",
        "## Machine",
        "",
        f"- {m['cpus']} CPUs ({m['cpu']}), {m['ram']} RAM, Linux {m['kernel']}",
        f"- PostgreSQL {m['postgresql']}, Varnish {m['varnish']}, nginx {m['nginx']}, {m['gunicorn']}, "
        f"Python {m['python']}, Django {m['django']}, Wagtail {m['wagtail']}, {m['wrk']}",
        f"- Load average {ctx['load_start']:.2f} at the start, {ctx['load_end']:.2f} at the end. wrk, the app, "
        "Varnish, nginx and PostgreSQL share the same cores: the ratios, measured side by side, mean more than "
        "the absolute figures.",
        "",
        "## What ran",
        "",
        f"- Data: `seed_demo{' --scale ' + str(ctx['scale']) if ctx['scale'] else ''}` in PostgreSQL "
        f"`{DATABASE}`: {counts['pages']:,} pages, {counts['councils']} councils, {counts['meetings']:,} meetings, "
        f"{counts['events']:,} events."
        + ("" if ctx["scale"] else " (seed_demo had no `--scale` yet: the demo's size, not a city's.)"),
        f"- Council benchmarked: {ctx['picked']['council']}"
        + ("" if ctx["picked"]["council_is_scaled"] else " (one of the demo's: the data has no other)")
        + ".",
        f"- App: `config.settings.production` (SECURE_SSL_REDIRECT=false: no TLS behind the bench), gunicorn "
        f"2 sync workers{' with deploy/gunicorn.conf.py' if GUNICORN_CONF.exists() else ''} on "
        f":{PORTS['gunicorn']}, Redis DB 9 as Django's cache, `manage.py run_worker`.",
        f"- Varnish on :{PORTS['varnish']} (`-s malloc,256m "
        f"{' '.join('-p ' + p for p in ctx['varnish_params'])}`): {ctx['vcl']}.",
        f"- Ceilings: nginx on :{PORTS['nginx']} serving each body Parvis answered as a file with its content type; "
        f"`bench/bare_wsgi.py` serving the same bodies from memory under the same gunicorn settings on :{PORTS['bare']}.",
        f"- Load: `wrk -t{args.threads} -c{args.connections} -d{args.duration}s --timeout {args.timeout}s --latency` "
        f"after a {args.warmup} s warm-up, one URL and one server at a time"
        + (
            ", with `Accept-Encoding: gzip` through Varnish and nginx (as browsers send it: Varnish stores text "
            "gzipped, nginx serves the same gzipped bytes with gzip_static)"
            if args.gzip
            else ""
        )
        + ". Latencies in ms. Cold runs queue 16 connections in front of 2 sync workers, so their latency is "
        f"mostly queueing: `1 client` is `wrk -t1 -c1 -d{max(2, args.duration // 2)}s` on gunicorn, the render "
        "time itself. `queries`: database queries of one anonymous request in steady state (Django test client "
        "on the same settings).",
        f"- Command: `{ctx['command']}`",
        "",
        "## Pages",
        "",
        "Warm = through Varnish; cold = straight to gunicorn. X-Cache is the header after the warm-up; hits = "
        "share of Varnish lookups that were hits during the run.",
        "",
        table(rows) + failed_rows(ctx.get("failed", [])),
        "## Publish to fresh, under load",
        "",
    ]
    if fresh.get("available"):
        load = fresh.get("load") or {}
        lines += [
            f"{len(fresh['results'])} publishes (`save_revision().publish()`, a new title each time) of a meeting of "
            f"that council while wrk loaded the council page through Varnish "
            f"({fmt(load.get('rps'), 0)} requests/s, p99 {fmt(load.get('p99'), 2)} ms over the run). "
            f"Time from the commit to the new title through Varnish, polled every 10 ms on "
            f"{', '.join(f'{n} `{p}`' for n, p in fresh['pages'].items())}:",
            "",
            *(
                [
                    f"- Left out: {', '.join(fresh['unlisted'])} — it stopped listing the meeting during the run "
                    "(the home page shows the six soonest meetings; at scale many start at the same time and "
                    "their order among equals is not fixed), so its reads are neither fresh nor stale."
                ]
                if fresh.get("unlisted")
                else []
            ),
            f"- On every page that lists it ({', '.join(fresh.get('listed_pages', fresh['pages']))}): "
            f"p50 {fmt(fresh['fresh_p50'], 3)} s, p99 {fmt(fresh['fresh_p99'], 3)} s, "
            f"max {fmt(fresh['fresh_max'], 3)} s; not fresh everywhere within 30 s: {fresh['never_fresh']}.",
            *(
                f"- {name}: p50 {fmt(v['p50'], 3)} s, p99 {fmt(v['p99'], 3)} s"
                for name, v in fresh.get("per_page", {}).items()
            ),
            f"- Purge task (`core.tasks.cache_purge`) finished, after the commit: p50 {fmt(fresh['purge_done_p50'], 3)} s, "
            f"p99 {fmt(fresh.get('purge_done_p99'), 3)} s (the worker takes tasks in order — after the publish's "
            "search-index and reference-index tasks — and sleeps PARVIS_WORKER_INTERVAL, 1 s, when idle).",
            f"- Stale reads after the purge task had finished: **{fresh['stale_after_purge']}**"
            + (
                f" (status and X-Cache of those reads: {fresh['stale_kinds']})"
                if fresh.get("stale_kinds")
                else ""
            )
            + ".",
            "",
        ]
    else:
        lines += [f"Not available: {fresh.get('why', 'the purge task does not exist yet')}.", ""]
    lines += [
        "## Newsletter and sortition",
        "",
        "From `bench/newsletter_bench.py` and `bench/sortition_bench.py`"
        + (" (quick mode: small runs)" if args.quick else "")
        + ":",
        "",
    ]
    lines += [f"- {line}" for line in others["newsletter"] + others["sortition"]]
    lines += [f"- {error}" for error in others["errors"]]
    lines += ["", "## Targets (issue #19)", "", "| Target | Measured | Met |", "|---|---|---|"]
    lines += [f"| {t} | {measured} | {'yes' if ok else '**no**'} |" for t, measured, ok in ctx["targets"]]
    if ctx.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {note}" for note in ctx["notes"]]
    return "\n".join(lines) + "\n"


def report_again(path, output):
    """The report from a run's saved figures (its derived publish-to-fresh figures computed again)."""
    ctx = json.loads(path.read_text())
    args = argparse.Namespace(**ctx["args"])
    ctx["args"] = args
    ctx["date"] = datetime.datetime.fromisoformat(ctx["date"])
    ctx["fresh"] = fresh_summary(ctx["fresh"])
    if "machine" not in ctx:
        ctx["machine"] = machine()
    ctx["targets"] = targets(
        ctx["rows"], ctx["fresh"], ctx["picked"]["counts"], args.connections, ctx.get("failed", [])
    )
    target = (
        pathlib.Path(output)
        if output
        else (WORK / "benchmarks-quick.md" if args.quick else ROOT / "docs" / "benchmarks.md")
    )
    target.write_text(report(ctx))
    log(f"report written again to {target} from {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        type=int,
        default=None,
        help="seed_demo --scale (default 50; --quick: what the DB holds, else 2)",
    )
    parser.add_argument("--quick", action="store_true", help="small scale, 3 s runs: checks that it works")
    parser.add_argument(
        "--duration", type=int, default=None, help="seconds per wrk run (default 10; 3 quick)"
    )
    parser.add_argument(
        "--warmup", type=int, default=None, help="seconds of warm-up before each (default 2; 1)"
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--timeout", type=int, default=30, help="wrk's timeout per request, seconds")
    parser.add_argument(
        "--publishes", type=int, default=None, help="publish-to-fresh samples (default 20; 5)"
    )
    parser.add_argument(
        "--no-gzip",
        dest="gzip",
        action="store_false",
        help="warm and nginx runs without Accept-Encoding: gzip (browsers send it; Varnish stores text gzipped)",
    )
    parser.add_argument("--serve", action="store_true", help="bring the stack up and keep it up (debugging)")
    parser.add_argument(
        "--reload", action="store_true", help="reseed parvis_bench even if its marker matches"
    )
    parser.add_argument(
        "--no-others", action="store_true", help="skip the newsletter and sortition benchmarks"
    )
    parser.add_argument("--output", default=None, help="the report (default docs/benchmarks.md; quick: /tmp)")
    parser.add_argument(
        "--report-from",
        help="write the report again from a run's raw figures (/tmp/parvis-bench/last-run.json)",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        django_setup()
        kind, *rest = args.child
        if kind == "pick":
            child_pick(int(rest[0]))
        elif kind == "queries":
            child_queries(json.loads(rest[0]))
        elif kind == "publish":
            spec = json.loads(rest[0])
            child_publish(spec["meeting_id"], spec["pages"], spec["count"], spec["port"], spec.get("link"))
        return
    if args.report_from:
        report_again(pathlib.Path(args.report_from), args.output)
        return
    quick = args.quick
    global WRK_TIMEOUT  # noqa: PLW0603 (one setting for every wrk run)
    WRK_TIMEOUT = args.timeout
    if args.scale is None:
        # Quick mode reuses what parvis_bench holds (a full run's scale-50 data is not thrown away for it).
        args.scale = (marker_scale() or 2) if quick else 50
    args.duration = args.duration or (3 if quick else 10)
    args.warmup = args.warmup or (1 if quick else 2)
    args.publishes = args.publishes or (5 if quick else 20)
    output = (
        pathlib.Path(args.output)
        if args.output
        else (WORK / "benchmarks-quick.md" if quick else ROOT / "docs" / "benchmarks.md")
    )

    def terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    ctx = {
        "args": args,
        "date": datetime.datetime.now(datetime.UTC),
        "load_start": os.getloadavg()[0],
        "command": " ".join(["python", "bench/stack.py", *sys.argv[1:]]),
        "notes": [],
    }
    env = bench_env(secrets.token_urlsafe(50))
    stack = Stack()
    try:
        ctx["scale"], _ = data_prepare(env, args.scale, reload=args.reload)
        shutil.rmtree(WORK / "static", ignore_errors=True)
        manage(env, "collectstatic", "--noinput", "-v0")
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        for path in (WORK / "bytes",):
            shutil.rmtree(path, ignore_errors=True)
            (path / "b").mkdir(parents=True)

        stack.start(
            "gunicorn", gunicorn_command("config.wsgi:application", PORTS["gunicorn"]), env, PORTS["gunicorn"]
        )
        stack.start("worker", [sys.executable, "manage.py", "run_worker"], env)
        vcl, vcl_params, ctx["vcl"] = vcl_prepare()
        ctx["varnish_params"] = varnish_params() + vcl_params
        shutil.rmtree(VARNISH_DIR, ignore_errors=True)
        stack.start(
            "varnish",
            [
                VARNISHD,
                "-F",
                "-n",
                VARNISH_DIR,
                "-a",
                f"127.0.0.1:{PORTS['varnish']}",
                "-f",
                str(vcl),
                "-s",
                "malloc,256m",
                *[x for p in ctx["varnish_params"] for x in ("-p", p)],
            ],
            port=PORTS["varnish"],
        )

        picked = run_child(env, "pick", str(ctx["scale"]))
        ctx["picked"] = picked
        log(f"data: {picked['counts']}; council “{picked['council']}”")
        urls, index = [], {}
        ctx["failed"] = []
        for key, item in enumerate(picked["urls"]):
            asked = time.monotonic()
            status, headers, body = fetch(PORTS["gunicorn"], item["path"], timeout=120)
            if status != 200:
                seconds = time.monotonic() - asked
                why = f"answered {status} after {seconds:.1f} s"
                if seconds >= 29:
                    why += " (gunicorn's worker timeout, 30 s in deploy/gunicorn.conf.py, killed the render)"
                log(f"{item['name']} {item['path']} {why}: not measured")
                ctx["failed"].append({**item, "why": why})
                continue
            content_type = headers.get("content-type", "text/html; charset=utf-8")
            (WORK / "bytes" / "b" / str(key)).write_bytes(body)
            # What Varnish sends a browser (it stores text compressed): nginx serves those bytes (gzip_static).
            gzip_bytes = None
            if args.gzip:
                _, vheaders, vbody = fetch(PORTS["varnish"], item["path"], {"Accept-Encoding": "gzip"})
                if vheaders.get("content-encoding") == "gzip":
                    (WORK / "bytes" / "b" / f"{key}.gz").write_bytes(vbody)
                    gzip_bytes = len(vbody)
            index[f"/b/{key}"] = [f"b/{key}", content_type]
            urls.append(
                {
                    **item,
                    "key": key,
                    "content_type": content_type,
                    "bytes": len(body),
                    "gzip_bytes": gzip_bytes,
                }
            )
        (WORK / "bytes" / "index.json").write_text(json.dumps(index))
        # Only for what answered: a render gunicorn kills at 30 s has no time limit in the test client.
        queries = run_child(env, "queries", json.dumps([u["path"] for u in urls]))
        for item in urls:
            item["queries"] = queries.get(item["path"])
        stack.start(
            "nginx",
            [NGINX, "-e", str(WORK / "nginx" / "error.log"), "-c", str(nginx_conf(urls))],
            port=PORTS["nginx"],
        )
        stack.start(
            "bare",
            gunicorn_command("bare_wsgi:application", PORTS["bare"], pythonpath=str(ROOT / "bench")),
            {**env, "DJANGO_SETTINGS_MODULE": ""},
            PORTS["bare"],
        )
        for item in urls:
            status, headers, body = fetch(PORTS["nginx"], f"/b/{item['key']}")
            assert status == 200 and len(body) == item["bytes"], f"nginx serves /b/{item['key']} wrong"
            if item.get("gzip_bytes"):
                status, headers, body = fetch(
                    PORTS["nginx"], f"/b/{item['key']}", {"Accept-Encoding": "gzip"}
                )
                assert headers.get("content-encoding") == "gzip" and len(body) == item["gzip_bytes"], (
                    f"nginx serves /b/{item['key']}.gz wrong"
                )
            status, headers, body = fetch(PORTS["bare"], f"/b/{item['key']}")
            assert status == 200 and len(body) == item["bytes"], f"bare app serves /b/{item['key']} wrong"

        if args.serve:
            log(
                f"serving (Ctrl+C or SIGTERM to stop): Varnish http://127.0.0.1:{PORTS['varnish']}/, gunicorn "
                f"http://127.0.0.1:{PORTS['gunicorn']}/, logs in {WORK}/logs; URLs: {[u['path'] for u in urls]}"
            )
            while True:
                time.sleep(1)
                stack.alive(ctx["notes"])
        ctx["rows"] = measure_urls(urls, args, stack, ctx["notes"])
        for row in ctx["rows"]:
            if row["warm_status"] != 200 or row["warm"]["non_2xx_3xx"] or row["cold"]["non_2xx_3xx"]:
                ctx["notes"].append(
                    f"{row['name']}: errors (status {row['warm_status']}, "
                    f"{row['warm']['non_2xx_3xx']} warm / {row['cold']['non_2xx_3xx']} cold ≥ 400)"
                )
            if row["name"] != "search" and row["hit_ratio"] is not None and row["hit_ratio"] < 0.99:
                ctx["notes"].append(
                    f"{row['name']}: only {row['hit_ratio']:.0%} of Varnish lookups were hits (X-Cache "
                    f"{row['x_cache']}): this response is not stored — the warm column is the app's speed"
                )
        stack.alive(ctx["notes"])
        log(f"publish to fresh: {args.publishes} publishes under load")
        ctx["fresh"] = publish_to_fresh(env, picked, args)
        stack.alive(ctx["notes"])
    finally:
        stack.stop()
    ctx["others"] = (
        {"newsletter": [], "sortition": [], "errors": ["skipped (--no-others)"]}
        if args.no_others
        else other_benchmarks(args)
    )
    ctx["load_end"] = os.getloadavg()[0]
    ctx["machine"] = machine()
    # The raw figures, to write the report again without a rerun if writing it fails.
    (WORK / "last-run.json").write_text(
        json.dumps(
            {k: v for k, v in ctx.items() if k != "args"} | {"args": vars(args)}, default=str, indent=1
        )
    )
    ctx["targets"] = targets(
        ctx["rows"], ctx["fresh"], ctx["picked"]["counts"], args.connections, ctx.get("failed", [])
    )
    text = report(ctx)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    print()
    print(text)
    log(f"report written to {output} ({time.monotonic() - started:.0f} s in all)")
    sys.exit(
        1
        if ctx["others"]["errors"]
        and not args.no_others
        and any("exit status" in e for e in ctx["others"]["errors"])
        else 0
    )


if __name__ == "__main__":
    main()
