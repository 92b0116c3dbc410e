"""Guessable passwords are refused on every form that sets one, with zxcvbn's advice;
the hint under the field, and its live check for htmx."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import func
from sqlalchemy import select
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from blueprints.staff.passwords import STRENGTH_HINT
from blueprints.staff.passwords import verify_password
from blueprints.staff.passwords import weakness
from models import Role
from models import User
from models import db
from tests.support.factories import PASSWORD
from tests.support.fixtures import ROOT
from tests.support.staff_support import staff_client

# A password of 12 characters or more from the list zxcvbn ships.
COMMON = "qwerty123456"
GUESSABLE = [COMMON, "Password1234", "x" * 14, "abcdefghijklmnop", "ed@example.com1"]


def test_the_common_password_is_on_the_shipped_list():
    assert COMMON in FREQUENCY_LISTS["passwords"]


@pytest.mark.parametrize("password", GUESSABLE)
def test_weakness_refuses_guessable(app, password):
    with app.app_context():
        problem = weakness(password, ["ed@example.com", "ed"])
    assert problem.startswith("This password is too easy to guess.")
    assert password not in problem


@pytest.mark.parametrize(
    "password", [PASSWORD, "a brand new long password", "Tr0ub4dor&3 kept"]
)
def test_weakness_accepts_strong(app, password):
    with app.app_context():
        assert weakness(password) is None


def test_weakness_judges_very_long_passwords(app):
    with app.app_context():
        assert weakness("ab" * 500) is not None
        assert weakness(PASSWORD + " and more words" * 20) is None


def test_weakness_counts_the_site_title(make_app):
    app = make_app(SITE_TITLE="Quillfeather")
    with app.app_context():
        assert weakness("quillfeather2024") is not None


def change(client, new: str):
    return client.post(
        "/staff/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm": new},
    )


@pytest.mark.parametrize("password", GUESSABLE)
def test_password_change_refuses_guessable(app, password):
    client, user_id = staff_client(app, email="ed@example.com")
    response = change(client, password)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "too easy to guess" in page
    assert "Add another word or two" in page or "Avoid" in page
    with app.app_context():
        assert verify_password(db.session.get(User, user_id).password_hash, PASSWORD)


def test_password_change_refuses_the_account_name(app):
    client, _ = staff_client(app, display_name="Marguerite Okonkwo")
    response = change(client, "MargueriteOkonkwo")
    assert response.status_code == 422
    assert b"too easy to guess" in response.data


def test_short_password_gets_one_message(app):
    client, _ = staff_client(app)
    response = change(client, "qwerty")
    assert b"at least 12" in response.data
    assert b"too easy to guess" not in response.data


def test_add_account_refuses_guessable(app):
    admin, _ = staff_client(app)
    response = admin.post(
        "/staff/users",
        data={
            "email": "newbie@example.com",
            "display_name": "Newbie",
            "role": "editor",
            "password": "newbie@example.com",
        },
    )
    assert response.status_code == 422
    assert b"too easy to guess" in response.data
    with app.app_context():
        count = select(func.count(User.id)).where(User.email == "newbie@example.com")
        assert db.session.scalar(count) == 0


@pytest.mark.parametrize("url", ["/staff/password", "/staff/users"])
def test_forms_show_the_rules(app, url):
    client, _ = staff_client(app)
    page = client.get(url).get_data(as_text=True)
    assert STRENGTH_HINT in page
    assert "Avoid common passwords" in page
    assert 'aria-live="polite"' in page
    assert "/staff/password/strength/" in page


@pytest.mark.parametrize(
    ("kind", "data", "expected"),
    [
        ("own", {"new_password": ""}, STRENGTH_HINT),
        ("own", {"new_password": "short"}, "at least 12"),
        ("own", {"new_password": COMMON}, "too easy to guess"),
        ("own", {"new_password": PASSWORD}, "Strong enough."),
        (
            "new-account",
            {"password": "fresh@example.com", "email": "fresh@example.com"},
            "too easy to guess",
        ),
        ("new-account", {"password": PASSWORD}, "Strong enough."),
    ],
)
def test_live_strength_hint(app, htmx_headers, kind, data, expected):
    client, _ = staff_client(app)
    response = client.post(
        f"/staff/password/strength/{kind}", data=data, headers=htmx_headers
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.startswith('<p class="hint"') and 'aria-live="polite"' in html
    assert expected in html
    password = next(iter(data.values()))
    if password:
        assert password not in html


def test_live_strength_hint_needs_a_session(app):
    response = app.test_client().post(
        "/staff/password/strength/own", data={"new_password": COMMON}
    )
    assert response.status_code == 302


def test_live_strength_hint_needs_csrf(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client, _ = staff_client(app)
    response = client.post(
        "/staff/password/strength/own", data={"new_password": COMMON}
    )
    assert response.status_code == 400


def test_role_does_not_matter_for_ones_own_password(app):
    client, _ = staff_client(app, Role.MODERATOR)
    assert change(client, "a brand new long password").status_code == 303


def test_web_workers_do_not_load_zxcvbn(tmp_path):
    # Its word lists cost each process about 14 MB; a worker loads them on
    # the first password it judges.
    env = {
        **os.environ,
        "FOLIO_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}",
        "FOLIO_SECRET_KEY": "test-secret-key-for-the-worker-process",
        "FOLIO_ENV": "development",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from app import create_app; create_app();"
            " print('zxcvbn' in sys.modules)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
