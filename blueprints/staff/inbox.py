"""The contact inbox: tabs by status, reading, filing and the notification state."""

from __future__ import annotations

from urllib.parse import quote

from flask import abort
from flask import flash
from flask import render_template
from flask import request
from flask import url_for
from sqlalchemy import func
from sqlalchemy import select

from blueprints.staff.access import INBOX
from blueprints.staff.access import role_required
from blueprints.staff.forms import ActionForm
from blueprints.staff.paging import page_arg
from blueprints.staff.views import bp
from mail.outbox import retry_now
from models import ContactMessage
from models import MessageStatus
from models import OutboxMail
from models import db
from storage.transactions import write_transaction
from web.htmx import render
from web.htmx import see_other

PER_PAGE = 25
TABS = [status.value for status in MessageStatus]
# Which button moves a message to which status.
ACTIONS = {
    "archive": MessageStatus.ARCHIVED,
    "spam": MessageStatus.SPAM,
    "not_spam": MessageStatus.READ,
    "unread": MessageStatus.NEW,
    "unarchive": MessageStatus.READ,
}


def _counts() -> dict[str, int]:
    """How many messages each tab holds (one query)."""
    rows = db.session.execute(
        select(ContactMessage.status, func.count(ContactMessage.id)).group_by(
            ContactMessage.status
        )
    )
    counts = dict.fromkeys(TABS, 0)
    counts.update({status.value: n for status, n in rows})
    return counts


@bp.get("/inbox")
@role_required(INBOX)
def inbox():
    """The messages of one tab, newest first."""
    tab = request.args.get("tab", MessageStatus.NEW.value)
    if tab not in TABS:
        tab = MessageStatus.NEW.value
    page_number = page_arg(request.args)
    page = db.paginate(
        select(ContactMessage)
        .where(ContactMessage.status == MessageStatus(tab))
        .order_by(ContactMessage.created_at.desc(), ContactMessage.id.desc()),
        page=page_number,
        per_page=PER_PAGE,
        error_out=False,
    )
    return render(
        "staff/inbox.html",
        "staff/_inbox_list.html",
        page=page,
        tab=tab,
        counts=_counts(),
    )


def reply_link(message: ContactMessage) -> str:
    """A mailto: link answering the message, with the subject prefilled."""
    subject = message.subject or "Your message"
    if not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    return f"mailto:{quote(message.email, safe='@')}?subject={quote(subject)}"


@bp.get("/inbox/<int:message_id>")
@role_required(INBOX)
def inbox_message(message_id: int):
    """Open a message; a new one becomes read."""
    message = db.get_or_404(ContactMessage, message_id)
    if message.status == MessageStatus.NEW:
        # Looked at again under the lock: staff may have moved it meanwhile.
        with write_transaction():
            message = db.get_or_404(ContactMessage, message_id)
            if message.status == MessageStatus.NEW:
                message.status = MessageStatus.READ
    mails = db.session.scalars(
        select(OutboxMail)
        .where(OutboxMail.contact_message_id == message.id)
        .order_by(OutboxMail.id)
    ).all()
    return render_template(
        "staff/inbox_message.html",
        message=message,
        mails=mails,
        reply_link=reply_link(message),
        form=ActionForm(),
    )


@bp.post("/inbox/<int:message_id>/<action>")
@role_required(INBOX)
def inbox_action(message_id: int, action: str):
    """Archive, mark as spam or not spam, or mark unread."""
    status = ACTIONS.get(action)
    if status is None:
        abort(404)
    with write_transaction():
        message = db.get_or_404(ContactMessage, message_id)
        message.status = status
        if status == MessageStatus.SPAM:
            message.status_reason = "marked as spam by staff"
    flash(f"Message moved to {status.value.capitalize()}.", "success")
    return see_other(url_for("staff.inbox_message", message_id=message.id))


@bp.get("/inbox/<int:message_id>/delete")
@role_required(INBOX)
def inbox_delete_confirm(message_id: int):
    """Ask before deleting a message."""
    message = db.get_or_404(ContactMessage, message_id)
    return render_template(
        "staff/inbox_delete.html", message=message, form=ActionForm()
    )


@bp.post("/inbox/<int:message_id>/delete")
@role_required(INBOX)
def inbox_delete(message_id: int):
    """Delete a message for good."""
    with write_transaction():
        message = db.get_or_404(ContactMessage, message_id)
        tab = message.status.value
        db.session.delete(message)
    flash("Message deleted.", "success")
    return see_other(url_for("staff.inbox", tab=tab))


@bp.post("/inbox/mail/<int:mail_id>/retry")
@role_required(INBOX)
def inbox_retry(mail_id: int):
    """Make a failed notification due now; the outbox sender picks it up."""
    mail = db.get_or_404(OutboxMail, mail_id)
    message_id = mail.contact_message_id
    if message_id is None:
        abort(404)
    if retry_now(mail.id):
        flash("The notification will be sent again right away.", "success")
    elif mail.sent_at is None:
        flash(
            "That mail is being sent right now; a failed attempt is retried.", "warning"
        )
    else:
        flash("That mail has already been sent.", "warning")
    return see_other(url_for("staff.inbox_message", message_id=message_id))
