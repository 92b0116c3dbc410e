"""What the mailed links do: confirm an address's wishes, list and remove them.

The token (tokens.py) names an address by id and created_at stamp; it acts
only when that very row still exists, so a link for one address never touches
another's subscriptions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import selectinload

from blueprints.subscriptions.tokens import INVALID
from blueprints.subscriptions.tokens import AddressClaim
from blueprints.subscriptions.tokens import LinkProblem
from blueprints.subscriptions.tokens import moment
from blueprints.subscriptions.tokens import stamp
from models import Article
from models import ReaderAddress
from models import Subscription
from models import SubscriptionKind
from models import SubscriptionNotice
from models import db
from models import utcnow


def _address(claim: AddressClaim) -> ReaderAddress | None:
    address = db.session.get(ReaderAddress, claim.address_id)
    return address if claim.names(address) else None


def _covered(claim: AddressClaim, upto: datetime):
    """The address's wishes still waiting that the confirmation link covers:
    made up to upto (when its page listed them), never later ones."""
    return (
        Subscription.address_id == claim.address_id,
        Subscription.confirmed_at.is_(None),
        Subscription.created_at <= upto,
    )


def listed_until(claim: AddressClaim, shown: int | None) -> datetime:
    """Up to when a confirmation covers wishes: the moment its page listed
    them (the reader holding the link saw that list), never in the future and
    never before its mail was queued."""
    queued = claim.queued or 0
    now = stamp(utcnow())
    return moment(min(max(shown or queued, queued), now))


@dataclass(frozen=True)
class Wished:
    """One wish a confirmation page lists: its kind and its article's title."""

    kind: SubscriptionKind
    title: str


def waiting(claim: AddressClaim, upto: datetime) -> list[Wished]:
    """What the confirmation link would confirm; LinkProblem when the address is gone."""
    if _address(claim) is None:
        raise LinkProblem(404, INVALID)
    rows = db.session.execute(
        select(Subscription.kind, Article.title)
        .join(Article, Article.id == Subscription.article_id)
        .where(*_covered(claim, upto))
        .order_by(Subscription.id)
    )
    return [Wished(kind, title) for kind, title in rows]


def confirm_wishes(claim: AddressClaim, upto: datetime) -> int:
    """Confirm the wishes the link covers (in the caller's write); how many."""
    address = _address(claim)
    if address is None:
        raise LinkProblem(404, INVALID)
    now = utcnow()
    result = db.session.execute(
        update(Subscription)
        .where(*_covered(claim, upto))
        .values(confirmed_at=now)
        .execution_options(synchronize_session=False)
    )
    confirmed = result.rowcount or 0
    if confirmed and address.confirmed_at is None:
        # Informational only ("confirmed at least once", for staff): each
        # subscription's own confirmed_at decides what is mailed.
        address.confirmed_at = now
    return confirmed


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


def _keep_mailed_notices(address_id: int, subscription_id: int) -> None:
    """Hand the mailed notices of a subscription about to go to another of the
    address's subscriptions on the same article, when it has one: notices.note()
    then still knows those comments reached the address, and a reply held and
    approved again is not mailed twice. Waiting notices go with the subscription."""
    gone = select(Subscription.article_id).where(
        Subscription.id == subscription_id, Subscription.address_id == address_id
    )
    heir = (
        select(func.min(Subscription.id))
        .where(
            Subscription.address_id == address_id,
            Subscription.article_id.in_(gone),
            Subscription.id != subscription_id,
        )
        .scalar_subquery()
    )
    held = select(SubscriptionNotice.comment_id).where(
        SubscriptionNotice.subscription_id == heir
    )
    db.session.execute(
        update(SubscriptionNotice)
        .where(
            SubscriptionNotice.subscription_id == subscription_id,
            SubscriptionNotice.mailed_at.is_not(None),
            SubscriptionNotice.comment_id.not_in(held),
            heir.is_not(None),
        )
        .values(subscription_id=heir)
        .execution_options(synchronize_session=False)
    )


def remove(claim: AddressClaim, everything: bool) -> Removal:
    """Delete the named subscription, or all of the address's (caller's write).

    Deleted, not switched off: a wish made again later is a new subscription
    and waits for its own confirmation. The address row stays (its
    confirmation_sent_at keeps the once-a-day limit on confirmation mails).
    """
    if _address(claim) is None:
        return Removal(0, everything)
    condition = Subscription.address_id == claim.address_id
    if not everything:
        if claim.subscription_id is None:
            return Removal(0, everything)
        condition = condition & (Subscription.id == claim.subscription_id)
        _keep_mailed_notices(claim.address_id, claim.subscription_id)
    result = db.session.execute(
        delete(Subscription)
        .where(condition)
        .execution_options(synchronize_session=False)
    )
    return Removal(result.rowcount or 0, everything)
