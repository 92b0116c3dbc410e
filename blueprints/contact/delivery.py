"""Receiving a contact message: judge and store it; after commit, mail the team.

The team mail is a receiver of signals.contact_received and queues its mail
through the outbox in a short write of its own (docs/architecture.md).
"""

from __future__ import annotations

from flask import Flask
from flask import current_app
from flask import request
from flask.blueprints import BlueprintSetupState

from blueprints.contact.forms import ContactForm
from mail.outbox import enqueue
from models import ContactMessage
from models import MessageStatus
from signals import contact_received
from storage.transactions import write_transaction
from web.form_guard import count_links
from web.form_guard import hash_ip


def spam_reason(form: ContactForm) -> str | None:
    """Why a valid submission looks like spam (honeypot, timing, links), or None."""
    problem = form.spam_problem()
    if problem:
        return problem.value
    limit = current_app.config["CONTACT_MAX_LINKS"]
    links = count_links(f"{form.name.data} {form.subject.data} {form.message.data}")
    if links > limit:
        return f"{links} links (more than {limit})"
    return None


def team_mail(message: ContactMessage) -> tuple[str, str]:
    """Subject and body of the mail that tells the team about a message."""
    site = current_app.config["SITE_TITLE"]
    subject = f"[{site}] {message.subject or f'Message from {message.name}'}"
    body = (
        f"New message from the contact form on {site}.\n\n"
        f"From:    {message.name} <{message.email}>\n"
        f"Subject: {message.subject or '(none)'}\n"
        f"Sent:    {message.created_at:%Y-%m-%d %H:%M} UTC\n\n"
        f"{message.message}\n\n"
        f"-- \nReply to this mail to answer {message.name}.\n"
    )
    return subject[:300], body


def acknowledgement_mail() -> tuple[str, str]:
    """Subject and body of the optional note to the sender.

    It repeats nothing the sender typed, so the form cannot be used to mail
    someone else a message of the sender's choosing.
    """
    site = current_app.config["SITE_TITLE"]
    subject = f"[{site}] We received your message"
    body = (
        f"Thank you for writing to {site}. We have received your message and "
        "will reply to this address.\n\n"
        "If you did not write to us, someone entered your address by mistake; "
        "you can ignore this mail.\n"
    )
    return subject, body


def receive(form: ContactForm) -> ContactMessage:
    """A validated message, marked as spam with the reason when it looks so.

    Judged without the database; the caller stores it under the write lock.
    """
    reason = spam_reason(form)
    return ContactMessage(
        name=form.name.data,
        email=form.email.data,
        subject=form.subject.data or "",
        message=form.message.data,
        status=MessageStatus.SPAM if reason else MessageStatus.NEW,
        status_reason=(reason or "")[:200],
        ip=hash_ip(request.remote_addr),
        user_agent=request.user_agent.string[:255],
    )


def connect(state: BlueprintSetupState) -> None:
    """Connect the team mail to the app the contact blueprint is registered on."""
    contact_received.connect(mail_team, sender=state.app)


def mail_team(app: Flask, *, message: ContactMessage, **_: object) -> None:
    """Queue the team's mail (and the optional note to the sender), and commit.

    A message judged spam is never mailed. A failure is logged, not raised:
    the message is stored and waits in the staff inbox either way.
    """
    if message.status == MessageStatus.SPAM:
        return
    # Everything read from the message before the write: entering it ends the
    # read transaction, which would expire the message and read it again.
    subject, body = team_mail(message)
    sender, message_id = message.email, message.id
    try:
        with write_transaction():
            enqueue(
                app.config["CONTACT_RECIPIENTS"],
                subject,
                body,
                reply_to=sender,
                contact_message_id=message_id,
            )
            if app.config["CONTACT_ACKNOWLEDGE"]:
                enqueue([sender], *acknowledgement_mail())
    except Exception:  # committed already: log it, never answer 500
        app.logger.exception("team mail about message %s not queued", message_id)
