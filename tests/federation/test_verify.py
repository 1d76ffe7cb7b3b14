"""`flask credit verify` also checks federation's invariants: held sums against holds, holds only on unfinished
transactions, and each link's chain recomputed from its genesis to its head."""

from sqlalchemy import update

from platform6.credit.models import Account, Leg
from platform6.extensions import db
from platform6.federation import links
from platform6.federation.models import Link

from .peers import GENESIS, SECRET, Peer, entries


def _verify(app, *args):
    return app.test_cli_runner().invoke(args=["credit", "verify", *args])


def test_verify_passes_then_finds_tampered_holds_and_chains(app, leeds):
    uuid, _answer = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 10)
    assert _verify(app).exit_code == 0
    db.session.execute(update(Account).where(Account.id == leeds.bob.id).values(held_in=1))
    db.session.commit()
    assert "held_out/held_in do not equal" in _verify(app).output
    db.session.execute(update(Account).where(Account.id == leeds.bob.id).values(held_in=1_000))
    db.session.commit()
    assert leeds.trunk.complete(uuid, entries(1_000)).status_code == 201
    assert _verify(app).exit_code == 0
    db.session.execute(update(Link).values(head="0" * 32))
    db.session.commit()
    broken = _verify(app, "--json")
    assert broken.exit_code == 1 and "its head is not where its chain leads" in broken.output
    assert links.our_path(leeds.network) == ["ocn", "leeds"]


def test_verify_holds_a_leaf_settlement_to_its_link_amounts_within_rounding(app, make_network, open_account, client):
    """kirklees at 3 trunk units per unit: 0.05 from the trunk is 0.0166… here, credited as 0.02 (half a unit off,
    within tolerance); a link amount that no longer matches the settlement is caught."""
    network = make_network(default_credit_limit=1_000)
    ellie = open_account(network)
    ellie.cc_name = "ellie"
    link = links.open_link(network=network, direction="trunkward", peer_name="ocn", cc_name="kirklees", rate="3",
                           peer_url="http://127.0.0.1:9/cc/ocn/", credit_limit=5_000, genesis=GENESIS,
                           secret=SECRET)  # fmt: skip
    db.session.commit()
    trunk = Peer(client, "kirklees", "ocn", ["ocn"])
    for _payment in range(3):
        uuid, relayed = trunk.relay("ocn/leeds/bob", "ocn/kirklees/ellie", 0.05)
        assert relayed.status_code == 200, relayed.get_data(as_text=True)
        assert trunk.complete(uuid, entries(5)).status_code == 201
    assert db.session.get(Account, ellie.id).balance == 6  # 3 × 0.02, against 15 / 3 = 5 exactly
    passed = _verify(app)
    assert passed.exit_code == 0, passed.output
    db.session.execute(update(Leg).where(Leg.link_amount.is_not(None)).values(link_amount=50))
    db.session.commit()
    failed = _verify(app)
    assert failed.exit_code == 1
    assert f"link {link.id} (ocn): settlement balance -6 does not match the link amounts" in failed.output
