"""Calls to a neighbouring node (FEDERATION.md §2): its base URL, our auth headers for the link, the
p6-signature between Platform 6 peers, a timeout per hop. Never with a database transaction open: an HTTP call
inside a write transaction would stall every payment on the installation (SQLite's one writer)."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from ..extensions import db
from . import signing, wire

#: one pool of connections per process, reused across calls
_http = requests.Session()


@dataclass(frozen=True)
class Peer:
    """What a call on one link needs, read inside a unit of work so that no ORM object is touched after it."""

    link_id: int
    url: str
    profile: str
    our_name: str
    our_path: tuple[str, ...]
    head: str
    #: the HMAC secret in clear (p6 peers), None for others
    secret: str | None
    quant_decimals: int


@dataclass(frozen=True)
class Answer:
    status: int
    payload: Any
    #: the peer's errors, read from any shape (empty on success)
    errors: list[dict]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class Unreachable(Exception):
    """No answer: refused connection, timeout, or a URL we may not call."""


def call(peer: Peer, method: str, path: str, *, body: bytes = b"", timeout: float, allow_http: bool) -> Answer:
    """`method` `path` (relative to the peer's base URL) with our headers; Unreachable if no answer came."""
    if db.session().in_transaction():
        raise RuntimeError("a database transaction is open during a call to a peer: commit first")
    url = peer.url + path
    if not (url.startswith("https://") or (allow_http and url.startswith("http://"))):
        raise Unreachable(f"{url} is not https")
    headers = wire.auth_headers(profile=peer.profile, our_name=peer.our_name, our_path=list(peer.our_path),
                                head=peer.head)  # fmt: skip
    headers["content-type"] = "application/json"
    if peer.secret is not None:
        signed_path = urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
        headers[signing.HEADER] = signing.sign(peer.secret, method=method, path=signed_path, body=body)
    try:
        response = _http.request(method, url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
    except requests.RequestException as err:
        raise Unreachable(str(err)) from None
    try:
        payload = wire.loads(response.content) if response.content else None
    except ValueError:
        payload = response.text[:500]
    ok = 200 <= response.status_code < 300
    return Answer(response.status_code, payload, [] if ok else wire.read_errors(response.status_code, payload))
