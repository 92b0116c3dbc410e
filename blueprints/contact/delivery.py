"""Receiving a contact message: judge it, store it, queue the mail, all in one commit."""

from __future__ import annotations

from flask import current_app
from flask import request

from blueprints.contact.forms import ContactForm
from mail.outbox import enqueue
from models import ContactMessage
from models import MessageStatus
from models import db
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
    """Store a validated message and queue its mail (the caller commits).

    A message judged spam is kept with the reason and never mailed.
    """
    reason = spam_reason(form)
    message = ContactMessage(
        name=form.name.data,
        email=form.email.data,
        subject=form.subject.data or "",
        message=form.message.data,
        status=MessageStatus.SPAM if reason else MessageStatus.NEW,
        status_reason=(reason or "")[:200],
        ip=hash_ip(request.remote_addr),
        user_agent=request.user_agent.string[:255],
    )
    db.session.add(message)
    db.session.flush()  # the outbox row links to the message's id
    if reason:
        return message
    subject, body = team_mail(message)
    enqueue(
        current_app.config["CONTACT_RECIPIENTS"],
        subject,
        body,
        reply_to=message.email,
        contact_message_id=message.id,
    )
    if current_app.config["CONTACT_ACKNOWLEDGE"]:
        subject, body = acknowledgement_mail()
        enqueue([message.email], subject, body)
    return message
