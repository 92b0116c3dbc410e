"""Folio plugin: ask Akismet (or a compatible service) about each reader comment.

A spam check (folio_spam_check): Akismet's "true" votes spam, "false" gives no
vote, and anything else (an error, a timeout, "invalid") votes hold, so that
nothing unchecked is approved. Also the privacy notice Akismet asks sites to
show, in the comment form (slot comment_form_extra). README.md has the rest.
"""

from __future__ import annotations

from flask import Blueprint
from flask import Flask
from flask import current_app

from folio_akismet.client import CALL_ERRORS
from folio_akismet.client import DEFAULT_URL
from folio_akismet.client import Reply
from folio_akismet.client import Settings
from folio_akismet.client import checked_service_url
from folio_akismet.client import failure_cause
from folio_akismet.client import post_form
from plugins import api

EXTENSION = "folio_akismet"
# Folio's pages are in English (base.html: lang="en") and always UTF-8.
BLOG_LANG = "en"
BLOG_CHARSET = "UTF-8"
SPAM = "Akismet says spam"

# No views: the blueprint only lends the plugin's templates to Jinja.
bp = Blueprint("akismet", __name__, template_folder="templates")


class AkismetPlugin:
    """The object the entry point names: init_app and the spam check."""

    def init_app(self, app: Flask) -> None:
        """Read the settings; without an API key, warn and check nothing."""
        settings = Settings(
            api_key=str(api.setting(app, "AKISMET_API_KEY", "")).strip(),
            url=checked_service_url(str(api.setting(app, "AKISMET_URL", DEFAULT_URL))),
            timeout=float(api.setting(app, "AKISMET_TIMEOUT_SECONDS", 3.0)),
            test=bool(api.setting(app, "AKISMET_TEST", False)),
        )
        app.extensions[EXTENSION] = settings
        if not settings.api_key:
            app.logger.warning(
                "akismet: AKISMET_API_KEY is not set; comments are not checked"
            )
            return
        app.register_blueprint(bp)
        api.add_to_slot(app, "comment_form_extra", "akismet/_privacy_notice.html")

    @api.hookimpl
    def folio_spam_check(self, comment: api.CommentCandidate) -> api.SpamVote | None:
        """Akismet's verdict on a comment about to be stored (before the write lock)."""
        settings: Settings = current_app.extensions[EXTENSION]
        if not settings.api_key:
            return None
        try:
            reply = post_form(
                settings.check_url, check_fields(settings, comment), settings.timeout
            )
        except CALL_ERRORS as exc:
            return _unchecked(comment, failure_cause(exc))
        if reply.status == 200 and reply.body == "true":
            discard = reply.pro_tip == "discard"
            return api.SpamVote(
                api.Verdict.SPAM, f"{SPAM} (blatant: discard)" if discard else SPAM
            )
        if reply.status == 200 and reply.body == "false":
            return None
        return _unchecked(comment, _reply_cause(reply))


def check_fields(settings: Settings, comment: api.CommentCandidate) -> dict[str, str]:
    """The comment-check form: what Akismet is told about the comment and site."""
    fields = {
        "api_key": settings.api_key,
        "blog": current_app.config["SITE_URL"],
        "user_ip": comment.ip,
        "user_agent": comment.user_agent,
        "referrer": comment.referrer,
        "permalink": comment.article_url,
        "comment_type": "reply" if comment.parent_id else "comment",
        "comment_author": comment.name,
        "comment_author_email": comment.email,
        "comment_author_url": comment.url,
        "comment_content": comment.body,
        "blog_lang": BLOG_LANG,
        "blog_charset": BLOG_CHARSET,
    }
    if settings.test:
        fields["is_test"] = "1"
    return fields


def _reply_cause(reply: Reply) -> str:
    """Why an answer is not a verdict: its status, or Akismet's own explanation."""
    if reply.status != 200:
        return f"HTTP {reply.status}"
    if reply.body == "invalid":
        return f"invalid ({reply.debug_help[:80]})" if reply.debug_help else "invalid"
    return "unexpected answer"


def _unchecked(comment: api.CommentCandidate, cause: str) -> api.SpamVote:
    """Hold what could not be checked, as WordPress's Akismet does, and say why."""
    # Only the public permalink and the cause: never the author's email or text.
    current_app.logger.warning(
        "akismet: could not check a comment on %s: %s; held",
        comment.article_url,
        cause,
    )
    return api.SpamVote(api.Verdict.HOLD, f"Akismet could not check it: {cause}")


plugin = AkismetPlugin()
