"""Staff see which notifications a comment's author asked for (the address is theirs)."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.staff.access import COMMENTS
from blueprints.staff.access import role_required
from blueprints.staff.views import bp
from models import Comment
from models import ReaderAddress
from models import Subscription
from models import db
from web.htmx import render


@bp.get("/comments/<int:comment_id>/subscriptions")
@role_required(COMMENTS)
def reader_subscriptions(comment_id: int):
    """The subscriptions of the address that wrote a comment: what, since when, confirmed."""
    comment = db.get_or_404(Comment, comment_id)
    if comment.staff_author_id is not None:
        abort(404)
    email = (comment.author_email or "").strip().lower()
    address = db.session.scalar(
        select(ReaderAddress)
        .where(ReaderAddress.email == email)
        .options(
            selectinload(ReaderAddress.subscriptions).selectinload(Subscription.article)
        )
    )
    subscriptions = sorted(
        address.subscriptions if address else [], key=lambda s: s.created_at
    )
    return render(
        "staff/reader_subscriptions.html",
        "staff/_reader_subscriptions.html",
        comment=comment,
        address=address,
        subscriptions=subscriptions,
    )
