"""Credit networks, accounts, transfers with their legs and entries, payment requests and limit history."""

import hashlib
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..errors import Conflict
from ..extensions import db
from ..timeutil import utcnow

KINDS = ("business", "sole_trader", "individual", "employee")
#: accounts the platform opens to link a child network to its parent (never paid directly), and the
#: operations account a network's fees are paid into (held by the network's group)
PURPOSES = ("member", "clearing", "settlement", "operations")
STATUSES = ("active", "frozen", "closed")
TRANSFER_STATES = ("completed", "reversed")
REQUEST_STATES = ("pending", "accepted", "declined", "expired")


class Network(db.Model):
    """A mutual credit network: one currency, governed by the admins of `group_id`."""

    __tablename__ = "credit_networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    #: the group whose admins govern the network
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    #: the network this one is a node of (local in national, employee network in B2B)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("credit_networks.id"), index=True)
    currency_code: Mapped[str] = mapped_column(String(10))
    currency_name: Mapped[str] = mapped_column(String(50))
    currency_symbol: Mapped[str] = mapped_column(String(10))
    #: minor units per major unit as a power of ten (2: amounts are cents)
    currency_decimals: Mapped[int] = mapped_column(default=2)
    default_credit_limit: Mapped[int] = mapped_column(BigInteger, default=0)
    default_debit_limit: Mapped[int | None] = mapped_column(BigInteger)
    #: {"business": 50000, ...}: a new account's credit limit by kind, overriding default_credit_limit
    kind_credit_limits: Mapped[dict] = mapped_column(JSON, default=dict)
    #: decimal string: parent major units per major unit of this network ("1" for a root)
    exchange_rate: Mapped[str] = mapped_column(String(40), default="1")
    #: this network's account inside the parent network
    clearing_account_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "credit_accounts.id", use_alter=True, name="fk_credit_networks_clearing_account_id", ondelete="SET NULL"
        ),
        unique=True,
    )
    #: the mirror of the clearing account inside this network, held by the network itself
    settlement_account_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "credit_accounts.id", use_alter=True, name="fk_credit_networks_settlement_account_id", ondelete="SET NULL"
        ),
        unique=True,
    )
    #: API.md's fees `{"transfer": {...} | None, "periodic": [...]}`; None: never set (no fees)
    fees: Mapped[dict | None] = mapped_column(JSON)
    #: the account fees are paid into, opened when fees are first set
    operations_account_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "credit_accounts.id", use_alter=True, name="fk_credit_networks_operations_account_id", ondelete="SET NULL"
        ),
        unique=True,
    )
    #: the network's Credit Commons node name, set when it is first linked to a node on another installation
    cc_name: Mapped[str | None] = mapped_column(String(32), unique=True)
    #: what peers on other installations may read: member account names, member summaries
    federation_share_names: Mapped[bool] = mapped_column(default=False, server_default=false())
    federation_share_summaries: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: graft requests are approved only by a binding proposal of the governing group
    federation_decisions_required: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    group = relationship("Group", lazy="raise_on_sql")

    def default_limit_for(self, kind: str) -> int:
        """A new account's credit limit: 0 for a sole trader, else the kind's default or the network's."""
        if kind == "sole_trader":
            return 0
        return int((self.kind_credit_limits or {}).get(kind, self.default_credit_limit))

    @property
    def rate(self) -> Decimal:
        return Decimal(self.exchange_rate)


