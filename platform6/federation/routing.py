"""Where a Credit Commons address leads from a network here, and the local legs a transaction takes
(FEDERATION.md §1.2, §1.4, §1.5): a local member, an internal child, a leafward link, or the trunkward link."""

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, Context, Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from ..credit import queries as credit_queries
from ..credit import service as credit_service
from ..credit.models import Account, Network
from ..errors import RuleViolation
from ..extensions import db
from ..limits import MAX_INT
from . import links, paths
from .models import Link

#: exact enough for any amount and rate the credit module allows (its routing uses the same precision)
_DECIMAL = Context(prec=60)


@dataclass(frozen=True)
class Exit:
    """Where an address leads: a member account here, or a link to the next node."""

    account: Account | None = None
    link: Link | None = None


def resolve(network: Network, address: str) -> Exit | None:
    """The exit for `address` seen from `network`: below it, else up through its parents and its trunkward link.
    None when the address names nothing reachable (no trunk to send it to, or an unknown name under us)."""
    current: Network | None = network
    while current is not None:
        our = links.our_path(current)
        rest = paths.relative_to(address, our)
        if rest is not None:
            found = _below(current, rest)
            if found is not None:
                return found
            if _addressed_to(address, our):  # plainly ours, yet nothing here has that name
                return None
        if current.parent_id is None:
            trunk = links.trunkward_link(current)
            return Exit(link=trunk) if trunk is not None else None
        current = credit_queries.network_by_id(current.parent_id)
    return None


def _addressed_to(address: str, our: list[str]) -> bool:
    segments = paths.split(address)
    return segments[: len(our)] == our or (bool(segments) and segments[0] == our[-1])


def _below(network: Network, segments: list[str]) -> Exit | None:
    if len(segments) == 1:
        account = db.session.scalar(
            select(Account).where(
                Account.network_id == network.id, Account.cc_name == segments[0], Account.purpose == "member"
            )
        )
        return Exit(account=account) if account is not None else None
    if not segments:
        return None
    child = db.session.scalar(select(Network).where(Network.parent_id == network.id, Network.cc_name == segments[0]))
    if child is not None:
        return _below(child, segments[1:])
    link = links.link_by_peer(network, segments[0])
    if link is not None and link.direction == "leafward":
        return Exit(link=link)
    return None


def in_subtree_of(link: Link, address: str) -> bool:
    """The address lies on the link's side: under the leaf (leafward link), or outside us (trunkward link).
    A relay's payer must: value moves only out of the sender's own vostro account (FEDERATION.md §3.2)."""
    network = credit_queries.network_by_id(link.network_id)
    if link.direction == "leafward":
        rest = paths.relative_to(address, links.our_path(network))
        return rest is not None and len(rest) >= 2 and rest[0] == link.peer_name
    found = resolve(network, address)
    return found is not None and found.link is not None and found.link.id == link.id


def account_address(account: Account) -> str:
    """An account's absolute path, as sent on the wire."""
    network = credit_queries.network_by_id(account.network_id)
    return paths.join([*links.our_path(network), account.cc_name or f"account-{account.id}"])


# --- amounts across a link ------------------------------------------------------------------------------------------


def to_link_units(link: Link, network: Network, amount: int) -> int:
    """Minor units of the link's network -> the link's trunk-side minor units (leaf side: times the rate)."""
    major = _DECIMAL.divide(Decimal(amount), Decimal(10) ** network.currency_decimals)
    exact = _DECIMAL.multiply(_DECIMAL.multiply(major, Decimal(link.rate)), Decimal(10) ** link.quant_decimals)
    return _whole(exact, destination=link.peer_name)


def from_link_units(link: Link, network: Network, quant: int) -> int:
    """The link's trunk-side minor units -> minor units of the link's network (leaf side: divided by the rate)."""
    major = _DECIMAL.divide(_DECIMAL.divide(Decimal(quant), Decimal(10) ** link.quant_decimals), Decimal(link.rate))
    amount = _whole(_DECIMAL.multiply(major, Decimal(10) ** network.currency_decimals), destination=network.name)
    if amount > MAX_INT:  # a rate far below 1 turns the largest quant into more than the ledger stores
        raise RuleViolation("validation_failed", "amount", _("The amount is too large."))
    return amount


def _whole(value: Decimal, *, destination: str) -> int:
    """A converted amount in whole minor units, as credit's routing rounds them. RuleViolation if it rounds to
    nothing: a member's payment is refused (422), a peer's relay too (CCViolation 400)."""
    amount = int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN, context=_DECIMAL))
    if amount <= 0:
        raise RuleViolation(
            "validation_failed", "amount", _("The amount is too small to reach %(network)s.", network=destination)
        )
    return amount


def plan(
    entry: Account, exit_account: Account, amount: int, *, entry_quant: int | None, exit_link: Link | None
) -> tuple[list[credit_service.PlannedLeg], int | None]:
    """The local legs from `entry` to `exit_account` for `amount` (entry's minor units), the legs touching a vostro
    account marked with their link amount (`entry_quant`: what came in by the upstream link); and the amount
    leaving by `exit_link` in its trunk-side units. A transit leg between two vostro accounts keeps the incoming one
    (on the trunk side both are the same)."""
    legs = credit_service.plan_route(entry, exit_account, amount)
    out_quant = None
    if exit_link is not None:
        exit_network = credit_queries.network_by_id(exit_link.network_id)
        out_quant = to_link_units(exit_link, exit_network, legs[-1].amount)
        legs[-1] = replace(legs[-1], link_amount=out_quant)
    if entry_quant is not None:
        legs[0] = replace(legs[0], link_amount=entry_quant)
    return legs, out_quant
