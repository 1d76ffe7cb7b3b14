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
