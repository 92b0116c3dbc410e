"""The staff media library: the grid and its filters, an image's page, delete, covers."""

from __future__ import annotations

import hashlib
import html
import io
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy import update

from blueprints.articles.publishing import set_body
from blueprints.media.pictures import Picture
from blueprints.media.variants import Size
from blueprints.media.variants import sizes_to_json
from blueprints.media.variants import upload_key
from models import Article
from models import Media
from models import MediaStatus
from models import Role
from models import db
from models import utcnow
from storage import sqlcount
from storage.media_files import media_store
from tests.support.factories import make_article
from tests.support.images import add_media
from tests.support.images import image_bytes
from tests.support.staff_support import staff_client

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/staff/media"}
ROWS = count(1)


@pytest.fixture
def editor(app):
    client, _ = staff_client(app, Role.EDITOR)
    return client


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def media_files(app) -> set[str]:
    root = Path(app.instance_path) / "media"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def files_of(app, media_id: int) -> set[str]:
    """The stored files an image's row names."""
    with app.app_context():
        picture = Picture.of(db.session.get(Media, media_id))
    return {
        picture.url(size.width, fmt).removeprefix("/media/")
        for size in picture.sizes
        for fmt in size.files
    }


def make_rows(app, number: int, **values) -> list[int]:
    """Library rows without files (ready, one size): for lists, filters and paging."""
    with app.app_context():
        rows = []
        for n in range(number):
            width = values.get("width", 1200)
            row = Media(
                sha256=hashlib.sha256(f"row {next(ROWS)}".encode()).hexdigest(),
                filename=values.get("filename", f"image-{n}.jpg"),
                alt=values.get("alt", ""),
                caption=values.get("caption", ""),
                format="jpeg",
                width=width,
                height=values.get("height", 800),
                bytes=1000,
                stored_bytes=2000,
                variants=sizes_to_json([Size(width, 800, {"webp": 1, "jpeg": 1})]),
                status=values.get("status", MediaStatus.READY),
                error=values.get("error", ""),
            )
            if "created_at" in values:
                row.created_at = values["created_at"]
            db.session.add(row)
            rows.append(row)
        db.session.commit()
        return [row.id for row in rows]


def card_ids(response) -> list[int]:
    page = response.get_data(as_text=True)
    return [int(part.split('"')[0]) for part in page.split('data-media-id="')[1:]]


# ---- The library page ----


def test_library_full_page_and_fragment(app, editor):
    media = add_media(app, alt="A lake")
    full = editor.get("/staff/media")
    assert full.status_code == 200
    page = full.get_data(as_text=True)
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert "HX-Request" in full.headers["Vary"]
    assert 'id="media-upload"' in page and 'enctype="multipart/form-data"' in page
    assert (
        'name="file"' in page and " multiple " in page and 'accept="image/jpeg' in page
    )
    assert f'id="media-{media.id}"' in page
    assert "1200 × 800" in page and "photo.jpg" in page
    # The thumbnail is decorative: the file name beside it names the link.
    assert 'alt="" width=' in page
    fragment = editor.get("/staff/media?q=lake", headers=HTMX)
    assert fragment.get_data(as_text=True).startswith('<div id="media-results"')
    assert "<html" not in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]


def test_library_sidebar_entry(app, editor):
    page = editor.get("/staff/media").get_data(as_text=True)
    assert 'aria-current="page"' in page.split("Media</span>")[0].rsplit("<li>", 1)[1]


def test_library_shows_processing_and_failed(app, editor):
    make_rows(app, 1, filename="waiting.jpg", status=MediaStatus.PROCESSING)
    make_rows(
        app,
        1,
        filename="broken.jpg",
        status=MediaStatus.FAILED,
        error="Could not prepare the image: boom",
    )
    page = text_of(editor.get("/staff/media"))
    assert "Preparing sizes…" in page and "Processing" in page
    assert "Could not be prepared" in page and "Failed" in page
    assert "Could not prepare the image: boom" in page
    # A waiting card asks for itself again; its answer is the card alone.
    waiting = db_id(app, "waiting.jpg")
    assert f'hx-get="/staff/media/{waiting}/card?tries=0"' in page
    card = editor.get(f"/staff/media/{waiting}/card?tries=3", headers=HTMX)
    assert card.get_data(as_text=True).startswith('<li class="media-card"')
    assert "tries=4" in card.get_data(as_text=True)
    assert "HX-Request" in card.headers["Vary"]
    assert editor.get(f"/staff/media/{waiting}/card").status_code == 302


