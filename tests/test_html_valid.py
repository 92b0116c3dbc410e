"""The main pages parse as HTML without errors and have no duplicate ids."""

from __future__ import annotations

import io
from collections import Counter

import html5lib
import pytest

from blueprints.articles.publishing import note_images
from blueprints.articles.publishing import set_body
from blueprints.media.pictures import MEDIA_PATH
from models import Article
from models import ArticleStatus
from models import Comment
from models import CommentKind
from models import CommentStatus
from models import ContactMessage
from models import Media
from models import MenuName
from models import Redirect
from models import Role
from models import Tag
from models import db
from tests.support.factories import make_article
from tests.support.factories import make_comment
from tests.support.factories import make_menu_item
from tests.support.factories import make_page
from tests.support.factories import make_user
from tests.support.images import add_media
from tests.support.images import image_bytes
from tests.support.staff_support import staff_client
from tests.test_staff_settings import DEFAULTS


@pytest.fixture
def site(app):
    return build_site(app)


def build_site(app) -> dict[str, int]:
    """Articles with tags, covers and pictures, a threaded discussion, a held
    comment, a message and two more images (one shown by the first article,
    one unused); their ids."""
    cover = add_media(app, image_bytes(colour=(10, 20, 30)), "cover.jpg", "A cover")
    inline = add_media(app, image_bytes(colour=(90, 20, 30)), "inline.jpg", "Inline")
    with app.app_context():
        db.session.get(Media, inline.id).caption = "A caption."
        db.session.commit()
        body = (
            "## One\n\nText.\n\n## Two\n\n- a\n- b\n\n## Three\n\n`code`\n\n"
            f"![A picture](/media/{inline.id})\n\n![](/media/{cover.id})\n\n"
            "![Elsewhere](https://elsewhere.example/a.png)\n"
        )
        author = make_user(
            display_name="Ada Writer",
            bio="A *short* bio.",
            bio_html='<p>A <em>short</em> bio, <a href="https://ada.example">more</a>.</p>',
            website="https://ada.example/",
            avatar_id=inline.id,
        )
        article = make_article(
            slug="first",
            title="First",
            body=body,
            tags=["Notes"],
            cover_id=cover.id,
            author=author,
            meta_title="First, for searchers",
            meta_description="What a search result says.",
            canonical_url="https://first.example/original",
            social_image_id=inline.id,
        )
        db.session.get(Media, cover.id).caption = "The cover's caption."
        db.session.commit()
        make_article(slug="second", title="Second", tags=["Notes"], cover_id=cover.id)
        parent = make_comment(article, author_url="https://reader.example")
        make_comment(article, parent=parent)
        make_comment(article, status=CommentStatus.PENDING)
        make_comment(
            article,
            kind=CommentKind.PINGBACK,
            author_name="Another blog",
            author_email="",
            author_url="https://other.example/post",
        )
        db.session.add(Redirect(path="/2019/05/first/", target="/articles/first"))
        db.session.add(
            ContactMessage(
                name="Ada",
                email="ada@example.org",
                subject="Hi",
                message="Hello there.",
            )
        )
        db.session.commit()
        ids = {"article": article.id, "comment": parent.id}
        ids["author"], ids["author_id"] = author.slug, author.id
        ids["message"] = db.session.scalar(db.select(ContactMessage.id))
        ids["redirect"] = db.session.scalar(db.select(Redirect.id))
    # An image the first article shows (as its cover too), and one no article uses.
    with app.app_context():
        page = make_page(
            "About", slug="about", body="## Us\n\nText.", comments_open=True
        )
        make_comment(page)
        draft = make_page("Imprint", status=ArticleStatus.DRAFT, published_ago=None)
        ids["page"] = page.id
        ids["item"] = make_menu_item(article=page).id
        make_menu_item(article=draft)
        make_menu_item(tag_id=db.session.scalar(db.select(Tag.id)), label="Notes")
        make_menu_item(label="Elsewhere", url="https://example.org/")
        make_menu_item(MenuName.FOOTER, label="Contact", url="/contact/")
    used = add_media(app, image_bytes(colour=(200, 40, 40)), "used.jpg", "A red field")
    ids["media"] = add_media(app, alt="").id
    ids["used"] = used.id
    with app.app_context():
        shown = db.session.get(Article, article.id)
        set_body(shown, f"{body}\n![]({MEDIA_PATH}{used.id})\n")
        shown.cover_id = used.id
        note_images(shown, {used.id})
        db.session.commit()
    return ids


