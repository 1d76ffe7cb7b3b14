"""The Credit Commons protocol routes a node serves (FEDERATION.md §2): /cc/<node>/...

Outside /api/v1: no session, no bearer token, no CSRF; callers prove themselves per link (peer_auth). Every answer
is JSON; a refusal is `{"errors": [{"class", "node", "message"}]}` with the reference's status codes, never a 500.
The messages are machine-facing English, as wire.CCError's (peers read them, not our members).
"""

import logging
from decimal import Decimal

from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException

from ..errors import DomainError
from ..extensions import csrf
from ..ratelimit import rate_limit
from . import account_views, links, trace, transactions, wire
from .cli import run_jobs
from .peer_auth import authenticated_link

log = logging.getLogger(__name__)

bp = Blueprint("cc", __name__, url_prefix="/cc/<node>", cli_group="federation")
csrf.exempt(bp)
rate_limit("cc_requests", per="peer", methods=None)(bp)
trace.follow(bp)
bp.cli.add_command(run_jobs)

_ENDPOINTS = {
    "permittedEndpoints": ["OPTIONS", "/"],
    "handshake": ["GET", "/handshake"],
    "absolutePath": ["GET", "/absolutepath"],
    "about": ["GET", "/about"],
    "workflows": ["GET", "/workflows"],
    "relayTransaction": ["POST", "/transaction/relay"],
    "stateChange": ["PATCH", "/transaction/{uuid}/{dest_state}"],
    "getTransaction": ["GET", "/transaction/{uuid}"],
    "getEntries": ["GET", "/entries/{uuid}"],
    "accountSummary": ["GET", "/account/summary"],
    "account": ["GET", "/account"],
    "accountLimits": ["GET", "/account/limits"],
    "accountHistory": ["GET", "/account/history"],
    "accountNames": ["GET", "/account/names"],
}


def _json(status: int, body: dict | None) -> Response:
    if body is None:
        return Response(status=status)
    return Response(wire.dumps(body), status=status, mimetype="application/json")


def _reply(reply: transactions.Reply) -> Response:
    return _json(reply.status, reply.body)


def _signed_path() -> str:
    """The path the caller signed: ours, with the query string if any."""
    query = request.query_string.decode()
    return request.path + (f"?{query}" if query else "")


def _auth_kwargs() -> dict:
    return {"headers": request.headers, "method": request.method, "path": _signed_path()}


def _link(node: str):
    network = transactions.node_network(node)
    return network, authenticated_link(network, body=request.get_data(), **_auth_kwargs())


@bp.errorhandler(wire.CCError)
def _cc_error(err: wire.CCError):
    return _json(err.status, err.body(request.view_args.get("node", "") if request.view_args else ""))


@bp.errorhandler(DomainError)
def _domain_error(err: DomainError):
    return _json(400, {"errors": [{"class": "CCViolation", "node": "", "message": err.code}]})


@bp.errorhandler(HTTPException)
def _http_error(err: HTTPException):
    """Werkzeug's refusals (a wrong method, a body too large, too many relays: 429) in the protocol's shape."""
    status = err.code if err.code in (400, 401, 404, 405, 413, 429) else 400
    return _json(status, {"errors": [{"class": "CCViolation", "node": "", "message": err.name}]})


@bp.errorhandler(Exception)
def _unexpected(err: Exception):
    """A fault of ours: logged, and answered as a node that could not do it (the caller erases, nothing moved)."""
    log.exception("federation: %s %s failed", request.method, request.path)
    return _json(503, {"errors": [{"class": "UnavailableNodeFailure", "node": "", "message": "internal failure"}]})


@bp.route("/", methods=["OPTIONS"], provide_automatic_options=False)
def permitted_endpoints(node: str):
    return _json(200, {"data": _ENDPOINTS})


@bp.get("/")
def welcome(node: str):
    _link(node)
    return _json(200, {"message": "Welcome to the Credit Commons federation protocol."})


@bp.get("/handshake")
def handshake(node: str):
    _link(node)
    return _json(200, {"data": []})


@bp.get("/absolutepath")
def absolute_path(node: str):
    network = _link(node)[0]
    return _json(200, {"data": links.our_path(network)})


@bp.get("/about")
def about(node: str):
    """Our rate in the caller's units: a trunk reads the leaf's rate (kept here, on the leaf side); a leaf reads 1,
    as the trunk's quants are the link's own units."""
    network, link = _link(node)
    rate = Decimal(link.rate) if link.direction == "trunkward" else Decimal(1)
    return _json(200, {"data": {"rate": rate, "format": f"<quant> {network.currency_code}"}})


@bp.get("/workflows")
def workflows(node: str):
    _link(node)
    return _json(200, {"data": [transactions.WORKFLOW]})


@bp.post("/transaction/relay")
@rate_limit("cc_relays", per="peer")
def relay(node: str):
    return _reply(transactions.receive_relay(node, body=request.get_data(), **_auth_kwargs()))


@bp.patch("/transaction/<uuid>/<dest>")
def change_state(node: str, uuid: str, dest: str):
    return _reply(transactions.receive_patch(node, uuid, dest, body=request.get_data(), **_auth_kwargs()))


@bp.get("/transaction/<uuid>")
def get_transaction(node: str, uuid: str):
    return _reply(transactions.transaction_reply(node, uuid, entries_only=False, **_auth_kwargs()))


@bp.get("/entries/<uuid>")
def get_entries(node: str, uuid: str):
    return _reply(transactions.transaction_reply(node, uuid, entries_only=True, **_auth_kwargs()))


@bp.get("/account/summary")
def account_summary(node: str):
    """The caller's own vostro account (member accounts are never shown to peers): its completed balance as the sum
    of the legs' link amounts, exact, and what is held on it."""
    link = _link(node)[1]
    account_views.own_account(link, request.args.get("acc_path"))
    view = links.vostro_view(link)
    decimals = link.quant_decimals
    completed = {"balance": account_views.amount(view.balance, decimals)}
    pending = {
        "held_in": account_views.amount(view.held_in, decimals),
        "held_out": account_views.amount(view.held_out, decimals),
    }
    return _json(200, {"data": {link.peer_name: {"completed": completed, "pending": pending}}})


@bp.get("/account")
def account(node: str):
    """Komunitin's flat shape of the caller's own vostro account."""
    link = _link(node)[1]
    account_views.own_account(link, request.args.get("acc_path"))
    return _json(200, account_views.flat_summary(link))


@bp.get("/account/limits")
def account_limits(node: str):
    network, link = _link(node)
    account_views.own_account(link, request.args.get("acc_path"))
    return _json(200, {"data": {link.peer_name: account_views.limits(link, network)}})


@bp.get("/account/history")
def account_history(node: str):
    link = _link(node)[1]
    account_views.own_account(link, request.args.get("acc_path"))
    samples = account_views.bounded(request.args.get("samples"), name="samples", highest=account_views.MAX_SAMPLES)
    return _json(200, account_views.history(link, samples))


@bp.get("/account/names")
def account_names(node: str):
    """Member account names, only where the network shares them (off by default)."""
    network = _link(node)[0]
    limit = account_views.bounded(request.args.get("limit"), name="limit", highest=account_views.MAX_NAMES)
    return _json(200, {"data": account_views.names(network, request.args.get("acc_path"), limit)})
