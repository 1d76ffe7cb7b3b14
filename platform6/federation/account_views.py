"""What a neighbouring node may read about accounts here (FEDERATION.md §2, "Privacy"): the account standing for it
(its vostro account) in each shape peers ask for, and the names of member accounts only where the network shares
them. Never a member's balance, limits or history: a peer cannot enumerate what our members hold.

Amounts are in the link's trunk-side units, as Decimals of its quant: exact, from the legs' link amounts. Asking
for any other account gets the same refusal whether it exists or not, so the answer reveals nothing.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, or_, select

from ..credit.models import Account, Leg, Network
from ..errors import RuleViolation
from ..extensions import db
from . import links, paths, routing, wire
from .models import Link

#: the most names one call lists, and the most points of a history
MAX_NAMES, DEFAULT_NAMES = 50, 10
MAX_SAMPLES = 1000
#: Komunitin's history keys and bounds are "YYYY-MM-DD HH:MM:SS" (UTC)
_TIME = "%Y-%m-%d %H:%M:%S"
_DIGITS = re.compile(r"[0-9]{1,9}")


def amount(minor: int, decimals: int) -> Decimal:
    """Signed trunk minor units as a wire number: -150, 2 -> Decimal("-1.5")."""
    if not minor:
        return Decimal(0)
    return -wire.quant(-minor, decimals) if minor < 0 else wire.quant(minor, decimals)


def own_account(link: Link, acc_path: str | None) -> Account:
    """The vostro account, if `acc_path` names it (absent, the peer's name, or a path ending with it)."""
    segments = paths.split(acc_path or link.peer_name)
    if not segments or segments[-1] != link.peer_name:
        raise wire.CCError(400, "PermissionViolation", "a neighbour may read only its own account here")
    return db.session.get(Account, link.vostro_account_id)


@dataclass(frozen=True)
class _Step:
    at: datetime
    transfer_id: int
    counterparty_id: int
    #: signed, in the link's trunk-side minor units: + into the vostro account
    change: int


def _steps(account_id: int) -> list[_Step]:
    rows = db.session.execute(
        select(Leg.created_at, Leg.transfer_id, Leg.from_account_id, Leg.to_account_id, Leg.link_amount)
        .where(or_(Leg.from_account_id == account_id, Leg.to_account_id == account_id))
        .order_by(Leg.created_at, Leg.id)
    ).all()
    return [
        _Step(at, transfer_id, payer if payee == account_id else payee,
              (amount or 0) if payee == account_id else -(amount or 0))
        for at, transfer_id, payer, payee, amount in rows
    ]  # fmt: skip


def flat_summary(link: Link) -> dict:
    """Komunitin's `GET account` shape: {balance, entries, gross_in, gross_out, partners, pending, trades}."""
    steps = _steps(link.vostro_account_id)
    view = links.vostro_view(link)
    decimals = link.quant_decimals
    return {
        "balance": amount(view.balance, decimals),
        "entries": len(steps),
        "gross_in": amount(sum(s.change for s in steps if s.change > 0), decimals),
        "gross_out": amount(-sum(s.change for s in steps if s.change < 0), decimals),
        "partners": len({s.counterparty_id for s in steps}),
        "pending": amount(view.held_in - view.held_out, decimals),
        "trades": len({s.transfer_id for s in steps}),
    }


def limits(link: Link, network: Network) -> dict:
    """{"min", "max"} of the vostro account in the link's units; max is None without a debit limit."""
    account = db.session.get(Account, link.vostro_account_id)
    decimals = link.quant_decimals
    highest = None if account.debit_limit is None else amount(_in_link_units(link, network, account.debit_limit),
                                                               decimals)  # fmt: skip
    return {"min": amount(-_in_link_units(link, network, account.credit_limit), decimals), "max": highest}


def _in_link_units(link: Link, network: Network, amount: int) -> int:
    try:
        return routing.to_link_units(link, network, amount) if amount > 0 else 0
    except RuleViolation:  # below one minor unit of the link: a limit that small reads as 0
        return 0


def history(link: Link, samples: int | None) -> dict:
    """The vostro balance after each change, at most `samples` points spread evenly (the last always kept):
    {"data": {"<time>": balance}, "meta": {min, max, points, start, end}}."""
    running, points = 0, []
    for step in _steps(link.vostro_account_id):
        running += step.change
        points.append((step.at, running))
    wanted = min(samples or MAX_SAMPLES, MAX_SAMPLES)
    if len(points) > wanted:
        stride = len(points) / wanted
        points = [points[len(points) - 1 - int(i * stride)] for i in reversed(range(wanted))]
    decimals = link.quant_decimals
    data = {at.strftime(_TIME): amount(balance, decimals) for at, balance in points}
    balances = [balance for _at, balance in points]
    meta = {
        "min": amount(min(balances), decimals) if balances else None,
        "max": amount(max(balances), decimals) if balances else None,
        "points": len(data),
        "start": points[0][0].strftime(_TIME) if points else None,
        "end": points[-1][0].strftime(_TIME) if points else None,
    }
    return {"data": data, "meta": meta}


def names(network: Network, acc_path: str | None, limit: int | None) -> list[str]:
    """The absolute paths of the network's active member accounts whose name starts with the last segment of
    `acc_path` (all when absent), in name order, at most `limit`. PermissionViolation unless the network shares
    names; nothing for a path under another node (we list only our own accounts)."""
    if not network.federation_share_names:
        raise wire.CCError(400, "PermissionViolation", "this node does not share account names")
    our = links.our_path(network)
    rest = paths.relative_to(acc_path or "", our)
    if rest is None or len(rest) > 1:
        return []
    fragment = rest[0] if rest else ""
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    found = db.session.scalars(
        select(Account.cc_name)
        .where(
            Account.network_id == network.id,
            Account.purpose == "member",
            Account.status == "active",
            Account.cc_name.is_not(None),
            func.lower(Account.cc_name).like(f"{escaped.lower()}%", escape="\\"),
        )
        .order_by(Account.cc_name)
        .limit(limit or DEFAULT_NAMES)
    )
    return [paths.join([*our, name]) for name in found]


def bounded(raw: str | None, *, name: str, highest: int) -> int | None:
    """A query parameter that is a whole number from 1 to `highest`, or None when absent; CCError 400 otherwise."""
    if raw is None or raw == "":
        return None
    if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= highest:
        raise wire.CCError(400, "CCViolation", f"{name} must be a whole number from 1 to {highest}")
    return int(raw)
