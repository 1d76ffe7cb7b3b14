"""Amounts typed on pages: read by the one parser, and a payment asks before it moves money."""

import pytest
from sqlalchemy import func, select

from platform6.credit import service
from platform6.credit.models import Account, Network, PaymentRequest, Transfer
from platform6.extensions import db
from tests.credit.conftest import hidden_fields

AMBIGUOUS = "&#34;1,234&#34; could mean 1234 or 1.234. If you mean 1234, write it without a separator"
DIGITS = "Write the amount in digits, such as 1234.50."


@pytest.fixture
def shop(make_network, open_account, create_user):
    network = make_network(name="Kirklees", code="KRK", currency_name="Kirklees credit", default_credit_limit=10_000)
    alice = open_account(network, holder=create_user(name="Alice Okafor"))
    bob = open_account(network, holder=create_user(name="Ben Hartley"))
    return network, alice, bob


def _transfers() -> int:
    return db.session.scalar(select(func.count(Transfer.id)))


def _pay(alice, bob, amount: str) -> dict:
    return {"from_account_id": alice.id, "to_account_id": bob.id, "amount": amount, "description": "Bread",
            "idempotency_key": "pay-1"}  # fmt: skip


def test_2_comma_50_pays_2_50_once_confirmed_and_nothing_moves_before(client, login, shop):
    _network, alice, bob = shop
    login(alice.holder)
    confirmation = client.post("/credit/pay", data=_pay(alice, bob, "2,50"))
    page = confirmation.get_data(as_text=True)
    assert confirmation.status_code == 200
    assert "Pay <strong>§2.50</strong> to <strong>Ben Hartley</strong> from your Kirklees account?" in page
    assert "§2.50\xa0KRK (Kirklees credit)" in page and f"account {alice.id} in Kirklees" in page
    fields = hidden_fields(page)
    assert fields["amount"] == "250" and fields["idempotency_key"] == "pay-1"
    assert _transfers() == 0 and db.session.get(Account, alice.id).balance == 0

    paid = client.post("/credit/pay/confirm", data=fields)
    assert paid.status_code == 302 and "/credit/transfers/" in paid.headers["Location"]
    assert db.session.get(Account, alice.id).balance == -250 and db.session.get(Account, bob.id).balance == 250
    assert client.post("/credit/pay/confirm", data=fields).status_code == 302  # pressed twice: paid once
    assert _transfers() == 1


def test_change_goes_back_to_the_form_with_the_amount_and_pays_nothing(client, login, shop):
    _network, alice, bob = shop
    login(alice.holder)
    fields = hidden_fields(client.post("/credit/pay", data=_pay(alice, bob, "1.234,5")).get_data(as_text=True))
    back = client.post("/credit/pay/confirm", data=fields | {"change": ""})
    assert back.status_code == 200 and 'value="1234.50"' in back.get_data(as_text=True)
    assert _transfers() == 0


def test_1_comma_234_is_refused_with_how_to_write_it_and_nothing_moves(client, login, shop):
    _network, alice, bob = shop
    login(alice.holder)
    refused = client.post("/credit/pay", data=_pay(alice, bob, "1,234"))
    assert refused.status_code == 422 and AMBIGUOUS in refused.get_data(as_text=True)
    assert "Confirm the payment" not in refused.get_data(as_text=True)
    assert _transfers() == 0


def test_the_amount_is_read_in_the_currency_of_the_account_paid_from(client, login, make_network, open_account):
    yen = make_network(decimals=0)
    alice, bob = open_account(yen, credit_limit=10_000), open_account(yen)
    login(alice.holder)
    assert (
        hidden_fields(client.post("/credit/pay", data=_pay(alice, bob, "1.234.567")).get_data(as_text=True))["amount"]
        == "1234567"
    )
    refused = client.post("/credit/pay", data=_pay(alice, bob, "2,50"))
    assert refused.status_code == 422 and "This currency has no decimals" in refused.get_data(as_text=True)


def test_a_refusal_at_confirmation_returns_to_the_form_and_moves_nothing(client, login, shop):
    _network, alice, bob = shop
    login(alice.holder)
    fields = hidden_fields(client.post("/credit/pay", data=_pay(alice, bob, "500")).get_data(as_text=True))
    refused = client.post("/credit/pay/confirm", data=fields)
    assert refused.status_code == 422 and "credit limit" in refused.get_data(as_text=True)
    assert _transfers() == 0


def test_an_unknown_payee_is_refused_before_the_confirmation(client, login, shop):
    _network, alice, _bob = shop
    login(alice.holder)
    refused = client.post("/credit/pay", data=_pay(alice, alice, "1") | {"to_account_id": 2**40})
    assert refused.status_code == 422 and "No such account to pay." in refused.get_data(as_text=True)


