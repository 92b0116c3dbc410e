"""Passwords: hashing with Argon2id (argon2-cffi's RFC 9106 low-memory profile),
and refusing the ones that are easy to guess (zxcvbn)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from flask import current_app
from flask import has_app_context
from wtforms import Field
from wtforms import Form
from wtforms.validators import StopValidation

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 12
# zxcvbn's scale runs 0-4; 3 is "safely unguessable" (10^8 guesses or more). A
# password from its list of 30,000 common ones scores 1 at most.
MIN_SCORE = 3
# zxcvbn refuses longer input; a longer password is judged on its beginning.
JUDGED_LENGTH = 72
STRENGTH_HINT = (
    f"At least {MIN_PASSWORD_LENGTH} characters. Avoid common passwords and"
    " words about you or this site; a few uncommon words make a good one."
)
# zxcvbn keeps the caller's words in a module-level dictionary while it works.
_zxcvbn_lock = threading.Lock()


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when password matches the stored hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def weakness(password: str, context: Iterable[str] = ()) -> str | None:
    """Why password is too easy to guess, in zxcvbn's words; None when it will do.

    context: words an attacker would try first (the account's email and name);
    the site's title is added.
    """
    # Imported on first use: its word lists cost each process about 14 MB, and
    # only the few requests that set a password need them.
    from zxcvbn import zxcvbn

    words = [word for word in context if word]
    if has_app_context():
        words.append(current_app.config["SITE_TITLE"])
    with _zxcvbn_lock:
        result = zxcvbn(password[:JUDGED_LENGTH], user_inputs=words)
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result["feedback"]
    advice = [feedback["warning"], *feedback["suggestions"]]
    return " ".join(
        ["This password is too easy to guess.", *(text for text in advice if text)]
    )


def account_words(email: str | None, name: str | None) -> list[str]:
    """The words about an account that its password should not lean on."""
    email = (email or "").strip().lower()
    return [email, email.partition("@")[0], *(name or "").split()]


class StrongPassword:
    """WTForms validator: refuse a password that is common or easy to guess.

    context: given the form, the words about the account to count against it.
    """

    def __init__(self, context: Callable[[Form], Iterable[str]] = lambda form: ()):
        self.context = context

    def __call__(self, form: Form, field: Field) -> None:
        if not field.data or field.errors:  # empty or too short: that is said already
            return
        problem = weakness(field.data, self.context(form))
        if problem:
            raise StopValidation(problem)
