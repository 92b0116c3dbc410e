"""CLI commands: seed-demo and users create."""

import re

import pytest
from sqlalchemy import func
from sqlalchemy import select

from blueprints.staff.passwords import verify_password
from cli.demo_images import DEMO_IMAGES
from models import Article
from models import ArticleKind
from models import Comment
from models import Media
from models import MediaStatus
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


def test_seed_demo_draws_images_for_covers_and_bodies(app, runner, client):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        images = db.session.scalars(select(Media)).all()
        assert len(images) == len(DEMO_IMAGES)
        assert all(m.status == MediaStatus.READY and m.alt for m in images)
        assert all(1600 <= m.width <= 2400 for m in images)
        assert {m.uploaded_by.email for m in images} == {"admin@example.com"}
        articles = db.session.scalars(
            select(Article).where(Article.kind == ArticleKind.ARTICLE)
        ).all()
        covered = [a for a in articles if a.cover is not None]
        assert len(articles) > len(covered) >= len(articles) - 1
        # Every image shown is recorded, so none can be deleted from under them;
        # the one no article shows is the admin's avatar.
        shown = {m.id for a in articles for m in a.images}
        avatars = set(db.session.scalars(select(User.avatar_id)).all()) - {None}
        assert shown | avatars == {m.id for m in images}
        assert len(avatars) == 1 and not avatars & shown
        # The demo has two authors with bios, and an article with SEO fields.
        assert {a.author.display_name for a in articles} == {
            "Folio Admin",
            "Mina Okafor",
        }
        assert all(a.author.bio_html.startswith("<p>") for a in articles)
        assert any(a.meta_title and a.social_image_id for a in articles)
    home = client.get("/").get_data(as_text=True)
    assert home.count('class="card-cover card-photo"') == len(covered)
    page = client.get("/articles/writing-in-markdown").get_data(as_text=True)
    prose = page[page.index('<div class="prose">') :]
    assert prose.count("<picture>") == 2
    assert re.search(
        r'<figure class="figure"><picture>.*?</picture><figcaption>', prose
    )
    for path in re.findall(r'src="(/media/[^"]+)"', page):
        assert client.get(path).status_code == 200, path


def test_seed_demo_again_on_an_empty_database_finds_its_images(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        first = sorted(db.session.scalars(select(Media.id)))
        db.session.execute(db.delete(Article))
        db.session.commit()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert sorted(db.session.scalars(select(Media.id))) == first
        covers = db.session.scalars(select(Article.cover_id)).all()
        assert {c for c in covers if c} <= set(first)


def test_seed_demo_generated_articles(app, runner):
    result = runner.invoke(args=["seed-demo", "--articles", "30"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        counted = select(func.count(Article.id)).where(
            Article.kind == ArticleKind.ARTICLE
        )
        assert db.session.scalar(counted) == 34


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
