"""The group export file, format version 1, as pydantic models: what export writes and import checks first.

Everything points at everything else by `ref`, a number local to the file (never a database id),
so a file imports into any instance. People are named by email and name only. Text is the
Markdown source; its HTML is rendered again on import, never read from the file.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..limits import MAX_INT

FORMAT = "platform6-group-export"
FORMAT_VERSION = 1

Ref = Annotated[int, Field(ge=1, le=MAX_INT)]
Amount = Annotated[int, Field(ge=-MAX_INT, le=MAX_INT)]
Limit = Annotated[int, Field(ge=0, le=MAX_INT)]
Text = Annotated[str, Field(max_length=20000)]
Line = Annotated[str, Field(max_length=300)]


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return isinstance(value, list) and any(_has_nul(item) for item in value)


class Part(BaseModel):
    """Strict types, and a field the format does not know is refused (a typo or a tampered file)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value):
        """PostgreSQL cannot store NUL in text: refused here, with the field's place, not at the database."""
        if _has_nul(value):
            raise ValueError("Text may not contain NUL characters.")
        return value


class ExportedPerson(Part):
    ref: Ref
    email: Annotated[str, Field(min_length=3, max_length=254)]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    #: the handle wished for; another is made when it is taken on the importing instance
    handle: Annotated[str, Field(max_length=30)] = ""


class ExportedMember(Part):
    person: Ref
    role: Literal["member", "admin", "observer"]
    joined_at: datetime
    volume: Literal["mute", "app", "digest", "email"] = "email"


class ExportedGroupSettings(Part):
    members_can_start_discussions: bool = True
    members_can_raise_polls: bool = True
    members_can_add_members: bool = False
    members_can_create_subgroups: bool = False
    #: the skills board's setting (skills.models.GroupSkillSettings)
    members_can_post_requests: bool = True


class ExportedGroup(Part):
    ref: Ref
    #: the exported group itself has none; a subgroup names its parent's ref
    parent: Ref | None = None
    handle: Annotated[str, Field(min_length=2, max_length=40)]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    description: Text = ""
    privacy: Literal["open", "closed", "secret"]
    settings: ExportedGroupSettings = ExportedGroupSettings()
    created_at: datetime
    created_by: Ref | None = None
    members: list[ExportedMember] = []


class ExportedOutsideGroup(Part):
    """A group outside the export that holds a credit account in it (imported as a placeholder)."""

    ref: Ref
    handle: Annotated[str, Field(min_length=2, max_length=40)]
    name: Annotated[str, Field(min_length=1, max_length=100)]


class ExportedCommentVersion(Part):
    body: Text
    written_at: datetime
    replaced_at: datetime


class ExportedReaction(Part):
    person: Ref
    emoji: Annotated[str, Field(min_length=1, max_length=16)]
    created_at: datetime


class ExportedComment(Part):
    ref: Ref
    #: the comment it replies to, earlier in the same thread
    parent: Ref | None = None
    author: Ref | None = None
    body: Text = ""
    created_at: datetime
    edited_at: datetime | None = None
    deleted_at: datetime | None = None
    versions: list[ExportedCommentVersion] = []
    reactions: list[ExportedReaction] = []


class ExportedDiscussion(Part):
    ref: Ref
    group: Ref
    author: Ref | None = None
    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: Text = ""
    pinned: bool = False
    closed_at: datetime | None = None
    created_at: datetime
    last_activity_at: datetime
    edited_at: datetime | None = None
    #: oldest first
    comments: list[ExportedComment] = []


class ExportedVoteRevision(Part):
    choices: dict[str, int]
    reason: Text = ""
    cast_at: datetime
    replaced_at: datetime


class ExportedVote(Part):
    """A vote on a poll that is not anonymous, with its voter."""

    voter: Ref
    choices: dict[str, int]
    reason: Text = ""
    created_at: datetime
    revisions: list[ExportedVoteRevision] = []


class ExportedBallot(Part):
    """What an anonymous poll counts: the choices (and reason) of one ballot, with no voter and no time."""

    choices: dict[str, int]
    reason: Text = ""


class ExportedProxy(Part):
    delegator: Ref
    proxy: Ref
    created_at: datetime


class ExportedOutcome(Part):
    statement: Text
    option: Annotated[str, Field(max_length=200)] | None = None
    review_on: date | None = None
    author: Ref | None = None
    at: datetime


class ExportedPoll(Part):
    ref: Ref
    group: Ref
    discussion: Ref | None = None
    author: Ref | None = None
    kind: Literal["proposal", "poll", "count", "dot_vote", "score", "ranked_choice", "meeting", "check", "question"]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    details: Text = ""
    options: Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=50)]
    settings: dict
    anonymous: bool = False
    hide_results: bool = False
    quorum_percent: Annotated[int, Field(ge=0, le=100)] = 0
    #: who may vote (refs), or None for every member
    voters: list[Ref] | None = None
    closing_at: datetime
    closed_at: datetime | None = None
    created_at: datetime
    voters_count: Limit = 0
    eligible_count: Limit | None = None
    #: a binding proposal's action; an account_id or user_id in it is a ref of this file
    action: dict | None = None
    action_result: dict | None = None
    outcome: ExportedOutcome | None = None
    #: not anonymous: every current vote with its voter
    votes: list[ExportedVote] = []
    proxies: list[ExportedProxy] = []
    #: anonymous only: the ballots the tally counts, in no meaningful order
    ballots: list[ExportedBallot] = []


class ExportedRequestSkill(Part):
    name: Annotated[str, Field(min_length=1, max_length=80)]
    level: Annotated[int, Field(ge=1, le=5)]
    required: bool = True


