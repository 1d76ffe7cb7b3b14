"""Links (FEDERATION.md §1.3): opening one opens the account standing for the neighbour; a network has at most one
trunkward edge; node paths; the hash chain's head advances with a recorded row."""

import pytest
from sqlalchemy import select

from platform6.credit.models import Account
from platform6.errors import Conflict, RuleViolation, ValidationFailed
from platform6.extensions import db
from platform6.federation import links, signing
from platform6.federation.models import LinkHash


def test_a_leafward_link_opens_a_clearing_account_held_by_the_link(make_network):
    trunk = make_network()
    link = links.open_link(network=trunk, direction="leafward", peer_name="kirklees", cc_name="ocn",
                           peer_url="https://k.example/cc/kirklees/", credit_limit=2_000, genesis="g" * 32,
                           secret="s3cret")  # fmt: skip
    db.session.commit()
    vostro = db.session.get(Account, link.vostro_account_id)
    assert (vostro.network_id, vostro.purpose, vostro.holder_type, vostro.holder_id) == (
        trunk.id, "clearing", "peer", link.id)  # fmt: skip
    assert (vostro.credit_limit, vostro.cc_name, vostro.floor) == (2_000, "kirklees", -2_000)
    assert (trunk.cc_name, link.head, link.seq, link.rate) == ("ocn", "g" * 32, 0, "1")
    assert link.secret != "s3cret" and signing.unseal("test-secret", link.secret) == "s3cret"
    assert links.link_by_peer(trunk, "kirklees") is link
    assert links.our_path(trunk) == ["ocn"]


def test_a_trunkward_link_gives_the_settlement_account_limits_and_the_path(make_network, create_group):
    leaf = make_network()
    bakery = make_network(parent=leaf, group=create_group(admin=leaf.admin), admin=leaf.admin)
    bakery.cc_name = "bakery"
    link = links.open_link(network=leaf, direction="trunkward", peer_name="ocn", cc_name="kirklees",
                           peer_url="https://n.example/cc/ocn/", peer_path="world/ocn", rate="0.5",
                           credit_limit=300, debit_limit=2_000)  # fmt: skip
    db.session.commit()
    settlement = db.session.get(Account, link.vostro_account_id)
    assert leaf.settlement_account_id == settlement.id and settlement.purpose == "settlement"
    assert (settlement.credit_limit, settlement.debit_limit, settlement.floor) == (300, 2_000, -300)
    assert link.rate == "0.5"
    assert links.our_path(leaf) == ["world", "ocn", "kirklees"]
    assert links.our_path(bakery) == ["world", "ocn", "kirklees", "bakery"]


def test_a_network_has_one_trunkward_edge(make_network, create_group):
    parent = make_network()
    child = make_network(parent=parent, group=create_group(admin=parent.admin), admin=parent.admin)
    with pytest.raises(RuleViolation):
        links.open_link(network=child, direction="trunkward", peer_name="ocn", cc_name="child",
                        peer_url="https://n.example/cc/ocn/")  # fmt: skip
    db.session.rollback()
    root = make_network()
    links.open_link(network=root, direction="trunkward", peer_name="ocn", cc_name="root",
                    peer_url="https://n.example/cc/ocn/")  # fmt: skip
    with pytest.raises(RuleViolation):
        links.open_link(network=root, direction="trunkward", peer_name="other", peer_url="https://o.example/cc/o/")
    db.session.rollback()


def test_names_are_checked_and_unique(make_network):
    first, second = make_network(), make_network()
    with pytest.raises(ValidationFailed):
        links.open_link(network=first, direction="leafward", peer_name="Not A Name", cc_name="ocn",
                        peer_url="https://k.example/cc/k/")  # fmt: skip
    db.session.rollback()
    with pytest.raises(ValidationFailed):
        links.open_link(network=first, direction="leafward", peer_name="k", peer_url="https://k.example/cc/k/")
    db.session.rollback()
    links.open_link(
        network=first, direction="leafward", peer_name="k", cc_name="ocn", peer_url="https://k.example/cc/k/"
    )
    db.session.commit()
    with pytest.raises(Conflict):
        links.open_link(network=first, direction="leafward", peer_name="k", peer_url="https://k.example/cc/k/")
    db.session.rollback()
    with pytest.raises(Conflict):
        links.open_link(network=second, direction="leafward", peer_name="k", cc_name="ocn",
                        peer_url="https://k.example/cc/k/")  # fmt: skip


def test_advance_head_records_each_head(make_network):
    link = links.open_link(network=make_network(), direction="leafward", peer_name="k", cc_name="ocn",
                           peer_url="https://k.example/cc/k/", genesis="a" * 32)  # fmt: skip
    links.advance_head(link, uuid="6f1c1f0e-8b7b-4c51-9d3a-0a4b7a2d2c11", state="completed", new_head="b" * 32)
    db.session.commit()
    assert (link.head, link.seq) == ("b" * 32, 1)
    row = db.session.scalar(select(LinkHash).where(LinkHash.link_id == link.id))
    assert (row.seq, row.previous, row.head, row.state) == (1, "a" * 32, "b" * 32, "completed")
