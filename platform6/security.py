"""Security headers on every response, and trusting the proxy in front of the app (HTTPS, client address)."""

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

#: Scripts, styles and fonts from this site only; no inline script, no framing. Images may also come
#: over HTTPS from elsewhere, because Markdown in posts may link them (markup.py keeps <img src>).
#: Socket.IO connects back to this site over HTTP(S) long-polling or WebSocket (ws:/wss:).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https:",
        "font-src 'self'",
        "connect-src 'self' ws: wss:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

#: a year of HTTPS only, sent only on responses that came over HTTPS
HSTS = "max-age=31536000; includeSubDomains"


def configure_security(app: Flask) -> None:
    """Trust `TRUSTED_PROXIES` proxies' X-Forwarded-* headers, and add the security headers to every response."""
    if proxies := app.config.get("TRUSTED_PROXIES", 0):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)

    @app.after_request
    def add_security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
