"""The contact page in a real browser: blur checks, htmx submit, no-JS flow, axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models import ContactMessage
from models import db
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import poll
from tests.browser.conftest import settled_after
from tests.browser.conftest import wait_for_htmx

CONFIG = {"SPAM_MIN_SECONDS": 0, "CONTACT_RECIPIENTS": ["team@example.com"]}


def _messages(app) -> list[ContactMessage]:
    with app.app_context():
        return list(db.session.scalars(select(ContactMessage)))


def _open(page, server) -> None:
    page.goto(server("/contact/"))
    wait_for_htmx(page)
    # Marks this document: it survives swaps, not a navigation.
    page.evaluate("window.folioMarker = 'same-page'")


def _fill(page, **fields) -> None:
    values = {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "subject": "Engines",
        "message": "A question about the analytical engine.",
        **fields,
    }
    for name, value in values.items():
        page.locator(f"#{name}").fill(value)


def test_blur_feedback_appears_and_clears(make_live_server, page):
    server = make_live_server(**CONFIG)
    _open(page, server)
    assert_no_axe_violations(page)  # the empty state
    email = page.locator("#email")
    email.fill("not-an-address")
    email.press("Tab")
    error = page.locator("#email-error")
    expect(error).to_have_text("Enter an email address like name@example.com.")
    expect(email).to_have_attribute("aria-invalid", "true")
    # The check never steals focus from the field the reader moved to.
    assert page.evaluate("document.activeElement.id") == "subject"
    poll(
        page,
        "document.getElementById('contact-announcer').textContent.includes('Email')",
    )
    # Corrected: the message goes away on the next blur.
    email = page.locator("#email")
    email.fill("ada@example.org")
    email.press("Tab")
    expect(page.locator("#email-error")).to_have_text("")
    expect(page.locator("#email")).to_have_attribute("aria-invalid", "false")
    assert page.locator("#email").input_value() == "ada@example.org"
    # An untouched field is not checked: no error for name, nothing saved.
    expect(page.locator("#name-error")).to_have_text("")
    assert page.evaluate("window.folioMarker") == "same-page"
    assert _messages(server.app) == []


def test_blur_checks_each_field_with_the_server_rules(make_live_server, page):
    server = make_live_server(**CONFIG, CONTACT_MIN_MESSAGE_LENGTH=30)
    _open(page, server)
    message = page.locator("#message")
    message.fill("Too short")
    message.press("Tab")
    expect(page.locator("#message-error")).to_have_text(
        "Write at least 30 characters, so we can help."
    )
    name = page.locator("#name")
    name.fill("Ada")
    # Wait until this check's answer is swapped in: a change made while it is
    # in flight is checked on the next blur, not queued behind it.
    settled_after(page, lambda: name.press("Tab"), source="#name")
    expect(page.locator("#name-error")).to_have_text("")
    # Emptied again after a change: the required rule speaks up.
    page.locator("#name").fill("")
    page.locator("#name").press("Tab")
    expect(page.locator("#name-error")).to_have_text("Enter your name.")


@pytest.mark.allow_console_errors("status of 422")  # the form with errors
def test_htmx_submit_with_errors_shows_them_all_and_focuses_the_first(
    make_live_server, page
):
    server = make_live_server(**CONFIG)
    _open(page, server)
    page.locator("#message").fill("Hi")
    page.get_by_role("button", name="Send message").click()
    summary = page.locator("#contact-form-summary")
    expect(summary).to_contain_text("There are 3 problems")
    expect(page.locator("#name-error")).to_have_text("Enter your name.")
    expect(page.locator("#email-error")).to_have_text(
        "Enter your email address, so we can reply."
    )
    expect(page.locator("#message-error")).to_contain_text("at least 10 characters")
    poll(page, "document.activeElement && document.activeElement.id === 'name'")
    poll(
        page,
        "document.getElementById('contact-announcer').textContent.includes('3 problems')",
    )
    assert page.evaluate("window.folioMarker") == "same-page"
    assert_no_axe_violations(page)  # the error state
    assert _messages(server.app) == []


def test_htmx_submit_swaps_in_the_thank_you_panel(make_live_server, page):
    server = make_live_server(**CONFIG)
    _open(page, server)
    _fill(page)
    page.get_by_role("button", name="Send message").click()
    thanks = page.locator("#contact-thanks")
    expect(thanks).to_contain_text("Thank you, your message has been sent")
    assert page.locator("#contact-form").count() == 0
    assert page.url == server("/contact/")
    assert page.evaluate("window.folioMarker") == "same-page"
    poll(page, "document.activeElement.id === 'contact-thanks-title'")
    link = page.get_by_role("link", name="Send another message")
    expect(link).to_be_visible()
    assert_no_axe_violations(page)  # the success state
    [message] = _messages(server.app)
    assert message.email == "ada@example.org"
    link.click()
    expect(page.locator("#contact-form")).to_be_visible()


@pytest.mark.allow_console_errors("status of 422")  # the form with errors
def test_without_javascript_the_form_posts_and_redirects(make_live_server, nojs_page):
    server = make_live_server(**CONFIG)
    page = nojs_page
    page.goto(server("/contact/"))
    page.locator("#email").fill("nope")
    page.get_by_role("button", name="Send message").click()
    expect(page.locator("#email-error")).to_have_text(
        "Enter an email address like name@example.com."
    )
    expect(page.locator("#name-error")).to_have_text("Enter your name.")
    assert page.locator("h1").inner_text() == "Contact us"
    assert page.locator("#email").input_value() == "nope"
    _fill(page)
    page.get_by_role("button", name="Send message").click()
    page.wait_for_url(server("/contact/thanks"))
    expect(page.locator("#contact-thanks")).to_contain_text("Thank you")
    assert len(_messages(server.app)) == 1
    page.get_by_role("link", name="Send another message").click()
    page.wait_for_url(server("/contact/"))
    expect(page.locator("#contact-form")).to_be_visible()


def test_thanks_page_has_no_axe_violations(live_server, page):
    page.goto(live_server("/contact/thanks"))
    wait_for_htmx(page)
    assert_no_axe_violations(page)


def test_blur_check_and_submit_work_with_csrf_on(make_live_server, page):
    server = make_live_server(**CONFIG, WTF_CSRF_ENABLED=True)
    _open(page, server)
    requests = []
    page.on("request", lambda r: requests.append(r))
    email = page.locator("#email")
    email.fill("nope")
    email.press("Tab")
    expect(page.locator("#email-error")).to_have_text(
        "Enter an email address like name@example.com."
    )
    [check] = [r for r in requests if "/contact/validate/" in r.url]
    assert check.post_data == "email=nope"  # only the field being checked
    _fill(page)
    page.get_by_role("button", name="Send message").click()
    expect(page.locator("#contact-thanks")).to_be_visible()
    assert len(_messages(server.app)) == 1


def test_a_late_check_never_overwrites_what_the_reader_typed(make_live_server, page):
    server = make_live_server(**CONFIG)
    _open(page, server)
    held = []
    page.route("**/contact/validate/**", lambda route: held.append(route))
    name = page.locator("#name")
    name.fill("Ad")
    name.press("Tab")
    for _ in range(100):  # until the check has left (and is held)
        if held:
            break
        page.wait_for_timeout(20)
    assert len(held) == 1
    # Back in the field, typing while the check of "Ad" is still on its way.
    name.fill("Ada Lovelace")
    held[0].continue_()
    page.unroute("**/contact/validate/**")
    page.wait_for_timeout(500)
    assert page.locator("#name").input_value() == "Ada Lovelace"
    # The next blur checks (and shows) the new value.
    page.locator("#name").press("Tab")
    expect(page.locator("#name-error")).to_have_text("")


def test_submit_waits_for_the_check_of_the_field_just_left(make_live_server, page):
    server = make_live_server(**CONFIG)
    _open(page, server)
    _fill(page, message="")
    # The checks of the fields _fill left are answered first: only the
    # message's check may be in flight below.
    poll(page, "document.querySelectorAll('.htmx-request').length === 0")
    held = []
    page.route("**/contact/validate/**", lambda route: held.append(route))
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.locator("#message").fill("A question about the analytical engine.")
    # Leaving the message for the button starts its check, then submits; the
    # second click of a double click, while the submit waits, sends nothing more.
    with page.expect_request("**/contact/validate/message"):
        page.get_by_role("button", name="Send message").dblclick()
    for _ in range(100):  # each round trip lets the route handler run
        if held:
            break
        page.evaluate("0")
    assert [p for p in posts if p.endswith("/contact/")] == []  # held back
    assert len(held) == 1
    # The check answers: the form goes, once, and nothing was aborted.
    held[0].continue_()
    expect(page.locator("#contact-thanks")).to_be_visible()
    assert [p for p in posts if p.endswith("/contact/")] == [server("/contact/")]
    assert len(_messages(server.app)) == 1


@pytest.mark.allow_console_errors("htmx:sendAbort", "htmx:afterRequest")
def test_a_check_that_hangs_does_not_hold_the_submit(make_live_server, page):
    server = make_live_server(**CONFIG)
    _open(page, server)
    _fill(page, message="")
    page.route("**/contact/validate/**", lambda route: None)  # never answered
    page.locator("#message").fill("A question about the analytical engine.")
    page.get_by_role("button", name="Send message").click()
    # Sent after the 2 s wait, aborting the check (which htmx logs).
    expect(page.locator("#contact-thanks")).to_be_visible(timeout=5_000)
    assert len(_messages(server.app)) == 1


# What a password manager or form-filling extension does to the fields it
# decorates (the textarea's resize handle does the same): style set through
# the CSSOM, which the CSP allows, and cleared again, leaving style="".
DECORATE_FIELDS = """
for (const field of document.querySelectorAll("#contact-form input, #contact-form textarea")) {
  field.style.backgroundImage = "none";
  field.style.backgroundImage = "";
}
"""


@pytest.mark.allow_console_errors("status of 422")  # the form with errors
def test_a_swap_never_writes_a_style_attribute_left_on_a_field(make_live_server, page):
    # htmx settles "style" by default (htmx.config.attributesToSettle): an
    # outerHTML swap copies the old element's style attribute onto the new one
    # with setAttribute, which style-src 'self' refuses, one violation per field.
    server = make_live_server(**CONFIG)
    _open(page, server)
    page.evaluate(DECORATE_FIELDS)
    page.locator("#message").fill("Hi")
    page.get_by_role("button", name="Send message").click()
    expect(page.locator("#contact-form-summary")).to_contain_text("problems")
