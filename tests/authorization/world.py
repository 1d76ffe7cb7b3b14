"""The world the matrix calls routes on: people, a group of each privacy, and, built on first use, the
things of each feature in each group (made through the feature services, as a person would make them).

Cast: `admin` created each group; `member` and `target` are members of each; `outsider`, `newcomer` and
`applicant` belong to none. Each person is made on first mention, and only what a route's URL, body or
preparation asks for is built, so a route pays for its own objects only.
"""

from datetime import timedelta
from types import SimpleNamespace
from uuid import uuid4

from sqlalchemy import select

from platform6.accounts.models import ApiToken
from platform6.accounts.service import create_token, password_reset_token
from platform6.credit import queries as credit_queries
from platform6.credit import service as credit
from platform6.extensions import db
from platform6.federation import discrepancies, grafting
from platform6.federation.models import Link, PeerDiscrepancy
from platform6.forums import guests as forum_guests
from platform6.forums import labels
from platform6.forums import queries as forums_queries
from platform6.forums import service as forums
from platform6.governance import queries as governance_queries
from platform6.governance import service as governance
from platform6.groups import service as groups
from platform6.groups.models import JoinRequest
from platform6.groups.permissions import forget_memberships
from platform6.notifications.outbox import unsubscribe_token
from platform6.notifications.service import notify
from platform6.skills import queries as skills_queries
from platform6.skills import service as skills
from platform6.skills.models import Application
from platform6.timeutil import utcnow

from . import PRIVACIES

#: the reaction the member and the admin left on the member's comment
EMOJI = "👍"
#: the skill the group's request asks for
SKILL = "Video editing"


