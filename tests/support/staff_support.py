"""Helpers shared by the staff-area tests."""

from __future__ import annotations

from flask.testing import FlaskClient

from models import Role
from tests.support.factories import make_user


def sign_in_as(client: FlaskClient, user) -> None:
    """Put a signed-in session for user into the client (no password hashing)."""
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def staff_client(app, role: Role = Role.ADMIN, **kw):
    """A test client signed in as a new user with role; returns (client, user)."""
    with app.app_context():
        user = make_user(role=role, **kw)
        user_id = user.id
    client = app.test_client()
    with app.app_context():
        from models import User
        from models import db

        user = db.session.get(User, user_id)
        sign_in_as(client, user)
    return client, user_id
