"""A newcomer signs up from the front page and lands on their dashboard."""

from playwright.sync_api import expect


def test_a_newcomer_signs_up_and_sees_the_dashboard(live_server, new_page, screenshot):
    page = new_page()
    page.goto(live_server + "/")
    screenshot(page, "front-page")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Your name").fill("Nadia Rahman")
    page.get_by_label("Email").fill("nadia@example.org")
    page.get_by_label("Password").fill("a good long password")
    screenshot(page, "sign-up")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Hello, Nadia Rahman")).to_be_visible()
    screenshot(page, "dashboard")
