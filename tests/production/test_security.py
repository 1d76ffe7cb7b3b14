"""Security headers on every response, no inline script anywhere, Secure cookies over HTTPS."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_every_kind_of_response_carries_the_security_headers(client, create_user, login):
    login(create_user())
    responses = [
        client.get("/dashboard"),
        client.get("/sign-in"),
        client.get("/groups/no-such-group"),
        client.get("/api/v1/me"),
        client.get("/api/v1/groups/999"),
        client.get("/healthz"),
        client.post("/sign-out"),
    ]
    static = client.get("/static/css/app.css")
    static.close()
    for response in [*responses, static]:
        assert response.headers["X-Content-Type-Options"] == "nosniff", response.request.path
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"
        directives = csp_directives(response)
        assert directives["frame-ancestors"] == ["'none'"]


def test_the_content_security_policy_allows_scripts_from_this_site_only_and_socketio_connections(client):
    directives = csp_directives(client.get("/"))
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert set(directives["connect-src"]) == {"'self'", "ws:", "wss:"}
    assert set(directives["img-src"]) == {"'self'", "data:", "https:"}  # images linked from Markdown posts
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_no_template_has_an_inline_script_or_event_handler_attribute():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        if INLINE_SCRIPT.search(text) or EVENT_ATTRIBUTE.search(text):
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []


def test_rendered_pages_have_no_inline_script(client, create_user, create_group, login):
    user = create_user()
    group = create_group(admin=user, privacy="open")
    login(user)
    for path in ["/dashboard", "/groups", f"/groups/{group.handle}", "/groups/new", "/settings", "/notifications"]:
        html = client.get(path).get_data(as_text=True)
        assert "<script" in html  # the page's own scripts, from files
        assert not INLINE_SCRIPT.search(html), path
        assert not EVENT_ATTRIBUTE.search(html), path


def test_the_session_cookie_is_secure_when_the_site_is_served_over_https(other_app, create_user):
    user = create_user()
    for scheme, secure in (("https", True), ("http", False)):
        client = other_app(PREFERRED_URL_SCHEME=scheme).test_client()
        response = client.post("/sign-in", data={"email": user.email, "password": "correct horse"})
        assert response.status_code == 302
        cookie = response.headers["Set-Cookie"]
        assert ("; Secure" in cookie) is secure, cookie
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_https_behind_a_trusted_proxy_adds_hsts_and_untrusted_forwarded_headers_are_ignored(app, other_app):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    untrusted = other_app().test_client().get("/healthz", headers=headers)
    assert "Strict-Transport-Security" not in untrusted.headers
    trusted = other_app(TRUSTED_PROXIES=1).test_client().get("/healthz", headers=headers)
    assert trusted.headers["Strict-Transport-Security"].startswith("max-age=")
