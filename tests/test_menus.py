"""The header and footer menus: what readers see, the cache, and the editor."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from models import MENU_CHANGES
from models import Article
from models import ArticleStatus
from models import MenuItem
from models import MenuName
from models import SiteCounter
from models import Tag
from models import db
from storage import sqlcount
from tests.support.factories import make_article
from tests.support.factories import make_menu_item
from tests.support.factories import make_page
from tests.support.staff_support import staff_client

HX = {"HX-Request": "true"}
FOOTER = MenuName.FOOTER


def header(html: str) -> list[tuple[str, str]]:
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    return re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', nav)


def footer(html: str) -> list[tuple[str, str]]:
    nav = re.search(r'<nav class="footer-nav".*?</nav>', html, re.S).group(0)
    return re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', nav)


def page_html(client, path: str = "/articles/hello") -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


@pytest.fixture
def site(app):
    """An article at /articles/hello, a page at /about, a tag with an article."""
    with app.app_context():
        make_article("Hello", slug="hello", tags=["Birds"])
        about = make_page("About us", slug="about")
        return {"about": about.id, "tag": db.session.scalar(select(Tag.id))}


@pytest.fixture
def admin(app):
    client, _ = staff_client(app)
    return client


def counter(app) -> int:
    """The menus counter (its row is missing on PostgreSQL, emptied per test)."""
    with app.app_context():
        value = db.session.scalar(
            select(SiteCounter.value).where(SiteCounter.name == MENU_CHANGES)
        )
    return value or 0


def items(app, menu=MenuName.HEADER) -> list[tuple[int, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(MenuItem.position, MenuItem.label)
            .where(MenuItem.menu == menu)
            .order_by(MenuItem.position)
        )
        return [tuple(row) for row in rows]


# --- what readers see -------------------------------------------------------


def test_empty_menus_show_the_default_links(client, site):
    html = page_html(client)
    assert header(html) == [
        ("/", "Articles"),
        ("/search", "Search"),
        ("/contact/", "Contact"),
    ]
    assert [label for _, label in footer(html)] == [
        "Articles",
        "Search",
        "Atom feed",
        "Contact us",
        "Your comments",
        "Staff",
    ]


def test_menus_show_their_items_in_order(app, client, site):
    with app.app_context():
        about = db.session.get(Article, site["about"])
        make_menu_item(article=about)
        make_menu_item(tag_id=site["tag"], label="Bird notes")
        make_menu_item(label="Elsewhere", url="https://example.org/a?b=1&c=2")
        make_menu_item(FOOTER, article=about, label="Who we are")
        make_menu_item(FOOTER, label="Contact", url="/contact/")
    html = page_html(client)
    assert header(html) == [
        ("/about", "About us"),
        ("/tags/birds", "Bird notes"),
        ("https://example.org/a?b=1&amp;c=2", "Elsewhere"),
    ]
    assert footer(html) == [("/about", "Who we are"), ("/contact/", "Contact")]
    about = page_html(client, "/about")
    assert '<a href="/about" aria-current="page">About us</a>' in about


@pytest.mark.parametrize(
    "hidden",
    [
        {"status": ArticleStatus.DRAFT, "published_ago": None},
        {"published_ago": -timedelta(days=1)},
    ],
    ids=["draft", "scheduled"],
)
def test_links_to_what_readers_cannot_see_are_left_out(app, client, site, hidden):
    with app.app_context():
        draft = make_page("Coming soon", slug="soon", **hidden)
        make_menu_item(article=draft)
        empty_tag = Tag(name="Empty", slug="empty")
        db.session.add(empty_tag)
        db.session.commit()
        make_menu_item(tag_id=empty_tag.id)
        make_menu_item(article=db.session.get(Article, site["about"]))
    assert header(page_html(client)) == [("/about", "About us")]


def test_a_menu_of_hidden_links_only_shows_nothing_rather_than_the_defaults(
    app, client, site
):
    with app.app_context():
        make_menu_item(
            article=make_page(status=ArticleStatus.DRAFT, published_ago=None)
        )
    assert header(page_html(client)) == []


def test_menus_are_on_every_public_page(app, client, site):
    with app.app_context():
        make_menu_item(label="Home", url="/")
    for path in ("/", "/tags/birds", "/about", "/search?q=x", "/contact/", "/nope"):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert header(html) == [("/", "Home")], path


def test_server_error_pages_keep_the_default_links(app, client, site):
    with app.app_context():
        make_menu_item(label="Home", url="/")
    with app.test_request_context():
        from web.errors import error_response

        html = error_response(503).get_data(as_text=True)
    assert [label for _, label in header(html)] == ["Articles", "Search", "Contact"]


def test_menu_labels_are_escaped(app, client, site):
    with app.app_context():
        make_menu_item(label="<b>Bold</b>", url="/")
    html = page_html(client)
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html and "<b>Bold</b>" not in html


# --- the page cache ---------------------------------------------------------


def test_a_menu_change_reaches_cached_pages(app, client, admin, site):
    page_html(client)
    page_html(client)  # cached now
    admin.post(
        "/staff/menus/header/items",
        data={"header-target": f"page:{site['about']}", "header-label": ""},
    )
    assert header(page_html(client)) == [("/about", "About us")]
    with app.app_context():
        item_id = db.session.scalar(select(MenuItem.id))
    admin.post(f"/staff/menus/items/{item_id}", data={f"item-{item_id}-label": "Us"})
    assert header(page_html(client)) == [("/about", "Us")]
    admin.post(f"/staff/menus/items/{item_id}/delete")
    assert [label for _, label in header(page_html(client))][0] == "Articles"


@pytest.mark.parametrize("change", ["retitle", "rename", "unpublish", "delete"])
def test_a_change_to_a_linked_page_reaches_cached_pages(app, client, site, change):
    with app.app_context():
        make_menu_item(article=db.session.get(Article, site["about"]))
    assert header(page_html(client)) == [("/about", "About us")]
    page_html(client)
    with app.app_context():
        about = db.session.get(Article, site["about"])
        if change == "retitle":
            about.title = "The team"
        elif change == "rename":
            about.slug = "team"
        elif change == "unpublish":
            about.status = ArticleStatus.DRAFT
        else:
            db.session.delete(about)
        db.session.commit()
    expected = {
        "retitle": [("/about", "The team")],
        "rename": [("/team", "About us")],
        "unpublish": [],
        "delete": [("/", "Articles"), ("/search", "Search"), ("/contact/", "Contact")],
    }
    assert header(page_html(client)) == expected[change]


def test_a_scheduled_page_joins_the_menu_when_it_goes_live(app, client, site):
    with app.app_context():
        soon = make_page("Soon", slug="soon", published_ago=-timedelta(hours=1))
        soon_id = soon.id
        make_menu_item(article=soon)
    assert header(page_html(client)) == []
    with app.app_context():
        db.session.get(Article, soon_id).published_at -= timedelta(hours=2)
        db.session.commit()
    assert header(page_html(client)) == [("/soon", "Soon")]


def test_menus_cost_no_statement_on_a_hit_or_a_warm_miss(app, site):
    with app.app_context():
        make_menu_item(article=db.session.get(Article, site["about"]))
        make_menu_item(FOOTER, label="Home", url="/")
    client = app.test_client()
    with sqlcount.count_statements(app) as first:
        page_html(client)
    with sqlcount.count_statements(app) as hit:
        page_html(app.test_client())
    # Another page under the same site version: the menus this process loaded.
    with sqlcount.count_statements(app) as warm:
        page_html(app.test_client(), "/about")
    assert len(hit) == 1
    assert len(first) == 5  # the version, article, neighbours, comments, menus
    assert len(warm) == 2  # the version and the page
    assert sum("menu_items" in s for s in warm) == 1  # in the version query only


def test_empty_menus_cost_nothing_on_a_miss(app, site):
    with sqlcount.count_statements(app) as log:
        page_html(app.test_client())
    assert len(log) == 4
    assert not any("FROM menu_items LEFT OUTER JOIN" in s for s in log)


# --- the editor: adding ---------------------------------------------------


def test_editor_page_lists_both_menus(app, admin, site):
    with app.app_context():
        make_menu_item(article=db.session.get(Article, site["about"]))
    html = admin.get("/staff/menus").get_data(as_text=True)
    assert 'id="menu-header"' in html and 'id="menu-footer"' in html
    assert f'value="page:{site["about"]}">About us</option>' in html
    assert f'value="tag:{site["tag"]}">Birds</option>' in html
    assert "/about" in html and 'id="menu-status"' in html
    assert "autofocus" not in html
    assert "No items: readers see the default links" in html  # the footer


def test_editor_page_statements_do_not_grow_with_items(app, admin, site):
    with app.app_context():
        make_menu_item(label="One", url="/")
    admin.get("/staff/menus")
    with sqlcount.count_statements(app) as few:
        admin.get("/staff/menus")
    with app.app_context():
        about = db.session.get(Article, site["about"])
        for n in range(6):
            make_menu_item(FOOTER, article=about, label=f"L{n}")
            make_menu_item(tag_id=site["tag"])
    with sqlcount.count_statements(app) as many:
        admin.get("/staff/menus")
    assert len(many) == len(few)


def test_add_without_js(app, admin, site):
    response = admin.post(
        "/staff/menus/footer/items",
        data={
            "footer-target": "url",
            "footer-label": "Feed",
            "footer-url": "/feed.xml",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/menus#menu-footer"
    assert items(app, FOOTER) == [(0, "Feed")]
    assert counter(app) == 1
    html = admin.get("/staff/menus").get_data(as_text=True)
    assert "Added “Feed” to the footer menu." in html


def test_add_with_htmx_answers_the_menu_and_the_status(app, admin, site):
    response = admin.post(
        "/staff/menus/header/items",
        data={"header-target": f"page:{site['about']}"},
        headers=HX,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="menu-header"')
    assert 'id="menu-footer"' not in html and "<html" not in html
    assert (
        '<p id="menu-status" hx-swap-oob="innerHTML">'
        "Added “About us” to the header menu.</p>"
    ) in html
    assert re.search(r'<select[^>]*autofocus[^>]*id="header-target"', html)
    assert "HX-Request" in response.headers["Vary"]
    assert items(app) == [(0, "")]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "//evil.example/",
        "/\\evil.example",
        "http://",
        "https:///path",
        "ftp://example.org/file",
        "mailto:team@example.org",
        "https://exa mple.org/",
        "https://example.org/\x00",
        "example.org",
        "",
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_add_refuses_unsafe_or_unclear_addresses(app, admin, site, url, htmx):
    response = admin.post(
        "/staff/menus/header/items",
        data={"header-target": "url", "header-label": "Link", "header-url": url},
        headers=HX if htmx else {},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith("<section") is htmx
    assert re.search(r'id="header-url-error">(Use an address|Type the address)', html)
    assert 'aria-invalid="true"' in html
    assert items(app) == [] and counter(app) == 0


@pytest.mark.parametrize(
    "url", ["https://example.org/", "http://example.org/a?b=c#d", "/", "/contact/"]
)
def test_add_accepts_web_addresses_and_paths(app, admin, site, url):
    response = admin.post(
        "/staff/menus/header/items",
        data={"header-target": "url", "header-label": "Link", "header-url": url},
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(MenuItem.url)) == url


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"header-target": "url", "header-url": "/"}, "label", "needs a label"),
        ({"header-target": "page:999999"}, "target", "Not a valid choice"),
        ({"header-target": "bogus"}, "target", "Not a valid choice"),
        ({"header-target": "tag:abc"}, "target", "Not a valid choice"),
        ({"header-target": ""}, "target", "Not a valid choice"),
        ({}, "target", "Not a valid choice"),
        (
            {"header-target": "url", "header-label": "x" * 81, "header-url": "/"},
            "label",
            "longer than 80",
        ),
        (
            {
                "header-target": "url",
                "header-label": "L",
                "header-url": "/" + "a" * 500,
            },
            "url",
            "longer than 500",
        ),
    ],
)
def test_add_refuses_bad_input(app, admin, site, data, field, message):
    response = admin.post("/staff/menus/header/items", data=data, headers=HX)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(rf'id="header-{field}-error">([^<]*)<', html).group(1)
    assert message in error
    assert re.search(rf'<[^>]*autofocus[^>]*id="header-{field}"', html)
    assert items(app) == []


def test_add_to_a_menu_that_does_not_exist_is_404(admin, site):
    assert admin.post("/staff/menus/sidebar/items", data={}).status_code == 404


def test_a_full_menu_refuses_another_item(app, admin, site):
    with app.app_context():
        for n in range(20):
            make_menu_item(label=f"L{n}", url="/")
    response = admin.post(
        "/staff/menus/header/items",
        data={"header-target": "url", "header-label": "One more", "header-url": "/"},
        headers=HX,
    )
    assert response.status_code == 422
    assert "A menu holds at most 20 links" in response.get_data(as_text=True)
    assert len(items(app)) == 20
    page = admin.get("/staff/menus").get_data(as_text=True)
    assert "This menu is full" in page


# --- the editor: editing, moving, removing --------------------------------


@pytest.fixture
def three(app, site):
    """Three header items (One, Two, Three) and one in the footer; their ids."""
    with app.app_context():
        ids = [
            make_menu_item(label=name, url="/").id for name in ("One", "Two", "Three")
        ]
        make_menu_item(FOOTER, label="Foot", url="/")
    return ids


def test_edit_a_label_with_htmx(app, admin, three):
    item = three[1]
    response = admin.post(
        f"/staff/menus/items/{item}",
        data={f"item-{item}-label": "Second", f"item-{item}-url": "/b"},
        headers=HX,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Saved “Second”." in html
    assert re.search(rf'<input[^>]*autofocus[^>]*id="item-{item}-label"', html)
    with app.app_context():
        stored = db.session.get(MenuItem, item)
        assert (stored.label, stored.url) == ("Second", "/b")


def test_edit_without_js_redirects_back(app, admin, three):
    item = three[0]
    response = admin.post(
        f"/staff/menus/items/{item}",
        data={f"item-{item}-label": "First", f"item-{item}-url": "/"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/menus#menu-header"
    assert items(app)[0] == (0, "First")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"label": "", "url": "/"}, "label", "needs a label"),
        ({"label": "X", "url": "javascript:alert(1)"}, "url", "Use an address"),
        ({"label": "x" * 81, "url": "/"}, "label", "longer than 80"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_edit_refuses_bad_input(app, admin, three, data, field, message, htmx):
    item = three[0]
    sent = {f"item-{item}-{name}": value for name, value in data.items()}
    response = admin.post(
        f"/staff/menus/items/{item}", data=sent, headers=HX if htmx else {}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(rf'id="item-{item}-{field}-error">([^<]*)<', html).group(1)
    assert message in error
    assert re.search(
        r'<details class="menu-item-more" open>\s*<summary>Edit<span class="visually-hidden"> One',
        html,
    )
    assert items(app)[0] == (0, "One")


def test_a_page_item_may_lose_its_label(app, admin, site):
    with app.app_context():
        item = make_menu_item(
            article=db.session.get(Article, site["about"]), label="Us"
        ).id
    response = admin.post(f"/staff/menus/items/{item}", data={f"item-{item}-label": ""})
    assert response.status_code == 303
    assert header(page_html(app.test_client())) == [("/about", "About us")]


@pytest.mark.parametrize(
    ("which", "data", "order", "focus", "message"),
    [
        (1, {"direction": "up"}, ["Two", "One", "Three"], "down", "to position 1 of 3"),
        (
            0,
            {"direction": "down"},
            ["Two", "One", "Three"],
            "down",
            "to position 2 of 3",
        ),
        (1, {"direction": "down"}, ["One", "Three", "Two"], "up", "to position 3 of 3"),
        (2, {"direction": "up"}, ["One", "Three", "Two"], "up", "to position 2 of 3"),
        (0, {"position": "3"}, ["Two", "Three", "One"], "up", "to position 3 of 3"),
        (2, {"position": "1"}, ["Three", "One", "Two"], "down", "to position 1 of 3"),
        (0, {"position": "99"}, ["Two", "Three", "One"], "up", "to position 3 of 3"),
        (0, {"direction": "up"}, ["One", "Two", "Three"], "down", "to position 1 of 3"),
    ],
)
def test_move_with_htmx(app, admin, three, which, data, order, focus, message):
    item = three[which]
    response = admin.post(f"/staff/menus/items/{item}/move", data=data, headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert [label for _, label in items(app)] == order
    assert [p for p, _ in items(app)] == [0, 1, 2]
    assert items(app, FOOTER) == [(0, "Foot")]
    assert message + " in the header menu." in html
    button = re.search(
        rf'<button[^>]*name="direction" value="{focus}"[^>]*autofocus[^>]*>[^<]*'
        r'<span class="visually-hidden"> ([^<]*)</span>',
        html,
    )
    assert button.group(1) == ["One", "Two", "Three"][which]
    assert html.count("autofocus") == 1
    assert counter(app) == 5  # four items made, one move


def test_move_without_js(app, admin, three):
    response = admin.post(
        f"/staff/menus/items/{three[2]}/move", data={"direction": "up"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/menus#menu-header"
    assert [label for _, label in items(app)] == ["One", "Three", "Two"]
    html = admin.get("/staff/menus").get_data(as_text=True)
    assert "Moved “Three” to position 2 of 3 in the header menu." in html


@pytest.mark.parametrize(
    "data", [{}, {"direction": "sideways"}, {"position": "0"}, {"position": "x"}]
)
def test_move_refuses_bad_input(app, admin, three, data):
    response = admin.post(f"/staff/menus/items/{three[0]}/move", data=data, headers=HX)
    assert response.status_code == 422
    assert "Not moved" in response.get_data(as_text=True)
    assert [label for _, label in items(app)] == ["One", "Two", "Three"]


def test_move_reaches_readers(app, admin, three):
    client = app.test_client()
    page_html(client, "/about")
    admin.post(f"/staff/menus/items/{three[2]}/move", data={"position": "1"})
    assert [label for _, label in header(page_html(client, "/about"))] == [
        "Three",
        "One",
        "Two",
    ]


def test_remove_closes_the_gap(app, admin, three):
    response = admin.post(f"/staff/menus/items/{three[0]}/delete", headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Removed “One” from the header menu." in html
    assert re.search(r'<h2 id="menu-header-title" tabindex="-1" autofocus>', html)
    assert items(app) == [(0, "Two"), (1, "Three")]
    again = admin.post(f"/staff/menus/items/{three[0]}/delete", headers=HX)
    assert again.status_code == 404


def test_remove_without_js(app, admin, three):
    response = admin.post(f"/staff/menus/items/{three[1]}/delete")
    assert response.status_code == 303
    assert items(app) == [(0, "One"), (1, "Three")]


def test_deleting_a_page_removes_its_menu_items(app, admin, site):
    with app.app_context():
        make_menu_item(article=db.session.get(Article, site["about"]))
    assert admin.post(f"/staff/pages/{site['about']}/delete").status_code == 303
    assert items(app) == []
