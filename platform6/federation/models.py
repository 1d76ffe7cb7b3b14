"""The tables of federation (../docs/federation.md): links to neighbouring nodes on other installations, their hash
chains, the Credit Commons transactions crossing them, the holds those put on local accounts, and graft requests."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow

#: trunkward: our network is the neighbour's leaf; leafward: the neighbour is our leaf
DIRECTIONS = ("trunkward", "leafward")
#: requested (leaf asked) -> approved (trunk's group voted) -> active (handshake done) <-> suspended
LINK_STATUSES = ("requested", "approved", "active", "suspended")
#: validated (held) -> completing (C forwarded) -> completed (posted); validated|completing -> erased
CC_STATES = ("validated", "completing", "completed", "erased")
GRAFT_STATUSES = ("pending", "approved", "declined", "picked_up")


class Link(db.Model):
    """One edge of the Credit Commons tree between a network here and a neighbour on another server."""

    __tablename__ = "credit_links"
    __table_args__ = (
        UniqueConstraint("network_id", "peer_name"),
        CheckConstraint("direction IN ('trunkward', 'leafward')", name="direction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("credit_networks.id"), index=True)
    direction: Mapped[str] = mapped_column(String(10))
    #: the neighbour's node name (the last segment of its path)
    peer_name: Mapped[str] = mapped_column(String(32))
    #: the neighbour's base URL, ending with "/": https://host/cc/<name>/
    peer_url: Mapped[str] = mapped_column(String(500))
    #: trunkward links: the trunk's absolute node path ("world/ocn"), told at pickup or by GET absolutepath;
    #: None: the trunk is a root named peer_name
    peer_path: Mapped[str | None] = mapped_column(String(300))
    #: one of wire.PROFILES: p6 (another Platform 6, signed), cc-0.9 / cc-0.8 (the reference node), komunitin
    profile: Mapped[str] = mapped_column(String(10), default="p6")
    status: Mapped[str] = mapped_column(String(10), default="requested")
    #: the local account standing for the neighbour: a clearing account (holder "peer") on the trunk side,
    #: the network's settlement account on the leaf side
    vostro_account_id: Mapped[int | None] = mapped_column(ForeignKey("credit_accounts.id"), unique=True)
    #: leaf side only: trunk major units per major unit here, fixed for the link's life
    rate: Mapped[str] = mapped_column(String(40), default="1")
    #: wire quant = trunk minor units / 10**quant_decimals
    quant_decimals: Mapped[int] = mapped_column(default=2)
    #: the chain's start, drawn by the trunk at approval (or after a re-seed), and its current head
    genesis: Mapped[str | None] = mapped_column(String(64))
    head: Mapped[str | None] = mapped_column(String(64))
    #: how many states the chain has recorded since its genesis
    seq: Mapped[int] = mapped_column(default=0)
    #: the HMAC secret between Platform 6 peers, encrypted with SECRET_KEY; the previous one works until
    #: previous_secret_until after a rotation
    secret: Mapped[str | None] = mapped_column(Text)
    previous_secret: Mapped[str | None] = mapped_column(Text)
    previous_secret_until: Mapped[datetime | None]
    #: the one state change this side has in flight on the link (the trunk wins collisions)
    in_flight_uuid: Mapped[str | None] = mapped_column(String(36))
    in_flight_until: Mapped[datetime | None]
    #: reference or Komunitin peers: addresses allowed to call (empty: any)
    allowed_ips: Mapped[list] = mapped_column(JSON, default=list)
    #: the graft request this link answers (trunk side) or was made with (leaf side)
    graft_request_id: Mapped[int | None] = mapped_column(ForeignKey("credit_graft_requests.id"))
    #: leaf side: the one-time pickup token, hashed; the trunk's request id to pick up from
    pickup_token_sha256: Mapped[str | None] = mapped_column(String(64))
    remote_request_id: Mapped[int | None]
    #: Komunitin's code for our vostro account there (for verify --peers)
    peer_vostro_code: Mapped[str | None] = mapped_column(String(64))
    last_contact_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LinkHash(db.Model):
    """Each head a link's chain has had: verify recomputes the chain from its genesis through these."""

    __tablename__ = "credit_link_hashes"
    __table_args__ = (UniqueConstraint("link_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("credit_links.id"), index=True)
    seq: Mapped[int]
    #: "transaction", or "reseed" where a new genesis restarts the chain
    kind: Mapped[str] = mapped_column(String(12), default="transaction")
    uuid: Mapped[str | None] = mapped_column(String(36))
    state: Mapped[str | None] = mapped_column(String(12))
    previous: Mapped[str] = mapped_column(String(64))
    head: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CCTransaction(db.Model):
    """A Credit Commons transaction as this node sees it: its state, the links it came in and goes out by, the
    stored answer for replays, and the local transfer once posted."""

    __tablename__ = "credit_cc_transactions"
    __table_args__ = (
        UniqueConstraint("uuid", "network_id"),
        CheckConstraint("state IN ('validated', 'completing', 'completed', 'erased')", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36))
    #: the network here the transaction enters
    network_id: Mapped[int] = mapped_column(ForeignKey("credit_networks.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default="validated", index=True)
    workflow: Mapped[str] = mapped_column(String(40), default="")
    version: Mapped[int] = mapped_column(default=0)
    #: None when a member here started it (we are the originator)
    upstream_link_id: Mapped[int | None] = mapped_column(ForeignKey("credit_links.id"))
    #: None when the payee is here (we are the last node)
    downstream_link_id: Mapped[int | None] = mapped_column(ForeignKey("credit_links.id"))
    #: absolute account paths, as sent on the wire
    payer_address: Mapped[str] = mapped_column(String(300))
    payee_address: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    #: the amount entering this node, in the entry network's minor units
    amount: Mapped[int] = mapped_column(BigInteger)
    #: the local legs planned at validation: [{network_id, from_account_id, to_account_id, amount, link_amount}]
    legs: Mapped[list] = mapped_column(JSON, default=list)
    #: the entries as received (or sent), for hashing and status answers
    entries: Mapped[list] = mapped_column(JSON, default=list)
    metadata_json: Mapped[dict] = mapped_column(JSON, default=dict)
    #: sha256 of the canonical relay body: a repeat gets `answer`, another body under this uuid is refused
    body_sha256: Mapped[str | None] = mapped_column(String(64))
    answer: Mapped[dict | None] = mapped_column(JSON)
    #: a validated row not completed by then may be erased (R1)
    deadline: Mapped[datetime]
    #: each link's head from before this transaction's latest change: a repeat of its message carries it
    head_before: Mapped[dict] = mapped_column(JSON, default=dict)
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("credit_transfers.id"), unique=True)
    #: the member who paid, when we are the originator, and their Idempotency-Key
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    idempotency_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    #: why it was erased, in the API's error shape {"code", "message"}
    error: Mapped[dict | None] = mapped_column(JSON)
    #: the next time a job asks the downstream about a completing row (R2), and how often it asked
    next_check_at: Mapped[datetime | None] = mapped_column(index=True)
    checks: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Hold(db.Model):
    """Value reserved on a local account while a transaction is validated or completing: `out` counts against
    what the account can spend, `in` against its debit limit. Deleted when the transaction posts or is erased."""

    __tablename__ = "credit_holds"
    __table_args__ = (
        UniqueConstraint("cc_transaction_id", "account_id", "direction"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("direction IN ('out', 'in')", name="direction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cc_transaction_id: Mapped[int] = mapped_column(ForeignKey("credit_cc_transactions.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("credit_accounts.id"), index=True)
    direction: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GraftRequest(db.Model):
    """A leaf on another installation asking to become a node under a network here; approved by a binding
    proposal of the network's governing group, then picked up once by the leaf."""

    __tablename__ = "credit_graft_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the trunk network here
    network_id: Mapped[int] = mapped_column(ForeignKey("credit_networks.id"), index=True)
    node_name: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(500))
    #: {"code", "name", "decimals"} of the leaf's currency
    currency: Mapped[dict] = mapped_column(JSON, default=dict)
    exchange_rate: Mapped[str] = mapped_column(String(40), default="1")
    requested_credit_limit: Mapped[int] = mapped_column(BigInteger, default=0)
    contact: Mapped[str] = mapped_column(Text, default="")
    pickup_token_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    remote_address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]


#: incoming: the peer booked a payment toward us that we did not (a commit-on-relay peer commits only what it sends)
DISCREPANCY_DIRECTIONS = ("incoming",)


class PeerDiscrepancy(db.Model):
    """A payment a commit-on-relay peer (Komunitin) booked before relaying it, which ended erased here (FEDERATION.md
    §3.3): the two ledgers disagree until the admins of both sides settle it. One per uuid and link."""

    __tablename__ = "credit_peer_discrepancies"
    __table_args__ = (
        UniqueConstraint("link_id", "uuid"),
        CheckConstraint("direction IN ('incoming')", name="direction"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("credit_links.id"), index=True)
    #: the link's network, for listing a network's discrepancies
    network_id: Mapped[int] = mapped_column(ForeignKey("credit_networks.id"), index=True)
    uuid: Mapped[str] = mapped_column(String(36))
    #: what the peer booked, in the link's (trunk-side) units: trunk minor units / 10**link.quant_decimals
    amount: Mapped[int] = mapped_column(BigInteger)
    direction: Mapped[str] = mapped_column(String(10), default="incoming")
    #: why it ended erased here: one of discrepancies.REASONS
    reason: Mapped[str] = mapped_column(String(24))
    payer_address: Mapped[str] = mapped_column(String(300), default="")
    payee_address: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: what the admin who resolved it agreed with the peer
    note: Mapped[str] = mapped_column(Text, default="")
