"""Grafting: a network here becomes a node under a trunk on another installation, and a trunk here takes leaves.

Every write of a graft's life (docs/federation.md): the leaf's request, the trunk's record of it, the trunk's
decision (a binding `graft_node` proposal of its governing group, or a direct one when the network allows it), the
leaf picking up its credentials once, a link suspended, resumed or given a new secret. These functions flush and
never commit, and never call another server: graft_sync.py does that, between two units of work.

A graft request is a row on both sides: on the trunk, the request received (`network_id` = the trunk); on the
leaf, the request sent (`network_id` = the leaf, named by its trunkward link's `graft_request_id`). Its status
runs pending -> approved -> picked_up (or declined); "picked up" is also how a genesis typed into a Komunitin or
reference leaf is shown once.
"""

import hashlib
import hmac
import ipaddress
import re
import secrets
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..credit import queries as credit_queries
from ..credit import service as credit_service
from ..credit.models import Network
from ..errors import Conflict, Forbidden, NotFound, RuleViolation, invalid
from ..extensions import db
from ..groups.models import Group
from ..groups.service import admin_ids
from ..i18n import Message
from ..limits import MAX_INT, is_whole
from ..notifications.service import notify
from ..timeutil import utcnow
from . import addresses, links, signing
from .models import GraftRequest, Link
from .paths import NODE_NAME_RE, join, split
from .wire import PROFILES

#: how long the secret replaced by a rotation still verifies, so messages already on their way pass
ROTATION_OVERLAP = timedelta(hours=24)
#: the longest message a leaf's admins send with a graft request; a received request's contact text holds the
#: sender's name and email before it
CONTACT_MAX = 2000
CONTACT_RECEIVED_MAX = CONTACT_MAX + 400
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
#: a starting hash typed by an admin for a Komunitin or reference trunk (md5 hex, or longer)
_HASH_TEXT = re.compile(r"[0-9A-Za-z]{16,64}")
#: the statuses an admin may set on a link, and the status each may be set from
STATUS_FROM = {"suspended": "active", "active": "suspended"}


# --- permissions and loading -------------------------------------------------------------------


def ensure_network_admin(actor, network: Network) -> None:
    """Only the admins of the network's governing group manage its federation (others: 403, strangers: 404)."""
    if not credit_queries.can_see_network(actor, network):
        raise NotFound(_("No such network."))
    if not credit_queries.is_network_admin(actor, network):
        raise Forbidden(_("Only the network's admins may do that."))


def link_for_admin(actor, link_id: int) -> tuple[Link, Network]:
    link = db.session.get(Link, link_id)
    network = credit_queries.network_by_id(link.network_id) if link is not None else None
    if network is None or not credit_queries.can_see_network(actor, network):
        raise NotFound(_("No such link."))
    ensure_network_admin(actor, network)
    return link, network


def request_for_admin(actor, request_id: int) -> tuple[GraftRequest, Network]:
    found = db.session.get(GraftRequest, request_id)
    network = credit_queries.network_by_id(found.network_id) if found is not None else None
    if network is None or not credit_queries.can_see_network(actor, network) or is_outgoing(found):
        raise NotFound(_("No such graft request."))
    ensure_network_admin(actor, network)
    return found, network


def is_outgoing(graft: GraftRequest) -> bool:
    """A request this installation sent (the leaf's copy), not one it received."""
    return (
        db.session.scalar(
            select(Link.id).where(Link.graft_request_id == graft.id, Link.direction == "trunkward").limit(1)
        )
        is not None
    )


def incoming_requests_select(network: Network):
    """The graft requests leaves elsewhere sent to `network` (unordered: pages choose their order)."""
    sent = select(Link.graft_request_id).where(Link.direction == "trunkward", Link.graft_request_id.is_not(None))
    return select(GraftRequest).where(GraftRequest.network_id == network.id, GraftRequest.id.not_in(sent))


def base_url(network: Network, root_url: str) -> str | None:
    """Where peers reach the node: https://host/cc/<name>/ (None until the network has a node name)."""
    return f"{root_url.rstrip('/')}/cc/{network.cc_name}/" if network.cc_name else None


