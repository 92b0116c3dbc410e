"""Readers' emails never appear in any public page, attribute, feed or JSON."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin
from urllib.parse import urlsplit

from flask import url_for

from models import Article
from models import db
from tests.support.factories import make_article
from tests.test_comments import stamp

EMAILS = [
    "ada.private@example.org",
    "bea.secret@example.net",
    "cyrus.hidden@mail.example",
]

# Public endpoints to visit besides what the crawl finds by following links.
# Add new public pages here (endpoint, arguments); ones not registered in the
# running app are skipped, so helpers working in parallel can list theirs.
PUBLIC_ENDPOINTS: list[tuple[str, dict]] = [
    ("articles.index", {}),
    ("articles.detail", {"slug": "hello"}),
    ("articles.detail", {"slug": "hello", "cpage": 2}),
    ("comments.index", {"slug": "hello", "page": 2}),
    ("comments.reply_form", {"slug": "hello"}),
    ("articles.tag", {"slug": "privacy"}),
    ("articles.feed", {}),
    ("articles.atom", {}),
    ("articles.sitemap", {}),
    ("articles.search", {"q": "comment"}),
    ("articles.search", {"q": "example"}),
    ("contact.new", {}),
]
LINK = re.compile(r'(?:href|src|hx-get)="([^"#]+)')


def crawl(app, client, limit: int = 200) -> dict[str, str]:
    """Visit the listed endpoints and every same-site link they lead to."""
    with app.test_request_context():
        start = [
            url_for(endpoint, **args)
            for endpoint, args in PUBLIC_ENDPOINTS
            if endpoint in app.view_functions
        ]
    seen: dict[str, str] = {}
    queue = deque(start)
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            # Fonts and icons are binary: no text in them to search or follow.
            textual = response.mimetype.startswith("text/") or response.mimetype in (
                "application/xml",
                "application/atom+xml",
                "application/json",
                "image/svg+xml",
            )
            body = response.get_data(as_text=True) if textual else ""
            response.close()
            seen[url] = seen.get(url, "") + body + str(response.headers)
        for link in LINK.findall(seen[url]):
            target = urljoin(url, link.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc in ("", "localhost") and target not in seen:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def test_emails_appear_on_no_public_page(make_app):
    app = make_app(SPAM_MIN_SECONDS=0, COMMENTS_PER_PAGE=1)
    with app.app_context():
        make_article(slug="hello", tags=["privacy"], body="A comment on privacy.")
    poster = app.test_client()
    for i, email in enumerate(EMAILS):
        response = poster.post(
            "/articles/hello/comments",
            data={
                "rendered_at": stamp(app),
                "comment": f"Comment {i} from a careful reader.",
                "author": f"Reader {i}",
                "email": email,
                "url": f"https://site{i}.example",
            },
        )
        assert response.status_code == 303
    with app.app_context():
        from blueprints.comments.moderation import set_status
        from models import Comment
        from models import CommentStatus

        for comment in db.session.scalars(db.select(Comment)):
            set_status(comment, CommentStatus.APPROVED, "approved by a moderator")
        db.session.commit()
        assert db.session.scalar(db.select(Article.comment_count)) == len(EMAILS)

    pages = crawl(app, app.test_client())
    assert any("Comment 2 from a careful reader." in body for body in pages.values())
    assert len(pages) >= 5
    for url, body in pages.items():
        for email in EMAILS:
            local = email.split("@")[0]
            assert email not in body, url
            assert local not in body, url
