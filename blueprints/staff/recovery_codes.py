"""Two-factor recovery codes: ten single-use codes, shown once, stored as SHA-256.

A code has ten characters from an alphabet without look-alikes (about 49
bits): too many to guess under the sign-in rate limits, so a plain SHA-256
is enough to keep a leaked table from giving them away.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from models import RecoveryCode
from models import db
from models import utcnow

COUNT = 10
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
LENGTH = 10


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalize(typed: str | None) -> str:
    """A typed code in lower case without its hyphens and spaces."""
    return re.sub(r"[^0-9a-z]", "", (typed or "").lower())


def new_codes() -> list[str]:
    """Ten fresh codes, written like ``abcd-efgh-jk``."""
    codes = []
    for _ in range(COUNT):
        raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def replace_codes(user_id: int, codes: list[str]) -> None:
    """Make codes the account's only ones, in the caller's write."""
    clear_codes(user_id)
    now = utcnow()
    db.session.add_all(
        RecoveryCode(
            user_id=user_id, code_hash=_digest(normalize(code)), created_at=now
        )
        for code in codes
    )


def clear_codes(user_id: int) -> None:
    """Delete the account's codes, in the caller's write."""
    db.session.execute(
        delete(RecoveryCode)
        .where(RecoveryCode.user_id == user_id)
        .execution_options(synchronize_session=False)
    )


def use_code(user_id: int, typed: str) -> bool:
    """Spend one unused code of the account, in the caller's write; False if none matches."""
    code = normalize(typed)
    if len(code) != LENGTH:
        return False
    spent = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return spent.rowcount == 1


def codes_left(user_id: int) -> int:
    """How many unused codes the account has."""
    return db.session.scalar(
        select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
        )
    )
