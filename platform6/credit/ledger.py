"""The ledger: transfers posted, paid, replayed and reversed.

The ledger is double-entry and append-only. A transfer locks the accounts it touches in id
order (`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite the write lock, taken with
`BEGIN IMMEDIATE` or the first write), reads their stored balances, checks every leg,
then writes legs, entries (hash-chained per account) and new balances in one transaction.
"""

import hashlib
import json
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import BigInteger, Row, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from ..accounts.models import User
from ..database import begin_write
from ..errors import Conflict, Forbidden, NotFound, RuleViolation, invalid
from ..extensions import db, socketio
from ..formatting import money
from ..groups.models import Group
from ..limits import MAX_INT, is_whole
from ..notifications.service import notify
from ..outbox import after_commit
from ..timeutil import iso, utcnow
from . import fees, queries
from .models import Account, Entry, Leg, Network, Transfer, account_floor
from .networks import _ensure_controls
from .routing import PlannedLeg, plan_route

_accounts = Account.__table__


def _endpoints_statement():
    """Each end's account, its holder's name and its currency (what the payee's notification says)."""
    users, groups, networks = User.__table__, Group.__table__, Network.__table__
    joined = (
        _accounts.outerjoin(users, (_accounts.c.holder_type == "user") & (users.c.id == _accounts.c.holder_id))
        .outerjoin(groups, (_accounts.c.holder_type == "group") & (groups.c.id == _accounts.c.holder_id))
        .join(networks, networks.c.id == _accounts.c.network_id)
    )
    return (
        select(
            _accounts,
            func.coalesce(users.c.name, groups.c.name, "").label("holder_name"),
            networks.c.currency_decimals,
            networks.c.currency_symbol,
            networks.c.fees.label("network_fees"),
            networks.c.operations_account_id,
        )
        .select_from(joined)
        .where(_accounts.c.id.in_(bindparam("ids", expanding=True)))
    )


# The payment's hot path runs these prebuilt Core statements (building them per call costs more than running them).
_ENDPOINTS = _endpoints_statement()
_READ_ACCOUNTS = select(_accounts).where(_accounts.c.id.in_(bindparam("ids", expanding=True))).order_by(_accounts.c.id)
_INSERT_TRANSFER = insert(Transfer.__table__).returning(Transfer.__table__.c.id)
_INSERT_LEG = insert(Leg.__table__).returning(Leg.__table__.c.id)
_INSERT_ENTRIES = insert(Entry.__table__)
_UPDATE_BALANCES = (
    update(_accounts)
    .where(_accounts.c.id == bindparam("account_id"))
    .values(balance=bindparam("new_balance"), last_hash=bindparam("new_hash"))
)


def _lock_accounts(ids, known: dict[int, dict] | None = None) -> dict[int, dict]:
    """Lock the accounts in id order and read their current rows (after `begin_write`).

    On SQLite the write lock is already held, so rows read since are current and `known` ones
    are not read again; PostgreSQL locks every row with `SELECT ... FOR UPDATE`.
    """
    ordered = sorted(set(ids))
    rows: dict[int, dict] = {}
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    if sqlite and known:
        rows = {i: known[i] for i in ordered if i in known}
        ordered = [i for i in ordered if i not in rows]
    if ordered:
        stmt = _READ_ACCOUNTS if sqlite else _READ_ACCOUNTS.with_for_update()
        rows |= {row.id: dict(row._mapping) for row in db.session.execute(stmt, {"ids": ordered})}
    return rows