PUBLIC = [
    "/",
    "/articles/first",
    "/articles/first?replytocom={comment}",
    "/about",
    "/tags/notes",
    "/authors/{author}",
    "/search?q=text",
    "/search?q=zzzz",
    "/contact/",
    "/contact/thanks",
    "/your-comments",
    "/your-comments/sent",
    "/your-comments/erased",
    "/staff/login",
    "/staff/password/forgot",
    "/staff/password/reset/not-a-working-link",
    "/no-such-page",
]
STAFF = [
    "/staff/",
    "/staff/articles",
    "/staff/articles/new",
    "/staff/articles/{article}/edit",
    "/staff/articles/{article}/delete",
    "/staff/articles/{article}/preview",
    "/staff/pages",
    "/staff/pages/new",
    "/staff/pages/{page}/edit",
    "/staff/pages/{page}/delete",
    "/staff/pages/{page}/preview",
    "/staff/menus",
    "/staff/redirects",
    "/staff/redirects?q=nothing-matches",
    "/staff/comments",
    "/staff/comments?tab=approved",
    "/staff/comments/{comment}/reply",
    "/staff/comments/{comment}/edit",
    "/staff/inbox",
    "/staff/inbox/{message}",
    "/staff/users",
    "/staff/audit",
    "/staff/settings",
    "/staff/import",
    "/staff/media/picker?use=logo",
    "/staff/password",
    "/staff/two-factor",
    "/staff/media",
    "/staff/media?q=used&size=medium",
    "/staff/media?q=nothing-matches",
    "/staff/media/{media}",
    "/staff/media/{used}",
    "/staff/media/{media}/delete",
    "/staff/media/{used}/delete",
    "/staff/media/picker?article_id={article}",
    "/staff/media/picker?use=social&article_id={article}",
    "/staff/media/picker?use=avatar&user_id={author_id}",
    "/staff/profile",
    "/staff/users/{author_id}/profile",
]


