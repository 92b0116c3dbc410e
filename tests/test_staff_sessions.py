"""Staff sessions end on the server: logout, password change, deactivation,
"sign out everywhere else", idle and absolute timeouts; the cookie's name and
flags; the statements a staff page costs; the password-change mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from flask_login import login_user
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from blueprints.staff.credentials import TWO_FACTOR
from blueprints.staff.credentials import credentials_changed
from blueprints.staff.sessions import GENERATION_KEY
from blueprints.staff.sessions import TOKEN_KEY
from models import Article
from models import OutboxMail
from models import Role
from models import StaffSession
from models import User
from models import db
from models import utcnow
from storage import sqlcount
from storage.transactions import write_transaction
from tests.support.factories import PASSWORD
from tests.support.factories import make_article
from tests.support.factories import make_user
from tests.support.staff_support import sign_in_as
from tests.support.staff_support import staff_client

NEW_PASSWORD = "a brand new long password"
# The dashboard's statements: its own eight counts and lists, and the one that
# checks the session and loads the user (it loaded the user alone before).
DASHBOARD_BUDGET = 9


def copy_of(client: FlaskClient) -> FlaskClient:
    """Another client holding the same session cookie (a stolen or copied one)."""
    app = client.application
    name = app.config["SESSION_COOKIE_NAME"]
    thief = app.test_client()
    thief.set_cookie(name, client.get_cookie(name).value)
    return thief


def signed_in(client: FlaskClient) -> bool:
    """True when the client's cookie still opens the staff dashboard."""
    response = client.get("/staff/")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/staff/login")
        return False
    assert response.status_code == 200
    return True


def login(client: FlaskClient, email: str, password: str = PASSWORD, **kw):
    return client.post(
        "/staff/login", data={"email": email, "password": password}, **kw
    )


def article_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Article.id)))


def age_sessions(app, user_id: int, **values) -> None:
    """Move the account's session times into the past (no sleeping)."""
    with app.app_context():
        db.session.execute(
            update(StaffSession).where(StaffSession.user_id == user_id).values(**values)
        )
        db.session.commit()