def _post(values: dict, legs: list[PlannedLeg], rows: dict[int, dict], *, check: bool) -> tuple[Transfer, dict]:
    """Apply the legs to the locked rows (checking each when `check`), then write everything.

    The hot path of every payment, so it writes with SQLAlchemy Core (one INSERT for the
    transfer, one per leg, one for all entries, one UPDATE for all balances) and hands back
    the Transfer as an ORM object already in the session. Returns it and the new balances.
    """
    if check:
        for account_id in {a for leg in legs for a in (leg.from_account_id, leg.to_account_id)}:
            if rows[account_id]["status"] != "active":
                raise Conflict(_("That account is frozen: it can neither pay nor be paid."), code="account_frozen")
    balances = {account_id: row["balance"] for account_id, row in rows.items()}
    for leg in legs:
        balances[leg.from_account_id] -= leg.amount
        balances[leg.to_account_id] += leg.amount
        if not check:
            continue
        _check_limits(rows[leg.from_account_id], balances[leg.from_account_id], rows[leg.to_account_id],
                      balances[leg.to_account_id])  # fmt: skip
    if any(abs(b) > MAX_INT for b in balances.values()):
        raise RuleViolation("validation_failed", "amount", _("The amount is too large."))
    now = values["created_at"] = values.get("created_at") or utcnow()
    values = {"state": "completed", "reverses_id": None, "reason": None, "idempotency_key": None,
              "request_hash": None, "created_by_id": None} | values  # fmt: skip
    try:
        values["id"] = db.session.execute(_INSERT_TRANSFER, values).scalar_one()
    except IntegrityError:
        raise _made_meanwhile(values) from None
    stored: list[dict] = []
    for position, leg in enumerate(legs):
        row = {"transfer_id": values["id"], "position": position, "network_id": leg.network_id,
               "from_account_id": leg.from_account_id, "to_account_id": leg.to_account_id, "amount": leg.amount,
               "fee": leg.fee, "link_amount": leg.link_amount, "created_at": now}  # fmt: skip
        row["id"] = db.session.execute(_INSERT_LEG, row).scalar_one()
        stored.append(row)
    entries: list[dict] = []
    running = {a: r["balance"] for a, r in rows.items()}
    heads = {a: r["last_hash"] for a, r in rows.items()}
    for leg in stored:
        for account_id, amount in ((leg["from_account_id"], -leg["amount"]), (leg["to_account_id"], leg["amount"])):
            running[account_id] += amount
            entry = {
                "account_id": account_id,
                "transfer_id": values["id"],
                "leg_id": leg["id"],
                "amount": amount,
                "balance_after": running[account_id],
                "created_at": now,
            }
            heads[account_id] = entry["hash"] = Entry.chain_hash(heads[account_id], **entry)
            entries.append(entry)
    db.session.execute(_INSERT_ENTRIES, entries)
    touched = [a for a in rows if running[a] != rows[a]["balance"] or heads[a] != rows[a]["last_hash"]]
    db.session.execute(
        _UPDATE_BALANCES, [{"account_id": a, "new_balance": running[a], "new_hash": heads[a]} for a in touched]
    )
    identity = db.session.identity_map
    for account_id in touched:
        loaded = identity.get(Session.identity_key(Account, account_id))
        if loaded is not None:
            set_committed_value(loaded, "balance", running[account_id])
            set_committed_value(loaded, "last_hash", heads[account_id])
    return _persistent(values, stored), running


def _check_limits(payer: dict, payer_balance: int, payee: dict, payee_balance: int) -> None:
    """The balances a leg leaves, against each end's limits less what federation holds reserve on it:
    held-out value is spoken for, held-in value will arrive (FEDERATION.md §3.1)."""
    floor = account_floor(payer["purpose"], payer["kind"], payer["credit_limit"], payer["cc_name"])
    if floor is not None and payer_balance - payer["held_out"] < floor:
        raise RuleViolation(
            "insufficient_credit", "amount", _("The payment would take the account below its credit limit.")
        )
    if payee["debit_limit"] is not None and payee_balance + payee["held_in"] > payee["debit_limit"]:
        raise RuleViolation("over_debit_limit", "amount", _("The payment would take the payee above its debit limit."))


def _made_meanwhile(values: dict) -> Conflict:
    """The same payment or reversal, made by another request at the same moment, got its row in first:
    the unique idempotency key or `reverses_id` decided the race (the caller rolls back, as for any refusal)."""
    if values["reverses_id"] is not None:
        return Conflict(_("This transfer has already been reversed."))
    return Conflict(
        _(
            "The same payment (the same Idempotency-Key) is being made by another request: see the history before paying again."
        )
    )


