"""Static files: pages link them by a hash of their content, and those links are kept by browsers for a year."""

import hashlib
import re
from pathlib import Path

from platform6.static_assets import version_of

STATIC = Path(__file__).resolve().parent.parent / "static"


def linked_assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_link_static_files_by_their_content_hash(client):
    links = linked_assets(client.get("/sign-in").get_data(as_text=True))
    stylesheet = next(link for link in links if link.startswith("/static/css/app.css?v="))
    expected = hashlib.sha256((STATIC / "css" / "app.css").read_bytes()).hexdigest()[:12]
    assert stylesheet == f"/static/css/app.css?v={expected}"
    assert all("?v=" in link for link in links)


def test_a_hashed_link_is_immutable_for_a_year_and_any_other_is_revalidated(client):
    stylesheet = next(link for link in linked_assets(client.get("/sign-in").get_data(as_text=True)) if ".css" in link)
    kept = client.get(stylesheet)
    assert kept.status_code == 200 and kept.headers["Content-Type"].startswith("text/css")
    assert {"public", "max-age=31536000", "immutable"} <= set(kept.headers["Cache-Control"].split(", "))
    for other in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        assert "immutable" not in client.get(other).headers.get("Cache-Control", "")


def test_the_hash_follows_the_content_and_nothing_outside_the_folder_is_named(tmp_path):
    asset = tmp_path / "site.css"
    asset.write_text("body { color: black; }")
    before = version_of(str(tmp_path), "site.css")
    asset.write_text("body { color: #222; }")  # another size, so a new hash even within one mtime tick
    assert version_of(str(tmp_path), "site.css") not in (before, None)
    assert version_of(str(tmp_path), "../site.css") is None
    assert version_of(str(tmp_path), "missing.css") is None


def test_text_files_are_sent_compressed_as_the_browser_accepts_and_revalidate_by_their_own_tag(client):
    import gzip

    import brotli

    stylesheet = next(link for link in linked_assets(client.get("/sign-in").get_data(as_text=True)) if ".css" in link)
    original = (STATIC / "css" / "app.css").read_bytes()
    for accepts, encoding, decompress in (
        ("gzip, deflate, br", "br", brotli.decompress),
        ("gzip", "gzip", gzip.decompress),
    ):
        sent = client.get(stylesheet, headers={"Accept-Encoding": accepts})
        assert sent.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in sent.headers["Vary"]
        assert int(sent.headers["Content-Length"]) == len(sent.data) < len(original)
        assert decompress(sent.data) == original
        again = client.get(stylesheet, headers={"Accept-Encoding": accepts, "If-None-Match": sent.headers["ETag"]})
        assert again.status_code == 304
    plain = client.get(stylesheet, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.data == original
    assert "Accept-Encoding" in plain.headers["Vary"]
    part = client.get(stylesheet, headers={"Accept-Encoding": "br", "Range": "bytes=0-9"})
    assert part.status_code == 206 and "Content-Encoding" not in part.headers and part.data == original[:10]


def test_pages_are_never_compressed_because_they_carry_secrets(client):
    """BREACH: a page holding a CSRF token and reflecting input must not be compressed (docs/production.md)."""
    page = client.get("/sign-in?next=/x", headers={"Accept-Encoding": "gzip, br"})
    assert page.status_code == 200 and "Content-Encoding" not in page.headers
