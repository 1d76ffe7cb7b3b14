"""Reads shared by the credit pages, the API and other features: accounts, visibility, histories, statistics."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..api import MAX_ID
from ..extensions import db
from ..groups.models import Group, Membership
from ..groups.permissions import is_admin, is_member, user_id_of
from ..groups.queries import administered_group_ids
from .models import Account, Entry, Leg, LimitChange, Network, PaymentRequest, Transfer


def account_room(account_id: int) -> str:
    """The Socket.IO room of an account's open pages."""
    return f"credit_account:{account_id}"


def account_by_id(account_id: int) -> Account | None:
    return db.session.get(Account, account_id)


def network_by_id(network_id: int) -> Network | None:
    return db.session.get(Network, network_id)


def governing_group_id(account_id: int) -> int | None:
    """The group whose admins govern the account's network."""
    return db.session.scalar(
        select(Network.group_id).join(Account, Account.network_id == Network.id).where(Account.id == account_id)
    )


def account_for_holder(*, network_id: int, holder_type: str, holder_id: int) -> Account | None:
    """The holder's own (member) account in the network."""
    return db.session.scalar(
        select(Account).where(
            Account.network_id == network_id,
            Account.holder_type == holder_type,
            Account.holder_id == holder_id,
            Account.purpose == "member",
        )
    )


def _group(group_id: int) -> Group | None:
    return db.session.get(Group, group_id)


def controls_account(user, account: Account) -> bool:
    """The holder, or an admin of the holding group."""
    uid = user_id_of(user)
    if uid is None:
        return False
    if account.holder_type == "user":
        return account.holder_id == uid
    if account.holder_type == "group":
        group = _group(account.holder_id)
        return group is not None and is_admin(user, group)
    return False


def is_network_admin(user, network: Network) -> bool:
    group = _group(network.group_id)
    return group is not None and is_admin(user, group)


def can_see_account(user, account: Account) -> bool:
    """Controls it, or is an admin of the network's group."""
    if controls_account(user, account):
        return True
    network = network_by_id(account.network_id)
    return network is not None and is_network_admin(user, network)


def holder_may_be_named_to(user, account: Account, *, network_id: int) -> bool:
    """Whether naming the account from one in `network_id` may tell the user who holds it: an account of that
    network (its directory lists them all), or one they may see. Anything else answers as no account at all."""
    return account.network_id == network_id or can_see_account(user, account)


def controller_ids(account: Account) -> list[int]:
    """The people who act for the account: its user, or the admins of its group."""
    if account.holder_type == "user":
        return [account.holder_id]
    if account.holder_type == "group":
        return list(
            db.session.scalars(
                select(Membership.user_id).where(Membership.group_id == account.holder_id, Membership.role == "admin")
            )
        )
    return []


def holder_names(accounts) -> dict[tuple[str, int], str]:
    """{(holder_type, holder_id): name} for many accounts in at most three queries."""
    wanted: dict[str, set[int]] = {"user": set(), "group": set(), "network": set()}
    for account in accounts:
        wanted.setdefault(account.holder_type, set()).add(account.holder_id)
    names: dict[tuple[str, int], str] = {}
    for kind, model in (("user", User), ("group", Group), ("network", Network)):
        if wanted.get(kind):
            for row_id, name in db.session.execute(select(model.id, model.name).where(model.id.in_(wanted[kind]))):
                names[(kind, row_id)] = name if kind != "network" else _("%(network)s (settlement)", network=name)
    return names


def accounts_by_ids(ids) -> dict[int, Account]:
    ids = set(ids)
    if not ids:
        return {}
    return {a.id: a for a in db.session.scalars(select(Account).where(Account.id.in_(ids)))}