def test_a_confirmation_for_an_account_you_do_not_hold_moves_nothing(client, login, shop, create_user):
    _network, alice, bob = shop
    login(create_user())
    forged = {"from_account_id": alice.id, "to_account_id": bob.id, "amount": "250", "idempotency_key": "x"}
    assert client.post("/credit/pay/confirm", data=forged).status_code == 404
    assert _transfers() == 0


def test_accepting_a_payment_request_asks_first(client, login, shop, create_user):
    _network, alice, bob = shop
    asked = service.request_payment(actor=bob.holder, from_account_id=alice.id, to_account_id=bob.id, amount=300,
                                    description="Eggs")  # fmt: skip
    db.session.commit()
    login(alice.holder)
    confirmation = client.get(f"/credit/requests/{asked.id}/accept")
    page = confirmation.get_data(as_text=True)
    assert confirmation.status_code == 200 and "Eggs" in page
    assert "Pay <strong>§3.00</strong> to <strong>Ben Hartley</strong>" in page
    assert f'action="/credit/requests/{asked.id}/accept"' in page
    assert _transfers() == 0 and db.session.get(PaymentRequest, asked.id).state == "pending"
    client.post(f"/credit/requests/{asked.id}/accept")
    assert db.session.get(Account, alice.id).balance == -300
    answered = client.get(f"/credit/requests/{asked.id}/accept", follow_redirects=True)
    assert "This payment request is no longer open." in answered.get_data(as_text=True)
    client.post("/sign-out")
    login(bob.holder)  # the payee does not pay their own request
    assert client.get(f"/credit/requests/{asked.id}/accept").status_code == 404


# --- 9e999999 (once decimal.Overflow, a 500) is a form error on every page that takes an amount ----------


def test_9e999999_on_the_pay_and_request_pages(client, login, shop):
    _network, alice, bob = shop
    login(alice.holder)
    pay = client.post("/credit/pay", data=_pay(alice, bob, "9e999999"))
    assert pay.status_code == 422 and DIGITS in pay.get_data(as_text=True)
    asked = client.post("/credit/requests/new", data={"to_account_id": alice.id, "from_account_id": bob.id,
                                                      "amount": "9e999999", "expires_in_days": 7})  # fmt: skip
    assert asked.status_code == 422 and DIGITS in asked.get_data(as_text=True)
    assert _transfers() == 0 and db.session.scalar(select(func.count(PaymentRequest.id))) == 0


def test_9e999999_on_the_limit_and_network_default_pages(client, login, shop):
    network, alice, _bob = shop
    login(network.admin)
    limits = client.post(f"/credit/accounts/{alice.id}/limits", data={"credit_limit": "9e999999"},
                         follow_redirects=True)  # fmt: skip
    assert limits.status_code == 200 and DIGITS in limits.get_data(as_text=True)
    assert db.session.get(Account, alice.id).credit_limit == 10_000
    defaults = client.post(f"/credit/networks/{network.id}/defaults", data={"default_credit_limit": "9e999999",
                           "business": "1,234"}, follow_redirects=True)  # fmt: skip
    assert defaults.status_code == 200 and DIGITS in defaults.get_data(as_text=True)
    assert AMBIGUOUS in defaults.get_data(as_text=True)
    assert db.session.get(Network, network.id).default_credit_limit == 10_000
    client.post(f"/credit/accounts/{alice.id}/limits", data={"credit_limit": "1.234,50", "debit_limit": "0,5"})
    assert (db.session.get(Account, alice.id).credit_limit, db.session.get(Account, alice.id).debit_limit) == (
        123_450,
        50,
    )


def test_9e999999_on_the_new_network_and_open_account_pages(client, login, make_network, create_user, create_group):
    network = make_network()
    login(network.admin)
    opened = client.post(f"/credit/networks/{network.id}/accounts/new", data={
        "holder_type": "user", "holder_handle": create_user().handle, "kind": "individual",
        "credit_limit": "9e999999"})  # fmt: skip
    assert opened.status_code == 422 and DIGITS in opened.get_data(as_text=True)
    group = create_group(admin=network.admin)
    created = client.post("/credit/networks/new", data={
        "name": "Local", "group_id": group.id, "currency_code": "LOC", "currency_name": "Local credit",
        "currency_decimals": 3, "default_credit_limit": "9e999999", "default_debit_limit": "1,234",
        "parent_id": 0, "exchange_rate": "1", "clearing_group_id": 0})  # fmt: skip
    page = created.get_data(as_text=True)
    assert created.status_code == 422 and "Write the amount in digits, such as 1234.500." in page
    assert "if you mean 1.234, write 1.2340." in page
    assert db.session.scalar(select(func.count(Network.id))) == 1
