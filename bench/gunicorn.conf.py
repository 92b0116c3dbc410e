"""Gunicorn settings for the benchmark; bench/run.py adds bind, workers and class.

Folio's deployed settings (deploy/gunicorn.conf.py), with the access log off.
"""

import runpy
from pathlib import Path

globals().update(
    {
        name: value
        for name, value in runpy.run_path(
            str(Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py")
        ).items()
        if not name.startswith("__")
    }
)

# No access log: writing a line per request to a pipe costs the worker CPU that
# the benchmark would count against Folio (nginx in front logs requests anyway).
accesslog = None
loglevel = "warning"
