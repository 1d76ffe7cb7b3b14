"""A binding action's new limit is typed as an amount in the account's currency, read by the one parser."""

from sqlalchemy import func, select

from platform6.credit import service as credit_service
from platform6.extensions import db
from platform6.governance.models import Poll

from .conftest import in_days


def _raise(client, group, account_id, limit: str):
    return client.post(f"/groups/{group.handle}/decisions/new", data={
        "kind": "proposal", "title": "Raise Bob's limit", "closing_at": in_days(3)[:16], "reasons": "optional",
        "action_type": "set_credit_limit", "action_account_id": str(account_id), "action_limit": limit})  # fmt: skip


def test_the_new_limit_is_an_amount_in_the_accounts_currency(client, login, group, people):
    network = credit_service.create_network(
        actor=people["ann"], name="Kirklees", group_id=group.id, currency_code="KRK", currency_name="Kirklees credit",
        currency_symbol="§", currency_decimals=2)  # fmt: skip
    account = credit_service.open_account(
        actor=None, network=network, holder_type="user", holder_id=people["bob"].id, kind="business"
    )
    db.session.commit()
    login(people["ann"])
    for typed, message in (
        ("9e999999", "Write the amount in digits, such as 1234.50."),
        ("1.234", "&#34;1.234&#34; could mean 1234 or 1.234."),
        ("-5", "An amount cannot be negative."),
        ("20.0015", "This currency has 2 decimal places"),
    ):
        refused = _raise(client, group, account.id, typed)
        assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Poll.id))) == 0
    raised = _raise(client, group, account.id, "2.000,50")
    assert raised.status_code == 302, raised.get_data(as_text=True)
    poll = db.session.scalar(select(Poll))
    assert poll.action["credit_limit"] == 200_050
    page = client.get(raised.headers["Location"]).get_data(as_text=True)
    assert "Set the credit limit of Bob's account in Kirklees to §2,000.50\xa0KRK." in page
    assert "how far below zero the account's balance may go" in page
