"""The settings' images: chosen from the library, shown to readers, protected from deletion."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from blueprints.media.library import describe
from models import AuditAction
from models import AuditEvent
from models import Media
from models import Role
from models import db
from storage import sqlcount
from tests.support.factories import make_article
from tests.support.images import add_media
from tests.support.images import image_bytes
from tests.support.staff_support import staff_client
from web.site_settings import site_settings


def _choose(client, use: str, media_id: int | str, headers=None):
    return client.post(
        f"/staff/settings/images/{use}",
        data={"media_id": str(media_id)},
        headers=headers or {},
    )


def _audit(app) -> list[str]:
    with app.app_context():
        query = select(AuditEvent.detail).where(
            AuditEvent.action == AuditAction.SETTINGS_CHANGED.value
        )
        return list(db.session.scalars(query))


def _version(app) -> int:
    with app.app_context():
        return site_settings().version


def test_picker_lists_library_images_to_use_as_logo(app, htmx_headers):
    media = add_media(app, filename="mark.jpg")
    client, _ = staff_client(app)
    html = client.get("/staff/media/picker?use=logo").text
    assert "<title>Logo for “Folio” · Folio</title>" in html
    assert f'name="media_id" value="{media.id}"' in html
    assert 'action="/staff/settings/images/logo"' in html
    assert 'name="use" value="logo"' in html  # the search and the upload keep it
    assert "Use as logo<span" in html
    assert "Back to the settings" in html
    fragment = client.get(
        "/staff/media/picker?use=logo&q=mark", headers=htmx_headers
    ).text
    assert fragment.lstrip().startswith('<div id="media-picker"')


@pytest.mark.parametrize("use", ["banner", "LOGO_MEDIA_ID", "cover", "avatar"])
def test_unknown_image_setting_is_404(app, use):
    client, _ = staff_client(app)
    assert _choose(client, use, 1).status_code == 404
    if use != "cover" and use != "avatar":
        assert client.get(f"/staff/media/picker?use={use}").status_code == 404


def test_choosing_a_logo_shows_it_in_the_header(app):
    media = add_media(app, filename="mark.jpg")
    client, _ = staff_client(app)
    response = _choose(client, "logo", media.id)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/settings#images"
    assert app.config["LOGO_MEDIA_ID"] == media.id
    assert _audit(app) == [f"logo: none → #{media.id} mark.jpg"]
    html = app.test_client().get("/").text
    header = html[
        html.index('class="site-title"') : html.index(
            "</a>", html.index('class="site-title"')
        )
    ]
    assert 'class="site-logo"' in header and 'alt=""' in header
    assert "site-mark" not in header
    settings = client.get("/staff/settings").text
    assert "Logo set." in settings and ">mark.jpg</a>" in settings


def test_favicon_links_a_small_size(app):
    media = add_media(app, data=image_bytes("PNG", (512, 512)), filename="icon.png")
    client, _ = staff_client(app)
    _choose(client, "favicon", media.id)
    html = app.test_client().get("/").text
    assert '<link rel="icon" href="/media/' in html
    assert 'favicon.svg" type="image/svg+xml"' not in html


def test_social_image_is_the_preview_without_a_cover(app):
    media = add_media(app, filename="share.jpg", alt="Our office")
    with app.app_context():
        make_article(slug="hello", title="Hello")
    client, _ = staff_client(app)
    _choose(client, "site-social", media.id)
    reader = app.test_client()
    for path in ("/", "/articles/hello"):
        html = reader.get(path).text
        assert '<meta property="og:image" content="http://localhost/media/' in html
        assert '<meta property="og:image:alt" content="Our office">' in html


def test_a_setting_image_cannot_be_deleted(app):
    media = add_media(app, filename="mark.jpg")
    client, _ = staff_client(app)
    _choose(client, "logo", media.id)
    response = client.post(f"/staff/media/{media.id}/delete")
    assert response.status_code == 409
    assert "settings show it as its logo" in response.text
    assert (
        'Site settings</a> <span class="state">Logo</span>'
        in client.get(f"/staff/media/{media.id}").text
    )
    client.post("/staff/settings/images/logo", data={"remove": "1"})
    assert app.config["LOGO_MEDIA_ID"] == 0
    assert client.post(f"/staff/media/{media.id}/delete").status_code == 303
    with app.app_context():
        assert db.session.get(Media, media.id) is None


@pytest.mark.parametrize(
    ("media_id", "status"),
    [("", 422), ("0", 422), ("-1", 422), ("abc", 422), ("99999999999", 422)]
    + [("424242", 404)],
)
def test_bad_choice_is_refused_and_nothing_saved(app, media_id, status):
    client, _ = staff_client(app)
    response = _choose(client, "logo", media_id)
    assert response.status_code == status
    assert app.config["LOGO_MEDIA_ID"] == 0
    assert _audit(app) == []


def test_locked_image_is_read_only_and_refused(make_app, monkeypatch):
    monkeypatch.setenv("FOLIO_LOGO_MEDIA_ID", "0")
    app = make_app()
    media = add_media(app)
    client, _ = staff_client(app)
    assert (
        "Set by <code>FOLIO_LOGO_MEDIA_ID</code>" in client.get("/staff/settings").text
    )
    assert _choose(client, "logo", media.id).status_code == 409
    assert client.get("/staff/media/picker?use=logo").status_code == 409
    assert app.config["LOGO_MEDIA_ID"] == 0


def test_describing_a_setting_image_moves_the_settings_version(app):
    media = add_media(app)
    other = add_media(app, data=image_bytes(colour=(10, 10, 10)))
    client, _ = staff_client(app)
    _choose(client, "site-social", media.id)
    before = _version(app)
    with app.app_context():
        describe(db.session.get(Media, other.id), "Unrelated")
    app.test_client().get("/")
    assert _version(app) == before
    with app.app_context():
        describe(db.session.get(Media, media.id), "New words")
    reader = app.test_client()
    html = reader.get("/").text
    assert _version(app) == before + 1
    assert '<meta property="og:image:alt" content="New words">' in html


def test_settings_images_cost_cached_pages_nothing(app):
    media = add_media(app)
    with app.app_context():
        make_article(slug="hello", title="Hello")
    client, _ = staff_client(app)
    _choose(client, "logo", media.id)
    _choose(client, "site-social", media.id)
    app.test_client().get("/articles/hello")
    with sqlcount.count_statements(app) as log:
        html = app.test_client().get("/articles/hello").text
    assert len(log) == 1
    assert 'class="site-logo"' in html


def test_htmx_choice_answers_the_field_in_place(app, htmx_headers):
    media = add_media(app, filename="mark.jpg")
    client, _ = staff_client(app)
    response = _choose(client, "favicon", media.id, htmx_headers)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="favicon-field"')
    assert "data-autofocus>Favicon set.</p>" in html
    removed = client.post(
        "/staff/settings/images/favicon", data={"remove": "1"}, headers=htmx_headers
    )
    assert "data-autofocus>Favicon removed.</p>" in removed.text
    assert app.config["FAVICON_MEDIA_ID"] == 0


def test_upload_on_the_picker_becomes_the_logo(app):
    client, _ = staff_client(app)
    response = client.post(
        "/staff/media",
        data={"use": "logo", "file": (io.BytesIO(image_bytes()), "new.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/settings#images"
    assert app.config["LOGO_MEDIA_ID"] > 0


def test_editors_may_not_choose_site_images(app):
    media = add_media(app)
    client, _ = staff_client(app, role=Role.EDITOR)
    assert client.get("/staff/media/picker?use=logo").status_code == 403
    upload = client.post(
        "/staff/media",
        data={"use": "logo", "file": (io.BytesIO(image_bytes()), "new.jpg")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 403
    assert _choose(client, "logo", media.id).status_code == 403
    assert app.config["LOGO_MEDIA_ID"] == 0
