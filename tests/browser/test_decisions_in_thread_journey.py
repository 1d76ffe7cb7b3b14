"""Issue 14, decisions inside threads: a member starts a proposal from the thread, where it then shows at the
top (with its state for the reader) and in the timeline; another member votes from there on a phone.
A newcomer's dashboard shows their first steps."""

import pytest
from playwright.sync_api import expect

from platform6.extensions import db
from platform6.forums import service
from tests.browser.conftest import sign_in


@pytest.mark.parametrize("width", [390, 1280])
def test_a_proposal_started_in_a_thread_lives_in_it(
    live_server, new_page, screenshot, create_user, create_group, width
):
    ann, ben = create_user(name="Ann Admin"), create_user(name="Ben Baker")
    group = create_group(admin=ann, members=[ben], name="Valley Co-op")
    thread = service.start_discussion(actor=ann, group=group, title="Cargo bike", description="Shall we buy one?")
    db.session.commit()

    author = new_page(width=width, height=900)
    sign_in(author, live_server, ann)
    author.goto(f"{live_server}/d/{thread.id}")
    author.get_by_role("link", name="Start a proposal").click()
    author.get_by_label("Title").fill("Buy a cargo bike")
    screenshot(author, f"proposal-form-{width}")
    author.get_by_role("button", name="Open for votes").click()
    expect(author.get_by_role("heading", name="Buy a cargo bike")).to_be_visible()
    author.goto(f"{live_server}/d/{thread.id}")
    top = author.locator("[data-thread-decisions]")
    expect(top.get_by_role("link", name="Buy a cargo bike")).to_be_visible()
    expect(top.locator("[data-my-vote]")).to_have_attribute("data-my-vote", "not-voted")
    expect(author.locator(".timeline-poll, [data-timeline-poll]").first).to_contain_text("Buy a cargo bike")
    screenshot(author, f"thread-top-{width}")

    voter = new_page(width=390, height=844)
    sign_in(voter, live_server, ben)
    voter.goto(f"{live_server}/d/{thread.id}")
    screenshot(voter, "thread-top-for-a-voter")
    voter.locator("[data-thread-decisions]").get_by_role("link", name="Vote").click()
    voter.get_by_label("Agree", exact=True).check()
    voter.get_by_role("button", name="Vote").click()
    expect(voter.get_by_text("Your vote is in.")).to_be_visible()
    voter.goto(f"{live_server}/d/{thread.id}")
    expect(voter.locator("[data-thread-decisions] [data-my-vote]")).to_have_attribute("data-my-vote", "voted")
    expect(voter.locator("[data-thread-decisions] [data-voters-count]")).to_contain_text("1")
    assert voter.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(voter, "voted-from-the-thread")


def test_a_newcomer_sees_first_steps(live_server, new_page, screenshot, create_user):
    newcomer = create_user(name="Nia New")
    for width in (390, 1280):
        page = new_page(width=width, height=900)
        sign_in(page, live_server, newcomer)
        steps = page.locator(".first-steps")
        expect(steps).to_be_visible()
        expect(steps.get_by_role("link").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"first-steps-{width}")
