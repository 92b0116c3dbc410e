"""Moderation rules: whether a new comment is approved, held or spam, and why.

WordPress's defaults: a blocklist match sends a comment to spam; a comment with
too many links, a moderation word, or from an author (by email) with no approved
comment yet is held; anything else is approved. Every decision carries a reason
that is stored in Comment.status_reason. Later changes of state go through
set_status, and are announced after commit as comment_status_changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app
from flask import request
from sqlalchemy import bindparam
from sqlalchemy import exists
from sqlalchemy import or_
from sqlalchemy import select

from blueprints.comments.records import ArticleRef
from blueprints.comments.records import StoredComment
from models import Comment
from models import CommentStatus
from models import db
from plugins.hooks import CommentCandidate
from plugins.hooks import SpamVote
from plugins.hooks import Verdict
from plugins.hooks import has_spam_checks
from plugins.hooks import spam_votes
from signals import comment_status_changed
from storage.prepared import Prepared
from web.form_guard import SpamProblem
from web.form_guard import count_links
from web.form_guard import matching_word


@dataclass(frozen=True)
class Decision:
    """A comment's status and the reason recorded with it."""

    status: CommentStatus
    reason: str


@dataclass(frozen=True)
class Submission:
    """What a reader sent, as the rules see it (ip is the raw address, never stored)."""

    name: str
    email: str
    url: str
    body: str
    ip: str
    user_agent: str

    def haystack(self) -> str:
        """Every field a word list is matched against, as WordPress does."""
        return "\n".join(
            (self.name, self.email, self.url, self.body, self.ip, self.user_agent)
        )


@dataclass(frozen=True)
class AuthorHistory:
    """What the database knows about an email, for the duplicate and approval rules."""

    duplicate: bool
    has_approved: bool


@lru_cache(maxsize=1)
def _history_query() -> Prepared:
    # Two EXISTS through ix_comments_author_email_status_article: the first
    # seeks (address, status, article) for each status but trash and compares
    # the text of that author's comments on this article only; the second
    # stops at the first approved comment. Neither reads the rest of what a
    # prolific address has written. Built and compiled once and run on the
    # DB-API cursor, as the post path's statements are (bench/README.md).
    email = Comment.author_email == bindparam("email")
    kept = [status for status in CommentStatus if status != CommentStatus.TRASH]
    duplicate = exists().where(
        email,
        # OR of equalities (which SQLite plans as an IN): a prepared statement
        # takes no expanding IN.
        or_(*(Comment.status == status for status in kept)),
        Comment.article_id == bindparam("article_id"),
        Comment.body == bindparam("body"),
    )
    approved = exists().where(email, Comment.status == CommentStatus.APPROVED)
    return Prepared(select(duplicate, approved))


def author_history(email: str, article_id: int, body: str) -> AuthorHistory:
    """Whether this author already said exactly this here, and was ever approved.

    One statement of two index seeks; its cost does not grow with how many
    comments the address has written.
    """
    row = _history_query().first(
        db.session.connection(),
        {"email": email.strip().lower(), "article_id": article_id, "body": body},
    )
    return AuthorHistory(duplicate=bool(row[0]), has_approved=bool(row[1]))


def has_approved_comment(email: str) -> bool:
    """True when this email already has an approved comment (one query)."""
    found = db.session.scalar(
        select(Comment.id)
        .where(
            Comment.author_email == email.strip().lower(),
            Comment.status == CommentStatus.APPROVED,
        )
        .limit(1)
    )
    return found is not None


def plugin_votes(
    submission: Submission, article_url: str, parent_id: int | None
) -> list[SpamVote]:
    """The plugins' spam checks' votes on a comment about to be stored.

    Asked before the write transaction: a check may call a service.
    """
    if not has_spam_checks(current_app):
        return []
    candidate = CommentCandidate(
        **asdict(submission),
        referrer=request.referrer or "",
        article_url=article_url,
        parent_id=parent_id,
    )
    return spam_votes(candidate)


def _plugin_decision(votes: Sequence[SpamVote]) -> Decision | None:
    """The first spam vote, else the first hold vote, as a decision naming its check."""
    for verdict, status in (
        (Verdict.SPAM, CommentStatus.SPAM),
        (Verdict.HOLD, CommentStatus.PENDING),
    ):
        for vote in votes:
            if vote.verdict is verdict:
                return Decision(status, f"{verdict.value}: {vote.check}: {vote.reason}")
    return None


def decided_before_votes(
    submission: Submission, spam_problem: SpamProblem | None
) -> Decision | None:
    """The rules that come before the plugins' votes: the blocklist, the form's
    own spam guards. Spam they call spam is never sent to a check."""
    blocked = matching_word(
        submission.haystack(), current_app.config["COMMENTS_BLOCKLIST"]
    )
    if blocked:
        return Decision(CommentStatus.SPAM, f"spam: blocklist matched “{blocked}”")
    if spam_problem:
        return Decision(CommentStatus.SPAM, f"spam: {spam_problem.value}")
    return None


def decide(
    submission: Submission,
    spam_problem: SpamProblem | None = None,
    has_approved: bool | None = None,
    votes: Sequence[SpamVote] = (),
) -> Decision:
    """Apply the rules in order: blocklist, honeypot, plugins' spam checks, links,
    words, first comment.

    has_approved: the author's history when the caller already knows it
    (see author_history); looked up otherwise. votes: the plugins' spam
    checks' (plugin_votes); spam beats hold, and the reason names the check.
    """
    config = current_app.config
    decided = decided_before_votes(submission, spam_problem)
    if decided:
        return decided
    voted = _plugin_decision(votes)
    if voted:
        return voted
    max_links = int(config["COMMENTS_MAX_LINKS"])
    links = count_links(submission.body) + count_links(submission.name)
    if max_links and links >= max_links:
        return Decision(CommentStatus.PENDING, f"held: {links} links")
    word = matching_word(submission.haystack(), config["COMMENTS_MODERATION_WORDS"])
    if word:
        return Decision(CommentStatus.PENDING, f"held: moderation word “{word}”")
    if config["COMMENTS_REQUIRE_PREVIOUS_APPROVAL"]:
        if has_approved is None:
            has_approved = has_approved_comment(submission.email)
        if not has_approved:
            return Decision(
                CommentStatus.PENDING, "held: first comment from this email"
            )
        return Decision(CommentStatus.APPROVED, "approved: author previously approved")
    return Decision(CommentStatus.APPROVED, "approved: passed every rule")


@dataclass(frozen=True)
class StatusChange:
    """A comment moved to another status, as comment_status_changed announces it."""

    comment: StoredComment
    article: ArticleRef
    previous: CommentStatus


def set_status(
    comment: Comment, status: CommentStatus, reason: str
) -> StatusChange | None:
    """Move a comment to a status, record why, and refresh its article's stats.

    For the staff area and any other place a comment changes state; the caller
    commits, then announces the change (announce_changes). Returns None (and
    changes nothing) when the status and reason are unchanged.
    """
    status = CommentStatus(status)
    if comment.status == status and comment.status_reason == reason:
        return None
    previous = comment.status
    comment.status = status
    comment.status_reason = reason[:200]
    db.session.flush()
    comment.article.refresh_comment_stats()
    return StatusChange(
        StoredComment.from_row(comment), ArticleRef.from_row(comment.article), previous
    )


def announce_changes(changes: list[StatusChange]) -> None:
    """Send comment_status_changed for each change; call after the commit."""
    app = current_app._get_current_object()
    for change in changes:
        comment_status_changed.send(
            app,
            comment=change.comment,
            article=change.article,
            previous=change.previous,
        )
