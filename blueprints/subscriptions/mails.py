"""What the reader mails say: the confirmation, and the notice of new comments.

Plain text. Every value that reaches a header (the subject's site and article
titles) goes through one_line(), so a name or title holding a line break can
never add a header, and the mail is still sent (mail.smtp.header_text would
refuse it). The unsubscribe links come as List-Unsubscribe headers too, with
List-Unsubscribe-Post for one-click unsubscribing (RFC 8058).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from blueprints.articles.page import reader_url
from blueprints.subscriptions.tokens import confirm_token
from blueprints.subscriptions.tokens import unsubscribe_token
from models import Article
from models import Comment
from models import ReaderAddress
from models import Subscription
from models import SubscriptionKind
from web.urls import absolute_url
from web.urls import site_url

# Every character Python's splitlines() breaks on, and the other controls.
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


@dataclass(frozen=True)
class Mail:
    """A mail ready for mail.outbox.enqueue()."""

    to: str
    subject: str
    body: str
    headers: dict[str, str] | None = None


def one_line(text: str) -> str:
    """text on one line: line breaks and other control characters become spaces."""
    return " ".join(_BREAKS.sub(" ", text or "").split())


def _site() -> str:
    return one_line(current_app.config["SITE_TITLE"])


_WISHED = {
    SubscriptionKind.REPLIES: "replies to a comment on",
    SubscriptionKind.ARTICLE: "new comments on",
}


def confirmation_mail(
    address: ReaderAddress,
    queued: datetime,
    wishes: Sequence[tuple[SubscriptionKind, str]],
) -> Mail:
    """The double opt-in mail: what it confirms, and one link to a "Confirm" page."""
    link = absolute_url(
        "subscriptions.confirm_page", token=confirm_token(address, queued)
    )
    asked = [f"- {_WISHED[kind]} “{one_line(title)}”" for kind, title in wishes]
    body = "\n".join(
        [
            f"Someone (we hope you) asked {_site()} to email this address about:",
            "",
            *asked,
            "",
            "Nothing will be sent until you confirm:",
            "",
            link,
            "",
            "The link works for seven days. If you did not ask, ignore this mail:",
            "you will hear nothing more from us.",
        ]
    )
    return Mail(address.email, f"[{_site()}] Confirm your email address", body)


def _subject(kind: SubscriptionKind, count: int, title: str) -> str:
    if kind == SubscriptionKind.REPLIES:
        what = "New reply" if count == 1 else f"{count} new replies"
        return f"[{_site()}] {what} to your comment on “{one_line(title)}”"
    what = "New comment" if count == 1 else f"{count} new comments"
    return f"[{_site()}] {what} on “{one_line(title)}”"


def _comment_lines(article: Article, comment: Comment) -> list[str]:
    link = site_url() + reader_url(article, _anchor=f"comment-{comment.id}")
    return [
        f"{one_line(comment.author_name)} wrote:",
        "",
        comment.body,
        "",
        f"Read it on the site: {link}",
        "",
    ]


def notice_mail(
    subscription: Subscription, article: Article, comments: Sequence[Comment]
) -> Mail:
    """One mail announcing comments (one, or a digest) to a subscription's address."""
    address = subscription.address
    this_one = absolute_url(
        "subscriptions.unsubscribe_page",
        token=unsubscribe_token(address, subscription.id),
    )
    everything = absolute_url(
        "subscriptions.unsubscribe_page",
        token=unsubscribe_token(address),
    )
    thread = subscription.kind == SubscriptionKind.REPLIES
    lines = [
        f"On “{one_line(article.title)}”:",
        "",
    ]
    for comment in comments:
        lines += _comment_lines(article, comment)
    lines += [
        "--",
        f"Unsubscribe from this {'thread' if thread else 'article'}: {this_one}",
        f"Unsubscribe from everything: {everything}",
    ]
    headers = {
        "List-Unsubscribe": f"<{this_one}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    subject = _subject(subscription.kind, len(comments), article.title)
    return Mail(address.email, subject, "\n".join(lines), headers)