def check_url(url, field: str) -> str:
    """A peer's base URL, which this server will call: https (http only when FEDERATION_ALLOW_HTTP is set, for tests)
    on a host that is, or resolves to, a public address (addresses.py), made to end with "/"."""
    allowed = ("https", "http") if current_app.config.get("FEDERATION_ALLOW_HTTP") else ("https",)
    parts = urlsplit(url) if isinstance(url, str) and 0 < len(url) <= 499 else None
    try:
        host, _port = (parts.hostname, parts.port) if parts is not None else (None, None)
    except ValueError:  # a port that is not a number from 0 to 65535
        host = None
    if not host or parts.scheme not in allowed or parts.username or parts.password or parts.query or parts.fragment:
        raise invalid(field, _("Give the address as https://host/cc/<name>/."))
    try:
        addresses.check_typed_host(host)
    except addresses.ForbiddenAddress:
        raise invalid(field, _("%(host)s is not a public address: a node may not call it.", host=host)) from None
    return url if url.endswith("/") else url + "/"


def _check_limit(value, field: str, *, nullable: bool = False) -> None:
    if value is None and nullable:
        return
    if not is_whole(value, 0):
        raise invalid(field, _("%(field)s must be a whole number from 0 to %(max)s.", field=field, max=MAX_INT))


def _check_node_name(name, field: str = "node_name") -> str:
    if not isinstance(name, str) or not NODE_NAME_RE.fullmatch(name):
        raise invalid(field, _("A node name is 1 to 32 lower-case letters, digits or hyphens, such as kirklees."))
    return name


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- naming a node -----------------------------------------------------------------------------


def name_node(*, actor, network: Network, node_name: str) -> Network:
    """Give the network its Credit Commons node name (once): a trunk needs one before leaves can ask to join."""
    ensure_network_admin(actor, network)
    # fedcore's rule for a node name, also applied at a network's first link (asked to be made public at merge)
    links.name_network(network, _check_node_name(node_name))
    db.session.flush()
    return network


def share_names(*, actor, network: Network, shared: bool) -> Network:
    """Whether neighbouring nodes may list our member accounts' names (GET account/names); off by default."""
    ensure_network_admin(actor, network)
    network.federation_share_names = shared
    db.session.flush()
    return network


# --- the leaf's side ---------------------------------------------------------------------------


def _trunk_path(trunk_url: str, trunk_path: str | None) -> list[str]:
    """The trunk's node path: given, or read from a P6 base URL's last segment (https://host/cc/ocn/ -> ocn)."""
    if trunk_path:
        segments = split(trunk_path)
    else:
        path = [s for s in urlsplit(trunk_url).path.split("/") if s]
        segments = path[-1:] if len(path) >= 2 and path[-2] == "cc" else []
    if not segments or not all(NODE_NAME_RE.fullmatch(s) for s in segments):
        raise invalid("trunk_path", _("Give the trunk's node path, such as ocn."))
    return segments


