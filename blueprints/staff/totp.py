"""Time-based one-time codes (RFC 6238) for two-factor sign-in, through pyotp.

The secret is stored encrypted (Fernet, with a key derived from SECRET_KEY by
HKDF; keys in SECRET_KEY_FALLBACKS still decrypt), so a leaked database or
backup alone does not give anyone the codes. A code is accepted for the time
step before and after the current one (clocks drift); the step it matched is
claimed by one conditional UPDATE, so a code, or an older one, never works twice.
"""

from __future__ import annotations

import base64
import re
import time
from functools import lru_cache

import pyotp
import segno
from cryptography.fernet import Fernet
from cryptography.fernet import MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from markupsafe import Markup
from sqlalchemy import update

from models import User
from models import db

# Steps either side of now whose codes are still accepted (pyotp's valid_window).
VALID_WINDOW = 1
CODE_PATTERN = re.compile(r"^\d{6}$")
_KEY_INFO = b"folio two-factor secret"


def clock() -> float:
    """The time codes are checked against (tests replace it)."""
    return time.time()


def new_secret() -> str:
    """A fresh base32 secret (160 bits), for an authenticator app."""
    return pyotp.random_base32(32)


@lru_cache(maxsize=8)
def _fernet(key: str | bytes) -> Fernet:
    raw = key.encode() if isinstance(key, str) else key
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO
    ).derive(raw)
    return Fernet(base64.urlsafe_b64encode(derived))


def _box() -> MultiFernet:
    """Encrypts with SECRET_KEY; decrypts with it or any of its fallbacks."""
    config = current_app.config
    keys = [current_app.secret_key, *(config.get("SECRET_KEY_FALLBACKS") or ())]
    return MultiFernet([_fernet(key) for key in keys])


def seal(secret: str) -> str:
    """The secret as stored in users.totp_secret."""
    return _box().encrypt(secret.encode()).decode()


def unseal(stored: str) -> str:
    """The secret users.totp_secret holds."""
    return _box().decrypt(stored.encode()).decode()


def clean_code(typed: str | None) -> str:
    """A typed code without the spaces and hyphens apps show in it."""
    return re.sub(r"[\s-]", "", typed or "")


def matching_step(secret: str, typed: str) -> int | None:
    """The time step whose code was typed, within the window; None if none matches."""
    code = clean_code(typed)
    if not CODE_PATTERN.match(code):
        return None
    totp = pyotp.TOTP(secret)
    now = int(clock()) // totp.interval
    for step in range(now - VALID_WINDOW, now + VALID_WINDOW + 1):
        if pyotp.utils.strings_equal(code, totp.generate_otp(step)):
            return step
    return None


def claim_step(user_id: int, step: int) -> bool:
    """Mark step used, in the caller's write; False when it, or a later one, was."""
    claimed = db.session.execute(
        update(User)
        .where(User.id == user_id, User.totp_last_step < step)
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def setup_uri(secret: str, account: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    issuer = current_app.config["SITE_TITLE"]
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str) -> Markup:
    """The URI as an inline SVG QR code: no style attributes, colours by CSS class."""
    code = segno.make(uri, error="m")
    svg = code.svg_inline(
        scale=4, svgclass="qr-code", lineclass="qr-dark", title="QR code"
    )
    return Markup(svg)
