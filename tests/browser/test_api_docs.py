"""The browsable API docs render under the strict Content-Security-Policy, from vendored files only."""

from playwright.sync_api import expect


def test_api_docs_render_every_operation_without_a_csp_violation(live_server, new_page, screenshot):
    page = new_page()
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    outside = []
    page.on("request", lambda request: request.url.startswith(live_server) or outside.append(request.url))
    page.goto(live_server + "/api/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.get_by_text("/groups/{group_id}/join", exact=True).first).to_be_visible()
    screenshot(page, "api-docs")
    assert page.locator(".opblock").count() >= 20
    assert problems == []
    assert outside == []


def test_api_docs_with_operations_open_are_axe_clean_on_a_phone(live_server, new_page, screenshot):
    from tests.browser.test_every_page import AXE, AXE_RUN

    page = new_page(390, 844)
    page.goto(live_server + "/api/docs")
    page.locator(".opblock-post .opblock-summary-control").first.click()
    page.locator(".opblock-get .opblock-summary-control").first.click()
    expect(page.locator(".responses-table").first).to_be_visible()
    page.evaluate(AXE.read_text())
    assert page.evaluate(AXE_RUN) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "api-docs-open")
