"""The site's frame on a phone: the header is one row with a menu button that opens by click or keyboard,
and without JavaScript the links are still there."""

from playwright.sync_api import expect

from tests.conftest import PASSWORD


def _sign_in(page, base: str, user) -> None:
    page.goto(base + "/sign-in")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/dashboard")


def test_the_phone_menu_opens_by_keyboard_and_the_header_stays_one_row(live_server, new_page, screenshot, create_user):
    person = create_user(name="Nadia Rahman")
    page = new_page(390, 844)
    _sign_in(page, live_server, person)
    header = page.locator(".site-header")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Groups")).to_be_hidden()
    assert header.bounding_box()["height"] <= 64  # one row: brand, bell, menu (was three rows, 174 px)
    assert menu.bounding_box()["height"] >= 44
    screenshot(page, "menu-closed")

    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    groups = page.get_by_role("navigation", name="Main").get_by_role("link", name="Groups")
    expect(groups).to_be_visible()
    assert groups.bounding_box()["height"] >= 44
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Dashboard")).to_be_focused()
    screenshot(page, "menu-open")
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()

    wide = new_page(1280, 800)
    _sign_in(wide, live_server, person)
    expect(wide.get_by_role("button", name="Menu")).to_be_hidden()
    expect(wide.get_by_role("navigation", name="Main").get_by_role("link", name="Groups")).to_be_visible()


def test_without_javascript_the_links_show_on_a_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server + "/groups")
        expect(page.get_by_role("link", name="Skills")).to_be_visible()
        expect(page.get_by_role("link", name="Sign in")).to_be_visible()
        expect(page.locator(".menu-button")).to_be_hidden()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
