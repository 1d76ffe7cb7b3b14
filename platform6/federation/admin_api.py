"""The federation admin API under /api/v1: a network's node, its links and graft requests (docs/federation.md).

Handlers that call another installation do their database work in a unit of work of its own first, so the call
goes out after that work has committed and with no transaction open (graft_sync.py).
"""

from flask import jsonify, request
from flask_babel import gettext as _
from pydantic import Field
from sqlalchemy import select

from ..api import Body, NonNegativeInt, api_blueprint, created, paginate, parse_body, require_user
from ..credit import queries as credit_queries
from ..errors import Conflict, NotFound, invalid
from ..extensions import db
from ..timeutil import iso
from ..transaction import unit_of_work
from . import discrepancies, graft_queries, graft_sync, grafting
from .models import GraftRequest, Link, PeerDiscrepancy

bp = api_blueprint("federation_admin", __name__)


def _network(network_id: int):
    network = credit_queries.network_by_id(network_id)
    if network is None:
        raise NotFound(_("No such network."))
    return network


def _admin_network(network_id: int, user):
    """The network, once `user` is one of its admins (others: 403, those who may not see it: 404)."""
    network = _network(network_id)
    grafting.ensure_network_admin(user, network)
    return network


class NodeBody(Body):
    node_name: str | None = Field(None, max_length=32)
    share_names: bool | None = None


class TrunkwardBody(Body):
    trunk_url: str = Field(max_length=500)
    node_name: str = Field(max_length=32)
    exchange_rate: str = Field(max_length=40)
    requested_credit_limit: NonNegativeInt = 0
    message: str = Field("", max_length=2000)
    profile: str = "p6"
    last_hash: str | None = Field(None, max_length=64)
    trunk_path: str | None = Field(None, max_length=300)


class LinkPatch(Body):
    status: str | None = None
    allowed_ips: list[str] | None = None


class ResolveBody(Body):
    note: str = Field(max_length=discrepancies.NOTE_LENGTH)


class DecisionBody(Body):
    credit_limit: NonNegativeInt = 0
    debit_limit: NonNegativeInt | None = None


@bp.get("/networks/<int:network_id>/federation")
def overview(network_id: int):
    network = _admin_network(network_id, require_user())
    return jsonify(graft_queries.overview_json(network, request.host_url))


@bp.patch("/networks/<int:network_id>/federation")
def name_node(network_id: int):
    user = require_user()
    body = parse_body(NodeBody)
    network = _network(network_id)
    grafting.ensure_network_admin(user, network)
    if body.node_name is not None:
        grafting.name_node(actor=user, network=network, node_name=body.node_name)
    if body.share_names is not None:
        grafting.share_names(actor=user, network=network, shared=body.share_names)
    return jsonify(graft_queries.overview_json(network, request.host_url))


@bp.post("/networks/<int:network_id>/federation/trunkward")
def start_graft(network_id: int):
    user = require_user()
    body = parse_body(TrunkwardBody)
    with unit_of_work():
        link = grafting.request_trunkward(
            actor=user, network=_network(network_id), root_url=request.host_url, **body.model_dump()
        )
        link_id = link.id
    graft_sync.check_trunk(link_id)  # P6: sends the request; reference or Komunitin: the handshake
    return created(graft_queries.link_json(db.session.get(Link, link_id)))


@bp.get("/networks/<int:network_id>/federation/graft-requests")
def graft_requests(network_id: int):
    """The requests leaves sent to the network, newest first, paged like every list of the API."""
    network = _admin_network(network_id, require_user())
    order = [(GraftRequest.id, True)]
    return jsonify(paginate(grafting.incoming_requests_select(network), order, _graft_requests_json))


def _graft_requests_json(found: list[GraftRequest]) -> list[dict]:
    return [graft_queries.graft_request_json(graft) for graft in found]


