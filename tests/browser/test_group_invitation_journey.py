"""The foundation's journey: sign up, create a group, make an invitation link, a second person joins by it."""

from playwright.sync_api import expect


def test_sign_up_create_a_group_invite_and_a_second_person_joins(live_server, new_page, screenshot):
    founder = new_page()
    founder.goto(live_server + "/sign-up")
    founder.get_by_label("Your name").fill("Nadia Rahman")
    founder.get_by_label("Email").fill("nadia@example.org")
    founder.get_by_label("Password").fill("a good long password")
    founder.get_by_role("button", name="Create account").click()
    expect(founder.get_by_role("heading", name="Hello, Nadia Rahman")).to_be_visible()

    founder.get_by_role("link", name="New group").first.click()
    founder.get_by_label("Name", exact=True).fill("Calder Valley Bakers")
    founder.get_by_label("Description", exact=True).fill("A **bakers'** co-op in the Calder valley.")
    founder.get_by_label("Closed").check()
    screenshot(founder, "new-group")
    founder.get_by_role("button", name="Create group").click()
    expect(founder.get_by_role("heading", name="Calder Valley Bakers")).to_be_visible()
    expect(founder.get_by_text("1 member").first).to_be_visible()
    screenshot(founder, "group-page")

    founder.get_by_role("link", name="Invitation links").click()
    founder.get_by_label("Link works for (days)").fill("7")
    founder.get_by_role("button", name="Make a link").click()
    link = founder.get_by_label("Invitation link").input_value()
    assert "/invitations/" in link
    screenshot(founder, "invitation-link")

    guest = new_page(width=390, height=844)  # a second person, on a phone
    guest.goto(link)
    expect(guest.get_by_role("heading", name="Calder Valley Bakers")).to_be_visible()
    screenshot(guest, "invitation-page")
    guest.get_by_role("link", name="Create an account").click()
    guest.get_by_label("Your name").fill("Owen Pryce")
    guest.get_by_label("Email").fill("owen@example.org")
    guest.get_by_label("Password").fill("another long password")
    guest.get_by_role("button", name="Create account").click()
    guest.get_by_role("button", name="Join Calder Valley Bakers").click()
    expect(guest.get_by_text("Welcome to Calder Valley Bakers.")).to_be_visible()
    expect(guest.get_by_text("2 members").first).to_be_visible()
    screenshot(guest, "joined")

    founder.goto(live_server + "/groups/caldervalleybakers/members")
    expect(founder.get_by_role("link", name="Owen Pryce")).to_be_visible()
    screenshot(founder, "members")
