"""The comments blueprint: posting, replies and the comment section of an article.

Other blueprints may import its public modules, and no other module:
section (the comment section's context, which the article page includes),
moderation (the rules, and set_status for any change of a comment's state) and
records (the frozen comment and article values the comment signals carry),
cookies (the commenter's cookies, whose lifetimes the privacy page states),
edit_window (how long an author may edit a comment, which readers enforce) and
removals (what comment_removed announces when authors, erasure or staff remove one).

Public modules: section, moderation, records, cookies, edit_window, removals.
"""

from blueprints.comments.views import bp

__all__ = ["bp"]
