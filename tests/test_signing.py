"""Signed cookies and tokens: the cached serializers write what Flask and Flask-WTF read."""

from __future__ import annotations

import hashlib

import pytest
from flask import g
from flask import session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf
from flask_wtf.csrf import validate_csrf
from itsdangerous import BadSignature
from itsdangerous import TimestampSigner
from itsdangerous import URLSafeTimedSerializer

from web.signing import COMPRESS_OVER
from web.signing import Serializer
from web.signing import SessionInterface
from web.signing import Signer
from web.signing import csrf_token
from web.signing import signer

RAW_TOKEN = hashlib.sha1(b"a visitor").hexdigest()  # as Flask-WTF makes them


@pytest.mark.parametrize("payload", [RAW_TOKEN, {"csrf_token": RAW_TOKEN}])
def test_short_payloads_are_written_as_the_stock_serializer_writes_them(
    payload, monkeypatch
):
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: 1_800_000_000)
    ours = Serializer("k" * 40, salt="s").dumps(payload)
    assert ours == URLSafeTimedSerializer("k" * 40, salt="s").dumps(payload)


@pytest.mark.parametrize("derivation", ["django-concat", "hmac", "concat", "none"])
def test_signer_signs_as_the_stock_signer(derivation, monkeypatch):
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: 1_800_000_000)
    ours = Signer(["old-" + "o" * 40, "k" * 40], salt="s", key_derivation=derivation)
    stock = TimestampSigner("k" * 40, salt="s", key_derivation=derivation)
    assert ours.sign(b"form") == stock.sign(b"form")
    assert ours.unsign(stock.sign(b"form")) == b"form"
    # The older key still verifies (rotation), from the cache of derived keys.
    old = TimestampSigner("old-" + "o" * 40, salt="s", key_derivation=derivation)
    assert ours.unsign(old.sign(b"form")) == b"form"
    with pytest.raises(BadSignature):
        ours.unsign(TimestampSigner("x" * 40, salt="s").sign(b"form"))
    assert signer("k" * 40, "s") is signer("k" * 40, "s")


def test_a_short_payload_zlib_would_shrink_is_still_read_by_the_stock_serializer():
    payload = "abcd" * 20
    ours = Serializer("k" * 40, salt="s").dumps(payload)
    assert not ours.startswith(".")  # left as it was
    assert URLSafeTimedSerializer("k" * 40, salt="s").loads(ours) == payload


def test_long_payloads_are_compressed_and_read_by_the_stock_serializer():
    payload = {"messages": ["the same words again"] * 40}
    assert len(str(payload)) > COMPRESS_OVER
    ours = Serializer("k" * 40, salt="s").dumps(payload)
    assert ours.startswith(".")  # zlib, as the stock serializer chose too
    assert URLSafeTimedSerializer("k" * 40, salt="s").loads(ours) == payload


def test_session_interface_reads_and_writes_flask_cookies(app):
    stock, ours = SecureCookieSessionInterface(), SessionInterface()
    assert isinstance(app.session_interface, SessionInterface)
    data = {"csrf_token": "ab" * 20, "_fresh": False}
    with app.test_request_context():
        cookie = stock.get_signing_serializer(app).dumps(data)
        assert ours.get_signing_serializer(app).loads(cookie) == data
        assert (
            stock.get_signing_serializer(app).loads(
                ours.get_signing_serializer(app).dumps(data)
            )
            == data
        )
        # Made once per key, not per request.
        assert ours.get_signing_serializer(app) is ours.get_signing_serializer(app)


def test_session_interface_follows_key_rotation(app):
    ours = SessionInterface()
    with app.test_request_context():
        cookie = ours.get_signing_serializer(app).dumps({"a": 1})
        old_key = app.secret_key
        app.config.update(SECRET_KEY="new-" + "n" * 40, SECRET_KEY_FALLBACKS=[old_key])
        rotated = ours.get_signing_serializer(app)
        assert rotated.loads(cookie) == {"a": 1}  # signed with the fallback
        app.config.update(SECRET_KEY_FALLBACKS=[])
        with pytest.raises(Exception, match="Signature"):
            ours.get_signing_serializer(app).loads(cookie)


def test_csrf_token_is_flask_wtfs_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.test_request_context():
        token = csrf_token()
        assert csrf_token() == token == generate_csrf() == g.csrf_token
        assert len(session["csrf_token"]) == 40
        validate_csrf(token)  # raises when Flask-WTF would refuse it
    with app.test_request_context():
        # A new visitor (a new session) gets a new token.
        assert csrf_token() != token
