"""What `flask credit verify` checks of federation (FEDERATION.md §3.7): locally, that held sums match the holds
and holds only live on unfinished transactions, that each state has its transfer or none, that each link's chain
recomputes from its genesis to its head, that a leaf's settlement matches its link amounts ÷ rate, and that no payment a
commit-on-relay peer booked is left erased here unresolved (discrepancies.py); with --peers,
that each neighbour's view of the account standing for us mirrors ours exactly in trunk units (and a 200 at all
proves both ends hold the same head)."""

from decimal import Decimal

from sqlalchemy import func, select

from ..credit import queries as credit_queries
from ..credit.models import Account, Network
from ..extensions import db
from ..transaction import unit_of_work
from . import discrepancies, hashing, links, wire
from .models import CCTransaction, Hold, Link, LinkHash
from .transactions import call_peer, peer_of


def local_problems() -> list[str]:
    problems: list[str] = []
    sums = {
        (account_id, direction): total
        for account_id, direction, total in db.session.execute(
            select(Hold.account_id, Hold.direction, func.sum(Hold.amount)).group_by(Hold.account_id, Hold.direction)
        )
    }
    for account in db.session.scalars(
        select(Account).where((Account.held_out != 0) | (Account.held_in != 0) | Account.id.in_({a for a, _d in sums}))
    ):
        if (account.held_out, account.held_in) != (sums.get((account.id, "out"), 0), sums.get((account.id, "in"), 0)):
            problems.append(f"account {account.id}: held_out/held_in do not equal the sums of its holds")
    for uuid, state in db.session.execute(
        select(CCTransaction.uuid, CCTransaction.state)
        .join(Hold, Hold.cc_transaction_id == CCTransaction.id)
        .where(CCTransaction.state.not_in(("validated", "completing")))
        .distinct()
    ):
        problems.append(f"transaction {uuid}: {state} but still holding value")
    for uuid, state, transfer_id in db.session.execute(
        select(CCTransaction.uuid, CCTransaction.state, CCTransaction.transfer_id)
    ):
        if (state == "completed") != (transfer_id is not None):
            problems.append(f"transaction {uuid}: {state} with {'a' if transfer_id else 'no'} posted transfer")
    for link in db.session.scalars(select(Link).order_by(Link.id)):
        problems.extend(_chain_problems(link))
        if link.direction == "trunkward":
            problems.extend(_settlement_problems(link))
    return problems + discrepancies.problems()


def _settlement_problems(link: Link) -> list[str]:
    """A leaf's settlement balance is Σ link_amount ÷ rate in its own units, within half a unit per leg: only the
    leaf converts, so only this side of the mirror rounds (the cross-node mirror, in trunk units, is exact)."""
    network = db.session.get(Network, link.network_id)
    settlement = db.session.get(Account, link.vostro_account_id)
    factor = Decimal(10) ** (network.currency_decimals - link.quant_decimals) / Decimal(link.rate)
    crossed = links.vostro_view(link).balance
    if credit_queries.mirrors_within_rounding(settlement, crossed * factor, factor=factor):
        return []
    return [
        f"link {link.id} ({link.peer_name}): settlement balance {settlement.balance} does not match the link "
        f"amounts ({crossed} at rate {link.rate})"
    ]


def _chain_problems(link: Link) -> list[str]:
    head = link.genesis or ""
    for step in db.session.scalars(select(LinkHash).where(LinkHash.link_id == link.id).order_by(LinkHash.seq)):
        if step.kind == "reseed":
            head = step.head
            continue
        row = db.session.scalar(
            select(CCTransaction).where(
                CCTransaction.uuid == step.uuid,
                (CCTransaction.upstream_link_id == link.id) | (CCTransaction.downstream_link_id == link.id),
            )
        )
        entries = [entry for entry in (row.entries if row else []) if entry["link_id"] == link.id]
        expected = hashing.link_hash(link.profile, head, uuid=step.uuid, state=step.state, entries=entries,
                                     version=hashing.chain_version(link.profile, entries),
                                     decimals=link.quant_decimals)  # fmt: skip
        if step.previous != head or not hashing.same(step.head, expected):
            return [f"link {link.id} ({link.peer_name}): its chain breaks at step {step.seq}"]
        head = step.head
    if not hashing.same(head, link.head):
        return [f"link {link.id} ({link.peer_name}): its head is not where its chain leads"]
    return []


def peer_problems() -> list[str]:
    """Ask each active neighbour (one authenticated GET per link) for its view of the account standing for us."""
    with unit_of_work(write=False):
        checks = []
        for link in db.session.scalars(select(Link).where(Link.status == "active").order_by(Link.id)):
            network = db.session.get(Network, link.network_id)
            ours = links.vostro_view(link)
            checks.append((link.id, link.peer_name, network.cc_name, peer_of(link), ours))
    problems = []
    for link_id, peer_name, our_name, peer, ours in checks:
        answer = call_peer(peer, "GET", f"account/summary?acc_path={our_name}")
        if answer is None or not answer.ok:
            status = "no answer" if answer is None else f"HTTP {answer.status}"
            problems.append(f"link {link_id} ({peer_name}): the neighbour did not confirm our head ({status})")
            continue
        try:
            view = answer.payload["data"][our_name]
            balance = _minor(view["completed"]["balance"], peer.quant_decimals)
            held = _minor(view["pending"]["held_in"], peer.quant_decimals) + _minor(
                view["pending"]["held_out"], peer.quant_decimals
            )
        except (KeyError, TypeError, wire.CCError):
            problems.append(f"link {link_id} ({peer_name}): the neighbour's summary cannot be read")
            continue
        if balance != -ours.balance:
            problems.append(
                f"link {link_id} ({peer_name}): the neighbour counts {balance} on its side, we count {ours.balance}"
            )
        if held != ours.held_in + ours.held_out:
            problems.append(
                f"link {link_id} ({peer_name}): the neighbour holds {held}, we hold {ours.held_in + ours.held_out}"
            )
    return problems


def _minor(number, decimals: int) -> int:
    """A signed wire number as minor units (parse_quant reads only positive ones)."""
    if number == 0:
        return 0
    return -wire.parse_quant(-number, decimals) if number < 0 else wire.parse_quant(number, decimals)
