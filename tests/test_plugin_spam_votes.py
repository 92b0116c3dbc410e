"""Plugins' spam votes in the moderation rules: order, precedence and the reason."""

from __future__ import annotations

import pytest

from blueprints.comments.moderation import decide
from models import CommentStatus
from plugins.hooks import CommentCandidate
from plugins.hooks import SpamVote
from plugins.hooks import Verdict
from plugins.hooks import hookimpl
from plugins.hooks import manager
from plugins.hooks import spam_votes
from tests.test_comments_moderation import submission
from web.form_guard import SpamProblem

SPAM = Verdict.SPAM
HOLD = Verdict.HOLD

CANDIDATE = CommentCandidate(
    name="Ada",
    email="ada@example.org",
    url="",
    body="Hello there.",
    ip="192.0.2.7",
    user_agent="Mozilla/5.0",
    referrer="",
    article_url="http://localhost/articles/hello",
    parent_id=None,
)


class Check:
    """A plugin object whose spam check answers a fixed vote (or raises)."""

    def __init__(self, vote: SpamVote | None | Exception) -> None:
        self.vote = vote

    @hookimpl
    def folio_spam_check(self, comment: CommentCandidate) -> SpamVote | None:
        if isinstance(self.vote, Exception):
            raise self.vote
        return self.vote


@pytest.fixture
def app(make_app):
    return make_app(COMMENTS_REQUIRE_PREVIOUS_APPROVAL=False)


def vote(verdict: Verdict, check: str, reason: str = "said so") -> SpamVote:
    return SpamVote(verdict, reason, check)


def test_a_spam_vote_beats_an_earlier_hold_vote(app):
    with app.app_context():
        decision = decide(submission(), votes=[vote(HOLD, "a"), vote(SPAM, "b")])
    assert decision.status == CommentStatus.SPAM
    assert decision.reason == "spam: b: said so"


@pytest.mark.parametrize(
    ("verdict", "status"), [(SPAM, CommentStatus.SPAM), (HOLD, CommentStatus.PENDING)]
)
def test_the_first_vote_of_a_verdict_names_the_check(app, verdict, status):
    votes = [vote(verdict, "first", "one"), vote(verdict, "second", "two")]
    with app.app_context():
        decision = decide(submission(), votes=votes)
    assert decision.status == status
    assert decision.reason == f"{verdict.value}: first: one"


def test_the_blocklist_and_the_honeypot_beat_the_plugins(make_app):
    app = make_app(COMMENTS_BLOCKLIST=["192.0.2.7"])
    votes = [vote(SPAM, "akismet"), vote(HOLD, "other")]
    with app.app_context():
        blocked = decide(submission(), votes=votes)
        app.config["COMMENTS_BLOCKLIST"] = []
        honeypot = decide(submission(), SpamProblem.HONEYPOT, votes=votes)
    assert blocked.reason == "spam: blocklist matched “192.0.2.7”"
    assert honeypot.reason == f"spam: {SpamProblem.HONEYPOT.value}"


def test_a_hold_vote_comes_before_the_core_hold_rules(app):
    body = "https://a.example https://b.example"
    with app.app_context():
        voted = decide(submission(body=body), votes=[vote(HOLD, "akismet", "why")])
        unvoted = decide(submission(body=body))
    assert voted.reason == "held: akismet: why"
    assert unvoted.reason == "held: 2 links"


def test_no_votes_leave_the_core_rules_to_decide(app):
    with app.app_context():
        decision = decide(submission(), votes=[])
    assert decision.reason == "approved: passed every rule"


def test_votes_come_in_plugin_order_named_after_their_plugin(app):
    pm = manager(app)
    pm.register(Check(SpamVote(SPAM, "first says")), name="first")
    pm.register(Check(None), name="silent")
    pm.register(Check(SpamVote(HOLD, "own name", "custom")), name="third")
    pm.register(Check(SpamVote(SPAM, "second says")), name="second")
    with app.app_context():
        votes = spam_votes(CANDIDATE)
        decision = decide(submission(), votes=votes)
    assert [(v.check, v.verdict, v.reason) for v in votes] == [
        ("first", SPAM, "first says"),
        ("custom", HOLD, "own name"),
        ("second", SPAM, "second says"),
    ]
    assert decision.reason == "spam: first: first says"


def test_a_check_that_raises_is_logged_and_counts_as_no_vote(app, caplog):
    pm = manager(app)
    pm.register(Check(RuntimeError("boom")), name="broken")
    pm.register(Check(SpamVote(HOLD, "maybe")), name="careful")
    with app.app_context():
        votes = spam_votes(CANDIDATE)
    assert votes == [SpamVote(HOLD, "maybe", "careful")]
    assert "plugin broken: spam check failed; counted as no vote" in caplog.text


def test_votes_follow_tryfirst_and_skip_bad_answers(make_app, caplog):
    """A check answering something else than a SpamVote counts as no vote, a
    tryfirst check votes first, and a wrapper is no voter."""
    from flask import Flask

    from blueprints.comments.moderation import Submission
    from blueprints.comments.moderation import plugin_votes
    from plugins.hooks import SpamVote
    from plugins.hooks import Verdict
    from plugins.hooks import hookimpl
    from plugins.hooks import manager

    class Plain:
        @hookimpl
        def folio_spam_check(self, comment):
            return SpamVote(Verdict.HOLD, "plain")

    class Early:
        @hookimpl(tryfirst=True)
        def folio_spam_check(self, comment):
            return SpamVote(Verdict.HOLD, "early")

    class Wrong:
        @hookimpl
        def folio_spam_check(self, comment):
            return "spam"

    class Wrapper:
        @hookimpl(wrapper=True)
        def folio_spam_check(self, comment):
            return (yield)

    app: Flask = make_app()
    pm = manager(app)
    for name, plugin in [("plain", Plain()), ("wrong", Wrong()), ("wrap", Wrapper())]:
        pm.register(plugin, name=name)
    pm.register(Early(), name="early")
    submission = Submission("A", "a@example.org", "", "Hi.", "127.0.0.1", "test")
    with app.test_request_context():
        votes = plugin_votes(submission, "http://localhost/articles/x", None)
    assert [(v.check, v.reason) for v in votes] == [
        ("early", "early"),
        ("plain", "plain"),
    ]
    assert "plugin wrong: spam check failed" in caplog.text
