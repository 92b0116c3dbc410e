"""Security defaults: response headers with a strict CSP, cookies, proxies, startup checks."""

from __future__ import annotations

import secrets
from functools import lru_cache

from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

HTMX_CDN_ORIGIN = "https://cdn.jsdelivr.net"

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)

# The session cookie's name when the site is served over HTTPS.
HOST_SESSION_COOKIE = "__Host-folio_session"

WEAK_SECRETS = {"dev", "development", "secret", "changeme", "change-me", "folio"}


def csp_nonce() -> str:
    """The per-response nonce for the rare inline script that cannot be a file."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(use_cdn: bool, image_hosts: tuple[str, ...] = ()) -> str:
    """The CSP: no inline code, no eval, nothing framed, forms post home.

    Images come from Folio itself, and from the hosts FOLIO_IMAGE_HOSTS lists.
    """
    before, after = _policy_around_nonce(use_cdn, image_hosts)
    return f"{before}{csp_nonce()}{after}"


@lru_cache(maxsize=8)
def _policy_around_nonce(
    use_cdn: bool, image_hosts: tuple[str, ...]
) -> tuple[str, str]:
    # Built once: the policy is constant but for the nonce.
    script_src = ["'self'", "'nonce-\x00'"]
    if use_cdn:
        script_src.append(HTMX_CDN_ORIGIN)
    directives = {
        "default-src": ["'self'"],
        "script-src": script_src,
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *(f"https://{h}" for h in image_hosts)],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    policy = "; ".join(
        f"{name} {' '.join(values)}" for name, values in directives.items()
    )
    before, after = policy.split("\x00")
    return before, after


# Set on every response unless the view set its own.
FIXED_HEADERS = (
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", PERMISSIONS_POLICY),
)
_FIXED_HEADERS_LOWER = tuple(
    (name.lower(), name, value) for name, value in FIXED_HEADERS
)


def _set_headers(response: Response) -> Response:
    headers = response.headers
    # One pass over the response's headers instead of a setdefault (a scan) each.
    present = {name.lower() for name in headers.keys()}
    if "content-security-policy" not in present:
        headers.add(
            "Content-Security-Policy",
            content_security_policy(
                current_app.config["HTMX_CDN"],
                tuple(current_app.config["IMAGE_HOSTS"]),
            ),
        )
    for lower, name, value in _FIXED_HEADERS_LOWER:
        if lower not in present:
            headers.add(name, value)
    if request.is_secure and "strict-transport-security" not in present:
        headers.add("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def check_startup(app: Flask) -> None:
    """Refuse to run an unsafe configuration outside development, in one line."""
    if app.testing or app.config["ENV"] == "development":
        return
    if app.debug:
        raise SystemExit(
            "folio: refusing to start: debug mode is on outside development "
            "(unset FLASK_DEBUG or set FOLIO_ENV=development)"
        )
    if not app.config["SITE_URL"]:
        raise SystemExit(
            "folio: refusing to start: FOLIO_SITE_URL is unset (set the public "
            "address, e.g. https://blog.example.com: links in mail, feeds and "
            "pages are built on it; FOLIO_ENV=development for local use)"
        )
    key = str(app.config["SECRET_KEY"])
    if len(key) < 32 or key.lower() in WEAK_SECRETS or len(set(key)) < 8:
        raise SystemExit(
            "folio: refusing to start: FOLIO_SECRET_KEY is weak (use 32+ random "
            "characters, e.g. python -c 'import secrets; print(secrets.token_hex(32))')"
        )


class SecureCookies:
    """WSGI middleware: over HTTPS, every Set-Cookie gets the Secure flag.

    It wraps the app inside ProxyFix, so it sees the scheme the client used.
    Working at the WSGI level catches every cookie: Flask saves the session
    cookie after the after_request hooks have run, and Flask-Login adds its
    remember cookie in a hook of its own.
    """

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("wsgi.url_scheme") != "https":
            return self.wsgi_app(environ, start_response)

        def secure_start_response(status, headers, exc_info=None):
            headers = [
                (name, _with_secure(value) if name.lower() == "set-cookie" else value)
                for name, value in headers
            ]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, secure_start_response)


def _with_secure(cookie: str) -> str:
    parts = [part.strip().lower() for part in cookie.split(";")]
    return cookie if "secure" in parts else cookie + "; Secure"


def https_configured(config) -> bool:
    """True when the site is declared HTTPS: its URL, the preferred scheme, or Secure cookies."""
    return (
        str(config.get("SITE_URL") or "").lower().startswith("https://")
        or config.get("PREFERRED_URL_SCHEME") == "https"
        or bool(config.get("SESSION_COOKIE_SECURE"))
    )


def _host_only_session_cookie(config) -> None:
    """Name the session cookie __Host-: Secure, Path=/ and no Domain, enforced by browsers.

    A page on a sibling subdomain or over plain HTTP can then neither set nor
    overwrite it (session fixation through a cookie planted from elsewhere).
    """
    config["SESSION_COOKIE_SECURE"] = True
    config["SESSION_COOKIE_PATH"] = "/"
    config["SESSION_COOKIE_DOMAIN"] = None
    if config.get("SESSION_COOKIE_NAME", "session") == "session":
        config["SESSION_COOKIE_NAME"] = HOST_SESSION_COOKIE


def init_app(app: Flask) -> None:
    """Apply cookie flags, trusted hosts, the proxy fix and the header hook."""
    # Flask's own default for SESSION_COOKIE_SAMESITE is None, so setdefault
    # would never apply; an explicit "Strict" or "None" is left alone.
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if https_configured(app.config):
        _host_only_session_cookie(app.config)
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    if app.config["TRUSTED_HOSTS"]:
        app.config["TRUSTED_HOSTS"] = list(app.config["TRUSTED_HOSTS"])
    else:
        app.config["TRUSTED_HOSTS"] = None
    app.wsgi_app = SecureCookies(app.wsgi_app)
    hops = int(app.config["PROXY_FIX"])
    if hops:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
    app.after_request(_set_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
