"""Who is calling a node's Credit Commons routes (FEDERATION.md §4): the link named by `cc-node`, called from one of
the link's `allowed_ips` when it has any, proved by its `last-hash` (the link's head, or a transaction's head-before
for a repeat of that transaction's message) and, between Platform 6 peers, by the `p6-signature` over the request."""

import ipaddress
import re
from collections.abc import Mapping

from flask import current_app, has_request_context, request
from sqlalchemy import select

from ..credit.models import Network
from ..extensions import db
from ..timeutil import utcnow
from . import hashing, links, signing, wire
from .models import CCTransaction, Link, LinkHash
from .paths import split

#: the statuses a link answers in: approved (the handshake that activates it) and active
LIVE_STATUSES = ("approved", "active")
_UUID_IN_PATH = re.compile(r"/transaction/([0-9a-fA-F-]{36})(?:/|$)")


def authenticated_link(
    network: Network, *, headers: Mapping, method: str, path: str, body: bytes, current_secret_only: bool = False
) -> Link:
    """The link the request comes by, or CCError 401 (nothing is written either way). `current_secret_only`: the
    secret a rotation replaced, which still verifies for a day, is not enough (to install a new secret, say: whoever
    kept the replaced one, often the reason to rotate, must not put in one of its own and push ours out)."""
    node, last_hash = wire.read_auth(headers)
    if not node:
        raise wire.CCError(401, "PermissionViolation", "cc-node (or cc-user) is missing")
    link = links.link_by_peer(network, split(node)[-1]) if split(node) else None
    if link is None or link.status not in LIVE_STATUSES or not _names_the_peer(network, link, node):
        raise wire.CCError(401, "PermissionViolation", f"{node[:64]} is not a neighbour of this node")
    if link.allowed_ips and not calls_from_allowed_address(link):
        raise wire.CCError(401, "PermissionViolation", "this link is not called from that address")
    if not (is_current(link, last_hash, method=method, path=path) or _repeats(link, last_hash, path, body)):
        raise wire.CCError(401, "HashMismatchFailure", "last-hash does not match this link's head")
    secrets = link_secrets(link)[:1] if current_secret_only else link_secrets(link)
    if link.profile == "p6" and not signing.verify(
        secrets, headers.get(signing.HEADER), method=method, path=path, body=body
    ):
        raise wire.CCError(401, "PermissionViolation", "p6-signature is missing, stale or wrong")
    return link


def calls_from_allowed_address(link: Link) -> bool:
    """The request comes from one of the link's allowed addresses or networks. The address is the app's client
    address: the socket's peer, or what TRUSTED_PROXIES proxies say in X-Forwarded-For. No request: no address."""
    raw = request.remote_addr if has_request_context() else None
    try:
        caller = ipaddress.ip_address(raw or "")
    except ValueError:
        return False
    caller = getattr(caller, "ipv4_mapped", None) or caller
    return any(caller in ipaddress.ip_network(allowed, strict=False) for allowed in link.allowed_ips)


def is_current(link: Link, last_hash: str | None, *, method: str, path: str) -> bool:
    """The head the link has now. A signed P6 relay may also carry the head from just before the latest change:
    relays move no head, and one sent while the peer had not yet heard our answer to that change would carry it
    (the signature, fresh within 5 minutes, stands for its body; the uuid keeps a repeat from moving anything)."""
    if hashing.same(last_hash, link.head):
        return True
    if link.profile != "p6" or method != "POST" or not path.endswith("/transaction/relay") or not last_hash:
        return False
    previous = db.session.scalar(select(LinkHash.previous).where(LinkHash.link_id == link.id, LinkHash.seq == link.seq))
    return hashing.same(last_hash, previous)


def _names_the_peer(network: Network, link: Link, node: str) -> bool:
    """`cc-node` holds the peer's name, or its full path (Komunitin), which must then be the right one."""
    if "/" not in node.strip("/"):
        return True
    expected = links.trunk_path(link) if link.direction == "trunkward" else [*links.our_path(network), link.peer_name]
    return split(node) == expected


def _repeats(link: Link, last_hash: str | None, path: str, body: bytes) -> bool:
    """The hash is the head from before the latest change of the transaction the message is about: a retry of that
    message (the service then answers it only if it is one)."""
    uuid = _uuid_of(path, body)
    if uuid is None or not last_hash:
        return False
    before = db.session.scalar(
        select(CCTransaction.head_before).where(CCTransaction.uuid == uuid, CCTransaction.network_id == link.network_id)
    )
    return hashing.same(last_hash, (before or {}).get(str(link.id)))


def _uuid_of(path: str, body: bytes) -> str | None:
    if found := _UUID_IN_PATH.search(path):
        return found.group(1).lower()
    try:
        parsed = wire.loads(body) if body else None
    except ValueError:
        return None
    uuid = parsed.get("uuid") if isinstance(parsed, dict) else None
    return uuid.lower() if wire.is_uuid(uuid) else None


def link_secrets(link: Link) -> list[str]:
    """The link's HMAC secret, and the previous one while a rotation's grace period lasts."""
    key = current_app.config["SECRET_KEY"]
    found = [signing.unseal(key, link.secret)] if link.secret else []
    if link.previous_secret and link.previous_secret_until and link.previous_secret_until > utcnow():
        found.append(signing.unseal(key, link.previous_secret))
    return found
