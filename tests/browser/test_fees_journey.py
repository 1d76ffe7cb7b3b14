"""Network fees in a browser, on a phone: an admin sets the fees, a member sees the fee before paying and after."""

from playwright.sync_api import expect

from platform6.credit import service
from platform6.extensions import db
from tests.browser.test_credit_journey import _sign_in


def _fits(page) -> None:
    wide = page.evaluate(
        """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)
           .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"the page scrolls sideways on a phone: {wide}"


def test_an_admin_sets_fees_and_a_member_pays_with_a_fee(live_server, new_page, screenshot, create_user, create_group):
    admin, alice, bob = create_user(name="Ada Admin"), create_user(name="Alice Okafor"), create_user(name="Ben Hartley")
    group = create_group(admin=admin, members=[alice, bob])
    network = service.create_network(
        actor=admin, name="Kirklees", group_id=group.id, currency_code="KRK", currency_name="Kirklees pound",
        currency_symbol="£", currency_decimals=2, default_credit_limit=50_000,
    )  # fmt: skip
    alice_id, bob_id = (
        service.open_account(actor=admin, network=network, holder_type="user", holder_id=u.id, kind="business").id
        for u in (alice, bob)
    )
    db.session.commit()

    page = new_page(width=390, height=844)
    _sign_in(page, live_server, admin)
    page.goto(f"{live_server}/credit/networks/{network.id}")
    page.get_by_role("link", name="Fees", exact=True).click()
    page.get_by_label("Transfer fee, as a percentage of each payment").fill("1")
    page.get_by_label("Business accounts, each month").fill("5")
    screenshot(page, "fees-form")
    _fits(page)
    page.get_by_role("button", name="Save fees").click()
    expect(page.get_by_text("The network's fees are saved.")).to_be_visible()
    expect(page.locator("#fees")).to_contain_text("1.00% plus £0.00")
    expect(page.locator("#fees")).to_contain_text("Business accounts: £5.00 each month.")
    screenshot(page, "network-fees")
    page.context.clear_cookies()

    _sign_in(page, live_server, alice)
    page.goto(f"{live_server}/credit/pay?to={bob_id}")
    page.get_by_label("Amount").fill("12.50")
    page.get_by_label("What for").fill("Sourdough")
    page.get_by_role("button", name="Pay").click()
    expect(page.locator("[data-question]")).to_have_text(
        "Pay £12.50 + £0.13 fee to Ben Hartley from your Kirklees account?"
    )
    expect(page.locator("[data-fee]")).to_contain_text("£12.63 in all")
    screenshot(page, "pay-with-fee")
    _fits(page)
    page.get_by_role("button", name="Pay £12.50 + £0.13 fee").click()
    expect(page.get_by_text("(network fee)")).to_be_visible()
    page.goto(f"{live_server}/credit/accounts/{alice_id}")
    expect(page.locator("[data-balance]")).to_have_text("-£12.63")
    expect(page.locator("#fees")).to_contain_text("Transfer fee on transfer")
    expect(page.locator("#fees")).to_contain_text("monthly fee for")
    expect(page.locator("[data-history]")).to_contain_text("Network fee: Sourdough")
    screenshot(page, "account-fees")
    _fits(page)
