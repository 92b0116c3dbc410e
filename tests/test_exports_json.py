"""`flask export json` and `flask import json`: the whole site out and back in."""

from __future__ import annotations

import json
import re
import tracemalloc
import zipfile

import pytest
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select

from models import Article
from models import Comment
from models import Media
from models import OutboxMail
from models import SiteCounter
from models import SlugRedirect
from models import User
from models import db
from porting.json_export import begin_snapshot
from porting.json_export import json_chunks
from porting.wp_authors import NO_PASSWORD
from storage.media_files import media_store
from tests.support.factories import PASSWORD
from tests.support.factories import make_article
from tests.support.factories import make_user
from tests.support.images import image_bytes
from tests.support.sample_site import build_site

EXPORTED_AT = re.compile(r'^"exported_at": "[^"]*",\n', re.MULTILINE)


def _export(app, path, *options: str):
    """Run `flask export json` on app; the result."""
    result = app.test_cli_runner().invoke(args=["export", "json", str(path), *options])
    assert result.exit_code == 0, result.output
    return result


def _site_json(path) -> str:
    """The document of a .json or .zip export."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return archive.read("site.json").decode()
    return path.read_text()


def test_export_json_document_shape(app, tmp_path):
    site = build_site(app)
    _export(app, tmp_path / "site.json")
    document = json.loads((tmp_path / "site.json").read_text())
    assert document["format"] == "folio" and document["version"] == 1
    assert document["exported_at"].endswith("Z")
    assert "contact_messages" not in document
    assert list(document) == sorted(document)
    users = {u["email"]: u for u in document["users"]}
    assert users["ada@example.com"]["role"] == "admin"
    assert users["ada@example.com"]["avatar_id"] == site.media_id
    assert not {"password_hash", "totp_secret", "session_generation"} & set(
        users["ada@example.com"]
    )
    articles = {a["id"]: a for a in document["articles"]}
    article = articles[site.article_id]
    assert article["slug"] == "tomatoes-and-basil" and article["featured"] is True
    assert article["cover_id"] == site.media_id and len(article["tag_ids"]) == 2
    assert article["published_at"].endswith("Z")
    assert articles[site.page_id]["kind"] == "page"
    [old_slug] = document["slug_redirects"]
    assert old_slug["article_id"] == site.article_id
    assert old_slug["slug"].startswith("article-")
    statuses = {c["status"] for c in document["comments"]}
    assert statuses == {"approved", "pending", "spam", "trash"}
    reply = next(c for c in document["comments"] if c["id"] == site.reply_id)
    assert reply["parent_id"] and reply["depth"] == 1
    assert {c["kind"] for c in document["comments"]} == {"comment", "pingback"}
    assert document["settings"][0]["key"] == "LOGO_MEDIA_ID"
    assert {s["key"]: s["value"] for s in document["settings"]}["SITE_TITLE"] == (
        "Acme notes"
    )
    assert document["media"][0]["variants"] and document["media"][0]["sha256"]
    assert len(document["menu_items"]) == 4 and len(document["redirects"]) == 1
    ids = [c["id"] for c in document["comments"]]
    assert ids == sorted(ids)


def test_export_json_with_contact_adds_the_messages(app, tmp_path):
    build_site(app)
    _export(app, tmp_path / "site.json", "--with-contact")
    document = json.loads((tmp_path / "site.json").read_text())
    assert [m["message"] for m in document["contact_messages"]] == ["Hello"]


def test_export_json_twice_differs_only_in_exported_at(app, tmp_path):
    build_site(app)
    _export(app, tmp_path / "one.json")
    _export(app, tmp_path / "two.json")
    one, two = (tmp_path / "one.json").read_text(), (tmp_path / "two.json").read_text()
    assert EXPORTED_AT.search(one)
    assert EXPORTED_AT.sub("", one) == EXPORTED_AT.sub("", two)


def test_export_json_reads_in_chunks(app, tmp_path, monkeypatch):
    with app.app_context():
        for _ in range(7):
            make_article()
    monkeypatch.setattr("porting.keyset.CHUNK", 2)
    _export(app, tmp_path / "site.json")
    document = json.loads((tmp_path / "site.json").read_text())
    assert len(document["articles"]) == 7


def test_round_trip_through_zip_keeps_everything(app, second_app, tmp_path):
    site = build_site(app)
    _export(app, tmp_path / "site.zip", "--with-media", "--with-contact")
    with zipfile.ZipFile(tmp_path / "site.zip") as archive:
        media_names = [n for n in archive.namelist() if n.startswith("media/")]
    assert media_names and all(n.endswith((".webp", ".jpg")) for n in media_names)

    runner = second_app.test_cli_runner()
    result = runner.invoke(args=["import", "json", str(tmp_path / "site.zip")])
    assert result.exit_code == 0, result.output
    assert "2 staff account(s) need a password reset" in result.output
    assert f"Stored {len(media_names)} image file(s)." in result.output

    _export(second_app, tmp_path / "again.zip", "--with-media", "--with-contact")
    first = _site_json(tmp_path / "site.zip")
    again = _site_json(tmp_path / "again.zip")
    assert EXPORTED_AT.sub("", first) == EXPORTED_AT.sub("", again)
    with zipfile.ZipFile(tmp_path / "again.zip") as archive:
        assert sorted(n for n in archive.namelist() if n.startswith("media/")) == (
            sorted(media_names)
        )

    with second_app.app_context():
        article = db.session.get(Article, site.article_id)
        assert article.comment_count == 5
        assert "<picture" in article.body_html
        imported_html = db.session.scalar(
            select(Article.body_html).where(Article.title == "From WordPress")
        )
        assert "<em>HTML</em>" in imported_html
        assert {m.id for m in article.images} == {site.media_id}
        assert db.session.scalar(select(func.count()).select_from(SiteCounter)) >= 3
        users = db.session.scalars(select(User)).all()
        assert {u.password_hash for u in users} == {NO_PASSWORD}
        assert db.session.get(User, site.admin_id).avatar_id == site.media_id
        assert db.session.get(Media, site.media_id).status == "ready"
        old_slug = db.session.scalar(select(SlugRedirect.slug))
    client = second_app.test_client()
    assert b"Tomatoes &amp; basil" in client.get("/search?q=tomatoes").data
    for name in media_names:
        assert client.get("/" + name).status_code == 200
    page = client.get("/articles/tomatoes-and-basil")
    assert page.status_code == 200 and b"Acme notes" in page.data
    assert client.get(f"/articles/{old_slug}").status_code == 301


def test_import_json_new_rows_take_the_next_ids(app, second_app, tmp_path):
    site = build_site(app)
    _export(app, tmp_path / "site.json")
    runner = second_app.test_cli_runner()
    assert (
        runner.invoke(args=["import", "json", str(tmp_path / "site.json")]).exit_code
        == 0
    )
    with second_app.app_context():
        user = make_user()
        article = make_article()
        assert user.id > site.admin_id and article.id > site.page_id


def test_imported_account_cannot_sign_in(app, second_app, tmp_path):
    with app.app_context():
        make_user(email="ed@example.com")
    _export(app, tmp_path / "site.json")
    second_app.test_cli_runner().invoke(
        args=["import", "json", str(tmp_path / "site.json")]
    )
    client = second_app.test_client()
    response = client.post(
        "/staff/login", data={"email": "ed@example.com", "password": PASSWORD}
    )
    assert response.status_code == 422
    # "Forgot password?" is the way back in: its link is mailed to the account.
    client.post("/staff/password/forgot", data={"email": "ed@example.com"})
    with second_app.app_context():
        assert db.session.scalar(select(OutboxMail.to_addrs)) == "ed@example.com"


def test_import_json_refuses_a_database_with_content(app, tmp_path):
    build_site(app)
    _export(app, tmp_path / "site.json")
    result = app.test_cli_runner().invoke(
        args=["import", "json", str(tmp_path / "site.json")]
    )
    assert result.exit_code == 1
    assert "the database is not empty" in result.output
    assert "Nothing was imported" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"format": "folio", "version": 1,\n "users": [}', "line 2, column"),
        ('{"format": "wordpress", "version": 1}', "is not a Folio export"),
        ('{"format": "folio", "version": 2}', "version 2"),
        ('{"format": "folio", "version": 1, "users": {}}', '"users" is not a list'),
        ('{"format": "folio", "version": 1, "tags": [{"id": 1}]}', "no 'name' field"),
        ('{"format": "folio", "version": 1, "tags": [{"name": "x"}]}', 'valid "id"'),
        (
            '{"format": "folio", "version": 1, "comments": [{"id": 1, "article_id": 9,'
            ' "parent_id": null, "depth": 0, "kind": "comment", "status": "approved",'
            ' "status_reason": "", "author_name": "a", "author_email": "a@b",'
            ' "author_url": "", "body": "b", "created_at": "2024-01-01T00:00:00Z",'
            ' "ip": "", "user_agent": "", "staff_author_id": null}]}',
            "nothing was written",
        ),
    ],
)
def test_import_json_refuses_a_bad_document(app, tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = app.test_cli_runner().invoke(args=["import", "json", str(path)])
    assert result.exit_code == 1
    assert message in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def _rewrite(source, target, change) -> None:
    """Copy a .zip export, passing its document through change()."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            data = old.read(name)
            if name == "site.json":
                document = json.loads(data)
                change(document)
                data = json.dumps(document).encode()
            new.writestr(name, data)


