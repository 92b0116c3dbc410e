"""The hooks that return a value: markdown-it additions and spam checks."""

from __future__ import annotations

from sqlalchemy import select

from blueprints.articles.markdown import render_markdown
from models import Comment
from models import CommentStatus
from models import db
from tests.support.factories import make_article
from tests.test_comments import post

DOUBLES = "tests.support.plugin_doubles"


def test_markdown_plugin_changes_article_bodies(make_app, install_plugins):
    install_plugins(keys=f"{DOUBLES}.hooks:keys")
    plain = make_app()
    with plain.app_context():
        assert "<code>Ctrl</code>" in render_markdown("Press `Ctrl` now.").html
    app = make_app(PLUGINS=["keys"])
    with app.app_context():
        assert "<kbd>Ctrl</kbd>" in render_markdown("Press `Ctrl` now.").html
        make_article(slug="keys", body="Press `Esc` to leave.")
    html = app.test_client().get("/articles/keys").get_data(as_text=True)
    assert "Press <kbd>Esc</kbd> to leave." in html


def test_markdown_plugin_output_is_still_sanitized(make_app, install_plugins):
    install_plugins(scripted=f"{DOUBLES}.hooks:scripted")
    app = make_app(PLUGINS=["scripted"])
    with app.app_context():
        html = render_markdown("Hello.\n\nAgain.").html
    assert "<p>Hello.</p>" in html and "<p>Again.</p>" in html
    assert "<script" not in html and "alert" not in html


def test_spam_check_vote_is_the_comment_status_reason(make_app, install_plugins):
    install_plugins(voter=f"{DOUBLES}.hooks:voter")
    app = make_app(PLUGINS=["voter"], SPAM_MIN_SECONDS=0)
    with app.app_context():
        make_article(slug="hello")
    client = app.test_client()
    assert post(client, comment="Buy cheap watches here.").status_code == 303
    assert post(client, comment="A fair point.").status_code == 303
    with app.app_context():
        first, second = db.session.scalars(select(Comment).order_by(Comment.id))
        assert first.status == CommentStatus.SPAM
        assert first.status_reason == "spam: voter: sells watches"
        assert second.status == CommentStatus.PENDING  # no vote: the usual rules
        assert second.status_reason == "held: first comment from this email"
