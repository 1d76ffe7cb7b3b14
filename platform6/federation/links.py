"""Links to neighbouring Credit Commons nodes on other installations: opening one with its vostro account,
a network's node path, and the link's hash chain (../../docs/federation.md, FEDERATION.md §1.3, §3.5)."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, func, select, update

from ..credit import queries as credit_queries
from ..credit import service as credit_service
from ..credit.models import Account, Leg, Network
from ..errors import Conflict, RuleViolation, invalid
from ..extensions import db
from . import hashing, signing
from .models import DIRECTIONS, LINK_STATUSES, Hold, Link, LinkHash
from .paths import NODE_NAME_RE, split
from .wire import PROFILES


def open_link(
    *,
    network: Network,
    direction: str,
    peer_name: str,
    peer_url: str,
    peer_path: str | None = None,
    profile: str = "p6",
    status: str = "active",
    rate: str = "1",
    quant_decimals: int | None = None,
    credit_limit: int = 0,
    debit_limit: int | None = None,
    genesis: str | None = None,
    secret: str | None = None,
    cc_name: str | None = None,
) -> Link:
    """A link from `network` to a neighbour on another installation, with the local account standing for it.

    Trunk side (direction "leafward"): a clearing account held by the link ("peer"), whose credit limit caps what
    the leaf may owe us. Leaf side ("trunkward"): the network's settlement account, whose credit limit caps how much
    the trunk may push in and whose debit limit caps what we may send out. `rate` (trunk major units per unit here)
    is kept on the leaf side only. `genesis` and `secret` are drawn when not given (the trunk draws them at approval
    and hands them to the leaf once); the secret is stored sealed with SECRET_KEY. `peer_path`: a trunkward
    neighbour's absolute path when it is not a root.
    """
    if direction not in DIRECTIONS:
        raise invalid("direction", _("direction is one of %(choices)s.", choices=", ".join(DIRECTIONS)))
    if profile not in PROFILES:
        raise invalid("profile", _("profile is one of %(choices)s.", choices=", ".join(PROFILES)))
    if status not in LINK_STATUSES:
        raise invalid("status", _("status is one of %(choices)s.", choices=", ".join(LINK_STATUSES)))
    if not NODE_NAME_RE.fullmatch(peer_name or ""):
        raise invalid("node_name", _("A node name is 1 to 32 lower-case letters, digits or hyphens."))
    if not isinstance(peer_url, str) or not peer_url.endswith("/") or len(peer_url) > 500:
        raise invalid("url", _("The neighbour's address is a URL ending with /."))
    name_network(network, cc_name)
    if direction == "trunkward" and (network.parent_id is not None or trunkward_link(network) is not None):
        raise RuleViolation(
            "validation_failed", None, _("A network has at most one trunkward neighbour: a parent or a link.")
        )
    if link_by_peer(network, peer_name) is not None:
        raise Conflict(_("This network already has a link to %(name)s.", name=peer_name))
    link = Link(
        network_id=network.id,
        direction=direction,
        peer_name=peer_name,
        peer_url=peer_url,
        peer_path=peer_path,
        profile=profile,
        status=status,
        rate=credit_service.rate_text(credit_service.parse_rate(rate)) if direction == "trunkward" else "1",
        quant_decimals=network.currency_decimals if quant_decimals is None else quant_decimals,
        genesis=genesis or hashing.new_genesis(),
        seq=0,
        secret=signing.seal(current_app.config["SECRET_KEY"], secret or signing.new_secret()),
    )
    link.head = link.genesis
    db.session.add(link)
    db.session.flush()
    link.vostro_account_id = _open_vostro(network, link, credit_limit, debit_limit).id
    db.session.flush()
    return link


def name_network(network: Network, cc_name: str | None) -> None:
    """The network's node name: set once, at its first link."""
    if network.cc_name is not None:
        if cc_name is not None and cc_name != network.cc_name:
            raise Conflict(_("This network is already the node %(name)s.", name=network.cc_name))
        return
    if not NODE_NAME_RE.fullmatch(cc_name or ""):
        raise invalid("cc_name", _("A node name is 1 to 32 lower-case letters, digits or hyphens."))
    if db.session.scalar(select(Network.id).where(Network.cc_name == cc_name)) is not None:
        raise Conflict(_("Another network here is already the node %(name)s.", name=cc_name))
    network.cc_name = cc_name


