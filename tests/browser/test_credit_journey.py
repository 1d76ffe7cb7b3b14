"""Mutual credit in a browser: pay (confirmed) -> the payee sees it live -> request -> accept -> statement CSV."""

from playwright.sync_api import expect

from platform6.credit import queries, service
from platform6.extensions import db
from tests.browser.conftest import wait_until_live
from tests.conftest import PASSWORD


def _sign_in(page, base: str, user) -> None:
    page.goto(base + "/sign-in")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=f"Hello, {user.name}")).to_be_visible()


def test_pay_see_it_live_request_accept_and_download_a_statement(
    live_server, new_page, screenshot, create_user, create_group, tmp_path
):
    alice_user, bob_user = create_user(name="Alice Okafor"), create_user(name="Ben Hartley")
    admin = create_user()
    group = create_group(admin=admin)
    network = service.create_network(
        actor=admin, name="Kirklees", group_id=group.id, currency_code="KRK", currency_name="Kirklees credit",
        currency_symbol="§", currency_decimals=2, default_credit_limit=50_000,
    )  # fmt: skip
    alice_id, bob_id = (
        service.open_account(actor=admin, network=network, holder_type="user", holder_id=u.id, kind="business").id
        for u in (alice_user, bob_user)
    )
    db.session.commit()

    payee = new_page()
    _sign_in(payee, live_server, bob_user)
    payee.goto(f"{live_server}/credit/accounts/{bob_id}")
    expect(payee.locator("[data-balance]")).to_have_text("§0.00")
    wait_until_live(payee)

    payer = new_page(width=390, height=844)  # a phone
    _sign_in(payer, live_server, alice_user)
    payer.goto(f"{live_server}/credit/pay?to={bob_id}")
    payer.get_by_label("Amount").fill("12,50")  # a decimal comma, as many members write it
    payer.get_by_label("What for").fill("Sourdough for the café")
    screenshot(payer, "pay-form")
    payer.get_by_role("button", name="Pay").click()
    expect(payer.locator("[data-question]")).to_have_text("Pay §12.50 to Ben Hartley from your Kirklees account?")
    screenshot(payer, "pay-confirm")
    payer.get_by_role("button", name="Pay §12.50").click()
    expect(payer.get_by_role("heading", name="Route")).to_be_visible()
    screenshot(payer, "receipt")

    expect(payee.locator("[data-balance]")).to_have_text("§12.50")  # no reload: it came over Socket.IO
    expect(payee.locator("[data-history]")).to_contain_text("Sourdough for the café")
    screenshot(payee, "payee-sees-it-live")

    payee.goto(f"{live_server}/credit/requests/new")
    payee.get_by_label("Ask whom").select_option(label=f"Alice Okafor · #{alice_id}")  # picked by name
    payee.get_by_label("Amount").fill("3.00")
    payee.get_by_label("What for").fill("Delivery")
    payee.get_by_role("button", name="Send request").click()
    expect(payee.get_by_text("Your request is sent.")).to_be_visible()

    payer.goto(f"{live_server}/credit/requests")
    expect(payer.get_by_text("Delivery")).to_be_visible()
    screenshot(payer, "requests")
    payer.get_by_role("link", name="Accept and pay").click()
    expect(payer.locator("[data-question]")).to_have_text("Pay §3.00 to Ben Hartley from your Kirklees account?")
    payer.get_by_role("button", name="Pay §3.00").click()
    expect(payer.get_by_text("Paid.")).to_be_visible()

    payee.goto(f"{live_server}/credit/accounts/{bob_id}")
    expect(payee.locator("[data-balance]")).to_have_text("§15.50")
    with payee.expect_download() as download:
        payee.get_by_role("button", name="Download CSV").click()
    path = tmp_path / "statement.csv"
    download.value.save_as(path)
    lines = path.read_text().strip().splitlines()
    assert lines[0] == "date,transfer_id,counterparty,description,amount_in,amount_out,balance"
    assert lines[1].endswith("Alice Okafor,Sourdough for the café,12.50,,12.50")
    assert lines[2].endswith("Alice Okafor,Delivery,3.00,,15.50")
    db.session.rollback()  # end the test's own read, to see what the server committed
    assert queries.account_by_id(bob_id).balance == 1_550
    assert queries.ledger_violations() == []
