"""What plugins add to pages: staff links, dashboard cards and template slots."""

from __future__ import annotations

import logging
import re

import pytest

from models import Role
from plugins.api import add_to_slot
from storage import sqlcount
from tests.support.factories import make_article
from tests.support.staff_support import staff_client

DOUBLES = "tests.support.plugin_doubles"
GREETER = f"{DOUBLES}.greeter:plugin"


def _desk_link(html: str) -> str | None:
    found = re.search(r'<a class="staff-nav-link" href="/greeter/desk"[^>]*>', html)
    return found.group(0) if found else None


@pytest.fixture
def greeter_app(make_app, install_plugins):
    install_plugins(greeter=GREETER)
    return make_app(PLUGINS=["greeter"])


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EDITOR])
def test_staff_link_shows_for_its_roles(greeter_app, role):
    client, _ = staff_client(greeter_app, role)
    html = client.get("/staff/").get_data(as_text=True)
    assert _desk_link(html) == '<a class="staff-nav-link" href="/greeter/desk">'
    assert "Greeter desk" in html
    page = client.get("/greeter/desk")
    assert page.status_code == 200
    assert 'aria-current="page"' in _desk_link(page.get_data(as_text=True))


def test_staff_link_hidden_from_other_roles(greeter_app):
    client, _ = staff_client(greeter_app, Role.MODERATOR)
    html = client.get("/staff/").get_data(as_text=True)
    assert _desk_link(html) is None and "Greeter desk" not in html
    assert client.get("/greeter/desk").status_code == 403


def test_dashboard_card_for_its_role_and_a_broken_one_left_out(
    make_app, install_plugins, caplog
):
    install_plugins(cards=f"{DOUBLES}.slotted:cards")
    app = make_app(PLUGINS=["cards"])
    editor, _ = staff_client(app, Role.EDITOR)
    with caplog.at_level(logging.ERROR):
        response = editor.get("/staff/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Double card" in html and "42 things to see" in html
    assert "Broken card" not in html
    assert "plugin cards: dashboard card Broken card failed; left out" in caplog.text
    admin, _ = staff_client(app, Role.ADMIN)
    html = admin.get("/staff/").get_data(as_text=True)
    assert "Double card" not in html and "things to see" not in html


def test_slots_render_their_partials(make_app, install_plugins):
    install_plugins(slotted=f"{DOUBLES}.slotted:plugin")
    app = make_app(PLUGINS=["slotted"])
    with app.app_context():
        make_article(slug="hello", comments_open=True)
    html = app.test_client().get("/articles/hello").get_data(as_text=True)
    head, body = html.split("</head>")
    assert '<meta name="doubles-head" content="from the slotted plugin">' in head
    footer = body.index("Footer from the slotted plugin")
    form = re.search(r'<form[^>]*id="comment-form".*?</form>', body, re.S)
    assert form and "Form extra from the slotted plugin" in form.group(0)
    assert footer < body.index('id="comments"')
    assert "Sidebar from the slotted plugin" not in body
    client, _ = staff_client(app, Role.MODERATOR)
    staff = client.get("/staff/").get_data(as_text=True)
    assert "Sidebar from the slotted plugin" in staff
    assert "doubles-head" not in staff


def _token(html: str, pattern: str) -> str:
    return re.search(pattern, html).group(1)


def test_slot_on_a_cached_page_gets_each_visitors_token(make_app, install_plugins):
    install_plugins(token_slot=f"{DOUBLES}.slotted:token_slot", greeter=GREETER)
    app = make_app(PLUGINS=["token_slot", "greeter"], WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_article(slug="hello")
    visitors = [app.test_client(), app.test_client()]
    pages = []
    for visitor in visitors:
        with sqlcount.count_statements(app) as log:
            response = visitor.get("/articles/hello")
        assert response.status_code == 200
        pages.append(response.get_data(as_text=True))
    assert len(log) == 1  # the second visitor's page came from the cache
    slot = r'class="doubles-token".*?name="csrf_token" value="([^"]+)"'
    tokens = [_token(page, slot) for page in pages]
    assert tokens[0] != tokens[1]
    for visitor, page, token in zip(visitors, pages, tokens, strict=True):
        assert token == _token(page, r'"X-CSRFToken": "([^"]+)"')
        answer = visitor.post("/greeter/echo", data={"csrf_token": token, "word": "hi"})
        assert answer.status_code == 200 and answer.json == {"echo": "hi"}


def test_slot_partial_that_raises_is_left_out(make_app, install_plugins, caplog):
    install_plugins(broken_slot=f"{DOUBLES}.slotted:broken_slot")
    app = make_app(PLUGINS=["broken_slot"])
    with app.app_context():
        make_article(slug="hello", title="Still readable")
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/articles/hello")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Still readable" in html
    assert "Footer from the slotted plugin" in html  # the next partial still shows
    assert (
        "plugin broken_slot: slot article_footer: doubles/_raises.html failed;"
        " left out" in caplog.text
    )


def test_unknown_slot_is_refused(app):
    with pytest.raises(ValueError, match="no slot 'sidebar'; slots are head, "):
        add_to_slot(app, "sidebar", "doubles/_footer.html")