def problems(html: str) -> list[str]:
    """Parse errors (strict HTML5 parsing) and duplicate ids in a page."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    found = []
    try:
        document = parser.parse(html)
    except html5lib.html5parser.ParseError as error:
        line, col = parser.errors[0][0]
        context = html.splitlines()[line - 1].strip()[:120] if line else ""
        return [f"parse error {error} at {line}:{col}: {context}"]
    return found + reference_problems(document)


INTERACTIVE = {"a", "button", "input", "select", "textarea", "details", "label"}
REFERENCES = ("for", "aria-describedby", "aria-labelledby", "aria-controls", "list")


def reference_problems(document) -> list[str]:
    """Duplicate ids, references to missing ids, and interactive elements nested
    in links or buttons (which the HTML content model forbids)."""
    elements = [el for el in document.iter() if isinstance(el.tag, str)]
    ids = Counter(el.get("id") for el in elements if el.get("id"))
    found = [f"duplicate id {i!r}" for i, n in ids.items() if n > 1]
    for el in elements:
        for attribute in REFERENCES:
            for ref in (el.get(attribute) or "").split():
                if ref not in ids:
                    found.append(f"<{el.tag} {attribute}={ref!r}> names no element")
        if el.tag in ("a", "button"):
            inner = [c.tag for c in el.iter() if c is not el and c.tag in INTERACTIVE]
            if inner:
                found.append(f"<{el.tag}> contains interactive {inner}")
        if el.tag == "form" and any(c.tag == "form" for c in el.iter() if c is not el):
            found.append("nested <form>")
    return found


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_are_valid(app, site, path):
    response = app.test_client().get(path.format(**site))
    assert response.status_code in (200, 404, 410)
    assert problems(response.get_data(as_text=True)) == []


@pytest.mark.parametrize("path", STAFF)
def test_staff_pages_are_valid(app, site, path):
    client, _ = staff_client(app, Role.ADMIN)
    response = client.get(path.format(**site))
    assert response.status_code == 200
    assert problems(response.get_data(as_text=True)) == []


def fragment_problems(html: str) -> list[str]:
    """Parse errors and duplicate ids in an htmx fragment (or a whole page, which
    views that are not htmx-aware, like the sign-in form, send to htmx too)."""
    if html.lstrip().lower().startswith("<!doctype"):
        return problems(html)
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    # A table row (a redirect's, swapped in place) is parsed where it goes.
    container = "tbody" if html.lstrip().startswith("<tr") else "main"
    try:
        fragment = parser.parseFragment(html, container=container)
    except html5lib.html5parser.ParseError as error:
        return [f"parse error {error}: {html[:200]}"]
    found = []
    ids = Counter(el.get("id") for el in fragment.iter() if isinstance(el.tag, str))
    found += [f"duplicate id {i!r}" for i, n in ids.items() if i and n > 1]
    return found


FRAGMENTS = [p for p in PUBLIC if p != "/no-such-page"] + [
    "/articles/first/comments/form?replytocom={comment}",
    "/articles/first/comments?page=1",
]


@pytest.mark.parametrize("path", FRAGMENTS)
def test_public_fragments_are_valid(app, site, path, htmx_headers):
    response = app.test_client().get(path.format(**site), headers=htmx_headers)
    assert response.status_code in (200, 410)  # 410: a reset link that no longer works
    assert fragment_problems(response.get_data(as_text=True)) == []


# Pages re-rendered with field errors (a plain POST without JavaScript).
ERROR_POSTS = [
    ("/articles/first/comments", {"comment": "", "author": "", "email": "x"}),
    ("/contact/", {"name": "", "email": "nope", "message": "x"}),
    ("/staff/login", {"email": "nobody@example.com", "password": "wrong"}),
]
STAFF_ERROR_POSTS = [
    ("/staff/profile", {"display_name": "", "website": "javascript:x", "slug": "feed"}),
    (
        "/staff/articles/{article}",
        {"title": "First", "body": "x", "status": "draft", "canonical_url": "nope"},
    ),
]


@pytest.mark.parametrize(("path", "data"), STAFF_ERROR_POSTS)
def test_staff_error_states_are_valid(app, site, path, data, htmx_headers):
    client, _ = staff_client(app, Role.ADMIN)
    path = path.format(**site)
    response = client.post(path, data=data)
    assert response.status_code == 422
    assert problems(response.get_data(as_text=True)) == []
    response = client.post(path, data=data, headers=htmx_headers)
    assert response.status_code == 422
    assert fragment_problems(response.get_data(as_text=True)) == []


@pytest.mark.parametrize(("path", "data"), ERROR_POSTS)
def test_error_states_are_valid(app, site, path, data, htmx_headers):
    client = app.test_client()
    response = client.post(path, data=data)
    assert response.status_code in (401, 422)
    assert problems(response.get_data(as_text=True)) == []
    response = client.post(path, data=data, headers=htmx_headers)
    assert response.status_code in (401, 422)
    assert fragment_problems(response.get_data(as_text=True)) == []


@pytest.mark.parametrize("path", ["/staff/articles", "/staff/pages"])
def test_editor_error_state_is_valid(app, site, path):
    client, _ = staff_client(app, Role.ADMIN)
    response = client.post(path, data={"title": "", "body": ""})
    assert response.status_code == 422
    assert problems(response.get_data(as_text=True)) == []


def test_empty_pages_list_is_valid(app):
    client, _ = staff_client(app, Role.EDITOR)
    html = client.get("/staff/pages").get_data(as_text=True)
    assert "Create the privacy page" in html
    assert problems(html) == []


# The menu editor's answers to posts: with htmx (the menu) and without.
MENU_POSTS = [
    ("/staff/menus/header/items", {"header-target": "url", "header-url": "x"}, 422),
    ("/staff/menus/header/items", {"header-target": "page:{page}"}, 200),
    ("/staff/menus/items/{item}", {"item-{item}-label": "x" * 81}, 422),
    ("/staff/menus/items/{item}", {"item-{item}-label": "Us"}, 200),
    ("/staff/menus/items/{item}/move", {"direction": "down"}, 200),
    ("/staff/menus/items/{item}/move", {"direction": "x"}, 422),
    ("/staff/menus/items/{item}/delete", {}, 200),
]


# The redirects page's answers to posts: with htmx (the form, a row) and without.
REDIRECT_POSTS = [
    ("/staff/redirects", {"path": "nope", "target": "/x"}, 422),
    ("/staff/redirects", {"path": "/old/", "target": "/x"}, 200),
    (
        "/staff/redirects/{redirect}",
        {"redirect-{redirect}-target": "/2019/05/first/"},
        422,
    ),
    ("/staff/redirects/{redirect}", {"redirect-{redirect}-target": "/about"}, 200),
]


def _answer_is_valid(app, site, path, data, status, htmx, htmx_headers) -> None:
    """Post data to path as an admin; the answer is a valid page or fragment."""
    client, _ = staff_client(app, Role.ADMIN)
    fields = {k.format(**site): v.format(**site) for k, v in data.items()}
    response = client.post(
        path.format(**site), data=fields, headers=htmx_headers if htmx else {}
    )
    if not htmx and status == 200:
        assert response.status_code == 303
        return
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert (fragment_problems(html) if htmx else problems(html)) == []


@pytest.mark.parametrize(("path", "data", "status"), REDIRECT_POSTS)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_redirect_answers_are_valid(app, site, path, data, status, htmx, htmx_headers):
    _answer_is_valid(app, site, path, data, status, htmx, htmx_headers)


@pytest.mark.parametrize(("path", "data", "status"), MENU_POSTS)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_menu_answers_are_valid(app, site, path, data, status, htmx, htmx_headers):
    _answer_is_valid(app, site, path, data, status, htmx, htmx_headers)


@pytest.mark.parametrize(
    "path",
    [
        "/staff/articles",
        "/staff/comments",
        "/staff/comments?tab=approved",
        "/staff/comments/{comment}/reply",
        "/staff/inbox",
        "/staff/media",
        "/staff/media/{used}",
        "/staff/media/{media}/card",
        "/staff/media/picker?article_id={article}",
        "/staff/media/picker?use=avatar&user_id={author_id}",
        "/staff/profile",
    ],
)
def test_staff_fragments_are_valid(app, site, path, htmx_headers):
    client, _ = staff_client(app, Role.ADMIN)
    response = client.get(path.format(**site), headers=htmx_headers)
    assert response.status_code == 200
    assert fragment_problems(response.get_data(as_text=True)) == []


def test_staff_htmx_answers_are_valid(app, site, htmx_headers):
    """The editor's save (form, status, heading out of band) and a queue action."""
    client, _ = staff_client(app, Role.ADMIN)
    saved = client.post(
        "/staff/articles",
        data={"title": "Saved", "body": "Text", "status": "draft"},
        headers=htmx_headers,
    )
    assert saved.status_code == 200
    assert fragment_problems(saved.get_data(as_text=True)) == []
    with app.app_context():
        held = db.session.scalar(
            db.select(Comment.id).where(Comment.status == CommentStatus.PENDING)
        )
    action = client.post(f"/staff/comments/{held}/approve", headers=htmx_headers)
    assert action.status_code == 200
    assert fragment_problems(action.get_data(as_text=True)) == []


