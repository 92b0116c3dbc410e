"""Every staff route checks the role, sends no-store and needs CSRF on POST."""

import pytest

from models import CommentStatus
from models import ContactMessage
from models import OutboxMail
from models import Redirect
from models import Role
from models import db
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.factories import make_menu_item
from tests.support.factories import make_page
from tests.support.factories import make_user
from tests.support.images import add_media
from tests.support.staff_support import sign_in_as

A, E, M = Role.ADMIN, Role.EDITOR, Role.MODERATOR
ALL = {A, E, M}

# (method, path template, roles allowed, form data)
ROUTES = [
    ("GET", "/staff/", ALL, None),
    ("GET", "/staff/password", ALL, None),
    ("POST", "/staff/password", ALL, {}),
    ("GET", "/staff/users", {A}, None),
    ("POST", "/staff/users", {A}, {}),
    ("POST", "/staff/users/{other}/role", {A}, {"role": "editor"}),
    ("POST", "/staff/users/{other}/active", {A}, {}),
    ("GET", "/staff/audit", {A}, None),
    ("GET", "/staff/users/{other}/two-factor/reset", {A}, None),
    ("POST", "/staff/users/{other}/two-factor/reset", {A}, {}),
    ("GET", "/staff/two-factor", ALL, None),
    ("POST", "/staff/two-factor", ALL, {}),
    ("GET", "/staff/two-factor/recovery-codes", ALL, None),
    ("GET", "/staff/two-factor/recovery-codes.txt", ALL, None),
    ("POST", "/staff/two-factor/recovery-codes", ALL, {}),
    ("POST", "/staff/two-factor/recovery-codes/done", ALL, {}),
    ("POST", "/staff/two-factor/off", ALL, {}),
    ("POST", "/staff/sessions/all", ALL, {}),
    ("GET", "/staff/profile", ALL, None),
    ("POST", "/staff/profile", ALL, {}),
    ("GET", "/staff/users/{other}/profile", {A}, None),
    ("POST", "/staff/users/{other}/profile", {A}, {}),
    ("POST", "/staff/users/{other}/avatar", {A}, {"remove": "1"}),
    ("GET", "/staff/media/picker?use=avatar&user_id={other}", {A}, None),
    ("GET", "/staff/settings", {A}, None),
    ("POST", "/staff/settings", {A}, {}),
    ("POST", "/staff/settings/test-mail", {A}, {}),
    ("GET", "/staff/import", {A}, None),
    ("POST", "/staff/import", {A}, {}),
    ("GET", "/staff/media/picker?use=logo", {A}, None),
    ("POST", "/staff/settings/images/logo", {A}, {"remove": "1"}),
    ("GET", "/staff/articles", {A, E}, None),
    ("GET", "/staff/articles/new", {A, E}, None),
    ("POST", "/staff/articles", {A, E}, {}),
    ("POST", "/staff/articles/preview", {A, E}, {"body": "# Hi"}),
    ("GET", "/staff/articles/{article}/edit", {A, E}, None),
    ("POST", "/staff/articles/{article}", {A, E}, {}),
    ("GET", "/staff/articles/{article}/preview", {A, E}, None),
    ("GET", "/staff/articles/{article}/delete", {A, E}, None),
    ("POST", "/staff/articles/{article}/delete", {A, E}, {}),
    ("POST", "/staff/articles/{article}/cover", {A, E}, {"remove": "1"}),
    ("GET", "/staff/pages", {A, E}, None),
    ("GET", "/staff/pages/new", {A, E}, None),
    ("POST", "/staff/pages", {A, E}, {}),
    ("GET", "/staff/pages/{page}/edit", {A, E}, None),
    ("POST", "/staff/pages/{page}", {A, E}, {}),
    ("GET", "/staff/pages/{page}/preview", {A, E}, None),
    ("GET", "/staff/pages/{page}/delete", {A, E}, None),
    ("POST", "/staff/pages/{page}/delete", {A, E}, {}),
    ("POST", "/staff/pages/privacy", {A, E}, {}),
    ("GET", "/staff/menus", {A}, None),
    ("POST", "/staff/menus/header/items", {A}, {}),
    ("POST", "/staff/menus/items/{item}", {A}, {}),
    ("POST", "/staff/menus/items/{item}/move", {A}, {"direction": "down"}),
    ("POST", "/staff/menus/items/{item}/delete", {A}, {}),
    ("GET", "/staff/redirects", {A}, None),
    ("POST", "/staff/redirects", {A}, {}),
    ("POST", "/staff/redirects/{redirect}", {A}, {}),
    ("POST", "/staff/redirects/{redirect}/delete", {A}, {}),
    ("POST", "/staff/articles/{article}/social-image", {A, E}, {"remove": "1"}),
    ("GET", "/staff/media/picker?use=social&article_id={article}", {A, E}, None),
    ("GET", "/staff/media", {A, E}, None),
    ("POST", "/staff/media", {A, E}, {}),
    ("GET", "/staff/media/picker?article_id={article}", {A, E}, None),
    ("GET", "/staff/media/{media}", {A, E}, None),
    ("POST", "/staff/media/{media}", {A, E}, {"alt": "A photo"}),
    ("POST", "/staff/media/{media}/replace", {A, E}, {}),
    ("GET", "/staff/media/{media}/delete", {A, E}, None),
    ("POST", "/staff/media/{media}/delete", {A, E}, {}),
    ("GET", "/staff/comments", ALL, None),
    ("POST", "/staff/comments/{comment}/approve", ALL, {}),
    ("GET", "/staff/comments/{spam}/delete", ALL, None),
    ("POST", "/staff/comments/{spam}/delete", ALL, {}),
    ("GET", "/staff/comments/{comment}/reply", ALL, None),
    ("POST", "/staff/comments/{comment}/reply", ALL, {"reply-{comment}-body": "Hi"}),
    ("POST", "/staff/comments/bulk", ALL, {"action": "approve", "ids": "{comment}"}),
    ("GET", "/staff/inbox", {A, M}, None),
    ("GET", "/staff/inbox/{message}", {A, M}, None),
    ("POST", "/staff/inbox/{message}/archive", {A, M}, {}),
    ("GET", "/staff/inbox/{message}/delete", {A, M}, None),
    ("POST", "/staff/inbox/{message}/delete", {A, M}, {}),
    ("POST", "/staff/inbox/mail/{mail}/retry", {A, M}, {}),
]
POSTS = [route for route in ROUTES if route[0] == "POST"]


