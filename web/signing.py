"""Signed cookies and tokens, with their serializers and keys made once per key.

Flask makes the session cookie's serializer twice a request and Flask-WTF one
per CSRF token; itsdangerous then derives the signing key again for every
signature, hands hmac a Python wrapper around SHA-1 (which sends it down its
pure-Python path), and tries zlib on every payload, which never shrinks a short
random token. Here serializers and signers are made once per key and salt,
derived keys are kept, SHA-1 is given to hmac as OpenSSL's own, and zlib is
skipped for short payloads. Same algorithms, same keys: the signatures are the
ones the stock classes make, the output is byte for byte theirs whenever zlib
would not have paid (always, for a session holding a CSRF token), and the stock
classes read everything written here (itsdangerous only decompresses a payload
marked as compressed).
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
from itsdangerous import TimestampSigner
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.encoding import want_bytes

# JSON payloads up to this many bytes are not offered to zlib.
COMPRESS_OVER = 256
# Flask-WTF's salt for its CSRF tokens (flask_wtf.csrf.generate_csrf).
CSRF_SALT = "wtf-csrf-token"


class Signer(TimestampSigner):
    """itsdangerous' TimestampSigner with OpenSSL's SHA-1 and a derived key kept per key."""

    default_digest_method = staticmethod(hashlib.sha1)

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        """The signing key for secret_key (default: the newest), derived once."""
        key = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        return _derived_key(key, self.salt, self.key_derivation, self.digest_method)


@lru_cache(maxsize=64)
def _derived_key(key: bytes, salt: bytes, derivation: str, digest: Any) -> bytes:
    stock = TimestampSigner(
        key, salt=salt, key_derivation=derivation, digest_method=digest
    )
    return stock.derive_key()


@lru_cache(maxsize=16)
def signer(secret_key: str | bytes, salt: str) -> Signer:
    """A timestamp signer for secret_key and salt, made once."""
    return Signer(secret_key, salt=salt)


class Serializer(URLSafeTimedSerializer):
    """A URLSafeTimedSerializer that signs with Signer and tries zlib only on
    payloads that may gain."""

    default_signer = Signer

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


def serializer(secret_key: str | bytes, salt: str) -> Serializer:
    """A URL-safe timed serializer for secret_key and salt, made once (mailed tokens)."""
    return _serializer((secret_key,), salt)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its serializer made once per key."""

    # Flask's default is a Python function calling hashlib.sha1: the same hash.
    digest_method = staticmethod(hashlib.sha1)

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


def rotate_csrf_token() -> None:
    """Forget this request's CSRF token, so the next form gets a new one.

    For after the session is cleared (sign-in): Flask-WTF keeps the signed
    token on ``g`` under the field's name for the rest of the request.
    """
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def init_app(app: Flask) -> None:
    """Use the cached serializers for the session cookie."""
    app.session_interface = SessionInterface()