def _persistent(values: dict, legs: list[dict]) -> Transfer:
    """The rows just inserted, as ORM objects in the session (no further SQL)."""
    made = Transfer(**values)
    leg_objects = [Leg(**row) for row in legs]
    for obj in (made, *leg_objects):
        make_transient_to_detached(obj)
    set_committed_value(made, "legs", leg_objects)
    for leg in leg_objects:
        set_committed_value(leg, "transfer", made)
    db.session.add(made)
    db.session.add_all(leg_objects)
    return made


def _request_hash(from_account_id: int, to_account_id: int, amount: int, description: str) -> str:
    body = json.dumps([from_account_id, to_account_id, amount, description])
    return hashlib.sha256(body.encode()).hexdigest()


def _check_payment(amount, description: str, from_account_id: int, to_account_id: int) -> None:
    if not is_whole(amount):
        raise RuleViolation("validation_failed", "amount", _("The amount is a positive whole number of minor units."))
    if not isinstance(description, str) or len(description) > 1000:
        raise RuleViolation(
            "validation_failed", "description", _("The description is text of at most 1000 characters.")
        )
    if from_account_id == to_account_id:
        raise RuleViolation("validation_failed", "to_account_id", _("An account cannot pay itself."))


def _account_rows(ids) -> dict[int, Row]:
    """Account rows with their holder's name, in one query (the payment's endpoints)."""
    return {row.id: row for row in db.session.execute(_ENDPOINTS, {"ids": list(ids)})}


def _endpoints(actor, from_account_id: int, to_account_id: int) -> tuple[Row, Row]:
    """The payer and payee rows, once the actor may spend from the payer."""
    found = _account_rows([from_account_id, to_account_id])
    payer, payee = found.get(from_account_id), found.get(to_account_id)
    if payer is None or (actor is not None and not queries.can_see_account(actor, payer)):
        raise NotFound(_("No such account."))
    _ensure_controls(actor, payer)
    if payee is None:
        raise NotFound(_("No such account to pay."))
    for field, account in (("from_account_id", payer), ("to_account_id", payee)):
        if account.purpose not in ("member", "operations"):
            raise RuleViolation("validation_failed", field, _("Clearing and settlement accounts move only by routing."))
    return payer, payee


def transfer(
    *,
    from_account_id: int,
    to_account_id: int,
    amount: int,
    description: str,
    actor: User | None,
    idempotency_key: str | None = None,
) -> Transfer:
    """Pay `amount` (payer's minor units) with every rule of API.md; actor=None: already authorised."""
    return pay(
        from_account_id=from_account_id,
        to_account_id=to_account_id,
        amount=amount,
        description=description,
        actor=actor,
        idempotency_key=idempotency_key,
    )[0]


def pay(
    *,
    from_account_id: int,
    to_account_id: int,
    amount: int,
    description: str,
    actor: User | None,
    idempotency_key: str | None = None,
    at: datetime | None = None,
) -> tuple[Transfer, bool]:
    """`transfer`, also telling whether it moved money now (False: a retry answered with the first transfer).

    `at` dates the transfer in the past (a history imported from another ledger, the demo data);
    entries keep their id order, so give times in order.
    """
    _check_payment(amount, description, from_account_id, to_account_id)
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 255:
        raise invalid("Idempotency-Key", _("An Idempotency-Key is 1 to 255 characters."))
    begin_write()
    payer, payee = _endpoints(actor, from_account_id, to_account_id)
    legs = _legs_with_fee(payer, payee, amount)
    known = {payer.id: dict(payer._mapping), payee.id: dict(payee._mapping)}
    rows = _lock_accounts([a for leg in legs for a in (leg.from_account_id, leg.to_account_id)], known)
    key = request_hash = None
    if idempotency_key is not None:
        key = f"{actor.id if actor is not None else '-'}:{idempotency_key}"
        request_hash = _request_hash(from_account_id, to_account_id, amount, description)
        earlier = db.session.scalar(select(Transfer).where(Transfer.idempotency_key == key))
        if earlier is not None:
            if earlier.request_hash != request_hash:
                raise Conflict(_("This Idempotency-Key was used for another payment."), code="conflict")
            return earlier, False
    values = {
        "from_account_id": payer.id,
        "to_account_id": payee.id,
        "amount": amount,
        "description": description,
        "idempotency_key": key,
        "request_hash": request_hash,
        "created_by_id": actor.id if actor is not None else None,
        "created_at": at,
    }
    made, balances = _post(values, legs, rows, check=True)
    _after_payment(made, payer, payee, rows, balances, actor)
    return made, True


