"""Profiles: everyone edits their own, admins anyone's; the avatar through the picker."""

from __future__ import annotations

import io
import re

import pytest

from models import Role
from models import User
from models import db
from tests.support.factories import make_article
from tests.support.factories import make_user
from tests.support.images import add_media
from tests.support.images import image_bytes
from tests.support.staff_support import sign_in_as
from tests.support.staff_support import staff_client

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/staff/profile"}


def _data(**overrides) -> dict:
    data = {
        "display_name": "Ada Lovelace",
        "slug": "ada",
        "bio": "I write about *engines*. [More](https://ada.example/more)",
        "website": "https://ada.example/",
    }
    data.update(overrides)
    return data


def _user(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_its_own_profile(app, role):
    client, user_id = staff_client(app, role, display_name="Pat Doe")
    response = client.get("/staff/profile")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert '<h1 class="page-title">Your profile</h1>' in html
    assert 'name="display_name" required type="text" value="Pat Doe"' in html
    assert 'value="pat-doe"' in html and "/authors/pat-doe" in html
    assert 'aria-current="page"' in html[html.index("Your profile</span>") - 300 :]
    # Only editors and admins can use the library for an avatar.
    assert ('id="avatar-field"' in html) is (role != Role.MODERATOR)


def test_saving_a_profile_plain_and_with_htmx(app):
    client, user_id = staff_client(app, Role.MODERATOR)
    response = client.post("/staff/profile", data=_data())
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/profile"
    saved = _user(app, user_id)
    assert (saved.display_name, saved.slug) == ("Ada Lovelace", "ada")
    assert saved.website == "https://ada.example/"
    assert saved.bio.startswith("I write about *engines*.")
    assert saved.bio_html == (
        '<p>I write about <em>engines</em>. <a rel="nofollow noopener" '
        'href="https://ada.example/more">More</a></p>\n'
    )
    again = client.post(
        "/staff/profile", data=_data(display_name="Ada King"), headers=HTMX
    )
    assert again.status_code == 200
    html = again.get_data(as_text=True)
    assert html.startswith('<form id="profile-form"')
    assert "HX-Request" in again.headers["Vary"]
    assert "Saved." in html and "data-autofocus" in html
    assert _user(app, user_id).display_name == "Ada King"


def test_bio_is_sanitized_and_keeps_no_headings_or_images(app):
    client, user_id = staff_client(app)
    bio = "# Big\n\n<script>alert(1)</script> ![x](/media/1) [x](javascript:alert(1))"
    assert client.post("/staff/profile", data=_data(bio=bio)).status_code == 303
    html = _user(app, user_id).bio_html
    assert "<script" not in html and "<h" not in html and "<img" not in html
    assert "javascript:" not in html.replace("[x](javascript:alert(1))", "")
    assert 'href="javascript' not in html


def test_empty_address_is_made_from_the_name(app):
    client, user_id = staff_client(app)
    with app.app_context():
        make_user(display_name="Grace Hopper")  # has grace-hopper
    client.post("/staff/profile", data=_data(display_name="Grace Hopper", slug=""))
    assert _user(app, user_id).slug == "grace-hopper-2"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("display_name", "", "Enter the name readers see."),
        ("display_name", "n" * 101, "at most 100"),
        ("website", "javascript:alert(1)", "starting with http:// or https://"),
        ("website", "ftp://files.example/", "starting with http:// or https://"),
        ("website", "ada.example", "starting with http:// or https://"),
        ("website", "https://", "starting with http:// or https://"),
        ("website", "https://a.example/" + "x" * 200, "at most 200"),
        ("bio", "b" * 1001, "under 1,000 characters"),
        ("slug", "Not A Slug", "lower-case letters"),
        ("slug", "a--b", "lower-case letters"),
        ("slug", "feed", "kept for the site"),
        ("slug", "staff", "kept for the site"),
        ("slug", "taken-name", "Another author has this address"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_bad_input_is_422_and_nothing_is_saved(app, field, value, message, htmx):
    client, user_id = staff_client(app, Role.EDITOR, display_name="Before")
    with app.app_context():
        make_user(display_name="Taken Name")
    response = client.post(
        "/staff/profile",
        data=_data(**{field: value}),
        headers=HTMX if htmx else {},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'aria-invalid="true"' in html
    assert "Not saved: check the fields marked above." in html
    assert html.startswith('<form id="profile-form"') is htmx
    user = _user(app, user_id)
    assert (user.display_name, user.slug, user.bio) == ("Before", "before", "")


def test_admin_edits_anyones_profile_from_the_accounts_page(app):
    admin, _ = staff_client(app, Role.ADMIN)
    with app.app_context():
        other = _user(app, make_user(role=Role.EDITOR, display_name="Ed Itor").id)
    accounts = admin.get("/staff/users").get_data(as_text=True)
    assert f'href="/staff/users/{other.id}/profile"' in accounts
    page = admin.get(f"/staff/users/{other.id}/profile")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(
        r'<h1 class="page-title">(<bdi[^>]*>)?Ed Itor(<\/bdi>)?<\/h1>', html
    )
    assert f'action="/staff/users/{other.id}/profile"' in html
    assert f'action="/staff/users/{other.id}/avatar"' not in html  # no avatar yet
    assert f"use=avatar&amp;user_id={other.id}" in html
    response = admin.post(
        f"/staff/users/{other.id}/profile", data=_data(display_name="Ed Renamed")
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/users/{other.id}/profile"
    assert _user(app, other.id).display_name == "Ed Renamed"
    assert admin.get("/staff/users/99999/profile").status_code == 404
    assert admin.post("/staff/users/99999/profile", data=_data()).status_code == 404


def test_profile_links_to_the_author_page_once_there_is_one(app):
    client, user_id = staff_client(app, Role.EDITOR, display_name="Writer One")
    assert "View the author page" not in client.get("/staff/profile").text
    with app.app_context():
        make_article(author=db.session.get(User, user_id))
    html = client.get("/staff/profile").get_data(as_text=True)
    assert '<a class="button button-secondary" href="/authors/writer-one">' in html


def test_renaming_shows_on_the_public_pages_at_once(app):
    client, user_id = staff_client(app, Role.EDITOR, display_name="Old Name")
    with app.app_context():
        make_article(slug="hello", author=db.session.get(User, user_id))
    reader = app.test_client()
    assert "Old Name" in reader.get("/articles/hello").text  # cached now
    assert reader.get("/authors/old-name").status_code == 200
    client.post("/staff/profile", data=_data(display_name="New Name", slug=""))
    page = reader.get("/articles/hello").text
    assert "New Name" in page and 'href="/authors/new-name"' in page
    assert reader.get("/authors/new-name").status_code == 200
    assert reader.get("/authors/old-name").status_code == 404


# ---- The avatar ----


def test_choosing_and_removing_an_avatar(app):
    client, user_id = staff_client(app, Role.EDITOR)
    media = add_media(app, image_bytes("PNG", (300, 300)), "me.png", "Me")
    picker = client.get(f"/staff/media/picker?use=avatar&user_id={user_id}")
    assert picker.status_code == 200
    html = picker.get_data(as_text=True)
    assert 'id="avatar-field"' in html and "Use as avatar" in html
    assert 'name="use" value="avatar"' in html
    assert 'href="/staff/profile">Back to the profile' in html
    response = client.post(
        f"/staff/users/{user_id}/avatar", data={"media_id": media.id}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/profile"
    assert _user(app, user_id).avatar_id == media.id
    refused = client.post(f"/staff/media/{media.id}/delete")
    assert refused.status_code == 409
    assert "Avatar" in refused.get_data(as_text=True)
    removed = client.post(
        f"/staff/users/{user_id}/avatar", data={"remove": "1"}, headers=HTMX
    )
    assert removed.status_code == 200
    assert removed.get_data(as_text=True).startswith('<div id="avatar-field"')
    assert "Avatar removed." in removed.get_data(as_text=True)
    assert _user(app, user_id).avatar_id is None


def test_an_upload_can_become_the_avatar(app):
    client, user_id = staff_client(app, Role.EDITOR)
    response = client.post(
        "/staff/media",
        data={
            "file": (io.BytesIO(image_bytes("PNG", (200, 200))), "face.png"),
            "use": "avatar",
            "user_id": str(user_id),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/profile"
    assert _user(app, user_id).avatar_id is not None


def test_editors_choose_only_their_own_avatar(app):
    client, _ = staff_client(app, Role.EDITOR)
    media = add_media(app)
    with app.app_context():
        other = _user(app, make_user(role=Role.EDITOR).id)
    for method, url, data in (
        ("POST", f"/staff/users/{other.id}/avatar", {"media_id": media.id}),
        ("GET", f"/staff/media/picker?use=avatar&user_id={other.id}", None),
    ):
        assert client.open(url, method=method, data=data).status_code == 403
    upload = client.post(
        "/staff/media",
        data={
            "file": (io.BytesIO(image_bytes("PNG", (64, 64))), "x.png"),
            "use": "avatar",
            "user_id": str(other.id),
        },
        content_type="multipart/form-data",
    )
    assert upload.status_code == 403
    assert _user(app, other.id).avatar_id is None


def test_admin_chooses_anyones_avatar(app):
    admin, _ = staff_client(app, Role.ADMIN)
    media = add_media(app)
    with app.app_context():
        other = _user(app, make_user(role=Role.MODERATOR).id)
    response = admin.post(
        f"/staff/users/{other.id}/avatar", data={"media_id": media.id}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/users/{other.id}/profile"
    assert _user(app, other.id).avatar_id == media.id
    assert (
        admin.post("/staff/users/99999/avatar", data={"remove": "1"}).status_code == 404
    )
    missing = admin.post(f"/staff/users/{other.id}/avatar", data={}, headers=HTMX)
    assert missing.status_code == 422
    assert "Choose an image for the avatar." in missing.get_data(as_text=True)


def test_moderators_cannot_open_the_library_for_an_avatar(app):
    client, user_id = staff_client(app, Role.MODERATOR)
    media = add_media(app)
    url = f"/staff/users/{user_id}/avatar"
    assert client.post(url, data={"media_id": media.id}).status_code == 403
    assert (
        client.get(f"/staff/media/picker?use=avatar&user_id={user_id}").status_code
        == 403
    )


def test_signed_out_visitors_go_to_sign_in(app):
    with app.app_context():
        user = _user(app, make_user().id)
    client = app.test_client()
    for method, url in (
        ("GET", "/staff/profile"),
        ("POST", "/staff/profile"),
        ("GET", f"/staff/users/{user.id}/profile"),
        ("POST", f"/staff/users/{user.id}/avatar"),
    ):
        response = client.open(url, method=method)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/staff/login")
    sign_in_as(client, user)
    assert client.get("/staff/profile").status_code == 200