def accounts_of_user(user) -> list[Account]:
    """Every account the user controls: their own, and those of groups they administer."""
    uid = user_id_of(user)
    if uid is None:
        return []
    return list(
        db.session.scalars(
            select(Account)
            .where(
                or_(
                    (Account.holder_type == "user") & (Account.holder_id == uid),
                    (Account.holder_type == "group") & Account.holder_id.in_(administered_group_ids(uid)),
                ),
                Account.purpose == "member",
            )
            .order_by(Account.id)
        )
    )


def networks_by_ids(ids) -> dict[int, Network]:
    ids = set(ids)
    if not ids:
        return {}
    return {n.id: n for n in db.session.scalars(select(Network).where(Network.id.in_(ids)))}


def networks_visible_to(user) -> list[Network]:
    """Networks where the user holds or controls an account, or administers the governing group."""
    uid = user_id_of(user)
    if uid is None:
        return []
    member_of = select(Membership.group_id).where(Membership.user_id == uid)
    held = select(Account.network_id).where(
        or_(
            (Account.holder_type == "user") & (Account.holder_id == uid),
            (Account.holder_type == "group") & Account.holder_id.in_(member_of),
        )
    )
    return list(
        db.session.scalars(
            select(Network).where(or_(Network.id.in_(held), Network.group_id.in_(member_of))).order_by(Network.id)
        )
    )


def can_see_network(user, network: Network) -> bool:
    """Members of the governing group, and anyone with an account in the network."""
    uid = user_id_of(user)
    if uid is None:
        return False
    group = _group(network.group_id)
    if group is not None and is_member(user, group):
        return True
    return any(a.network_id == network.id for a in accounts_of_user(user))


def ancestry(network_id: int) -> list[Network]:
    """The network, its parent, ... up to the root (a payment routes through the nearest common ancestor)."""
    chain: list[Network] = []
    seen: set[int] = set()
    current: int | None = network_id
    while current is not None and current not in seen:
        seen.add(current)
        network = db.session.get(Network, current)
        chain.append(network)
        current = network.parent_id
    return chain


@dataclass
class PayeeGroup:
    """One network's accounts in the payee picker, with their holders' names."""

    network: Network
    accounts: list[Account]
    names: dict[tuple[str, int], str]


#: the picker lists at most this many accounts; a larger directory is searched by name (`?q=`) or by account number
PAYEE_PICKER_LIMIT = 500


def payable_accounts(user, q: str | None = None, *, routed: bool = True) -> list[PayeeGroup]:
    """The accounts the user may pick by name to pay: the active member accounts of every network they can see that
    a payment from one of their own accounts reaches (routing.py: one sharing a root), their own networks' first.
    Networks they cannot see are not listed: naming their holders would tell too much.

    `routed=False`: only the networks they hold accounts in (whom a payment request may ask, requests.py)."""
    mine = accounts_of_user(user)
    if not mine:
        return []
    roots = {ancestry(a.network_id)[-1].id for a in mine}
    own = {a.network_id for a in mine}
    networks = [n for n in networks_visible_to(user) if (ancestry(n.id)[-1].id in roots if routed else n.id in own)]
    networks.sort(key=lambda n: (n.id not in own, n.name.lower(), n.id))
    stmt = select(Account).where(
        Account.network_id.in_([n.id for n in networks]), Account.purpose == "member", Account.status == "active"
    )
    if q:
        stmt = stmt.where(_name_matches(q))
    accounts = list(db.session.scalars(stmt.order_by(Account.id).limit(PAYEE_PICKER_LIMIT)))
    names = holder_names(accounts)
    groups = []
    for network in networks:
        held = [a for a in accounts if a.network_id == network.id]
        held.sort(key=lambda a: (names.get((a.holder_type, a.holder_id), "").lower(), a.id))
        if held:
            groups.append(PayeeGroup(network, held, names))
    return groups


def _name_matches(q: str):
    pattern = f"%{q.lower()}%"
    users = select(User.id).where(func.lower(User.name).like(pattern))
    groups = select(Group.id).where(func.lower(Group.name).like(pattern))
    return or_(
        (Account.holder_type == "user") & Account.holder_id.in_(users),
        (Account.holder_type == "group") & Account.holder_id.in_(groups),
    )