def _legs_with_fee(payer: Row, payee: Row, amount: int) -> list[PlannedLeg]:
    """The route's legs, then the transfer fee's leg into the operations account of the network where
    the payment starts. A payee-paid fee on a routed payment is kept back at the start (the route
    carries the amount less the fee), as the payee's account is in another network."""
    charge = fees.quote(
        fees=payer.network_fees,
        operations_account_id=payer.operations_account_id,
        payer_purpose=payer.purpose,
        payee_purpose=payee.purpose,
        amount=amount,
    )
    if not charge.fee:
        return plan_route(payer, payee, amount)
    fee_from, routed = payer.id, amount
    if charge.paid_by == "payee":
        if charge.fee >= amount:
            raise RuleViolation(
                "validation_failed", "amount", _("The amount is too small: the payee's fee would take all of it.")
            )
        if payer.network_id == payee.network_id:
            fee_from = payee.id
        else:
            routed = amount - charge.fee
    fee_leg = PlannedLeg(payer.network_id, fee_from, charge.operations_account_id, charge.fee, fee=True)
    return [*plan_route(payer, payee, routed), fee_leg]


def replay_transfer(
    *,
    legs: list[PlannedLeg],
    description: str,
    at: datetime,
    reverses_id: int | None = None,
    reason: str | None = None,
    created_by_id: int | None = None,
) -> Transfer:
    """A transfer from another ledger's history (an import), its legs as they were routed there.

    No limit, freeze or routing rule applies (the history happened); entries, balances and hash
    chains are written exactly as for a payment, so `credit verify` holds. A reversal marks its
    original reversed. Replay in the original order: entries keep their id order.
    """
    begin_write()
    rows = _lock_accounts([a for leg in legs for a in (leg.from_account_id, leg.to_account_id)])
    if reverses_id is not None:
        db.session.get(Transfer, reverses_id).mark_reversed()
    route = [leg for leg in legs if not leg.fee]
    if not route:
        raise invalid("legs", _("A transfer moves credit along at least one leg that is not a fee."))
    values = {
        "from_account_id": route[0].from_account_id,
        "to_account_id": route[-1].to_account_id,
        "amount": route[0].amount,
        "description": description,
        "reverses_id": reverses_id,
        "reason": reason,
        "created_by_id": created_by_id,
        "created_at": at,
    }
    return _post(values, legs, rows, check=False)[0]


def _announce(made: Transfer, ends: list[Row], rows: dict[int, dict], balances: dict[int, int]) -> None:
    """After commit, tell each open account page (room `credit_account:<id>`) its new entry and balance."""
    payer, payee = ends
    messages = []
    for account, other in ((payer, payee), (payee, payer)):
        row = rows[account.id]
        floor = account_floor(row["purpose"], row["kind"], row["credit_limit"], row["cc_name"]) or 0
        entry_amount = sum(
            (leg.amount if leg.to_account_id == account.id else -leg.amount)
            for leg in made.legs
            if account.id in (leg.from_account_id, leg.to_account_id)
        )
        payload = {
            "account_id": account.id,
            "transfer_id": made.id,
            "entry_amount": entry_amount,
            "balance": balances[account.id],
            "can_spend": balances[account.id] - row["held_out"] - floor,
            "counterparty": other.holder_name,
            "description": made.description,
            "created_at": iso(made.created_at),
        }
        messages.append((queries.account_room(account.id), payload))

    def emit() -> None:
        for room, payload in messages:
            socketio.emit("credit_entry", payload, to=room)

    after_commit(emit)


