"""Every call this installation makes to another (FEDERATION.md §2, docs/federation.md "Security between nodes"): the
peer's base URL, our auth headers for the link, the p6-signature between Platform 6 peers, `cc-node-trace`, a timeout
per hop, no redirect followed, and each connection made only to an address checked at that moment (addresses.py).

Never with a database transaction open: an HTTP call inside a write transaction would stall every payment on the
installation (SQLite's one writer)."""

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import current_app

from ..extensions import db
from . import signing, trace, wire
from .addresses import CheckedAddressAdapter

#: the largest answer read from a peer: a relay's answer echoes at most the entries it was sent (Komunitin)
MAX_ANSWER = 4 * wire.MAX_BODY


class AnswerTooLarge(requests.RequestException):
    """A peer's answer went past MAX_ANSWER, or kept coming past the time a hop may take."""


class _BoundedBody:
    """A response body read no further than MAX_ANSWER bytes (decompressed) nor past a deadline: an endless or
    dripping answer from a peer would otherwise fill the worker's memory or hold it for ever."""

    def __init__(self, raw, deadline: float):
        self._raw, self._left, self._deadline = raw, MAX_ANSWER, deadline

    def stream(self, amount=None, decode_content=None):
        for chunk in self._raw.stream(amount, decode_content=decode_content):
            self._left -= len(chunk)
            if self._left < 0 or time.monotonic() > self._deadline:
                self._raw.close()
                raise AnswerTooLarge(f"the answer is larger than {MAX_ANSWER} bytes or slower than a hop may be")
            yield chunk

    def __getattr__(self, name):
        return getattr(self._raw, name)


class _BoundedAnswerAdapter(CheckedAddressAdapter):
    def build_response(self, req, resp):
        response = super().build_response(req, resp)
        seconds = current_app.config["FEDERATION_TIMEOUT_SECONDS"]  # each read's timeout; the whole body gets twice
        response.raw = _BoundedBody(response.raw, time.monotonic() + 2 * seconds)
        return response


def _checked_session() -> requests.Session:
    session = requests.Session()
    # a proxy from the environment would be connected to instead of the checked address
    session.trust_env = False
    session.mount("https://", _BoundedAnswerAdapter())
    session.mount("http://", _BoundedAnswerAdapter())
    return session


#: one pool of connections per process, reused across calls
_http = _checked_session()


def http() -> requests.Session:
    """The session peers are called with. Tests that run two installations in one process put one reaching the
    other app's test client in app.extensions["federation_http"]."""
    return current_app.extensions.get("federation_http") or _http


@dataclass(frozen=True)
class Peer:
    """What a call on one link needs, read inside a unit of work so that no ORM object is touched after it."""

    link_id: int
    url: str
    profile: str
    our_name: str
    our_path: tuple[str, ...]
    #: the link's head; None before the link has a chain (a graft request, a pickup): no auth headers then
    head: str | None
    #: the HMAC secret in clear (p6 peers), None for others
    secret: str | None
    quant_decimals: int

    @classmethod
    def before_link(cls, link_id: int, url: str) -> "Peer":
        """A trunk asked for a link that does not exist there yet: nothing to prove, so nothing signed."""
        return cls(link_id, url, "p6", "", (), None, None, 0)


@dataclass(frozen=True)
class Answer:
    status: int
    payload: Any
    #: the peer's errors, read from any shape (empty on success)
    errors: list[dict]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json_object(self) -> dict:
        return self.payload if isinstance(self.payload, dict) else {}


class Unreachable(Exception):
    """No answer: refused connection, timeout, or a URL or address we may not call."""


def call(peer: Peer, method: str, path: str, *, body: bytes = b"") -> Answer:
    """`method` `path` (relative to the peer's base URL) with our headers; Unreachable if no answer came within
    FEDERATION_TIMEOUT_SECONDS."""
    if db.session().in_transaction():
        raise RuntimeError("a database transaction is open during a call to a peer: commit first")
    config = current_app.config
    url = peer.url + path
    if not (url.startswith("https://") or (config["FEDERATION_ALLOW_HTTP"] and url.startswith("http://"))):
        raise Unreachable(f"{url} is not https")
    headers = {"content-type": "application/json"}
    if peer.head is not None:
        headers.update(wire.auth_headers(profile=peer.profile, our_name=peer.our_name, our_path=list(peer.our_path),
                                         head=peer.head))  # fmt: skip
        headers[trace.HEADER] = trace.outgoing(peer.our_name)
    if peer.secret is not None:
        parts = urlsplit(url)
        signed_path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers[signing.HEADER] = signing.sign(peer.secret, method=method, path=signed_path, body=body)
    try:
        response = http().request(method, url, data=body, headers=headers, allow_redirects=False,
                                  timeout=config["FEDERATION_TIMEOUT_SECONDS"])  # fmt: skip
    except requests.RequestException as err:
        raise Unreachable(str(err)) from None
    try:
        payload = wire.loads(response.content) if response.content else None
    except ValueError:
        payload = response.text[:500]
    ok = 200 <= response.status_code < 300
    return Answer(response.status_code, payload, [] if ok else wire.read_errors(response.status_code, payload))