# The media library's answers to posts: with htmx (fragments) and without.
MEDIA_POSTS = [
    ("/staff/media", {"file": (b"not an image", "x.png"), "alt": "x"}, 422),
    ("/staff/media", {"file": (b"\x00" * 1_100_000, "big.png")}, 413),
    ("/staff/media", {"file": (b"new", "new.png")}, 200),
    ("/staff/media/{media}", {"alt": "x" * 501}, 422),
    ("/staff/media/{media}", {"alt": "Fine", "caption": "A caption"}, 200),
    ("/staff/media/{media}/replace", {"file": (b"", "empty.png")}, 422),
    ("/staff/media/{media}/replace", {"file": (b"new", "new.png")}, 200),
    ("/staff/media/{used}/delete", {}, 409),
    ("/staff/articles/{article}/cover", {}, 422),
    ("/staff/articles/{article}/cover", {"media_id": "{media}"}, 200),
    ("/staff/articles/{article}/cover", {"remove": "1"}, 200),
    ("/staff/articles/{article}/social-image", {"media_id": "{media}"}, 200),
    ("/staff/articles/{article}/social-image", {}, 422),
    ("/staff/users/{author_id}/avatar", {"remove": "1"}, 200),
    (
        "/staff/media",
        {"file": (b"new", "face.png"), "use": "avatar", "user_id": "{author_id}"},
        200,
    ),
]