def _open_vostro(network: Network, link: Link, credit_limit: int, debit_limit: int | None) -> Account:
    if link.direction == "leafward":
        account = Account(
            network_id=network.id,
            holder_type="peer",
            holder_id=link.id,
            kind="business",
            purpose="clearing",
            credit_limit=credit_limit,
            debit_limit=debit_limit,
            cc_name=link.peer_name,
        )
        db.session.add(account)
        db.session.flush()
        return account
    account = credit_service.open_settlement_account(network=network)
    account.cc_name = link.peer_name
    account.credit_limit, account.debit_limit = credit_limit, debit_limit
    db.session.flush()
    return account


def network_named(node_name: str) -> Network | None:
    """The network here that answers as node `node_name` (the <node> of /cc/<node>/...); a name no node may have
    (a NUL, which PostgreSQL's driver refuses, say) is looked up nowhere."""
    if not NODE_NAME_RE.fullmatch(node_name):
        return None
    return db.session.scalar(select(Network).where(Network.cc_name == node_name))


def trunkward_link(network: Network) -> Link | None:
    return db.session.scalar(select(Link).where(Link.network_id == network.id, Link.direction == "trunkward"))


def link_by_peer(network: Network, peer_name: str) -> Link | None:
    return db.session.scalar(select(Link).where(Link.network_id == network.id, Link.peer_name == peer_name))


def our_path(network: Network) -> list[str]:
    """The network's absolute node path: the trunk's path (as its trunkward link knows it) or the internal
    parents' names, then its own name. An internal network without a node name is named by its id."""
    names: list[str] = []
    current: Network | None = network
    while current is not None:
        names.append(current.cc_name or f"network-{current.id}")
        link = trunkward_link(current)
        if link is not None:
            names.extend(reversed(trunk_path(link)))
            break
        current = credit_queries.network_by_id(current.parent_id) if current.parent_id else None
    return list(reversed(names))


def trunk_path(link: Link) -> list[str]:
    """A trunkward neighbour's absolute node path (a root trunk is just its name)."""
    return split(link.peer_path) if link.peer_path else [link.peer_name]


@dataclass(frozen=True)
class VostroView:
    """The account standing for a neighbour, in the link's trunk-side minor units (exact: the legs' link amounts)."""

    balance: int
    held_out: int
    held_in: int


def vostro_view(link: Link) -> VostroView:
    account_id = link.vostro_account_id
    signed = case((Leg.to_account_id == account_id, Leg.link_amount), else_=-Leg.link_amount)
    balance = db.session.scalar(
        select(func.coalesce(func.sum(signed), 0)).where(
            (Leg.from_account_id == account_id) | (Leg.to_account_id == account_id)
        )
    )
    held = dict(
        db.session.execute(
            select(Hold.direction, func.sum(Hold.amount)).where(Hold.account_id == account_id).group_by(Hold.direction)
        ).all()
    )
    return VostroView(int(balance), int(held.get("out", 0)), int(held.get("in", 0)))


def advance_head(link: Link, *, uuid: str, state: str, new_head: str) -> None:
    """Record the chain's next head after a state written on the link (under the link's row lock)."""
    seq = link.seq + 1
    db.session.add(LinkHash(link_id=link.id, seq=seq, kind="transaction", uuid=uuid, state=state,
                            previous=link.head or "", head=new_head))  # fmt: skip
    db.session.execute(update(Link).where(Link.id == link.id).values(head=new_head, seq=seq))
    link.head, link.seq = new_head, seq