def db_id(app, filename: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Media.id).where(Media.filename == filename))


def test_library_resumes_stale_uploads(app, editor):
    media = add_media(app)
    with app.app_context():
        db.session.execute(
            update(Media)
            .where(Media.id == media.id)
            .values(
                status=MediaStatus.PROCESSING,
                variants="[]",
                updated_at=utcnow() - timedelta(hours=1),
            )
        )
        db.session.commit()
        # The upload waits under its own key until its sizes are made again.
        media_store().put(upload_key(media.sha256), image_bytes(), "x")
    editor.get("/staff/media")
    with app.app_context():
        assert db.session.get(Media, media.id).status == MediaStatus.READY


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=sunset", {"sunset.jpg"}),
        ("q=harbour", {"boats.jpg"}),  # alt text
        ("q=festival", {"crowd.jpg"}),  # caption
        ("q=SUNSET", {"sunset.jpg"}),
        ("q=%25", set()),  # LIKE wildcards are literal
        ("q=zzz", set()),
    ],
)
def test_library_search(app, editor, query, expected):
    make_rows(app, 1, filename="sunset.jpg")
    make_rows(app, 1, filename="boats.jpg", alt="Boats in the harbour")
    make_rows(app, 1, filename="crowd.jpg", caption="The summer festival")
    page = editor.get("/staff/media?" + query, headers=HTMX).get_data(as_text=True)
    shown = {name for name in ("sunset.jpg", "boats.jpg", "crowd.jpg") if name in page}
    assert shown == expected


def test_library_filter_by_article(app, editor):
    used = add_media(app, image_bytes(colour=(1, 2, 3)), "used.jpg")
    other = add_media(app, image_bytes(colour=(4, 5, 6)), "other.jpg")
    with app.app_context():
        article_id = make_article(
            title="Harbour walk", body=f"![x](/media/{used.id})"
        ).id
    page = editor.get("/staff/media").get_data(as_text=True)
    assert f'<option value="{article_id}">Harbour walk</option>' in page
    filtered = editor.get(f"/staff/media?article={article_id}", headers=HTMX)
    assert card_ids(filtered) == [used.id]
    assert other.id not in card_ids(filtered)
    assert card_ids(editor.get("/staff/media?article=99999", headers=HTMX)) == []


@pytest.mark.parametrize(
    ("size", "widths"),
    [("small", {480}), ("medium", {960, 1999}), ("large", {2000, 2400}), ("", None)],
)
def test_library_filter_by_size(app, editor, size, widths):
    ids = {
        w: make_rows(app, 1, width=w, filename=f"w{w}.jpg")[0]
        for w in (480, 960, 1999, 2000, 2400)
    }
    shown = set(card_ids(editor.get(f"/staff/media?size={size}", headers=HTMX)))
    expected = set(ids.values()) if widths is None else {ids[w] for w in widths}
    assert shown == expected


def test_library_filter_by_month(app, editor):
    march = make_rows(
        app,
        2,
        filename="march.jpg",
        created_at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC),
    )
    april = make_rows(
        app, 1, filename="april.jpg", created_at=datetime(2026, 4, 1, 0, 10, tzinfo=UTC)
    )
    page = editor.get("/staff/media").get_data(as_text=True)
    assert '<option value="2026-04">April 2026</option>' in page
    assert '<option value="2026-03">March 2026</option>' in page
    assert page.index("April 2026") < page.index("March 2026")
    assert set(card_ids(editor.get("/staff/media?month=2026-03", headers=HTMX))) == set(
        march
    )
    assert card_ids(editor.get("/staff/media?month=2026-04", headers=HTMX)) == april
    # Nonsense is ignored, never an error.
    for month in ("2026-13", "x", "0000-01", "2026-3"):
        response = editor.get(f"/staff/media?month={month}", headers=HTMX)
        assert response.status_code == 200
        assert len(card_ids(response)) == 3


def test_library_paging(app, editor):
    ids = make_rows(app, 40)
    first = editor.get("/staff/media", headers=HTMX)
    assert len(card_ids(first)) == 36
    assert "Page 1 of 2" in first.get_data(as_text=True)
    assert card_ids(first)[0] == ids[-1]  # newest first
    second = editor.get("/staff/media?page=2&size=medium", headers=HTMX)
    assert set(card_ids(second)) == set(ids[:4])
    assert 'href="/staff/media?page=1&amp;size=medium"' in second.get_data(as_text=True)
    assert editor.get("/staff/media?page=0").status_code == 404


