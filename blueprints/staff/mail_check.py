"""The settings page's "Send a test mail": does SMTP work, right now?

The mail goes straight through mail/smtp.py (not the outbox), synchronously,
with a short timeout, to the admin's own address; the page says "Sent to ..."
or the server's error, never a stack trace. Limited per admin and audited.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP

from flask import abort
from flask import current_app
from flask import flash
from flask import url_for
from flask_login import current_user

from blueprints.staff.access import SETTINGS
from blueprints.staff.access import role_required
from blueprints.staff.audit import record
from blueprints.staff.forms import ActionForm
from blueprints.staff.views import bp
from extensions import limiter
from mail.smtp import header_text
from mail.smtp import smtp_connection
from models import AuditAction
from storage.transactions import write_transaction
from web.htmx import render
from web.htmx import see_other
from web.htmx import wants_fragment

LIMIT = "5 per hour"
TIMEOUT_SECONDS = 5.0
NO_SERVER = "No mail server is set (FOLIO_SMTP_HOST): mail waits in the outbox."


@dataclass(frozen=True)
class MailCheck:
    sent: bool
    text: str


def _message(to: str) -> EmailMessage:
    config = current_app.config
    message = EmailMessage(policy=SMTP)
    message["From"] = header_text(config["MAIL_FROM"])
    message["To"] = header_text(to)
    message["Subject"] = f"Test mail from {header_text(config['SITE_TITLE'])}"
    message.set_content(
        "This mail was sent from the settings page to check that Folio can "
        "reach its mail server. Nothing else needs doing.\n"
    )
    return message


def send_test_mail(to: str) -> MailCheck:
    """Send one mail to to through the SMTP settings; what happened, for people."""
    config = dict(current_app.config)
    if not config["SMTP_HOST"]:
        return MailCheck(False, NO_SERVER)
    config["SMTP_TIMEOUT"] = min(float(config["SMTP_TIMEOUT"]), TIMEOUT_SECONDS)
    try:
        with smtp_connection(config) as smtp:
            smtp.send_message(_message(to))
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        reason = str(exc).strip() or type(exc).__name__
        return MailCheck(False, f"Not sent: {reason}"[:300])
    return MailCheck(True, f"Sent to {to}.")


@bp.post("/settings/test-mail")
@role_required(SETTINGS)
@limiter.limit(LIMIT, key_func=lambda: f"test-mail:{current_user.id}")
def settings_test_mail():
    """Send a test mail to the signed-in admin and say how it went."""
    if not ActionForm().validate_on_submit():
        abort(400)
    check = send_test_mail(current_user.email)
    with write_transaction():
        record(AuditAction.TEST_MAIL_SENT, detail=check.text)
    if not wants_fragment():
        flash(check.text, "success" if check.sent else "error")
        return see_other(url_for("staff.settings") + "#test-mail")
    return render(
        "staff/_test_mail.html", "staff/_test_mail.html", check=check, form=ActionForm()
    )