@pytest.mark.parametrize(
    ("section", "field", "value", "message"),
    [
        ("articles", "tag_ids", [999], "does not fit together"),
        ("articles", "tag_ids", 5, "bad value"),
        ("comments", "status", "lost", "bad value"),
        ("media", "variants", None, "bad or missing"),
    ],
)
def test_import_json_failure_leaves_no_rows_and_no_files(
    app, second_app, tmp_path, section, field, value, message
):
    build_site(app)
    _export(app, tmp_path / "site.zip", "--with-media")

    def change(document):
        document[section][0][field] = value

    _rewrite(tmp_path / "site.zip", tmp_path / "bad.zip", change)
    result = second_app.test_cli_runner().invoke(
        args=["import", "json", str(tmp_path / "bad.zip")]
    )
    assert result.exit_code == 1, result.output
    assert message in result.output and "Nothing was imported" in result.output
    with second_app.app_context():
        for table in (User, Article, Comment, Media):
            assert db.session.scalar(select(func.count()).select_from(table)) == 0
        assert list(media_store().keys()) == []


def test_import_json_makes_the_sizes_of_an_image_exported_waiting(
    app, second_app, tmp_path
):
    site = build_site(app)
    _export(app, tmp_path / "site.zip", "--with-media")
    with app.app_context():
        sha = db.session.get(Media, site.media_id).sha256
    with zipfile.ZipFile(tmp_path / "site.zip") as old:
        with zipfile.ZipFile(tmp_path / "waiting.zip", "w") as new:
            new.writestr("site.json", old.read("site.json"))
            new.writestr(f"media/{sha[:2]}/{sha}.upload", image_bytes())
    result = second_app.test_cli_runner().invoke(
        args=["import", "json", str(tmp_path / "waiting.zip")]
    )
    assert result.exit_code == 0, result.output
    assert "Making the sizes of 1 image(s)." in result.output
    with second_app.app_context():
        media = db.session.get(Media, site.media_id)
        assert media.status == "ready" and json.loads(media.variants)
        keys = set(media_store().keys())
        assert f"{sha[:2]}/{sha}-480.webp" in keys
        assert f"{sha[:2]}/{sha}.upload" not in keys


