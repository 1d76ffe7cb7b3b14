"""Routing a payment between networks: the legs it takes and each leg's amount at its network's rate."""

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from flask_babel import gettext as _

from ..errors import RuleViolation
from ..limits import MAX_INT
from . import queries
from .models import Account, Network
from .networks import _DECIMAL, _usable_rate


@dataclass
class PlannedLeg:
    network_id: int
    from_account_id: int
    to_account_id: int
    amount: int
    #: a transfer fee into the operations account (after the route's legs)
    fee: bool = False
    #: a leg crossing a federation link: its amount in the link's trunk-side minor units
    link_amount: int | None = None


def _route_rate(network: Network) -> Decimal:
    """The network's stored rate, when routing can use it: one stored before rates were bounded may not be."""
    try:
        rate = Decimal(network.exchange_rate)
    except InvalidOperation:
        rate = None
    if rate is None or not _usable_rate(rate):
        raise RuleViolation(
            "no_route",
            "to_account_id",
            _("%(network)s's exchange rate is out of range: no payment can cross it.", network=network.name),
        )
    return rate


def _minor(major: Decimal, network: Network) -> int:
    value = _DECIMAL.multiply(major, Decimal(10) ** network.currency_decimals)
    try:
        amount = int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN, context=_DECIMAL))
    except InvalidOperation:  # more digits than the routing precision holds: far past MAX_INT
        amount = MAX_INT + 1
    if amount <= 0:
        raise RuleViolation(
            "validation_failed", "amount", _("The amount is too small to reach %(network)s.", network=network.name)
        )
    if amount > MAX_INT:
        raise RuleViolation("validation_failed", "amount", _("The amount is too large."))
    return amount


def plan_route(payer: Account, payee: Account, amount: int) -> list[PlannedLeg]:
    """One leg per network from the payer's network up to the nearest common ancestor and down to the payee's."""
    if payer.network_id == payee.network_id:
        return [PlannedLeg(payer.network_id, payer.id, payee.id, amount)]
    up, down = queries.ancestry(payer.network_id), queries.ancestry(payee.network_id)
    down_ids = [n.id for n in down]
    common = next((i for i, n in enumerate(up) if n.id in down_ids), None)
    if common is None:
        raise RuleViolation("no_route", "to_account_id", _("There is no route between these two networks."))
    ups, top, downs = up[:common], up[common], list(reversed(down[: down_ids.index(up[common].id)]))
    major = _DECIMAL.divide(Decimal(amount), Decimal(10) ** ups[0].currency_decimals) if ups else None
    legs: list[PlannedLeg] = []
    current = payer.id
    for network in ups:
        legs.append(PlannedLeg(network.id, current, network.settlement_account_id, _minor(major, network)))
        current = network.clearing_account_id
        major = _DECIMAL.multiply(major, _route_rate(network))
    if major is None:
        major = _DECIMAL.divide(Decimal(amount), Decimal(10) ** top.currency_decimals)
    target = downs[0].clearing_account_id if downs else payee.id
    legs.append(PlannedLeg(top.id, current, target, _minor(major, top) if ups else amount))
    for i, network in enumerate(downs):
        major = _DECIMAL.divide(major, _route_rate(network))
        target = downs[i + 1].clearing_account_id if i + 1 < len(downs) else payee.id
        legs.append(PlannedLeg(network.id, network.settlement_account_id, target, _minor(major, network)))
    return legs
