"""Issue 14 for groups: the group page as the hub, the public page of an open group, following it, Explore, and a
newcomer's first steps; issue 15: the groups area in Italian."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from platform6.credit import networks as credit_networks
from platform6.credit import requests as credit_requests
from platform6.extensions import db
from platform6.forums import labels
from platform6.forums import service as forums
from platform6.governance import service as governance
from platform6.groups import service
from platform6.groups.models import GroupFollow
from platform6.groups.permissions import forget_memberships
from platform6.notifications.models import Notification
from platform6.skills import service as skills
from platform6.skills.service import WantedSkill
from platform6.timeutil import utcnow


def text_of(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def people(create_user):
    return {key: create_user(name=key.title(), handle=key) for key in ("ada", "ben", "cy", "dee")}


def _poll(actor, group, title="Buy a new oven?"):
    poll = governance.create_poll(
        actor=actor, group=group, kind="proposal", title=title, closing_at=utcnow() + timedelta(days=3)
    )
    db.session.commit()
    return poll


def _request(actor, group, title="Help with our accounts", skill="Bookkeeping", location="Bologna"):
    found = skills.post_request(
        actor=actor, group=group, title=title, skills=[WantedSkill(name=skill, level=2)], location=location
    )
    db.session.commit()
    return found


def notifications_of(user, kind=None) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt))


# The hub


def test_the_group_page_counts_each_section_and_lists_what_needs_the_member(client, login, people, create_group):
    ada, ben, cy = people["ada"], people["ben"], people["cy"]
    group = create_group(admin=ada, privacy="open", handle="bakers", name="Bakers", members=[ben])
    forums.start_discussion(actor=ada, group=group, title="Flour prices")
    forums.start_discussion(actor=ben, group=group, title="Rye or spelt")
    _poll(ada, group)
    request = _request(ada, group)
    skills.apply(actor=cy, request=request, message="I keep books.")
    db.session.commit()

    login(ben)
    forget_memberships()
    page = text_of(client.get("/groups/bakers"))
    assert "Needs your attention" in page
    assert "1 vote is waiting for you" in page
    assert "application" not in page.split("Needs your attention")[1].split("</section>")[0]  # admins' task
    for label, count in (("Threads", 2), ("Decisions", 1), ("Skills", 1), ("Members", 2), ("Subgroups", 0)):
        assert f'<span>{label}</span> <span class="badge badge-muted">{count}</span>' in page, label
    assert "<span>Credit</span>" not in page  # the group holds no credit yet
    assert "Buy a new oven?" in page and "Help with our accounts" in page and "Bookkeeping" in page
    assert "Ask for help" in page

    login(ada)
    forget_memberships()
    page = text_of(client.get("/groups/bakers"))
    assert "1 application to a request is waiting for an answer" in page
    assert "vote is waiting" in page  # ada raised the poll but has not voted yet


def test_an_admin_sees_the_payment_requests_the_group_must_pay_and_its_accounts(client, login, people, create_group):
    ada, ben = people["ada"], people["ben"]
    group = create_group(admin=ada, privacy="closed", handle="mill", members=[ben])
    network = credit_networks.create_network(
        actor=ada, name="Mill Credit", group_id=group.id, currency_code="MIL", currency_name="Mill pound",
        currency_symbol="₥", currency_decimals=2, default_credit_limit=10000,
    )  # fmt: skip
    payer = credit_networks.open_account(
        actor=ada, network=network, holder_type="group", holder_id=group.id, kind="business"
    )
    payee = credit_networks.open_account(
        actor=ada, network=network, holder_type="user", holder_id=ben.id, kind="individual"
    )
    db.session.commit()
    credit_requests.request_payment(
        actor=ben, from_account_id=payer.id, to_account_id=payee.id, amount=2500, description="Sacks"
    )
    db.session.commit()

    login(ada)
    forget_memberships()
    page = text_of(client.get("/groups/mill"))
    assert "1 payment request asks the group to pay" in page
    assert '<span>Credit</span> <span class="badge badge-muted">2</span>' in page  # governs one, holds one
    assert "Mill Credit" in page and "Balance" in page

    login(ben)
    forget_memberships()
    page = text_of(client.get("/groups/mill"))
    assert "payment request" not in page  # the group's admins pay
    assert "Balance" not in page  # a group's balance is its admins' business


def test_the_hub_queries_do_not_grow_with_its_threads(client, login, people, create_group, queries):
    ada = people["ada"]
    group = create_group(admin=ada, privacy="open", handle="bakers")
    labels.create_label(actor=ada, group=group, name="Bread")
    first = forums.start_discussion(actor=ada, group=group, title="Thread 0")
    labels.assign(first, ["Bread"])
    db.session.commit()
    login(ada)
    forget_memberships()
    with queries() as one:
        client.get("/groups/bakers")
    for n in range(1, 6):
        labels.assign(forums.start_discussion(actor=ada, group=group, title=f"Thread {n}"), ["Bread"])
    db.session.commit()
    forget_memberships()
    with queries() as six:
        page = text_of(client.get("/groups/bakers"))
    assert page.count("Bread") >= 6  # each thread's label chip is there
    assert len(six) == len(one) <= 12


# The public page of an open group


def test_an_open_groups_page_is_public_with_its_needs_and_decisions(client, people, create_group):
    ada = people["ada"]
    group = create_group(admin=ada, privacy="open", handle="bakers", name="Bakers", description="We bake **bread**.")
    _poll(ada, group, title="Open on Sundays?")
    _request(ada, group, title="A logo for the shop", skill="Graphic design")
    page = text_of(client.get("/groups/bakers"))  # signed out
    assert "We bake <strong>bread</strong>." in page
    assert "Help we need" in page and "A logo for the shop" in page and "Graphic design" in page
    assert "Open on Sundays?" in page
    assert "Follow" in page and "/sign-up?next=" in page
    assert "Needs your attention" not in page and "<span>Credit</span>" not in page


def test_a_closed_groups_page_shows_no_content_and_no_follow_and_a_secret_group_has_none(client, people, create_group):
    ada = people["ada"]
    closed = create_group(admin=ada, privacy="closed", handle="printers", description="We print.")
    _poll(ada, closed, title="Members only vote")
    _request(ada, closed, title="Members only gig")
    create_group(admin=ada, privacy="secret", handle="cabal")
    page = text_of(client.get("/groups/printers"))
    assert "We print." in page
    assert "Members only vote" not in page and "Members only gig" not in page
    assert "Help we need" not in page and ">Follow<" not in page and "followers" not in page
    assert client.get("/groups/cabal").status_code == 404


# Following


def test_following_then_unfollowing_an_open_group(client, login, people, create_group):
    group = create_group(admin=people["ada"], privacy="open", handle="bakers", name="Bakers")
    login(people["dee"])
    response = client.post("/groups/bakers/follow", follow_redirects=True)
    assert "You follow Bakers" in text_of(response)
    assert "1 follower" in text_of(response) and "stop following" in text_of(response)
    client.post("/groups/bakers/follow")  # twice is once
    assert db.session.scalar(select(db.func.count()).select_from(GroupFollow)) == 1
    response = client.post("/groups/bakers/unfollow", follow_redirects=True)
    assert "You no longer follow Bakers" in text_of(response) and "0 followers" in text_of(response)
    assert db.session.scalar(select(GroupFollow).where(GroupFollow.group_id == group.id)) is None


def test_a_closed_group_cannot_be_followed(client, login, people, create_group):
    create_group(admin=people["ada"], privacy="closed", handle="printers")
    login(people["dee"])
    assert client.post("/groups/printers/follow").status_code == 403


def test_a_follower_hears_of_new_public_threads_decisions_and_requests_but_members_hear_once(people, create_group):
    ada, ben, dee = people["ada"], people["ben"], people["dee"]
    group = create_group(admin=ada, privacy="open", handle="bakers", name="Bakers", members=[ben])
    service.follow(actor=dee, group=group)
    service.follow(actor=ben, group=group)  # a member who follows hears as a member, once
    db.session.commit()
    forums.start_discussion(actor=ada, group=group, title="Flour prices")
    _poll(ada, group, title="Buy a new oven?")
    _request(ada, group, title="Help with our accounts")
    db.session.commit()
    texts = sorted(n.text for n in notifications_of(dee))
    assert texts == [
        "Bakers asks for help: Help with our accounts",
        "New decision in Bakers: Buy a new oven?",
        "New thread in Bakers: Flour prices",
    ]
    assert len(notifications_of(ben, "discussion_created")) == 1


def test_followers_of_a_group_that_closed_hear_nothing_and_are_told_in_their_language(people, create_group):
    ada, dee, cy = people["ada"], people["dee"], people["cy"]
    cy.locale = "it"
    group = create_group(admin=ada, privacy="open", handle="bakers", name="Bakers")
    service.follow(actor=dee, group=group)
    service.follow(actor=cy, group=group)
    db.session.commit()
    forums.start_discussion(actor=ada, group=group, title="Flour")
    db.session.commit()
    assert [n.text for n in notifications_of(cy)] == ["Nuova discussione in Bakers: Flour"]
    service.update_group(actor=ada, group=group, privacy="closed")
    forums.start_discussion(actor=ada, group=group, title="Private now")
    db.session.commit()
    assert [n.text for n in notifications_of(dee)] == ["New thread in Bakers: Flour"]


def test_the_follow_api(api, people, create_group):
    group = create_group(admin=people["ada"], privacy="open")
    closed = create_group(admin=people["ada"], privacy="closed")
    dee = people["dee"]
    assert api.post(f"/groups/{group.id}/follow", {}, user=dee).get_json() == {
        "group_id": group.id, "following": True, "followers_count": 1,
    }  # fmt: skip
    assert api.get(f"/groups/{group.id}/followers").get_json()["followers_count"] == 1
    assert api.delete(f"/groups/{group.id}/follow", user=dee).get_json()["following"] is False
    response = api.post(f"/groups/{closed.id}/follow", {}, user=dee)
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"


# Explore


def test_explore_finds_open_groups_by_name_place_and_needed_skill(client, people, create_group):
    ada = people["ada"]
    bakers = create_group(admin=ada, privacy="open", name="Bologna Bakers", place="Bologna")
    create_group(admin=ada, privacy="open", name="Leeds Printers", place="Leeds")
    create_group(admin=ada, privacy="closed", name="Bologna Closed Club", place="Bologna")
    create_group(admin=ada, privacy="secret", name="Bologna Secret", place="Bologna")
    _request(ada, bakers, skill="Bookkeeping")

    page = text_of(client.get("/explore"))  # signed out
    assert "Bologna Bakers" in page and "Leeds Printers" in page
    assert "Closed Club" not in page and "Secret" not in page
    page = text_of(client.get("/explore?q=print"))
    assert "Leeds Printers" in page and "Bologna Bakers" not in page and "1 group found" in page
    page = text_of(client.get("/explore?place=bologna"))
    assert "Bologna Bakers" in page and "Leeds" not in page and "Closed Club" not in page
    page = text_of(client.get("/explore?skill=bookkeep"))
    assert "Bologna Bakers" in page and "Leeds Printers" not in page and "Bookkeeping" in page
    assert "No open group matches" in text_of(client.get("/explore?skill=welding"))
    assert client.get("/explore?q=%25_%5C").status_code == 200


def test_the_place_is_set_in_the_groups_settings(client, login, people, create_group):
    group = create_group(admin=people["ada"], privacy="open", handle="bakers", name="Bakers")
    login(people["ada"])
    client.post("/groups/bakers/settings", data={"name": "Bakers", "privacy": "open", "place": "  Huddersfield  "})
    db.session.refresh(group)
    assert group.place == "Huddersfield"
    response = client.post("/groups/bakers/settings", data={"name": "Bakers", "privacy": "open", "place": "x" * 101})
    assert response.status_code == 422


# First steps


def test_a_newcomer_sees_first_steps_until_they_have_a_group_and_skills(client, login, people, create_group):
    dee = people["dee"]
    login(dee)
    page = text_of(client.get("/dashboard"))
    assert "Your first steps" in page
    for step in (
        "Complete your profile and skills",
        "Explore groups",
        "Join a group",
        "Set your language and time zone",
    ):
        assert step in page
    assert "Find one</a> or" not in page  # the old sentence split across the card
    group = create_group(privacy="open")
    service.join(actor=dee, group=group)
    db.session.commit()
    page = text_of(client.get("/dashboard"))
    assert "Your first steps" in page and page.count('class="done"') == 2  # explored, and in a group
    skills.set_skills(actor=dee, skills=[("Bookkeeping", 3)])
    db.session.commit()
    assert "Your first steps" not in text_of(client.get("/dashboard"))


# Italian


def test_the_groups_area_reads_in_italian(client, login, people, create_group):
    ada, ben = people["ada"], people["ben"]
    group = create_group(admin=ada, privacy="open", handle="bakers", name="Bakers", members=[ben])
    _poll(ada, group)
    it = {"Accept-Language": "it"}
    page = text_of(client.get("/groups/bakers", headers=it))
    for italian in ("Decisioni", "Competenze", "Membri", "Sottogruppi", "Segui", "Di cosa abbiamo bisogno", "2 membri"):
        assert italian in page, italian
    assert "Members" not in page and "Help we need" not in page
    assert "Esplora" in text_of(client.get("/explore", headers=it))
    ben.locale = "it"  # a person's setting outranks the browser's language
    db.session.commit()
    login(ben)
    forget_memberships()
    page = text_of(client.get("/groups/bakers", headers=it))
    assert "Richiede la tua attenzione" in page and "1 voto ti aspetta" in page
    page = text_of(client.get("/dashboard", headers=it))
    assert "I miei gruppi" in page
