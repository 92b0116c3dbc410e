"""Rate limiting: binding the limiter, the in-process counters, refunds.

Folio's limits are decorators on the views that need them (`@limiter.limit`,
from extensions.py); this module binds the limiter to the app. The counters
live where RATELIMIT_STORAGE_URI says (app.py's _derive_rate_limit_config()):
by default the SQLite file every worker shares (storage/limit_counters.py).
"""

from __future__ import annotations

import time

from flask import Flask
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from extensions import limiter

# Imported for its side effect: defining the class registers the
# folio-sqlite:// scheme with limits, before init_app() looks it up.
from storage.limit_counters import SQLiteCounterStorage  # noqa: F401

# Settings that give the limiter app-wide limits, checked before every request.
APP_WIDE_LIMIT_SETTINGS = (
    "RATELIMIT_DEFAULT",
    "RATELIMIT_APPLICATION",
    "RATELIMIT_META",
    "RATELIMIT_IN_MEMORY_FALLBACK",
)


# How often the in-process rate-limit counters are swept of expired keys.
SWEEP_SECONDS = 1.0


class _IdleTimer:
    """Stands in for MemoryStorage's expiry timer: never runs, always "alive"."""

    def is_alive(self) -> bool:
        """The stock class starts a new timer only when its last one has ended."""
        return True

    def cancel(self) -> None:
        """Nothing to stop."""


class InlineExpiryMemoryStorage(MemoryStorage):
    """limits' in-process storage, swept of expired keys inline, not by a thread.

    The stock MemoryStorage starts a threading.Timer from every counting call
    once its previous timer has run, which with requests a few milliseconds
    apart is nearly one new thread per request (bench/README.md has the
    cost). Here its ``timer`` attribute holds a stand-in that never ends, so
    it starts none, and the counting methods sweep expired keys themselves at
    most once a second, through the public ``get()`` and ``clear()``. An
    expired counter is also dropped whenever it is read.
    ``memory://`` selects it; see _derive_rate_limit_config() in app.py.
    tests/test_app.py fails if a limits upgrade changes what this relies on.
    """

    STORAGE_SCHEME = ["folio-memory"]

    def __init__(self, uri: str | None = None, **options) -> None:
        super().__init__(uri, **options)
        self.timer.cancel()
        self.timer = _IdleTimer()
        self._next_sweep = 0.0

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Count a hit (fixed and sliding windows), sweeping now and then."""
        self._sweep_now_and_then()
        return super().incr(key, expiry, amount)

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Count a hit (moving window), sweeping now and then."""
        self._sweep_now_and_then()
        return super().acquire_entry(key, limit, expiry, amount)

    def _sweep_now_and_then(self) -> None:
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_SECONDS
        for key in list(self.expirations):
            self.get(key)  # drops the counter when it has expired
        wall = time.time()
        for key, entries in list(self.events.items()):
            # Newest first: when the newest has expired, all have.
            if not entries or entries[0].expiry <= wall:
                self.clear(key)


def init_limiter(app: Flask) -> None:
    """Bind the limiter, without its per-request hook while it has nothing to do.

    Folio's limits are all decorators on views (`@limiter.limit`), and those
    are checked inside the view. Flask-Limiter's before_request hook exists for
    app-wide limits (default, application, meta, per-blueprint, in-memory
    fallback); with none set it finds nothing, on every request, at a cost
    bench/README.md gives. It stays whenever such a limit is configured.
    Flask-Limiter has no option to leave it out, so the hook is found as the
    one before_request function init_app() adds, through Flask's public
    before_request_funcs; tests/test_app.py fails if an upgrade changes that.
    """
    hooks = app.before_request_funcs.setdefault(None, [])
    before = list(hooks)
    limiter.init_app(app)
    added = [hook for hook in hooks if hook not in before]
    manager = limiter.limit_manager
    # A limit on a whole blueprint needs the hook too; Folio sets none, and
    # tests/test_app.py fails if one is added.
    app_wide = (
        any(app.config.get(name) for name in APP_WIDE_LIMIT_SETTINGS)
        or manager.default_limits
        or manager.application_limits
    )
    if not app_wide and len(added) == 1:
        hooks.remove(added[0])


def refund_hits() -> None:
    """Give back what this request counted against its view's limits.

    For limits on failures only (sign-in): every attempt is counted before
    the view runs, in one atomic step, and the view refunds the ones that
    succeed. Counting after the response instead (Flask-Limiter's
    `deduct_when`) tests the limit first and counts later, so concurrent
    attempts all pass the test. A refund is a -1 on the same fixed-window
    counter; should the window have ended meanwhile, the -1 starts a counter
    that lives one second. Folio uses the fixed window (Flask-Limiter's
    default); under another strategy nothing is refunded.
    """
    counted = list(limiter.current_limits)
    if not counted or not isinstance(limiter.limiter, FixedWindowRateLimiter):
        return
    for request_limit in counted:
        if not request_limit.breached:
            limiter.storage.incr(request_limit.key, 1, amount=-1)
