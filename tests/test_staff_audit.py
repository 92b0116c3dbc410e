"""The staff audit log: what writes a line, and the admins' page that reads them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditAction
from models import AuditEvent
from models import Role
from models import User
from models import db
from storage import sqlcount
from tests.support.factories import PASSWORD
from tests.support.factories import make_user
from tests.support.staff_support import staff_client

STRONG = "quiet lantern orbits the marsh"


@pytest.fixture
def ed(app):
    with app.app_context():
        return make_user(email="ed@example.com", role=Role.EDITOR).id


@pytest.fixture
def admin(app):
    return staff_client(app, Role.ADMIN, email="boss@example.com")


def events(app, action: AuditAction | None = None) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action is not None:
            query = query.where(AuditEvent.action == action.value)
        return list(db.session.scalars(query))


def login(client, email="ed@example.com", password=PASSWORD):
    return client.post("/staff/login", data={"email": email, "password": password})


def test_sign_in_is_recorded_with_the_address(app, client, ed):
    assert login(client).status_code == 303
    [event] = events(app, AuditAction.SIGN_IN)
    assert (event.actor_id, event.target_id) == (ed, ed)
    assert event.actor_label == event.target_label == "ed@example.com"
    assert event.ip == "127.0.0.1"


@pytest.mark.parametrize(
    ("email", "password", "reason"),
    [
        ("nobody@example.com", PASSWORD, "no account has this address"),
        ("ed@example.com", "not the password at all", "wrong password"),
    ],
)
def test_refused_sign_in_is_recorded_with_why(app, client, ed, email, password, reason):
    assert login(client, email, password).status_code == 422
    [event] = events(app, AuditAction.SIGN_IN_FAILED)
    assert event.actor_id is None
    assert event.actor_label == email
    assert event.detail == reason
    assert events(app, AuditAction.SIGN_IN) == []


def test_sign_in_to_a_deactivated_account_is_recorded(app, client, ed):
    with app.app_context():
        db.session.get(User, ed).is_active = False
        db.session.commit()
    assert login(client).status_code == 422
    [event] = events(app, AuditAction.SIGN_IN_FAILED)
    assert (event.target_id, event.detail) == (ed, "account deactivated")


def test_sign_out_is_recorded(app, ed):
    client, user_id = staff_client(app, Role.EDITOR)
    assert client.post("/staff/logout").status_code == 303
    [event] = events(app, AuditAction.SIGN_OUT)
    assert event.actor_id == event.target_id == user_id


def test_password_change_and_sessions_ended_are_recorded(app):
    client, user_id = staff_client(app, Role.EDITOR)
    response = client.post(
        "/staff/password",
        data={"current_password": PASSWORD, "new_password": STRONG, "confirm": STRONG},
    )
    assert response.status_code == 303
    assert [e.target_id for e in events(app, AuditAction.PASSWORD_CHANGED)] == [user_id]
    assert client.post("/staff/sessions/others").status_code == 303
    [ended] = events(app, AuditAction.SESSIONS_ENDED)
    assert ended.detail == "every other session"


def test_a_refused_password_change_writes_no_line(app):
    client, _ = staff_client(app, Role.EDITOR)
    response = client.post(
        "/staff/password",
        data={"current_password": "wrong", "new_password": STRONG, "confirm": STRONG},
    )
    assert response.status_code == 422
    assert events(app, AuditAction.PASSWORD_CHANGED) == []


def test_reset_requests_are_recorded_for_any_address(app, client, ed):
    for email in ("ed@example.com", "stranger@example.com"):
        assert (
            client.post("/staff/password/forgot", data={"email": email}).status_code
            == 303
        )
    known, unknown = events(app, AuditAction.PASSWORD_RESET_REQUESTED)
    assert (known.target_id, known.detail) == (ed, "link mailed")
    assert unknown.target_id is None
    assert unknown.actor_label == "stranger@example.com"
    assert unknown.detail == "no active account has this address"


def test_account_changes_are_recorded_by_whom(app, admin, ed):
    client, admin_id = admin
    created = client.post(
        "/staff/users",
        data={
            "email": "new@example.com",
            "display_name": "New Person",
            "role": "moderator",
            "password": STRONG,
        },
    )
    assert created.status_code == 303
    [added] = events(app, AuditAction.ACCOUNT_CREATED)
    assert (added.actor_id, added.target_label) == (admin_id, "new@example.com")
    assert added.detail == "role moderator"

    client.post(f"/staff/users/{ed}/role", data={"role": "admin"})
    client.post(f"/staff/users/{ed}/role", data={"role": "admin"})  # no change
    [changed] = events(app, AuditAction.ROLE_CHANGED)
    assert (changed.target_id, changed.detail) == (ed, "editor → admin")

    client.post(f"/staff/users/{ed}/active")
    client.post(f"/staff/users/{ed}/active")
    assert [e.target_id for e in events(app, AuditAction.ACCOUNT_DEACTIVATED)] == [ed]
    assert [e.target_id for e in events(app, AuditAction.ACCOUNT_REACTIVATED)] == [ed]


def test_a_refused_account_writes_no_line(app, admin, ed):
    client, _ = admin
    duplicate = client.post(
        "/staff/users",
        data={
            "email": "ed@example.com",
            "display_name": "Again",
            "role": "editor",
            "password": STRONG,
        },
    )
    assert duplicate.status_code == 422
    assert events(app, AuditAction.ACCOUNT_CREATED) == []


def test_command_line_account_is_recorded(app, runner):
    result = runner.invoke(
        args=["users", "create", "--email", "cli@example.com", "--role", "admin"],
        input=STRONG + "\n",
    )
    assert result.exit_code == 0, result.output
    [event] = events(app, AuditAction.ACCOUNT_CREATED)
    assert event.actor_id is None
    assert event.actor_label == "flask users create"
    assert (event.target_label, event.ip) == ("cli@example.com", "")


def test_log_page_lists_events_newest_first(app, admin, ed, client):
    login(client, "ed@example.com", "wrong password here")
    login(client)
    admin_client, _ = admin
    page = admin_client.get("/staff/audit")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<h1" in text and "Audit log" in text
    assert text.index("Signed in") < text.index("Sign-in refused")
    assert "wrong password" in text and "127.0.0.1" in text


def test_log_page_escapes_what_strangers_typed(app, admin, client):
    login(client, "<script>x</script>@example.com")
    login(client, 'a"onmouseover=x@example.com')
    assert len(events(app, AuditAction.SIGN_IN_FAILED)) == 2
    text = admin[0].get("/staff/audit").get_data(as_text=True)
    assert "<script>x" not in text
    assert 'a"onmouseover' not in text


def test_log_filters_by_event_and_account(app, admin, ed, client):
    login(client)
    login(client, "nobody@example.com")
    admin_client, _ = admin
    refused = admin_client.get("/staff/audit?action=sign-in-failed").get_data(
        as_text=True
    )
    assert "nobody@example.com" in refused and "Signed in</span>" not in refused
    mine = admin_client.get(f"/staff/audit?account={ed}").get_data(as_text=True)
    assert "Signed in</span>" in mine and "nobody@example.com</td>" not in mine
    none = admin_client.get("/staff/audit?action=role-changed")
    assert b"No events match these filters" in none.data


@pytest.mark.parametrize(
    "query", ["?action=nonsense", "?account=abc", "?account=99999999", "?page=abc"]
)
def test_log_odd_filters_are_not_errors(admin, query):
    assert admin[0].get("/staff/audit" + query).status_code == 200


def test_log_page_out_of_range_is_404(admin):
    assert admin[0].get("/staff/audit?page=0").status_code == 404


def test_log_htmx_gets_the_list_alone(admin, htmx_headers):
    response = admin[0].get("/staff/audit?action=sign-in", headers=htmx_headers)
    assert response.status_code == 200
    assert response.get_data(as_text=True).lstrip().startswith('<div id="audit-list">')
    assert "HX-Request" in response.headers["Vary"]
    full = admin[0].get("/staff/audit")
    assert b"<html" in full.data and b'id="audit-list"' in full.data


def _add_events(app, count: int) -> None:
    with app.app_context():
        users = list(db.session.scalars(select(User)))
        for n in range(count):
            db.session.add(
                AuditEvent(
                    action=AuditAction.SIGN_IN.value,
                    actor_id=users[n % len(users)].id,
                    target_id=users[n % len(users)].id,
                    actor_label="x@example.com",
                    ip="127.0.0.1",
                )
            )
        db.session.commit()


def test_log_statement_count_does_not_grow(app, admin, ed):
    _add_events(app, 5)
    admin[0].get("/staff/audit")
    with sqlcount.count_statements(app) as few:
        admin[0].get("/staff/audit")
    _add_events(app, 120)
    with sqlcount.count_statements(app) as many:
        response = admin[0].get("/staff/audit")
    assert b"Page 1 of 3" in response.data
    assert len(many) == len(few)


def test_events_outlive_the_account(app, client, ed):
    assert login(client).status_code == 303
    with app.app_context():
        db.session.delete(db.session.get(User, ed))
        db.session.commit()
    [event] = events(app, AuditAction.SIGN_IN)
    assert (event.actor_id, event.target_id) == (None, None)
    assert event.actor_label == event.target_label == "ed@example.com"
