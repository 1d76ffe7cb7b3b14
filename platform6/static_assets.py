"""Static files under URLs that name their content, so browsers keep them for a year.

Why: every page pulls the stylesheet and several scripts; uncached, each page view asks for each of them
again (a 304 at best, a round trip each), which is slow on a phone on a co-op's poor connection.
`url_for("static", filename=...)` adds `v=`, a hash of the file's content; a request whose `v` is that
hash is answered as immutable for a year. A changed file has a new hash, so a new URL, fetched afresh;
any other request for a static file is served as Flask serves it (revalidated each time).
"""

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, request
from werkzeug.security import safe_join

ONE_YEAR = 365 * 24 * 3600


@lru_cache(maxsize=256)
def _hash(path: str, mtime_ns: int, size: int) -> str:
    """The content hash, read again only when the file's modification time or size changes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def version_of(folder: str, filename: str) -> str | None:
    """A short hash of the file's content; None for a file that is not there (or a path outside the folder)."""
    path = safe_join(folder, filename)
    if path is None:
        return None
    try:
        found = Path(path).stat()
    except OSError:
        return None
    return _hash(path, found.st_mtime_ns, found.st_size)


def configure_static_assets(app: Flask) -> None:
    @app.url_defaults
    def name_the_content(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = version_of(app.static_folder, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def keep_named_content(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code in (200, 304):
            wanted = request.args.get("v")
            if wanted and wanted == version_of(app.static_folder, request.view_args.get("filename", "")):
                response.cache_control.public = True
                response.cache_control.max_age = ONE_YEAR
                response.cache_control.immutable = True
                response.cache_control.no_cache = None
        return response
