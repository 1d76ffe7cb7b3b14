"""`url_for` for templates, each link built once per process.

Why: a page asks for fifty to sixty links (the header's alone are a dozen). Werkzeug builds each anew,
~4 µs apiece and ~14 µs for a static file (whose link carries its content hash, static_assets.py); kept,
a link costs under 2 µs. The same endpoint with the same values under the same script root is the same
path for the life of the process. Only plain links are kept: one built outside a request (an email), an
external one, or one with an anchor, a method or a value that is not exactly a string or a whole number,
is built every time. With templates reloading (development) nothing is kept; a static file edited under
a production process keeps its old link until the process restarts.
"""

from functools import lru_cache

from flask import Flask, has_request_context, request, url_for

#: exact types: True would hash as 1 but build as "True"
KEPT_TYPES = (str, int)
#: enough for every navigation link and the ids on a busy page, small enough to stay a few MB
KEPT_LINKS = 8192


def configure_template_urls(app: Flask) -> None:
    if app.debug or app.config.get("TEMPLATES_AUTO_RELOAD"):
        return

    @lru_cache(maxsize=KEPT_LINKS)
    def kept(script_root: str, endpoint: str, values: tuple) -> str:
        return url_for(endpoint, **dict(values))

    def template_url_for(endpoint: str, **values) -> str:
        if (
            not has_request_context()
            or any(type(value) not in KEPT_TYPES for value in values.values())
            or any(name.startswith("_") for name in values)
        ):
            return url_for(endpoint, **values)
        if endpoint[:1] == ".":
            blueprint = request.blueprint
            endpoint = f"{blueprint}{endpoint}" if blueprint else endpoint[1:]
        return kept(request.script_root, endpoint, tuple(sorted(values.items())))

    app.jinja_env.globals["url_for"] = template_url_for
