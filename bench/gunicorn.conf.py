"""Gunicorn settings for the benchmark; bench/run.py adds bind, workers and class.

Usable for a real deployment too: `gunicorn -c bench/gunicorn.conf.py ...`.
"""

# No access log: writing a line per request to a pipe costs the worker CPU that
# the benchmark would count against Folio (nginx in front logs requests anyway).
accesslog = None
errorlog = "-"
loglevel = "warning"
# The worker heartbeat file: on tmpfs, never on a slow or overlay /tmp.
worker_tmp_dir = "/dev/shm"
# Enough queued connections for wrk -c32 (and more) against sync workers.
backlog = 2048
graceful_timeout = 10