@pytest.fixture
def world(app):
    """One of everything the routes point at; returns the ids by name."""
    media_id = add_media(app).id
    with app.app_context():
        article = make_article()
        page = make_page()
        item = make_menu_item(article=page)
        comment = make_comment(article, status=CommentStatus.PENDING)
        spam = make_comment(article, status=CommentStatus.SPAM)
        message = ContactMessage(
            name="Reader", email="reader@example.org", subject="Hi", message="Hello"
        )
        db.session.add(message)
        db.session.flush()
        mail = OutboxMail(
            to_addrs="team@example.com",
            subject="New message",
            body="...",
            attempts=2,
            last_error="refused",
            contact_message_id=message.id,
        )
        db.session.add(mail)
        moved = Redirect(path="/2019/05/hello/", target="/articles/hello")
        db.session.add(moved)
        db.session.commit()
        other = make_user(role=Role.EDITOR)
        return {
            "media": media_id,
            "article": article.id,
            "page": page.id,
            "item": item.id,
            "comment": comment.id,
            "spam": spam.id,
            "message": message.id,
            "mail": mail.id,
            "other": other.id,
            "redirect": moved.id,
        }


def _call(client, method, path, data, world):
    path = path.format(**world)
    if data is not None:
        data = {k.format(**world): v.format(**world) for k, v in data.items()}
    return client.open(path, method=method, data=data)


