"""Demo credit: the Open Credit Network (national), Kirklees inside it, and a bakery's employee network inside
Kirklees, with half a year of everyday trade. Idempotent: a second run adds nothing."""

import contextlib
import random
from datetime import timedelta

from sqlalchemy import func, select

from ..errors import DomainError
from ..extensions import db
from ..groups import service as groups
from ..groups.models import Group
from ..timeutil import utcnow
from . import service
from .models import Account, Leg, Network

POUND = 100
TRANSFERS = 320

# network key, group key, name, currency (code, name, symbol), default credit limit, parent key
NETWORKS = [
    ("national", "ocn", "Open Credit Network", ("OCN", "OCN credit (£-pegged)", "£"), 500 * POUND, None),
    ("kirklees", "kirklees", "Kirklees Solidarity Economy Network", ("KSE", "Kirklees credit", "K£"), 300 * POUND,
     "national"),
    ("bakery", "valley-bakery", "Valley Bakery staff credit", ("VBS", "Bakery staff credit", "B£"), 50 * POUND,
     "kirklees"),
]  # fmt: skip

# network key, holder ("user"/"group", key), kind
ACCOUNTS = [
    ("national", ("group", "platform6"), "business"),
    ("national", ("user", "alice"), "individual"),
    ("national", ("user", "ben"), "business"),
    ("national", ("user", "grace"), "sole_trader"),
    ("national", ("user", "kwame"), "business"),
    ("national", ("user", "lena"), "business"),
    ("national", ("user", "jo"), "individual"),
    ("kirklees", ("group", "valley-bakery"), "business"),
    ("kirklees", ("user", "ellie"), "business"),
    ("kirklees", ("user", "dev"), "sole_trader"),
    ("kirklees", ("user", "hamish"), "business"),
    ("kirklees", ("user", "lena"), "individual"),
    ("kirklees", ("user", "ben"), "individual"),
    ("bakery", ("user", "farid"), "employee"),
    ("bakery", ("user", "ines"), "employee"),
]

TRADE = [
    ("Veg box", 12, 25),
    ("Sourdough and pastries", 5, 18),
    ("Bike repair", 20, 60),
    ("Bookkeeping, monthly", 60, 150),
    ("Web hosting", 15, 40),
    ("Printing flyers", 25, 90),
    ("Catering for the AGM", 80, 200),
    ("Plumbing call-out", 45, 120),
    ("Yoga class", 6, 12),
    ("Coffee beans", 9, 30),
    ("Van hire", 40, 95),
    ("Logo design", 60, 180),
]


def _admin_network(key: str, story: dict) -> Network | None:
    group = story["groups"][key]
    return db.session.scalar(select(Network).where(Network.group_id == group.id).order_by(Network.id))


def _bakery_group(story: dict) -> Group:
    users = story["users"]
    group = db.session.scalar(select(Group).where(Group.handle == "valley-bakery"))
    if group is None:
        group = groups.create_group(
            actor=users["hamish"],
            name="Valley Bakery Co-op",
            handle="valley-bakery",
            description="A worker-owned bakery in Holmfirth. Part of every wage is paid in staff credit.",
            privacy="closed",
            parent_id=story["groups"]["kirklees"].id,
        )
        for member in ("farid", "ines", "ellie"):
            groups.add_member(actor=users["hamish"], group=group, user_id=users[member].id)
    return group


def seed(story: dict) -> None:
    users, groups_by_key = story["users"], story["groups"]
    groups_by_key["valley-bakery"] = _bakery_group(story)
    admins = {"ocn": users["jo"], "kirklees": users["jo"], "valley-bakery": users["hamish"]}
    networks: dict[str, Network] = {}
    for key, group_key, name, (code, currency, symbol), limit, parent_key in NETWORKS:
        network = _admin_network(group_key, story)
        if network is None:
            network = service.create_network(
                actor=admins[group_key],
                name=name,
                group_id=groups_by_key[group_key].id,
                currency_code=code,
                currency_name=currency,
                currency_symbol=symbol,
                currency_decimals=2,
                default_credit_limit=limit,
                parent_id=networks[parent_key].id if parent_key else None,
            )
            if parent_key:
                service.set_credit_limit(
                    account_id=network.clearing_account_id, credit_limit=limit * 40, actor=None, source="demo"
                )
        networks[key] = network
    accounts: list[Account] = []
    for network_key, (holder_type, holder_key), kind in ACCOUNTS:
        holder = users[holder_key] if holder_type == "user" else groups_by_key[holder_key]
        network = networks[network_key]
        account = db.session.scalar(
            select(Account).where(
                Account.network_id == network.id,
                Account.holder_type == holder_type,
                Account.holder_id == holder.id,
                Account.purpose == "member",
            )
        )
        if account is None:
            account = service.open_account(
                actor=None, network=network, holder_type=holder_type, holder_id=holder.id, kind=kind
            )
        accounts.append(account)
    ids = [n.id for n in networks.values()]
    if db.session.scalar(select(func.count(Leg.id)).where(Leg.network_id.in_(ids))) == 0:
        _trade(accounts, networks, users)
    story["credit"] = {"networks": networks, "accounts": accounts}
    story.setdefault("summary", {})["credit_transfers"] = db.session.scalar(
        select(func.count(func.distinct(Leg.transfer_id))).where(Leg.network_id.in_(ids))
    )


def _trade(accounts: list[Account], networks: dict[str, Network], users: dict) -> None:
    """Six months of trade, wages paid partly in staff credit, and two open payment requests."""
    rng = random.Random(5)
    start = utcnow() - timedelta(days=182)
    bakery_business = next(a for a in accounts if a.holder_type == "group" and a.kind == "business" and
                           a.network_id == networks["kirklees"].id)  # fmt: skip
    employees = [a for a in accounts if a.kind == "employee"]
    for i in range(TRANSFERS):
        at = start + timedelta(minutes=int(i * 182 * 24 * 60 / TRANSFERS) + rng.randint(0, 300))
        if i % 40 == 0:  # payday: part of each wage in staff credit, routed down into the employee network
            for employee in employees:
                _try(bakery_business.id, employee.id, 120 * POUND, "Wages: staff credit share", at)
            continue
        payer, payee = rng.sample(accounts, 2)
        description, low, high = rng.choice(TRADE)
        _try(payer.id, payee.id, rng.randint(low, high) * POUND + rng.choice((0, 50, 99)), description, at)
    for payee_key, amount, description in (("ben", 45 * POUND, "Invoice 1042: bookkeeping"),
                                           ("kwame", 18 * POUND, "Coffee beans, November")):  # fmt: skip
        payer = _account_of(accounts, networks["national"], users["alice"])
        payee = _account_of(accounts, networks["national"], users[payee_key])
        service.request_payment(
            actor=users[payee_key], from_account_id=payer.id, to_account_id=payee.id, amount=amount,
            description=description,
        )  # fmt: skip


def _account_of(accounts: list[Account], network: Network, user) -> Account:
    return next(
        a for a in accounts if a.network_id == network.id and a.holder_type == "user" and a.holder_id == user.id
    )


def _try(payer_id: int, payee_id: int, amount: int, description: str, at) -> None:
    """A payment the ledger may refuse (a limit reached): refused payments write nothing, so skip it."""
    with contextlib.suppress(DomainError):
        service.pay(
            from_account_id=payer_id,
            to_account_id=payee_id,
            amount=amount,
            description=description,
            actor=None,
            at=at,
        )
