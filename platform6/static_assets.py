"""Static files under URLs that name their content, so browsers keep them for a year.

Why: every page pulls the stylesheet and several scripts; uncached, each page view asks for each of them
again (a 304 at best, a round trip each), which is slow on a phone on a co-op's poor connection.
`url_for("static", filename=...)` adds `v=`, a hash of the file's content; a request whose `v` is that
hash is answered as immutable for a year. A changed file has a new hash, so a new URL, fetched afresh;
any other request for a static file is served as Flask serves it (revalidated each time).

Text files (CSS, JavaScript, SVG, JSON) are also sent compressed, Brotli or gzip as the browser accepts:
the vendored Swagger UI bundle is 1.7 MB as it is, 0.39 MB in Brotli. A file is compressed on its first
request and the bytes are kept (in memory, for the process's life, keyed by the file's modification time
and size like the hash), so each file costs one compression per process: Brotli at quality 9 takes ~0.9 s
for that bundle and milliseconds for our own files, where quality 11 would take ~12 s for 8 % less.
Pages (HTML) are never compressed: see "Compression" in docs/production.md (BREACH).
"""

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

import brotli
from flask import Flask, Response, request
from werkzeug.security import safe_join

ONE_YEAR = 365 * 24 * 3600
COMPRESSIBLE = {
    "text/css",
    "text/javascript",
    "application/javascript",
    "image/svg+xml",
    "application/json",
    "text/plain",
}
#: below this, compression saves less than the headers it adds cost
COMPRESS_FROM_BYTES = 1024
BROTLI_QUALITY = 9


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


@lru_cache(maxsize=64)
def _compressed(path: str, mtime_ns: int, size: int, encoding: str) -> bytes:
    data = Path(path).read_bytes()
    if encoding == "br":
        return brotli.compress(data, quality=BROTLI_QUALITY)
    return gzip.compress(data, compresslevel=9, mtime=0)


def accepted_encoding() -> str | None:
    """The compression this request accepts, Brotli first; None for neither."""
    for encoding in ("br", "gzip"):
        if request.accept_encodings.quality(encoding) > 0:
            return encoding
    return None


def compress_static(folder: str, response: Response) -> Response:
    """A static file's response, compressed when it is text the browser accepts compressed (see the module)."""
    if response.mimetype not in COMPRESSIBLE:
        return response
    response.vary.add("Accept-Encoding")  # even uncompressed: a cache must not hand this copy to every browser
    path = safe_join(folder, request.view_args.get("filename", ""))
    encoding = accepted_encoding()
    if response.status_code != 200 or encoding is None or path is None or "Range" in request.headers:
        return response
    found = Path(path).stat()
    if found.st_size < COMPRESS_FROM_BYTES:
        return response
    body = _compressed(path, found.st_mtime_ns, found.st_size, encoding)
    response.direct_passthrough = False
    if hasattr(response.response, "close"):
        response.response.close()  # the open file Flask meant to send
    response.set_data(body)
    response.headers["Content-Encoding"] = encoding
    etag, weak = response.get_etag()
    if etag:  # another representation, so another tag; a browser revalidating it with that tag gets a 304
        response.set_etag(f"{etag}-{encoding}", weak=weak)
        response.make_conditional(request)
    return response


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
            return compress_static(app.static_folder, response)
        return response