def request_trunkward(
    *,
    actor,
    network: Network,
    root_url: str,
    trunk_url: str,
    node_name: str,
    exchange_rate: str,
    requested_credit_limit: int = 0,
    message: str = "",
    profile: str = "p6",
    last_hash: str | None = None,
    trunk_path: str | None = None,
) -> Link:
    """Ask to graft `network` under a trunk elsewhere: the trunkward link, `requested`, with its settlement account.

    A P6 trunk is then sent the request (graft_sync.send_graft_request, after the commit) and the credentials are
    picked up once its group approves. A reference or Komunitin trunk's admins have given out the starting hash
    (`last_hash`): the link becomes active once the trunk answers a handshake with it. `root_url`: this
    installation's address, for the node's base URL.
    """
    ensure_network_admin(actor, network)
    if profile not in PROFILES:
        raise invalid("profile", _("profile is one of %(choices)s.", choices=", ".join(PROFILES)))
    trunk_url = check_url(trunk_url, "trunk_url")
    peer_path = _trunk_path(trunk_url, trunk_path)
    _check_node_name(node_name)
    _check_limit(requested_credit_limit, "requested_credit_limit")
    if not isinstance(message, str) or len(message) > CONTACT_MAX:
        raise invalid("message", _("Write at most %(most)d characters.", most=CONTACT_MAX))
    if profile == "p6" and last_hash:
        raise invalid("last_hash", _("A Platform 6 trunk hands out the starting hash itself: leave it empty."))
    if profile != "p6" and not (isinstance(last_hash, str) and _HASH_TEXT.fullmatch(last_hash)):
        raise invalid(
            "last_hash", _("Type the starting hash the trunk's admins gave you (16 to 64 letters or digits).")
        )
    if network.parent_id is not None:
        raise RuleViolation(
            "has_parent", None, _("This network is already a node of another network here: it cannot have a trunk.")
        )
    if links.trunkward_link(network) is not None:
        raise Conflict(_("This network already has a trunk."), code="already_linked")
    link = links.open_link(
        network=network,
        direction="trunkward",
        peer_name=peer_path[-1],
        peer_url=trunk_url,
        peer_path=join(peer_path) if len(peer_path) > 1 else None,
        profile=profile,
        status="requested",
        rate=exchange_rate,
        genesis=last_hash if profile != "p6" else None,
        cc_name=node_name,
    )
    if profile != "p6":
        return link
    # the trunk gets only the token's digest; the leaf keeps the token sealed where the link's secret will go
    token = secrets.token_urlsafe(32)
    sent = GraftRequest(
        network_id=network.id,
        node_name=network.cc_name,
        url=base_url(network, root_url),
        currency={"code": network.currency_code, "name": network.currency_name, "decimals": network.currency_decimals},
        exchange_rate=link.rate,
        requested_credit_limit=requested_credit_limit,
        contact=f"{actor.name} <{actor.email}>\n{message}".strip(),
        pickup_token_sha256=token_digest(token),
    )
    db.session.add(sent)
    db.session.flush()
    link.graft_request_id = sent.id
    link.pickup_token_sha256 = sent.pickup_token_sha256
    link.secret = signing.seal(current_app.config["SECRET_KEY"], token)
    db.session.flush()
    return link


def sent_request(link: Link) -> GraftRequest | None:
    return db.session.get(GraftRequest, link.graft_request_id) if link.graft_request_id else None


def graft_request_body(link: Link) -> dict:
    """What a P6 trunk is sent: POST {trunk_url}p6/graft-requests."""
    sent = sent_request(link)
    return {
        "node_name": sent.node_name,
        "url": sent.url,
        "currency": sent.currency,
        "exchange_rate": sent.exchange_rate,
        "requested_credit_limit": sent.requested_credit_limit,
        "contact": sent.contact,
        "pickup_token_sha256": sent.pickup_token_sha256,
    }


def pickup_token(link: Link) -> str:
    """The token the leaf shows at pickup (kept sealed in the link's secret until then), and the link's HMAC secret
    once picked up."""
    return signing.unseal(current_app.config["SECRET_KEY"], link.secret)


def record_request_sent(*, link_id: int, remote_request_id: int) -> Link:
    """The trunk received the request under `remote_request_id`: the pickup asks for that one."""
    link = db.session.get(Link, link_id)
    link.remote_request_id = remote_request_id
    link.last_contact_at = utcnow()
    db.session.flush()
    return link


def record_pickup(*, link_id: int, credentials: dict) -> Link:
    """The trunk handed the credentials over (once): the link takes its path, genesis and secret, and is active."""
    link = db.session.get(Link, link_id)
    if link is None or link.status != "requested":
        raise Conflict(_("This link is not waiting for its credentials."))
    try:
        node_path = [str(s) for s in credentials["node_path"]]
        genesis, secret = str(credentials["genesis"]), str(credentials["hmac_secret"])
        quant_decimals, credit_limit = credentials["quant_decimals"], credentials["credit_limit"]
    except (KeyError, TypeError):
        raise RuleViolation("bad_pickup", None, _("The trunk's answer to the pickup was not understood.")) from None
    if (
        len(node_path) < 2
        or not all(NODE_NAME_RE.fullmatch(s) for s in node_path)
        or not _HASH_TEXT.fullmatch(genesis)
        or not is_whole(quant_decimals, 0, 18)
        or not is_whole(credit_limit, 0)
    ):
        raise RuleViolation("bad_pickup", None, _("The trunk's answer to the pickup was not understood."))
    trunk = node_path[:-1]
    link.peer_name = trunk[-1]
    link.peer_path = join(trunk) if len(trunk) > 1 else None
    link.genesis = link.head = genesis
    link.seq = 0
    link.secret = signing.seal(current_app.config["SECRET_KEY"], secret)
    link.quant_decimals = quant_decimals
    link.pickup_token_sha256 = None
    link.status = "active"
    link.last_contact_at = utcnow()
    sent = sent_request(link)
    if sent is not None:
        sent.status, sent.decided_at = "picked_up", utcnow()
    db.session.flush()
    return link


