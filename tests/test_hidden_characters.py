"""Bidi controls and zero-width characters readers type are shown to staff, isolated."""

from __future__ import annotations

import pytest

from models import CommentStatus
from models import ContactMessage
from models import db
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.staff_support import staff_client
from web.hidden_characters import reveal
from web.hidden_characters import visible

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
ZWSP = "\u200b"  # ZERO WIDTH SPACE
SPOOFED_NAME = f"Admin{ZWSP} {RLO}gpj.exe"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"a{RLO}b", "a[U+202E]b"),
        (f"a{ZWSP}b\u2066c\u2069\ufeff", "a[U+200B]b[U+2066]c[U+2069][U+FEFF]"),
        ("Ünïcödé ناصر 日本", "Ünïcödé ناصر 日本"),
        ("👩\u200d💻 می\u200cخواهم", "👩\u200d💻 می\u200cخواهم"),  # ZWJ, ZWNJ kept
        (None, ""),
    ],
)
def test_visible_writes_hidden_characters_as_code_points(text, shown):
    assert visible(text) == shown


def test_reveal_escapes_isolates_and_names_each_hidden_character():
    html = str(reveal(f"<b>x</b>{RLO}"))
    assert html.startswith("<bdi>") and html.endswith("</bdi>")
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert (
        '<abbr class="hidden-char" title="right-to-left override">U+202E</abbr>' in html
    )
    assert RLO not in html


def test_the_moderation_queue_shows_hidden_characters(app):
    with app.app_context():
        article = make_article(slug="hello")
        make_comment(
            article,
            author_name=SPOOFED_NAME,
            body=f"Text {RLO}desrever",
            status=CommentStatus.PENDING,
        )
    client, _ = staff_client(app)
    for path in ("/staff/comments?tab=pending", "/staff/"):
        html = client.get(path).get_data(as_text=True)
        assert SPOOFED_NAME not in html and RLO + "gpj" not in html, path
        assert "<bdi>Admin" in html and ">U+200B</abbr>" in html, path
        assert ">U+202E</abbr>" in html, path
    queue = client.get("/staff/comments?tab=pending").get_data(as_text=True)
    assert 'class="comment-text" dir="auto"' in queue


def test_the_inbox_shows_hidden_characters_in_names_and_subjects(app):
    with app.app_context():
        message = ContactMessage(
            name=SPOOFED_NAME,
            email="reader@example.org",
            subject=f"Invoice {RLO}fdp.exe",
            message="Please open the attachment.",
            ip="",
        )
        db.session.add(message)
        db.session.commit()
        message_id = message.id
    client, _ = staff_client(app)
    for path in ("/staff/inbox", f"/staff/inbox/{message_id}"):
        html = client.get(path).get_data(as_text=True)
        assert RLO not in html and ZWSP not in html, path
        assert ">U+202E</abbr>" in html, path
    title = client.get(f"/staff/inbox/{message_id}").get_data(as_text=True)
    assert "<title>Invoice [U+202E]fdp.exe" in title
