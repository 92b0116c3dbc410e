"""A plugin whose set-up fails after it has registered things."""

from __future__ import annotations

from flask import Blueprint
from flask import Flask

from plugins import api
from signals import comment_created

bp = Blueprint("half", __name__)


@bp.get("/page")
def page():
    """A page that must not answer once the set-up failed."""
    return "half-way"


def on_comment(sender, **kwargs) -> None:
    """A receiver that must not stay connected."""


class Half:
    @api.hookimpl
    def folio_spam_check(self, comment):
        return api.SpamVote(api.Verdict.SPAM, "should never vote")

    def init_app(self, app: Flask) -> None:
        app.register_blueprint(bp, url_prefix="/half")
        api.add_staff_link(app, "Half", "half.page", {"admin"})
        api.add_to_slot(app, "head", "nothing.html")
        comment_created.connect(on_comment, sender=app)
        raise RuntimeError("half-way through")


plugin = Half()
