"""Checking and spending a second factor (a code from the app or a recovery code),
and switching two-factor sign-in off: shared by sign-in, turning off and an admin's reset."""

from __future__ import annotations

import enum

from flask import current_app

from blueprints.staff.audit import record
from blueprints.staff.recovery_codes import clear_codes
from blueprints.staff.recovery_codes import codes_left
from blueprints.staff.recovery_codes import use_code
from blueprints.staff.totp import claim_step
from blueprints.staff.totp import matching_step
from blueprints.staff.totp import unseal
from blueprints.staff.trusted_devices import forget
from mail.outbox import enqueue
from models import AuditAction
from models import User
from storage.transactions import write_transaction


class Outcome(enum.Enum):
    """What a typed second factor turned out to be."""

    CODE = "with a two-factor code"
    RECOVERY = "with a recovery code"
    WRONG_CODE = "wrong code"
    REPLAYED = "code used before"
    WRONG_RECOVERY = "wrong or used recovery code"

    @property
    def accepted(self) -> bool:
        """True when the factor was right and is now used up."""
        return self in (Outcome.CODE, Outcome.RECOVERY)


# What the form says for each refusal, and under which field.
REFUSALS = {
    Outcome.WRONG_CODE: (
        "code",
        "That code is not right. Check that your device's clock is correct,"
        " then type the newest code.",
    ),
    Outcome.REPLAYED: (
        "code",
        "That code has already been used. Wait for your app to show the next one.",
    ),
    Outcome.WRONG_RECOVERY: (
        "recovery_code",
        "That recovery code is not right, or it has been used already.",
    ),
}


def spend_factor(user: User, code: str | None, recovery: str | None) -> Outcome:
    """Check the factor typed and use it up, in the caller's write (roll back if refused)."""
    if code:
        step = matching_step(unseal(user.totp_secret), code)
        if step is None:
            return Outcome.WRONG_CODE
        return Outcome.CODE if claim_step(user.id, step) else Outcome.REPLAYED
    return (
        Outcome.RECOVERY
        if use_code(user.id, recovery or "")
        else Outcome.WRONG_RECOVERY
    )


def refuse(form, outcome: Outcome, user: User, where: str) -> None:
    """Audit a refused factor (its own write) and say why under the field it is about."""
    with write_transaction():
        record(
            AuditAction.TWO_FACTOR_FAILED,
            actor=user,
            target=user,
            detail=f"{outcome.value} ({where})",
        )
    name, message = REFUSALS[outcome]
    form[name].data = ""  # a refused code is no use typed again
    form[name].errors.append(message)


def note_recovery_code(user: User) -> None:
    """Audit a recovery code's use and tell the account by mail, in the caller's write."""
    left = codes_left(user.id)
    record(
        AuditAction.RECOVERY_CODE_USED, actor=user, target=user, detail=f"{left} left"
    )
    site = current_app.config["SITE_TITLE"]
    enqueue(
        [user.email],
        f"[{site}] A recovery code was used",
        f"A recovery code of your {site} staff account ({user.email}) was just used"
        f" to sign in. {left} unused codes are left.\n\n"
        f"If this was not you, contact an admin of {site} at once.\n",
    )


def switch_off(user: User) -> None:
    """Turn two-factor sign-in off for user, in the caller's write: secret, codes, devices."""
    user.totp_secret = None
    user.totp_enabled_at = None
    clear_codes(user.id)
    forget(user.id)


def limit_key(user_id: int | None) -> str:
    """Rate-limit key for guesses at an account's second factor, wherever typed."""
    return f"two-factor:{user_id}"
