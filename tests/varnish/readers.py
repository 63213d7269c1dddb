"""Readers for the load test, in a process of their own (`python -m tests.varnish.readers`) so that their
threads do not take the publishing test's interpreter lock: each thread reads the given paths in turn
through Varnish until standard input closes, and prints one JSON line per read —
[path, started (time.monotonic(), the same clock in every process), versions shown, X-Cache, status].

Arguments: base URL, number of threads, a regular expression whose group 1 is a version number, paths.
"""

import html
import json
import re
import sys
import threading
import time

import requests


def main(base, threads, pattern, paths):
    version = re.compile(pattern)
    stop = threading.Event()
    output = threading.Lock()

    def read(offset):
        session = requests.Session()
        turn = offset
        while not stop.is_set():
            path = paths[turn % len(paths)]
            turn += 1
            started = time.monotonic()
            try:
                response = session.get(base + path, timeout=30, allow_redirects=False)
            except requests.RequestException as exc:
                line = json.dumps(["error", started, [], str(exc), 0])
            else:
                shown = sorted({int(v) for v in version.findall(html.unescape(response.text))})
                line = json.dumps(
                    [path, started, shown, response.headers.get("X-Cache"), response.status_code]
                )
            with output:
                sys.stdout.write(line + "\n")
                sys.stdout.flush()

    workers = [threading.Thread(target=read, args=(n,), daemon=True) for n in range(threads)]
    for worker in workers:
        worker.start()
    sys.stdin.read()  # until the test closes it
    stop.set()
    for worker in workers:
        worker.join(timeout=30)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:])
