"""Fees on pages: the admins' fees form (amounts in major units), the fee shown before paying, the account's fees."""

import csv
import io
from datetime import datetime

import pytest

from platform6.credit import jobs
from platform6.credit.models import Account, Network
from platform6.extensions import db

FORM = {"transfer_percent": "0.5", "transfer_fixed": "0.07", "transfer_min": "", "transfer_max": "2.00",
        "paid_by": "payer", "business_month": "5.00", "individual_year": "12"}  # fmt: skip


@pytest.fixture
def shop(make_network, open_account):
    network = make_network(default_credit_limit=10_000)
    return network, open_account(network), open_account(network)


def test_an_admin_sets_fees_on_the_page(client, login, shop):
    network, _alice, _bob = shop
    login(network.admin)
    page = client.get(f"/credit/networks/{network.id}/fees")
    assert page.status_code == 200 and b"Transfer fee" in page.data
    response = client.post(f"/credit/networks/{network.id}/fees", data=FORM)
    assert response.status_code == 302, response.get_data(as_text=True)
    found = db.session.get(Network, network.id)
    assert found.fees == {
        "transfer": {"basis_points": 50, "fixed": 7, "min": None, "max": 200, "paid_by": "payer"},
        "periodic": [
            {"kind": "business", "amount": 500, "every": "month"},
            {"kind": "individual", "amount": 1200, "every": "year"},
        ],
    }
    shown = client.get(f"/credit/networks/{network.id}")
    assert b"0.50% plus" in shown.data and b"Operations account balance" in shown.data
    again = client.get(f"/credit/networks/{network.id}/fees")
    assert b'value="0.50"' in again.data and b'value="0.07"' in again.data


def test_bad_fees_stay_on_the_form(client, login, shop):
    network, _alice, _bob = shop
    login(network.admin)
    response = client.post(f"/credit/networks/{network.id}/fees", data=FORM | {"transfer_percent": "101"})
    assert response.status_code == 422 and b"basis_points" in response.data
    response = client.post(f"/credit/networks/{network.id}/fees", data=FORM | {"transfer_fixed": "-1"})
    assert response.status_code == 422
    assert db.session.get(Network, network.id).fees is None


def test_members_may_not_set_fees(client, login, shop):
    network, alice, _bob = shop
    login(alice.holder)
    assert client.get(f"/credit/networks/{network.id}/fees").status_code == 403
    assert client.post(f"/credit/networks/{network.id}/fees", data=FORM).status_code == 403


def test_the_fee_is_shown_before_paying_and_listed_after(client, login, shop, pay_on_pages):
    network, alice, bob = shop
    login(network.admin)
    client.post(f"/credit/networks/{network.id}/fees", data=FORM)
    login(alice.holder)
    data = {"from_account_id": alice.id, "to_account_id": bob.id, "amount": "12.50", "description": "Bread",
            "idempotency_key": "fee-1"}  # fmt: skip
    confirmation, response = pay_on_pages(data)
    text = confirmation.get_data(as_text=True)
    assert "Pay §12.50 + §0.13 fee" in text and "§12.63 in all" in text
    assert response.status_code == 302
    assert db.session.get(Account, alice.id).balance == -1_263
    jobs.charge_periodic_fees(now=datetime(2026, 12, 4))
    page = client.get(f"/credit/accounts/{alice.id}").get_data(as_text=True)
    assert "business fee 2026-12" in page and "for 2027-01" in page and "Network fee: Bread" in page
    statement = client.get(f"/credit/accounts/{alice.id}/statement.csv").get_data(as_text=True)
    lines = list(csv.DictReader(io.StringIO(statement)))
    assert [(r["description"], r["amount_out"]) for r in lines] == [
        ("Bread", "12.50"),
        ("Network fee: Bread", "0.13"),
        ("business fee 2026-12", "5.00"),
    ]
