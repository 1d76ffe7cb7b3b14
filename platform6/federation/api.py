"""JSON routes for members paying accounts on other installations (docs/api-additions.md "Remote transfers"), and
the Credit Commons protocol's blueprint (cc_api.py), which create_app registers from here."""

from typing import Annotated

from flask import jsonify, request
from pydantic import Field

from ..api import Body, PositiveInt, api_blueprint, parse_body, require_user
from ..ratelimit import rate_limit
from . import cc_api, transactions
from .schemas import remote_transfer_json

bp = api_blueprint("federation_api", __name__)
blueprints = (bp, cc_api.bp)


class NewRemoteTransfer(Body):
    from_account_id: PositiveInt
    #: the payee's absolute address, such as ocn/leeds/bob
    to: Annotated[str, Field(min_length=1, max_length=300)]
    amount: PositiveInt
    description: Annotated[str, Field(max_length=1000)] = ""


@bp.post("/remote-transfers")
@rate_limit("payments", per="user")
def create_remote_transfer():
    """201 with the transfer once posted; 202 while it is still completing (GET it later)."""
    user = require_user()
    data = parse_body(NewRemoteTransfer)
    row = transactions.pay_remote(
        actor=user,
        from_account_id=data.from_account_id,
        to_address=data.to,
        amount=data.amount,
        description=data.description,
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
    return jsonify(remote_transfer_json(row)), 201 if row.state == "completed" else 202


@bp.get("/remote-transfers/<uuid>")
def show_remote_transfer(uuid: str):
    row = transactions.remote_transfer_for(require_user(), uuid.lower())
    return jsonify(remote_transfer_json(row))