def directory_select(network: Network, q: str | None = None):
    """The network's member accounts, for the payee directory (names resolved by the caller)."""
    stmt = select(Account).where(Account.network_id == network.id, Account.purpose == "member")
    if q:
        stmt = stmt.where(_name_matches(q))
    return stmt


def entries_select(account: Account):
    return select(Entry).where(Entry.account_id == account.id)


def transfers_by_ids(ids) -> dict[int, Transfer]:
    """Transfers with their legs, in two queries."""
    ids = set(ids)
    if not ids:
        return {}
    rows = db.session.scalars(select(Transfer).options(selectinload(Transfer.legs)).where(Transfer.id.in_(ids)))
    return {t.id: t for t in rows}


@dataclass
class HistoryRow:
    """One line of an account's history: an entry with its transfer and the other side's name."""

    entry_id: int
    created_at: datetime
    transfer: Transfer
    counterparty: str
    amount: int
    balance_after: int
    #: the transfer fee's side of a payment (its own line on the history and the statement)
    fee: bool = False

    @property
    def transfer_id(self) -> int:
        return self.transfer.id

    @property
    def description(self) -> str:
        if self.fee:
            return f"Network fee: {self.transfer.description}" if self.transfer.description else "Network fee"
        return self.transfer.description


#: fn(transfer_ids) -> {transfer_id: {"payer": address, "payee": address}} for transfers whose other end is on
#: another installation (federation registers it: credit imports no federation)
REMOTE_COUNTERPARTIES: list = []


def register_remote_counterparties(fn):
    """Add a source of remote addresses for statements (usable as a decorator)."""
    if fn not in REMOTE_COUNTERPARTIES:
        REMOTE_COUNTERPARTIES.append(fn)
    return fn


def _remote_counterparties(account: Account, transfers: dict[int, Transfer], linking: set[int]) -> dict[int, str]:
    """{transfer_id: the remote party's address} where a transfer's other end is a linking account (one standing
    for a node elsewhere): the statement names the person there, not the link."""

    def other_end(t: Transfer) -> int:
        return t.to_account_id if t.from_account_id == account.id else t.from_account_id

    crossing = [t.id for t in transfers.values() if other_end(t) in linking]
    found: dict[int, str] = {}
    for source in REMOTE_COUNTERPARTIES if crossing else ():
        for transfer_id, ends in source(crossing).items():
            found[transfer_id] = (
                ends["payee"] if transfers[transfer_id].from_account_id == account.id else ends["payer"]
            )
    return found


def history_rows(account: Account, entries: list[Entry]) -> list[HistoryRow]:
    """Entries with their transfers and counterparties, in a fixed number of queries."""
    transfers = transfers_by_ids(e.transfer_id for e in entries)
    legs = {leg.id: leg for t in transfers.values() for leg in t.legs}
    others: dict[int, int] = {}
    for entry in entries:
        t = transfers[entry.transfer_id]
        if legs[entry.leg_id].fee:
            leg = legs[entry.leg_id]
            others[entry.id] = leg.to_account_id if leg.from_account_id == account.id else leg.from_account_id
        elif account.id == t.from_account_id:
            others[entry.id] = t.to_account_id
        elif account.id == t.to_account_id:
            others[entry.id] = t.from_account_id
        else:
            leg = legs[entry.leg_id]
            others[entry.id] = leg.to_account_id if leg.from_account_id == account.id else leg.from_account_id
    accounts = accounts_by_ids(others.values())
    names = holder_names(accounts.values())
    remote = _remote_counterparties(account, transfers, {a.id for a in accounts.values() if a.is_linking})
    return [
        HistoryRow(
            entry_id=e.id,
            created_at=e.created_at,
            transfer=transfers[e.transfer_id],
            counterparty=(None if legs[e.leg_id].fee else remote.get(e.transfer_id))
            or names.get((accounts[others[e.id]].holder_type, accounts[others[e.id]].holder_id), ""),
            amount=e.amount,
            balance_after=e.balance_after,
            fee=legs[e.leg_id].fee,
        )
        for e in entries
    ]


