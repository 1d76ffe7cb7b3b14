"""Credit pages: every action works from a page, pages stay within a fixed number of queries."""

import pytest
from sqlalchemy import select

from platform6.credit import service
from platform6.credit.models import Account, PaymentRequest, Transfer
from platform6.extensions import db
from tests.credit.conftest import hidden_fields


@pytest.fixture
def shop(make_network, open_account, create_user):
    network = make_network(default_credit_limit=10_000)
    alice, bob = open_account(network), open_account(network)
    return network, alice, bob


def test_pay_from_the_form_and_see_the_receipt(client, login, shop, pay_on_pages):
    _network, alice, bob = shop
    login(alice.holder)
    form = client.get(f"/credit/pay?to={bob.id}")
    assert form.status_code == 200 and b'name="idempotency_key"' in form.data
    data = {"from_account_id": alice.id, "to_account_id": bob.id, "amount": "12.50", "description": "Bread",
            "idempotency_key": "form-1"}  # fmt: skip
    confirmation, response = pay_on_pages(data)
    assert response.status_code == 302
    again = client.post("/credit/pay/confirm", data=hidden_fields(confirmation.get_data(as_text=True)))
    assert again.status_code == 302  # a double submit pays once
    assert db.session.get(Account, alice.id).balance == -1_250
    receipt = client.get(response.headers["Location"])
    assert receipt.status_code == 200 and b"Route" in receipt.data and b"12.50" in receipt.data


def test_a_refused_payment_shows_the_reason_on_the_form(client, login, shop, pay_on_pages):
    _network, alice, bob = shop
    login(alice.holder)
    data = {"from_account_id": alice.id, "to_account_id": bob.id, "amount": "500.00", "description": ""}
    _confirmation, response = pay_on_pages(data)
    assert response.status_code == 422 and b"credit limit" in response.data and b'value="500.00"' in response.data
    bad = client.post("/credit/pay", data=data | {"amount": "1.234"})
    assert bad.status_code == 422 and b"decimal places" in bad.data
    assert db.session.scalar(select(Transfer.id)) is None


