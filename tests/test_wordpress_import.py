"""`flask import wordpress`: posts, pages, comments, authors, terms, redirects."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func
from sqlalchemy import select

from cli.wordpress_import import wordpress_command
from models import Article
from models import ArticleKind
from models import ArticleStatus
from models import BodyFormat
from models import Comment
from models import CommentKind
from models import CommentStatus
from models import ImportedId
from models import Redirect
from models import Role
from models import Tag
from models import User
from models import db
from models import utcnow
from porting.wp_authors import AuthorOptions
from porting.wp_authors import ImportProblem
from porting.wxr_import import ImportOptions
from porting.wxr_import import import_wordpress
from porting.wxr_reader import WxrError
from tests.support.factories import make_user
from tests.support.wxr_builder import author
from tests.support.wxr_builder import category
from tests.support.wxr_builder import comment
from tests.support.wxr_builder import document
from tests.support.wxr_builder import item
from tests.support.wxr_builder import tag


def write(tmp_path, *parts, name="export.xml", **kw):
    """A WXR file on disk holding parts."""
    path = tmp_path / name
    path.write_bytes(document(*parts, **kw))
    return path


def run(app, path, **options):
    """Import path with ImportOptions(**options); the report."""
    with app.app_context():
        return import_wordpress(path, ImportOptions(**options))


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def article(app, slug: str) -> Article:
    with app.app_context():
        found = db.session.scalar(select(Article).where(Article.slug == slug))
        assert found is not None, slug
        db.session.expunge(found)
        return found


@pytest.mark.parametrize(
    ("status", "password", "expected", "scheduled", "reason"),
    [
        ("publish", "", ArticleStatus.PUBLISHED, False, None),
        ("future", "", ArticleStatus.PUBLISHED, True, None),
        ("draft", "", ArticleStatus.DRAFT, False, None),
        ("pending", "", ArticleStatus.DRAFT, False, None),
        ("private", "", ArticleStatus.DRAFT, False, "private"),
        ("publish", "secret", ArticleStatus.DRAFT, False, "password-protected"),
    ],
)
def test_import_maps_each_status(
    app, tmp_path, status, password, expected, scheduled, reason
):
    date = "2999-01-01 00:00:00" if scheduled else "2024-01-02 09:30:00"
    path = write(
        tmp_path,
        item(1, "Hello", "Text", status=status, password=password, date_gmt=date),
    )
    report = run(app, path)
    imported = article(app, "post-1")
    assert imported.status == expected
    with app.app_context():
        assert imported.is_scheduled is scheduled
    messages = [w.message for w in report.warnings]
    if reason:
        assert any(reason in m for m in messages), messages
        assert report.counts["article"]["converted"] == 1
    else:
        assert report.counts["article"]["imported"] == 1


def test_import_skips_auto_drafts_and_other_types(app, tmp_path):
    path = write(
        tmp_path,
        item(1, "Auto", status="auto-draft"),
        item(2, "Menu", post_type="nav_menu_item"),
        item(3, "Kept"),
    )
    report = run(app, path)
    assert count(app, Article) == 1
    assert report.counts["article"]["skipped"] == 1
    assert report.counts["nav_menu_item"]["skipped"] == 1


def test_import_dates_slugs_titles_and_featured(app, tmp_path):
    path = write(
        tmp_path,
        item(
            1,
            "Fish &amp; <em>Chips</em>",
            "Body",
            slug="caf%C3%A9-cr%C3%A8me",
            date_gmt="2023-05-06 07:08:09",
            sticky=True,
            excerpt="<p>A <b>short</b> summary</p>",
            comment_status="closed",
        ),
    )
    run(app, path)
    imported = article(app, "cafe-creme")
    assert imported.title == "Fish & Chips"
    assert imported.summary == "A short summary"
    assert imported.published_at.isoformat().startswith("2023-05-06T07:08:09")
    assert imported.featured is True
    assert imported.comments_open is False


def test_import_falls_back_to_the_local_date_when_gmt_is_unset(app, tmp_path):
    path = write(
        tmp_path,
        item(1, "Old", date_gmt="0000-00-00 00:00:00", date="2020-02-03 04:05:06"),
    )
    report = run(app, path)
    assert article(app, "post-1").published_at.isoformat().startswith("2020-02-03T04")
    assert any("no GMT date" in w.message for w in report.warnings)


def test_import_gives_a_taken_slug_a_suffix_and_says_so(app, tmp_path):
    with app.app_context():
        db.session.add(Article(slug="hello", title="Mine", body="x"))
        db.session.commit()
    path = write(tmp_path, item(5, "Hello", slug="hello"))
    report = run(app, path)
    assert article(app, "hello-2").title == "Hello"
    assert any("'hello' taken" in w.message and w.wp_id == "5" for w in report.warnings)


def test_import_makes_pages_pages(app, tmp_path):
    path = write(tmp_path, item(7, "About us", "We", post_type="page", slug="about"))
    run(app, path)
    page = article(app, "about")
    assert page.kind == ArticleKind.PAGE
    assert app.test_client().get("/about").status_code == 200


def test_import_stores_html_bodies_readers_see_as_on_wordpress(app, tmp_path):
    content = "First line\nsecond line\n\nNew paragraph <script>alert(1)</script>"
    path = write(tmp_path, item(1, "Classic", content))
    run(app, path)
    imported = article(app, "post-1")
    assert imported.body_format == BodyFormat.HTML
    assert "<p>First line<br>" in imported.body_html.replace("<br />", "<br>")
    assert "New paragraph" in imported.body_html
    assert "<script" not in imported.body_html


def test_import_keeps_every_comment_with_its_state_and_thread(app, tmp_path):
    comments = (
        comment(1, "Top <a href='https://example.org/x'>link</a>", approved="1"),
        comment(2, "Reply", parent=1),
        comment(3, "Held", approved="0"),
        comment(4, "Buy pills", approved="spam"),
        comment(5, "Binned", approved="trash"),
        comment(6, "Orphan", parent=99),
        comment(7, "Linked to you", kind="pingback", name="Other blog"),
    )
    path = write(tmp_path, item(1, "Talk", "Body", comments=comments))
    report = run(app, path)
    with app.app_context():
        rows = {
            c.body.split()[0]: c
            for c in db.session.scalars(select(Comment).order_by(Comment.id))
        }
        assert rows["Top"].status == CommentStatus.APPROVED
        assert rows["Top"].body == "Top link (https://example.org/x)"
        assert rows["Reply"].parent_id == rows["Top"].id
        assert rows["Reply"].depth == 1
        assert rows["Held"].status == CommentStatus.PENDING
        assert rows["Buy"].status == CommentStatus.SPAM
        assert rows["Binned"].status == CommentStatus.TRASH
        assert rows["Orphan"].parent_id is None
        assert rows["Linked"].kind == CommentKind.PINGBACK
        assert rows["Top"].ip and "192.0.2.1" not in rows["Top"].ip
        assert rows["Top"].author_email == "reader@example.com"
        stored = db.session.scalar(select(Article).where(Article.slug == "post-1"))
        # Approved discussion: Top, Reply, Orphan (the pingback is not).
        assert stored.comment_count == 3
    assert any("parent 99" in w.message and w.wp_id == "6" for w in report.warnings)
    assert report.counts["comment"]["imported"] == 7
    page = app.test_client().get("/articles/post-1").get_data(as_text=True)
    assert "Reply" in page and "reader@example.com" not in page


def test_import_caps_thread_depth_by_the_usual_rule(make_app, tmp_path):
    app = make_app(COMMENTS_MAX_DEPTH=2)
    comments = tuple(
        comment(n, f"Level {n}", parent=n - 1 if n > 1 else 0) for n in range(1, 6)
    )
    run(app, write(tmp_path, item(1, "Deep", "Body", comments=comments)))
    with app.app_context():
        depths = db.session.scalars(select(Comment.depth).order_by(Comment.id)).all()
    assert max(depths) == 1
    assert depths[0] == 0


def test_import_links_a_registered_users_comment_to_the_mapped_account(app, tmp_path):
    with app.app_context():
        staff = make_user("editor@example.com", role=Role.EDITOR)
        staff_id = staff.id
    path = write(
        tmp_path,
        author("ed", "editor@example.com", wp_id=3),
        item(
            1, "Post", "Body", creator="ed", comments=(comment(1, "Mine", user_id=3),)
        ),
    )
    run(app, path)
    assert article(app, "post-1").author_id == staff_id
    with app.app_context():
        assert db.session.scalar(select(Comment.staff_author_id)) == staff_id


def test_import_creates_inactive_authors_without_a_password(app, tmp_path):
    path = write(
        tmp_path,
        author("jo", "jo@old.example", "Jo Writer", wp_id=2),
        item(1, "Post", "Body", creator="jo"),
    )
    report = run(app, path, authors=AuthorOptions(create_authors=True))
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "jo@old.example"))
        assert user.display_name == "Jo Writer"
        assert user.is_active is False
        assert not user.password_hash.startswith("$argon2")
        assert db.session.scalar(select(Article.author_id)) == user.id
    assert report.counts["author"]["imported"] == 1
    response = app.test_client().post(
        "/staff/login", data={"email": "jo@old.example", "password": "!imported"}
    )
    assert response.status_code != 303


def test_import_assigns_every_post_to_one_account(app, tmp_path):
    with app.app_context():
        owner_id = make_user("owner@example.com").id
    path = write(
        tmp_path, author("a", "a@x.example"), item(1, "P1", creator="a"), item(2, "P2")
    )
    run(app, path, authors=AuthorOptions(assign_to="owner@example.com"))
    with app.app_context():
        assert set(db.session.scalars(select(Article.author_id))) == {owner_id}


def test_import_refuses_an_unknown_assign_to_account(app, tmp_path):
    with pytest.raises(ImportProblem, match="nobody@example.com"):
        run(
            app,
            write(tmp_path, item(1, "P")),
            authors=AuthorOptions(assign_to="nobody@example.com"),
        )
    assert count(app, Article) == 0


def test_import_warns_about_unmatched_authors(app, tmp_path):
    report = run(app, write(tmp_path, author("ghost"), item(1, "P", creator="ghost")))
    assert article(app, "post-1").author_id is None
    assert any(w.wp_id == "ghost" for w in report.warnings)


def test_import_merges_categories_and_tags_by_slug(app, tmp_path):
    path = write(
        tmp_path,
        category("news", "News"),
        category("local", "Local", parent="news", wp_id=11),
        tag("news", "News"),
        tag("tips-tricks", "Tips &amp; tricks"),
        item(
            1,
            "P",
            terms=(("category", "news", "News"), ("post_tag", "tips-tricks", "Tips")),
        ),
    )
    report = run(app, path)
    with app.app_context():
        tags = {t.slug: t.name for t in db.session.scalars(select(Tag))}
        post = db.session.scalar(select(Article))
        assert sorted(t.slug for t in post.tags) == ["news", "tips-tricks"]
    assert tags == {"news": "News", "local": "Local", "tips-tricks": "Tips & tricks"}
    assert report.notes["category parents flattened"] == 1


def test_import_fills_the_redirects_table(app, tmp_path):
    path = write(
        tmp_path,
        category("news", "News"),
        item(12, "Hello", slug="hello", link="https://old.example/2024/01/hello/"),
        item(
            7,
            "About",
            post_type="page",
            slug="about",
            link="https://old.example/about/",
        ),
    )
    run(app, path)
    with app.app_context():
        redirects = dict(
            db.session.execute(select(Redirect.path, Redirect.target)).all()
        )
    assert redirects["/2024/01/hello/"] == "/articles/hello"
    assert redirects["/?p=12"] == "/articles/hello"
    assert redirects["/?page_id=7"] == "/about"
    assert redirects["/category/news/"] == "/tags/news"
    assert redirects["/feed/"] == "/feed.xml"
    # The page's old address is its new one (but for the slash): none needed.
    assert "/about/" not in redirects
    client = app.test_client()
    for old, new in [
        ("/2024/01/hello/", "/articles/hello"),
        ("/?p=12", "/articles/hello"),
        ("/?page_id=7", "/about"),
        ("/category/news/", "/tags/news"),
        ("/feed/", "/feed.xml"),
    ]:
        response = client.get(old)
        assert response.status_code == 301, old
        assert response.headers["Location"].endswith(new), old


def test_import_twice_adds_nothing_and_picks_up_new_comments(app, tmp_path):
    first = write(tmp_path, item(1, "P", comments=(comment(1, "One"),)))
    run(app, first)
    again = run(app, first)
    assert count(app, Article) == 1 and count(app, Comment) == 1
    assert again.counts["article"]["skipped"] == 1
    assert again.counts["comment"]["skipped"] == 1
    later = write(
        tmp_path,
        item(1, "P", comments=(comment(1, "One"), comment(2, "Two", parent=1))),
        name="later.xml",
    )
    report = run(app, later)
    assert report.counts["article"]["updated"] == 1
    assert count(app, Comment) == 2
    assert article(app, "post-1").comment_count == 2


def test_an_interrupted_import_resumes_where_it_stopped(app, tmp_path, monkeypatch):
    from porting import wp_posts

    path = write(tmp_path, item(1, "One"), item(2, "Two"), item(3, "Three"))
    real = wp_posts.Posts.add

    def failing(self, record):
        if record.wp_id == 2:
            raise RuntimeError("disk full")
        return real(self, record)

    monkeypatch.setattr(wp_posts.Posts, "add", failing)
    with pytest.raises(ImportProblem, match="post 2: disk full"):
        run(app, path)
    assert count(app, Article) == 1
    monkeypatch.setattr(wp_posts.Posts, "add", real)
    report = run(app, path)
    assert count(app, Article) == 3
    assert report.counts["article"]["skipped"] == 1
    assert report.counts["article"]["imported"] == 2


def test_a_dry_run_writes_nothing_and_reports_everything(app, tmp_path):
    path = write(
        tmp_path,
        author("jo", "jo@old.example"),
        category("news", "News"),
        item(
            1, "P", comments=(comment(1, "C"),), terms=(("category", "news", "News"),)
        ),
    )
    report = run(app, path, dry_run=True, authors=AuthorOptions(create_authors=True))
    assert report.dry_run
    assert report.counts["article"]["imported"] == 1
    assert report.counts["comment"]["imported"] == 1
    for model in (Article, Comment, Tag, User, Redirect, ImportedId):
        assert count(app, model) == 0, model


def test_a_malformed_file_writes_nothing_and_says_where(app, tmp_path):
    data = document(item(1, "Good"), item(2, "Bad")).replace(
        b"<title><![CDATA[Bad", b"<title><b><![CDATA[Bad"
    )
    path = tmp_path / "broken.xml"
    path.write_bytes(data)
    with pytest.raises(WxrError) as raised:
        run(app, path)
    assert raised.value.line and raised.value.column
    assert count(app, Article) == 0


@pytest.mark.parametrize("version", ["abc", ""])
def test_a_file_without_a_wxr_version_is_refused(app, tmp_path, version):
    path = write(tmp_path, item(1, "P"), version=version)
    with pytest.raises(ImportProblem, match="WXR version"):
        run(app, path)
    assert count(app, Article) == 0


def test_import_refreshes_cached_pages(app, tmp_path):
    client = app.test_client()
    assert "Imported post" not in client.get("/").get_data(as_text=True)
    run(app, write(tmp_path, item(1, "Imported post", "Body")))
    assert "Imported post" in client.get("/").get_data(as_text=True)


def test_the_command_prints_a_report_and_writes_it_as_json(app, tmp_path):
    path = write(tmp_path, item(1, "P", comments=(comment(1, "C"), comment(2, "D"))))
    out = tmp_path / "report.json"
    result = app.test_cli_runner().invoke(
        wordpress_command, [str(path), "--report", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Importing: 1/1 items" in result.output
    assert "Import finished." in result.output
    saved = json.loads(out.read_text())
    assert saved["counts"]["comment"]["imported"] == 2


def test_the_command_explains_a_malformed_file(app, tmp_path):
    path = tmp_path / "bad.xml"
    path.write_bytes(b"<?xml version='1.0'?><rss><channel><item></channel></rss>")
    result = app.test_cli_runner().invoke(wordpress_command, [str(path)])
    assert result.exit_code == 1
    assert "not imported, line 1, column" in result.output


def test_import_is_timely_about_published_dates(app, tmp_path):
    run(app, write(tmp_path, item(1, "P")))
    assert article(app, "post-1").published_at < utcnow()


def test_a_repeated_item_adds_its_comments_to_the_post(app, tmp_path):
    repeat = item(1, "", comments=(comment(9, "From the repeat"),)).replace(
        "<wp:post_type><![CDATA[post]]></wp:post_type>", ""
    )
    path = write(tmp_path, repeat, item(1, "The post", comments=(comment(1, "Own"),)))
    report = run(app, path)
    assert count(app, Article) == 1
    assert count(app, Comment) == 2
    assert article(app, "post-1").comment_count == 2
    assert report.counts["article"]["imported"] == 1


def _jpeg(width=640, height=480) -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (width, height), (200, 90, 40)).save(out, "JPEG")
    return out.getvalue()


def _with_attachment(tmp_path):
    url = "https://old.example/wp-content/uploads/2024/01/photo.jpg"
    return write(
        tmp_path,
        item(
            30,
            "photo",
            post_type="attachment",
            status="inherit",
            attachment_url=url,
            meta=(
                ("_wp_attached_file", "2024/01/photo.jpg"),
                ("_wp_attachment_image_alt", "A sunset"),
            ),
        ),
        item(
            1,
            "With a picture",
            '<img src="https://old.example/wp-content/uploads/2024/01/photo-300x225.jpg"'
            ' alt="Sunset" width="300" height="225">',
            meta=(("_thumbnail_id", "30"),),
        ),
    )


def test_import_with_uploads_puts_attachments_in_the_library(app, tmp_path):
    uploads = tmp_path / "uploads" / "2024" / "01"
    uploads.mkdir(parents=True)
    (uploads / "photo.jpg").write_bytes(_jpeg())
    report = run(app, _with_attachment(tmp_path), uploads=tmp_path / "uploads")
    from models import Media

    with app.app_context():
        media = db.session.scalar(select(Media))
        assert media.alt == "A sunset"
        stored = db.session.scalar(select(Article).where(Article.slug == "post-1"))
        assert stored.cover_id == media.id
        assert "old.example" not in stored.body
        assert f"/media/{media.id}" in stored.body
        redirect = db.session.scalar(
            select(Redirect.target).where(
                Redirect.path == "/wp-content/uploads/2024/01/photo.jpg"
            )
        )
        assert redirect == f"/media/{media.id}"
    assert report.counts["attachment"]["imported"] == 1
    again = run(app, _with_attachment(tmp_path), uploads=tmp_path / "uploads")
    assert again.counts["attachment"]["skipped"] == 1
    assert count(app, Media) == 1


def test_import_without_media_keeps_remote_urls_and_lists_them(app, tmp_path):
    report = run(app, _with_attachment(tmp_path))
    assert "old.example/wp-content/uploads" in article(app, "post-1").body
    assert any("kept remote" in w.message for w in report.warnings)


def test_import_refuses_an_upload_path_leaving_the_folder(app, tmp_path):
    (tmp_path / "uploads").mkdir()
    (tmp_path / "secret.jpg").write_bytes(_jpeg())
    path = write(
        tmp_path,
        item(
            30,
            "x",
            post_type="attachment",
            attachment_url="https://old.example/wp-content/uploads/x.jpg",
            meta=(("_wp_attached_file", "../secret.jpg"),),
        ),
    )
    report = run(app, path, uploads=tmp_path / "uploads")
    assert any("leaves the uploads folder" in w.message for w in report.warnings)


def test_import_fetches_media_from_the_old_site(app, tmp_path):
    import threading
    from http.server import BaseHTTPRequestHandler
    from http.server import ThreadingHTTPServer

    image = _jpeg()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            if self.path.endswith(".jpg"):
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(image)))
                self.end_headers()
                self.wfile.write(image)
            else:
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(b"<html></html>")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        path = write(
            tmp_path,
            item(
                30,
                "photo",
                post_type="attachment",
                attachment_url=f"{base}/wp-content/uploads/photo.jpg",
            ),
            item(
                31,
                "page",
                post_type="attachment",
                attachment_url=f"{base}/wp-content/uploads/not-an-image.html",
            ),
        )
        report = run(app, path, fetch_media=True)
    finally:
        server.shutdown()
        server.server_close()
    assert report.counts["attachment"]["imported"] == 1
    assert any("not an image" in w.message for w in report.warnings)


def test_a_rerun_leaves_what_staff_deleted_deleted(app, tmp_path):
    first = write(tmp_path, item(1, "P", comments=(comment(1, "One"),)), item(2, "Q"))
    run(app, first)
    with app.app_context():
        db.session.delete(
            db.session.scalar(select(Article).where(Article.slug == "post-1"))
        )
        db.session.commit()
    later = write(
        tmp_path,
        item(1, "P", comments=(comment(1, "One"), comment(2, "Two"))),
        item(2, "Q", comments=(comment(3, "New"),)),
        name="later.xml",
    )
    report = run(app, later)
    assert count(app, Article) == 1
    assert any(
        "deleted in Folio" in w.message and w.wp_id == "1" for w in report.warnings
    )
    assert article(app, "post-2").comment_count == 1


def test_a_repeated_items_reply_keeps_its_thread(app, tmp_path):
    repeat = item(1, "", comments=(comment(12, "Reply", parent=11),)).replace(
        "<wp:post_type><![CDATA[post]]></wp:post_type>", ""
    )
    path = write(tmp_path, item(1, "P", comments=(comment(11, "Parent"),)), repeat)
    report = run(app, path)
    with app.app_context():
        rows = {c.body: c for c in db.session.scalars(select(Comment))}
    assert rows["Reply"].parent_id == rows["Parent"].id
    assert not any("parent 11" in w.message for w in report.warnings)


def test_imported_commenter_emails_are_lower_case(app, tmp_path):
    run(
        app,
        write(
            tmp_path, item(1, "P", comments=(comment(1, "Hi", email="Jo@Example.COM"),))
        ),
    )
    with app.app_context():
        assert db.session.scalar(select(Comment.author_email)) == "jo@example.com"


def test_only_the_old_sites_upload_urls_are_rewritten(app, tmp_path):
    uploads = tmp_path / "uploads" / "2024" / "01"
    uploads.mkdir(parents=True)
    (uploads / "photo.jpg").write_bytes(_jpeg())
    other = (
        '<img src="https://other.example/wp-content/uploads/2024/01/photo.jpg" alt="x">'
    )
    path = write(
        tmp_path,
        item(
            30,
            "photo",
            post_type="attachment",
            attachment_url="https://old.example/wp-content/uploads/2024/01/photo.jpg",
            meta=(("_wp_attached_file", "2024/01/photo.jpg"), ("_thumbnail_id", "²")),
        ),
        item(1, "P", other, meta=(("_thumbnail_id", "²"),)),
    )
    run(app, path, uploads=tmp_path / "uploads")
    assert (
        "other.example/wp-content/uploads/2024/01/photo.jpg"
        in article(app, "post-1").body
    )
    assert article(app, "post-1").cover_id is None


def test_links_to_the_old_sites_pages_become_paths_here(app, tmp_path):
    content = (
        '<a href="https://old.example/2024/01/hello/">earlier post</a> '
        '<a href="https://elsewhere.example/page/">another site</a> '
        '<a href="https://old.example">home</a>'
    )
    path = write(tmp_path, item(12, "Hello", slug="hello"), item(13, "Next", content))
    run(app, path)
    body = article(app, "post-13").body
    assert 'href="/2024/01/hello/"' in body
    assert 'href="https://elsewhere.example/page/"' in body
    assert 'href="/"' in body
    follow = app.test_client().get("/2024/01/hello/")
    assert follow.headers["Location"].endswith("/articles/hello")
