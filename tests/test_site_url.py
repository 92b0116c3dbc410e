"""Absolute links come from the configured site URL, never from the Host header."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from app import create_app
from models import OutboxMail
from models import Role
from models import db
from tests.support.factories import make_article
from tests.support.factories import make_user
from tests.support.fixtures import base_config
from tests.test_comments import post

SITE = "https://blog.example.com"
FORGED = {"Host": "evil.test"}
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(params=["configured", "development default"])
def site(request, make_app):
    """A site with its URL set, and one left unset in development."""
    configured = request.param == "configured"
    app = make_app(SITE_URL=SITE + "/" if configured else "", SPAM_MIN_SECONDS=0)
    app.config["EXPECTED_SITE"] = SITE if configured else "http://127.0.0.1:5000"
    with app.app_context():
        make_article(slug="hello", tags=["news"])
        make_user(email="admin@folio.example", role=Role.ADMIN)
    return app


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/articles/hello",
        "/tags/news",
        "/search?q=text",
        "/contact/",
        "/staff/login",
        "/feed.xml",
        "/tags/news/feed.xml",
        "/sitemap.xml",
        "/robots.txt",
        "/no-such-page",
    ],
)
def test_a_forged_host_never_reaches_a_page(site, path):
    client = site.test_client()
    forged = client.get(path, headers=FORGED).get_data(as_text=True)
    assert "evil.test" not in forged
    assert site.config["EXPECTED_SITE"] in forged


def test_later_readers_get_the_site_url_after_a_forged_host(site):
    """The anonymous page cache is filled by the forged request first."""
    client = site.test_client()
    client.get("/articles/hello", headers=FORGED)
    for _ in range(20):
        html = site.test_client().get("/articles/hello").get_data(as_text=True)
        canonical = re.search(r'<link rel="canonical" href="([^"]+)"', html)
        expected = site.config["EXPECTED_SITE"] + "/articles/hello"
        assert canonical and canonical.group(1) == expected
        assert f'content="{expected}"' in html  # og:url
        assert "evil.test" not in html


def test_staff_mail_link_ignores_the_host_header(site):
    assert post(site.test_client(), headers=FORGED).status_code == 303
    with site.app_context():
        [mail] = db.session.scalars(select(OutboxMail)).all()
    assert site.config["EXPECTED_SITE"] + "/staff/comments" in mail.body
    assert "evil.test" not in mail.body


def _production(database_url, tmp_path, **overrides) -> dict:
    config = base_config(database_url)
    config.update(TESTING=False, ENV="production", INSTANCE_PATH=str(tmp_path / "i"))
    config.update(overrides)
    return config


def test_production_refuses_to_start_without_a_site_url(database_url, tmp_path):
    with pytest.raises(SystemExit) as exc:
        create_app(_production(database_url, tmp_path, SITE_URL=""))
    message = str(exc.value)
    assert message.startswith("folio: refusing to start") and "\n" not in message
    assert "FOLIO_SITE_URL" in message


@pytest.mark.parametrize(
    "value",
    ["blog.example.com", "ftp://blog.example.com", "https://", "https://x/?a=1"],
)
def test_a_site_url_that_is_not_a_base_url_is_refused(database_url, tmp_path, value):
    with pytest.raises(SystemExit) as exc:
        create_app(_production(database_url, tmp_path, SITE_URL=value))
    assert "FOLIO_SITE_URL" in str(exc.value) and "\n" not in str(exc.value)


def test_development_without_a_site_url_uses_the_local_address(database_url, tmp_path):
    app = create_app(
        _production(database_url, tmp_path, ENV="development", SITE_URL="")
    )
    assert app.config["SITE_URL"] == "http://127.0.0.1:5000"


def test_production_site_url_loses_its_trailing_slash(database_url, tmp_path):
    app = create_app(_production(database_url, tmp_path, SITE_URL=SITE + "/"))
    assert app.config["SITE_URL"] == SITE


def test_make_run_sets_a_local_site_url():
    """The quick start serves in production mode, so it must name an address."""
    if "FOLIO_SITE_URL=" in (
        (ROOT / ".env").read_text() if (ROOT / ".env").exists() else ""
    ):
        pytest.skip(".env sets the site URL")
    env = {k: v for k, v in os.environ.items() if k != "FOLIO_SITE_URL"}
    result = subprocess.run(
        ["make", "-n", "run", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    commands = [
        line
        for line in result.stdout.splitlines()
        if "flask" in line or "gunicorn" in line
    ]
    assert commands and all(
        "FOLIO_SITE_URL=http://127.0.0.1:5000 " in line for line in commands
    )
