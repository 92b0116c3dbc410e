"""The sessions list: device names, addresses, signing one session out, signing
out everywhere."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from blueprints.staff.device_names import device_name
from blueprints.staff.sessions import GENERATION_KEY
from blueprints.staff.sessions import TOKEN_KEY
from blueprints.staff.sessions import start_session
from models import AuditAction
from models import StaffSession
from models import User
from models import db
from storage import sqlcount
from tests.support.factories import make_user
from tests.support.staff_support import staff_client
from tests.support.two_factor_support import audit_lines

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.mark.parametrize(
    ("agent", "name"),
    [
        (FIREFOX_LINUX, "Firefox on Linux"),
        (IPHONE, "Safari on iOS"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like"
            " Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like"
            " Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36"
            " (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Chrome on macOS",
        ),
        ("curl/8.5.0", "curl"),
        ("", "Unknown browser"),
        ("Something (Windows NT 10.0)", "Unknown browser on Windows"),
    ],
)
def test_device_names(agent, name):
    assert device_name(agent) == name


def second_session(
    app, user_id: int, agent: str = FIREFOX_LINUX, ip: str = "203.0.113.9"
):
    """Another signed-in browser of the account; (client, session id)."""
    client = app.test_client()
    with app.test_request_context(
        headers={"User-Agent": agent}, environ_base={"REMOTE_ADDR": ip}
    ):
        ticket = start_session(db.session.get(User, user_id))
        db.session.commit()
        session_id = db.session.scalar(
            select(StaffSession.id).order_by(StaffSession.id.desc())
        )
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session[TOKEN_KEY] = ticket.token
        session[GENERATION_KEY] = ticket.generation
    return client, session_id


def test_sign_in_records_the_address(app):
    with app.app_context():
        make_user(email="ed@example.com")
    client = app.test_client()
    client.post(
        "/staff/login",
        data={"email": "ed@example.com", "password": "correct horse battery staple"},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    with app.app_context():
        assert db.session.scalar(select(StaffSession.ip)) == "198.51.100.7"


def test_sessions_list_shows_device_address_and_this_session(app):
    client, user_id = staff_client(app)
    _, other_id = second_session(app, user_id)
    page = client.get("/staff/password").text
    assert "Firefox on Linux" in page and "203.0.113.9" in page
    assert "(this session)" in page
    assert f"/staff/sessions/{other_id}/end" in page
    # One form (its action and hx-post): none for this session.
    assert page.count('/end"') == 2


def test_sign_out_one_session_without_js(app):
    client, user_id = staff_client(app)
    other, other_id = second_session(app, user_id)
    response = client.post(f"/staff/sessions/{other_id}/end")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/password"
    assert other.get("/staff/").status_code == 302
    assert client.get("/staff/").status_code == 200
    [line] = audit_lines(app, AuditAction.SESSIONS_ENDED)
    assert line.detail == "one session: Firefox on Linux from 203.0.113.9"


def test_sign_out_one_session_with_htmx_removes_its_row(app, htmx_headers):
    client, user_id = staff_client(app)
    _, other_id = second_session(app, user_id)
    response = client.post(f"/staff/sessions/{other_id}/end", headers=htmx_headers)
    assert response.status_code == 200
    assert response.text == ""
    assert "HX-Request" in response.headers["Vary"]
    assert f"session-{other_id}" not in client.get("/staff/password").text


def test_cannot_end_another_accounts_or_this_session(app):
    client, user_id = staff_client(app)
    _, stranger_id = staff_client(app)
    _, theirs = second_session(app, stranger_id)
    assert client.post(f"/staff/sessions/{theirs}/end").status_code == 404
    with app.app_context():
        mine = db.session.scalar(
            select(StaffSession.id).where(StaffSession.user_id == user_id)
        )
    assert client.post(f"/staff/sessions/{mine}/end").status_code == 404
    assert client.post("/staff/sessions/99999999999/end").status_code == 404
    assert audit_lines(app, AuditAction.SESSIONS_ENDED) == []


def test_sign_out_everywhere_includes_this_session(app):
    client, user_id = staff_client(app)
    other, _ = second_session(app, user_id)
    response = client.post("/staff/sessions/all")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/login"
    assert client.get("/staff/").status_code == 302
    assert other.get("/staff/").status_code == 302
    assert audit_lines(app, AuditAction.SESSIONS_ENDED)[-1].detail == "every session"


@pytest.mark.parametrize(
    "path", ["/staff/sessions/1/end", "/staff/remembered-browsers/1/forget"]
)
def test_anonymous_goes_to_login(client, path):
    response = client.post(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


@pytest.mark.parametrize(
    "path",
    [
        "/staff/sessions/1/end",
        "/staff/remembered-browsers/1/forget",
        "/staff/sessions/all",
    ],
)
def test_posts_need_csrf(make_app, path):
    app = make_app(WTF_CSRF_ENABLED=True)
    client, _ = staff_client(app)
    assert client.post(path).status_code == 400
    assert client.get("/staff/").status_code == 200


@pytest.mark.parametrize("remember_days", [0, 30])
def test_password_page_statements_do_not_grow_with_sessions(make_app, remember_days):
    app = make_app(TWO_FACTOR_REMEMBER_DAYS=remember_days)
    client, user_id = staff_client(app)

    def statements() -> int:
        with sqlcount.count_statements(app) as log:
            assert client.get("/staff/password").status_code == 200
        return len(log)

    first = statements()
    for n in range(5):
        second_session(app, user_id, ip=f"203.0.113.{n}")
    assert statements() == first <= 5
