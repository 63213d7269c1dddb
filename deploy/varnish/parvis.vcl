#
# Parvis's cache in front of the application (Varnish 7 from Debian, xkey from varnish-modules).
#
# It implements the HTTP cache contract the application keeps (core/http_cache.py, README "Deployment"):
#
# - Requests with the session cookie (`sessionid`) or an Authorization header, and every method but GET and
#   HEAD, are passed: never looked up, never stored.
# - Other cookies (csrftoken, the language…) reach the application but are not part of the hash.
# - Only responses that carry the `xkey` header (the tags of everything they show), no Set-Cookie and no
#   private/no-store/no-cache are stored. Anything else becomes a hit-for-miss marker: not stored, and the
#   next request for it goes to the application at once (no request coalescing behind it) — and may be
#   stored then if the answer has become shareable.
# - /static/ (WhiteNoise: hashed names, `immutable`) is cached by its own headers, whoever asks.
# - `PURGE /` with `xkey-purge: <tag> <tag> …` from a client of the `parvis_purgers` ACL, sent straight to
#   Varnish (not relayed by a proxy), drops every object carrying one of the tags (a hard purge: nothing
#   purged is ever served again, not even as stale) and answers 200 with the number of objects dropped as
#   its body. Anyone else gets 403.
# - The `xkey` header is removed before the response leaves, unless the request says
#   `X-Parvis-Debug-Tags: 1` and comes from the ACL (the tests read the tags so).
# - `X-Cache: HIT | MISS | PASS` on every response (MISS: looked up and not found, or not storable).
# - An answer whose fetch began before a purge and ended after it is not stored, nor given to the requests
#   that waited for it: it may have been built from the database before the change the purge announces
#   committed (vmod var keeps a mark that each purge replaces; a fetch compares it at start and end).
#
# Staleness: while the application is healthy, nothing past its TTL is served (req.grace = 0s) and purged
# objects are gone at once, so a reader never sees content older than the last purge. When every backend
# fails its health probe, objects that expired less than 6 hours ago are served rather than an error: they
# were never purged, so nothing has changed them (unless a purge was lost while the site was down).
#
# The site's own part — application instances, their health probe, who may purge — is in
# parvis-site.vcl, found through varnishd's vcl_path (/etc/varnish by default). Tests pass their own with
# `-p vcl_path=<their dir>:<repo>/deploy/varnish` (deploy/README.md has the command line).
#

vcl 4.1;

import std;
import var;
import xkey;

include "parvis-site.vcl";

sub vcl_recv {
    # Our own markers are ours alone: whatever a client sends under these names is dropped.
    unset req.http.X-Parvis-Trusted;
    unset req.http.X-Parvis-Cache;
    unset req.http.X-Parvis-Purged;

    call parvis_backend;

    # Trusted: from the ACL, and not relayed by a proxy. Varnish has appended the peer's address to
    # X-Forwarded-For by now, so a request that arrived with one (every request nginx relays: its client
    # is on the internet, whatever nginx's own address) holds a comma.
    if (client.ip ~ parvis_purgers && req.http.X-Forwarded-For !~ ",") {
        set req.http.X-Parvis-Trusted = "1";
    }

    if (req.method == "PURGE") {
        if (!req.http.X-Parvis-Trusted) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "xkey-purge header required"));
        }
        # Marked first, purged second: an answer still being made now is not stored (vcl_backend_response).
        var.global_set("parvis_purge_mark", req.xid + "@" + now);
        set req.http.X-Parvis-Purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged"));
    }

    if (req.method != "GET" && req.method != "HEAD") {
        if (req.method ~ "^(POST|PUT|PATCH|DELETE|OPTIONS)$") {
            return (pass);
        }
        return (synth(405, "Method Not Allowed"));
    }

    # The health check answers for one instance, now.
    if (req.url ~ "^/healthz(\?|$)") {
        return (pass);
    }

    if (req.http.Authorization) {
        return (pass);
    }

    # Static files depend on nobody (WhiteNoise answers before any session is read): one copy for all.
    if (req.url ~ "^/static/") {
        unset req.http.Cookie;
        call parvis_grace;
        return (hash);
    }

    # Signed in (Django's SESSION_COOKIE_NAME: change it here too if you change it there).
    if (req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }

    # Any other cookie goes to the application but is not hashed (the built-in VCL would pass).
    call parvis_grace;
    return (hash);
}

