"""Routing across a link (FEDERATION.md §1.4, §1.5): amounts converted on the leaf, half-even, with the link amount
exact in trunk units; an incoming payment routed down into an internal child network."""

import json

from sqlalchemy import select

from platform6.credit import queries
from platform6.credit.models import Account
from platform6.extensions import db
from platform6.federation import client as peer_client
from platform6.federation import links, routing, transactions
from platform6.federation.models import CCTransaction

from .peers import GENESIS, SECRET, Peer, entries


def test_a_leaf_converts_at_its_rate_and_keeps_the_trunk_amount_exact(make_network, open_account, client, app,
                                                                       monkeypatch):  # fmt: skip
    network = make_network(default_credit_limit=100_000)
    link = links.open_link(network=network, direction="trunkward", peer_name="ocn", cc_name="leeds", rate="0.5",
                           peer_url="http://127.0.0.1:9/cc/ocn/", credit_limit=100_000, genesis=GENESIS,
                           secret=SECRET)  # fmt: skip
    assert routing.to_link_units(link, network, 1_001) == 500  # 10.01 here = 5.005 there: half-even to 5.00
    assert routing.from_link_units(link, network, 501) == 1_002
    staff = make_network(parent=network, admin=network.admin, exchange_rate="2")
    staff.cc_name = "staff"
    carol = open_account(staff)
    carol.cc_name = "carol"
    db.session.commit()
    trunk = Peer(client, "leeds", "ocn", ["ocn"])
    uuid, answer = trunk.relay("ocn/kirklees/ellie", "ocn/leeds/staff/carol", 5.01)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert trunk.complete(uuid, entries(501)).status_code == 201
    row = db.session.scalar(select(CCTransaction))
    assert [(leg["amount"], leg["link_amount"]) for leg in row.legs] == [(1_002, 501), (501, None)]
    assert db.session.get(Account, carol.id).balance == 501  # 10.02 leeds at 2 leeds per staff unit
    assert queries.ledger_violations() == []
    # and out: what leaves by the link is the trunk amount, sent as the wire's quant
    payer = open_account(network)
    sent = []

    def trunk_answers(method, url, **kw):
        sent.append(kw.get("data"))
        return type("R", (), {"status_code": 200 if method == "POST" else 201, "content": b"", "text": ""})()

    monkeypatch.setattr(peer_client._http, "request", trunk_answers)
    app.config["FEDERATION_ALLOW_HTTP"] = True
    made = transactions.pay_remote(actor=payer.holder, from_account_id=payer.id, to_address="ocn/kirklees/ellie",
                                   amount=1_001, description="")  # fmt: skip
    assert made.state == "completed" and made.legs[0]["link_amount"] == 500
    assert json.loads(sent[0])["entries"][0]["quant"] == 5
