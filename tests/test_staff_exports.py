"""Staff → Settings → Export your site: admins download the whole site."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from lxml import etree
from sqlalchemy import select

from models import AuditEvent
from models import Role
from models import db
from tests.support.sample_site import build_site
from tests.support.staff_support import staff_client


@pytest.mark.parametrize("kind", ["json", "zip", "wordpress"])
def test_export_download_admin_gets_the_file(app, kind):
    build_site(app)
    client, _ = staff_client(app)
    response = client.get(f"/staff/settings/export/{kind}")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=folio-")
    body = response.get_data()
    if kind == "json":
        assert disposition.endswith(".json")
        assert json.loads(body)["format"] == "folio"
    elif kind == "zip":
        assert disposition.endswith(".zip")
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            names = archive.namelist()
            assert json.loads(archive.read("site.json"))["version"] == 1
        assert any(name.startswith("media/") for name in names)
    else:
        assert disposition.endswith("-wordpress.xml")
        assert etree.fromstring(body).find("channel/title").text == "Acme notes"


def test_export_download_is_audited(app):
    client, user_id = staff_client(app)
    client.get("/staff/settings/export/zip").get_data()
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "site-exported")
        )
        assert event.actor_id == user_id and event.detail == "JSON with media"


@pytest.mark.parametrize("role", [Role.EDITOR, Role.MODERATOR])
def test_export_download_refuses_other_staff(app, role):
    client, _ = staff_client(app, role=role)
    assert client.get("/staff/settings/export/json").status_code == 403


def test_export_download_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/staff/settings/export/json")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_export_download_unknown_kind_is_404(app):
    client, _ = staff_client(app)
    assert client.get("/staff/settings/export/csv").status_code == 404


def test_settings_page_links_the_downloads(app):
    client, _ = staff_client(app)
    page = client.get("/staff/settings").get_data(as_text=True)
    assert 'id="site-export"' in page
    for kind in ("json", "zip", "wordpress"):
        assert f'href="/staff/settings/export/{kind}"' in page
