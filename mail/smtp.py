"""Building and sending one mail over SMTP, with the settings from config.py."""

from __future__ import annotations

import json
import re
import smtplib
import ssl
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from datetime import UTC
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import getaddresses
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from models import OutboxMail

SECURITY_MODES = ("starttls", "tls", "none")


# RFC 2047 encoded-word syntax. Some Python versions (before 3.11.10 and
# 3.12.5, CVE-2024-6923) decode such a word in a header value and write out the
# line breaks it hides, turning user text into headers of its own.
ENCODED_WORD = re.compile(r"=\?[^?\s]*\?[bBqQ]\?[^?\s]*\?=")
# What a Message-ID's domain may hold (a dot-atom of letters, digits and hyphens).
NOT_IN_DOMAIN = re.compile(r"[^A-Za-z0-9.-]")


def header_text(value: str) -> str:
    """A header value that can only ever be text: no line breaks, no encoded words.

    A line break is refused (ValueError, recorded on the mail); "=?" is broken
    up, so no version of the mail library decodes the value into headers.
    """
    if "\r" in value or "\n" in value:
        raise ValueError("a header value may not contain a line break")
    return value.replace("=?", "= ?")


def build_message(mail: OutboxMail, config: Mapping[str, Any]) -> EmailMessage:
    """The outbox row as an EmailMessage whose headers hold exactly what Folio set.

    Headers go through the policy's header registry, which refuses CR and LF
    as well; header_text() also defuses encoded words.
    """
    message = EmailMessage(policy=SMTP)
    message["From"] = header_text(config["MAIL_FROM"])
    message["To"] = header_text(mail.to_addrs)
    if mail.reply_to:
        message["Reply-To"] = header_text(mail.reply_to)
    message["Subject"] = header_text(mail.subject)
    message["Message-ID"] = header_text(message_id(mail, config))
    for name, value in extra_headers(mail).items():
        message[header_name(name)] = header_text(value)
    message.set_content(mail.body)
    return message


# Headers a caller may add; anything else in extra_headers is refused.
EXTRA_HEADERS = frozenset({"List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"})


def extra_headers(mail: OutboxMail) -> dict[str, str]:
    """The row's added headers (List-Unsubscribe and the like), or {}."""
    if not mail.extra_headers:
        return {}
    headers = json.loads(mail.extra_headers)
    return {str(name): str(value) for name, value in headers.items()}


def header_name(name: str) -> str:
    """A header name from extra_headers, if it is one Folio adds (else ValueError)."""
    if name not in EXTRA_HEADERS:
        raise ValueError(f"{name!r} is not a header Folio adds")
    return name


def message_id(mail: OutboxMail, config: Mapping[str, Any]) -> str:
    """The row's Message-ID, the same on every attempt: a receiver can drop a repeat.

    The creation time keeps an id that comes back (SQLite reuses the largest
    rowid once it is gone, a restored backup) from naming an older mail.
    """
    created = mail.created_at
    stamp = ""
    if created is not None:
        created = created.astimezone(UTC) if created.tzinfo else created
        stamp = f"-{created:%Y%m%d%H%M%S%f}"
    return f"<folio-outbox-{mail.id}{stamp}@{message_id_domain(config)}>"


def message_id_domain(config: Mapping[str, Any]) -> str:
    """The sender's domain, else the site's, else localhost."""
    _, at, sender = parseaddr(config["MAIL_FROM"])[1].rpartition("@")
    sender = sender if at else ""
    site = urlsplit(config.get("SITE_URL") or "").hostname or ""
    for domain in (sender, site):
        domain = NOT_IN_DOMAIN.sub("", domain).strip(".-")
        if domain:
            return domain
    return "localhost"


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