def test_a_copied_cookie_dies_with_logout(app):
    client, _ = staff_client(app, Role.EDITOR)
    thief = copy_of(client)
    assert signed_in(thief)
    assert client.post("/staff/logout").status_code == 303
    assert not signed_in(thief)
    response = thief.post("/staff/articles", data={"title": "Planted", "body": "x"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")
    assert article_count(app) == 0


def test_logout_ends_only_that_session(app):
    with app.app_context():
        make_user(email="ed@example.com")
    laptop, phone = app.test_client(), app.test_client()
    assert login(laptop, "ed@example.com").status_code == 303
    assert login(phone, "ed@example.com").status_code == 303
    laptop.post("/staff/logout")
    assert not signed_in(laptop)
    assert signed_in(phone)


def test_a_login_through_the_form_is_a_server_session(app):
    with app.app_context():
        user_id = make_user(email="ed@example.com").id
    client = app.test_client()
    login(client, "ed@example.com", headers={"User-Agent": "Firefox/140"})
    with app.app_context():
        row = db.session.scalar(select(StaffSession))
        assert row.user_id == user_id and row.ended_at is None
        assert row.user_agent == "Firefox/140"
    with client.session_transaction() as session:
        token = session[TOKEN_KEY]
    # The table keeps a digest: the token itself is nowhere in it.
    assert token not in row.token_hash and len(row.token_hash) == 64


def test_password_change_ends_other_sessions_and_keeps_this_one(app):
    client, user_id = staff_client(app, Role.EDITOR)
    copy = copy_of(client)
    other, _ = staff_client(app)  # another account is not affected
    with app.app_context():
        elsewhere = app.test_client()
        sign_in_as(elsewhere, db.session.get(User, user_id))
    response = client.post(
        "/staff/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303
    assert signed_in(client)  # re-issued: a new token and generation
    assert not signed_in(copy)
    assert not signed_in(elsewhere)
    assert signed_in(other)
    assert copy.post("/staff/articles", data={"title": "x"}).status_code == 302
    assert article_count(app) == 0


def test_deactivation_ends_live_sessions_for_good(app):
    admin, _ = staff_client(app)
    victim, victim_id = staff_client(app, Role.EDITOR)
    assert signed_in(victim)
    assert admin.post(f"/staff/users/{victim_id}/active").status_code == 303
    assert not signed_in(victim)
    # Reactivated, the account must sign in again: old cookies stay dead.
    assert admin.post(f"/staff/users/{victim_id}/active").status_code == 303
    assert not signed_in(victim)


def test_sign_out_everywhere_else(app):
    client, user_id = staff_client(app)
    copy = copy_of(client)
    with app.app_context():
        phone = app.test_client()
        sign_in_as(phone, db.session.get(User, user_id))
    assert b"Sign out everywhere else" in client.get("/staff/password").data
    response = client.post("/staff/sessions/others")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/password"
    assert signed_in(client)
    assert not signed_in(phone)
    assert not signed_in(copy)
    with app.app_context():
        live = db.session.scalar(
            select(func.count(StaffSession.id)).where(StaffSession.ended_at.is_(None))
        )
    assert live == 1


def test_sign_out_everywhere_else_needs_csrf(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client, _ = staff_client(app)
    assert client.post("/staff/sessions/others").status_code == 400


def test_password_page_lists_live_sessions(app):
    client, user_id = staff_client(app)
    with app.app_context():
        sign_in_as(app.test_client(), db.session.get(User, user_id))
    age_sessions(app, user_id, last_seen_at=utcnow() - timedelta(minutes=5))
    page = client.get("/staff/password").get_data(as_text=True)
    assert page.count("(this session)") == 1
    assert page.count("<time datetime=") == 4  # two sessions, two times each
    assert "12 hours without use, and 14 days after signing in" in page


@pytest.mark.parametrize(
    ("idle", "alive"), [(timedelta(hours=11), True), (timedelta(hours=13), False)]
)
def test_idle_timeout(app, idle, alive):
    client, user_id = staff_client(app)
    age_sessions(app, user_id, last_seen_at=utcnow() - idle)
    assert signed_in(client) is alive


def test_idle_timeout_follows_the_setting(make_app):
    app = make_app(STAFF_SESSION_IDLE_MINUTES=30)
    client, user_id = staff_client(app)
    age_sessions(app, user_id, last_seen_at=utcnow() - timedelta(minutes=31))
    assert not signed_in(client)


def test_use_keeps_a_session_alive(app):
    client, user_id = staff_client(app)
    age_sessions(app, user_id, last_seen_at=utcnow() - timedelta(hours=11))
    assert signed_in(client)  # writes last_seen_at
    with app.app_context():
        seen = db.session.scalar(select(StaffSession.last_seen_at))
    assert utcnow() - seen < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("age", "alive"), [(timedelta(days=13), True), (timedelta(days=15), False)]
)
def test_absolute_lifetime(app, age, alive):
    client, user_id = staff_client(app)
    age_sessions(app, user_id, created_at=utcnow() - age)
    assert signed_in(client) is alive


def test_a_cookie_of_an_older_generation_is_refused(app):
    client, user_id = staff_client(app)
    with client.session_transaction() as session:
        session[GENERATION_KEY] -= 1
    assert not signed_in(client)


@pytest.mark.parametrize("missing", [TOKEN_KEY, GENERATION_KEY])
def test_a_cookie_without_its_session_is_refused(app, missing):
    client, _ = staff_client(app)
    with client.session_transaction() as session:
        del session[missing]
    assert not signed_in(client)


def test_a_refused_cookie_is_cleared(app):
    client, _ = staff_client(app)
    with client.session_transaction() as session:
        session[TOKEN_KEY] = "forged"
    assert not signed_in(client)
    with client.session_transaction() as session:
        assert "_user_id" not in session and TOKEN_KEY not in session


def test_a_remember_cookie_opens_nothing(app):
    with app.app_context():
        user_id = make_user().id

    @app.get("/_test/remember")
    def remember():
        login_user(db.session.get(User, user_id), remember=True)
        return "ok"

    client = app.test_client()
    client.get("/_test/remember")
    with client.session_transaction() as session:
        session.clear()  # only the remember cookie is left
    assert client.get_cookie("remember_token") is not None
    assert not signed_in(client)


def test_sign_in_forgets_finished_sessions(app):
    with app.app_context():
        user_id = make_user(email="ed@example.com").id
    client = app.test_client()
    login(client, "ed@example.com")
    client.post("/staff/logout")
    login(client, "ed@example.com")
    age_sessions(app, user_id, last_seen_at=utcnow() - timedelta(days=1))
    login(client, "ed@example.com")
    with app.app_context():
        assert db.session.scalar(select(func.count(StaffSession.id))) == 1


def test_session_cookie_lasts_the_absolute_lifetime(app):
    with app.app_context():
        make_user(email="ed@example.com")
    response = login(app.test_client(), "ed@example.com")
    cookie = response.headers["Set-Cookie"]
    assert "Expires=" in cookie
    client = app.test_client()
    login(client, "ed@example.com")
    expires = client.get_cookie("session").expires
    assert timedelta(days=13, hours=23) < expires - utcnow() <= timedelta(days=14)


def test_staff_pages_do_not_resend_the_cookie(app):
    client, _ = staff_client(app)
    client.get("/staff/")
    assert "Set-Cookie" not in client.get("/staff/").headers


@pytest.mark.parametrize(
    "config",
    [
        {"SITE_URL": "https://blog.example.com"},
        {"PREFERRED_URL_SCHEME": "https"},
        {"SESSION_COOKIE_SECURE": True},
    ],
)
def test_host_prefixed_cookie_under_https(make_app, config):
    app = make_app(**config)
    with app.app_context():
        make_user(email="ed@example.com")
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-folio_session"
    client = app.test_client()
    response = login(client, "ed@example.com", base_url="https://localhost")
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-folio_session=")
    flags = [part.strip() for part in cookie.split(";")]
    assert "Secure" in flags and "Path=/" in flags and "HttpOnly" in flags
    assert not any(flag.lower().startswith("domain") for flag in flags)
    page = client.get("/staff/", base_url="https://localhost")
    assert page.status_code == 200


def test_plain_http_keeps_the_ordinary_cookie_name(app):
    with app.app_context():
        make_user(email="ed@example.com")
    cookie = login(app.test_client(), "ed@example.com").headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "Secure" not in cookie


def test_host_cookie_still_tells_the_page_cache_who_is_signed_in(make_app):
    app = make_app(SITE_URL="https://blog.example.com")
    with app.app_context():
        make_article(slug="hello")
    reader = app.test_client()
    reader.get("/articles/hello")
    with sqlcount.count_statements(app) as log:
        reader.get("/articles/hello")
    assert len(log) == 1  # served from the cache
    staff, _ = staff_client(app)
    with sqlcount.count_statements(app) as log:
        response = staff.get("/articles/hello")
    assert len(log) > 1 and "ETag" not in response.headers


def _statements(app, client, url: str = "/staff/") -> int:
    with sqlcount.count_statements(app) as log:
        response = client.get(url)
    assert response.status_code == 200
    return len(log)


def test_staff_page_statements_small_and_constant(make_app):
    app = make_app()
    client, user_id = staff_client(app)
    _statements(app, client)
    first = _statements(app, client)
    assert first <= DASHBOARD_BUDGET
    # Many sessions of the account, live and ended, change nothing.
    with app.app_context():
        for _ in range(30):
            sign_in_as(app.test_client(), db.session.get(User, user_id))
        db.session.execute(
            update(StaffSession).where(StaffSession.id > 10).values(ended_at=utcnow())
        )
        db.session.commit()
    assert _statements(app, client) == first
    # The session check is one statement of the page's.
    with sqlcount.count_statements(app) as log:
        client.get("/staff/")
    session_checks = [s for s in log if "staff_sessions" in s]
    assert len(session_checks) == 1 and session_checks[0].lstrip().startswith("SELECT")
    # last_seen_at is written once a minute at most: one UPDATE more, then not.
    age_sessions(app, user_id, last_seen_at=utcnow() - timedelta(minutes=2))
    with sqlcount.count_statements(app) as log:
        client.get("/staff/")
    updates = [s for s in log if s.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1 and "staff_sessions" in updates[0]
    assert _statements(app, client) == first


def test_password_change_mails_the_account(app):
    client, user_id = staff_client(app, email="ed@example.com")
    response = client.post(
        "/staff/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    assert response.status_code == 303
    with app.app_context():
        mails = db.session.scalars(select(OutboxMail)).all()
        token_hashes = db.session.scalars(select(StaffSession.token_hash)).all()
        password_hash = db.session.get(User, user_id).password_hash
    assert len(mails) == 1
    mail = mails[0]
    assert mail.to_addrs == "ed@example.com"
    assert mail.subject == "[Folio] Your password was changed"
    assert "203.0.113.7" in mail.body and "UTC" in mail.body
    assert "contact an admin" in mail.body
    text = mail.subject + mail.body
    for secret in (NEW_PASSWORD, PASSWORD, password_hash, *token_hashes):
        assert secret not in text


def test_refused_password_change_mails_nobody_and_ends_nothing(app):
    client, _ = staff_client(app)
    copy = copy_of(client)
    response = client.post(
        "/staff/password",
        data={
            "current_password": "not my password!",
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 422
    assert signed_in(copy)
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMail.id))) == 0


def test_two_factor_hook_ends_other_sessions_and_mails(app):
    client, user_id = staff_client(app, email="ed@example.com")
    with app.test_request_context():
        with write_transaction():
            credentials_changed(
                db.session.get(User, user_id), TWO_FACTOR, by_owner=False
            )
    assert not signed_in(client)
    with app.app_context():
        mail = db.session.scalar(select(OutboxMail))
    assert mail.to_addrs == "ed@example.com"
    assert "two-factor authentication" in mail.subject


def test_signing_in_again_ends_the_session_this_browser_had(app):
    with app.app_context():
        make_user(email="ed@example.com")
    client = app.test_client()
    assert login(client, "ed@example.com").status_code == 303
    copy = copy_of(client)
    assert login(client, "ed@example.com").status_code == 303
    assert signed_in(client)
    assert not signed_in(copy)


def test_guessing_the_current_password_is_limited(make_app):
    """A stolen cookie gets the sign-in limit's tries, not Argon2's pace."""
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes")
    client, _ = staff_client(app)
    wrong = {"current_password": "a guess", "new_password": NEW_PASSWORD}
    statuses = [
        client.post(
            "/staff/password", data={**wrong, "confirm": NEW_PASSWORD}
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [422, 422, 422, 429]


def test_the_right_current_password_uses_up_no_try(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_ACCOUNT="2 per 15 minutes")
    client, _ = staff_client(app)
    weak = {"current_password": PASSWORD, "new_password": "x", "confirm": "x"}
    for _ in range(4):  # weak new passwords, the current one right: no lock-out
        assert client.post("/staff/password", data=weak).status_code == 422
