"""Library images in article bodies and as <picture>: sizes, alt text, figures, external images."""

import io
import zipfile

import pytest
from flask import url_for
from PIL import Image

from blueprints.articles.publishing import render_body
from blueprints.articles.publishing import rerender_articles_showing
from blueprints.media.containers import extra_bytes
from blueprints.media.pictures import MEDIA_PATH
from blueprints.media.pictures import Picture
from blueprints.media.pictures import load_pictures
from models import Article
from models import Media
from models import db
from storage.sqlcount import count_statements
from storage.transactions import write_transaction
from tests.support.factories import make_article
from tests.support.images import add_media
from tests.support.images import image_bytes


def test_media_path_is_the_file_route(app):
    media = add_media(app)
    with app.test_request_context():
        key = Picture.of(media).url(480, "webp")[len(MEDIA_PATH) :]
        assert url_for("media.file", key=key) == MEDIA_PATH + key


def test_library_image_renders_as_picture_with_sizes(app):
    media = add_media(app, image_bytes("JPEG", (2000, 1000)), alt="A wide field")
    with app.app_context():
        html = render_body(f"![](/media/{media.id})").html
    assert html.startswith('<p><picture><source type="image/webp"')
    for width in (480, 960, 1600, 2000):
        assert f"-{width}.webp {width}w" in html
        assert f"-{width}.jpg {width}w" in html
    assert 'alt="A wide field"' in html
    assert 'width="2000" height="1000"' in html
    assert 'loading="lazy"' in html
    assert "sizes=" in html


def test_markdown_alt_wins_and_is_escaped(app):
    media = add_media(app, alt="Library words")
    with app.app_context():
        html = render_body(f'![Own "words" <b>](/media/{media.id})').html
    assert (
        'alt="Own &#34;words&#34; &lt;b&gt;"' in html
        or 'alt="Own &quot;words&quot; &lt;b&gt;"' in html
    )
    assert "Library words" not in html


def test_captioned_image_alone_is_a_figure(app):
    media = add_media(app, alt="Harbour")
    with app.app_context():
        with write_transaction():
            db.session.get(Media, media.id).caption = "The harbour at <dawn>"
        alone = render_body(f"![](/media/{media.id})").html
        inline = render_body(f"Look: ![](/media/{media.id}) there").html
    assert alone.startswith('<figure class="figure"><picture>')
    assert "<figcaption>The harbour at &lt;dawn&gt;</figcaption></figure>" in alone
    assert "<figure" not in inline and "<p>Look: <picture>" in inline


def test_images_without_alt_are_listed_for_the_editor(app):
    media = add_media(app, alt="")
    with app.app_context():
        rendered = render_body(
            f"![](/media/{media.id})\n\n![described](/media/{media.id})\n\n![](/elsewhere.png)"
        )
    assert rendered.missing_alt == [f"![](/media/{media.id})", "![](/elsewhere.png)"]
    assert rendered.media_ids == {media.id}


def test_external_image_is_a_link_for_readers_and_a_note_in_the_preview(app):
    with app.app_context():
        public = render_body("![A chart](https://images.example.com/c.png)").html
        preview = render_body(
            "![A chart](https://images.example.com/c.png)", preview=True
        ).html
    assert "<img" not in public
    assert (
        'href="https://images.example.com/c.png"' in public and ">A chart</a>" in public
    )
    assert "<img" not in preview
    assert "images.example.com will not show" in preview
    assert "FOLIO_IMAGE_HOSTS" in preview


def test_allowed_image_host_shows_and_joins_the_csp(make_app):
    app = make_app(IMAGE_HOSTS=["images.example.com"])
    with app.app_context():
        html = render_body("![A chart](https://images.example.com/c.png)").html
        plain_http = render_body("![A chart](http://images.example.com/c.png)").html
    assert '<img src="https://images.example.com/c.png"' in html
    assert 'referrerpolicy="no-referrer"' in html
    assert "<img" not in plain_http
    policy = app.test_client().get("/healthz").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://images.example.com;" in policy


