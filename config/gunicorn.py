"""gunicorn's settings for `make serve` (gunicorn -c config/gunicorn.py config.wsgi).

Read from the environment, like config.settings:
BIND              the address to listen on (default 127.0.0.1:8000, behind a reverse proxy on
                  the same machine); PORT alone listens on 0.0.0.0:<PORT> (container platforms).
WEB_CONCURRENCY   worker processes (default two per core plus one, at most 12: every worker
                  keeps its own database connection and its own copy of the app in memory).
WEB_TIMEOUT       seconds a request may run before its worker is restarted (default 60: a large
                  report PDF takes a few seconds, a stuck one should not hold a worker forever).
FORWARDED_ALLOW_IPS  the proxies whose X-Forwarded-* headers gunicorn believes (default
                  127.0.0.1, a proxy on this machine; comma-separated addresses, or * when the
                  network lets nothing but the proxy reach the app).
"""

import multiprocessing
import os


def _whole_number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"{name} must be a whole number of at least 1; it is {value!r}.")
    return int(value)


MAX_DEFAULT_WORKERS = 12

if os.environ.get("BIND", "").strip():
    bind = os.environ["BIND"].strip()
elif os.environ.get("PORT", "").strip():
    bind = f"0.0.0.0:{_whole_number('PORT', 8000)}"
else:
    bind = "127.0.0.1:8000"

workers = _whole_number(
    "WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, MAX_DEFAULT_WORKERS)
)
timeout = _whole_number("WEB_TIMEOUT", 60)
graceful_timeout = 30
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Both logs go to the process's output, for the service manager (systemd, a container) to keep.
accesslog = "-"
errorlog = "-"
# No query strings in the access log: a search can carry a case reference.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss'

# Garbage collection. A full collection walks every object the worker holds, and once the first
# pages have been served that is Django's compiled templates, URL patterns and querysets'
# machinery, hundreds of thousands of objects that live as long as the worker: measured, about
# 60-120 ms, added to whichever request it happens in (a tail of every kind of page). After its
# first requests (the templates compiled), and again later, the worker collects and then
# freezes what is left (gc.freeze: kept out of later collections), so a full collection walks
# only what was made since. What is frozen is alive at that moment (the collection before it
# freed the garbage), so nothing that could still be freed is kept. The worker is first warmed
# and frozen before it takes requests (post_worker_init); the later freezes take in what its
# first requests made (a form's remembered HTML, labels per language).
FREEZE_AFTER_REQUESTS = (50, 500)


def post_worker_init(worker):
    """Before the worker's first request: views imported, templates compiled, what it holds
    frozen (config/warmup.py)."""
    from django.db import connections

    from config.warmup import warm_up

    warm_up()
    connections.close_all()  # opened outside a request, which no request would close


def freezes_after(served: int) -> bool:
    """Whether a worker collects and freezes after its ``served``-th request."""
    return served in FREEZE_AFTER_REQUESTS


def post_request(worker, req, environ, resp):
    if freezes_after(worker.nr):
        from config.warmup import freeze_what_is_held

        freeze_what_is_held()
