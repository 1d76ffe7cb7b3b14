"""A proposal's life: raised on its page, three members vote (one watching live), it closes by itself, outcome."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import update

from platform6.extensions import db
from platform6.governance.models import Poll
from platform6.notifications.scheduler import run_due_jobs
from platform6.timeutil import utcnow
from tests.browser.conftest import wait_until_live


def sign_in(page, base, user):
    page.goto(base + "/sign-in")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=f"Hello, {user.name}")).to_be_visible()


def vote_agree(page, reason):
    page.get_by_label("Agree", exact=True).check()
    page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name="Vote").click()
    expect(page.get_by_text("Your vote is in.")).to_be_visible()


def test_raise_vote_live_close_by_itself_and_record_the_outcome(
    app, live_server, new_page, screenshot, create_user, create_group
):
    ann, bob, cat, dan = (create_user(name=n) for n in ("Ann Admin", "Bob Baker", "Cat Cooper", "Dan Dyer"))
    group = create_group(admin=ann, members=[bob, cat, dan], name="Valley Co-op")

    author = new_page()
    sign_in(author, live_server, ann)
    author.goto(f"{live_server}/groups/{group.handle}/decisions")
    author.get_by_role("link", name="Raise a decision").click()
    author.get_by_label("Title").fill("Buy a cargo bike for deliveries")
    author.get_by_label("Details").fill("A bike costs less than a van and needs no fuel.")
    screenshot(author, "raise")
    author.get_by_role("button", name="Open for votes").click()
    expect(author.get_by_role("heading", name="Buy a cargo bike for deliveries")).to_be_visible()
    poll_url = author.url

    watcher = new_page(width=390, height=844)  # Bob watches on a phone
    sign_in(watcher, live_server, bob)
    watcher.goto(poll_url)
    expect(watcher.get_by_text("0 of 4 eligible have voted.")).to_be_visible()
    wait_until_live(watcher)

    cat_page = new_page()
    sign_in(cat_page, live_server, cat)
    cat_page.goto(poll_url)
    vote_agree(cat_page, "Cheaper and greener.")
    # Bob's page updates without a reload
    expect(watcher.locator("aside [data-voters-count]")).to_have_text("1")
    expect(watcher.locator("[data-results] li").first).to_contain_text("Agree")
    screenshot(watcher, "live-update")

    vote_agree(watcher, "Yes, and a trailer.")
    dan_page = new_page()
    sign_in(dan_page, live_server, dan)
    dan_page.goto(poll_url)
    dan_page.get_by_label("Disagree").check()
    dan_page.get_by_role("button", name="Vote").click()
    expect(dan_page.get_by_text("Your vote is in.")).to_be_visible()

    wait_until_live(watcher)  # Bob's page since his vote
    wait_until_live(author)  # Ann's page has stayed on the poll
    # time passes: the closing time arrives and the scheduler (a worker) closes the poll by itself
    db.session.rollback()  # end this test's read snapshot before writing (SQLite)
    db.session.execute(update(Poll).values(closing_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    run_due_jobs(app)
    # both open pages hear `poll_closed` and reload by themselves
    expect(watcher.get_by_text("Passed.")).to_be_visible()
    expect(author.get_by_text("3 of 4 eligible have voted.")).to_be_visible()
    expect(author.get_by_text("Passed.")).to_be_visible()

    author.get_by_label("What was decided").fill("We buy the cargo bike in December.")
    author.get_by_label("Chosen option").select_option("agree")
    author.get_by_role("button", name="Record the outcome").click()
    expect(author.get_by_role("heading", name="Outcome", exact=True)).to_be_visible()
    expect(author.locator(".outcome").get_by_text("We buy the cargo bike in December.")).to_be_visible()
    screenshot(author, "outcome")
