"""Credit on a phone (issue 14): at 390 px the account history and the accounts directory fit the screen (rows stack),
and the network's charts keep labels of at least 12 px."""

from playwright.sync_api import expect

from platform6.credit import service
from platform6.extensions import db
from tests.browser.test_credit_journey import _sign_in

WIDTH = 390


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width} px wide at {WIDTH} px"


def test_account_directory_and_charts_fit_a_phone(live_server, new_page, screenshot, create_user, create_group):
    admin = create_user(name="Maria Dolores Fernández-Castellano")
    network = service.create_network(
        actor=admin, name="Open Co-operative Network of West Yorkshire", group_id=create_group(admin=admin).id,
        currency_code="OCN", currency_name="Co-op pounds", currency_symbol="£", currency_decimals=2,
        default_credit_limit=500_000_000,
    )  # fmt: skip
    people = [create_user(name=f"{first} Worthington-Smythe") for first in ("Alexandra", "Bartholomew", "Cornelius")]
    accounts = [
        service.open_account(actor=None, network=network, holder_type="user", holder_id=p.id, kind="business")
        for p in [admin, *people]
    ]
    for i in range(12):
        service.transfer(from_account_id=accounts[0].id, to_account_id=accounts[1 + i % 3].id, amount=1_234_567 + i,
                         description="Catering for the annual general meeting, with vegetarian options", actor=None)  # fmt: skip
    db.session.commit()

    page = new_page(width=WIDTH, height=844)
    _sign_in(page, live_server, admin)
    page.goto(f"{live_server}/credit/accounts/{accounts[0].id}")
    expect(page.locator("[data-history] tr")).to_have_count(12)
    _fits(page)
    amount = page.locator("[data-history] tr").first.locator("td.num").first
    box = amount.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH  # Amount is on screen, not pushed off it
    screenshot(page, "account-390")

    page.goto(f"{live_server}/credit/networks/{network.id}/accounts")
    expect(page.get_by_role("link", name="Alexandra Worthington-Smythe")).to_be_visible()
    _fits(page)
    screenshot(page, "directory-390")

    page.goto(f"{live_server}/credit/networks/{network.id}")
    _fits(page)
    heights = page.eval_on_selector_all(".chart-label", "labels => labels.map(l => l.getBoundingClientRect().height)")
    assert heights and min(heights) >= 12
    screenshot(page, "network-390")
