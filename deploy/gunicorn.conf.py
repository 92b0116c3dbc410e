"""Gunicorn settings for Folio: deploy/folio.service runs `gunicorn -c` this file.

The benchmark's server (bench/gunicorn.conf.py) reads it too and only turns the
access log off, so what is measured is what is deployed.
"""

import gc

# One line per request on stdout (the journal, under systemd).
accesslog = "-"
errorlog = "-"
loglevel = "info"
# The worker heartbeat file: on tmpfs, never on a slow or overlay /tmp.
worker_tmp_dir = "/dev/shm"
# Enough queued connections for bursts (and wrk -c32) against sync workers.
backlog = 2048
graceful_timeout = 10
# Trust no X-Forwarded-* header here: gunicorn's default trusts them from
# 127.0.0.1, which would make any local process (or a proxy Folio was not told
# about) decide the scheme. FOLIO_PROXY_FIX alone decides, in the app.
forwarded_allow_ips = ""


def post_worker_init(worker):
    """Keep the app's import-time objects out of the garbage collector's passes.

    Each worker imports Folio after the fork; gc.freeze() then moves those
    hundreds of thousands of long-lived objects (modules, routes, templates,
    the SQLAlchemy mappers) out of the generations the collector scans, which
    would otherwise walk them again and again (bench/README.md has the cost).
    """
    gc.freeze()
