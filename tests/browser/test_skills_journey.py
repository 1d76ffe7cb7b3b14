"""A co-op posts a request with a reward; the volunteer sees it first in "gigs for you", applies, is
accepted, the work is marked done, and the credit arrives in the volunteer's account."""

from playwright.sync_api import expect

from platform6.credit import service as credit
from platform6.extensions import db
from platform6.skills import service as skills


def test_request_to_reward_journey(live_server, new_page, screenshot, create_user, create_group):
    cora, vik = create_user(name="Cora Admin"), create_user(name="Vik Volunteer")
    group = create_group(admin=cora, members=[vik], privacy="open", name="Repair Co-op")
    network = credit.create_network(actor=cora, name="Repair Credit", group_id=group.id, currency_code="RPR",
                                    currency_name="Repair credit", currency_symbol="R", currency_decimals=2)  # fmt: skip
    credit.open_account(
        actor=None, network=network, holder_type="group", holder_id=group.id, kind="business", credit_limit=100_00
    )
    vik_account = credit.open_account(
        actor=None, network=network, holder_type="user", holder_id=vik.id, kind="individual"
    )
    skills.update_profile(actor=vik, languages=["en"], availability_hours_per_week=5)
    skills.set_skills(actor=vik, skills=[("Video editing", 4), ("Photography", 3)])
    skills.post_request(actor=cora, group=group, title="Photos of our repair cafe",
                        skills=[skills.WantedSkill("Photography", 4, True), skills.WantedSkill("Video editing", 2, False)])  # fmt: skip
    db.session.commit()

    def sign_in(page, user):
        page.goto(live_server + "/sign-in")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill("correct horse")
        page.get_by_role("button", name="Sign in").click()

    coop = new_page()
    sign_in(coop, cora)
    coop.goto(f"{live_server}/groups/{group.handle}/requests/new")
    coop.get_by_label("What do you need?").fill("Edit our repair cafe video")
    coop.locator("#skills-0-name").fill("video editors")
    coop.locator("#skills-0-name").press("Escape")  # close the autocomplete list
    coop.locator("#skills-0-level").select_option("3")
    coop.get_by_label("Pay a reward from").select_option(label="Repair Co-op · Repair Credit (RPR)")
    coop.get_by_label("Reward in total (split by hours)").fill("12.50")
    coop.get_by_role("button", name="Post the request").click()
    expect(coop.get_by_role("heading", name="Edit our repair cafe video")).to_be_visible()
    screenshot(coop, "request-posted")
    coop.reload()

    volunteer = new_page(width=390, height=844)
    sign_in(volunteer, vik)
    volunteer.goto(live_server + "/skills")
    gigs = volunteer.locator("ol.gigs > li")
    expect(gigs.first).to_contain_text("Edit our repair cafe video")
    expect(gigs.nth(1)).to_contain_text("Photos of our repair cafe")
    screenshot(volunteer, "gigs-for-you")  # (a full-page screenshot upsets later clicks on this page)
    volunteer.reload()
    gigs.first.get_by_role("link").click()
    volunteer.get_by_label("Message to the group").fill("I cut videos for a living; happy to help.")
    volunteer.get_by_role("button", name="Apply").click()
    expect(volunteer.locator("[data-application-state]")).to_have_text("pending")

    coop.reload()
    coop.get_by_role("button", name="Accept Vik Volunteer").click()
    expect(coop.locator("[data-state]")).to_have_text("assigned")
    coop.get_by_label("Hours Vik Volunteer gave").fill("3")
    coop.get_by_label("Video editing").check()
    coop.get_by_role("button", name="Mark as done and pay the reward").click()
    expect(coop.locator("[data-state]")).to_have_text("completed")
    screenshot(coop, "request-done")

    volunteer.goto(f"{live_server}/credit/accounts/{vik_account.id}")
    expect(volunteer.locator("[data-balance]")).to_contain_text("12.50")
    screenshot(volunteer, "credit-arrived")
