"""Built-in spam defences shared by every public form (comments and contact).

A form that readers post subclasses SpamGuardForm: it adds a honeypot field that
people never see and a signed timestamp of when the form was rendered. The
checks return a SpamProblem (its value is the reason recorded with the row)
instead of raising, so the caller decides whether to refuse, hold or mark as
spam, and never loses an honest post silently.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from enum import Enum

from flask import current_app
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import TimestampSigner
from wtforms import HiddenField
from wtforms import StringField

from web.signing import signer
from web.text_form import TextForm

_SALT = "folio.form-rendered-at"
_LINK = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"']+")


class SpamProblem(Enum):
    """Why a public form's submission looks automated; the value is the reason stored."""

    HONEYPOT = "honeypot filled"
    STAMP_MISSING = "form timestamp missing"
    STAMP_EXPIRED = "form older than the allowed age"
    STAMP_FORGED = "form timestamp forged"
    TOO_FAST = "sent too fast after the form was shown"

    @property
    def refuse(self) -> bool:
        """Refused by a form people may resend (a person can cause a timing problem);
        a filled honeypot is stored as spam instead, without a word to the sender."""
        return self is not SpamProblem.HONEYPOT


def _signer() -> TimestampSigner:
    # Made once per key (signing.signer): every page with a form signs one.
    return signer(current_app.config["SECRET_KEY"], _SALT)


def form_timestamp() -> str:
    """A signed token recording when a form was rendered."""
    return _signer().sign(b"form").decode()


def timestamp_problem(token: str | None) -> SpamProblem | None:
    """Why a form's signed render time is unacceptable, or None when it is fine."""
    min_seconds = current_app.config["SPAM_MIN_SECONDS"]
    max_age = current_app.config["SPAM_MAX_FORM_AGE_HOURS"] * 3600
    if not token:
        return SpamProblem.STAMP_MISSING
    try:
        _, signed_at = _signer().unsign(token, max_age=max_age, return_timestamp=True)
    except SignatureExpired:
        return SpamProblem.STAMP_EXPIRED
    except BadSignature:
        return SpamProblem.STAMP_FORGED
    # SPAM_CLOCK: a test hook to move "now" without sleeping.
    age = (current_app.config.get("SPAM_CLOCK") or time.time)() - signed_at.timestamp()
    if age < min_seconds:
        return SpamProblem.TOO_FAST
    return None


def count_links(text: str) -> int:
    """How many links (http(s):// or www.) a text contains."""
    return len(_LINK.findall(text or ""))


def hash_ip(ip: str | None) -> str:
    """A keyed hash of a client address: comparable, not reversible without the key."""
    if not ip:
        return ""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()[:32]


def matching_word(text: str, words: list[str]) -> str | None:
    """The first configured word or phrase found in text (case-insensitive)."""
    lowered = (text or "").lower()
    for word in words:
        if word and word.lower() in lowered:
            return word
    return None


class SpamGuardForm(TextForm):
    """A FlaskForm with a honeypot and a signed render timestamp.

    CSRF is checked for every POST by CSRFProtect before the view runs, and the
    templates put the token in with ``csrf_token()``; without a token field of
    its own, a form that is posted and not shown again (a stored comment) does
    not sign a fresh token it would never use.
    """

    class Meta:
        csrf = False

    # Named to look worth filling to a bot; hidden from people and from the
    # accessibility tree by the template (see _macros.html: spam_guard).
    homepage = StringField("Leave this field empty")
    rendered_at = HiddenField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_submitted():
            self.rendered_at.data = form_timestamp()

    def spam_problem(self) -> SpamProblem | None:
        """Why this submission looks automated (honeypot, timestamp), or None."""
        if self.homepage.data:
            return SpamProblem.HONEYPOT
        return timestamp_problem(self.rendered_at.data)
