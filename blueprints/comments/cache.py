"""Per-process caches of rendered approved-comment lists and blank comment forms.

Keys carry the article's comments_version, which Article.refresh_comment_stats()
bumps whenever a comment is created or changes status, so a stale entry is never
read again (it just ages out of the LRU). Entries hold only what every reader
sees: no CSRF token, no held comments, no remembered details.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import current_app

MAX_ENTRIES = 256


class RenderedCache:
    """A small thread-safe LRU mapping keys to rendered HTML."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, key: tuple, render: Callable[[], Any]) -> Any:
        """The cached value for key, rendering and storing it on a miss."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = render()
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget everything (tests; a deploy restarts workers anyway)."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def comment_cache() -> RenderedCache:
    """This app's cache (one per app, so test apps never share entries)."""
    return current_app.extensions.setdefault("folio_comment_cache", RenderedCache())


def form_cache() -> RenderedCache:
    """This app's blank comment forms, with markers for the token and timestamp."""
    return current_app.extensions.setdefault("folio_form_cache", RenderedCache())