def record_trunk_refusal(*, link_id: int, request_status: str) -> Link:
    """The trunk will hand nothing over: its group declined (`declined`), or the credentials were picked up
    already (`picked_up`: an answer lost on the way, which only a re-seed by both sides' admins mends). The link is
    suspended, so the pickup job stops asking, and its request shows why."""
    link = db.session.get(Link, link_id)
    link.status = "suspended"
    sent = sent_request(link)
    if sent is not None:
        sent.status, sent.decided_at = request_status, utcnow()
    db.session.flush()
    return link


def record_handshake(*, link_id: int) -> Link:
    """A reference or Komunitin trunk answered the handshake with the typed starting hash: the link is active."""
    link = db.session.get(Link, link_id)
    if link.status == "requested":
        link.status = "active"
    link.last_contact_at = utcnow()
    db.session.flush()
    return link


def links_awaiting_trunk() -> list[int]:
    """Trunkward links still `requested`: the pickup job asks their trunks each minute."""
    return list(
        db.session.scalars(
            select(Link.id).where(Link.direction == "trunkward", Link.status == "requested").order_by(Link.id)
        )
    )


# --- the trunk's side: requests ----------------------------------------------------------------


def _children_names(network: Network) -> set[str]:
    """Names taken under `network`: its leafward links' and its internal children's node names."""
    leafward = db.session.scalars(
        select(Link.peer_name).where(Link.network_id == network.id, Link.direction == "leafward")
    )
    internal = db.session.scalars(
        select(Network.cc_name).where(Network.parent_id == network.id, Network.cc_name.is_not(None))
    )
    return {*leafward, *internal}


def trunk_network(node_name: str) -> Network | None:
    """The network here that answers as node `node_name` (the <node> of /cc/<node>/...)."""
    return links.network_named(node_name)


def receive_graft_request(*, network: Network, body, remote_address: str | None) -> GraftRequest:
    """A leaf elsewhere asks to join under `network`: kept pending, and the governing group's admins told."""
    if not isinstance(body, dict):
        raise invalid("body", _("Send a JSON object."))
    node_name = _check_node_name(body.get("node_name"))
    url = check_url(body.get("url"), "url")
    currency = body.get("currency")
    if (
        not isinstance(currency, dict)
        or not isinstance(currency.get("code"), str)
        or not 1 <= len(currency["code"]) <= 10
        or not isinstance(currency.get("name", ""), str)
        or len(currency.get("name", "")) > 50
        or not is_whole(currency.get("decimals"), 0, 18)
    ):
        raise invalid("currency", _("currency is {code, name, decimals}."))
    rate = credit_service.rate_text(credit_service.parse_rate(body.get("exchange_rate")))
    limit = body.get("requested_credit_limit", 0)
    _check_limit(limit, "requested_credit_limit")
    contact = body.get("contact", "")
    if not isinstance(contact, str) or len(contact) > CONTACT_RECEIVED_MAX:
        raise invalid("contact", _("Write at most %(most)d characters.", most=CONTACT_MAX))
    digest = body.get("pickup_token_sha256")
    if not isinstance(digest, str) or not _SHA256_HEX.fullmatch(digest):
        raise invalid("pickup_token_sha256", _("pickup_token_sha256 is 64 lower-case hexadecimal digits."))
    if node_name in _children_names(network):
        raise Conflict(_("The name %(name)s is taken under this node.", name=node_name), code="name_taken")
    graft = GraftRequest(
        network_id=network.id,
        node_name=node_name,
        url=url,
        currency={"code": currency["code"], "name": currency.get("name", ""), "decimals": currency["decimals"]},
        exchange_rate=rate,
        requested_credit_limit=limit,
        contact=contact,
        pickup_token_sha256=digest,
        remote_address=(remote_address or "")[:64] or None,
    )
    db.session.add(graft)
    db.session.flush()
    group = db.session.get(Group, network.group_id)
    notify(
        user_ids=admin_ids(group),
        kind="graft_requested",
        url=f"/credit/networks/{network.id}/federation",
        text=Message("%(node)s asks to join %(network)s as a node", node=node_name, network=network.name),
        group_id=group.id,
    )
    return graft


