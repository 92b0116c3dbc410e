"""Signing in to an account with two-factor sign-in: the code step, recovery codes,
replays, the pending marker, rate limits and remembered browsers."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from blueprints.staff.pending_sign_in import PENDING_KEY
from blueprints.staff.trusted_devices import COOKIE
from models import AuditAction
from models import StaffSession
from models import TrustedDevice
from models import db
from tests.support.factories import PASSWORD
from tests.support.factories import make_user
from tests.support.staff_support import staff_client
from tests.support.two_factor_support import NOW
from tests.support.two_factor_support import audit_lines
from tests.support.two_factor_support import code_at
from tests.support.two_factor_support import enrol
from tests.support.two_factor_support import freeze
from tests.support.two_factor_support import mails_to

EMAIL = "ed@example.com"
NEW_PASSWORD = "a brand new long password"


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    freeze(monkeypatch)


@pytest.fixture
def ed(app):
    with app.app_context():
        user_id = make_user(email=EMAIL).id
    return user_id, enrol(app, user_id)


def password_step(client, next_url: str = ""):
    data = {"email": EMAIL, "password": PASSWORD, "next": next_url}
    return client.post("/staff/login", data=data)


def signed_in(client) -> bool:
    return client.get("/staff/").status_code == 200


def test_password_alone_does_not_sign_in(app, client, ed):
    response = password_step(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/login/two-factor"
    assert not signed_in(client)
    page = client.get("/staff/login/two-factor")
    assert page.status_code == 200
    assert "Enter your code" in page.text
    assert "Don&#39;t ask again" not in page.text  # remembering is off by default
    assert audit_lines(app, AuditAction.SIGN_IN) == []


def test_pending_marker_reaches_no_staff_page(client, ed):
    password_step(client)
    for path in ("/staff/", "/staff/password", "/staff/two-factor", "/staff/users"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/staff/login")


def test_right_code_signs_in_and_honours_next(app, client, ed):
    password_step(client, next_url="/staff/articles")
    response = client.post("/staff/login/two-factor", data={"code": code_at()})
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/articles"
    assert signed_in(client)
    [line] = audit_lines(app, AuditAction.SIGN_IN)
    assert line.detail == "with a two-factor code"
    with app.app_context():
        row = db.session.scalar(select(StaffSession))
        assert row.ip == "127.0.0.1"
    with client.session_transaction() as session:
        assert PENDING_KEY not in session


def test_code_with_spaces_is_accepted(client, ed):
    password_step(client)
    code = code_at()
    response = client.post(
        "/staff/login/two-factor", data={"code": f"{code[:3]} {code[3:]}"}
    )
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("offset", "ok"), [(-30, True), (30, True), (-60, False), (60, False)]
)
def test_codes_of_the_neighbouring_steps_only(client, ed, offset, ok):
    password_step(client)
    response = client.post(
        "/staff/login/two-factor", data={"code": code_at(NOW + offset)}
    )
    assert response.status_code == (303 if ok else 422)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Type the code from your app, or one"),
        ({"code": "12 34"}, "Type the 6 digits"),
        ({"code": "x" * 25}, "Field cannot be longer"),
        ({"code": "000000"}, "That code is not right"),
        ({"recovery_code": "nope"}, "That recovery code is not right"),
        ({"recovery_code": "y" * 41}, "Field cannot be longer"),
    ],
)
def test_wrong_codes_are_refused(app, client, ed, data, message):
    password_step(client)
    response = client.post("/staff/login/two-factor", data=data)
    assert response.status_code == 422
    assert message in response.text
    assert not signed_in(client)


def test_a_wrong_code_is_audited(app, client, ed):
    password_step(client)
    client.post("/staff/login/two-factor", data={"code": "000000"})
    [line] = audit_lines(app, AuditAction.TWO_FACTOR_FAILED)
    assert line.detail == "wrong code (sign-in)"
    assert line.target_id == ed[0]


def test_wrong_code_for_htmx_is_the_form_alone(client, ed, htmx_headers):
    password_step(client)
    response = client.post(
        "/staff/login/two-factor", data={"code": "000000"}, headers=htmx_headers
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form class="stack" id="two-factor-code')
    assert "HX-Request" in response.headers["Vary"]


def test_right_code_for_htmx_answers_hx_location(client, ed, htmx_headers):
    password_step(client)
    response = client.post(
        "/staff/login/two-factor", data={"code": code_at()}, headers=htmx_headers
    )
    assert response.status_code == 200
    assert response.headers["HX-Location"] == "/staff/"


def test_a_used_code_is_refused_as_a_replay(app, ed):
    first, second = app.test_client(), app.test_client()
    password_step(first)
    password_step(second)
    assert (
        first.post("/staff/login/two-factor", data={"code": code_at()}).status_code
        == 303
    )
    response = second.post("/staff/login/two-factor", data={"code": code_at()})
    assert response.status_code == 422
    assert "already been used" in response.text
    # An older code than the last one used is refused too.
    response = second.post("/staff/login/two-factor", data={"code": code_at(NOW - 30)})
    assert "already been used" in response.text
    assert audit_lines(app, AuditAction.TWO_FACTOR_FAILED)[-1].detail.startswith(
        "code used before"
    )


def test_recovery_code_works_once_and_mails(app, ed):
    _, codes = ed
    client = app.test_client()
    password_step(client)
    response = client.post(
        "/staff/login/two-factor", data={"recovery_code": codes[0].upper()}
    )
    assert response.status_code == 303
    assert audit_lines(app, AuditAction.SIGN_IN)[-1].detail == "with a recovery code"
    assert audit_lines(app, AuditAction.RECOVERY_CODE_USED)[-1].detail == "9 left"
    assert "recovery code" in mails_to(app, EMAIL)[-1].subject
    again = app.test_client()
    password_step(again)
    response = again.post("/staff/login/two-factor", data={"recovery_code": codes[0]})
    assert response.status_code == 422
    assert "has been used already" in response.text


def test_pending_marker_expires(client, ed, monkeypatch):
    password_step(client)
    later = time.time() + 301
    monkeypatch.setattr("blueprints.staff.pending_sign_in.time.time", lambda: later)
    response = client.post("/staff/login/two-factor", data={"code": code_at()})
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/login"
    assert not signed_in(client)


def test_code_page_without_a_password_step_goes_to_login(client):
    for method in ("get", "post"):
        response = getattr(client, method)("/staff/login/two-factor")
        assert response.status_code == 303
        assert response.headers["Location"] == "/staff/login"


def test_password_change_meanwhile_voids_the_pending_sign_in(app, ed):
    client = app.test_client()
    password_step(client)
    owner, _ = staff_client(app)
    with app.app_context():
        from blueprints.staff.sessions import end_all_sessions

        with app.test_request_context():
            end_all_sessions(ed[0])
            db.session.commit()
    response = client.post("/staff/login/two-factor", data={"code": code_at()})
    assert response.headers["Location"] == "/staff/login"


def test_code_step_is_rate_limited_per_account(make_app):
    app = make_app(
        RATELIMIT_ENABLED=True,
        LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes",
        LOGIN_LIMIT_PER_IP="100 per 15 minutes",
    )
    with app.app_context():
        user_id = make_user(email=EMAIL).id
    enrol(app, user_id)
    client = app.test_client()
    password_step(client)
    for _ in range(3):
        assert (
            client.post("/staff/login/two-factor", data={"code": "000000"}).status_code
            == 422
        )
    response = client.post("/staff/login/two-factor", data={"code": code_at()})
    assert response.status_code == 429
    assert "Too many wrong codes" in response.text
    assert 'id="two-factor-code-form"' in response.text
    # From another client too: the limit is the account's.
    other = app.test_client()
    password_step(other)
    assert (
        other.post("/staff/login/two-factor", data={"code": code_at()}).status_code
        == 429
    )


def test_right_codes_do_not_count_against_the_limit(make_app, monkeypatch):
    app = make_app(
        RATELIMIT_ENABLED=True,
        LOGIN_LIMIT_PER_ACCOUNT="2 per 15 minutes",
        LOGIN_LIMIT_PER_IP="2 per 15 minutes",
    )
    with app.app_context():
        user_id = make_user(email=EMAIL).id
    enrol(app, user_id)
    for n in range(4):
        freeze(monkeypatch, NOW + 30 * n)
        client = app.test_client()
        password_step(client)
        assert (
            client.post(
                "/staff/login/two-factor", data={"code": code_at(NOW + 30 * n)}
            ).status_code
            == 303
        )


def test_code_step_needs_csrf(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user_id = make_user(email=EMAIL).id
    enrol(app, user_id)
    client = app.test_client()
    with client.session_transaction() as session:
        session[PENDING_KEY] = {
            "user": user_id,
            "generation": 0,
            "expires": time.time() + 60,
            "next": "",
        }
    assert (
        client.post("/staff/login/two-factor", data={"code": code_at()}).status_code
        == 400
    )


def remember_app(make_app, days: int = 30):
    app = make_app(TWO_FACTOR_REMEMBER_DAYS=days)
    with app.app_context():
        user_id = make_user(email=EMAIL).id
    enrol(app, user_id)
    return app, user_id


def remembered_client(app):
    client = app.test_client()
    password_step(client)
    page = client.get("/staff/login/two-factor")
    assert "Don&#39;t ask again on this browser" in page.text
    response = client.post(
        "/staff/login/two-factor", data={"code": code_at(), "remember": "y"}
    )
    assert response.status_code == 303
    cookie = client.get_cookie(COOKIE, path="/staff")
    assert cookie is not None and cookie.http_only and cookie.path == "/staff"
    client.post("/staff/logout")
    return client


def test_remembered_browser_skips_the_code(make_app):
    app, user_id = remember_app(make_app)
    client = remembered_client(app)
    response = password_step(client)
    assert response.headers["Location"] == "/staff/"
    assert signed_in(client)
    assert audit_lines(app, AuditAction.SIGN_IN)[-1].detail == "remembered browser"
    # Another browser still gets asked.
    assert (
        password_step(app.test_client()).headers["Location"]
        == "/staff/login/two-factor"
    )


def test_remembered_browser_is_ignored_when_the_setting_is_off(make_app):
    remembering, user_id = remember_app(make_app)
    client = remembered_client(remembering)
    remembering.config["TWO_FACTOR_REMEMBER_DAYS"] = 0
    assert password_step(client).headers["Location"] == "/staff/login/two-factor"


def test_remembered_browser_dies_on_password_change(make_app):
    app, user_id = remember_app(make_app)
    client = remembered_client(app)
    password_step(client)
    client.post(
        "/staff/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    client.post("/staff/logout")
    response = client.post(
        "/staff/login", data={"email": EMAIL, "password": NEW_PASSWORD}
    )
    assert response.headers["Location"] == "/staff/login/two-factor"


def test_remembered_browser_dies_on_reset(make_app):
    app, user_id = remember_app(make_app)
    remembered_client(app)
    admin, _ = staff_client(app)
    admin.post(f"/staff/users/{user_id}/two-factor/reset")
    with app.app_context():
        assert db.session.scalar(select(TrustedDevice)) is None


def test_forget_a_remembered_browser(make_app, htmx_headers):
    app, user_id = remember_app(make_app)
    client = remembered_client(app)
    password_step(client)
    page = client.get("/staff/password").text
    assert "Remembered browsers" in page
    with app.app_context():
        device_id = db.session.scalar(select(TrustedDevice.id))
    response = client.post(
        f"/staff/remembered-browsers/{device_id}/forget", headers=htmx_headers
    )
    assert response.status_code == 200 and response.text == ""
    assert (
        client.post(f"/staff/remembered-browsers/{device_id}/forget").status_code == 404
    )
    client.post("/staff/logout")
    assert password_step(client).headers["Location"] == "/staff/login/two-factor"


def test_code_step_is_rate_limited_per_client(make_app):
    app = make_app(
        RATELIMIT_ENABLED=True,
        LOGIN_LIMIT_PER_ACCOUNT="100 per 15 minutes",
        LOGIN_LIMIT_PER_IP="3 per 15 minutes",
    )
    with app.app_context():
        user_id = make_user(email=EMAIL).id
    enrol(app, user_id)
    client = app.test_client()
    password_step(client)
    for _ in range(3):
        response = client.post("/staff/login/two-factor", data={"code": "000000"})
        assert response.status_code == 422
    response = client.post("/staff/login/two-factor", data={"code": code_at()})
    assert response.status_code == 429
    assert not signed_in(client)
