"""The cold ceiling of bench/stack.py: the bytes Parvis answered, served from memory by a bare WSGI app under
the same gunicorn settings, so "cold / bare" measures what Django, Wagtail and the database cost."""

import json
import os
import pathlib

_DIR = pathlib.Path(os.environ.get("PARVIS_BENCH_BODIES", "/tmp/parvis-bench/bytes"))  # noqa: S108
_INDEX = json.loads((_DIR / "index.json").read_text()) if (_DIR / "index.json").exists() else {}
_BODIES = {path: ((_DIR / name).read_bytes(), ctype) for path, (name, ctype) in _INDEX.items()}


def application(environ, start_response):
    body, content_type = _BODIES.get(environ["PATH_INFO"], (b"", "text/plain"))
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    start_response("200 OK" if body else "404 Not Found", headers)
    return [body]