class Account(db.Model):
    __tablename__ = "credit_accounts"
    __table_args__ = (
        UniqueConstraint("network_id", "holder_type", "holder_id", "purpose"),
        CheckConstraint("credit_limit >= 0", name="credit_limit_not_negative"),
        CheckConstraint("kind <> 'sole_trader' OR credit_limit = 0", name="sole_trader_in_credit"),
        CheckConstraint("status IN ('active', 'frozen', 'closed')", name="status"),
        UniqueConstraint("network_id", "cc_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("credit_networks.id"), index=True)
    #: "user" or "group"; "network" for a settlement account
    holder_type: Mapped[str] = mapped_column(String(10))
    holder_id: Mapped[int]
    #: business, sole_trader, individual or employee
    kind: Mapped[str] = mapped_column(String(20))
    #: member, or clearing/settlement for the accounts linking a network to its parent
    purpose: Mapped[str] = mapped_column(String(10), default="member")
    #: the sum of the account's entries, kept in the same transaction as each entry
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    #: how far below zero the balance may go
    credit_limit: Mapped[int] = mapped_column(BigInteger, default=0)
    #: how high the balance may go; None: no limit
    debit_limit: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), default="active")
    #: the holder wants a notice when what they can spend falls within this % of the limit
    warning_percent: Mapped[int | None]
    #: hash of the account's newest entry (the chain's head)
    last_hash: Mapped[str] = mapped_column(String(64), default="")
    #: the account's name in Credit Commons paths (network path + "/" + cc_name); unique in its network
    cc_name: Mapped[str | None] = mapped_column(String(64))
    #: sums of the active federation holds on the account: held_out counts against what it can spend,
    #: held_in against its debit limit
    held_out: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    held_in: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    network = relationship(Network, foreign_keys=[network_id], lazy="raise_on_sql")

    @property
    def is_linking(self) -> bool:
        """A clearing or settlement account, moved only by routed legs."""
        return self.purpose != "member"

    @property
    def floor(self) -> int | None:
        """The lowest balance allowed (None: no floor, for a settlement account inside this installation)."""
        return account_floor(self.purpose, self.kind, self.credit_limit, self.cc_name)

    @property
    def stands_for_remote_trunk(self) -> bool:
        return stands_for_remote_trunk(self.purpose, self.cc_name)

    @property
    def can_spend(self) -> int:
        """What the account may still pay: down to its floor, less what federation holds reserve."""
        floor = self.floor
        available = self.balance - self.held_out
        return available if floor is None else available - floor


def stands_for_remote_trunk(purpose: str, cc_name: str | None) -> bool:
    """A settlement account named on the Credit Commons wire stands for a trunk on another installation
    (federation's vostro account): unlike one linking to a parent here, it may carry limits."""
    return purpose == "settlement" and cc_name is not None


def account_floor(purpose: str, kind: str, credit_limit: int, cc_name: str | None) -> int | None:
    """The lowest balance an account may reach; None for a settlement account linking to a parent here."""
    if purpose == "settlement" and not stands_for_remote_trunk(purpose, cc_name):
        return None
    return 0 if kind == "sole_trader" else -credit_limit


class Transfer(db.Model):
    """A payment (or a reversal): one leg per network on its route, entries summing to zero."""

    __tablename__ = "credit_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    from_account_id: Mapped[int] = mapped_column(ForeignKey("credit_accounts.id"), index=True)
    to_account_id: Mapped[int] = mapped_column(ForeignKey("credit_accounts.id"), index=True)
    #: in the payer's minor units
    amount: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(Text, default="")
    #: completed, or reversed once a reversal points at it
    state: Mapped[str] = mapped_column(String(10), default="completed")
    #: the transfer this one reverses (at most one reversal per transfer)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("credit_transfers.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(Text)
    #: "<actor id or ->:<Idempotency-Key>", unique: a retried payment is found, never repeated
    idempotency_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    #: sha256 of the request's body, to refuse a key reused with another body
    request_hash: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    legs = relationship("Leg", order_by="Leg.position", lazy="selectin", back_populates="transfer")

    @property
    def route_legs(self) -> list["Leg"]:
        """The legs that carry the payment itself, payer to payee (without its fee)."""
        return [leg for leg in self.legs if not leg.fee]

    @property
    def fee_legs(self) -> list["Leg"]:
        return [leg for leg in self.legs if leg.fee]

    def mark_reversed(self) -> None:
        if self.reverses_id is not None:
            raise Conflict(_("A reversal cannot be reversed."), code="conflict")
        if self.state == "reversed":
            raise Conflict(_("This transfer has already been reversed."), code="conflict")
        self.state = "reversed"