class World:
    def __init__(self, users: dict, groups_by_privacy: dict):
        self.users = users
        self.groups = groups_by_privacy
        self._built: dict = {}

    def _once(self, key, build):
        if key not in self._built:
            forget_memberships()  # requests may have changed memberships since the last build
            self._built[key] = build()
            db.session.commit()
        return self._built[key]

    # --- foundation -------------------------------------------------------------------------------

    def join_request(self, privacy: str) -> int:
        """The applicant's pending request (a row of its own: joining an open group makes a member at once,
        and nobody can ask to join a secret group)."""

        def build():
            found = JoinRequest(
                group_id=self.groups[privacy].id, user_id=self.users["applicant"].id, introduction="hello"
            )
            db.session.add(found)
            db.session.flush()
            return found.id

        return self._once(("join_request", privacy), build)

    def invitation(self, privacy: str) -> tuple[int, str]:
        def build():
            invitation, token = groups.create_invitation(actor=self.users["admin"], group=self.groups[privacy])
            return invitation.id, token

        return self._once(("invitation", privacy), build)

    def member_token_id(self, privacy: str) -> int:
        """One token of the member's per privacy: the member revokes it on each round."""

        def build():
            secret = create_token(user=self.users["member"], name="revocable")
            return db.session.scalar(select(ApiToken.id).where(ApiToken.token_hash == ApiToken.hash(secret)))

        return self._once(("token", privacy), build)

    def member_notification_id(self) -> int:
        def build():
            users = self.users
            (note_id,) = notify(
                user_ids=[users["member"].id], kind="mention", url="/groups", text="hi", actor_id=users["admin"].id
            )
            return note_id

        return self._once("notification", build)

    # --- forums -----------------------------------------------------------------------------------

    def forum(self, privacy: str) -> SimpleNamespace:
        """The member's thread with the member's comment, which the member and the admin reacted to."""

        def build():
            member, admin = self.users["member"], self.users["admin"]
            discussion = forums.start_discussion(actor=member, group=self.groups[privacy], title="Our cargo bike")
            comment = forums.post_comment(actor=member, discussion=discussion, body="Shall we buy one?")
            forums.edit_comment(actor=member, comment=comment, body="Shall we buy one soon?")
            for person in (member, admin):
                forums.add_reaction(actor=person, comment=comment, emoji=EMOJI)
            return SimpleNamespace(discussion_id=discussion.id, comment_id=comment.id)

        return self._once(("forum", privacy), build)

    def thread_guest(self, privacy: str) -> int:
        """The `guest` (in no group) invited by the admin to the member's thread: the guest's id."""

        def build():
            discussion = forums_queries.discussion_by_id(self.forum(privacy).discussion_id)
            forum_guests.invite_guest(actor=self.users["admin"], discussion=discussion, user=self.users["guest"])
            return self.users["guest"].id

        return self._once(("thread_guest", privacy), build)

    LABEL = "Chores"

    def label(self, privacy: str) -> None:
        """The group's label LABEL (made again when a delete took it)."""
        group = self.groups[privacy]
        if labels.label_named(group.id, self.LABEL) is None:
            labels.create_label(actor=self.users["admin"], group=group, name=self.LABEL)
            db.session.commit()

    def elsewhere(self) -> int:
        """A closed group the admin administers and the member belongs to: where threads are moved."""

        def build():
            group = groups.create_group(actor=self.users["admin"], name="Elsewhere", privacy="closed")
            groups.add_member(actor=self.users["admin"], group=group, user_id=self.users["member"].id)
            return group.id

        return self._once("elsewhere", build)

    # --- governance -------------------------------------------------------------------------------

    def _raise_poll(self, privacy: str, title: str):
        return governance.create_poll(
            actor=self.users["admin"],
            group=self.groups[privacy],
            kind="proposal",
            title=title,
            closing_at=utcnow() + timedelta(days=3),
        )

    def poll(self, privacy: str) -> int:
        """An open proposal the admin raised (so the member is neither its author nor an admin)."""
        return self._once(("poll", privacy), lambda: self._raise_poll(privacy, "Buy a cargo bike").id)

    def closed_poll(self, privacy: str) -> int:
        def build():
            poll = self._raise_poll(privacy, "Paint the door")
            governance.close_poll(poll=poll, actor=self.users["admin"])
            return poll.id

        return self._once(("closed_poll", privacy), build)

    def binding_poll(self, privacy: str, rule: str) -> int:
        """An open binding proposal the admin raised, one per route (cancelling closes it)."""

        def build():
            action = {"type": "set_credit_limit", "account_id": self.credit(privacy).member_account, "credit_limit": 0}
            return governance.create_poll(
                actor=self.users["admin"],
                group=self.groups[privacy],
                kind="proposal",
                title="Set the member's limit",
                closing_at=utcnow() + timedelta(days=3),
                action=action,
            ).id

        return self._once(("binding_poll", privacy, rule), build)

    def proxies(self, privacy: str) -> None:
        """The member and the admin let the target vote for them on the open poll."""

        def build():
            poll = governance_queries.poll_by_id(self.poll(privacy))
            for person in ("member", "admin"):
                governance.set_proxy(actor=self.users[person], poll=poll, proxy_id=self.users["target"].id)

        self._once(("proxies", privacy), build)

    # --- credit -----------------------------------------------------------------------------------

    def credit(self, privacy: str) -> SimpleNamespace:
        """A network governed by the group, accounts of the member and the admin, a payment from the
        member to the admin, and the admin's request that the member pay again."""

        def build():
            member, admin = self.users["member"], self.users["admin"]
            network = credit.create_network(
                actor=admin,
                name=f"Credit of the {privacy} group",
                group_id=self.groups[privacy].id,
                currency_code="SKL",
                currency_name="Sterling Kredit",
                currency_symbol="§",
                currency_decimals=2,
                default_credit_limit=100_000,
            )
            accounts = {
                person: credit.open_account(
                    actor=admin, network=network, holder_type="user", holder_id=self.users[person].id, kind="individual"
                ).id
                for person in ("member", "admin")
            }
            paid = credit.transfer(
                from_account_id=accounts["member"],
                to_account_id=accounts["admin"],
                amount=500,
                description="Bread",
                actor=member,
            )
            asked = credit.request_payment(
                actor=admin,
                from_account_id=accounts["member"],
                to_account_id=accounts["admin"],
                amount=300,
                description="More bread",
            )
            return SimpleNamespace(
                network_id=network.id,
                member_account=accounts["member"],
                admin_account=accounts["admin"],
                transfer_id=paid.id,
                payment_request_id=asked.id,
            )

        return self._once(("credit", privacy), build)

    # --- federation: grafting ---------------------------------------------------------------------

    def graft(self, privacy: str) -> SimpleNamespace:
        """The group's network named as a node, a pending graft request from a P6 leaf elsewhere, and a Komunitin
        leaf grafted under it (active, its starting hash not shown yet): no route here calls another server."""

        def build():
            network = credit_queries.network_by_id(self.credit(privacy).network_id)
            grafting.name_node(actor=self.users["admin"], network=network, node_name=f"node-{privacy}")
            body = {
                "node_name": "leeds",
                "url": "https://leeds.example/cc/leeds/",
                "currency": {"code": "LDS", "name": "Leeds pound", "decimals": 2},
                "exchange_rate": "1",
                "pickup_token_sha256": "a" * 64,
            }
            asked = grafting.receive_graft_request(network=network, body=body, remote_address="192.0.2.1")
            action = {"network_id": network.id, "node_name": "kirklees", "profile": "komunitin", "credit_limit": 0,
                      "peer_url": "https://kirklees.example/cc/"}  # fmt: skip
            grafting.apply_graft_action(group=self.groups[privacy], action=action)
            link = db.session.scalar(select(Link).where(Link.network_id == network.id))
            link.status = "active"
            discrepancies.record(link=link, uuid=str(uuid4()), amount=500, reason="no_route", payer="kirklees/ann",
                                 payee=f"node-{privacy}/nobody")  # fmt: skip
            found = db.session.scalar(select(PeerDiscrepancy).where(PeerDiscrepancy.link_id == link.id))
            return SimpleNamespace(node_name=network.cc_name, request_id=asked.id, link_id=link.id,
                                   discrepancy_id=found.id)  # fmt: skip

        return self._once(("graft", privacy), build)

    # --- skills -----------------------------------------------------------------------------------

    def skill_request(self, privacy: str) -> int:
        """A request the admin posted for the group (so the member manages nothing of it)."""

        def build():
            posted = skills.post_request(
                actor=self.users["admin"],
                group=self.groups[privacy],
                title="Cut our video",
                skills=[skills.WantedSkill(SKILL, 2, True)],
            )
            return posted.id

        return self._once(("skill_request", privacy), build)

    def application(self, privacy: str) -> int:
        """The member's pending application to the group's request."""

        def build():
            found = skills_queries.request_by_id(self.skill_request(privacy))
            return skills.apply(actor=self.users["member"], request=found, message="I can").id

        return self._once(("application", privacy), build)

    def accepted_application(self, privacy: str) -> None:
        def build():
            application = db.session.get(Application, self.application(privacy))
            skills.decide_application(actor=self.users["admin"], application=application, accept=True)

        self._once(("accepted", privacy), build)

    def saved_search(self, privacy: str) -> int:
        """One of the member's per privacy: the member deletes it on each round."""
        return self._once(
            ("saved_search", privacy), lambda: skills.save_search(actor=self.users["member"], q="video").id
        )