def statement(account: Account, start: date | None, end: date | None) -> list[HistoryRow]:
    """The account's entries from `start` to `end` (inclusive dates, UTC), oldest first."""
    stmt = entries_select(account).order_by(Entry.id)
    if start:
        stmt = stmt.where(Entry.created_at >= datetime.combine(start, datetime.min.time()))
    if end:
        stmt = stmt.where(Entry.created_at < datetime.combine(end + timedelta(days=1), datetime.min.time()))
    return history_rows(account, list(db.session.scalars(stmt)))


def payment_requests_select(account_ids: list[int], direction: str):
    column = PaymentRequest.from_account_id if direction == "in" else PaymentRequest.to_account_id
    return select(PaymentRequest).where(column.in_(account_ids))


def network_stats(network: Network, now: datetime) -> dict:
    """API.md's stats: counts, volumes, money supply, balance sum and 30-day velocity."""
    money_supply, balance_sum = db.session.execute(
        select(
            func.coalesce(func.sum(case((Account.balance > 0, Account.balance), else_=0)), 0),
            func.coalesce(func.sum(Account.balance), 0),
        ).where(Account.network_id == network.id)
    ).one()
    accounts_count = db.session.scalar(
        select(func.count(Account.id)).where(Account.network_id == network.id, Account.purpose == "member")
    )
    transfers_count, volume = db.session.execute(
        select(func.count(func.distinct(Leg.transfer_id)), func.coalesce(func.sum(Leg.amount), 0)).where(
            Leg.network_id == network.id
        )
    ).one()
    volume_30d = db.session.scalar(
        select(func.coalesce(func.sum(Leg.amount), 0)).where(
            Leg.network_id == network.id, Leg.created_at >= now - timedelta(days=30)
        )
    )
    return {
        "accounts_count": accounts_count,
        "transfers_count": transfers_count,
        "volume": int(volume),
        "volume_30d": int(volume_30d),
        "money_supply": int(money_supply),
        "balance_sum": int(balance_sum),
        "velocity_30d": round(int(volume_30d) / int(money_supply), 4) if money_supply else 0,
    }


