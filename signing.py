"""Signed cookies and tokens, with their serializers made once per key.

Flask makes the session cookie's serializer twice a request and Flask-WTF one
per CSRF token, and itsdangerous tries zlib on every payload it dumps, which
never shrinks a short random token. The serializers here are made once per key
and salt and skip zlib for short payloads. For those they write byte for byte
what the stock serializer writes whenever zlib would not have paid (always, for
a session holding a CSRF token), and the stock serializer reads what they write
either way: itsdangerous only decompresses a payload marked as compressed.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from typing import Any

from flask import Flask
from flask import current_app
from flask import g
from flask import session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.encoding import want_bytes

# JSON payloads up to this many bytes are not offered to zlib.
COMPRESS_OVER = 256
# Flask-WTF's salt for its CSRF tokens (flask_wtf.csrf.generate_csrf).
CSRF_SALT = "wtf-csrf-token"


class Serializer(URLSafeTimedSerializer):
    """A URLSafeTimedSerializer that tries zlib only on payloads that may gain."""

    def dump_payload(self, obj: Any) -> bytes:
        """The payload as URL-safe base64, compressed only when it is long."""
        json = want_bytes(self.serializer.dumps(obj, **self.serializer_kwargs))
        if len(json) <= COMPRESS_OVER:
            return base64_encode(json)
        return super().dump_payload(obj)


@lru_cache(maxsize=16)
def _serializer(keys: tuple[str | bytes, ...], salt: str, **options: Any) -> Serializer:
    signer_kwargs = {
        name: options.pop(name)
        for name in ("key_derivation", "digest_method")
        if name in options
    }
    return Serializer(list(keys), salt=salt, signer_kwargs=signer_kwargs, **options)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its serializer made once per key."""

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """The serializer Flask would build, from a cache keyed on the keys."""
        if not app.secret_key:
            return None
        # As Flask orders them: the fallbacks, then the current key last.
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        return _serializer(
            keys,
            self.salt,
            serializer=self.serializer,
            key_derivation=self.key_derivation,
            digest_method=self.digest_method,
        )


def csrf_token() -> str:
    """Flask-WTF's generate_csrf(), with its serializer made once per key.

    The same token kept in the same places: the raw value in the session and
    the signed one on ``g``, where generate_csrf(), forms and templates find it
    for the rest of the request.
    """
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    key = config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)
    if not (field and key):
        return generate_csrf()  # which raises Flask-WTF's own error
    token = g.get(field)
    if token is None:
        if field not in session:
            session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
        token = _serializer((key,), CSRF_SALT).dumps(session[field])
        setattr(g, field, token)
    return token


def init_app(app: Flask) -> None:
    """Use the cached serializers for the session cookie."""
    app.session_interface = SessionInterface()
