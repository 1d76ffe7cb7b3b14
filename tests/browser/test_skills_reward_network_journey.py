"""Issue 14 "Skills": a volunteer without an account in the reward's network is told so when applying; the
co-op's admin (who also runs the network) sees it on accepting, opens the account from the request page in
one click, and completes the request with the reward, at a phone's width and a desktop's."""

import pytest
from playwright.sync_api import expect

from platform6.credit import service as credit
from platform6.extensions import db
from platform6.skills import service as skills


@pytest.mark.parametrize("width", [390, 1280])
def test_reward_network_warning_resolved_then_completed(
    live_server, new_page, screenshot, create_user, create_group, width
):
    cora, vik = create_user(name="Cora Admin"), create_user(name="Vik Volunteer")
    group = create_group(admin=cora, members=[vik], privacy="open", name="Repair Co-op")
    network = credit.create_network(actor=cora, name="Repair Credit", group_id=group.id, currency_code="RPR",
                                    currency_name="Repair credit", currency_symbol="£", currency_decimals=2)  # fmt: skip
    pot = credit.open_account(
        actor=None, network=network, holder_type="group", holder_id=group.id, kind="business", credit_limit=100_00
    )
    skills.set_skills(actor=vik, skills=[("Video editing", 4)])
    request = skills.post_request(actor=cora, group=group, title="Edit our repair cafe video",
                                  skills=[skills.WantedSkill("Video editing", 3, True)],
                                  reward_account_id=pot.id, reward_amount=60_00)  # fmt: skip
    db.session.commit()
    url = f"{live_server}/skills/requests/{request.id}"

    def sign_in(page, user):
        page.goto(live_server + "/sign-in")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill("correct horse")
        page.get_by_role("button", name="Sign in").click()

    def fits(page):
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    volunteer = new_page(width=width, height=900)
    sign_in(volunteer, vik)
    volunteer.goto(url)
    expect(volunteer.get_by_text("only you see this")).to_be_visible()
    volunteer.get_by_label("Message to the group").fill("Happy to help.")
    volunteer.get_by_role("button", name="Apply").click()
    expect(volunteer.locator("[data-application-state]")).to_have_text("pending")
    warning = volunteer.locator(".card.reward-account-warning")
    expect(warning).to_contain_text("The reward is paid in Repair Credit, where you have no account yet.")
    fits(volunteer)
    screenshot(volunteer, f"volunteer-warned-{width}")

    coop = new_page(width=width, height=900)
    sign_in(coop, cora)
    coop.goto(url)
    coop.get_by_role("button", name="Accept Vik Volunteer").click()
    expect(coop.locator(".flashes")).to_contain_text("Vik Volunteer has no account in Repair Credit")
    expect(coop.locator("#complete-heading")).to_be_visible()
    fits(coop)
    screenshot(coop, f"admin-warned-{width}")
    coop.get_by_role("button", name="Open Vik Volunteer's account in Repair Credit").click()
    expect(coop.locator(".flashes")).to_contain_text("The account is open")
    expect(coop.locator(".reward-account-warning")).to_have_count(0)
    coop.get_by_label("Hours Vik Volunteer gave").fill("3")
    coop.get_by_label("Video editing").check()
    coop.get_by_role("button", name="Mark as done and pay the reward").click()
    expect(coop.locator("[data-state]")).to_have_text("completed")
    fits(coop)
    screenshot(coop, f"completed-{width}")

    volunteer.goto(f"{live_server}/skills/people/{vik.id}")
    expect(volunteer.locator("[data-credit-earned]")).to_have_text("£60.00")
    fits(volunteer)
    screenshot(volunteer, f"credit-earned-{width}")
