"""Two-factor sign-in, one's own: enrolment, recovery codes, turning it off; an
admin's reset; the required-two-factor gate."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select

from blueprints.staff import totp
from models import AuditAction
from models import RecoveryCode
from models import Role
from models import User
from models import db
from tests.support.factories import PASSWORD
from tests.support.staff_support import staff_client
from tests.support.two_factor_support import NOW
from tests.support.two_factor_support import SECRET
from tests.support.two_factor_support import audit_lines
from tests.support.two_factor_support import code_at
from tests.support.two_factor_support import enrol
from tests.support.two_factor_support import freeze
from tests.support.two_factor_support import mails_to
from tests.support.two_factor_support import state
from tests.test_html_valid import problems


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    freeze(monkeypatch)


def enrol_secret(client) -> str:
    """Open the enrolment page; the secret it offers."""
    response = client.get("/staff/two-factor")
    assert response.status_code == 200
    with client.session_transaction() as session:
        secret = session["_two_factor_enrol"]
    shown = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    assert shown in response.text
    return secret


def test_enrol_page_shows_an_svg_qr_code_and_the_key(app):
    client, _ = staff_client(app)
    response = client.get("/staff/two-factor")
    assert response.status_code == 200
    assert '<svg width="' in response.text and 'class="qr-code"' in response.text
    assert "style=" not in response.text.split('class="qr-frame"')[1].split("</div>")[0]
    assert 'autocomplete="one-time-code"' in response.text


def test_enrol_keeps_the_secret_out_of_the_database_until_confirmed(app):
    client, user_id = staff_client(app)
    enrol_secret(client)
    assert state(app, user_id).totp_secret is None
    # The same secret on every visit until it is confirmed (a reload keeps the QR).
    with client.session_transaction() as session:
        first = session["_two_factor_enrol"]
    assert enrol_secret(client) == first


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Type the 6 digits"),
        ("12345", "Type the 6 digits"),
        ("abcdef", "Type the 6 digits"),
        ("1" * 30, "Field cannot be longer"),
        ("000000", "That code is not right"),
    ],
)
def test_enrol_with_a_bad_code_is_refused(app, code, message):
    client, user_id = staff_client(app)
    enrol_secret(client)
    response = client.post("/staff/two-factor", data={"code": code})
    assert response.status_code == 422
    assert message in response.text
    assert "<html" in response.text  # a plain POST gets the whole page
    user = state(app, user_id)
    assert user.totp_secret is None and user.totp_enabled_at is None


def test_enrol_error_for_htmx_is_the_form_alone(app, htmx_headers):
    client, _ = staff_client(app)
    enrol_secret(client)
    response = client.post(
        "/staff/two-factor", data={"code": "000000"}, headers=htmx_headers
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form class="stack" id="two-factor-enrol')
    assert "HX-Request" in response.headers["Vary"]


def test_enrol_with_the_right_code_turns_it_on(app):
    client, user_id = staff_client(app)
    other, _ = staff_client(app)  # noqa: F841 - another account, untouched
    secret = enrol_secret(client)
    response = client.post("/staff/two-factor", data={"code": code_at(secret=secret)})
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/two-factor/recovery-codes"
    user = state(app, user_id)
    assert user.totp_enabled_at is not None
    assert user.totp_secret != secret and secret not in user.totp_secret
    with app.app_context():
        assert totp.unseal(user.totp_secret) == secret
        assert db.session.scalar(select(func.count(RecoveryCode.id))) == 10
    assert user.totp_last_step == int(NOW) // 30
    [line] = audit_lines(app, AuditAction.TWO_FACTOR_ENABLED)
    assert line.target_id == user_id
    assert (
        "two-factor authentication of your"
        in mails_to(app, user.email)[-1].subject + mails_to(app, user.email)[-1].body
    )
    assert client.get("/staff/").status_code == 200  # this session goes on


def test_recovery_codes_are_shown_once(app):
    client, user_id = staff_client(app)
    secret = enrol_secret(client)
    client.post("/staff/two-factor", data={"code": code_at(secret=secret)})
    page = client.get("/staff/two-factor/recovery-codes")
    assert page.status_code == 200
    codes = [part.split("</code>")[0] for part in page.text.split("<li><code>")[1:]]
    assert len(codes) == 10 and len(set(codes)) == 10
    download = client.get("/staff/two-factor/recovery-codes.txt")
    assert download.mimetype == "text/plain"
    assert "attachment" in download.headers["Content-Disposition"]
    assert all(code in download.text for code in codes)
    with app.app_context():
        stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert not set(codes) & set(stored)
    done = client.post("/staff/two-factor/recovery-codes/done")
    assert done.headers["Location"] == "/staff/two-factor"
    again = client.get("/staff/two-factor/recovery-codes")
    assert again.status_code == 303
    assert client.get("/staff/two-factor/recovery-codes.txt").status_code == 303
    status = client.get("/staff/two-factor")
    assert "You have 10 unused recovery codes" in status.text
    assert codes[0] not in status.text


def test_enrol_ends_the_accounts_other_sessions(app):
    client, user_id = staff_client(app)
    with app.app_context():
        from tests.support.staff_support import sign_in_as

        second = app.test_client()
        sign_in_as(second, db.session.get(User, user_id))
    secret = enrol_secret(client)
    client.post("/staff/two-factor", data={"code": code_at(secret=secret)})
    assert second.get("/staff/").status_code == 302
    assert client.get("/staff/").status_code == 200


def test_renew_codes_needs_a_current_code_and_replaces_the_old(app):
    client, user_id = staff_client(app)
    old = enrol(app, user_id)
    refused = client.post(
        "/staff/two-factor/recovery-codes", data={"renew-code": "000000"}
    )
    assert refused.status_code == 422 and "That code is not right" in refused.text
    assert audit_lines(app, AuditAction.TWO_FACTOR_FAILED)[-1].detail.startswith(
        "wrong code"
    )
    response = client.post(
        "/staff/two-factor/recovery-codes", data={"renew-code": code_at()}
    )
    assert response.headers["Location"] == "/staff/two-factor/recovery-codes"
    page = client.get("/staff/two-factor/recovery-codes").text
    assert old[0] not in page
    with app.app_context():
        assert db.session.scalar(select(func.count(RecoveryCode.id))) == 10
    assert len(audit_lines(app, AuditAction.RECOVERY_CODES_RENEWED)) == 1
    # The same code again is a replay.
    replay = client.post(
        "/staff/two-factor/recovery-codes", data={"renew-code": code_at()}
    )
    assert replay.status_code == 422 and "already been used" in replay.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"current_password": "", "code": "123456"}, "This field is required"),
        ({"current_password": PASSWORD}, "Type the code from your app, or one"),
        ({"current_password": "wrong", "code": "123456"}, "not your current password"),
        ({"current_password": PASSWORD, "code": "000000"}, "That code is not right"),
        (
            {"current_password": PASSWORD, "recovery_code": "aaaa-bbbb-cc"},
            "That recovery code is not right",
        ),
    ],
)
def test_turn_off_refuses_without_password_and_factor(app, data, message):
    client, user_id = staff_client(app)
    enrol(app, user_id)
    response = client.post("/staff/two-factor/off", data=data)
    assert response.status_code == 422
    assert message in response.text
    assert state(app, user_id).two_factor_on


@pytest.mark.parametrize("use_recovery", [False, True])
def test_turn_off_with_password_and_a_factor(app, use_recovery):
    client, user_id = staff_client(app)
    codes = enrol(app, user_id)
    factor = {"recovery_code": codes[3]} if use_recovery else {"code": code_at()}
    response = client.post(
        "/staff/two-factor/off", data={"current_password": PASSWORD, **factor}
    )
    assert response.status_code == 303
    user = state(app, user_id)
    assert user.totp_secret is None and user.totp_enabled_at is None
    with app.app_context():
        assert db.session.scalar(select(func.count(RecoveryCode.id))) == 0
    [line] = audit_lines(app, AuditAction.TWO_FACTOR_DISABLED)
    assert line.detail == (
        "with a recovery code" if use_recovery else "with a two-factor code"
    )
    assert "Set up two-factor sign-in" in client.get("/staff/password").text


def test_admin_resets_another_accounts_two_factor(app):
    admin, admin_id = staff_client(app)
    editor, editor_id = staff_client(app, Role.EDITOR, email="ed@example.com")
    enrol(app, editor_id)
    listing = admin.get("/staff/users").text
    assert f"/staff/users/{editor_id}/two-factor/reset" in listing
    confirm = admin.get(f"/staff/users/{editor_id}/two-factor/reset")
    assert confirm.status_code == 200 and "ed@example.com" in confirm.text
    response = admin.post(f"/staff/users/{editor_id}/two-factor/reset")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/users"
    user = state(app, editor_id)
    assert user.totp_secret is None and not user.two_factor_on
    assert editor.get("/staff/").status_code == 302  # every session ended
    [line] = audit_lines(app, AuditAction.TWO_FACTOR_RESET)
    assert (line.actor_id, line.target_id) == (admin_id, editor_id)
    assert "was changed" in mails_to(app, "ed@example.com")[-1].body


def test_admin_cannot_reset_their_own(app):
    admin, admin_id = staff_client(app)
    enrol(app, admin_id)
    assert (
        f"/staff/users/{admin_id}/two-factor/reset"
        not in admin.get("/staff/users").text
    )
    for method in ("get", "post"):
        response = getattr(admin, method)(f"/staff/users/{admin_id}/two-factor/reset")
        assert response.status_code == 303
    assert state(app, admin_id).two_factor_on
    assert "Turn your own" in admin.get("/staff/users").text
    assert audit_lines(app, AuditAction.TWO_FACTOR_RESET) == []


def test_reset_of_unknown_account_is_404(app):
    admin, _ = staff_client(app)
    assert admin.post("/staff/users/99999/two-factor/reset").status_code == 404


def test_required_two_factor_keeps_an_account_on_enrolment(make_app):
    app = make_app(TWO_FACTOR_REQUIRED=True)
    client, user_id = staff_client(app)
    for path in ("/staff/", "/staff/articles", "/staff/password", "/staff/users"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["Location"] == "/staff/two-factor"
    assert client.get("/staff/two-factor").status_code == 200
    secret = enrol_secret(client)
    client.post("/staff/two-factor", data={"code": code_at(secret=secret)})
    assert client.get("/staff/").status_code == 200
    assert client.post("/staff/logout").status_code == 303


def test_required_two_factor_leaves_enrolled_accounts_alone(make_app):
    app = make_app(TWO_FACTOR_REQUIRED=True)
    client, user_id = staff_client(app)
    enrol(app, user_id, SECRET)
    assert client.get("/staff/").status_code == 200


def test_two_factor_pages_are_valid_html(app):
    client, user_id = staff_client(app)
    _, other_id = staff_client(app, Role.EDITOR)
    enrol(app, other_id)
    assert problems(client.get("/staff/two-factor").text) == []  # enrolment
    enrol(app, user_id)
    pages = {
        "status": client.get("/staff/two-factor"),
        "renew error": client.post(
            "/staff/two-factor/recovery-codes", data={"renew-code": "1"}
        ),
        "off error": client.post("/staff/two-factor/off", data={}),
        "reset": client.get(f"/staff/users/{other_id}/two-factor/reset"),
        "accounts": client.get("/staff/users"),
        "password": client.get("/staff/password"),
    }
    client.post("/staff/two-factor/recovery-codes", data={"renew-code": code_at()})
    pages["codes"] = client.get("/staff/two-factor/recovery-codes")
    signing_in = app.test_client()
    with app.app_context():
        email = db.session.get(User, user_id).email
    signing_in.post("/staff/login", data={"email": email, "password": PASSWORD})
    pages["code step"] = signing_in.get("/staff/login/two-factor")
    pages["code error"] = signing_in.post(
        "/staff/login/two-factor", data={"recovery_code": "nope"}
    )
    for name, response in pages.items():
        assert response.status_code in (200, 422), name
        assert problems(response.text) == [], name
