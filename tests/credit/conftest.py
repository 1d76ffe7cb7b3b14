"""Credit fixtures: a network governed by a group, and accounts opened in it."""

import html
import re

import pytest

from platform6.credit import service
from platform6.extensions import db


@pytest.fixture
def make_network(create_group, create_user):
    def factory(admin=None, group=None, parent=None, clearing_holder=None, exchange_rate="1", decimals=2, **kwargs):
        admin = admin or create_user()
        group = group or create_group(admin=admin)
        network = service.create_network(
            actor=admin,
            name=kwargs.pop("name", f"Network of {group.name}"),
            group_id=group.id,
            currency_code=kwargs.pop("code", "SKL"),
            currency_name=kwargs.pop("currency_name", "Sterling Kredit"),
            currency_symbol="§",
            currency_decimals=decimals,
            parent_id=parent.id if parent else None,
            exchange_rate=exchange_rate,
            clearing_holder=clearing_holder,
            **kwargs,
        )
        db.session.commit()
        network.admin = admin
        return network

    return factory


@pytest.fixture
def open_account(create_user):
    def factory(network, holder=None, kind="business", credit_limit=None, debit_limit=None, group=None):
        if group is not None:
            holder_type, holder_id = "group", group.id
        else:
            holder = holder or create_user()
            holder_type, holder_id = "user", holder.id
        account = service.open_account(
            actor=None,
            network=network,
            holder_type=holder_type,
            holder_id=holder_id,
            kind=kind,
            credit_limit=credit_limit,
            debit_limit=debit_limit,
        )
        db.session.commit()
        account.holder = holder
        return account

    return factory


def hidden_fields(page: str) -> dict[str, str]:
    """The hidden inputs of a page's form: what a confirmation posts back."""
    fields = re.findall(r'<input[^>]*type="hidden"[^>]*>', page)
    named = (re.search(r'name="([^"]*)"', f) for f in fields)
    values = (re.search(r'value="([^"]*)"', f) for f in fields)
    return {n.group(1): html.unescape(v.group(1)) if v else "" for n, v in zip(named, values, strict=True) if n}


@pytest.fixture
def pay_on_pages(client):
    """Fill the pay form, then confirm what the confirmation page shows: (the confirmation, the answer)."""

    def pay(data: dict):
        confirmation = client.post("/credit/pay", data=data)
        assert confirmation.status_code == 200, confirmation.get_data(as_text=True)
        answer = client.post("/credit/pay/confirm", data=hidden_fields(confirmation.get_data(as_text=True)))
        return confirmation, answer

    return pay
