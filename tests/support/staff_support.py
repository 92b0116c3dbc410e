"""Helpers shared by the staff-area tests."""

from __future__ import annotations

from flask.testing import FlaskClient

from models import Role
from models import User
from models import db
from plugins.testing import sign_in
from tests.support.factories import make_user


def sign_in_as(client: FlaskClient, user) -> None:
    """Start a staff session for user and put it into the client (no password hashing)."""
    sign_in(client, user)


def staff_client(app, role: Role = Role.ADMIN, **kw):
    """A test client signed in as a new user with role; returns (client, user)."""
    with app.app_context():
        user = make_user(role=role, **kw)
        user_id = user.id
    client = app.test_client()
    with app.app_context():
        sign_in_as(client, db.session.get(User, user_id))
    return client, user_id
