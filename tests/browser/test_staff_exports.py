"""Export your site in a real browser: the buttons download files; axe on the section."""

from __future__ import annotations

import json
import zipfile

import pytest

from models import Role
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.test_staff_audit import sign_in
from tests.support.factories import make_article
from tests.support.factories import make_user


@pytest.fixture
def download_page(make_context):
    """A browser page that accepts downloads."""
    return make_context(accept_downloads=True).new_page()


def test_export_buttons_download_the_site(live_server, download_page, tmp_path):
    page = download_page
    with live_server.app.app_context():
        make_user(email="boss@example.com", role=Role.ADMIN, display_name="Bo Boss")
        make_article("Exported in a browser")
    sign_in(page, live_server)
    page.wait_for_url("**/staff/")
    page.goto(live_server("/staff/settings"))
    assert_no_axe_violations(page, "#site-export")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download JSON", exact=True).click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.name.startswith("folio-") and saved.suffix == ".json"
    titles = [a["title"] for a in json.loads(saved.read_text())["articles"]]
    assert titles == ["Exported in a browser"]
    with page.expect_download() as info:
        page.get_by_role("link", name="Download JSON with media (.zip)").click()
    info.value.save_as(tmp_path / "site.zip")
    assert "site.json" in zipfile.ZipFile(tmp_path / "site.zip").namelist()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download WordPress (WXR)").click()
    assert info.value.suggested_filename.endswith("-wordpress.xml")
    assert page.url.endswith("/staff/settings")