@bp.post("/federation/graft-requests/<int:request_id>/<any(approve, decline):decision>")
def decide(request_id: int, decision: str):
    user = require_user()
    body = parse_body(DecisionBody)
    graft, _network_unused = grafting.request_for_admin(user, request_id)
    grafting.decide_directly(
        actor=user,
        graft=graft,
        approve=decision == "approve",
        credit_limit=body.credit_limit,
        debit_limit=body.debit_limit,
    )
    return jsonify(graft_queries.graft_request_json(graft))


@bp.patch("/federation/links/<int:link_id>")
def update_link(link_id: int):
    user = require_user()
    body = parse_body(LinkPatch)
    link = grafting.update_link(actor=user, link_id=link_id, status=body.status, allowed_ips=body.allowed_ips)
    return jsonify(graft_queries.link_json(link))


@bp.post("/federation/links/<int:link_id>/check")
def check(link_id: int):
    """ "Check now": ask a waiting link's trunk how things stand."""
    user = require_user()
    with unit_of_work(write=False):
        grafting.link_for_admin(user, link_id)
    outcome = graft_sync.check_trunk(link_id)
    return jsonify({"outcome": outcome, "link": graft_queries.link_json(db.session.get(Link, link_id))})


@bp.post("/federation/links/<int:link_id>/rotate-secret")
def rotate_secret(link_id: int):
    user = require_user()
    with unit_of_work(write=False):
        grafting.ensure_rotatable(actor=user, link_id=link_id)
    if not graft_sync.rotate_secret(link_id):
        raise Conflict(_("The peer did not take the new secret; the current one stays."), code="peer_refused")
    return jsonify(graft_queries.link_json(db.session.get(Link, link_id)))


@bp.post("/federation/links/<int:link_id>/credentials")
def reveal_credentials(link_id: int):
    """A Komunitin or reference leaf's starting hash and graft fields, once."""
    user = require_user()
    return jsonify(grafting.reveal_credentials(actor=user, link_id=link_id))


#: ?state= on the discrepancies list: which ones (the default: those still to settle)
_RESOLVED = {"unresolved": False, "resolved": True, "all": None}


@bp.get("/networks/<int:network_id>/federation/discrepancies")
def discrepancy_list(network_id: int):
    """Payments a commit-on-relay peer booked that ended erased here, newest first (admins only)."""
    network = _admin_network(network_id, require_user())
    state = request.args.get("state", "unresolved")
    if state not in _RESOLVED:
        raise invalid("state", _("state is unresolved, resolved or all."))
    listed = discrepancies.listed_select(network, resolved=_RESOLVED[state])
    return jsonify(paginate(listed, [(PeerDiscrepancy.id, True)], _discrepancies_json))


@bp.post("/networks/<int:network_id>/federation/discrepancies/<int:discrepancy_id>/resolve")
def resolve_discrepancy(network_id: int, discrepancy_id: int):
    user = require_user()
    body = parse_body(ResolveBody)
    found = discrepancies.resolve(actor=user, network=_network(network_id), discrepancy_id=discrepancy_id,
                                  note=body.note)  # fmt: skip
    return jsonify(_discrepancies_json([found])[0])


def _discrepancies_json(found: list[PeerDiscrepancy]) -> list[dict]:
    links = {link.id: link for link in db.session.scalars(select(Link).where(Link.id.in_({f.link_id for f in found})))}
    return [
        {
            "id": one.id,
            "link_id": one.link_id,
            "peer": links[one.link_id].peer_name,
            "uuid": one.uuid,
            "amount": one.amount,
            "amount_decimals": links[one.link_id].quant_decimals,
            "direction": one.direction,
            "reason": one.reason,
            "payer_address": one.payer_address,
            "payee_address": one.payee_address,
            "created_at": iso(one.created_at),
            "resolved_at": iso(one.resolved_at),
            "resolved_by": one.resolved_by_id,
            "note": one.note,
        }
        for one in found
    ]
