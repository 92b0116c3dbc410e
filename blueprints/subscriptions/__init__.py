"""The subscriptions blueprint: reply and article notifications, with consent.

A reader asks (a box on the comment form, or the "Follow new comments" page),
confirms each new wish from a mailed link (double opt-in), hears about
approved replies through the outbox (at most one mail per subscription per
digest interval) and unsubscribes with one click. docs/comments.md tells the
whole story.

Other blueprints may import its public modules, and no other module:
consent (recording a reader's wish, which the comment form calls while the
comment is stored) and notices (noting an approved comment for its followers,
in the write that approves it: posting, staff moderation and replies).

Public modules: consent, notices.
"""

from blueprints.subscriptions.views import bp

__all__ = ["bp"]