@pytest.mark.parametrize("role", [A, E, M])
@pytest.mark.parametrize(("method", "path", "allowed", "data"), ROUTES)
def test_role_on_route(app, world, role, method, path, allowed, data):
    with app.app_context():
        user = make_user(role=role)
        client = app.test_client()
        sign_in_as(client, user)
    response = _call(client, method, path, data, world)
    if role in allowed:
        assert response.status_code in {200, 303, 422}, response.status_code
    else:
        assert response.status_code == 403
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("method", "path", "allowed", "data"), ROUTES)
def test_anonymous_goes_to_login(client, world, method, path, allowed, data):
    response = _call(client, method, path, data, world)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


@pytest.mark.parametrize(("method", "path", "allowed", "data"), POSTS)
def test_post_needs_csrf(make_app, method, path, allowed, data):
    app = make_app(WTF_CSRF_ENABLED=True)
    media_id = add_media(app).id
    with app.app_context():
        article = make_article()
        page = make_page()
        comment = make_comment(article, status=CommentStatus.PENDING)
        world = {
            "article": article.id,
            "page": page.id,
            "item": make_menu_item(article=page).id,
            "comment": comment.id,
            "spam": comment.id,
            "message": 1,
            "mail": 1,
            "other": make_user().id,
            "media": media_id,
            "redirect": 1,
        }
        client = app.test_client()
        sign_in_as(client, make_user(role=Role.ADMIN))
    response = _call(client, method, path, data, world)
    assert response.status_code == 400
    assert b"expired" in response.data


def test_logout_needs_csrf(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        sign_in_as(client, make_user())
    assert client.post("/staff/logout").status_code == 400
    assert client.get("/staff/").status_code == 200


@pytest.mark.parametrize(
    "path", ["/staff/articles", "/staff/pages", "/staff/comments", "/staff/inbox"]
)
@pytest.mark.parametrize(
    ("page", "status"),
    [
        ("abc", 200),
        ("", 200),
        ("2", 200),
        ("0", 404),
        ("-3", 404),
        ("100001", 404),
        ("99999999999999999999", 404),
    ],
)
def test_staff_list_page_numbers(app, path, page, status):
    with app.app_context():
        user = make_user(role=Role.ADMIN)
        client = app.test_client()
        sign_in_as(client, user)
    assert client.get(f"{path}?page={page}").status_code == status


HUGE = str(2**31)  # one past PostgreSQL's INTEGER; far past it overflows SQLite


@pytest.mark.parametrize("number", [HUGE, "99999999999999999999"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/staff/articles/{n}/edit"),
        ("POST", "/staff/articles/{n}"),
        ("GET", "/staff/articles/{n}/preview"),
        ("POST", "/staff/articles/{n}/delete"),
        ("GET", "/staff/inbox/{n}"),
        ("POST", "/staff/inbox/mail/{n}/retry"),
        ("POST", "/staff/comments/{n}/approve"),
        ("GET", "/staff/comments/{n}/reply"),
        ("POST", "/staff/users/{n}/active"),
        ("GET", "/staff/media/{n}"),
        ("POST", "/staff/media/{n}/replace"),
        ("GET", "/staff/media/{n}/delete"),
        ("POST", "/staff/articles/{n}/cover"),
        ("GET", "/staff/pages/{n}/edit"),
        ("POST", "/staff/pages/{n}"),
        ("POST", "/staff/pages/{n}/delete"),
        ("POST", "/staff/menus/items/{n}"),
        ("POST", "/staff/menus/items/{n}/move"),
        ("POST", "/staff/menus/items/{n}/delete"),
        ("POST", "/staff/articles/{n}/social-image"),
        ("GET", "/staff/users/{n}/profile"),
        ("POST", "/staff/users/{n}/profile"),
        ("POST", "/staff/users/{n}/avatar"),
        ("GET", "/staff/import/{n}"),
        ("GET", "/staff/import/{n}/report.json"),
    ],
)
def test_out_of_range_ids_are_4xx(app, method, path, number):
    with app.app_context():
        user = make_user(role=Role.ADMIN)
        client = app.test_client()
        sign_in_as(client, user)
    response = client.open(path.format(n=number), method=method)
    # No route matches the path (Werkzeug may answer 405 when the same path fits
    # another rule's shape for a different method): a clear 4xx, never a 500.
    assert response.status_code in (404, 405)
