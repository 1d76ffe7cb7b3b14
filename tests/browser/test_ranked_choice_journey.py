"""Ranked choice at 390 and 1280 px: order the options by keyboard (Move up / Move down) and by dragging,
vote, and read results that explain the count."""

import pytest
from playwright.sync_api import expect

from platform6.extensions import db
from platform6.governance import service
from platform6.governance.models import Vote
from platform6.timeutil import utcnow
from tests.browser.test_decision_journey import sign_in


def order_of(page) -> list[str]:
    return page.locator(".rank-list .rank-item").evaluate_all("items => items.map(li => li.dataset.option)")


@pytest.mark.parametrize("width", [390, 1280])
def test_rank_by_keyboard_and_by_drag_then_read_the_explained_results(
    app, live_server, new_page, screenshot, create_user, create_group, width
):
    from datetime import timedelta

    ann, bob = create_user(name="Ann Admin"), create_user(name="Bob Baker")
    group = create_group(admin=ann, members=[bob], name="Valley Co-op")
    poll = service.create_poll(
        actor=ann, group=group, kind="ranked_choice", title="Which tree for the square?",
        options=["Alder", "Birch", "Cedar"], closing_at=utcnow() + timedelta(days=3),
    )  # fmt: skip
    db.session.commit()

    page = new_page(width=width, height=844 if width == 390 else 900)
    sign_in(page, live_server, bob)
    page.goto(f"{live_server}/polls/{poll.id}")
    expect(page.locator(".rank-list .rank-item")).to_have_count(3)
    expect(page.locator("[data-rank-selects]")).to_be_hidden()  # the no-JS selects, kept in step
    assert order_of(page) == ["Alder", "Birch", "Cedar"]

    # keyboard: Cedar up twice, to first place
    page.get_by_role("button", name="Move Cedar up").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert order_of(page) == ["Cedar", "Alder", "Birch"]
    expect(page.locator("[aria-live=polite]").filter(has_text="Cedar is now number 1.")).to_have_count(1)
    page.get_by_role("button", name="Move Alder down").click()
    assert order_of(page) == ["Cedar", "Birch", "Alder"]
    screenshot(page, f"keyboard-{width}")

    # drag: Alder by its grip onto Cedar, to first place
    page.locator('.rank-item[data-option="Alder"] .rank-grip').drag_to(page.locator('.rank-item[data-option="Cedar"]'))
    assert order_of(page) == ["Alder", "Cedar", "Birch"]
    # leave Birch out
    page.locator('.rank-item[data-option="Birch"]').get_by_role("checkbox").uncheck()
    expect(page.locator("#value-1")).to_have_value("")
    screenshot(page, f"dragged-{width}")

    page.get_by_role("button", name="Vote").click()
    expect(page.get_by_text("Your vote is in.")).to_be_visible()
    db.session.rollback()
    assert db.session.scalar(db.select(Vote.choices)) == {"Alder": 1, "Cedar": 2}

    results = page.locator("[data-results]")
    expect(results.locator('[data-option="Alder"]')).to_contain_text("3 points")
    expect(results.locator('[data-option="Alder"]')).to_contain_text("ranked 1st by 1 voter")
    expect(results.locator('[data-option="Alder"]')).to_contain_text("leading")
    expect(results.locator('[data-option="Cedar"]')).to_contain_text("2 points")
    expect(page.get_by_text("Borda count: a 1st place gives 3 points")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"results-{width}")