def ledger_violations() -> list[str]:
    """Every broken invariant of the whole ledger, as sentences (an empty list: all hold).

    Checks that each transfer has legs and each leg two entries summing to zero, that stored balances equal the sum of
    entries and each entry's `balance_after` the running sum, that each network sums to zero,
    that every entry's hash chains to the previous one and the account's head, that settlement
    accounts mirror their clearing accounts, and that reversals pair up.
    """
    problems: list[str] = []
    entries = Entry.__table__
    legs = Leg.__table__
    for leg_id, count, total, spread in db.session.execute(
        select(
            legs.c.id,
            func.count(entries.c.id),
            func.coalesce(func.sum(entries.c.amount), 0),
            func.coalesce(func.max(func.abs(entries.c.amount)), 0) - legs.c.amount,
        )
        .select_from(legs.outerjoin(entries, entries.c.leg_id == legs.c.id))
        .group_by(legs.c.id, legs.c.amount)
    ):
        if count != 2 or total != 0 or spread != 0:
            problems.append(f"leg {leg_id}: {count} entries summing to {total}, not two of ± the leg's amount")
    transfers = Transfer.__table__
    for (transfer_id,) in db.session.execute(
        select(transfers.c.id).where(~select(legs.c.id).where(legs.c.transfer_id == transfers.c.id).exists())
    ):
        problems.append(f"transfer {transfer_id}: no legs, so it moved nothing")
    accounts = {row.id: row for row in db.session.execute(select(Account.__table__))}
    state: dict[int, tuple[int, str]] = {}
    for row in db.session.execute(select(entries).order_by(entries.c.account_id, entries.c.id)):
        running, head = state.get(row.account_id, (0, ""))
        running += row.amount
        if row.balance_after != running:
            problems.append(f"entry {row.id}: balance_after {row.balance_after} but the running sum is {running}")
        expected = Entry.chain_hash(
            head,
            account_id=row.account_id,
            transfer_id=row.transfer_id,
            leg_id=row.leg_id,
            amount=row.amount,
            balance_after=row.balance_after,
            created_at=row.created_at,
        )
        if row.hash != expected:
            problems.append(f"entry {row.id}: its hash does not match its content and the previous entry")
        state[row.account_id] = (running, row.hash)
    sums: dict[int, int] = {}
    for account in accounts.values():
        running, head = state.get(account.id, (0, ""))
        if account.balance != running:
            problems.append(f"account {account.id}: stored balance {account.balance} but its entries sum to {running}")
        if account.last_hash != head:
            problems.append(f"account {account.id}: the hash chain's head does not match its newest entry")
        sums[account.network_id] = sums.get(account.network_id, 0) + account.balance
    for network_id, total in sorted(sums.items()):
        if total != 0:
            problems.append(f"network {network_id}: balances sum to {total}, not 0")
    for network in db.session.scalars(select(Network).where(Network.parent_id.is_not(None))):
        problems.extend(mirror_problems(network, accounts))
    reversed_ids = set(db.session.scalars(select(Transfer.id).where(Transfer.state == "reversed")))
    reversal_of = set(db.session.scalars(select(Transfer.reverses_id).where(Transfer.reverses_id.is_not(None))))
    for transfer_id in sorted(reversed_ids ^ reversal_of):
        problems.append(f"transfer {transfer_id}: marked reversed without a reversal, or the reverse")
    return problems


def mirror_problems(network: Network, accounts: dict) -> list[str]:
    """The settlement balance is the clearing balance in the child's units, negated (within rounding)."""
    clearing, settlement = accounts.get(network.clearing_account_id), accounts.get(network.settlement_account_id)
    if clearing is None or settlement is None:
        return [f"network {network.id}: a child network without its clearing and settlement accounts"]
    parent = db.session.get(Network, network.parent_id)
    factor = 1 / network.rate * Decimal(10) ** (network.currency_decimals - parent.currency_decimals)
    if not mirrors_within_rounding(settlement, -Decimal(clearing.balance) * factor, factor=factor):
        return [
            f"network {network.id}: settlement balance {settlement.balance} does not mirror "
            f"clearing balance {clearing.balance}"
        ]
    return []


def mirrors_within_rounding(settlement: Account, expected: Decimal, *, factor: Decimal) -> bool:
    """A settlement account's balance is `expected` (what it mirrors, times `factor`: its minor units per minor
    unit mirrored) within half a unit on each side of every leg through it: each leg was converted and rounded once."""
    legs_through = db.session.scalar(
        select(func.count(Leg.id)).where((Leg.from_account_id == settlement.id) | (Leg.to_account_id == settlement.id))
    )
    return abs(Decimal(settlement.balance) - expected) <= Decimal(legs_through) * (1 + factor) / 2


def _month(column):
    if db.session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(column, "YYYY-MM")


DISTRIBUTION_BUCKETS = ("in credit", "0–25% of limit used", "25–50%", "50–75%", "75–100%", "beyond the limit")


