"""Issue 14: a signed-out visitor explores, opens an open group's public page, signs up from it and follows it;
on a phone (390 px) and a desktop (1280 px), with no page wider than the screen."""

import pytest
from playwright.sync_api import expect

from platform6.extensions import db
from platform6.skills import service as skills
from platform6.skills.service import WantedSkill


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [390, 1280])
def test_a_visitor_explores_opens_a_public_group_signs_up_and_follows_it(
    live_server, new_page, screenshot, create_user, create_group, width
):
    admin = create_user(name="Ada Baker", handle="ada")
    group = create_group(
        admin=admin, privacy="open", handle="bakers", name="Bologna Bakers", place="Bologna",
        description="A bakers' co-op in **Bologna**.",
    )  # fmt: skip
    skills.post_request(
        actor=admin, group=group, title="A logo for the shop", skills=[WantedSkill("Graphic design", 2)]
    )
    create_group(admin=admin, privacy="closed", name="Bologna Closed Club", place="Bologna")
    db.session.commit()

    page = new_page(width=width)
    page.goto(live_server + "/explore")
    page.get_by_label("Place").fill("bologna")
    page.get_by_role("button", name="Find groups").click()
    expect(page.get_by_role("link", name="Bologna Bakers")).to_be_visible()
    expect(page.get_by_text("Bologna Closed Club")).to_have_count(0)
    assert fits(page)
    screenshot(page, f"explore-{width}")

    page.get_by_role("link", name="Bologna Bakers").click()
    expect(page.get_by_role("heading", name="Help we need")).to_be_visible()
    expect(page.get_by_role("link", name="A logo for the shop")).to_be_visible()
    assert fits(page)
    screenshot(page, f"public-group-{width}")

    page.get_by_role("link", name="Follow", exact=True).click()
    page.get_by_label("Your name").fill("Nadia Rahman")
    page.get_by_label("Email").fill(f"nadia{width}@example.org")
    page.get_by_label("Password").fill("a good long password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Bologna Bakers", exact=True)).to_be_visible()
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_text("You follow Bologna Bakers")).to_be_visible()
    expect(page.get_by_role("button", name="Following ✓ — stop following")).to_be_visible()
    assert fits(page)
    screenshot(page, f"following-{width}")
