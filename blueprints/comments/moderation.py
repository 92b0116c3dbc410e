"""Moderation rules: whether a new comment is approved, held or spam, and why.

WordPress's defaults: a blocklist match sends a comment to spam; a comment with
too many links, a moderation word, or from an author (by email) with no approved
comment yet is held; anything else is approved. Every decision carries a reason
that is stored in Comment.status_reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from blueprints.comments.spam import count_links
from blueprints.comments.spam import matching_word
from models import Comment
from models import CommentStatus
from models import db


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


def decide(submission: Submission, spam_problem: str | None = None) -> Decision:
    """Apply the rules in order: blocklist, honeypot, links, words, first comment."""
    config = current_app.config
    blocked = matching_word(submission.haystack(), config["COMMENTS_BLOCKLIST"])
    if blocked:
        return Decision(CommentStatus.SPAM, f"spam: blocklist matched “{blocked}”")
    if spam_problem:
        return Decision(CommentStatus.SPAM, f"spam: {spam_problem}")
    max_links = int(config["COMMENTS_MAX_LINKS"])
    links = count_links(submission.body) + count_links(submission.name)
    if max_links and links >= max_links:
        return Decision(CommentStatus.PENDING, f"held: {links} links")
    word = matching_word(submission.haystack(), config["COMMENTS_MODERATION_WORDS"])
    if word:
        return Decision(CommentStatus.PENDING, f"held: moderation word “{word}”")
    if config["COMMENTS_REQUIRE_PREVIOUS_APPROVAL"]:
        if not has_approved_comment(submission.email):
            return Decision(
                CommentStatus.PENDING, "held: first comment from this email"
            )
        return Decision(CommentStatus.APPROVED, "approved: author previously approved")
    return Decision(CommentStatus.APPROVED, "approved: passed every rule")


def set_status(comment: Comment, status: CommentStatus, reason: str) -> bool:
    """Move a comment to a status, record why, and refresh its article's stats.

    For the staff area and any other place a comment changes state; the caller
    commits. Returns False (and changes nothing) when the status is unchanged.
    """
    status = CommentStatus(status)
    if comment.status == status and comment.status_reason == reason:
        return False
    comment.status = status
    comment.status_reason = reason[:200]
    db.session.flush()
    comment.article.refresh_comment_stats()
    return True