def _after_payment(made: Transfer, payer: Row, payee: Row, rows, balances: dict[int, int], actor) -> None:
    _announce(made, [payer, payee], rows, balances)
    notify(
        # who acts for the paying account made (or might have made) the payment: they are not told of it
        user_ids=set(queries.controller_ids(payee)) - set(queries.controller_ids(payer)),
        kind="payment_received",
        url=f"/credit/accounts/{payee.id}",
        text=lambda: _(
            "%(payer)s paid %(amount)s into %(payee)s's account #%(number)s: %(description)s",
            payer=payer.holder_name,
            amount=money(made.route_legs[-1].amount, payee.currency_decimals, payee.currency_symbol),
            payee=payee.holder_name,
            number=payee.id,
            description=made.description,
        ),
        actor_id=actor.id if actor is not None else None,
    )
    before = rows[payer.id]
    if payer.warning_percent and before["credit_limit"] > 0 and payer.kind != "sole_trader":
        threshold = before["credit_limit"] * payer.warning_percent // 100
        spend_before = before["balance"] + before["credit_limit"]
        spend_after = balances[payer.id] + before["credit_limit"]
        if spend_after <= threshold < spend_before:
            notify(
                user_ids=queries.controller_ids(payer),
                kind="credit_warning",
                url=f"/credit/accounts/{payer.id}",
                text=lambda: _(
                    "Your account is within %(percent)s%% of its credit limit.", percent=payer.warning_percent
                ),
            )


def reverse(*, transfer_id: int, reason: str, actor: User | None) -> Transfer:
    """A new transfer replaying the legs backwards (no limits or freezes); the original is marked reversed."""
    reason = (reason or "").strip()
    begin_write()
    original = db.session.get(Transfer, transfer_id)
    if original is None:
        raise NotFound(_("No such transfer."))
    payer = queries.account_by_id(original.from_account_id)
    payee = queries.account_by_id(original.to_account_id)
    network = queries.network_by_id(payer.network_id)
    if actor is not None and not queries.is_network_admin(actor, network):
        if queries.can_see_account(actor, payer) or queries.can_see_account(actor, payee):
            raise Forbidden(_("Only the admins of the payer's network may reverse a transfer."))
        raise NotFound(_("No such transfer."))
    if not reason:
        raise invalid("reason", _("Say why the transfer is reversed."))
    if len(reason) > 1000:
        raise invalid("reason", _("The reason is at most 1000 characters."))
    if original.reverses_id is not None or original.state == "reversed":
        original.mark_reversed()
    stmt = select(Transfer).where(Transfer.id == transfer_id).execution_options(populate_existing=True)
    legs = list(db.session.scalars(select(Leg).where(Leg.transfer_id == transfer_id)))
    rows = _lock_accounts([a for leg in legs for a in (leg.from_account_id, leg.to_account_id)])
    if db.session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    original = db.session.scalar(stmt)
    original.mark_reversed()
    # the route backwards, then each fee returned
    legs.sort(key=lambda leg: (leg.fee, -leg.position))
    planned = [PlannedLeg(leg.network_id, leg.to_account_id, leg.from_account_id, leg.amount, leg.fee) for leg in legs]
    values = {
        "from_account_id": original.to_account_id,
        "to_account_id": original.from_account_id,
        "amount": planned[0].amount,
        "description": f"Reversal of transfer {original.id}: {reason}"[:1000],
        "reverses_id": original.id,
        "reason": reason,
        "created_by_id": actor.id if actor is not None else None,
    }
    reversal = _post(values, planned, rows, check=False)[0]
    notify(
        user_ids=queries.controller_ids(payer) + queries.controller_ids(payee),
        kind="payment_reversed",
        url=f"/credit/transfers/{reversal.id}",
        text=lambda: _("Transfer %(number)s was reversed: %(reason)s", number=original.id, reason=reason),
        actor_id=actor.id if actor is not None else None,
    )
    return reversal


