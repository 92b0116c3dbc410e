"""Site settings changed in the browser: stored, cached per process, applied to app.config.

A setting's value is its FOLIO_* variable when that is set (the setting is
then locked: the settings page shows it read-only), else its row in
``site_settings``, else its default. The effective values are written onto
``app.config`` when they change, under a lock, so every existing reader
(``current_app.config["SITE_TITLE"]``, ``config.SITE_TITLE`` in templates) sees
them; the environment and default values are kept apart in ``base``.

Each process holds the rows it read and the ``settings`` site counter they
were read at. Before a request it looks at that counter at most once per
``SITE_SETTINGS_CHECK_SECONDS`` (one statement, on a connection of its own)
and reads the rows again only when it moved. A save writes the changed rows and
moves the counter in the caller's write transaction (save()); the process that
saved reloads at once (reload()). The version is part of every page-cache key
(web/page_cache.py), so no cached page shows old settings.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from threading import Lock
from typing import Any

from flask import Flask
from flask import current_app
from flask import request
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import ProgrammingError

from models import SETTINGS_COUNTER
from models import SiteCounter
from models import SiteSetting
from models import db
from models import utcnow
from web.editable_settings import EDITABLE
from web.editable_settings import MEDIA_SETTINGS
from web.editable_settings import Editable
from web.editable_settings import check_locked_value

CHECK_SECONDS = 1.0
# Answers no setting shows: the liveness check stays free of the database.
UNCHECKED = frozenset({"healthz", "static"})
_counter = select(SiteCounter.value).where(SiteCounter.name == SETTINGS_COUNTER)


class SiteSettings:
    """One process's view of the settings: base values, stored rows, their version."""

    def __init__(self, app: Flask, environ: Mapping[str, str]) -> None:
        self.app = app
        self.base = {e.key: app.config[e.key] for e in EDITABLE}
        self.locked = frozenset(e.key for e in EDITABLE if e.env in environ)
        self.stored: dict[str, Any] = {}
        self.version = 0
        self.interval = app.config.get("SITE_SETTINGS_CHECK_SECONDS", CHECK_SECONDS)
        self._checked = float("-inf")
        self._lock = Lock()

    def value(self, key: str, stored: Mapping[str, Any] | None = None) -> Any:
        """The effective value: locked variable, stored row, then default.

        stored: rows just read (under a write), instead of this process's copy.
        """
        rows = self.stored if stored is None else stored
        if key in self.locked or key not in rows:
            return self.base[key]
        return rows[key]

    def refresh_if_due(self) -> None:
        """Read the rows again if the counter moved (looked at once per interval)."""
        if request.endpoint in UNCHECKED:
            return
        now = time.monotonic()
        if now - self._checked < self.interval:
            return
        with self._lock:
            if now - self._checked < self.interval:
                return
            self._checked = now
            with db.engine.connect() as connection:
                version = connection.scalar(_counter) or 0
                if version != self.version:
                    self._load(connection, version)

    def reload(self) -> None:
        """Read the counter and the rows now (after this process saved)."""
        with self._lock, db.engine.connect() as connection:
            self._checked = time.monotonic()
            self._load(connection, connection.scalar(_counter) or 0)

    def _load(self, connection, version: int) -> None:
        """Take the rows as of version and apply them (the lock is held)."""
        rows = connection.execute(select(SiteSetting.key, SiteSetting.value))
        known = {e.key for e in EDITABLE}
        self.stored = {key: json.loads(raw) for key, raw in rows if key in known}
        self.version = version
        self.app.config.update({key: self.value(key) for key in self.base})


def site_settings() -> SiteSettings:
    """This app's settings store."""
    return current_app.extensions["folio_site_settings"]


def settings_version() -> int:
    """The version of the settings this process shows (no query)."""
    return site_settings().version


def save(changes: Mapping[str, Any], user_id: int | None) -> None:
    """Store changed values and move the counter, in the caller's write transaction."""
    session = db.session
    for key, value in changes.items():
        row = session.get(SiteSetting, key)
        if row is None:
            row = SiteSetting(key=key)
            session.add(row)
        row.value = json.dumps(value)
        row.updated_at = utcnow()
        row.updated_by_id = user_id
    _move_counter()


def _move_counter() -> None:
    """Move the settings counter in the session's transaction (made if missing)."""
    moved = db.session.execute(
        update(SiteCounter)
        .where(SiteCounter.name == SETTINGS_COUNTER)
        .values(value=SiteCounter.value + 1)
        .returning(SiteCounter.value)
    ).first()
    if moved is None:
        # A database emptied by hand: a counter left absent would hide changes.
        db.session.execute(insert(SiteCounter).values(name=SETTINGS_COUNTER, value=1))


def settings_showing(media_id: int) -> list[Editable]:
    """The image settings whose value is this media id, as stored now (one query)."""
    store = site_settings()
    keys = [editable.key for editable in MEDIA_SETTINGS]
    query = select(SiteSetting.key, SiteSetting.value).where(SiteSetting.key.in_(keys))
    rows = {key: json.loads(raw) for key, raw in db.session.execute(query)}
    return [e for e in MEDIA_SETTINGS if store.value(e.key, rows) == media_id]


def media_changed(media_id: int) -> None:
    """An image's files or words changed: move the counter if a setting shows it.

    In the caller's write transaction; this process looks at the counter again
    at its next request, so its pages show the new files at once.
    """
    if settings_showing(media_id):
        _move_counter()
        site_settings()._checked = float("-inf")


def init_app(app: Flask) -> None:
    """Read the settings once and look for changes before each request."""
    store = SiteSettings(app, os.environ)
    for key in store.locked:
        check_locked_value(key, store.base[key])
    app.extensions["folio_site_settings"] = store
    with app.app_context():
        try:
            store.reload()
        except (OperationalError, ProgrammingError):
            # No table yet: `flask db upgrade` is about to make it.
            pass
        finally:
            db.engine.dispose()
    app.before_request(store.refresh_if_due)