@pytest.mark.parametrize(("path", "data", "status"), MEDIA_POSTS)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_media_answers_are_valid(make_app, path, data, status, htmx, htmx_headers):
    app = make_app(MEDIA_MAX_MB=1)
    ids = build_site(app)
    client, _ = staff_client(app, Role.ADMIN)
    fields = {}
    for name, value in data.items():
        if isinstance(value, tuple):
            content = value[0] if value[0] != b"new" else image_bytes("PNG", (80, 60))
            value = (io.BytesIO(content), value[1])
        else:
            value = value.format(**ids)
        fields[name] = value
    response = client.post(
        path.format(**ids),
        data=fields,
        content_type="multipart/form-data",
        headers=htmx_headers if htmx else {},
    )
    if not htmx and status == 200:
        assert response.status_code == 303
        return
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert (fragment_problems(html) if htmx else problems(html)) == []


def test_settings_states_are_valid(app, site, htmx_headers):
    """The settings page with errors, saved, with images set; a public page with them."""
    client, _ = staff_client(app, Role.ADMIN)
    bad = {**DEFAULTS, "accent_colour": "#ffff00", "contact_recipients": "nope"}
    response = client.post("/staff/settings", data=bad)
    assert response.status_code == 422
    assert problems(response.get_data(as_text=True)) == []
    response = client.post("/staff/settings", data=bad, headers=htmx_headers)
    assert fragment_problems(response.get_data(as_text=True)) == []
    good = {**DEFAULTS, "footer_text": "By *us*.", "accent_colour": "#1d5c80"}
    response = client.post("/staff/settings", data=good, headers=htmx_headers)
    assert response.status_code == 200
    assert fragment_problems(response.get_data(as_text=True)) == []
    for use in ("logo", "favicon", "site-social"):
        data = {"media_id": str(site["used"])}
        assert (
            client.post(f"/staff/settings/images/{use}", data=data).status_code == 303
        )
    for path in ("/staff/settings", "/staff/", "/staff/media/{used}/delete"):
        page = client.get(path.format(**site)).get_data(as_text=True)
        assert problems(page) == [], path
    for path in ("/", "/articles/first", "/contact/"):
        page = app.test_client().get(path).get_data(as_text=True)
        assert problems(page) == [], path
