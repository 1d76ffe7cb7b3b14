"""A group with something of every kind (built through the services), and a helper that empties the instance."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from platform6.credit import service as credit
from platform6.exports.export import export_group
from platform6.extensions import db
from platform6.forums import service as forums
from platform6.governance import service as governance
from platform6.groups.permissions import forget_memberships
from platform6.skills import service as skills
from platform6.timeutil import utcnow
from tests.conftest import _empty_all_tables


@dataclass
class Story:
    admin: object = None
    people: dict = field(default_factory=dict)
    group: object = None
    subgroup: object = None
    thread: object = None
    comments: dict = field(default_factory=dict)
    polls: dict = field(default_factory=dict)
    request: object = None
    network: object = None
    accounts: dict = field(default_factory=dict)
    balances: dict = field(default_factory=dict)


@pytest.fixture
def story(create_user, create_group) -> Story:
    s = Story()
    s.admin = create_user(name="Ada Admin", email="ada@example.org")
    for name in ("bea", "cy", "dan"):
        s.people[name] = create_user(name=name.capitalize(), email=f"{name}@example.org")
    bea, cy, dan = s.people["bea"], s.people["cy"], s.people["dan"]
    s.group = create_group(
        admin=s.admin, privacy="closed", members=[bea, cy, dan], name="Riverside Co-op", handle="riverside"
    )
    s.subgroup = create_group(
        admin=s.admin,
        privacy="secret",
        members=[bea],
        name="Riverside board",
        handle="riverside-board",
        parent_id=s.group.id,
    )

    s.thread = forums.start_discussion(
        actor=bea, group=s.group, title="Solar panels", description="Shall we **buy** some?"
    )
    first = forums.post_comment(actor=cy, discussion=s.thread, body="Yes, @bea, let us.")
    reply = forums.post_comment(actor=dan, discussion=s.thread, body="Agreed.", parent_id=first.id)
    forums.edit_comment(actor=dan, comment=reply, body="Agreed, with a quote first.")
    gone = forums.post_comment(actor=cy, discussion=s.thread, body="Oops, wrong thread.")
    forums.delete_comment(actor=cy, comment=gone)
    forums.add_reaction(actor=bea, comment=first, emoji="👍")
    s.comments = {"first": first, "reply": reply, "gone": gone}

    soon = utcnow() + timedelta(days=3)
    public = governance.create_poll(
        actor=bea, group=s.group, kind="proposal", title="Buy the panels", closing_at=soon, discussion_id=s.thread.id
    )
    governance.cast_vote(actor=bea, poll=public, choices={"agree": 1}, reason="Cheaper power")
    governance.cast_vote(actor=cy, poll=public, choices={"disagree": 1})
    governance.cast_vote(actor=cy, poll=public, choices={"agree": 1}, reason="Changed my mind")
    governance.close_poll(poll=public, actor=bea)
    governance.set_outcome(actor=bea, poll=public, statement="We buy them.", option="agree")
    secret = governance.create_poll(
        actor=bea,
        group=s.group,
        kind="poll",
        title="Which supplier?",
        closing_at=soon,
        options=["Sunny", "Bright"],
        anonymous=True,
    )
    governance.cast_vote(actor=cy, poll=secret, choices={"Sunny": 1}, reason="Local")
    governance.cast_vote(actor=dan, poll=secret, choices={"Bright": 1})
    governance.cast_vote(actor=bea, poll=secret, choices={"Bright": 1})  # an anonymous poll takes no proxies
    governance.close_poll(poll=secret, actor=bea)
    running = governance.create_poll(
        actor=s.admin, group=s.group, kind="count", title="Meet on Friday?", closing_at=soon
    )
    governance.cast_vote(actor=dan, poll=running, choices={"yes": 1})
    s.polls = {"public": public, "secret": secret, "running": running}

    s.network = credit.create_network(
        actor=s.admin, name="Riverside credit", group_id=s.group.id, currency_code="RIV", currency_name="Riverside pound",
        currency_symbol="R", currency_decimals=2, default_credit_limit=10000,
    )  # fmt: skip
    s.accounts["group"] = credit.open_account(
        actor=s.admin, network=s.network, holder_type="group", holder_id=s.group.id, kind="business"
    )
    for name in ("bea", "cy"):
        s.accounts[name] = credit.open_account(
            actor=s.admin, network=s.network, holder_type="user", holder_id=s.people[name].id, kind="individual"
        )
    credit.transfer(
        from_account_id=s.accounts["bea"].id,
        to_account_id=s.accounts["cy"].id,
        amount=2500,
        description="Veg box",
        actor=bea,
    )
    wrong = credit.transfer(
        from_account_id=s.accounts["cy"].id,
        to_account_id=s.accounts["bea"].id,
        amount=700,
        description="Typo",
        actor=cy,
    )
    credit.reverse(transfer_id=wrong.id, reason="Sent twice", actor=s.admin)
    credit.transfer(
        from_account_id=s.accounts["group"].id,
        to_account_id=s.accounts["bea"].id,
        amount=1200,
        description="Fee",
        actor=s.admin,
    )

    s.request = skills.post_request(
        actor=s.admin, group=s.group, title="Fit the panels", description="On the **roof**",
        skills=[skills.WantedSkill(name="Electrician", level=3)], hours_estimate=6,
        reward_account_id=s.accounts["group"].id, reward_amount=3000,
    )  # fmt: skip
    application = skills.apply(actor=dan, request=s.request, message="I am qualified")
    skills.decide_application(actor=s.admin, application=application, accept=True)
    db.session.commit()
    s.balances = {name: account.balance for name, account in s.accounts.items()}
    db.session.expire_all()
    return s


@pytest.fixture
def wipe():
    """Empty every table: what follows runs on a fresh instance."""

    def run() -> None:
        db.session.commit()
        _empty_all_tables()
        forget_memberships()
        db.session.expire_all()

    return run


@pytest.fixture
def exported(story, wipe, create_user):
    """The story's group file, on an instance emptied since, and a person to import it."""
    data = export_group(group=story.group, actor=story.admin)
    wipe()
    return data, create_user(email="root@example.org")
