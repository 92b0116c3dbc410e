"""A plugin's views get Folio's protections: CSRF, security headers, rate limits."""

from __future__ import annotations

import re

import pytest

DOUBLES = "tests.support.plugin_doubles"


@pytest.fixture
def greeter(make_app, install_plugins):
    install_plugins(greeter=f"{DOUBLES}.greeter:plugin")

    def _make(**overrides):
        return make_app(PLUGINS=["greeter"], **overrides)

    return _make


def test_plugin_post_without_csrf_token_is_refused(greeter):
    client = greeter(WTF_CSRF_ENABLED=True).test_client()
    response = client.post("/greeter/echo", data={"word": "hi"})
    assert response.status_code == 400


def test_plugin_post_with_the_htmx_csrf_header_passes(greeter, htmx_headers):
    client = greeter(WTF_CSRF_ENABLED=True).test_client()
    html = client.get("/greeter/hello").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    response = client.post(
        "/greeter/echo",
        data={"word": "hi"},
        headers={**htmx_headers, "X-CSRFToken": token},
    )
    assert response.status_code == 200 and response.json == {"echo": "hi"}


def test_plugin_page_has_the_security_headers(greeter):
    response = greeter().test_client().get("/greeter/hello")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)
    assert "default-src 'self'" in policy or "default-src 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_plugin_rate_limit_answers_429(greeter):
    client = greeter(RATELIMIT_ENABLED=True).test_client()
    assert client.get("/greeter/limited").status_code == 200
    assert client.get("/greeter/limited").status_code == 429


def test_a_staff_view_on_a_plain_blueprint_keeps_the_two_factor_gate(
    make_app, install_plugins
):
    from models import Role
    from tests.support.staff_support import staff_client

    install_plugins(greeter="tests.support.plugin_doubles.greeter:plugin")
    app = make_app(PLUGINS=["greeter"], TWO_FACTOR_REQUIRED=True)
    client, _ = staff_client(app, Role.ADMIN)
    response = client.get("/greeter/desk")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/staff/two-factor")
    open_app = make_app(PLUGINS=["greeter"])
    client, _ = staff_client(open_app, Role.ADMIN)
    desk = client.get("/greeter/desk")
    assert desk.status_code == 200
    assert desk.headers["Cache-Control"] == "no-store"