class Gone(Conflict):
    """What was handed over once is asked for again."""

    status, code = 410, "gone"


def pickup(*, network: Network, request_id: int, token) -> dict:
    """The credentials of an approved request, handed over once: then the request is picked up (410 after).

    Raises NotFound for an unknown request or a wrong token (the same answer for both), Conflict (pending),
    Forbidden (declined) or Gone (picked up already)."""
    graft = db.session.get(GraftRequest, request_id)
    if (
        graft is None
        or graft.network_id != network.id
        or not isinstance(token, str)
        or not hmac.compare_digest(token_digest(token), graft.pickup_token_sha256)
    ):
        raise NotFound(_("No such graft request."))
    if graft.status == "pending":
        raise Conflict(_("The request is still waiting for a decision."), code="pending")
    if graft.status == "declined":
        raise Forbidden(_("The request was declined."))
    if graft.status != "approved":
        raise Gone(_("The credentials were picked up already."))
    link = db.session.scalar(select(Link).where(Link.graft_request_id == graft.id, Link.direction == "leafward"))
    graft.status, link.status, link.last_contact_at = "picked_up", "active", utcnow()
    db.session.flush()
    return {
        "node_path": [*links.our_path(network), link.peer_name],
        "genesis": link.genesis,
        "hmac_secret": signing.unseal(current_app.config["SECRET_KEY"], link.secret),
        "quant_decimals": link.quant_decimals,
        "credit_limit": credit_queries.account_by_id(link.vostro_account_id).credit_limit,
    }


# --- the trunk's side: deciding ------------------------------------------------------------------


def _check_decision_limits(action: dict, fail) -> None:
    if not is_whole(action.get("credit_limit"), 0):
        raise fail("credit_limit", f"credit_limit must be a whole number from 0 to {MAX_INT}.")
    if action.get("debit_limit") is not None and not is_whole(action["debit_limit"], 0):
        raise fail("debit_limit", f"debit_limit must be a whole number from 0 to {MAX_INT}, or null.")


#: the fields of a graft_node action: with a P6 leaf's request, or naming a Komunitin or reference leaf
GRAFT_REQUEST_FIELDS = ("graft_request_id", "credit_limit")
GRAFT_PEER_FIELDS = ("network_id", "node_name", "peer_url", "profile", "credit_limit")
GRAFT_OPTIONAL = ("debit_limit", "vostro_code")


