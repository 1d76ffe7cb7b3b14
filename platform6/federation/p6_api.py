"""The Platform 6 extension of the Credit Commons routes, under /cc/<node>/p6/ (FEDERATION.md §2, §4, §5).

Another installation calls these, never a browser: no session, no CSRF, JSON errors in the Credit Commons shape
({"errors": [{"class", "node", "message"}]}). Graft requests and pickups come before the link has a hash chain,
so they are unsigned (a request is limited to 5 an hour per address; a pickup needs the token whose digest came
with the request); `link` and `rotate` are signed and go through peer_auth.authenticated_link.
"""

from flask import Blueprint, abort, jsonify, request
from werkzeug.exceptions import HTTPException

from ..credit import queries as credit_queries
from ..errors import DomainError
from ..extensions import csrf
from ..ratelimit import rate_limit
from . import grafting, links, peer_auth, wire
from .models import Link

bp = Blueprint("federation_p6", __name__, url_prefix="/cc/<node>/p6")
csrf.exempt(bp)
#: one budget with the Credit Commons routes (cc_api)
rate_limit("cc_requests", per="peer", methods=None)(bp)

#: the Credit Commons error class a refusal of ours answers with, by status
_CLASSES = {400: "CCViolation", 401: "PermissionViolation", 403: "PermissionViolation", 404: "DoesNotExistViolation",
            409: "WorkflowViolation", 410: "WorkflowViolation", 422: "CCViolation", 429: "CCViolation"}  # fmt: skip


def _errors(status: int, message: str):
    node = (request.view_args or {}).get("node", "")
    body = {"errors": [{"class": _CLASSES.get(status, "CCViolation"), "node": node, "message": message}]}
    # a peer reads 400 for every violation of the input (the reference's convention), never our 422
    return jsonify(body), 400 if status == 422 else status


@bp.errorhandler(DomainError)
def _domain_error(err: DomainError):
    return _errors(err.status, err.message)


@bp.errorhandler(wire.CCError)
def _cc_error(err: wire.CCError):
    return jsonify(err.body((request.view_args or {}).get("node", ""))), err.status


@bp.errorhandler(HTTPException)
def _http_error(err: HTTPException):
    return _errors(err.code or 400, err.description or err.name)


def _network(node: str):
    network = grafting.trunk_network(node)
    if network is None:
        abort(404, f"There is no node {node[:32]} here.")
    return network


def _json_body():
    try:
        return wire.loads(request.get_data(cache=True) or b"{}")
    except (ValueError, wire.CCError):
        abort(400, "The body is not valid JSON.")


@bp.post("/graft-requests")
@rate_limit("graft_requests", per="address")
def graft_request(node: str):
    graft = grafting.receive_graft_request(
        network=_network(node), body=_json_body(), remote_address=request.remote_addr
    )
    return jsonify({"id": graft.id, "status": graft.status}), 202


@bp.post("/graft-requests/<int:request_id>/pickup")
@rate_limit("graft_requests", per="address", counts="failures")
def pickup(node: str, request_id: int):
    body = _json_body()
    token = body.get("token") if isinstance(body, dict) else None
    try:
        credentials = grafting.pickup(network=_network(node), request_id=request_id, token=token)
    except DomainError as err:
        if err.code == "pending":  # not a refusal: the leaf asks again later
            return jsonify({"status": "pending"}), 202
        raise
    return jsonify(credentials), 200


def _signed_link(node: str, *, current_secret_only: bool = False) -> Link:
    network = _network(node)
    return peer_auth.authenticated_link(
        network,
        headers=request.headers,
        method=request.method,
        path=request.full_path.rstrip("?"),
        body=request.get_data(cache=True),
        current_secret_only=current_secret_only,
    )


@bp.get("/link")
def link_state(node: str):
    """What verify --peers compares, as this side sees the caller's link: the chain's head, and the caller's
    account here (completed: its balance; validated: what payments in progress hold on it)."""
    link = _signed_link(node)
    vostro = credit_queries.account_by_id(link.vostro_account_id)
    return jsonify(
        {
            "node_path": links.our_path(_network(node)),
            "head": link.head,
            "seq": link.seq,
            "completed": vostro.balance,
            "validated": {"held_out": vostro.held_out, "held_in": vostro.held_in},
            "vostro": {
                "balance": vostro.balance,
                "limits": {"credit_limit": vostro.credit_limit, "debit_limit": vostro.debit_limit},
            },
        }
    )


@bp.post("/rotate")
def rotate(node: str):
    """The peer's new secret, signed with the current one (never with one a rotation replaced): both verify for
    24 hours."""
    link = _signed_link(node, current_secret_only=True)
    body = _json_body()
    secret = body.get("secret") if isinstance(body, dict) else None
    if not isinstance(secret, str) or not 32 <= len(secret) <= 200:
        abort(400, "secret is 32 to 200 characters.")
    grafting.rotate_secret(link=link, new_secret=secret)
    return jsonify({"data": []}), 200
