"""A plugin listening to comment_created; it notes what a fresh connection sees."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from models import Comment
from models import db
from signals import comment_created


def heard(app: Flask) -> list[tuple[int, str | None]]:
    """(comment id, its body as another connection reads it) per signal received."""
    return app.extensions.setdefault("listener_heard", [])


def _on_comment_created(sender: Flask, comment, article, **extra) -> None:
    with db.engine.connect() as connection:
        body = connection.scalar(select(Comment.body).where(Comment.id == comment.id))
    heard(sender).append((comment.id, body))


class Listener:
    def init_app(self, app: Flask) -> None:
        comment_created.connect(_on_comment_created, sender=app)


plugin = Listener()
