"""Every write of mutual credit, by the name a caller knows it: the rules live in
networks.py (networks, accounts, limits, rates), routing.py (the legs a payment takes between networks),
ledger.py (transfers posted, paid, replayed, reversed) and requests.py (payment requests).
"""

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
    "PlannedLeg",
    "accept_request",
    "create_network",
    "decline_request",
    "expire_requests",
    "open_account",
    "parse_rate",
    "pay",
    "plan_route",
    "rate_text",
    "replay_account",
    "replay_links",
    "replay_network",
    "replay_transfer",
    "request_payment",
    "reverse",
    "set_credit_limit",
    "set_debit_limit",
    "set_network_defaults",
    "set_status",
    "set_warning",
    "transfer",
]