def test_account_page_shows_balance_can_spend_and_running_balance(client, login, shop, queries):
    _network, alice, bob = shop
    for amount in (100, 200):
        service.transfer(from_account_id=alice.id, to_account_id=bob.id, amount=amount, description="x", actor=None)
    db.session.commit()
    login(alice.holder)
    page = client.get(f"/credit/accounts/{alice.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "-§3.00" in text and "§97.00" in text and "-§1.00" in text
    db.session.commit()
    with queries() as few:
        client.get(f"/credit/accounts/{alice.id}")
    for amount in range(1, 11):
        service.transfer(from_account_id=alice.id, to_account_id=bob.id, amount=amount, description="y", actor=None)
    db.session.commit()
    with queries() as many:
        client.get(f"/credit/accounts/{alice.id}")
    assert len(many) == len(few)
    assert client.get(f"/credit/accounts/{bob.id}").status_code == 404


def test_statement_download(client, login, shop):
    _network, alice, bob = shop
    service.transfer(from_account_id=alice.id, to_account_id=bob.id, amount=1_000, description="Rent", actor=None)
    db.session.commit()
    login(bob.holder)
    response = client.get(f"/credit/accounts/{bob.id}/statement.csv?start=&end=")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "Rent,10.00,,10.00" in response.get_data(as_text=True)


def test_admin_sets_limits_freezes_and_reverses(client, login, shop):
    network, alice, bob = shop
    made = service.transfer(from_account_id=alice.id, to_account_id=bob.id, amount=100, description="", actor=None)
    db.session.commit()
    login(network.admin)
    assert client.get(f"/credit/accounts/{alice.id}").status_code == 200
    client.post(f"/credit/accounts/{alice.id}/limits", data={"credit_limit": "20.00", "debit_limit": ""})
    assert db.session.get(Account, alice.id).credit_limit == 2_000
    client.post(f"/credit/accounts/{alice.id}/status/frozen")
    assert db.session.get(Account, alice.id).status == "frozen"
    client.post(f"/credit/accounts/{alice.id}/status/active")
    assert db.session.get(Account, alice.id).status == "active"
    response = client.post(f"/credit/transfers/{made.id}/reverse", data={"reason": "wrong account"})
    assert response.status_code == 302
    assert db.session.get(Transfer, made.id).state == "reversed"


def test_holders_cannot_use_admin_actions(client, login, shop):
    network, alice, _bob = shop
    login(alice.holder)
    client.post(f"/credit/accounts/{alice.id}/limits", data={"credit_limit": "900.00", "debit_limit": ""})
    assert db.session.get(Account, alice.id).credit_limit == 10_000
    assert client.get(f"/credit/networks/{network.id}/accounts/new").status_code == 403


def test_requests_pages_accept_and_decline(client, login, shop):
    _network, alice, bob = shop
    login(bob.holder)
    response = client.post("/credit/requests/new", data={"to_account_id": bob.id, "from_account_id": alice.id,
                                                         "amount": "3.00", "description": "Eggs",
                                                         "expires_in_days": 7})  # fmt: skip
    assert response.status_code == 302
    request = db.session.scalar(select(PaymentRequest))
    client.post("/sign-out")
    login(alice.holder)
    page = client.get("/credit/requests")
    assert page.status_code == 200 and b"Eggs" in page.data and b"Accept and pay" in page.data
    confirmation = client.get(f"/credit/requests/{request.id}/accept")
    assert confirmation.status_code == 200 and b"Pay <strong>\xc2\xa73.00</strong>" in confirmation.data
    client.post(f"/credit/requests/{request.id}/accept")
    assert db.session.get(PaymentRequest, request.id).state == "accepted"
    assert db.session.get(Account, alice.id).balance == -300


def test_network_pages(client, login, shop, open_account):
    network, alice, bob = shop
    service.transfer(from_account_id=alice.id, to_account_id=bob.id, amount=700, description="", actor=None)
    db.session.commit()
    login(alice.holder)
    page = client.get(f"/credit/networks/{network.id}")
    assert page.status_code == 200 and b"<svg" in page.data and b"Days to clear" in page.data
    assert b"Nearest their limits" not in page.data
    directory = client.get(f"/credit/networks/{network.id}/accounts?q=")
    assert directory.status_code == 200 and bob.holder.name.encode() in directory.data
    assert b"7.00" not in directory.data  # members see who, never balances
    client.post("/sign-out")
    login(network.admin)
    assert b"Nearest their limits" in client.get(f"/credit/networks/{network.id}").data
    assert "-§7.00".encode() in client.get(f"/credit/networks/{network.id}/accounts").data  # admins see all balances
    defaults = {"default_credit_limit": "20.00", "default_debit_limit": "", "business": "50.00", "individual": "",
                "employee": ""}  # fmt: skip
    assert client.post(f"/credit/networks/{network.id}/defaults", data=defaults).status_code == 302
    assert open_account(network).credit_limit == 5_000


def test_admin_opens_an_account_and_creates_a_network(client, login, make_network, create_user, create_group):
    network = make_network()
    newcomer = create_user()
    login(network.admin)
    response = client.post(f"/credit/networks/{network.id}/accounts/new",
                           data={"holder_type": "user", "holder_handle": newcomer.handle, "kind": "individual",
                                 "credit_limit": ""})  # fmt: skip
    assert response.status_code == 302
    group = create_group(admin=network.admin)
    response = client.post("/credit/networks/new", data={
        "name": "Local", "group_id": group.id, "currency_code": "LOC", "currency_name": "Local credit",
        "currency_symbol": "L", "currency_decimals": 2, "default_credit_limit": "50", "default_debit_limit": "",
        "parent_id": network.id, "exchange_rate": "1", "clearing_group_id": 0})  # fmt: skip
    assert response.status_code == 302, response.data


def test_dashboard_panel_and_index(client, login, shop):
    _network, alice, _bob = shop
    login(alice.holder)
    assert b"My balance" in client.get("/dashboard").data
    assert client.get("/credit/").status_code == 200


def test_verify_cli(app, shop):
    _network, alice, bob = shop
    service.transfer(from_account_id=alice.id, to_account_id=bob.id, amount=5, description="", actor=None)
    db.session.commit()
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["credit", "verify"])
    assert ok.exit_code == 0 and "every invariant holds" in ok.output
    db.session.execute(Account.__table__.update().where(Account.__table__.c.id == bob.id).values(balance=6))
    db.session.commit()
    broken = runner.invoke(args=["credit", "verify"])
    assert broken.exit_code != 0
