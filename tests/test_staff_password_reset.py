"""Forgot password: the request, the mailed link, the new password, the limits."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from blueprints.staff import password_recovery
from blueprints.staff import password_resets
from blueprints.staff.passwords import verify_password
from models import OutboxMail
from models import PasswordReset
from models import User
from models import db
from models import utcnow
from tests.support.factories import make_user
from tests.support.staff_support import staff_client

STRONG = "quiet lantern orbits the marsh"
SENT = b"If an account uses this address"


@pytest.fixture
def user(app):
    with app.app_context():
        make_user(email="ed@example.com", display_name="Ed Editor")
        return db.session.scalar(select(User.id).where(User.email == "ed@example.com"))


def forgot(client, email="ed@example.com", **kw):
    return client.post("/staff/password/forgot", data={"email": email}, **kw)


def mails(app) -> list[OutboxMail]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def link_in(mail: OutboxMail) -> str:
    return re.search(r"https?://\S+/staff/password/reset/\S+", mail.body).group(0)


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


def reset(client, token, new=STRONG, confirm=None, **kw):
    return client.post(
        f"/staff/password/reset/{token}",
        data={"new_password": new, "confirm": new if confirm is None else confirm},
        **kw,
    )


def requested_token(app, client, email="ed@example.com") -> str:
    assert forgot(client, email).status_code == 303
    return token_of(link_in(mails(app)[-1]))


def test_sign_in_page_links_to_forgot(client):
    page = client.get("/staff/login").data
    assert b'href="/staff/password/forgot"' in page


def test_forgot_page_full_and_fragment(client, htmx_headers):
    full = client.get("/staff/password/forgot")
    assert full.status_code == 200
    assert b"<html" in full.data and b'id="forgot-form"' in full.data
    part = client.get("/staff/password/forgot", headers=htmx_headers)
    assert part.data.lstrip().startswith(b'<form class="stack" id="forgot-form"')
    assert "HX-Request" in part.headers["Vary"]


def test_same_answer_for_known_unknown_and_inactive(app, client, user):
    with app.app_context():
        make_user(email="gone@example.com", is_active=False)
    answers = []
    for email in ("ed@example.com", "nobody@example.com", "gone@example.com"):
        response = forgot(client, email)
        assert response.status_code == 303
        assert response.headers["Location"] == "/staff/login"
        page = client.get("/staff/login").data
        assert SENT in page
        answers.append(re.sub(rb'value="[^"]*"|"X-CSRFToken": "[^"]*"', b"", page))
    assert answers[0] == answers[1] == answers[2]
    sent = mails(app)
    assert [m.to_addrs for m in sent] == ["ed@example.com"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PasswordReset)) == 1


def test_known_unknown_and_inactive_do_the_same_work(app, client, user, monkeypatch):
    """A token and a mail are made, and one write entered, for every address."""
    with app.app_context():
        make_user(email="gone@example.com", is_active=False)
    made, writes = [], []
    real_mail = password_recovery.new_reset_mail
    real_write = password_recovery.write_transaction

    def counting_mail(email):
        made.append(email)
        return real_mail(email)

    def counting_write(*args, **kw):
        writes.append(1)
        return real_write(*args, **kw)

    monkeypatch.setattr(password_recovery, "new_reset_mail", counting_mail)
    monkeypatch.setattr(password_recovery, "write_transaction", counting_write)
    for email in ("ed@example.com", "nobody@example.com", "gone@example.com"):
        assert forgot(client, email).status_code == 303
    assert made == ["ed@example.com", "nobody@example.com", "gone@example.com"]
    assert len(writes) == 3


def test_link_is_on_site_url_even_with_a_forged_host(make_app):
    app = make_app(SITE_URL="https://blog.example.org", TRUSTED_HOSTS=None)
    with app.app_context():
        make_user(email="ed@example.com")
    client = app.test_client()
    response = forgot(client, headers={"Host": "evil.example.net"})
    assert response.status_code == 303
    (mail,) = mails(app)
    link = link_in(mail)
    assert link.startswith("https://blog.example.org/staff/password/reset/")
    assert "evil" not in mail.body
    assert "ignore this mail" in mail.body
    assert "Reset your password" in mail.subject


def test_token_is_stored_hashed(app, client, user):
    token = requested_token(app, client)
    with app.app_context():
        row = db.session.scalars(select(PasswordReset)).one()
        assert row.token_hash == password_resets.digest(token) != token
        assert len(row.token_hash) == 64
        assert row.expires_at - row.created_at == timedelta(minutes=60)


def test_reset_page_full_and_fragment(app, client, user, htmx_headers):
    token = requested_token(app, client)
    full = client.get(f"/staff/password/reset/{token}")
    assert full.status_code == 200
    assert b"<html" in full.data and b'id="reset-form"' in full.data
    assert full.headers["Referrer-Policy"] == "no-referrer"
    bad = reset(client, token, new="short", headers=htmx_headers)
    assert bad.status_code == 422
    assert bad.data.lstrip().startswith(b'<form class="stack" id="reset-form"')
    assert "HX-Request" in bad.headers["Vary"]
    assert bad.headers["Referrer-Policy"] == "no-referrer"


def test_reset_sets_password_and_link_works_once(app, client, user):
    token = requested_token(app, client)
    response = reset(client, token)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/login"
    assert b"Your password has been changed" in client.get("/staff/login").data
    with app.app_context():
        assert verify_password(db.session.get(User, user).password_hash, STRONG)
        assert db.session.scalars(select(PasswordReset)).one().used_at is not None
    assert client.get(f"/staff/password/reset/{token}").status_code == 410
    again = reset(client, token, new="another quiet lantern marsh")
    assert again.status_code == 410
    assert b"Ask for a new link" in again.data
    signed_in = client.post(
        "/staff/login", data={"email": "ed@example.com", "password": STRONG}
    )
    assert signed_in.status_code == 303


def test_expired_link_is_refused(app, client, user):
    token = requested_token(app, client)
    with app.app_context():
        db.session.execute(
            update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    assert client.get(f"/staff/password/reset/{token}").status_code == 410
    assert reset(client, token).status_code == 410


def test_newer_request_invalidates_older_link(app, client, user):
    first = requested_token(app, client)
    second = requested_token(app, client)
    assert client.get(f"/staff/password/reset/{first}").status_code == 410
    assert client.get(f"/staff/password/reset/{second}").status_code == 200


def test_inactive_account_cannot_reset(app, client, user):
    token = requested_token(app, client)
    with app.app_context():
        db.session.get(User, user).is_active = False
        db.session.commit()
    assert client.get(f"/staff/password/reset/{token}").status_code == 410
    assert reset(client, token).status_code == 410


@pytest.mark.parametrize(
    ("new", "confirm", "message"),
    [
        ("short", "short", b"at least 12"),
        ("password1234", "password1234", b"too easy to guess"),
        ("ed@example.com1", "ed@example.com1", b"too easy to guess"),
        (STRONG, STRONG + "x", b"differ"),
        ("", "", b"required"),
    ],
)
def test_weak_or_mismatched_password_refused(app, client, user, new, confirm, message):
    token = requested_token(app, client)
    response = reset(client, token, new=new, confirm=confirm)
    assert response.status_code == 422
    assert message in response.data
    assert b"<html" in response.data
    assert client.get(f"/staff/password/reset/{token}").status_code == 200


def test_strength_hint_needs_a_working_link(app, client, user, htmx_headers):
    token = requested_token(app, client)
    hint = client.post(
        f"/staff/password/reset/{token}/strength",
        data={"new_password": "password1234"},
        headers=htmx_headers,
    )
    assert hint.status_code == 200
    assert b"too easy to guess" in hint.data
    gone = client.post(
        "/staff/password/reset/nope/strength", data={"new_password": "x"}
    )
    assert gone.status_code == 410


def test_reset_ends_every_session_of_the_account(app, user):
    other, _ = staff_client(app, email="other@example.com")
    client = app.test_client()
    with app.app_context():
        from tests.support.staff_support import sign_in_as

        signed_in = app.test_client()
        sign_in_as(signed_in, db.session.get(User, user))
    assert signed_in.get("/staff/").status_code == 200
    token = requested_token(app, client)
    assert reset(client, token).status_code == 303
    assert signed_in.get("/staff/").status_code == 302
    assert other.get("/staff/").status_code == 200
    # The change is announced to the account, as a password change is.
    assert any("was changed" in m.subject for m in mails(app))


@pytest.mark.parametrize(
    "token",
    ["garbage", "x" * 500, "%00abc", "a%00b", "%C3%A9t%C3%A9", "..%5C..", "%FF"],
)
def test_garbage_tokens_are_410_never_500(client, token):
    assert client.get(f"/staff/password/reset/{token}").status_code == 410
    assert reset(client, token).status_code == 410


@pytest.mark.parametrize(
    "email",
    ["", "not an email", "a" * 300 + "@example.com", "ed\x00@example.com", "é@"],
)
def test_bad_addresses_are_422(client, email):
    response = forgot(client, email)
    assert response.status_code == 422
    assert b'id="forgot-form"' in response.data


def test_forgot_per_address_limit(make_app, htmx_headers):
    app = make_app(
        RATELIMIT_ENABLED=True,
        PASSWORD_RESET_LIMIT_PER_ACCOUNT="2 per hour",
        PASSWORD_RESET_LIMIT_PER_IP="100 per hour",
    )
    with app.app_context():
        make_user(email="ed@example.com")
    client = app.test_client()
    for _ in range(2):
        assert forgot(client).status_code == 303
    limited = forgot(client)
    assert limited.status_code == 429
    assert b'id="forgot-form"' in limited.data and b"Too many" in limited.data
    assert b"<html" in limited.data
    assert "Retry-After" in limited.headers
    part = forgot(client, headers=htmx_headers)
    assert part.status_code == 429
    assert part.data.lstrip().startswith(b'<form class="stack" id="forgot-form"')
    assert forgot(client, "other@example.com").status_code == 303
    assert len(mails(app)) == 2


def test_forgot_per_client_limit(make_app):
    app = make_app(
        RATELIMIT_ENABLED=True,
        PASSWORD_RESET_LIMIT_PER_ACCOUNT="100 per hour",
        PASSWORD_RESET_LIMIT_PER_IP="3 per hour",
    )
    client = app.test_client()
    for n in range(3):
        assert forgot(client, f"guess{n}@example.com").status_code == 303
    assert forgot(client, "guess9@example.com").status_code == 429
    other = forgot(
        client, "guess9@example.com", environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert other.status_code == 303


def test_reset_post_is_limited_per_client(make_app):
    app = make_app(RATELIMIT_ENABLED=True, PASSWORD_RESET_LIMIT_PER_IP="2 per hour")
    client = app.test_client()
    for _ in range(2):
        assert reset(client, "garbage").status_code == 410
    assert reset(client, "garbage").status_code == 429


def test_csrf_required(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_user(email="ed@example.com")
    client = app.test_client()
    assert forgot(client).status_code == 400
    assert reset(client, "garbage").status_code == 400
    assert mails(app) == []