sub parvis_grace {
    # No stale object while the application answers its probe; up to the object's grace when it does not.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 0s;
    }
}

sub vcl_hit {
    set req.http.X-Parvis-Cache = "HIT";
}

sub vcl_miss {
    set req.http.X-Parvis-Cache = "MISS";
}

sub vcl_pass {
    set req.http.X-Parvis-Cache = "PASS";
}

sub vcl_init {
    var.global_set("parvis_purge_mark", "start");
}

sub vcl_backend_fetch {
    # The purge mark as this fetch begins: a purge from now on changes it (vcl_backend_response).
    var.set("parvis_purge_mark", var.global_get("parvis_purge_mark"));
    unset bereq.http.X-Parvis-Trusted;
    unset bereq.http.X-Parvis-Cache;
    unset bereq.http.X-Parvis-Purged;
    unset bereq.http.X-Parvis-Debug-Tags;
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        # A pass: nothing is stored whatever the answer.
        return (deliver);
    }
    if (bereq.url ~ "^/static/") {
        # By its own headers: the built-in rules below (no Set-Cookie, no private/no-store, no Vary: *).
        set beresp.grace = 6h;
    } elsif (!beresp.http.xkey
            || beresp.http.Set-Cookie
            || beresp.http.Cache-Control ~ "(?i)(private|no-store|no-cache)"
            || beresp.http.Vary ~ "\*"
            || beresp.ttl <= 0s) {
        # Not shareable (the contract: untagged answers are never stored): hit-for-miss for 2 minutes. Its
        # tags, if any, are not indexed (a purge counts stored objects only).
        unset beresp.http.xkey;
        set beresp.ttl = 120s;
        set beresp.grace = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    } elsif (var.get("parvis_purge_mark") != var.global_get("parvis_purge_mark")) {
        # A purge ran while this answer was being made: the application may have read the database before
        # the change the purge is about was committed, and the purge could not drop an object not yet
        # stored. The request that asked gets it (it came before the change); nobody else does — requests
        # waiting on this fetch are sent to the application for a fresh answer, and it is not stored.
        unset beresp.http.xkey;
        set beresp.ttl = 10s;
        set beresp.grace = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    } else {
        # Shareable and tagged: kept for s-maxage (PARVIS_SHARED_CACHE_SECONDS), purged by tag before that.
        set beresp.grace = 6h;
        if (beresp.http.Content-Type ~ "^(text/|application/(json|xml|rss\+xml|atom\+xml))") {
            # Compressed once here rather than on every delivery (browsers all accept gzip).
            set beresp.do_gzip = true;
        }
        return (deliver);
    }
}

sub vcl_deliver {
    if (resp.http.xkey) {
        # A shared cache after us could not be purged: it may not keep the page.
        set resp.http.Cache-Control = "public, max-age=0";
        if (!(req.http.X-Parvis-Trusted && req.http.X-Parvis-Debug-Tags == "1")) {
            unset resp.http.xkey;
        }
    }
    if (req.http.X-Parvis-Cache) {
        set resp.http.X-Cache = req.http.X-Parvis-Cache;
    } else {
        set resp.http.X-Cache = "MISS";
    }
}

sub vcl_synth {
    if (req.method == "PURGE" && resp.status == 200) {
        # The body is the number of objects dropped (core.tasks.purge_varnish reads it).
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        set resp.body = req.http.X-Parvis-Purged + {"
"};
        return (deliver);
    }
}