def network_insights(network: Network, now: datetime) -> dict:
    """The network page's figures beyond API.md's stats: monthly turnover, days to clear, inactivity, distribution."""
    since = now - timedelta(days=365)
    month = _month(Leg.created_at)
    turnover = [
        (label, int(total))
        for label, total in db.session.execute(
            select(month, func.sum(Leg.amount))
            .where(Leg.network_id == network.id, Leg.created_at >= since)
            .group_by(month)
            .order_by(month)
        )
    ]
    members = db.session.execute(
        select(Account.id, Account.balance, Account.credit_limit, Account.kind).where(
            Account.network_id == network.id, Account.purpose == "member"
        )
    ).all()
    volume_90d = db.session.scalar(
        select(func.coalesce(func.sum(Leg.amount), 0)).where(
            Leg.network_id == network.id, Leg.created_at >= now - timedelta(days=90)
        )
    )
    outstanding = sum(-row.balance for row in members if row.balance < 0)
    daily = int(volume_90d) / 90
    active = set(
        db.session.scalars(
            select(func.distinct(Entry.account_id))
            .join(Account, Account.id == Entry.account_id)
            .where(Account.network_id == network.id, Entry.created_at >= now - timedelta(days=90))
        )
    )
    distribution = dict.fromkeys(DISTRIBUTION_BUCKETS, 0)
    for row in members:
        distribution[_bucket(row.balance, row.credit_limit)] += 1
    return {
        "turnover": turnover,
        "outstanding": outstanding,
        "days_to_clear": round(outstanding / daily, 1) if daily else None,
        "inactive_share": round(1 - len(active & {r.id for r in members}) / len(members), 3) if members else 0,
        "distribution": list(distribution.items()),
    }


def _bucket(balance: int, credit_limit: int) -> str:
    if balance >= 0:
        return DISTRIBUTION_BUCKETS[0]
    if credit_limit <= 0 or -balance > credit_limit:
        return DISTRIBUTION_BUCKETS[5]
    used = -balance / credit_limit
    return DISTRIBUTION_BUCKETS[min(4, 1 + int(used * 4))]


def nearest_limits(network: Network, limit: int = 5) -> list[Account]:
    """The member accounts with least left to spend (for the network's admins only)."""
    return list(
        db.session.scalars(
            select(Account)
            .where(Account.network_id == network.id, Account.purpose == "member", Account.credit_limit > 0)
            .order_by(Account.balance + Account.credit_limit, Account.id)
            .limit(limit)
        )
    )


def limit_history(account: Account) -> list[LimitChange]:
    return list(
        db.session.scalars(
            select(LimitChange).where(LimitChange.account_id == account.id).order_by(LimitChange.id.desc()).limit(20)
        )
    )


def account_decimals(account_id) -> int:
    """The decimal places of an account's currency; `account_id` as a form gave it (2 when it names no account)."""
    text = str(account_id or "")
    named = text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID)) and int(text) <= MAX_ID
    account = account_by_id(int(text)) if named else None
    return network_by_id(account.network_id).currency_decimals if account else 2


# --- the group hub (platform6/group_hub.py) -------------------------------------------------------------


def group_credit_count_of(group_id: int):
    """A scalar subquery: the networks the group governs plus the accounts it holds."""
    governs = select(func.count()).where(Network.group_id == group_id).scalar_subquery()
    holds = (
        select(func.count())
        .where(Account.holder_type == "group", Account.holder_id == group_id, Account.purpose == "member")
        .scalar_subquery()
    )
    return governs + holds


def requests_to_pay_count_of(group_id: int):
    """A scalar subquery: pending payment requests asking one of the group's accounts to pay."""
    held = select(Account.id).where(Account.holder_type == "group", Account.holder_id == group_id)
    return (
        select(func.count())
        .where(PaymentRequest.state == "pending", PaymentRequest.from_account_id.in_(held))
        .scalar_subquery()
    )


def group_credit(group_id: int) -> tuple[list[Network], list[tuple[Account, Network]]]:
    """The networks the group governs, and the accounts it holds with their networks (two queries)."""
    governs = list(db.session.scalars(select(Network).where(Network.group_id == group_id).order_by(Network.name)))
    held = db.session.execute(
        select(Account, Network)
        .join(Network, Network.id == Account.network_id)
        .where(Account.holder_type == "group", Account.holder_id == group_id, Account.purpose == "member")
        .order_by(Network.name)
    ).all()
    return governs, [(account, network) for account, network in held]
