"""Extension singletons, bound to the app in create_app().

They live apart from app.py so blueprints can import them (the limiter's
decorators, the login manager) without importing the factory.
"""

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

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
