"""Extension singletons, bound to the app in create_app().

They live apart from app.py so blueprints can import them (the limiter's
decorators, the login manager) without importing the factory.
"""

import time

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from limits.storage import MemoryStorage

csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

# Settings that give the limiter app-wide limits, checked before every request.
APP_WIDE_LIMIT_SETTINGS = (
    "RATELIMIT_DEFAULT",
    "RATELIMIT_APPLICATION",
    "RATELIMIT_META",
    "RATELIMIT_IN_MEMORY_FALLBACK",
)


# How often the in-process rate-limit counters are swept of expired keys.
SWEEP_SECONDS = 1.0


class InlineExpiryMemoryStorage(MemoryStorage):
    """limits' in-process storage, swept of expired keys inline, not by a thread.

    The stock MemoryStorage starts a threading.Timer of 10 ms from every counted
    request when its previous one has run out: with comments posted a few
    milliseconds apart, nearly one new thread per post, which cost a tenth of a
    post's CPU. Here the same sweep runs inside a counted request at most once
    a second; an expired counter is also dropped whenever it is read, as
    before. Everything else is the stock class. ``memory://`` (the default
    setting) selects it; see _derive_config() in app.py.
    """

    STORAGE_SCHEME = ["folio-memory"]

    def __init__(self, uri: str | None = None, **options) -> None:
        super().__init__(uri, **options)
        self._next_sweep = 0.0

    # Replaces the stock class's private scheduler (name-mangled), which every
    # counting method calls.
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()


def init_limiter(app: Flask) -> None:
    """Bind the limiter, without its per-request hook while it has nothing to do.

    Folio's limits are all decorators on views (`@limiter.limit`), and those
    are checked inside the view. Flask-Limiter's before_request hook exists for
    app-wide limits (default, application, meta, per-blueprint, in-memory
    fallback); with none set it finds nothing on every request, at a fifth of
    the cost of a trivial one. It stays whenever such a limit is configured.
    """
    limiter.init_app(app)
    manager = limiter.limit_manager
    app_wide = (
        any(app.config.get(name) for name in APP_WIDE_LIMIT_SETTINGS)
        or manager.default_limits
        or manager.application_limits
        or manager._blueprint_limits
    )
    hooks = app.before_request_funcs.get(None, [])
    if not app_wide and limiter._check_request_limit in hooks:
        hooks.remove(limiter._check_request_limit)
