"""Importing a group export file (format.py) into this instance, all of it in one transaction or nothing.

The file is never trusted: its shape is checked by the format's models, every reference must
resolve, text is rendered and sanitised again, votes are checked against their poll's rules, and
the ledger is replayed through the credit service (which writes balances and hash chains) and must
end at the balances the file states. Any problem raises a DomainError and the caller rolls back.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from flask_babel import gettext as _
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..accounts.service import create_unclaimed_user, normalise_email, placeholder_user, user_by_email
from ..credit import queries as credit_queries
from ..credit import service as credit
from ..credit.models import Account, Network
from ..errors import Conflict, DomainError, Forbidden, ValidationFailed, invalid
from ..extensions import db
from ..forums import service as forums_service
from ..forums.models import Comment, Discussion
from ..governance import service as governance_service
from ..governance.models import Poll
from ..groups import service as groups_service
from ..groups.models import Group, Membership
from ..groups.permissions import forget_memberships
from ..import_lock import take_the_import_lock
from ..skills import service as skills_service
from ..skills.models import SkillRequest
from ..timeutil import to_utc_naive
from . import format as fmt


def ensure_may_import(user) -> None:
    """Imports create accounts and groups site-wide: site admins only (the CLI runs with the server's authority)."""
    if not getattr(user, "is_site_admin", False):
        raise Forbidden(_("Only site admins may import a group."))


def read_export(raw: bytes | str | dict | fmt.GroupExport) -> fmt.GroupExport:
    """The file checked against the format, or a ValidationFailed naming where it is wrong."""
    if isinstance(raw, fmt.GroupExport):
        return raw
    try:
        if isinstance(raw, dict):
            return fmt.GroupExport.model_validate_json(json.dumps(raw))
        return fmt.GroupExport.model_validate_json(raw)
    except ValidationError as exc:
        fields: dict[str, list[str]] = {}
        for error in exc.errors():
            fields.setdefault(".".join(str(part) for part in error["loc"]) or "document", []).append(error["msg"])
        first = next(iter(fields.items()))
        message = f"This is not a Platform 6 group export (format version 1): {first[0]}: {first[1][0]}"
        raise ValidationFailed(fields, message[:500]) from None


def _t(moment: datetime | None) -> datetime | None:
    return None if moment is None else to_utc_naive(moment)


@contextmanager
def _at(path: str) -> Iterator[None]:
    """Name the place in the file (`polls.2.votes.0`) when a rule refuses something there."""
    try:
        yield
    except DomainError as err:
        inner = getattr(err, "file_path", None)
        if inner is None:
            err.reason, err.local_fields = err.message, err.fields
        err.file_path = f"{path}.{inner}" if inner else path
        err.fields = {f"{err.file_path}.{name}": r for name, r in err.local_fields.items()} or {
            err.file_path: [err.reason]
        }
        err.message = f"In the file's {err.file_path}: {err.reason}"
        err.args = (err.message,)
        raise


class _Import:
    def __init__(self, data: fmt.GroupExport, admin: User):
        self.data, self.admin = data, admin
        self.people: dict[int, int] = {}
        self.groups: dict[int, Group] = {}
        self.outside: dict[int, int] = {}
        self.networks: dict[int, Network] = {}
        self.accounts: dict[int, Account] = {}
        self.transfers: dict[int, int] = {}
        self.discussions: dict[int, Discussion] = {}
        #: the importing admin's role in the file, by group id, where the file lists them as a member
        self.admin_roles: dict[int, str] = {}
        self.summary: dict = {"people_created": 0, "people_existing": 0, "placeholder_groups": [], "closed_polls": []}

    def person(self, ref: int | None, path: str) -> int | None:
        if ref is None:
            return None
        if ref not in self.people:
            raise invalid(
                path, _("%(path)s names person %(ref)s, who is not in the file's people.", path=path, ref=ref)
            )
        return self.people[ref]

    def _lookup(self, table: dict, ref: int | None, path: str, what: str):
        if ref is None:
            return None
        if ref not in table:
            raise invalid(
                path,
                _(
                    "%(path)s names %(what)s %(ref)s, which is not in the file before this point.",
                    path=path,
                    what=what,
                    ref=ref,
                ),
            )
        return table[ref]

    # --- people and groups -------------------------------------------------------------------

    def import_people(self) -> None:
        seen: set[str] = set()
        for i, person in enumerate(self.data.people):
            with _at(f"people.{i}"):
                email = normalise_email(person.email)
                if email in seen or person.ref in self.people:
                    raise invalid("email", _("This person is listed twice."))
                seen.add(email)
                user = user_by_email(email)
                if user is None:
                    user = create_unclaimed_user(email=email, name=person.name, handle=person.handle)
                    self.summary["people_created"] += 1
                else:
                    self.summary["people_existing"] += 1
                self.people[person.ref] = user.id

    def import_groups(self) -> None:
        if self.data.groups[0].handle != self.data.group or self.data.groups[0].parent is not None:
            raise invalid("groups.0", _("The exported group comes first, without a parent."))
        for i, item in enumerate(self.data.groups):
            with _at(f"groups.{i}"):
                if item.ref in self.groups:
                    raise invalid("ref", _("Two groups have this ref."))
                if i and item.parent is None:
                    raise invalid("parent", _("Every group after the first is a subgroup of one before it."))
                parent = self._lookup(self.groups, item.parent, "parent", "group")
                if groups_service.handle_taken(item.handle.lower()):
                    raise Conflict(
                        _(
                            "A group with the handle “%(handle)s” exists already here: nothing was imported.",
                            handle=item.handle,
                        ),
                        fields={"handle": [_("Taken on this instance.")]},
                    )
                settings = item.settings.model_dump()
                group = groups_service.create_group(
                    actor=self.admin,
                    name=item.name,
                    handle=item.handle,
                    description=item.description,
                    privacy=item.privacy,
                    parent_id=parent.id if parent else None,
                    settings=settings,
                )
                group.created_at = _t(item.created_at)
                group.created_by_id = self.person(item.created_by, "created_by")
                if not settings["members_can_post_requests"]:
                    skills_service.replay_group_settings(group=group, members_can_post_requests=False)
                self.groups[item.ref] = group
                for j, member in enumerate(item.members):
                    user_id = self.person(member.person, f"members.{j}.person")
                    if user_id == self.admin.id:  # a member already (create_group): its role is set at the end
                        self.admin_roles[group.id] = member.role
                        continue
                    with _at(f"members.{j}"):
                        groups_service.replay_membership(
                            group=group,
                            user_id=user_id,
                            role=member.role,
                            joined_at=_t(member.joined_at),
                            volume=member.volume,
                        )
        forget_memberships()

    def _own_membership(self, group: Group) -> Membership:
        return db.session.scalar(
            select(Membership).where(Membership.group_id == group.id, Membership.user_id == self.admin.id)
        )

    def step_back(self) -> None:
        """Once everything is in, the importing admin takes the role the file gives them, or leaves a group
        whose file names other admins and not them (so counts, eligibility and quorums stay as exported);
        a group the file names no admin for keeps them as its admin."""
        for item in self.data.groups:
            group = self.groups[item.ref]
            own = self._own_membership(group)
            named = {self.people[m.person] for m in item.members if m.role == "admin"} - {self.admin.id}
            if group.id in self.admin_roles:
                own.role = self.admin_roles[group.id] if named else "admin"
            elif named:
                db.session.delete(own)
            db.session.flush()
            group.members_count = db.session.scalar(
                select(func.count()).select_from(Membership).where(Membership.group_id == group.id)
            )
        forget_memberships()

    def import_outside_groups(self) -> None:
        root = self.data.groups[0]
        for i, item in enumerate(self.data.outside_groups):
            with _at(f"outside_groups.{i}"):
                handle = item.handle.lower()
                group = groups_service.create_group(
                    actor=self.admin,
                    name=item.name,
                    handle=None if groups_service.handle_taken(handle) else handle,
                    description=f"Holds credit accounts imported with {root.name}; this group was not in the export.",
                    privacy="closed",
                )
                self.outside[item.ref] = group.id
                self.summary["placeholder_groups"].append(group.handle)

    # --- credit --------------------------------------------------------------------------------

    def _holder(self, holder: fmt.ExportedHolder, network: Network) -> tuple[str, int]:
        if holder.type == "person":
            return "user", self.person(holder.ref, "holder.ref")
        if holder.type == "group":
            return "group", self._lookup(self.groups, holder.ref, "holder.ref", "group").id
        if holder.type == "outside_group":
            return "group", self._lookup(self.outside, holder.ref, "holder.ref", "outside group")
        return "network", network.id

    def import_networks(self) -> None:
        for i, item in enumerate(self.data.networks):
            with _at(f"networks.{i}"):
                if item.ref in self.networks:
                    raise invalid("ref", _("Two networks have this ref."))
                group = self._lookup(self.groups, item.group, "group", "group")
                parent = self._lookup(self.networks, item.parent, "parent", "network")
                network = credit.replay_network(
                    group=group,
                    parent=parent,
                    name=item.name,
                    currency_code=item.currency.code,
                    currency_name=item.currency.name,
                    currency_symbol=item.currency.symbol,
                    currency_decimals=item.currency.decimals,
                    exchange_rate=item.exchange_rate,
                    default_credit_limit=item.default_credit_limit,
                    default_debit_limit=item.default_debit_limit,
                    kind_credit_limits=item.kind_credit_limits,
                    created_at=_t(item.created_at),
                )
                self.networks[item.ref] = network
                for j, entry in enumerate(item.accounts):
                    with _at(f"accounts.{j}"):
                        self._account(entry, network)
                self._link(item, network, parent)
                credit.replay_fees(
                    network=network,
                    fees=item.fees,
                    operations=self._lookup(self.accounts, item.operations_account, "operations_account", "account"),
                )

    def _account(self, item: fmt.ExportedAccount, network: Network) -> None:
        if item.ref in self.accounts:
            raise invalid("ref", _("Two accounts have this ref."))
        holder_type, holder_id = self._holder(item.holder, network)
        account = credit.replay_account(
            network=network,
            holder_type=holder_type,
            holder_id=holder_id,
            kind=item.kind,
            purpose=item.purpose,
            credit_limit=item.credit_limit,
            debit_limit=item.debit_limit,
            status=item.status,
            warning_percent=item.warning_percent,
            created_at=_t(item.created_at),
        )
        self.accounts[item.ref] = account

    def _link(self, item: fmt.ExportedNetwork, network: Network, parent: Network | None) -> None:
        credit.replay_links(
            network=network,
            parent=parent,
            settlement=self._lookup(self.accounts, item.settlement_account, "settlement_account", "account"),
            clearing=self._lookup(self.accounts, item.clearing_account, "clearing_account", "account"),
        )

    def import_transfers(self) -> None:
        running: dict[int, int] = {}
        reversed_refs, reversal_of = set(), set()
        for i, item in enumerate(self.data.transfers):
            with _at(f"transfers.{i}"):
                if item.ref in self.transfers:
                    raise invalid("ref", _("Two transfers have this ref."))
                legs = [self._leg(j, leg, running) for j, leg in enumerate(item.legs)]
                reverses = self._lookup(self.transfers, item.reverses, "reverses", "transfer")
                if item.reverses is not None:
                    if item.reverses in reversal_of:
                        raise invalid("reverses", _("A transfer is reversed at most once."))
                    reversal_of.add(item.reverses)
                if item.state == "reversed":
                    reversed_refs.add(item.ref)
                made = credit.replay_transfer(
                    legs=legs,
                    description=item.description,
                    at=_t(item.created_at),
                    reverses_id=reverses,
                    reason=item.reason,
                    created_by_id=self.person(item.created_by, "created_by"),
                )
                self.transfers[item.ref] = made.id
        if reversed_refs != reversal_of:
            raise invalid("transfers", _("A transfer marked reversed has no reversal in the file, or the reverse."))
        for i, network in enumerate(self.data.networks):
            for j, charge in enumerate(network.fee_charges):
                with _at(f"networks.{i}.fee_charges.{j}"):
                    credit.replay_fee_charge(
                        network=self.networks[network.ref],
                        account=self._lookup(self.accounts, charge.account, "account", "account"),
                        period=charge.period,
                        kind=charge.kind,
                        amount=charge.amount,
                        transfer_id=self._lookup(self.transfers, charge.transfer, "transfer", "transfer"),
                        created_at=_t(charge.created_at),
                    )
        for i, network in enumerate(self.data.networks):
            for j, account in enumerate(network.accounts):
                if running.get(account.ref, 0) != account.balance:
                    raise invalid(
                        f"networks.{i}.accounts.{j}.balance",
                        _("Account %(ref)s's balance is not the sum of its entries in the file.", ref=account.ref),
                    )
            imported = self.networks[network.ref]
            if imported.parent_id is not None:
                pair = [self.accounts[network.clearing_account], self.accounts[network.settlement_account]]
                if credit_queries.mirror_problems(imported, {a.id: a for a in pair}):
                    raise invalid(
                        f"networks.{i}.settlement_account",
                        _("The settlement account's balance does not mirror the clearing account's in the parent."),
                    )

    def _leg(self, j: int, leg: fmt.ExportedLeg, running: dict[int, int]) -> credit.PlannedLeg:
        network = self._lookup(self.networks, leg.network, f"legs.{j}.network", "network")
        payer = self._lookup(self.accounts, leg.from_account, f"legs.{j}.from_account", "account")
        payee = self._lookup(self.accounts, leg.to_account, f"legs.{j}.to_account", "account")
        if payer.network_id != network.id or payee.network_id != network.id or payer.id == payee.id:
            raise invalid(f"legs.{j}", _("A leg moves credit between two different accounts of its own network."))
        expected = ((leg.from_account, -leg.amount), (leg.to_account, leg.amount))
        for (ref, amount), entry in zip(expected, leg.entries, strict=True):
            running[ref] = running.get(ref, 0) + amount
            if (entry.account, entry.amount, entry.balance_after) != (ref, amount, running[ref]):
                raise invalid(
                    f"legs.{j}.entries", _("The leg's entries do not match its amount and the running balance.")
                )
        if leg.fee and network.operations_account_id not in (payer.id, payee.id):
            raise invalid(
                f"legs.{j}.fee", _("A fee leg pays into (or, reversed, out of) its network's operations account.")
            )
        return credit.PlannedLeg(network.id, payer.id, payee.id, leg.amount, leg.fee)

    # --- threads -------------------------------------------------------------------------------

    def import_discussions(self) -> None:
        for i, item in enumerate(self.data.discussions):
            with _at(f"discussions.{i}"):
                if item.ref in self.discussions:
                    raise invalid("ref", _("Two threads have this ref."))
                group = self._lookup(self.groups, item.group, "group", "group")
                discussion = forums_service.replay_discussion(
                    group=group,
                    author_id=self.person(item.author, "author"),
                    title=item.title,
                    description=item.description,
                    pinned=item.pinned,
                    closed_at=_t(item.closed_at),
                    created_at=_t(item.created_at),
                    last_activity_at=_t(item.last_activity_at),
                    edited_at=_t(item.edited_at),
                )
                self.discussions[item.ref] = discussion
                comments: dict[int, Comment] = {}
                for j, entry in enumerate(item.comments):
                    with _at(f"comments.{j}"):
                        comments[entry.ref] = self._comment(entry, discussion, comments)

    def _comment(self, item: fmt.ExportedComment, discussion: Discussion, earlier: dict) -> Comment:
        if item.ref in earlier:
            raise invalid("ref", _("Two comments of this thread have this ref."))
        parent = self._lookup(earlier, item.parent, "parent", "comment")
        comment = forums_service.replay_comment(
            discussion=discussion,
            parent_id=parent.id if parent else None,
            author_id=self.person(item.author, "author"),
            body=item.body,
            created_at=_t(item.created_at),
            edited_at=_t(item.edited_at),
            deleted_at=_t(item.deleted_at),
        )
        if comment.deleted:  # its history and reactions went with its text
            return comment
        for k, version in enumerate(item.versions):
            with _at(f"versions.{k}"):
                forums_service.replay_comment_version(
                    comment=comment,
                    body=version.body,
                    written_at=_t(version.written_at),
                    replaced_at=_t(version.replaced_at),
                )
        for k, reaction in enumerate(item.reactions):
            with _at(f"reactions.{k}"):
                forums_service.replay_reaction(
                    comment=comment,
                    user_id=self.person(reaction.person, "person"),
                    emoji=reaction.emoji,
                    created_at=_t(reaction.created_at),
                )
        return comment

    # --- decisions -----------------------------------------------------------------------------

    def _action(self, action: dict | None, closed: bool) -> dict | None:
        """The binding action with the file's refs turned into this instance's ids."""
        if action is None:
            return None
        action = dict(action)
        for key, table in (
            ("account_id", {r: a.id for r, a in self.accounts.items()}),
            ("user_id", self.people),
            ("network_id", {r: n.id for r, n in self.networks.items()}),
        ):
            if key in action:
                ref = action[key]
                action[key] = table.get(ref) if isinstance(ref, int) and not isinstance(ref, bool) else None
                if action[key] is None and not closed:
                    raise invalid(f"action.{key}", _("The action of an open poll names something not in the file."))
        return action

    def import_polls(self) -> None:
        for i, item in enumerate(self.data.polls):
            with _at(f"polls.{i}"):
                self._poll(item)

    def _poll(self, item: fmt.ExportedPoll) -> None:
        group = self._lookup(self.groups, item.group, "group", "group")
        # (a thread moved to another group keeps the polls raised in it: the link may cross groups)
        discussion = self._lookup(self.discussions, item.discussion, "discussion", "thread")
        if item.anonymous and (item.votes or item.proxies):
            raise invalid("votes", _("An anonymous poll's file carries ballots, never votes with voters."))
        if not item.anonymous and item.ballots:
            raise invalid("ballots", _("Only an anonymous poll carries ballots."))
        closed_at = _t(item.closed_at)
        if item.anonymous and closed_at is None:
            # Its ballots cannot be told apart, so a member voting again would count twice: it closes.
            closed_at = _t(self.data.exported_at)
            self.summary["closed_polls"].append(item.title)
        poll = governance_service.replay_poll(
            group=group,
            discussion_id=discussion.id if discussion else None,
            author_id=self.person(item.author, "author"),
            kind=item.kind,
            title=item.title,
            details=item.details,
            options=item.options,
            settings=item.settings,
            anonymous=item.anonymous,
            hide_results=item.hide_results,
            quorum_percent=item.quorum_percent,
            voter_ids=None if item.voters is None else [self.person(r, "voters") for r in item.voters],
            created_at=_t(item.created_at),
            closing_at=_t(item.closing_at),
            closed_at=closed_at,
            action=self._action(item.action, closed_at is not None),
            action_result=item.action_result,
        )
        if item.outcome is not None:
            with _at("outcome"):
                governance_service.replay_outcome(
                    poll=poll,
                    statement=item.outcome.statement,
                    option=item.outcome.option,
                    review_on=item.outcome.review_on,
                    author_id=self.person(item.outcome.author, "author"),
                    at=_t(item.outcome.at),
                )
        for j, vote in enumerate(item.votes):
            with _at(f"votes.{j}"):
                self._vote(poll, self.person(vote.voter, "voter"), vote, _t(vote.created_at))
        for j, ballot in enumerate(item.ballots):
            with _at(f"ballots.{j}"):
                self._vote(poll, self._ballot_holder(j + 1), ballot, closed_at)
        for j, proxy in enumerate(item.proxies):
            with _at(f"proxies.{j}"):
                governance_service.replay_proxy(
                    poll=poll,
                    delegator_id=self.person(proxy.delegator, "delegator"),
                    proxy_id=self.person(proxy.proxy, "proxy"),
                    created_at=_t(proxy.created_at),
                )
        if item.closed_at is not None:
            governance_service.replay_counts(
                poll=poll, voters_count=item.voters_count, eligible_count=item.eligible_count
            )
        else:
            governance_service.replay_counts(poll=poll)

    def _vote(self, poll: Poll, user_id: int, vote: fmt.ExportedVote | fmt.ExportedBallot, at: datetime) -> None:
        made = governance_service.replay_vote(
            poll=poll, user_id=user_id, choices=vote.choices, reason=vote.reason, cast_at=at
        )
        for revision in getattr(vote, "revisions", []):
            governance_service.replay_vote_revision(
                vote=made,
                choices=revision.choices,
                reason=revision.reason,
                cast_at=_t(revision.cast_at),
                replaced_at=_t(revision.replaced_at),
            )

    def _ballot_holder(self, n: int) -> int:
        """The stand-in voter of an anonymous poll's n-th ballot (no password, no group, no vote of their own)."""
        return placeholder_user(key=f"ballot-{n}", name="Anonymous ballot").id

    # --- skills board --------------------------------------------------------------------------

    def import_requests(self) -> None:
        for i, item in enumerate(self.data.requests):
            with _at(f"requests.{i}"):
                self._request(item)

    def _request(self, item: fmt.ExportedRequest) -> None:
        request = skills_service.replay_request(
            group=self._lookup(self.groups, item.group, "group", "group"),
            author_id=self.person(item.author, "author"),
            title=item.title,
            description=item.description,
            skills=[skills_service.WantedSkill(s.name, s.level, s.required) for s in item.skills],
            hours_estimate=item.hours_estimate,
            deadline=_t(item.deadline),
            location=item.location,
            remote_ok=item.remote_ok,
            languages=item.languages,
            reward_account=self._lookup(self.accounts, item.reward.account, "reward.account", "account")
            if item.reward
            else None,
            reward_amount=item.reward.amount if item.reward else None,
            volunteers_needed=item.volunteers_needed,
            state=item.state,
            closed_reason=item.closed_reason,
            created_at=_t(item.created_at),
            expires_at=_t(item.expires_at),
            completed_at=_t(item.completed_at),
        )
        for j, application in enumerate(item.applications):
            with _at(f"applications.{j}"):
                self._application(request, application)
        for j, part in enumerate(item.contributions):
            with _at(f"contributions.{j}"):
                skills_service.replay_contribution(
                    request=request,
                    user_id=self.person(part.person, "person"),
                    centihours=part.centihours,
                    reward_amount=part.reward_amount,
                    transfer_id=self._lookup(self.transfers, part.transfer, "transfer", "transfer"),
                    created_at=_t(part.created_at),
                )
        for j, endorsement in enumerate(item.endorsements):
            with _at(f"endorsements.{j}"):
                skills_service.replay_endorsement(
                    request=request,
                    user_id=self.person(endorsement.person, "person"),
                    skill=endorsement.skill,
                    endorser_id=self.person(endorsement.endorser, "endorser"),
                    created_at=_t(endorsement.created_at),
                )

    def _application(self, request: SkillRequest, item: fmt.ExportedApplication) -> None:
        skills_service.replay_application(
            request=request,
            user_id=self.person(item.person, "person"),
            message=item.message,
            state=item.state,
            invited=item.invited,
            created_at=_t(item.created_at),
            decided_at=_t(item.decided_at),
            decided_by_id=self.person(item.decided_by, "decided_by"),
        )


def import_group(*, data: bytes | str | dict | fmt.GroupExport, admin: User) -> dict:
    """Recreate an exported group on this instance, recorded as `admin`'s doing; a summary of what came in.

    The file's members and admins come back as they were; `admin` stays an admin only of a group
    the file names no admin for (and of placeholder groups for outside account holders).
    Everything happens in the caller's transaction: on any DomainError the caller rolls back and
    nothing is left. People not yet here get accounts without a password (they claim them with
    "Forgot password"). The ledger is replayed entry by entry, so `credit verify` holds afterwards.
    """
    export = read_export(data)
    take_the_import_lock()
    job = _Import(export, admin)
    try:
        job.import_people()
        job.import_groups()
        job.import_outside_groups()
        job.import_networks()
        job.import_transfers()
        job.import_discussions()
        job.import_polls()
        job.import_requests()
        job.step_back()
    except IntegrityError:
        raise invalid(
            "document", _("The file lists something twice that may appear once (a member, vote, reaction or account).")
        ) from None
    root = job.groups[export.groups[0].ref]
    return {
        "group": {"id": root.id, "handle": root.handle, "name": root.name},
        "groups": len(job.groups),
        "people_created": job.summary["people_created"],
        "people_existing": job.summary["people_existing"],
        "discussions": len(job.discussions),
        "comments": sum(len(d.comments) for d in export.discussions),
        "polls": len(export.polls),
        "votes": sum(len(p.votes) + len(p.ballots) for p in export.polls),
        "requests": len(export.requests),
        "networks": len(job.networks),
        "accounts": len(job.accounts),
        "transfers": len(job.transfers),
        "placeholder_groups": job.summary["placeholder_groups"],
        "closed_polls": job.summary["closed_polls"],
    }
