"""The JSON shape of a member's payment to another installation (docs/api-additions.md)."""

from ..credit import queries as credit_queries
from ..credit.schemas import transfer_json
from ..timeutil import iso
from .models import CCTransaction


def remote_transfer_json(row: CCTransaction) -> dict:
    """`{uuid, state, from_account_id, to, amount, description, created_at, transfer, error}`: `transfer` once posted
    here (completed), `error` ({code, message}) once erased."""
    transfer = None
    if row.transfer_id is not None:
        transfer = transfer_json(credit_queries.transfers_by_ids([row.transfer_id])[row.transfer_id])
    return {
        "uuid": row.uuid,
        "state": row.state,
        "from_account_id": row.legs[0]["from_account_id"] if row.legs else None,
        "from": row.payer_address,
        "to": row.payee_address,
        "amount": row.amount,
        "description": row.description,
        "created_at": iso(row.created_at),
        "transfer": transfer,
        "error": row.error,
    }