def validate_graft_action(*, group: Group, action: dict, fail) -> dict:
    """A `graft_node` binding action, checked against the trunk as it is now; a clean copy.

    `fail(field, message)` makes the caller's error (governance's 422 on `action.<field>`). Checked when the
    proposal is raised and again when it closes: the request still pending, the network governed by `group`, the
    name free among its children, the limits whole numbers."""
    required = GRAFT_REQUEST_FIELDS if "graft_request_id" in action else GRAFT_PEER_FIELDS
    optional = ("debit_limit",) if "graft_request_id" in action else GRAFT_OPTIONAL
    for field in required:
        if field not in action:
            raise fail(field, f"A graft_node action needs {field}.")
    extra = sorted(set(action) - {"type", *required, *optional})
    if extra:
        raise fail(extra[0], f"A graft_node action has no {extra[0]}.")
    _check_decision_limits(action, fail)
    clean = {"type": "graft_node", **{f: action[f] for f in (*required, *optional) if f in action}}
    if "graft_request_id" in action:
        graft = (
            db.session.get(GraftRequest, action["graft_request_id"]) if is_whole(action["graft_request_id"]) else None
        )
        network = credit_queries.network_by_id(graft.network_id) if graft is not None else None
        if network is None or network.group_id != group.id or is_outgoing(graft):
            raise fail("graft_request_id", "Not a graft request to a network this group governs.")
        if graft.status != "pending":
            raise fail("graft_request_id", f"This graft request is {graft.status} already.")
        name = graft.node_name
    else:
        network = credit_queries.network_by_id(action["network_id"]) if is_whole(action["network_id"]) else None
        if network is None or network.group_id != group.id:
            raise fail("network_id", "Not a network this group governs.")
        if action["profile"] not in PROFILES or action["profile"] == "p6":
            raise fail("profile", "A leaf without a request runs cc-0.9, cc-0.8 or komunitin.")
        try:
            clean["peer_url"] = check_url(action["peer_url"], "peer_url")
        except RuleViolation:
            raise fail("peer_url", "Give the leaf's address as https://host/cc/<name>/.") from None
        vostro_code = action.get("vostro_code")
        if vostro_code is not None and not (isinstance(vostro_code, str) and 0 < len(vostro_code) <= 64):
            raise fail("vostro_code", "vostro_code is the leaf's code for our account, up to 64 characters.")
        name = action["node_name"]
        if not isinstance(name, str) or not NODE_NAME_RE.fullmatch(name):
            raise fail("node_name", "A node name is 1 to 32 lower-case letters, digits or hyphens.")
    if network.cc_name is None:
        raise fail(
            "graft_request_id" if "graft_request_id" in action else "network_id", "The network has no node name yet."
        )
    if name in _children_names(network):
        raise fail("node_name", f"The name {name} is taken under {network.cc_name}.")
    return clean


def _grant(network: Network, graft: GraftRequest, *, profile: str, credit_limit: int, debit_limit: int | None,
           vostro_code: str | None = None) -> Link:  # fmt: skip
    link = links.open_link(
        network=network,
        direction="leafward",
        peer_name=graft.node_name,
        peer_url=graft.url,
        profile=profile,
        status="approved",
        credit_limit=credit_limit,
        debit_limit=debit_limit,
    )
    link.graft_request_id = graft.id
    link.peer_vostro_code = vostro_code
    graft.status, graft.decided_at = "approved", utcnow()
    db.session.flush()
    return link


def apply_graft_action(*, group: Group, action: dict) -> str:
    """Carry out a passed `graft_node` proposal (inside governance's savepoint): the leafward link, approved, with
    its clearing account at the voted limits and a drawn genesis and secret. The words for `action.result`."""
    if "graft_request_id" in action:
        graft = db.session.get(GraftRequest, action["graft_request_id"])
        network = credit_queries.network_by_id(graft.network_id)
        profile = "p6"
    else:
        network = credit_queries.network_by_id(action["network_id"])
        # a leaf without a request gets one made here, so its genesis is shown once, as a pickup would hand it over
        graft = GraftRequest(
            network_id=network.id,
            node_name=action["node_name"],
            url=action["peer_url"],
            pickup_token_sha256=token_digest(secrets.token_urlsafe(32)),
        )
        db.session.add(graft)
        db.session.flush()
        profile = action["profile"]
    link = _grant(
        network,
        graft,
        profile=profile,
        credit_limit=action["credit_limit"],
        debit_limit=action.get("debit_limit"),
        vostro_code=action.get("vostro_code"),
    )
    path = join([*links.our_path(network), link.peer_name])
    limit = _major(action["credit_limit"], network.currency_decimals)
    if profile == "p6":
        return f"{graft.node_name} grafted as {path}, credit limit {limit}; awaiting pickup."
    return (
        f"{graft.node_name} grafted as {path} ({profile}), credit limit {limit}; "
        "an admin reveals its starting hash once on the network's federation page."
    )


def _major(amount: int, decimals: int) -> str:
    """2000.00 as "2,000.00": an action result is English, as governance writes them."""
    return f"{Decimal(amount).scaleb(-decimals):,.{decimals}f}"