@pytest.mark.parametrize(
    "query", ["", "?q=image", "?size=medium&month=2026-01", "?article=1"]
)
def test_library_statement_count_does_not_grow(app, editor, query):
    with app.app_context():
        make_article(body="![x](/media/1)")
    make_rows(app, 5)
    editor.get("/staff/media" + query)
    with sqlcount.count_statements(app) as few:
        editor.get("/staff/media" + query)
    make_rows(app, 55, created_at=datetime(2026, 1, 5, tzinfo=UTC))
    with sqlcount.count_statements(app) as many:
        editor.get("/staff/media" + query)
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "query", ["?page=abc", "?q=" + "x" * 500, "?article=abc", "?article=99999999999"]
)
def test_library_odd_input_is_not_an_error(editor, query):
    assert editor.get("/staff/media" + query).status_code == 200


# ---- An image's page, its words and its file ----


def test_detail_full_page_and_fragment(app, editor):
    media = add_media(app, alt="A lake at dawn")
    with app.app_context():
        article_id = make_article(title="Dawn", body=f"![x](/media/{media.id})").id
    full = editor.get(f"/staff/media/{media.id}")
    page = text_of(full)
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert "1200 × 800 pixels" in page
    assert "JPEG, and WebP" in page
    assert "kB" in page  # upload and stored sizes, human-readable
    assert "480 × 320" in page and "960 × 640" in page and "1200 × 800" in page
    assert f'value="/media/{media.id}"' in page
    assert f'value="![A lake at dawn](/media/{media.id})"' in page
    assert f'href="/staff/articles/{article_id}/edit">Dawn</a>' in page
    assert 'alt="A lake at dawn"' in page
    assert "HX-Request" in full.headers["Vary"]
    fragment = editor.get(f"/staff/media/{media.id}", headers=HTMX)
    assert fragment.get_data(as_text=True).startswith('<div id="media-detail"')
    assert "HX-Request" in fragment.headers["Vary"]
    assert editor.get("/staff/media/99999").status_code == 404


def test_update_alt_and_caption_rerenders_articles(app, editor):
    media = add_media(app, alt="Old words")
    with app.app_context():
        article_id = make_article(body=f"Look:\n\n![](/media/{media.id})\n").id
        db.session.execute(
            update(Article)
            .where(Article.id == article_id)
            .values(updated_at=utcnow() - timedelta(days=3))
        )
        db.session.commit()
        before = db.session.get(Article, article_id).updated_at
    response = editor.post(
        f"/staff/media/{media.id}",
        data={"alt": "  A heron standing in reeds ", "caption": "Spring"},
        headers=HTMX,
    )
    assert response.status_code == 200
    page = text_of(response)
    assert page.startswith('<form id="media-describe"')
    assert "Saved. 1 article shows the new words." in page
    assert "HX-Request" in response.headers["Vary"]
    with app.app_context():
        saved = db.session.get(Media, media.id)
        assert (saved.alt, saved.caption) == ("A heron standing in reeds", "Spring")
        article = db.session.get(Article, article_id)
        assert 'alt="A heron standing in reeds"' in article.body_html
        assert article.updated_at > before
    plain = editor.post(
        f"/staff/media/{media.id}", data={"alt": "Plain", "caption": ""}
    )
    assert plain.status_code == 303
    assert plain.headers["Location"] == f"/staff/media/{media.id}"


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_update_too_long_is_422(app, editor, htmx):
    media = add_media(app, alt="Kept")
    response = editor.post(
        f"/staff/media/{media.id}",
        data={"alt": "x" * 501, "caption": ""},
        headers=HTMX if htmx else {},
    )
    assert response.status_code == 422
    assert "Not saved" in text_of(response)
    with app.app_context():
        assert db.session.get(Media, media.id).alt == "Kept"


