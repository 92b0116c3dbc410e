"""The contact page: validation, per-field checks, htmx and plain submits, spam, limits."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func
from sqlalchemy import select

from extensions import limiter
from models import ContactMessage
from models import MessageStatus
from models import OutboxMail
from models import db
from storage.sqlcount import count_statements
from web.form_guard import form_timestamp

GOOD = {
    "name": "Ada Lovelace",
    "email": "ada@example.org",
    "subject": "A question about engines",
    "message": "Hello! I have a question about your last article.",
}


@pytest.fixture
def app(make_app):
    # Posts in these tests are not timed like a person's; the timing rule has its
    # own tests below with the default setting.
    return make_app(SPAM_MIN_SECONDS=0, CONTACT_RECIPIENTS=["team@example.com"])


def _stamp(app) -> str:
    with app.test_request_context():
        return form_timestamp()


def _post(client, app, headers=None, **fields):
    data = {**GOOD, "rendered_at": _stamp(app), **fields}
    data = {key: value for key, value in data.items() if value is not None}
    return client.post("/contact/", data=data, headers=headers or {})


def _messages(app) -> list[ContactMessage]:
    with app.app_context():
        return list(db.session.scalars(select(ContactMessage)))


def _outbox(app) -> list[OutboxMail]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def test_new_shows_the_form_and_intro(make_app):
    app = make_app(CONTACT_INTRO="Write to the editors about anything.")
    response = app.test_client().get("/contact/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1" in html
    assert "Write to the editors about anything." in html
    assert "Required fields are marked" in html
    assert 'method="post" action="/contact/"' in html
    assert 'hx-post="/contact/"' in html
    for name in ("name", "email", "subject", "message"):
        assert f'id="{name}-field"' in html
        assert f'hx-post="/contact/validate/{name}"' in html
    assert 'name="homepage"' in html and 'name="rendered_at"' in html
    assert 'required="None"' not in html


def test_new_htmx_gets_the_form_only(client, htmx_headers):
    response = client.get("/contact/", headers=htmx_headers)
    html = response.get_data(as_text=True).strip()
    assert response.status_code == 200
    assert html.startswith('<form id="contact-form"')
    assert html.endswith("</form>")
    assert "HX-Request" in response.headers["Vary"]


def test_header_and_footer_link_to_the_page(client):
    html = client.get("/contact/").get_data(as_text=True)
    assert html.count('href="/contact/"') >= 2


def test_create_stores_queues_and_redirects(app, client):
    response = _post(client, app)
    assert response.status_code == 303
    assert response.headers["Location"] == "/contact/thanks"
    [message] = _messages(app)
    assert message.name == "Ada Lovelace"
    assert message.email == "ada@example.org"
    assert message.status == MessageStatus.NEW
    assert message.ip and message.ip != "127.0.0.1"
    [mail] = _outbox(app)
    assert mail.to_addrs == "team@example.com"
    assert mail.reply_to == "ada@example.org"
    assert mail.contact_message_id == message.id
    assert "A question about engines" in mail.subject
    assert GOOD["message"] in mail.body
    assert mail.sent_at is None


def test_create_htmx_swaps_in_the_thank_you_panel(app, client, htmx_headers):
    response = _post(client, app, headers=htmx_headers)
    html = response.get_data(as_text=True).strip()
    assert response.status_code == 200
    assert html.startswith('<section id="contact-thanks"')
    assert html.endswith("</section>")
    assert "Send another message" in html
    assert "HX-Request" in response.headers["Vary"]
    assert len(_messages(app)) == 1


def test_thanks_page_whole_and_fragment(client, htmx_headers):
    page = client.get("/contact/thanks")
    assert page.status_code == 200
    assert "<h1" in page.get_data(as_text=True)
    assert 'href="/contact/">Send another message' in page.get_data(as_text=True)
    fragment = client.get("/contact/thanks", headers=htmx_headers)
    assert fragment.get_data(as_text=True).startswith('<section id="contact-thanks"')
    assert "HX-Request" in fragment.headers["Vary"]


def test_thanks_never_shows_the_readers_email(app, client):
    response = _post(client, app)
    page = client.get(response.headers["Location"])
    assert GOOD["email"] not in page.get_data(as_text=True)


def test_create_runs_few_statements(app, client):
    stamp = _stamp(app)
    with count_statements(app) as log:
        response = client.post("/contact/", data={**GOOD, "rendered_at": stamp})
    assert response.status_code == 303
    # The message's INSERT; after commit, the team mail reads it back once and
    # queues its mail.
    assert len(log) <= 3, list(log)


def test_create_without_recipients_only_stores(make_app):
    app = make_app(SPAM_MIN_SECONDS=0, CONTACT_RECIPIENTS=[])
    response = _post(app.test_client(), app)
    assert response.status_code == 303
    assert len(_messages(app)) == 1
    assert _outbox(app) == []


BAD_INPUT = [
    ("name", None, "Enter your name."),
    ("name", "   ", "Enter your name."),
    ("name", "n" * 101, "at most 100 characters"),
    ("name", "Ada\r\nBcc: victim@example.com", "on one line"),
    ("name", "Ada\nLovelace", "on one line"),
    ("name", "Ada\x07", "on one line"),
    ("name", "Ada\u2028Lovelace", "on one line"),
    ("email", None, "Enter your email address"),
    ("email", "not-an-address", "like name@example.com"),
    ("email", "ada@", "like name@example.com"),
    ("email", "a" * 243 + "@example.org", "at most 254 characters"),
    ("email", "ada@example.org\r\nBcc: x@example.com", "like name@example.com"),
    ("subject", "s" * 201, "at most 200 characters"),
    ("subject", "Hello\r\nBcc: victim@example.com", "on one line"),
    ("subject", "Hello\tthere", "on one line"),
    ("message", None, "Write your message."),
    ("message", "  \n  ", "Write your message."),
    ("message", "Too short", "at least 10 characters"),
    ("message", "m" * 10_001, "at most 10,000 characters"),
    ("message", "Hello there\x00, engines", "control characters"),
    ("message", "Hello there\x1b[31m red", "control characters"),
]


@pytest.mark.parametrize(("field", "value", "error"), BAD_INPUT)
def test_create_rejects_bad_input(app, client, field, value, error):
    response = _post(client, app, **{field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<h1" in html  # the whole page, re-rendered
    assert html.count(error) == 1  # one clear message, not a pile
    assert re.search(rf'aria-invalid="true"[^>]*id="{field}"', html)
    assert "There is a problem with your message" in html
    assert _messages(app) == []
    assert _outbox(app) == []


@pytest.mark.parametrize(("field", "value", "error"), BAD_INPUT[::3])
def test_create_htmx_rejects_bad_input_with_the_form_only(
    app, client, htmx_headers, field, value, error
):
    response = _post(client, app, headers=htmx_headers, **{field: value})
    html = response.get_data(as_text=True).strip()
    assert response.status_code == 422
    assert html.startswith('<form id="contact-form"')
    assert error in html
    assert "HX-Request" in response.headers["Vary"]
    assert _messages(app) == []


def test_create_shows_every_error_at_once(app, client, htmx_headers):
    response = _post(
        client, app, headers=htmx_headers, name="", email="nope", message="hi"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.count('aria-invalid="true"') == 3
    assert "There are 3 problems with your message" in html
    # The reader's input is kept.
    assert 'value="nope"' in html


def test_create_keeps_the_render_time_on_error(app, client):
    stamp = _stamp(app)
    response = client.post("/contact/", data={**GOOD, "name": "", "rendered_at": stamp})
    assert f'value="{stamp}"' in response.get_data(as_text=True)


def test_create_accepts_the_longest_values(app, client):
    message = ("Line one.\n\tIndented line.\r\n" * 400)[:10_000]
    response = _post(
        client, app, name="n" * 100, subject="s" * 200, message=message, email="x@y.io"
    )
    assert response.status_code == 303
    [stored] = _messages(app)
    assert len(stored.name) == 100 and len(stored.subject) == 200
    assert stored.message == message.strip()


def test_create_subject_is_optional(app, client):
    response = _post(client, app, subject=None)
    assert response.status_code == 303
    [mail] = _outbox(app)
    assert "Message from Ada Lovelace" in mail.subject


def test_minimum_message_length_is_a_setting(make_app):
    app = make_app(SPAM_MIN_SECONDS=0, CONTACT_MIN_MESSAGE_LENGTH=80)
    response = _post(app.test_client(), app)
    assert response.status_code == 422
    assert "Write at least 80 characters" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("name", "", "Enter your name."),
        ("email", "nope", "like name@example.com"),
        ("subject", "x" * 201, "at most 200 characters"),
        ("message", "short", "at least 10 characters"),
        ("name", "Ada\r\nBcc: x", "on one line"),
    ],
)
def test_validate_field_returns_only_that_fields_feedback(
    client, htmx_headers, field, value, error
):
    # The other fields are posted too (htmx includes the form), all of them bad:
    # only the asked-for field is checked and returned.
    data = {"name": "", "email": "bad", "subject": "", "message": "", field: value}
    response = client.post(
        f"/contact/validate/{field}", data=data, headers=htmx_headers
    )
    html = response.get_data(as_text=True).strip()
    assert response.status_code == 200
    assert html.startswith(f'<div class="field field-invalid" id="{field}-field">')
    assert html.endswith("</div>")
    assert (
        html.count("<div") == 1 and html.count("<input") + html.count("<textarea") == 1
    )
    assert error in html
    assert 'aria-invalid="true"' in html
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("field", ["name", "email", "subject", "message"])
def test_validate_field_clears_when_valid(app, client, htmx_headers, field):
    response = client.post(
        f"/contact/validate/{field}", data=GOOD, headers=htmx_headers
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.strip().startswith(f'<div class="field" id="{field}-field">')
    assert 'aria-invalid="false"' in html
    assert f'<p class="field-error" id="{field}-error"></p>' in html
    assert f'hx-post="/contact/validate/{field}"' in html  # it keeps checking
    assert _messages(app) == []


def test_validate_field_runs_no_sql(app, client, htmx_headers):
    with count_statements(app) as log:
        client.post("/contact/validate/email", data=GOOD, headers=htmx_headers)
    assert list(log) == []


def test_validate_field_without_htmx_is_a_whole_page(client):
    response = client.post("/contact/validate/email", data={"email": "nope"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1" in html and 'id="contact-form"' in html
    assert "like name@example.com" in html
    assert "Enter your name." not in html


@pytest.mark.parametrize("field", ["homepage", "rendered_at", "csrf_token", "nope"])
def test_validate_field_unknown_field_is_404(client, htmx_headers, field):
    response = client.post(f"/contact/validate/{field}", headers=htmx_headers)
    assert response.status_code == 404


def test_validate_field_is_post_only(client):
    assert client.get("/contact/validate/name").status_code == 405


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"homepage": "http://spam.example"}, "honeypot filled"),
        ({"rendered_at": None}, "form timestamp missing"),
        ({"rendered_at": "form.forged.signature"}, "form timestamp forged"),
        (
            {
                "message": "Buy http://a.example http://b.example www.c.example "
                "https://d.example now"
            },
            "4 links (more than 3)",
        ),
    ],
)
def test_spam_is_stored_with_its_reason_and_not_mailed(app, client, fields, reason):
    response = _post(client, app, **fields)
    # A bot is told the same as a person: nothing hints which rule caught it.
    assert response.status_code == 303
    assert response.headers["Location"] == "/contact/thanks"
    [message] = _messages(app)
    assert message.status == MessageStatus.SPAM
    assert message.status_reason == reason
    assert _outbox(app) == []


def test_links_up_to_the_limit_are_fine(app, client):
    _post(client, app, message="See http://a.example and www.b.example and c.")
    [message] = _messages(app)
    assert message.status == MessageStatus.NEW
    assert len(_outbox(app)) == 1


def test_link_limit_is_a_setting(make_app):
    app = make_app(SPAM_MIN_SECONDS=0, CONTACT_MAX_LINKS=0)
    _post(app.test_client(), app, message="My site is www.example.org, thanks.")
    [message] = _messages(app)
    assert message.status == MessageStatus.SPAM


def test_form_sent_too_fast_is_spam(make_app):
    app = make_app(CONTACT_RECIPIENTS=["team@example.com"])  # SPAM_MIN_SECONDS=3
    client = app.test_client()
    html = client.get("/contact/").get_data(as_text=True)
    stamp = re.search(r'name="rendered_at" type="hidden" value="([^"]+)"', html)
    response = client.post("/contact/", data={**GOOD, "rendered_at": stamp.group(1)})
    assert response.status_code == 303
    [message] = _messages(app)
    assert message.status == MessageStatus.SPAM
    assert message.status_reason == "sent too fast after the form was shown"
    assert _outbox(app) == []


def test_form_filled_at_human_speed_is_accepted(make_app):
    app = make_app(CONTACT_RECIPIENTS=["team@example.com"])
    stamp = _stamp(app)
    app.config["SPAM_CLOCK"] = lambda: __import__("time").time() + 30
    response = app.test_client().post("/contact/", data={**GOOD, "rendered_at": stamp})
    assert response.status_code == 303
    [message] = _messages(app)
    assert message.status == MessageStatus.NEW


def test_acknowledgement_is_off_by_default(app, client):
    _post(client, app)
    assert [mail.to_addrs for mail in _outbox(app)] == ["team@example.com"]


def test_acknowledgement_goes_through_the_outbox(make_app):
    app = make_app(
        SPAM_MIN_SECONDS=0,
        CONTACT_RECIPIENTS=["team@example.com"],
        CONTACT_ACKNOWLEDGE=True,
    )
    _post(app.test_client(), app, subject="Click http://x.example")
    team, ack = _outbox(app)
    assert team.to_addrs == "team@example.com"
    assert ack.to_addrs == GOOD["email"]
    assert ack.contact_message_id is None
    # Nothing the sender typed is repeated to the address they gave.
    assert "x.example" not in ack.subject + ack.body
    assert GOOD["message"] not in ack.body


def test_acknowledgement_never_sent_for_spam(make_app):
    app = make_app(SPAM_MIN_SECONDS=0, CONTACT_ACKNOWLEDGE=True)
    _post(app.test_client(), app, homepage="x")
    assert _outbox(app) == []


def test_rate_limit_answers_429_with_a_readable_message(make_app, htmx_headers):
    app = make_app(
        SPAM_MIN_SECONDS=0, RATELIMIT_ENABLED=True, CONTACT_RATE_LIMIT="2 per minute"
    )
    client = app.test_client()
    assert _post(client, app).status_code == 303
    assert _post(client, app, name="").status_code == 422
    refused = _post(client, app)
    assert refused.status_code == 429
    assert "too often" in refused.get_data(as_text=True)
    assert refused.headers["Retry-After"]
    fragment = _post(client, app, headers=htmx_headers)
    assert fragment.status_code == 429
    assert fragment.headers["HX-Retarget"] == "#alerts"
    assert "too often" in fragment.get_data(as_text=True)
    # Reading the page and checking fields are not limited.
    assert client.get("/contact/").status_code == 200
    assert client.post("/contact/validate/name", data=GOOD).status_code == 200
    assert len(_messages(app)) == 1


def test_rate_limit_is_per_client_address(make_app):
    app = make_app(
        SPAM_MIN_SECONDS=0, RATELIMIT_ENABLED=True, CONTACT_RATE_LIMIT="1 per minute"
    )
    client = app.test_client()
    assert _post(client, app).status_code == 303
    assert _post(client, app).status_code == 429
    other = client.post(
        "/contact/",
        data={**GOOD, "rendered_at": _stamp(app)},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert other.status_code == 303


def test_csrf_is_required(make_app):
    app = make_app(SPAM_MIN_SECONDS=0, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    refused = client.post("/contact/", data={**GOOD, "rendered_at": _stamp(app)})
    assert refused.status_code == 400
    assert "expired" in refused.get_data(as_text=True)
    assert client.post("/contact/validate/name", data=GOOD).status_code == 400
    assert _messages(app) == []
    html = client.get("/contact/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    accepted = client.post(
        "/contact/",
        data={**GOOD, "rendered_at": _stamp(app), "csrf_token": token.group(1)},
    )
    assert accepted.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count(ContactMessage.id))) == 1


def test_limits_are_checked_in_the_limited_views_only(make_app):
    app = make_app(
        SPAM_MIN_SECONDS=0, RATELIMIT_ENABLED=True, CONTACT_RATE_LIMIT="2 per minute"
    )
    # No app-wide limit is set, so the limiter's before-request hook is gone.
    assert not [
        hook
        for hook in app.before_request_funcs[None]
        if getattr(hook, "__self__", None) is limiter
    ]
    client = app.test_client()
    assert "X-RateLimit-Limit" not in client.get("/contact/").headers
    first = _post(client, app)
    assert first.status_code == 303
    assert first.headers["X-RateLimit-Remaining"] == "1"
    assert _post(client, app).headers["X-RateLimit-Remaining"] == "0"
    assert _post(client, app).status_code == 429


@pytest.mark.parametrize("field", ["subject", "name"])
def test_encoded_word_syntax_is_refused_in_header_fields(app, field):
    response = _post(
        app.test_client(), app, **{field: "=?utf-8?q?Hi=0D=0AReply-To:_x@evil.test?="}
    )
    assert response.status_code == 422
    assert "=?…?=" in response.get_data(as_text=True)
    assert _messages(app) == [] and _outbox(app) == []