def test_import_json_without_files_says_which_images_lack_them(
    app, second_app, tmp_path
):
    build_site(app)
    _export(app, tmp_path / "site.json")
    with zipfile.ZipFile(tmp_path / "bare.zip", "w") as archive:
        archive.write(tmp_path / "site.json", "site.json")
    result = second_app.test_cli_runner().invoke(
        args=["import", "json", str(tmp_path / "bare.zip")]
    )
    assert result.exit_code == 0, result.output
    assert "1 image(s) have no files in the export" in result.output


def test_export_json_memory_stays_flat(app, monkeypatch):
    with app.app_context():
        article = make_article()
        rows = [
            {
                "article_id": article.id,
                "author_name": f"Reader {n}",
                "author_email": "r@example.org",
                "body": "x" * 1000,
                "status": "approved",
            }
            for n in range(3000)
        ]
        db.session.execute(insert(Comment), rows)
        db.session.commit()
        del rows
    monkeypatch.setattr("porting.keyset.CHUNK", 100)
    with app.test_request_context():
        begin_snapshot()
        tracemalloc.start()
        try:
            written = sum(len(piece) for piece in json_chunks())
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert written > 3_000_000
    # A chunk of 100 comments is ~150 kB of rows and records; the document is 3 MB.
    assert peak < 1_000_000


def test_export_json_with_media_needs_a_zip_path(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["export", "json", str(tmp_path / "site.json"), "--with-media"]
    )
    assert result.exit_code == 2 and "PATH is a .zip" in result.output
    assert not (tmp_path / "site.json").exists()
