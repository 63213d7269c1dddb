#
# The site's own part of parvis.vcl (included by it): the application instances, their health probe, and
# who may purge. Copy both files to /etc/varnish/ and edit this one.
#

import directors;

# The application's health check, without the worker's heartbeat (a stopped worker must not take the web
# instances out). Host: one of ALLOWED_HOSTS. production.py exempts /healthz from the HTTPS redirect.
probe parvis_health {
    .request =
        "GET /healthz?scope=web HTTP/1.1"
        "Host: localhost"
        "User-Agent: varnish-probe"
        "Connection: close";
    # Patient: under a spike the probe waits in line behind page renders. An instance is taken out after
    # 6 failed probes of the last 8 (about 40 s), not after a few slow answers: with one instance left, a
    # sick backend turns every miss into a 503.
    .interval = 5s;
    .timeout = 10s;
    .window = 8;
    .threshold = 3;
    .initial = 3;
}

# One backend per gunicorn instance (systemd: parvis-web@8001, parvis-web@8002).
backend web8001 {
    .host = "127.0.0.1";
    .port = "8001";
    .probe = parvis_health;
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
    .between_bytes_timeout = 30s;
}

backend web8002 {
    .host = "127.0.0.1";
    .port = "8002";
    .probe = parvis_health;
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
    .between_bytes_timeout = 30s;
}

sub vcl_init {
    new parvis_web = directors.round_robin();
    parvis_web.add_backend(web8001);
    parvis_web.add_backend(web8002);
}

sub parvis_backend {
    set req.backend_hint = parvis_web.backend();
}

# Who may PURGE and read the tags (X-Parvis-Debug-Tags): the workers that send purges
# (VARNISH_PURGE_URLS). Add a worker on another machine by its address, e.g. "192.0.2.15"; or a
# network, "192.0.2.0"/24. Requests relayed by a proxy (nginx) are never trusted, whatever its address.
acl parvis_purgers {
    "127.0.0.1";
    "::1";
}
