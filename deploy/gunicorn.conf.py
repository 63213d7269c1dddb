"""gunicorn settings for one Parvis instance (`gunicorn -c deploy/gunicorn.conf.py`).

Everything comes from the environment, so one file serves every instance: systemd's parvis-web@.service
adds `--bind 127.0.0.1:<instance>` (parvis-web@8001 → 127.0.0.1:8001), which overrides GUNICORN_BIND.

- Sync workers: a page is CPU work (templates) plus database round trips; Varnish in front absorbs slow
  clients and keeps the hits away. GUNICORN_WORKERS, default 2 × cores + 1.
- Each worker is replaced after about GUNICORN_MAX_REQUESTS requests (± jitter, so they do not all
  restart at once): memory a long-lived process gathers is given back.
- The access log is one JSON object per line, with the path but never the query string (what residents
  search is not recorded) nor the client's address (nginx's log has it, behind Varnish gunicorn sees only
  Varnish's).
"""

import json
import multiprocessing
import os
import time

from gunicorn.glogging import Logger


def env_int(name, default):
    return int(os.environ.get(name, default))


wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001").split(",")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "parvis-web")

worker_class = "sync"
workers = env_int("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1)
max_requests = env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# A request that takes longer than this has its worker killed and restarted (Varnish answers 503 after
# its own first_byte_timeout of 60 s). Graceful: the time a worker gets to finish on HUP or stop.
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = env_int("GUNICORN_KEEPALIVE", 5)
# Workers' heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = os.environ.get(
    "GUNICORN_WORKER_TMP_DIR",
    "/dev/shm" if os.path.isdir("/dev/shm") else None,  # noqa: S108 (gunicorn's advice: memory, not disk)
)

# Varnish on this machine sets X-Forwarded-For and passes nginx's X-Forwarded-Proto; Django reads them
# (SECURE_PROXY_SSL_HEADER, TRUSTED_PROXY_COUNT).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


class JsonAccessLogger(Logger):
    """gunicorn's logger, with each access line a JSON object (gunicorn's own format does not escape)."""

    def access(self, resp, req, environ, request_time):
        if not (self.cfg.accesslog or self.cfg.logconfig or self.cfg.logconfig_dict or self.cfg.syslog):
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "logger": "gunicorn.access",
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "pid": os.getpid(),
            "referer": environ.get("HTTP_REFERER", "").split("?", 1)[0] or None,
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "via_varnish": "HTTP_X_VARNISH" in environ,
        }
        try:
            self.access_log.info(json.dumps(entry, ensure_ascii=False))
        except Exception:  # noqa: BLE001 (a log line must never break a response)
            self.exception("Failed to write the access log line")


logger_class = JsonAccessLogger
