"""The menu editor in a real browser: drag and drop, the buttons, add and remove
with htmx, the focus and what the live region says, without JavaScript, axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models import MenuItem
from models import MenuName
from models import Role
from models import db
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.conftest import settled_after
from tests.browser.conftest import wait_for_htmx
from tests.support.factories import PASSWORD
from tests.support.factories import make_article
from tests.support.factories import make_menu_item
from tests.support.factories import make_page
from tests.support.factories import make_user


def seed(app) -> dict[str, int]:
    """An admin, a page, and three header links (One, Two, Three); their ids."""
    with app.app_context():
        make_user(email="admin@example.com", role=Role.ADMIN)
        make_article("Hello", slug="hello", tags=["Birds"])
        about = make_page("About us", slug="about")
        ids = {"about": about.id}
        for name in ("One", "Two", "Three"):
            ids[name] = make_menu_item(label=name, url=f"/{name.lower()}").id
        make_menu_item(MenuName.FOOTER, article=about)
        return ids


def sign_in(page, server) -> None:
    page.goto(server("/staff/login"))
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")


def open_editor(page, server) -> None:
    sign_in(page, server)
    page.goto(server("/staff/menus"))
    wait_for_htmx(page)
    page.evaluate("window.__stayed = true")


def stayed(page) -> bool:
    return page.evaluate("window.__stayed === true")


def shown_order(page, menu: str = "header") -> list[str]:
    return page.locator(f"#menu-{menu} .menu-item-label").evaluate_all(
        "items => items.map(i => i.lastChild.textContent.trim())"
    )


def stored_order(app, menu=MenuName.HEADER) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(MenuItem.label)
                .where(MenuItem.menu == menu)
                .order_by(MenuItem.position)
            )
        )


def focused(page) -> str:
    return page.evaluate("document.activeElement.textContent.trim()")


def test_reorder_by_drag_and_drop(live_server, page):
    ids = seed(live_server.app)
    open_editor(page, live_server)
    handle = page.locator(f"#menu-item-{ids['One']} [data-drag-handle]")
    expect(handle).to_be_visible()
    target = page.locator(f"#menu-item-{ids['Three']}")
    box = target.bounding_box()
    settled_after(
        page,
        lambda: handle.drag_to(
            target, target_position={"x": 40, "y": box["height"] - 4}
        ),
    )
    expect(page.locator("#menu-status")).to_have_text(
        "Moved “One” to position 3 of 3 in the header menu."
    )
    assert shown_order(page) == ["Two", "Three", "One"]
    assert stored_order(live_server.app) == ["Two", "Three", "One"]
    assert stayed(page)
    # The swapped-in menu can be dragged again.
    handle = page.locator(f"#menu-item-{ids['Three']} [data-drag-handle]")
    first = page.locator(f"#menu-item-{ids['Two']}")
    settled_after(
        page, lambda: handle.drag_to(first, target_position={"x": 40, "y": 3})
    )
    assert stored_order(live_server.app) == ["Three", "Two", "One"]


def test_a_drop_outside_the_list_changes_nothing(live_server, page):
    ids = seed(live_server.app)
    open_editor(page, live_server)
    handle = page.locator(f"#menu-item-{ids['One']} [data-drag-handle]")
    handle.drag_to(page.locator("h1"))
    assert shown_order(page) == ["One", "Two", "Three"]
    assert stored_order(live_server.app) == ["One", "Two", "Three"]


def test_reorder_with_the_keyboard_keeps_focus_and_announces(live_server, page):
    seed(live_server.app)
    open_editor(page, live_server)
    page.get_by_role("button", name="Move down One").focus()
    settled_after(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator("#menu-status")).to_have_text(
        "Moved “One” to position 2 of 3 in the header menu."
    )
    assert focused(page) == "Move down One"
    settled_after(page, lambda: page.keyboard.press("Enter"))
    # At the bottom Move down is disabled: focus is on Move up of the same item.
    assert focused(page) == "Move up One"
    expect(page.get_by_role("button", name="Move down One")).to_be_disabled()
    assert stored_order(live_server.app) == ["Two", "Three", "One"]
    settled_after(page, lambda: page.keyboard.press("Enter"))
    assert stored_order(live_server.app) == ["Two", "One", "Three"]
    assert focused(page) == "Move up One"
    assert stayed(page)


def test_add_and_remove_with_htmx(live_server, page):
    seed(live_server.app)
    open_editor(page, live_server)
    footer = page.locator("#menu-footer")
    footer.get_by_label("Links to").select_option(label="Birds")
    footer.get_by_label("Label", exact=True).fill("Bird notes")
    settled_after(page, lambda: footer.get_by_role("button", name="Add").click())
    expect(page.locator("#menu-status")).to_have_text(
        "Added “Bird notes” to the footer menu."
    )
    assert shown_order(page, "footer") == ["About us", "Bird notes"]
    assert page.evaluate("document.activeElement.id") == "footer-target"
    remove = footer.get_by_role("button", name="Remove About us")
    settled_after(page, remove.click)
    expect(page.locator("#menu-status")).to_have_text(
        "Removed “About us” from the footer menu."
    )
    assert shown_order(page, "footer") == ["Bird notes"]
    assert page.evaluate("document.activeElement.id") == "menu-footer-title"
    assert stored_order(live_server.app, MenuName.FOOTER) == ["Bird notes"]
    assert stayed(page)
    page.goto(live_server("/articles/hello"))
    expect(page.locator(".footer-nav a")).to_have_text(["Bird notes"])
    expect(page.locator(".site-nav a")).to_have_text(["One", "Two", "Three"])


@pytest.mark.allow_console_errors("status of 422")  # the refused addresses
def test_an_unsafe_address_is_refused_inline(live_server, page):
    seed(live_server.app)
    open_editor(page, live_server)
    header = page.locator("#menu-header")
    header.get_by_label("Label", exact=True).fill("Danger")
    header.get_by_label("Address", exact=True).fill("javascript:alert(1)")
    settled_after(page, lambda: header.get_by_role("button", name="Add").click())
    expect(page.locator("#header-url-error")).to_contain_text(
        "Use an address that starts with https://"
    )
    assert page.evaluate("document.activeElement.id") == "header-url"
    assert stored_order(live_server.app) == ["One", "Two", "Three"]
    assert_no_axe_violations(page)


def test_edit_a_label_with_htmx(live_server, page):
    ids = seed(live_server.app)
    open_editor(page, live_server)
    item = page.locator(f"#menu-item-{ids['Two']}")
    item.locator("summary").click()
    item.get_by_label("Label of “Two”").fill("Second")
    settled_after(page, lambda: item.get_by_role("button", name="Save Two").click())
    expect(page.locator("#menu-status")).to_have_text("Saved “Second”.")
    assert page.evaluate("document.activeElement.id") == f"item-{ids['Two']}-label"
    assert stored_order(live_server.app) == ["One", "Second", "Three"]


def test_menu_editor_without_javascript(live_server, nojs_page):
    ids = seed(live_server.app)
    sign_in(nojs_page, live_server)
    nojs_page.goto(live_server("/staff/menus"))
    assert nojs_page.locator("[data-drag-handle]:visible").count() == 0
    nojs_page.get_by_role("button", name="Move up Three").click()
    nojs_page.wait_for_url("**/staff/menus#menu-header")
    expect(nojs_page.locator("#alerts")).to_contain_text(
        "Moved “Three” to position 2 of 3 in the header menu."
    )
    assert stored_order(live_server.app) == ["One", "Three", "Two"]
    header = nojs_page.locator("#menu-header")
    header.get_by_label("Links to").select_option(label="About us")
    header.get_by_role("button", name="Add").click()
    nojs_page.wait_for_url("**/staff/menus#menu-header")
    assert stored_order(live_server.app) == ["One", "Three", "Two", ""]
    item = nojs_page.locator(f"#menu-item-{ids['One']}")
    item.locator("summary").click()
    item.get_by_label("Label of “One”").fill("First")
    item.get_by_role("button", name="Save One").click()
    nojs_page.wait_for_url("**/staff/menus#menu-header")
    nojs_page.get_by_role("button", name="Remove Two").click()
    nojs_page.wait_for_url("**/staff/menus#menu-header")
    assert stored_order(live_server.app) == ["First", "Three", ""]
    nojs_page.goto(live_server("/about"))
    expect(nojs_page.locator(".site-nav a")).to_have_text(
        ["First", "Three", "About us"]
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_menu_editor_and_a_page_with_menus_have_no_axe_violations(
    live_server, page, scheme
):
    seed(live_server.app)
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": 390, "height": 900})
    open_editor(page, live_server)
    page.locator("#menu-header summary").first.click()
    assert_no_axe_violations(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_no_axe_violations(page)
    page.goto(live_server("/about"))
    assert_no_axe_violations(page)
