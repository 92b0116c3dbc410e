"""Building and sending one mail over SMTP, with the settings from config.py."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import getaddresses
from email.utils import make_msgid
from typing import Any

from models import OutboxMail

SECURITY_MODES = ("starttls", "tls", "none")


def build_message(mail: OutboxMail, config: Mapping[str, Any]) -> EmailMessage:
    """The outbox row as an EmailMessage (the standard library refuses CR/LF in headers)."""
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = mail.to_addrs
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message["Subject"] = mail.subject
    sender_domain = config["MAIL_FROM"].rpartition("@")[2].strip("> ") or "localhost"
    message["Message-ID"] = make_msgid(f"folio.outbox.{mail.id}", domain=sender_domain)
    message.set_content(mail.body)
    return message


def recipients(mail: OutboxMail) -> list[str]:
    """The envelope recipients of an outbox row."""
    return [address for _, address in getaddresses([mail.to_addrs]) if address]


@contextmanager
def smtp_connection(config: Mapping[str, Any]) -> Iterator[smtplib.SMTP]:
    """An SMTP connection per the settings: STARTTLS, implicit TLS or plain; logged in."""
    host = config["SMTP_HOST"]
    port = int(config["SMTP_PORT"])
    timeout = float(config["SMTP_TIMEOUT"])
    security = str(config["SMTP_SECURITY"]).lower()
    if security not in SECURITY_MODES:
        # Recorded on each mail (and never silently sent in clear text).
        raise smtplib.SMTPException(
            f"FOLIO_SMTP_SECURITY must be starttls, tls or none, not {security!r}"
        )
    if security == "tls":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
        yield smtp
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
