"""The settings page: validation, locked settings, one write of the changed keys, the audit line."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditAction
from models import AuditEvent
from models import Role
from models import SiteSetting
from models import db
from storage import sqlcount
from tests.support.staff_support import staff_client

# Every field as the page shows it with the defaults.
DEFAULTS = {
    "site_title": "Folio",
    "site_description": "Articles and notes from our team.",
    "accent_colour": "",
    "footer_text": "",
    "contact_intro": (
        "Questions, corrections or ideas? Write to us and we will reply by email."
    ),
    "contact_recipients": "",
    "comments_moderation_words": "",
    "comments_blocklist": "",
    "comments_max_links": "2",
    "comments_require_previous_approval": "y",
    "comments_close_after_days": "0",
    "comments_max_depth": "5",
    "comments_per_page": "50",
    "comments_edit_minutes": "15",
    "notify_digest_minutes": "30",
    "pingbacks": "separate",
    "time_zone": "UTC",
    "date_format": "day-month-year",
    "two_factor_remember_days": "0",
}


def _post(client, headers=None, **changes):
    return client.post(
        "/staff/settings", data={**DEFAULTS, **changes}, headers=headers or {}
    )


def _rows(app) -> dict:
    with app.app_context():
        rows = db.session.execute(select(SiteSetting.key, SiteSetting.value)).all()
        return dict(rows)


def _audit(app) -> list[str]:
    with app.app_context():
        query = select(AuditEvent.detail).where(
            AuditEvent.action == AuditAction.SETTINGS_CHANGED.value
        )
        return list(db.session.scalars(query))


def test_settings_page_shows_every_group_with_current_values(app):
    client, _ = staff_client(app)
    response = client.get("/staff/settings")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for legend in (
        "Site identity",
        "Contact",
        "Comments",
        "Dates",
        "Staff sign-in",
        "Mail",
    ):
        assert legend in html
    assert 'name="site_title" required type="text" value="Folio"' in html
    assert '<option value="Europe/Paris">' in html
    assert 'aria-current="page"' in html and ">Settings<" in html


def test_htmx_get_is_the_form_alone(app, htmx_headers):
    client, _ = staff_client(app)
    response = client.get("/staff/settings", headers=htmx_headers)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<form id="settings-form"')
    assert "HX-Request" in response.headers["Vary"]


def test_save_without_js_redirects_and_applies(app):
    client, _ = staff_client(app)
    response = _post(client, site_title="Acme notes", comments_per_page="20")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/settings"
    assert app.config["SITE_TITLE"] == "Acme notes"
    assert app.config["COMMENTS_PER_PAGE"] == 20
    page = client.get("/staff/settings").get_data(as_text=True)
    assert "Settings saved." in page
    assert "<title>Settings · Acme notes</title>" in page


def test_save_with_htmx_answers_the_form_with_a_focused_status(app, htmx_headers):
    client, _ = staff_client(app)
    response = _post(client, htmx_headers, site_title="Acme notes")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<form id="settings-form"')
    assert 'tabindex="-1" autofocus>Settings saved.</p>' in html
    assert 'value="Acme notes"' in html


def test_only_changed_keys_are_written_and_audited(app):
    client, _ = staff_client(app)
    _post(client, site_title="Acme notes", accent_colour="#1D5C80")
    assert set(_rows(app)) == {"SITE_TITLE", "ACCENT_COLOUR"}
    assert _rows(app)["ACCENT_COLOUR"] == '"#1d5c80"'
    assert _audit(app) == [
        "site title: 'Folio' → 'Acme notes'; accent colour: '' → '#1d5c80'"
    ]
    response = _post(client, site_title="Acme notes", accent_colour="#1d5c80")
    assert response.status_code == 303
    assert len(_audit(app)) == 1
    assert "Nothing changed." in client.get("/staff/settings").get_data(as_text=True)


def test_lists_and_long_texts_are_named_not_quoted_in_the_audit(app):
    client, _ = staff_client(app)
    _post(
        client,
        contact_recipients="team@example.com\nboss@example.com",
        comments_blocklist="casino, pills",
        comments_require_previous_approval="",
    )
    assert app.config["CONTACT_RECIPIENTS"] == ["team@example.com", "boss@example.com"]
    assert app.config["COMMENTS_BLOCKLIST"] == ["casino", "pills"]
    assert app.config["COMMENTS_REQUIRE_PREVIOUS_APPROVAL"] is False
    assert _audit(app) == [
        "recipients; send to spam comments containing; "
        "hold comments unless the author has an approved comment: on → off"
    ]
    assert "team@example.com" not in _audit(app)[0]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("accent_colour", "red", "# and six hex digits"),
        ("accent_colour", "#12345g", "# and six hex digits"),
        ("accent_colour", "#ffcc00", "contrast 1.4:1 with the page"),
        ("time_zone", "Mars/Olympus", "Choose a time zone from the list"),
        ("time_zone", "", "Choose a time zone from the list"),
        ("contact_recipients", "team@example.com\nnot-an-address", "'not-an-address'"),
        ("comments_per_page", "4", "from 5 to 500"),
        ("comments_per_page", "501", "from 5 to 500"),
        ("comments_max_depth", "0", "from 1 to 10"),
        ("comments_max_links", "many", "Not a valid integer value."),
        ("comments_close_after_days", "", "Enter a whole number."),
        ("site_title", "", "Enter a value."),
        ("site_title", "x" * 101, "At most 100 characters."),
        ("site_title", "Two\nlines", "Use one line of text"),
        ("site_description", "Tab\there", "Use one line of text"),
        ("contact_intro", "x" * 1001, "At most 1000 characters."),
        ("date_format", "%Y%m", "Not a valid choice."),
        ("pingbacks", "shown", "Not a valid choice."),
    ],
)
def test_bad_input_is_422_with_the_message_and_nothing_saved(
    app, htmx_headers, field, value, message
):
    client, _ = staff_client(app)
    for headers in ({}, htmx_headers):
        changes = {"footer_text": "Changed", field: value}
        response = _post(client, headers, **changes)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert message.replace("'", "&#39;") in html
        assert f'id="{field}" ' in html and 'aria-invalid="true"' in html
        assert "Not saved" in html
    assert _rows(app) == {}
    assert app.config["SITE_TITLE"] == "Folio"


def test_htmx_422_is_the_form_alone(app, htmx_headers):
    client, _ = staff_client(app)
    response = _post(client, htmx_headers, accent_colour="nope")
    assert response.get_data(as_text=True).lstrip().startswith("<form")


def test_locked_setting_is_read_only_and_refused_if_posted(make_app, monkeypatch):
    monkeypatch.setenv("FOLIO_SITE_TITLE", "Locked title")
    app = make_app()
    client, _ = staff_client(app)
    html = client.get("/staff/settings").get_data(as_text=True)
    assert "Set by <code>FOLIO_SITE_TITLE</code>" in html
    assert 'id="site_title" value="Locked title" disabled' in html
    response = _post(client, site_title="Other")
    assert response.status_code == 422
    assert "FOLIO_SITE_TITLE sets this setting" in response.get_data(as_text=True)
    data = {k: v for k, v in DEFAULTS.items() if k != "site_title"}
    response = client.post("/staff/settings", data={**data, "footer_text": "Hi"})
    assert response.status_code == 303
    assert app.config["SITE_TITLE"] == "Locked title"
    assert app.config["FOOTER_TEXT"] == "Hi"


def test_locked_value_wins_over_a_stored_row(make_app, monkeypatch):
    app = make_app()
    client, _ = staff_client(app)
    _post(client, site_title="From the browser")
    monkeypatch.setenv("FOLIO_SITE_TITLE", "From the environment")
    assert make_app().config["SITE_TITLE"] == "From the environment"
    monkeypatch.delenv("FOLIO_SITE_TITLE")
    assert make_app().config["SITE_TITLE"] == "From the browser"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("FOLIO_TIME_ZONE", "Nowhere/Town"),
        ("FOLIO_DATE_FORMAT", "%d"),
        ("FOLIO_PINGBACKS", "everywhere"),
        ("FOLIO_ACCENT_COLOUR", "#ffff00"),
    ],
)
def test_invalid_variable_stops_start_up(make_app, monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SystemExit, match=f"{variable} is invalid"):
        make_app()


def test_save_is_one_write_of_few_statements(app):
    client, _ = staff_client(app)
    with sqlcount.count_statements(app) as log:
        _post(client, site_title="A", footer_text="B", comments_per_page="9")
    with sqlcount.count_statements(app) as more:
        _post(
            client,
            site_title="C",
            footer_text="D",
            comments_per_page="10",
            contact_intro="E",
            time_zone="Europe/Paris",
        )
    assert len(more) - len(log) <= 2 * 2  # a row's get and insert, nothing else


@pytest.mark.parametrize("role", [Role.EDITOR, Role.MODERATOR])
def test_other_roles_neither_see_nor_save(app, role):
    client, _ = staff_client(app, role=role)
    assert ">Settings<" not in client.get("/staff/").get_data(as_text=True)
    assert _post(client, site_title="X").status_code == 403
    assert _rows(app) == {}


def test_requiring_two_factor_from_the_page_gates_accounts_without_it(app):
    admin, _ = staff_client(app)
    editor, _ = staff_client(app, Role.EDITOR)
    assert editor.get("/staff/articles").status_code == 200
    response = _post(admin, two_factor_required="y", two_factor_remember_days="30")
    assert response.status_code == 303
    gated = editor.get("/staff/articles")
    assert gated.status_code == 303
    assert gated.headers["Location"] == "/staff/two-factor"
    assert app.config["TWO_FACTOR_REMEMBER_DAYS"] == 30
    assert "two-factor sign-in" in " ".join(_audit(app)).lower()


@pytest.mark.parametrize("days", ["-1", "91", "many"])
def test_remembered_browser_days_are_bounded(app, days):
    client, _ = staff_client(app)
    assert _post(client, two_factor_remember_days=days).status_code == 422
    assert _rows(app) == {}


def test_reader_mail_and_edit_window_are_editable(app):
    client, _ = staff_client(app)
    response = _post(client, comments_edit_minutes="0", notify_digest_minutes="90")
    assert response.status_code == 303
    assert app.config["COMMENTS_EDIT_MINUTES"] == 0
    assert app.config["NOTIFY_DIGEST_MINUTES"] == 90
    response = _post(client, comments_edit_minutes="5000")
    assert response.status_code == 422
    assert app.config["COMMENTS_EDIT_MINUTES"] == 0
