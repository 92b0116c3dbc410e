"""CLI commands: seed-demo and users create."""

import pytest
from sqlalchemy import func
from sqlalchemy import select

from blueprints.staff.passwords import verify_password
from models import Article
from models import Comment
from models import User
from models import db


def test_seed_demo_fills_empty_database_once(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Staff sign-in: admin@example.com" in result.output
    with app.app_context():
        articles = db.session.scalars(select(Article)).all()
        assert len(articles) >= 4
        assert all(a.body_html and a.is_published for a in articles)
        assert db.session.scalar(select(func.count(Comment.id))) >= 3
    again = runner.invoke(args=["seed-demo"])
    assert "nothing seeded" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Article.id))) == len(articles)


def test_seed_demo_generated_articles(app, runner):
    result = runner.invoke(args=["seed-demo", "--articles", "30"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Article.id))) == 34


def test_users_create_from_stdin(app, runner):
    result = runner.invoke(
        args=["users", "create", "--email", "Boss@Example.com", "--role", "admin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "boss@example.com"))
        assert user.role == "admin"
        assert user.password_hash.startswith("$argon2id$")
        assert verify_password(user.password_hash, "a long enough password")


def test_users_create_rejects_short_password_and_duplicates(app, runner):
    short = runner.invoke(
        args=["users", "create", "--email", "a@b.org"], input="short\n"
    )
    assert short.exit_code != 0 and "at least" in short.output
    ok = runner.invoke(
        args=["users", "create", "--email", "a@b.org"], input=STRONG + "\n"
    )
    assert ok.exit_code == 0
    dup = runner.invoke(
        args=["users", "create", "--email", "a@b.org"], input=STRONG + "\n"
    )
    assert dup.exit_code != 0 and "already exists" in dup.output


STRONG = "a long enough password"


@pytest.mark.parametrize(
    "password",
    ["x" * 14, "qwerty123456", "Password1234", "boss@example.org1"],
)
def test_users_create_refuses_guessable_passwords(app, runner, password):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "boss@example.org",
            "--name",
            "Boss Sample",
        ],
        input=password + "\n",
    )
    assert result.exit_code != 0
    assert "too easy to guess" in result.output
    assert password not in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0