def charge_fee(*, from_account_id: int, to_account_id: int, amount: int, description: str) -> Transfer:
    """A periodic fee: a transfer into the operations account, past the payer's credit limit if need be
    (the fee is owed whatever the balance), written exactly as a payment is."""
    begin_write()
    rows = _lock_accounts([from_account_id, to_account_id])
    values = {"from_account_id": from_account_id, "to_account_id": to_account_id, "amount": amount}
    leg = PlannedLeg(rows[from_account_id]["network_id"], from_account_id, to_account_id, amount)
    return _post(values | {"description": description}, [leg], rows, check=False)[0]


# --- holds: value reserved while a payment crossing installations is agreed (FEDERATION.md §3.1) ------------------
# Federation keeps the hold rows (which transaction reserved what); the ledger keeps their sums on the accounts,
# so that every local payment checks them (_check_limits) and held money is never spent twice.

#: (account id, "out" or "in", amount): what one transaction reserves on one account
HeldAmount = tuple[int, str, int]

_ADD_HELD = (
    update(_accounts)
    .where(_accounts.c.id == bindparam("account_id"))
    .values(
        held_out=_accounts.c.held_out + bindparam("out", type_=BigInteger),
        held_in=_accounts.c.held_in + bindparam("in_", type_=BigInteger),
    )
)


def reserve(legs: list[PlannedLeg]) -> list[HeldAmount]:
    """Check the legs as a payment would (freezes, limits less holds) and reserve them on their accounts, without
    posting: payers' held_out and payees' held_in grow. Returns what was reserved, per account and direction."""
    begin_write()
    rows = _lock_accounts([a for leg in legs for a in (leg.from_account_id, leg.to_account_id)])
    for account_id in {a for leg in legs for a in (leg.from_account_id, leg.to_account_id)}:
        if rows[account_id]["status"] != "active":
            raise Conflict(_("That account is frozen: it can neither pay nor be paid."), code="account_frozen")
    out: dict[int, int] = {}
    into: dict[int, int] = {}
    for leg in legs:
        out[leg.from_account_id] = out.get(leg.from_account_id, 0) + leg.amount
        into[leg.to_account_id] = into.get(leg.to_account_id, 0) + leg.amount
        payer, payee = rows[leg.from_account_id], rows[leg.to_account_id]
        _check_limits(payer, payer["balance"] - out[leg.from_account_id], payee,
                      payee["balance"] + into[leg.to_account_id])  # fmt: skip
    held = [(a, "out", amount) for a, amount in out.items()] + [(a, "in", amount) for a, amount in into.items()]
    _change_held(held, sign=1)
    return held


def release(held: list[HeldAmount]) -> None:
    """Give back what `reserve` held (the transaction was erased)."""
    begin_write()
    _change_held(held, sign=-1)


def post_held(*, legs: list[PlannedLeg], held: list[HeldAmount], description: str) -> Transfer:
    """Post a reserved transaction: its holds turn into entries. Nothing is checked again (the value was reserved
    at validation; a freeze since blocks only new validations)."""
    begin_write()
    rows = _lock_accounts([a for leg in legs for a in (leg.from_account_id, leg.to_account_id)])
    _change_held(held, sign=-1)
    route = [leg for leg in legs if not leg.fee]
    values = {
        "from_account_id": route[0].from_account_id,
        "to_account_id": route[-1].to_account_id,
        "amount": route[0].amount,
        "description": description,
    }
    return _post(values, legs, rows, check=False)[0]


def _change_held(held: list[HeldAmount], *, sign: int) -> None:
    if not held:
        return
    params = [
        {"account_id": a, "out": sign * amount if d == "out" else 0, "in_": sign * amount if d == "in" else 0}
        for a, d, amount in held
    ]
    db.session.execute(_ADD_HELD, params)
    identity = db.session.identity_map
    for a, d, amount in held:
        loaded = identity.get(Session.identity_key(Account, a))
        if loaded is not None:
            column = "held_out" if d == "out" else "held_in"
            set_committed_value(loaded, column, getattr(loaded, column) + sign * amount)
