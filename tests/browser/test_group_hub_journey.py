"""Issue 14, the group as the hub: an admin opens the group page, sees each section with its count and what waits for
them (a vote, an application, a payment request the group must pay), follows those links, and raises a binding
proposal that sets a member's credit limit by picking the account by name and typing the limit in pounds."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from platform6.credit import networks, requests
from platform6.extensions import db
from platform6.forums import service as forums
from platform6.governance import service as governance
from platform6.skills import service as skills
from platform6.skills.service import WantedSkill
from platform6.timeutil import utcnow
from tests.browser.conftest import sign_in


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [390, 1280])
def test_the_group_page_leads_to_every_part_and_to_what_waits(
    live_server, new_page, screenshot, create_user, create_group, width
):
    ada, ben, cy = create_user(name="Ada Admin"), create_user(name="Ben Baker"), create_user(name="Cy Clerk")
    group = create_group(admin=ada, members=[ben], name="Bakers", handle="bakers", privacy="open")
    forums.start_discussion(actor=ben, group=group, title="Rye or spelt")
    governance.create_poll(
        actor=ben, group=group, kind="proposal", title="Buy a new oven?", closing_at=utcnow() + timedelta(days=3)
    )
    wanted = skills.post_request(
        actor=ada, group=group, title="Help with our accounts", skills=[WantedSkill(name="Bookkeeping", level=2)]
    )
    skills.apply(actor=cy, request=wanted, message="I keep books.")
    network = networks.create_network(
        actor=ada, name="Bakers Credit", group_id=group.id, currency_code="BKR", currency_name="Bakers pound",
        currency_symbol="£", currency_decimals=2, default_credit_limit=10_000,
    )  # fmt: skip
    bakery = networks.open_account(actor=ada, network=network, holder_type="group", holder_id=group.id, kind="business")
    bens = networks.open_account(actor=ada, network=network, holder_type="user", holder_id=ben.id, kind="business")
    db.session.commit()
    requests.request_payment(
        actor=ben, from_account_id=bakery.id, to_account_id=bens.id, amount=2500, description="Sacks of flour"
    )
    db.session.commit()

    page = new_page(width=width, height=900)
    sign_in(page, live_server, ada)
    page.goto(f"{live_server}/groups/bakers")
    sections = page.get_by_role("navigation", name="In this group")
    for label, count in (("Threads", "1"), ("Decisions", "1"), ("Skills", "1"), ("Credit", "2"), ("Members", "2")):
        expect(sections.get_by_role("link", name=f"{label} {count}")).to_be_visible()
    attention = page.get_by_role("region", name="Needs your attention")
    expect(attention).to_contain_text("1 vote is waiting for you")
    expect(attention).to_contain_text("1 application to a request is waiting for an answer")
    expect(attention).to_contain_text("1 payment request asks the group to pay")
    fits(page, width)
    screenshot(page, f"hub-{width}")

    attention.get_by_role("link", name="1 vote is waiting for you").click()
    expect(page.get_by_role("link", name="Buy a new oven?")).to_be_visible()
    page.go_back()
    page.get_by_role("region", name="Needs your attention").get_by_role("link", name="application").click()
    page.get_by_role("link", name="Help with our accounts").first.click()
    expect(page.get_by_text("Cy Clerk").first).to_be_visible()
    fits(page, width)
    screenshot(page, f"applications-{width}")

    page.goto(f"{live_server}/groups/bakers/decisions/new")
    page.get_by_label("Title").fill("Raise Ben's limit")
    page.get_by_label("Binding action (admins)").select_option("set_credit_limit")
    page.get_by_label("Account", exact=True).select_option(label="Ben Baker · Bakers Credit (BKR)")  # by name
    page.get_by_label("New limit").fill("250")  # in pounds, not pence
    expect(page.get_by_text("An account's credit limit is how far below zero its balance may go")).to_be_visible()
    screenshot(page, f"binding-action-form-{width}")
    page.get_by_role("button", name="Open for votes").click()
    action = page.get_by_role("region", name="Binding action")
    expect(action).to_contain_text("Set the credit limit of Ben Baker's account in Bakers Credit to £250.00")
    expect(action).to_contain_text("how far below zero the account's balance may go")
    fits(page, width)
    screenshot(page, f"binding-action-{width}")
