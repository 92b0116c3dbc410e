"""`flask users create`: staff accounts from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from blueprints.staff.audit import record
from blueprints.staff.passwords import MIN_PASSWORD_LENGTH
from blueprints.staff.passwords import account_words
from blueprints.staff.passwords import hash_password
from blueprints.staff.passwords import weakness
from models import AuditAction
from models import Role
from models import User
from models import db
from storage.transactions import write_transaction

users_cli = AppGroup("users", help="Manage staff accounts.")


def new_user(email: str, password: str, role: Role, display_name: str) -> User:
    """A staff account with its password hashed, not yet added to the session."""
    return User(
        email=email.strip().lower(),
        display_name=display_name.strip() or email.split("@")[0],
        password_hash=hash_password(password),
        role=role,
    )


def create_user(email: str, password: str, role: Role, display_name: str) -> User:
    """Add a staff account (the caller commits)."""
    user = new_user(email, password, role, display_name)
    db.session.add(user)
    return user


@users_cli.command("create")
@click.option("--email", required=True, help="Sign-in email address.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.EDITOR.value,
    show_default=True,
)
@click.option("--name", "display_name", default="", help="Name shown to readers.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input (for scripts).",
)
def create_user_command(
    email: str, role: str, display_name: str, password_stdin: bool
) -> None:
    """Create a staff account; the password is prompted for, or read from stdin."""
    email = email.strip().lower()
    if "@" not in email:
        raise click.BadParameter("not an email address", param_hint="--email")
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise click.ClickException(f"a user with email {email} already exists")
    if password_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
        )
    problem = weakness(password, account_words(email, display_name))
    if problem:
        raise click.ClickException(problem)
    # Hashed before the write lock, which other writers wait on.
    user = new_user(email, password, Role(role), display_name)
    with write_transaction():
        db.session.add(user)
        db.session.flush()
        record(
            AuditAction.ACCOUNT_CREATED,
            target=user,
            actor_label="flask users create",
            detail=f"role {role}",
        )
    click.echo(f"Created {role} {email}.")
