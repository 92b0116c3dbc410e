"""Staff sign-in: credentials, rate limits, session rotation, next, logout, passwords."""

import re
import threading

import pytest
from argon2 import PasswordHasher

from blueprints.staff.passwords import hash_password
from blueprints.staff.passwords import verify_password
from models import Role
from models import User
from models import db
from tests.support.factories import PASSWORD
from tests.support.factories import make_user
from tests.support.staff_support import staff_client
from tests.test_comments import post


@pytest.fixture
def user(app):
    with app.app_context():
        return make_user(email="ed@example.com", role=Role.EDITOR).id


def login(client, email="ed@example.com", password=PASSWORD, **extra):
    return client.post(
        "/staff/login", data={"email": email, "password": password, **extra}
    )


def test_login_page(client):
    response = client.get("/staff/login")
    assert response.status_code == 200
    assert b'name="password"' in response.data
    assert response.headers["Cache-Control"] == "no-store"


def test_login_success_redirects_to_dashboard(client, user):
    response = login(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"
    page = client.get("/staff/")
    assert page.status_code == 200
    assert b"Dashboard" in page.data


def test_login_records_time_and_email_case(app, client, user):
    assert login(client, email="  ED@Example.COM ").status_code == 303
    with app.app_context():
        assert db.session.get(User, user).last_login_at is not None


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("ed@example.com", "wrong password here"),
        ("nobody@example.com", PASSWORD),
        ("", PASSWORD),
        ("ed@example.com", ""),
    ],
)
def test_login_failures_share_one_message(client, user, email, password):
    response = login(client, email=email, password=password)
    assert response.status_code == 422
    assert "/staff/" not in response.headers.get("Location", "")
    if email and password:
        assert b"do not match an active staff account" in response.data


def test_wrong_email_and_wrong_password_same_page(client, user):
    a = login(client, email="nobody@example.com").data
    b = login(client, password="not the password!").data
    # Only the CSRF tokens (signed with a timestamp) and the echoed email differ.
    strip = re.compile(rb'value="[^"]*"|"X-CSRFToken": "[^"]*"')
    assert strip.sub(b"", a) == strip.sub(b"", b)


def test_inactive_user_cannot_sign_in(app, client):
    with app.app_context():
        make_user(email="gone@example.com", is_active=False)
    assert login(client, email="gone@example.com").status_code == 422


def test_deactivated_user_is_signed_out(app):
    client, user_id = staff_client(app, Role.EDITOR)
    assert client.get("/staff/").status_code == 200
    with app.app_context():
        db.session.get(User, user_id).is_active = False
        db.session.commit()
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


def test_login_rehashes_old_parameters(app, client):
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    with app.app_context():
        user = make_user(email="old@example.com")
        user.password_hash = weak.hash(PASSWORD)
        db.session.commit()
        old_hash = user.password_hash
    assert login(client, email="old@example.com").status_code == 303
    with app.app_context():
        new_hash = db.session.scalar(
            db.select(User.password_hash).where(User.email == "old@example.com")
        )
    assert new_hash != old_hash
    assert new_hash.startswith("$argon2id$")
    assert verify_password(new_hash, PASSWORD)


def test_login_rotates_session(client, user):
    client.get("/staff/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["csrf_token"] = "old-token"
    assert login(client).status_code == 303
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != "old-token"
        assert "_user_id" in session


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "https://evil.com",
        "http://evil.com/staff/",
        "/\\evil.com",
        "\\\\evil.com",
        "javascript:alert(1)",
        "/\r\n//evil.com",
        "/\t/evil.com",
        "evil.com",
        "",
    ],
)
def test_next_refuses_other_sites(client, user, target):
    response = login(client, next=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"


def test_next_accepts_same_site_path(client, user):
    response = login(client, next="/staff/comments?tab=spam")
    assert response.headers["Location"] == "/staff/comments?tab=spam"


def test_login_form_carries_safe_next_only(client):
    assert b'value="/staff/inbox"' in client.get("/staff/login?next=/staff/inbox").data
    assert b"evil" not in client.get("/staff/login?next=//evil.com").data


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/staff/comments?tab=spam")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")


def test_logout_is_post_only(app):
    client, _ = staff_client(app)
    assert client.get("/staff/logout").status_code == 405
    response = client.post("/staff/logout")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/login"
    assert client.get("/staff/").status_code == 302


def test_login_per_account_rate_limit(make_app):
    app = make_app(
        RATELIMIT_ENABLED=True,
        LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes",
        LOGIN_LIMIT_PER_IP="100 per 15 minutes",
    )
    with app.app_context():
        make_user(email="ed@example.com")
    client = app.test_client()
    for _ in range(3):
        assert login(client, password="wrong password!!").status_code == 422
    response = login(client)
    assert response.status_code == 429
    assert b"too often" in response.data
    # Another account from the same address is not blocked.
    assert login(client, email="other@example.com").status_code == 422


