"""The outbox: mail is stored in the same transaction as the change that caused it.

Views call enqueue(); the row commits with the comment or contact message, so a
crash can never lose the notification. Sending happens later (see send_due).
"""

from __future__ import annotations

from models import OutboxMail
from models import db


def enqueue(
    to: list[str],
    subject: str,
    body: str,
    reply_to: str = "",
    **links: int | None,
) -> OutboxMail | None:
    """Add a mail to the outbox (the caller commits); None when there is nobody to tell.

    links: contact_message_id= or comment_id= to tie the mail to its source.
    """
    recipients = [address for address in to if address]
    if not recipients:
        return None
    mail = OutboxMail(
        to_addrs=", ".join(recipients),
        subject=subject,
        body=body,
        reply_to=reply_to,
        **links,
    )
    db.session.add(mail)
    return mail