class ExportedApplication(Part):
    person: Ref
    message: Text = ""
    state: Literal["pending", "accepted", "declined", "withdrawn"]
    invited: bool = False
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: Ref | None = None


class ExportedContribution(Part):
    person: Ref
    centihours: Limit = 0
    reward_amount: Limit = 0
    #: the ref of the transfer that paid the share, if it is in the file
    transfer: Ref | None = None
    created_at: datetime


class ExportedEndorsement(Part):
    person: Ref
    skill: Annotated[str, Field(min_length=1, max_length=80)]
    endorser: Ref | None = None
    created_at: datetime


class ExportedReward(Part):
    account: Ref
    amount: Annotated[int, Field(ge=1, le=MAX_INT)]


class ExportedRequest(Part):
    ref: Ref
    group: Ref
    author: Ref | None = None
    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: Text = ""
    skills: list[ExportedRequestSkill] = []
    hours_estimate: Limit | None = None
    deadline: datetime | None = None
    location: Annotated[str, Field(max_length=100)] = ""
    remote_ok: bool = True
    languages: list[Annotated[str, Field(max_length=20)]] = []
    reward: ExportedReward | None = None
    volunteers_needed: Annotated[int, Field(ge=1, le=1000)] = 1
    state: Literal["open", "assigned", "completed", "cancelled"]
    closed_reason: Annotated[str, Field(max_length=20)] | None = None
    created_at: datetime
    expires_at: datetime
    completed_at: datetime | None = None
    applications: list[ExportedApplication] = []
    contributions: list[ExportedContribution] = []
    endorsements: list[ExportedEndorsement] = []


class ExportedCurrency(Part):
    code: Annotated[str, Field(min_length=1, max_length=10)]
    name: Annotated[str, Field(min_length=1, max_length=50)]
    symbol: Annotated[str, Field(max_length=10)] = ""
    decimals: Annotated[int, Field(ge=0, le=8)] = 2


class ExportedHolder(Part):
    #: person: a ref of `people`; group: of `groups`; outside_group: of `outside_groups`; network: the account's own
    type: Literal["person", "group", "outside_group", "network"]
    ref: Ref


class ExportedAccount(Part):
    ref: Ref
    holder: ExportedHolder
    kind: Literal["business", "sole_trader", "individual", "employee"]
    purpose: Literal["member", "clearing", "settlement", "operations"] = "member"
    #: the sum of the account's entries at export; import checks the replayed ledger ends here
    balance: Amount
    credit_limit: Limit = 0
    debit_limit: Limit | None = None
    status: Literal["active", "frozen", "closed"] = "active"
    warning_percent: Annotated[int, Field(ge=1, le=100)] | None = None
    created_at: datetime


class ExportedFeeCharge(Part):
    account: Ref
    period: Annotated[str, Field(pattern=r"^[0-9]{4}(-[0-9]{2})?$")]
    kind: Literal["business", "sole_trader", "individual", "employee"]
    amount: Annotated[int, Field(ge=1, le=MAX_INT)]
    #: the transfer that charged it, a ref of `transfers`
    transfer: Ref | None = None
    created_at: datetime


class ExportedNetwork(Part):
    ref: Ref
    group: Ref
    #: the parent network's ref when it is in the file too (else the network imports as a root)
    parent: Ref | None = None
    name: Annotated[str, Field(min_length=1, max_length=100)]
    currency: ExportedCurrency
    default_credit_limit: Limit = 0
    default_debit_limit: Limit | None = None
    kind_credit_limits: dict[str, Limit] = {}
    exchange_rate: Annotated[str, Field(min_length=1, max_length=40)] = "1"
    #: its clearing account (in the parent network) and settlement account (in itself), as account refs
    clearing_account: Ref | None = None
    settlement_account: Ref | None = None
    #: API.md's network fees, and the account (a ref of `accounts`) they are paid into
    fees: dict | None = None
    operations_account: Ref | None = None
    created_at: datetime
    accounts: list[ExportedAccount] = []
    #: the periodic fees charged, so an imported network never charges an account's period twice
    fee_charges: list[ExportedFeeCharge] = []


class ExportedEntry(Part):
    account: Ref
    amount: Amount
    balance_after: Amount


class ExportedLeg(Part):
    network: Ref
    from_account: Ref
    to_account: Ref
    amount: Annotated[int, Field(ge=1, le=MAX_INT)]
    #: a transfer fee into the network's operations account (after the route's legs)
    fee: bool = False
    #: the payer's entry, then the payee's
    entries: Annotated[list[ExportedEntry], Field(min_length=2, max_length=2)]


class ExportedTransfer(Part):
    """A transfer's legs inside the exported networks (a routed payment's legs elsewhere are left out)."""

    ref: Ref
    description: Annotated[str, Field(max_length=1000)] = ""
    state: Literal["completed", "reversed"] = "completed"
    reverses: Ref | None = None
    reason: Annotated[str, Field(max_length=1000)] | None = None
    created_by: Ref | None = None
    created_at: datetime
    legs: Annotated[list[ExportedLeg], Field(min_length=1)]


class GroupExport(Part):
    """A whole export file."""

    format: Literal["platform6-group-export"]
    format_version: Literal[1]
    exported_at: datetime
    #: the handle of the exported group (the first of `groups`)
    group: Annotated[str, Field(min_length=2, max_length=40)]
    people: list[ExportedPerson] = []
    groups: Annotated[list[ExportedGroup], Field(min_length=1)]
    outside_groups: list[ExportedOutsideGroup] = []
    discussions: list[ExportedDiscussion] = []
    polls: list[ExportedPoll] = []
    requests: list[ExportedRequest] = []
    networks: list[ExportedNetwork] = []
    #: oldest first, as they were written to the ledger
    transfers: list[ExportedTransfer] = []
