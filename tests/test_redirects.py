"""Old addresses that answer 301 (the redirects table): serving, and the staff page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from blueprints.staff.menu_forms import BAD_LINK
from blueprints.staff.redirect_forms import BAD_PATH
from blueprints.staff.redirect_forms import HOME
from blueprints.staff.redirect_forms import LENGTH
from blueprints.staff.redirect_forms import LOOP
from blueprints.staff.redirect_forms import QUERY_DROPPED
from models import AuditAction
from models import AuditEvent
from models import Redirect
from models import Role
from models import db
from models import utcnow
from storage.sqlcount import count_statements
from tests.support.factories import make_article
from tests.support.staff_support import staff_client
from web.redirects import WORDPRESS_QUERY_ARGS
from web.redirects import key_for_address
from web.redirects import normalized_key
from web.redirects import path_keys


def _add(app, path: str, target: str = "/articles/hello", **kw) -> int:
    with app.app_context():
        row = Redirect(path=path, target=target, **kw)
        db.session.add(row)
        db.session.commit()
        return row.id


def _rows(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(select(Redirect.path, Redirect.target)).all())


def _audit(app) -> list[str]:
    with app.app_context():
        query = select(AuditEvent.detail).where(
            AuditEvent.action == AuditAction.REDIRECT_CHANGED.value
        )
        return list(db.session.scalars(query.order_by(AuditEvent.id)))


# --- keys ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("/2019/05/hello/", "/2019/05/hello/"),
        ("/caf%C3%A9/", "/café/"),
        ("/?p=12", "/?p=12"),
        ("/?p=12&replytocom=3", "/?p=12"),
        ("/?utm_source=x&cat=3", "/?cat=3"),
        ("/?tag=caf%C3%A9", "/?tag=caf%C3%A9"),
        ("/?s=query", "/"),
        ("/old?p=12", "/old"),
        (" /trimmed ", "/trimmed"),
    ],
)
def test_key_for_address(address, key):
    assert key_for_address(address) == key


def test_request_and_typed_address_share_a_key():
    assert normalized_key("/", {"tag": "café"}) == key_for_address("/?tag=café")
    assert normalized_key("/blog/", {"p": "12"}) == "/blog/"


def test_path_keys_try_both_slashes():
    assert path_keys("/a/b/") == ["/a/b/", "/a/b"]
    assert path_keys("/a") == ["/a", "/a/"]
    assert path_keys("/" + "x" * 600) == []


# --- serving ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "requested"),
    [
        ("/2019/05/hello/", "/2019/05/hello/"),
        ("/2019/05/hello/", "/2019/05/hello"),
        ("/category/news", "/category/news/"),
        (
            "/wp-content/uploads/2019/05/photo.jpg",
            "/wp-content/uploads/2019/05/photo.jpg",
        ),
        ("/2019/café/", "/2019/caf%C3%A9/"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_missing_page_with_a_redirect_is_301(app, client, stored, requested, method):
    _add(app, stored, "/articles/hello")
    response = client.open(requested, method=method)
    assert response.status_code == 301
    assert response.headers["Location"] == "/articles/hello"
    assert "max-age" in response.headers["Cache-Control"]


def test_exact_path_wins_over_the_slash_variant(app, client):
    _add(app, "/old/", "/with-slash")
    _add(app, "/old", "/without-slash")
    assert client.get("/old").headers["Location"] == "/without-slash"


def test_absolute_target(app, client):
    _add(app, "/2019/05/away/", "https://elsewhere.example/away")
    response = client.get("/2019/05/away/")
    assert response.headers["Location"] == "https://elsewhere.example/away"


def test_one_segment_address_with_a_slash_is_redirected_in_one_hop(app, client):
    """/<slug>/ (WordPress's post-name links) finds its redirect at once;
    without one it still answers 308 to /<slug>."""
    _add(app, "/about-us/", "/about")
    response = client.get("/about-us/")
    assert (response.status_code, response.headers["Location"]) == (301, "/about")
    response = client.get("/about-us")
    assert (response.status_code, response.headers["Location"]) == (301, "/about")
    assert client.get("/contact-us/").status_code == 308


def test_no_redirect_is_the_404_it_was(app, client):
    _add(app, "/somewhere/else/")
    response = client.get("/2019/05/nothing-here/")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert client.post("/somewhere/else/").status_code in (404, 405)


def test_a_visible_page_wins_over_a_redirect(app, client):
    with app.app_context():
        make_article(slug="hello")
    _add(app, "/articles/hello", "/elsewhere")
    assert client.get("/articles/hello").status_code == 200


@pytest.mark.parametrize("name", WORDPRESS_QUERY_ARGS)
def test_wordpress_query_links_on_the_home_page(app, client, name):
    _add(app, f"/?{name}=12", "/articles/hello")
    response = client.get(f"/?{name}=12&replytocom=4")
    assert response.status_code == 301
    assert response.headers["Location"] == "/articles/hello"
    assert client.get(f"/?{name}=13").status_code == 200


def test_query_link_is_checked_before_the_page_cache(app, client):
    assert client.get("/?p=12").status_code == 200  # cached as the home page
    _add(app, "/?p=12", "/articles/hello")
    assert client.get("/?p=12").status_code == 301
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("path", ["/", "/?page=1", "/?s=x", "/articles/hello"])
def test_pages_that_exist_never_read_the_redirects(app, path):
    with app.app_context():
        make_article(slug="hello")
    _add(app, "/old/")
    client = app.test_client()
    for _ in range(2):  # a page-cache miss, then a hit
        with count_statements(app) as log:
            assert client.get(path).status_code == 200
        assert not [s for s in log if "redirects" in s], path


@pytest.mark.parametrize("path", ["/?p=12", "/2019/05/gone/"])
def test_a_redirect_costs_one_query(app, path):
    _add(app, path)
    client = app.test_client()
    with count_statements(app) as log:
        assert client.get(path).status_code == 301
    assert len([s for s in log if "redirects" in s]) == 1
    assert len(log) <= 2, list(log)


# --- the staff page -----------------------------------------------------------


@pytest.fixture
def admin(app):
    client, _ = staff_client(app, Role.ADMIN)
    return client


def test_page_lists_newest_first_fifty_a_page(app, admin):
    with app.app_context():
        now = utcnow()
        for n in range(51):
            db.session.add(
                Redirect(
                    path=f"/old/{n}",
                    target=f"/new/{n}",
                    created_at=now - timedelta(minutes=60 - n),
                )
            )
        db.session.commit()
    html = admin.get("/staff/redirects").text
    assert html.count('<tr id="redirect-') == 50
    assert html.index("/old/50<") < html.index("/old/49<")
    assert "/old/0<" not in html and "/old/1<" in html
    assert "Page 1 of 2" in html
    second = admin.get("/staff/redirects?page=2").text
    assert second.count('<tr id="redirect-') == 1 and "/old/0<" in second


def test_search_matches_path_or_target(app, admin):
    _add(app, "/2019/05/hello/", "/articles/hello")
    _add(app, "/category/news/", "/tags/news")
    _add(app, "/?p=7", "https://elsewhere.example/HELLO")
    html = admin.get("/staff/redirects?q=hello").text
    assert "/2019/05/hello/" in html and "elsewhere.example/HELLO" in html
    assert "/category/news/" not in html
    assert "No redirects match" in admin.get("/staff/redirects?q=zzz").text


def test_htmx_search_is_the_list_alone(app, admin, htmx_headers):
    _add(app, "/2019/05/hello/")
    response = admin.get("/staff/redirects?q=hello", headers=htmx_headers)
    assert response.text.lstrip().startswith('<div id="redirect-list">')
    assert "<html" not in response.text
    assert "HX-Request" in response.headers["Vary"]


def test_add_without_js_redirects_back_and_serves(app, admin, client):
    response = admin.post(
        "/staff/redirects", data={"path": "/2019/05/hello/", "target": "/articles/hi"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/redirects"
    assert _rows(app) == {"/2019/05/hello/": "/articles/hi"}
    assert _audit(app) == ["added /2019/05/hello/ → /articles/hi"]
    with app.app_context():
        assert db.session.scalar(select(Redirect.source)) == "staff"
    assert "now redirects to" in admin.get("/staff/redirects").text
    assert client.get("/2019/05/hello/").headers["Location"] == "/articles/hi"


def test_add_with_htmx_is_the_form_and_the_list(app, admin, htmx_headers):
    _add(app, "/older/")
    response = admin.post(
        "/staff/redirects",
        data={"path": "/?p=12", "target": "https://example.org/x"},
        headers=htmx_headers,
    )
    html = response.text
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert html.lstrip().startswith('<form id="redirect-form"')
    assert 'id="redirect-list" hx-swap-oob="true"' in html
    assert html.index("/?p=12</bdi>") < html.index("/older/</bdi>")
    assert 'id="redirect-status" hx-swap-oob="innerHTML">/?p=12 now redirects' in html
    assert 'name="path" required type="text" value=""' in html  # blank for the next
    assert "data-autofocus" in html


@pytest.mark.parametrize(
    ("path", "target", "message"),
    [
        ("", "/x", "Type the old address."),
        ("old", "/x", BAD_PATH),
        ("//evil.example/x", "/x", BAD_PATH),
        ("/with space", "/x", BAD_PATH),
        ("/" + "a" * 500, "/x", LENGTH),
        ("/old?x=1", "/x", QUERY_DROPPED),
        ("/", "/x", HOME),
        ("/?s=1", "/x", QUERY_DROPPED),
        ("/old", "", "Type the address it redirects to."),
        ("/old", "javascript:alert(1)", BAD_LINK),
        ("/old", "//evil.example/", BAD_LINK),
        ("/old", "/\\evil.example/", BAD_LINK),
        ("/old", "/old", LOOP),
        ("/?p=3", "/?p=3", LOOP),
        ("/old", "/" + "a" * 500, LENGTH),
        ("/taken/", "/x", "/taken/ already redirects"),
    ],
)
def test_bad_input_is_422(app, admin, htmx_headers, path, target, message):
    _add(app, "/taken/", "/somewhere")
    for headers in ({}, htmx_headers):
        response = admin.post(
            "/staff/redirects", data={"path": path, "target": target}, headers=headers
        )
        assert response.status_code == 422
        html = response.text
        assert message.replace("'", "&#39;") in html
        assert 'aria-invalid="true"' in html
        assert ("<html" in html) is not bool(headers)
    assert _rows(app) == {"/taken/": "/somewhere"}
    assert _audit(app) == []


def test_edit_target_without_js(app, admin):
    redirect_id = _add(app, "/old/", "/first")
    response = admin.post(
        f"/staff/redirects/{redirect_id}",
        data={f"redirect-{redirect_id}-target": "/second"},
    )
    assert response.status_code == 303
    assert _rows(app) == {"/old/": "/second"}
    assert _audit(app) == ["changed /old/ → /second (was /first)"]


def test_edit_target_with_htmx_is_the_row(app, admin, htmx_headers):
    redirect_id = _add(app, "/old/", "/first")
    field = f"redirect-{redirect_id}-target"
    response = admin.post(
        f"/staff/redirects/{redirect_id}", data={field: "/second"}, headers=htmx_headers
    )
    html = response.text
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert html.lstrip().startswith(f'<tr id="redirect-{redirect_id}">')
    assert "/second</bdi></code>" in html
    assert '<p id="redirect-status" hx-swap-oob="innerHTML">/old/ now' in html


@pytest.mark.parametrize("htmx", [False, True])
def test_edit_that_loops_is_422(app, admin, htmx_headers, htmx):
    redirect_id = _add(app, "/old/", "/first")
    response = admin.post(
        f"/staff/redirects/{redirect_id}",
        data={f"redirect-{redirect_id}-target": "/old/"},
        headers=htmx_headers if htmx else {},
    )
    assert response.status_code == 422
    assert LOOP in response.text
    assert '<details class="redirect-edit" open>' in response.text
    assert ("<html" in response.text) is not htmx
    assert _rows(app) == {"/old/": "/first"}


def test_edit_or_delete_of_a_missing_redirect_is_404(admin):
    assert admin.post("/staff/redirects/999", data={}).status_code == 404
    assert admin.post("/staff/redirects/999/delete").status_code == 404


def test_delete_without_js(app, admin):
    redirect_id = _add(app, "/2019/old/", "/first")
    assert app.test_client().get("/2019/old/").status_code == 301
    response = admin.post(f"/staff/redirects/{redirect_id}/delete")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/redirects"
    assert _rows(app) == {}
    assert _audit(app) == ["deleted /2019/old/ → /first"]
    assert app.test_client().get("/2019/old/").status_code == 404


def test_delete_with_htmx_is_an_empty_200(app, admin, htmx_headers):
    redirect_id = _add(app, "/old/", "/first")
    response = admin.post(
        f"/staff/redirects/{redirect_id}/delete", headers=htmx_headers
    )
    assert (response.status_code, response.data) == (200, b"")
    assert "HX-Request" in response.headers["Vary"]
    assert _rows(app) == {}


@pytest.mark.parametrize("role", [Role.EDITOR, Role.MODERATOR])
def test_other_roles_get_403(app, role):
    redirect_id = _add(app, "/old/", "/first")
    client, _ = staff_client(app, role)
    assert client.get("/staff/redirects").status_code == 403
    assert (
        client.post("/staff/redirects", data={"path": "/a", "target": "/b"}).status_code
        == 403
    )
    assert client.post(f"/staff/redirects/{redirect_id}", data={}).status_code == 403
    assert client.post(f"/staff/redirects/{redirect_id}/delete").status_code == 403
    assert "/staff/redirects" not in client.get("/staff/").text
    assert _rows(app) == {"/old/": "/first"}


def test_admins_find_the_page_in_the_staff_nav(admin):
    assert 'href="/staff/redirects"' in admin.get("/staff/").text


def test_posts_need_a_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    redirect_id = _add(app, "/old/", "/first")
    client, _ = staff_client(app, Role.ADMIN)
    assert (
        client.post("/staff/redirects", data={"path": "/a", "target": "/b"}).status_code
        == 400
    )
    field = f"redirect-{redirect_id}-target"
    assert (
        client.post(f"/staff/redirects/{redirect_id}", data={field: "/b"}).status_code
        == 400
    )
    assert client.post(f"/staff/redirects/{redirect_id}/delete").status_code == 400
    assert _rows(app) == {"/old/": "/first"}


def test_edit_that_differs_only_by_a_slash_loops_too(app, admin):
    redirect_id = _add(app, "/old/", "/first")
    response = admin.post(
        f"/staff/redirects/{redirect_id}",
        data={f"redirect-{redirect_id}-target": "/old"},
    )
    assert response.status_code == 422
    assert LOOP in response.text


def test_a_stored_redirect_to_its_own_other_form_is_not_followed(app, client):
    """/a/ → /a (imported, or from before the form refused it) must not loop."""
    _add(app, "/a/", "/a")
    assert client.get("/a").status_code == 404
    assert client.get("/x/y/").status_code == 404


def test_an_add_racing_another_is_422_not_500(app, admin, monkeypatch):
    """The unique check passes, then someone else's row wins the insert."""
    from blueprints.staff import redirect_forms

    monkeypatch.setattr(redirect_forms.RedirectForm, "validate_path", lambda *a: None)
    _add(app, "/taken/")
    response = admin.post("/staff/redirects", data={"path": "/taken/", "target": "/x"})
    assert response.status_code == 422
    assert "/taken/ already redirects" in response.text


def test_a_missing_redirects_table_leaves_404s_as_they_were(client, monkeypatch):
    """Code deployed before `flask db upgrade`: the table is not there yet."""
    from sqlalchemy.exc import ProgrammingError

    from web import redirects

    def missing(keys):
        raise ProgrammingError("SELECT", {}, Exception("no such table: redirects"))

    monkeypatch.setattr(redirects, "find_redirect", missing)
    assert client.get("/nothing/here/").status_code == 404
