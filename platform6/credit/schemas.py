"""The JSON (and CSV) shape of networks, accounts, transfers and payment requests, shared by the API, pages and other features."""

import csv
import io
from datetime import date

from flask import Response
from flask_babel import gettext as _

from ..errors import invalid
from ..formatting import decimal_text
from ..timeutil import iso, within_bounds
from . import queries
from .fees import fee_income_by_month
from .models import Account, Network, PaymentRequest, Transfer


def network_json(network: Network) -> dict:
    return {
        "id": network.id,
        "name": network.name,
        "group_id": network.group_id,
        "parent_id": network.parent_id,
        "currency": {
            "code": network.currency_code,
            "name": network.currency_name,
            "symbol": network.currency_symbol,
            "decimals": network.currency_decimals,
        },
        "default_credit_limit": network.default_credit_limit,
        "default_debit_limit": network.default_debit_limit,
        "kind_credit_limits": network.kind_credit_limits or {},
        "exchange_rate": network.exchange_rate,
        "clearing_account_id": network.clearing_account_id,
        "settlement_account_id": network.settlement_account_id,
        "fees": network.fees or {"transfer": None, "periodic": []},
        "operations_account_id": network.operations_account_id,
        "created_at": iso(network.created_at),
    }


def fee_stats_json(network: Network) -> dict:
    """What the network's fees brought in: per month, and the operations account's balance."""
    operations = queries.account_by_id(network.operations_account_id) if network.operations_account_id else None
    return {
        "fee_income_by_month": fee_income_by_month(network),
        "operations_balance": operations.balance if operations is not None else 0,
    }


def account_json(account: Account, names: dict | None = None) -> dict:
    names = names if names is not None else queries.holder_names([account])
    return {
        "id": account.id,
        "network_id": account.network_id,
        "holder": {
            "type": account.holder_type,
            "id": account.holder_id,
            "name": names.get((account.holder_type, account.holder_id), ""),
        },
        "kind": account.kind,
        "purpose": account.purpose,
        "balance": account.balance,
        "credit_limit": account.credit_limit,
        "debit_limit": account.debit_limit,
        "can_spend": account.can_spend,
        "status": account.status,
        "warning_percent": account.warning_percent,
        "created_at": iso(account.created_at),
    }


def directory_json(accounts: list[Account]) -> list[dict]:
    """What any member of a network may see of the other accounts: who they are, never balances."""
    names = queries.holder_names(accounts)
    return [
        {
            "id": a.id,
            "network_id": a.network_id,
            "holder": {"type": a.holder_type, "id": a.holder_id, "name": names.get((a.holder_type, a.holder_id), "")},
            "kind": a.kind,
        }
        for a in accounts
    ]


def transfer_json(transfer: Transfer) -> dict:
    """API.md's transfer: `{id, from_account_id, to_account_id, amount, description, state, created_at, legs}`."""
    return {
        "id": transfer.id,
        "from_account_id": transfer.from_account_id,
        "to_account_id": transfer.to_account_id,
        "amount": transfer.amount,
        "description": transfer.description,
        "state": transfer.state,
        "created_at": iso(transfer.created_at),
        "reverses_id": transfer.reverses_id,
        "legs": [
            {
                "network_id": leg.network_id,
                "from_account_id": leg.from_account_id,
                "to_account_id": leg.to_account_id,
                "amount": leg.amount,
            }
            for leg in transfer.legs
        ],
        # the account charged each fee (the payer, or the payee when the payee pays it); a reversal's: the one refunded
        "fees": [
            {"account_id": leg.to_account_id if transfer.reverses_id else leg.from_account_id, "amount": leg.amount}
            for leg in transfer.fee_legs
        ],
    }


def payment_request_json(payment_request: PaymentRequest) -> dict:
    return {
        "id": payment_request.id,
        "from_account_id": payment_request.from_account_id,
        "to_account_id": payment_request.to_account_id,
        "amount": payment_request.amount,
        "description": payment_request.description,
        "state": payment_request.state,
        "created_at": iso(payment_request.created_at),
        "expires_at": iso(payment_request.expires_at),
        "decided_at": iso(payment_request.decided_at),
        "transfer_id": payment_request.transfer_id,
    }


def statement_response(account: Account, start: date | None, end: date | None) -> Response:
    """The CSV statement (shared with the account page's download link)."""
    start = start and within_bounds(start, "from")
    end = end and within_bounds(end, "to")
    if start and end and start > end:
        raise invalid("from", _("from is on or before to."))
    network = queries.network_by_id(account.network_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "transfer_id", "counterparty", "description", "amount_in", "amount_out", "balance"])
    for row in queries.statement(account, start, end):
        writer.writerow(
            [
                iso(row.created_at),
                row.transfer_id,
                _csv_safe(row.counterparty),
                _csv_safe(row.description),
                decimal_text(row.amount, network.currency_decimals) if row.amount > 0 else "",
                decimal_text(-row.amount, network.currency_decimals) if row.amount < 0 else "",
                decimal_text(row.balance_after, network.currency_decimals),
            ]
        )
    filename = f"statement-{account.id}-{start or 'start'}-{end or 'today'}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _csv_safe(value: str) -> str:
    """Keep spreadsheets from running a cell as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
