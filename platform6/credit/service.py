"""Every write of mutual credit, by the name a caller knows it: the rules live in
networks.py (networks, accounts, limits, rates), routing.py (the legs a payment takes between networks),
ledger.py (transfers posted, paid, replayed, reversed) and requests.py (payment requests), fees.py and periodic_fees.py (a network's fees).
"""

from .fees import FeeQuote, clean_fees, fee_income_by_month, past_fees, quote_for, set_fees, transfer_fee, upcoming_fees
from .ledger import pay, replay_transfer, reverse, transfer
from .networks import (
    MAX_DECIMALS,
    MAX_RATE,
    MIN_RATE,
    RATE_DIGITS,
    create_network,
    open_account,
    parse_rate,
    rate_text,
    replay_account,
    replay_links,
    replay_network,
    set_credit_limit,
    set_debit_limit,
    set_network_defaults,
    set_status,
    set_warning,
)
from .requests import REQUEST_DAYS, accept_request, decline_request, expire_requests, request_payment
from .routing import PlannedLeg, plan_route

__all__ = [
    "MAX_DECIMALS",
    "MAX_RATE",
    "MIN_RATE",
    "RATE_DIGITS",
    "REQUEST_DAYS",
    "FeeQuote",
    "PlannedLeg",
    "accept_request",
    "clean_fees",
    "create_network",
    "decline_request",
    "expire_requests",
    "fee_income_by_month",
    "open_account",
    "parse_rate",
    "past_fees",
    "pay",
    "plan_route",
    "quote_for",
    "rate_text",
    "replay_account",
    "replay_links",
    "replay_network",
    "replay_transfer",
    "request_payment",
    "reverse",
    "set_credit_limit",
    "set_debit_limit",
    "set_fees",
    "set_network_defaults",
    "set_status",
    "set_warning",
    "transfer",
    "transfer_fee",
    "upcoming_fees",
]