def test_replace_keeps_the_id_and_changes_the_files(app, editor):
    media = add_media(app, alt="Same words")
    with app.app_context():
        article_id = make_article(body=f"![x](/media/{media.id})").id
    old_files = files_of(app, media.id)
    assert old_files <= media_files(app)
    new = image_bytes("PNG", (640, 480), (200, 30, 30))
    response = editor.post(
        f"/staff/media/{media.id}/replace",
        data={"file": (io.BytesIO(new), "new.png")},
        content_type="multipart/form-data",
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response.get_data(as_text=True).startswith('<div id="media-detail"')
    assert "HX-Request" in response.headers["Vary"]
    assert "Replaced the file" in text_of(response)
    with app.app_context():
        replaced = db.session.get(Media, media.id)
        assert (replaced.width, replaced.height, replaced.format) == (640, 480, "png")
        assert replaced.alt == "Same words"
        assert replaced.filename == "new.png"
        assert str(replaced.id) in db.session.get(Article, article_id).body_html
    new_files = files_of(app, media.id)
    assert new_files and not new_files & old_files
    assert media_files(app) == new_files  # the old files are gone
    plain = editor.post(
        f"/staff/media/{media.id}/replace",
        data={"file": (io.BytesIO(image_bytes("WEBP", (300, 200))), "w.webp")},
        content_type="multipart/form-data",
    )
    assert plain.status_code == 303


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(
    ("data", "settings", "status", "message"),
    [
        (b"not an image", {}, 422, "not an image Folio can read"),
        (image_bytes("PNG", (64, 48)) + b"<html>", {}, 422, "other data after"),
        (b"\x00" * 2_000_000, {"MEDIA_MAX_MB": 1}, 413, "larger than 1 MB"),
        (b"", {}, 422, "The file is empty"),
    ],
)
def test_replace_with_a_bad_file_changes_nothing(
    make_app, data, settings, status, message, htmx
):
    app = make_app(**settings)
    client, _ = staff_client(app, Role.EDITOR)
    media = add_media(app, image_bytes(size=(400, 300)))
    before = media_files(app)
    response = client.post(
        f"/staff/media/{media.id}/replace",
        data={"file": (io.BytesIO(data), "bad.png")},
        content_type="multipart/form-data",
        headers=HTMX if htmx else {},
    )
    assert response.status_code == status
    page = text_of(response)
    assert message in page
    assert "The file was not replaced." in page
    if htmx:
        assert page.startswith('<form id="media-replace"')
        assert response.headers["HX-Retarget"] == "#media-replace"
    else:
        assert page.lstrip().lower().startswith("<!doctype html>")
    assert media_files(app) == before
    with app.app_context():
        assert db.session.get(Media, media.id).sha256 == media.sha256


def test_replace_with_a_file_already_in_the_library(app, editor):
    media = add_media(app)
    response = editor.post(
        f"/staff/media/{media.id}/replace",
        data={"file": (io.BytesIO(image_bytes()), "same.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "already in the library" in text_of(response)


# ---- Delete ----


def test_delete_unused_image(app, editor):
    media = add_media(app)
    files = files_of(app, media.id)
    assert files <= media_files(app)
    confirm = editor.get(f"/staff/media/{media.id}/delete")
    assert confirm.status_code == 200
    assert "Delete permanently" in text_of(confirm)
    response = editor.post(f"/staff/media/{media.id}/delete")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/media"
    with app.app_context():
        assert db.session.get(Media, media.id) is None
    assert media_files(app) == set()
    assert editor.get(f"/staff/media/{media.id}").status_code == 404


@pytest.mark.parametrize("use", ["body", "cover"])
def test_delete_is_refused_while_used(app, editor, use):
    media = add_media(app)
    with app.app_context():
        article_id = make_article(title="Uses it", body="Text.").id
    if use == "body":
        with app.app_context():
            row = db.session.get(Article, article_id)
            set_body(row, f"![x](/media/{media.id})")
            db.session.commit()
    else:
        editor.post(f"/staff/articles/{article_id}/cover", data={"media_id": media.id})
    confirm = editor.get(f"/staff/media/{media.id}/delete")
    page = text_of(confirm)
    assert "is in use" in page
    assert f'href="/staff/articles/{article_id}/edit">Uses it</a>' in page
    assert "Delete permanently" not in page
    response = editor.post(f"/staff/media/{media.id}/delete")
    assert response.status_code == 409
    assert "Uses it" in text_of(response)
    with app.app_context():
        assert db.session.get(Media, media.id) is not None
    assert files_of(app, media.id) <= media_files(app)


# ---- Covers and the picker ----


def test_picker_full_page_and_fragment(app, editor):
    media = add_media(app)
    failed = make_rows(app, 1, filename="broken.jpg", status=MediaStatus.FAILED)[0]
    with app.app_context():
        article_id = make_article(title="Needs a cover").id
    full = editor.get(f"/staff/media/picker?article_id={article_id}")
    page = text_of(full)
    assert full.status_code == 200
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert 'id="cover-field"' in page and "No cover image" in page
    assert f'name="media_id" value="{media.id}"' in page
    assert f'name="media_id" value="{failed}"' not in page
    assert 'name="article_id" value="' in page and 'name="use" value="cover"' in page
    fragment = editor.get(
        f"/staff/media/picker?article_id={article_id}&q=photo", headers=HTMX
    )
    assert fragment.get_data(as_text=True).startswith('<div id="media-picker"')
    assert 'id="cover-field"' not in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]
    for query in (
        "",
        "?article_id=99999",
        "?article_id=abc",
        "?article_id=" + "9" * 20,
    ):
        assert editor.get("/staff/media/picker" + query).status_code == 404


def test_cover_set_and_removed(app, editor):
    media = add_media(app, alt="A red door")
    body_image = add_media(app, image_bytes(colour=(9, 9, 9)), "body.jpg")
    with app.app_context():
        article_id = make_article(body=f"![x](/media/{body_image.id})").id
        db.session.execute(
            update(Article)
            .where(Article.id == article_id)
            .values(updated_at=utcnow() - timedelta(days=1))
        )
        db.session.commit()
        before = db.session.get(Article, article_id).updated_at
    response = editor.post(
        f"/staff/articles/{article_id}/cover", data={"media_id": media.id}, headers=HTMX
    )
    assert response.status_code == 200
    page = text_of(response)
    assert page.startswith('<div id="cover-field"')
    assert 'alt="A red door"' in page and "Cover image set." in page
    assert "HX-Request" in response.headers["Vary"]
    with app.app_context():
        saved = db.session.get(Article, article_id)
        assert saved.cover_id == media.id
        assert {m.id for m in saved.images} == {media.id, body_image.id}
        assert saved.updated_at > before
    removed = editor.post(f"/staff/articles/{article_id}/cover", data={"remove": "1"})
    assert removed.status_code == 303
    assert removed.headers["Location"] == f"/staff/articles/{article_id}/edit"
    with app.app_context():
        saved = db.session.get(Article, article_id)
        assert saved.cover_id is None
        assert {m.id for m in saved.images} == {body_image.id}


def test_cover_refusals(app, editor):
    media = add_media(app)
    failed = make_rows(app, 1, status=MediaStatus.FAILED)[0]
    with app.app_context():
        article_id = make_article().id
    url = f"/staff/articles/{article_id}/cover"
    assert editor.post(url, data={"media_id": 99_999}).status_code == 404
    assert editor.post(url, data={"media_id": failed}).status_code == 404
    assert (
        editor.post(
            "/staff/articles/99999/cover", data={"media_id": media.id}
        ).status_code
        == 404
    )
    missing = editor.post(url, data={}, headers=HTMX)
    assert missing.status_code == 422
    assert "Choose an image for the cover." in text_of(missing)
    assert missing.get_data(as_text=True).startswith('<div id="cover-field"')
    plain = editor.post(url, data={"media_id": "abc"})
    assert plain.status_code == 422
    assert "<!doctype html>" in plain.get_data(as_text=True).lower()
    with app.app_context():
        assert db.session.get(Article, article_id).cover_id is None


# ---- Who may ----

ENDPOINTS = [
    ("GET", "/staff/media"),
    ("POST", "/staff/media"),
    ("GET", "/staff/media/{media}"),
    ("GET", "/staff/media/{media}/card"),
    ("POST", "/staff/media/{media}"),
    ("POST", "/staff/media/{media}/replace"),
    ("GET", "/staff/media/{media}/delete"),
    ("POST", "/staff/media/{media}/delete"),
    ("GET", "/staff/media/picker?article_id={article}"),
    ("POST", "/staff/articles/{article}/cover"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_moderators_are_forbidden(app, method, path):
    media = add_media(app)
    with app.app_context():
        article_id = make_article().id
    client, _ = staff_client(app, Role.MODERATOR)
    url = path.format(media=media.id, article=article_id)
    for headers in ({}, HTMX):
        assert client.open(url, method=method, headers=headers).status_code == 403
    anonymous = app.test_client().open(url, method=method)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/staff/login")
    with app.app_context():
        assert db.session.get(Media, media.id) is not None


def test_markdown_of_an_alt_with_brackets(app, editor):
    media = add_media(app, alt="A [bracketed] \\ word]")
    page = editor.get("/staff/media").get_data(as_text=True)
    expected = f"![A \\[bracketed\\] \\\\ word\\]](/media/{media.id})"
    assert f'data-markdown="{expected}"' in page