def decide_directly(*, actor, graft: GraftRequest, approve: bool, credit_limit: int = 0,
                    debit_limit: int | None = None) -> GraftRequest:  # fmt: skip
    """An admin approves or declines a request without a vote: only where the network has turned
    federation_decisions_required off."""
    network = credit_queries.network_by_id(graft.network_id)
    ensure_network_admin(actor, network)
    if network.federation_decisions_required:
        raise Conflict(
            _("This network decides grafts by a binding proposal of its group: propose the approval instead."),
            code="decision_required",
        )
    if graft.status != "pending":
        raise Conflict(_("This graft request is decided already."), code="decided")
    if not approve:
        graft.status, graft.decided_at = "declined", utcnow()
        db.session.flush()
        return graft
    _check_limit(credit_limit, "credit_limit")
    _check_limit(debit_limit, "debit_limit", nullable=True)
    if network.cc_name is None:
        raise RuleViolation("no_node_name", None, _("Give the network a node name first."))
    if graft.node_name in _children_names(network):
        raise Conflict(_("The name %(name)s is taken under this node.", name=graft.node_name), code="name_taken")
    _grant(network, graft, profile="p6", credit_limit=credit_limit, debit_limit=debit_limit)
    return graft


def reveal_credentials(*, actor, link_id: int) -> dict:
    """A Komunitin or reference leaf's starting hash and the fields its graft form asks for, shown once to an
    admin of the trunk (then the request counts as picked up, and the page never shows the hash again)."""
    link, network = link_for_admin(actor, link_id)
    graft = db.session.get(GraftRequest, link.graft_request_id) if link.graft_request_id else None
    if link.direction != "leafward" or link.profile == "p6" or graft is None:
        raise NotFound(_("This link has no credentials to show."))
    if graft.status != "approved":
        raise Gone(_("The starting hash was shown once already; to hand out a new one, re-seed the link."))
    graft.status, graft.decided_at = "picked_up", utcnow()
    db.session.flush()
    trunk = links.our_path(network)
    return {
        "peer_node_path": join(trunk),
        "our_node_path": join([*trunk, link.peer_name]),
        "last_hash": link.genesis,
        "url": link.peer_url,
        "vostro_id": link.peer_vostro_code or "",
    }


# --- links: status, addresses, secrets ---------------------------------------------------------


def update_link(*, actor, link_id: int, status: str | None = None, allowed_ips: list | None = None) -> Link:
    """Suspend or resume a link (a suspended link refuses relays and new payments), or set the addresses a
    reference or Komunitin peer may call from."""
    link, _network = link_for_admin(actor, link_id)
    if status is not None:
        if status not in STATUS_FROM:
            raise invalid("status", _("status is active or suspended."))
        if link.status != STATUS_FROM[status] and link.status != status:
            raise Conflict(
                _("Only an active link can be suspended, and only a suspended one resumed."), code="wrong_status"
            )
        link.status = status
    if allowed_ips is not None:
        if not isinstance(allowed_ips, list) or len(allowed_ips) > 20:
            raise invalid("allowed_ips", _("Give at most 20 addresses."))
        link.allowed_ips = [_check_ip(ip) for ip in allowed_ips]
    db.session.flush()
    return link


def _check_ip(raw) -> str:
    try:
        if not isinstance(raw, str):
            raise ValueError
        return str(ipaddress.ip_network(raw, strict=False))
    except ValueError:
        raise invalid("allowed_ips", _("%(value)s is not an IP address or network.", value=str(raw)[:50])) from None


def link_of_admin(*, actor, link_id: int) -> Link:
    return link_for_admin(actor, link_id)[0]


def ensure_rotatable(*, actor, link_id: int) -> Link:
    link, _network = link_for_admin(actor, link_id)
    if link.profile != "p6" or link.status != "active":
        raise Conflict(_("Only an active link to another Platform 6 has a secret to rotate."), code="wrong_status")
    return link


def rotate_secret(*, link: Link, new_secret: str) -> Link:
    """The link signs with `new_secret` from now; the replaced one still verifies for 24 hours. Used on both sides:
    by the side that rotates once its peer has accepted, and by the peer receiving `POST p6/rotate`."""
    link.previous_secret = link.secret
    link.previous_secret_until = utcnow() + ROTATION_OVERLAP
    link.secret = signing.seal(current_app.config["SECRET_KEY"], new_secret)
    db.session.flush()
    return link