def test_default_csp_allows_no_other_image_host(client):
    policy = client.get("/healthz").headers["Content-Security-Policy"]
    assert "img-src 'self' data:;" in policy


def test_unknown_library_id_is_not_an_image(app):
    with app.app_context():
        public = render_body("![gone](/media/999)").html
        preview = render_body("![gone](/media/999)", preview=True).html
    assert "<img" not in public and "gone" in public
    assert "not in the media library" in preview


def test_pictures_load_in_one_query(app):
    ids = [add_media(app, image_bytes(size=(300 + i, 200))).id for i in range(5)]
    with app.app_context(), count_statements(app) as statements:
        pictures = load_pictures(ids + [12345])
    assert sorted(pictures) == sorted(ids)
    assert len(statements) == 1


def test_saving_a_body_records_its_images_and_a_change_renders_it_again(app):
    media = add_media(app, alt="Before")
    with app.app_context():
        article = make_article(title="Pictured", body=f"![](/media/{media.id})")
        with write_transaction():
            article = db.session.get(Article, article.id)
            from blueprints.articles.publishing import set_body

            set_body(article, article.body)
        assert [m.id for m in db.session.get(Article, article.id).images] == [media.id]
        before = db.session.get(Article, article.id).updated_at
        with write_transaction():
            db.session.get(Media, media.id).alt = "After"
            rerender_articles_showing(media.id)
        article = db.session.get(Article, article.id)
        assert 'alt="After"' in article.body_html
        assert article.updated_at > before


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP", "AVIF"])
def test_clean_files_have_nothing_after_the_image(fmt):
    assert extra_bytes(fmt, image_bytes(fmt, (120, 80))) == 0


def test_jpeg_with_an_exif_thumbnail_is_not_a_polyglot():
    thumb = io.BytesIO()
    Image.new("RGB", (32, 32), (1, 2, 3)).save(thumb, "JPEG")
    data = image_bytes("JPEG", (300, 200), exif={0x010F: "Camera", 0x0112: 1})
    progressive = io.BytesIO()
    Image.open(io.BytesIO(data)).save(progressive, "JPEG", progressive=True)
    assert extra_bytes("JPEG", data) == 0
    assert extra_bytes("JPEG", progressive.getvalue()) == 0
    assert extra_bytes("JPEG", data + b"\x00\x00") == 0  # padding


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP", "AVIF"])
def test_appended_archive_or_page_is_found(fmt):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("evil.html", "<script>alert(1)</script>")
    data = image_bytes(fmt, (120, 80))
    assert extra_bytes(fmt, data + archive.getvalue()) == len(archive.getvalue())
    assert extra_bytes(fmt, data + b"<html><script>x</script>") > 0


def test_a_body_rendered_before_an_image_changed_is_rendered_again_on_save(app):
    from blueprints.articles.publishing import set_body

    media = add_media(app, alt="Old words")
    body = f"![](/media/{media.id})"
    with app.app_context():
        rendered = render_body(body)  # before the write lock, as the editor does
        with write_transaction():
            db.session.get(Media, media.id).alt = "New words"
        article = make_article(title="Raced", body="Text.")
        with write_transaction():
            article = db.session.get(Article, article.id)
            set_body(article, body, rendered)
        html = db.session.get(Article, article.id).body_html
    assert 'alt="New words"' in html and "Old words" not in html


def test_an_unchanged_render_is_stored_as_it_is(app):
    from blueprints.articles.publishing import set_body

    media = add_media(app, alt="Same")
    body = f"![](/media/{media.id})"
    with app.app_context():
        rendered = render_body(body)
        rendered.html += "<!-- kept -->"
        article = make_article(title="Kept", body="Text.")
        with write_transaction():
            article = db.session.get(Article, article.id)
            set_body(article, body, rendered)
        assert db.session.get(Article, article.id).body_html.endswith("<!-- kept -->")