def test_login_per_ip_rate_limit(make_app):
    app = make_app(
        RATELIMIT_ENABLED=True,
        LOGIN_LIMIT_PER_ACCOUNT="100 per 15 minutes",
        LOGIN_LIMIT_PER_IP="3 per 15 minutes",
    )
    client = app.test_client()
    for n in range(3):
        assert login(client, email=f"guess{n}@example.com").status_code == 422
    response = login(client, email="guess9@example.com")
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_successful_logins_do_not_count(make_app):
    app = make_app(
        RATELIMIT_ENABLED=True,
        LOGIN_LIMIT_PER_ACCOUNT="2 per 15 minutes",
        LOGIN_LIMIT_PER_IP="2 per 15 minutes",
    )
    with app.app_context():
        make_user(email="ed@example.com")
    for _ in range(4):
        assert login(app.test_client()).status_code == 303


def test_login_csrf_required(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_user(email="ed@example.com")
    assert login(app.test_client()).status_code == 400


def test_change_password(app):
    client, user_id = staff_client(app, Role.MODERATOR)
    assert client.get("/staff/password").status_code == 200
    new = "a brand new long password"
    response = client.post(
        "/staff/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm": new},
    )
    assert response.status_code == 303
    with app.app_context():
        assert verify_password(db.session.get(User, user_id).password_hash, new)


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        (
            "wrong current password",
            "a brand new long password",
            None,
            b"not your current",
        ),
        (PASSWORD, "short", None, b"at least 12"),
        (PASSWORD, "a brand new long password", "different password!", b"differ"),
        ("", "a brand new long password", None, b"required"),
    ],
)
def test_change_password_rejects(app, current, new, confirm, message):
    client, user_id = staff_client(app)
    response = client.post(
        "/staff/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm": new if confirm is None else confirm,
        },
    )
    assert response.status_code == 422
    assert message in response.data
    with app.app_context():
        assert verify_password(db.session.get(User, user_id).password_hash, PASSWORD)


def test_password_hash_is_argon2id():
    assert hash_password("x" * 12).startswith("$argon2id$")


def test_session_cookie_flags_over_https(client, user):
    response = client.post(
        "/staff/login",
        data={"email": "ed@example.com", "password": PASSWORD},
        base_url="https://localhost",
    )
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" in cookie


def test_session_cookie_not_secure_over_plain_http(client, user):
    cookie = login(client).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" not in cookie


def _count_calls(monkeypatch, name: str) -> list[str]:
    """Record each call of PasswordHasher.<name> (the Argon2 work) by hash kind."""
    calls: list[str] = []
    original = getattr(PasswordHasher, name)

    def spy(self, *args, **kwargs):
        calls.append(name)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, name, spy)
    return calls


@pytest.mark.parametrize("email", ["ed@example.com", "nobody@example.com"])
def test_failed_sign_in_runs_argon2_once_known_email_or_not(
    client, user, monkeypatch, email
):
    login(client, email="warm@example.com")  # the dummy hash is made once
    verified = _count_calls(monkeypatch, "verify")
    hashed = _count_calls(monkeypatch, "hash")
    for _ in range(2):
        response = login(client, email=email, password="not the password!")
        assert response.status_code == 422
    assert verified == ["verify", "verify"]
    assert hashed == []


def test_first_sign_in_makes_the_dummy_hash_known_email_or_not(client, user):
    from blueprints.staff.auth import _dummy_hash

    _dummy_hash.cache_clear()
    assert login(client, password="not the password!").status_code == 422
    assert _dummy_hash.cache_info().currsize == 1


def test_known_and_unknown_email_do_the_same_work(client, user, monkeypatch):
    """One Argon2 verification each, against hashes of the same cost.

    The same work takes the same time; a test that timed it failed whenever
    the machine was busy, so the equal work is what is checked.
    """
    from argon2 import extract_parameters

    from blueprints.staff import auth

    verified: list[str] = []
    real_verify = auth.verify_password

    def counting_verify(stored: str, password: str) -> bool:
        verified.append(stored)
        return real_verify(stored, password)

    monkeypatch.setattr(auth, "verify_password", counting_verify)
    for email in ("ed@example.com", "nobody@example.com"):
        assert login(client, email=email, password="wrong password").status_code == 422
    known, unknown = verified
    assert known != unknown
    assert extract_parameters(known) == extract_parameters(unknown)
    assert extract_parameters(unknown) == extract_parameters(hash_password("x"))


def test_comment_post_completes_while_a_sign_in_verifies(make_app, monkeypatch):
    from blueprints.staff import auth
    from tests.support.factories import make_article

    # A short busy timeout: were the sign-in holding the write gate, the
    # comment would give up with a 503 instead of waiting for the event.
    app = make_app(SPAM_MIN_SECONDS=0, SQLITE_BUSY_TIMEOUT_MS=1000)
    with app.app_context():
        make_article(title="Hello", slug="hello")
        make_user(email="ed@example.com")
    verifying, release = threading.Event(), threading.Event()
    real_verify = auth.verify_password

    def slow_verify(stored: str, password: str) -> bool:
        verifying.set()
        release.wait(timeout=10)
        return real_verify(stored, password)

    monkeypatch.setattr(auth, "verify_password", slow_verify)
    statuses: list[int] = []
    signer = threading.Thread(
        target=lambda: statuses.append(login(app.test_client()).status_code)
    )
    signer.start()
    try:
        assert verifying.wait(timeout=10)
        response = post(app.test_client())
        assert signer.is_alive() and not release.is_set()
        assert response.status_code == 303
    finally:
        release.set()
        signer.join(timeout=10)
    assert statuses == [303]