class Leg(db.Model):
    """The part of a transfer inside one network, in that network's minor units."""

    __tablename__ = "credit_legs"

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("credit_transfers.id"), index=True)
    #: 0, 1, 2... along the route
    position: Mapped[int]
    network_id: Mapped[int] = mapped_column(ForeignKey("credit_networks.id"))
    from_account_id: Mapped[int] = mapped_column(ForeignKey("credit_accounts.id"))
    to_account_id: Mapped[int] = mapped_column(ForeignKey("credit_accounts.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    #: a transfer fee moving into the network's operations account, after the route's legs
    fee: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: a leg crossing a federation link: the amount in the link's trunk-side minor units, exact on both sides
    link_amount: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    transfer = relationship(Transfer, back_populates="legs", lazy="raise_on_sql")

    __table_args__ = (
        Index("ix_credit_legs_network_id_created_at", "network_id", "created_at"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )


class Entry(db.Model):
    """One side of a leg on one account; never updated or deleted."""

    __tablename__ = "credit_entries"
    __table_args__ = (Index("ix_credit_entries_account_id_id", "account_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("credit_transfers.id"), index=True)
    leg_id: Mapped[int] = mapped_column(ForeignKey("credit_legs.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("credit_accounts.id"))
    #: signed: positive in, negative out
    amount: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: sha256 over this entry's content and the account's previous entry hash
    hash: Mapped[str] = mapped_column(String(64))

    @staticmethod
    def chain_hash(
        previous: str,
        *,
        account_id: int,
        transfer_id: int,
        leg_id: int,
        amount: int,
        balance_after: int,
        created_at: datetime,
    ) -> str:
        content = (
            f"{previous}|{account_id}|{transfer_id}|{leg_id}|{amount}|{balance_after}|{created_at:%Y-%m-%dT%H:%M:%S.%f}"
        )
        return hashlib.sha256(content.encode()).hexdigest()


class PaymentRequest(db.Model):
    """An invoice: the payee asks the payer, who accepts (paying it) or declines, until it expires."""

    __tablename__ = "credit_payment_requests"
    __table_args__ = (Index("ix_credit_payment_requests_state_expires_at", "state", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the payer
    from_account_id: Mapped[int] = mapped_column(ForeignKey("credit_accounts.id"), index=True)
    #: the payee, who asked
    to_account_id: Mapped[int] = mapped_column(ForeignKey("credit_accounts.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), default="pending")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("credit_transfers.id"))

    def decide(self, state: str, now: datetime) -> None:
        if self.state == "pending" and self.expires_at <= now:
            self.state, self.decided_at = "expired", self.expires_at
        if self.state != "pending":
            raise Conflict(
                _("This payment request is no longer open: it is %(state)s.", state=self.state), code="conflict"
            )
        self.state, self.decided_at = state, now


class LimitChange(db.Model):
    """The history of an account's limits: who or which decision set what."""

    __tablename__ = "credit_limit_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("credit_accounts.id"), index=True)
    #: credit_limit or debit_limit
    field: Mapped[str] = mapped_column(String(20))
    old_value: Mapped[int | None] = mapped_column(BigInteger)
    new_value: Mapped[int | None] = mapped_column(BigInteger)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: what decided it when no person did, e.g. "poll:12"
    source: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeeCharge(db.Model):
    """A periodic fee charged to one account for one period: the unique key makes a repeat or a second worker a no-op."""

    __tablename__ = "credit_fee_charges"
    __table_args__ = (UniqueConstraint("account_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("credit_accounts.id"))
    network_id: Mapped[int] = mapped_column(ForeignKey("credit_networks.id"), index=True)
    #: "2026-12" for a monthly fee, "2026" for a yearly one
    period: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(BigInteger)
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("credit_transfers.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
