"""What the mailed links do: confirm an address, list and remove subscriptions.

The token (tokens.py) names an address by id and email; it acts only when an
address with both still exists, so a link for one address never touches
another's subscriptions.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.subscriptions.tokens import INVALID
from blueprints.subscriptions.tokens import AddressClaim
from blueprints.subscriptions.tokens import LinkProblem
from models import ReaderAddress
from models import Subscription
from models import SubscriptionKind
from models import db
from models import utcnow


def _address(claim: AddressClaim) -> ReaderAddress | None:
    address = db.session.get(ReaderAddress, claim.address_id)
    if address is None or address.email != claim.email:
        return None
    return address


def confirmable(claim: AddressClaim) -> ReaderAddress:
    """The address a confirmation link names; LinkProblem when it is gone."""
    address = _address(claim)
    if address is None:
        raise LinkProblem(404, INVALID)
    return address


def confirm_address(claim: AddressClaim) -> bool:
    """Mark the address confirmed (in the caller's write); False if it already was."""
    address = confirmable(claim)
    if address.confirmed_at is not None:
        return False
    address.confirmed_at = utcnow()
    return True


@dataclass(frozen=True)
class Choices:
    """What an unsubscribe page offers."""

    # The title of the followed article, when the link is for one subscription
    # that still exists.
    thread_title: str | None
    thread_kind: SubscriptionKind | None
    # How many subscriptions the address has in all.
    total: int


def _subscription(claim: AddressClaim) -> Subscription | None:
    if claim.subscription_id is None:
        return None
    return db.session.scalar(
        select(Subscription)
        .where(
            Subscription.id == claim.subscription_id,
            Subscription.address_id == claim.address_id,
        )
        .options(selectinload(Subscription.article))
    )


def unsubscribe_choices(claim: AddressClaim) -> Choices:
    """What the link can still remove; an unknown address offers nothing."""
    if _address(claim) is None:
        return Choices(None, None, 0)
    subscription = _subscription(claim)
    total = db.session.scalar(
        select(func.count())
        .select_from(Subscription)
        .where(Subscription.address_id == claim.address_id)
    )
    if subscription is None:
        return Choices(None, None, total or 0)
    return Choices(subscription.article.title, subscription.kind, total or 0)


@dataclass(frozen=True)
class Removal:
    """What an unsubscribe did."""

    removed: int
    everything: bool

    @property
    def already(self) -> bool:
        """True when there was nothing left to remove (a second click)."""
        return self.removed == 0


def remove(claim: AddressClaim, everything: bool) -> Removal:
    """Delete the named subscription, or all of the address's (caller's write)."""
    if _address(claim) is None:
        return Removal(0, everything)
    condition = Subscription.address_id == claim.address_id
    if not everything:
        if claim.subscription_id is None:
            return Removal(0, everything)
        condition = condition & (Subscription.id == claim.subscription_id)
    result = db.session.execute(
        delete(Subscription)
        .where(condition)
        .execution_options(synchronize_session=False)
    )
    return Removal(result.rowcount or 0, everything)
