"""Helpers for the reply-notification tests: outbox rows, links in mails."""

from __future__ import annotations

import json
import re

from sqlalchemy import select
from sqlalchemy import update

from models import OutboxMail
from models import ReaderAddress
from models import Subscription
from models import db
from models import utcnow

LINK = re.compile(r"https?://\S+/(subscriptions/confirm|unsubscribe)/(\S+)")


def outbox(app, to: str | None = None) -> list[OutboxMail]:
    """The outbox rows (to one address when given), oldest first."""
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))
        db.session.expunge_all()
    return [row for row in rows if to is None or row.to_addrs == to]


def link_path(body: str, kind: str = "subscriptions/confirm", n: int = 0) -> str:
    """The path of the n-th link of kind (confirm or unsubscribe) in a mail body."""
    found = [m for m in LINK.finditer(body) if m.group(1) == kind]
    assert found, body
    match = found[n]
    return f"/{match.group(1)}/{match.group(2)}"


def headers_of(mail: OutboxMail) -> dict[str, str]:
    """The extra headers a queued mail carries."""
    return json.loads(mail.extra_headers) if mail.extra_headers else {}


def confirm_everything(email: str | None = None) -> None:
    """Confirm every waiting subscription (of email, or of everyone), as opening
    the mailed link would; in the caller's app context and write."""
    now = utcnow()
    addresses = select(ReaderAddress.id)
    if email is not None:
        addresses = addresses.where(ReaderAddress.email == email)
    db.session.execute(
        update(Subscription)
        .where(
            Subscription.address_id.in_(addresses),
            Subscription.confirmed_at.is_(None),
        )
        .values(confirmed_at=now)
    )
    db.session.execute(
        update(ReaderAddress)
        .where(ReaderAddress.id.in_(addresses), ReaderAddress.confirmed_at.is_(None))
        .values(confirmed_at=now)
    )
