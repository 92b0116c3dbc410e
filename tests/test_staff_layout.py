"""The staff app frame: sidebar entries by role, badges at a constant cost, the
sign-in frame, and the editor's heading sent out of band after a save."""

import re

import pytest
from sqlalchemy import select

from models import Article
from models import CommentStatus
from models import ContactMessage
from models import MessageStatus
from models import Role
from models import db
from storage import sqlcount
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.staff_support import staff_client

ENTRIES = {
    Role.ADMIN: [
        "Dashboard",
        "Articles",
        "Pages",
        "Media",
        "Comments",
        "Inbox",
        "Menus",
        "Redirects",
        "Accounts",
        "Audit log",
        "Settings",
    ],
    Role.EDITOR: ["Dashboard", "Articles", "Pages", "Media", "Comments"],
    Role.MODERATOR: ["Dashboard", "Comments", "Inbox"],
}
NAV_LABEL = re.compile(r'<span class="staff-nav-label">([^<]+)</span>')


def pending_and_new(app, comments: int = 1, messages: int = 1) -> None:
    with app.app_context():
        article = make_article()
        for _ in range(comments):
            make_comment(article, status=CommentStatus.PENDING)
        for n in range(messages):
            db.session.add(
                ContactMessage(name="Rita", email="r@example.org", message=f"Hi {n}")
            )
        db.session.add(
            ContactMessage(
                name="Old",
                email="o@example.org",
                message="x",
                status=MessageStatus.READ,
            )
        )
        db.session.commit()


def nav_of(html: str) -> str:
    return html[html.index('<nav class="staff-nav"') : html.index("</nav>")]


@pytest.mark.parametrize("role", list(ENTRIES))
def test_sidebar_entries_by_role(app, role):
    client, _ = staff_client(app, role)
    nav = nav_of(client.get("/staff/").get_data(as_text=True))
    labels = NAV_LABEL.findall(nav)
    account = ["Your profile", "Password &amp; sessions", "View the site", "Sign out"]
    assert labels == ENTRIES[role] + account
    assert ("Settings" in nav) == (role == Role.ADMIN)
    # Sign out is a POST form with its CSRF field, not a link.
    assert re.search(r'<form class="staff-signout" method="post" action="[^"]+"', nav)
    assert 'name="csrf_token"' in nav


def test_sidebar_marks_the_current_section(app):
    client, _ = staff_client(app, Role.ADMIN)
    nav = nav_of(client.get("/staff/comments").get_data(as_text=True))
    current = re.findall(r'aria-current="page">.*?staff-nav-label">([^<]+)<', nav)
    assert current == ["Comments"]


def test_badges_count_pending_comments_and_new_messages(app):
    pending_and_new(app, comments=3, messages=2)
    admin, _ = staff_client(app, Role.ADMIN)
    nav = nav_of(admin.get("/staff/articles").get_data(as_text=True))
    assert 'id="nav-count-comments">3<span class="visually-hidden"> pending' in nav
    assert '>2<span class="visually-hidden"> new</span>' in nav
    editor, _ = staff_client(app, Role.EDITOR)
    nav = nav_of(editor.get("/staff/articles").get_data(as_text=True))
    assert " new</span>" not in nav  # no inbox for editors


def test_zero_is_an_empty_badge(app):
    client, _ = staff_client(app, Role.ADMIN)
    nav = nav_of(client.get("/staff/").get_data(as_text=True))
    assert '<span class="nav-badge" id="nav-count-comments"></span>' in nav


@pytest.mark.parametrize("path", ["/staff/articles", "/staff/users", "/staff/password"])
def test_badges_cost_one_statement_whatever_the_counts(app, path):
    client, _ = staff_client(app, Role.ADMIN)
    client.get(path)
    with sqlcount.count_statements(app) as few:
        client.get(path)
    pending_and_new(app, comments=6, messages=6)
    with sqlcount.count_statements(app) as many:
        client.get(path)
    assert len(many) == len(few)
    badges = [s for s in few if "contact_messages" in s and "comments" in s]
    assert len(badges) == 1


def test_fragments_leave_the_sidebar_and_its_counts_out(app, htmx_headers):
    pending_and_new(app)
    client, _ = staff_client(app, Role.ADMIN)
    with sqlcount.count_statements(app) as log:
        response = client.get("/staff/comments?tab=spam", headers=htmx_headers)
    assert "staff-sidebar" not in response.get_data(as_text=True)
    assert not [s for s in log if "contact_messages" in s]


def test_frame_keeps_skip_link_main_and_alerts(app):
    client, _ = staff_client(app, Role.MODERATOR)
    html = client.get("/staff/comments").get_data(as_text=True)
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert '<div id="alerts" class="alerts" role="status" aria-live="polite">' in html
    assert '<details class="staff-menu" data-staff-menu>' in html
    assert html.index("staff-sidebar") < html.index('id="main"')


def test_sign_in_page_has_no_sidebar(client):
    html = client.get("/staff/login").get_data(as_text=True)
    assert "staff-sidebar" not in html and 'class="staff-signin"' in html
    assert '<main id="main"' in html and 'id="alerts"' in html


def test_queue_action_updates_the_sidebar_badge_out_of_band(app, htmx_headers):
    with app.app_context():
        article = make_article()
        ids = [make_comment(article, status=CommentStatus.PENDING).id for _ in range(2)]
    client, _ = staff_client(app, Role.MODERATOR)
    response = client.post(f"/staff/comments/{ids[0]}/approve", headers=htmx_headers)
    html = response.get_data(as_text=True)
    assert (
        '<span class="nav-badge" id="nav-count-comments" hx-swap-oob="true">1<' in html
    )
    response = client.post(
        "/staff/comments/bulk",
        data={"action": "approve", "ids": [ids[1]], "tab": "pending"},
        headers=htmx_headers,
    )
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="moderation-queue">')
    assert 'id="nav-count-comments" hx-swap-oob="true"></span>' in html


def test_first_htmx_save_sends_the_heading_out_of_band(app, htmx_headers):
    client, _ = staff_client(app, Role.EDITOR)
    new = client.get("/staff/articles/new").get_data(as_text=True)
    assert '<h1 class="page-title">New article</h1>' in new
    assert "Preview as readers see it" not in new
    response = client.post(
        "/staff/articles",
        data={"title": "Fresh words", "body": "Text", "status": "draft"},
        headers=htmx_headers,
    )
    html = response.get_data(as_text=True)
    header = html[html.index('<div id="editor-header"') :]
    assert header.startswith(
        '<div id="editor-header" class="staff-heading editor-header" hx-swap-oob="true">'
    )
    assert '<h1 class="page-title">Fresh words</h1>' in header
    with app.app_context():
        article_id = db.session.scalar(select(Article.id))
    assert f'href="/staff/articles/{article_id}/preview"' in header
    assert f'href="/staff/articles/{article_id}/delete"' in header


def test_refused_save_leaves_the_heading_alone(app, htmx_headers):
    client, _ = staff_client(app, Role.EDITOR)
    response = client.post(
        "/staff/articles", data={"title": "", "body": "x"}, headers=htmx_headers
    )
    assert response.status_code == 422
    assert 'id="editor-header"' not in response.get_data(as_text=True)


def test_plain_save_redirects_to_the_editor_with_its_heading(app):
    client, _ = staff_client(app, Role.EDITOR)
    response = client.post(
        "/staff/articles", data={"title": "No script", "body": "x", "status": "draft"}
    )
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<h1 class="page-title">No script</h1>' in html
    assert "Preview as readers see it" in html and ">Delete</a>" in html
