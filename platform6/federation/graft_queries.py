"""Reads the federation page and the admin API share: a network's node, its links with their vostro accounts and
what is held on them, and graft requests; their JSON shapes."""

from dataclasses import dataclass

from sqlalchemy import func, select

from ..credit import queries as credit_queries
from ..credit.models import Account, Network
from ..extensions import db
from ..timeutil import iso
from . import grafting, links
from .models import CCTransaction, GraftRequest, Link
from .paths import join

#: the states in which a transaction holds value on a link
HELD_STATES = ("validated", "completing")


@dataclass
class LinkRow:
    link: Link
    vostro: Account | None
    held: int
    #: the request a link was made with or answers (its status says whether credentials were handed over)
    graft: GraftRequest | None


def link_rows(network: Network) -> list[LinkRow]:
    """The network's links with their vostro accounts, held counts and requests, in four queries."""
    found = list(db.session.scalars(select(Link).where(Link.network_id == network.id).order_by(Link.id)))
    accounts = credit_queries.accounts_by_ids(link.vostro_account_id for link in found if link.vostro_account_id)
    ids = [link.id for link in found]
    held: dict[int, int] = {}
    if ids:
        for column in (CCTransaction.upstream_link_id, CCTransaction.downstream_link_id):
            rows = db.session.execute(
                select(column, func.count())
                .where(column.in_(ids), CCTransaction.state.in_(HELD_STATES))
                .group_by(column)
            )
            for link_id, count in rows:
                held[link_id] = held.get(link_id, 0) + count
    request_ids = [link.graft_request_id for link in found if link.graft_request_id]
    grafts = (
        {g.id: g for g in db.session.scalars(select(GraftRequest).where(GraftRequest.id.in_(request_ids)))}
        if request_ids
        else {}
    )
    return [
        LinkRow(link, accounts.get(link.vostro_account_id), held.get(link.id, 0), grafts.get(link.graft_request_id))
        for link in found
    ]


def link_json(link: Link, row: LinkRow | None = None) -> dict:
    vostro = row.vostro if row else credit_queries.account_by_id(link.vostro_account_id)
    held = row.held if row else next((r.held for r in link_rows_of(link) if r.link.id == link.id), 0)
    return {
        "id": link.id,
        "network_id": link.network_id,
        "direction": link.direction,
        "peer_name": link.peer_name,
        "peer_url": link.peer_url,
        "profile": link.profile,
        "status": link.status,
        "rate": link.rate,
        "quant_decimals": link.quant_decimals,
        "head_prefix": (link.head or "")[:8],
        "seq": link.seq,
        "allowed_ips": link.allowed_ips or [],
        "graft_request_id": link.graft_request_id,
        "last_contact_at": iso(link.last_contact_at) if link.last_contact_at else None,
        "held_count": held,
        "vostro": None
        if vostro is None
        else {
            "account_id": vostro.id,
            "balance": vostro.balance,
            "credit_limit": vostro.credit_limit,
            "debit_limit": vostro.debit_limit,
            "held_out": vostro.held_out,
            "held_in": vostro.held_in,
        },
    }


def link_rows_of(link: Link) -> list[LinkRow]:
    return link_rows(credit_queries.network_by_id(link.network_id))


def graft_request_json(graft: GraftRequest) -> dict:
    return {
        "id": graft.id,
        "network_id": graft.network_id,
        "node_name": graft.node_name,
        "url": graft.url,
        "currency": graft.currency,
        "exchange_rate": graft.exchange_rate,
        "requested_credit_limit": graft.requested_credit_limit,
        "contact": graft.contact,
        "status": graft.status,
        "created_at": iso(graft.created_at),
        "decided_at": iso(graft.decided_at) if graft.decided_at else None,
    }


def node_path(network: Network) -> str | None:
    return join(links.our_path(network)) if network.cc_name else None


def overview_json(network: Network, root_url: str) -> dict:
    return {
        "network_id": network.id,
        "node_name": network.cc_name,
        "node_path": node_path(network),
        "base_url": grafting.base_url(network, root_url),
        "decisions_required": network.federation_decisions_required,
        "share_names": network.federation_share_names,
        "links": [link_json(row.link, row) for row in link_rows(network)],
    }


def pending_requests(network: Network) -> list[GraftRequest]:
    return list(
        db.session.scalars(
            grafting.incoming_requests_select(network)
            .where(GraftRequest.status == "pending")
            .order_by(GraftRequest.id.desc())
        )
    )


def remote_addresses(transfer_ids) -> dict[int, dict[str, str]]:
    """{transfer_id: {"payer": address, "payee": address}} for transfers that crossed to another installation
    (credit's statements name a vostro counterparty by the remote address; registered in routes.py)."""
    ids = set(transfer_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(CCTransaction.transfer_id, CCTransaction.payer_address, CCTransaction.payee_address).where(
            CCTransaction.transfer_id.in_(ids)
        )
    )
    return {transfer_id: {"payer": payer, "payee": payee} for transfer_id, payer, payee in rows}


def request_to(group, request_id: int | None) -> GraftRequest | None:
    """A graft request received by a network `group` governs (None for any other, or a request this installation
    sent)."""
    graft = db.session.get(GraftRequest, request_id) if request_id else None
    network = credit_queries.network_by_id(graft.network_id) if graft is not None else None
    if network is None or network.group_id != group.id or grafting.is_outgoing(graft):
        return None
    return graft


def request_decimals(request_id) -> int:
    """The decimals of the trunk network a graft request went to; `request_id` as a form gave it (2 if none)."""
    graft = db.session.get(GraftRequest, request_id) if isinstance(request_id, int) and 0 < request_id < 2**31 else None
    return credit_queries.network_by_id(graft.network_id).currency_decimals if graft else 2


def graft_action_target(action: dict) -> tuple[Network | None, str | None]:
    """The trunk network a graft_node action grafts under and the node's name (for the proposal's sentence)."""
    if isinstance(action.get("network_id"), int):
        return credit_queries.network_by_id(action["network_id"]), action.get("node_name")
    graft = db.session.get(GraftRequest, action.get("graft_request_id") or 0)
    return (credit_queries.network_by_id(graft.network_id), graft.node_name) if graft else (None, None)