class Cast(dict):
    """The people by role, each made on first mention."""

    def __init__(self, create_user):
        super().__init__()
        self._create_user = create_user

    def __missing__(self, role: str):
        self[role] = person = self._create_user(name=f"The {role}")
        return person


def build_world(create_user, create_group) -> World:
    users = Cast(create_user)
    members = [users["member"], users["target"]]
    made = {privacy: create_group(admin=users["admin"], privacy=privacy, members=members) for privacy in PRIVACIES}
    return World(users, made)


def _user_id(w: World, p: str, rule: str) -> int:
    """The member where a person is looked at; the thread's guest where one is removed; the target where someone
    acts on a member."""
    if "/guests/" in rule:
        return w.thread_guest(p)
    looked_at = rule.startswith(("/api/v1/users/", "/skills/people/"))
    return w.users["member" if looked_at else "target"].id


def _request_id(w: World, p: str, rule: str) -> int:
    if "/graft-requests/" in rule:
        return w.graft(p).request_id
    if rule.startswith(("/api/v1/payment-requests", "/credit/requests")):
        return w.credit(p).payment_request_id
    if rule.startswith(("/api/v1/requests", "/skills/requests")):
        return w.skill_request(p)
    return w.join_request(p)


def _token(w: World, p: str, rule: str) -> str:
    # a reset link is authority by itself: whoever holds the member's link may use it
    if "unsubscribe" in rule:
        return unsubscribe_token(w.users["member"].id, w.groups[p].id)
    return w.invitation(p)[1] if "invitations" in rule else password_reset_token(w.users["member"])


def _poll_id(w: World, p: str, rule: str) -> int:
    # an outcome is written once the poll has closed; only a binding proposal is cancelled
    if rule.endswith("/cancel"):
        return w.binding_poll(p, rule)
    return w.closed_poll(p) if rule.endswith("/outcome") else w.poll(p)


# URL parameter name -> (world, privacy, rule) -> value
PARAMS = {
    "handle": lambda w, p, rule: w.users["member"].handle if rule.startswith("/people/") else w.groups[p].handle,
    "group_id": lambda w, p, rule: w.groups[p].id,
    "user_id": _user_id,
    "request_id": _request_id,
    "invitation_id": lambda w, p, rule: w.invitation(p)[0],
    "token": _token,
    "token_id": lambda w, p, rule: w.member_token_id(p),
    "notification_id": lambda w, p, rule: w.member_notification_id(),
    "decision": lambda w, p, rule: "accept" if rule.startswith("/skills/") else "approve",
    # forums
    "discussion_id": lambda w, p, rule: w.forum(p).discussion_id,
    "comment_id": lambda w, p, rule: w.forum(p).comment_id,
    "emoji": lambda w, p, rule: EMOJI,
    "name": lambda w, p, rule: World.LABEL,
    # governance
    "poll_id": _poll_id,
    # credit: the member's account, and what the admin may do to it
    "network_id": lambda w, p, rule: w.credit(p).network_id,
    "account_id": lambda w, p, rule: w.credit(p).member_account,
    "transfer_id": lambda w, p, rule: w.credit(p).transfer_id,
    "status": lambda w, p, rule: "suspended" if "/federation/" in rule else "frozen",
    "answer": lambda w, p, rule: "accept",
    # federation: the node's name (with a Komunitin leaf grafted under it), its link, a transaction nobody made, and a
    # state to move it to
    "node": lambda w, p, rule: w.graft(p).node_name,
    "link_id": lambda w, p, rule: w.graft(p).link_id,
    "discrepancy_id": lambda w, p, rule: w.graft(p).discrepancy_id,
    "uuid": lambda w, p, rule: "9a1c3a52-3f0e-4f8e-9b1a-2c5d7e9f0a11",
    "dest": lambda w, p, rule: "C",
    # skills
    "application_id": lambda w, p, rule: w.application(p),
    "search_id": lambda w, p, rule: w.saved_search(p),
}
