"""Federation fixtures: the credit fixtures (networks, accounts), shared; leeds, a node whose trunk the test plays;
ocn, a trunk network here governed by a group of three."""

from types import SimpleNamespace

import pytest

from platform6.credit import service as credit_service
from platform6.extensions import db
from platform6.federation import links
from tests.credit.conftest import make_network, open_account  # noqa: F401

from .peers import GENESIS, SECRET, Peer

#: installations reaching each other on localhost, over http (off by default: peers are public and https)
LOOPBACK_PEERS = {"FEDERATION_ALLOW_HTTP": True, "FEDERATION_ALLOW_PRIVATE_ADDRESSES": True}


@pytest.fixture
def leeds(make_network, open_account, client):  # noqa: F811 - the fixtures imported above
    """leeds (ocn/leeds) on this installation, linked to its trunk ocn; bob is a member; the test plays ocn."""
    network = make_network(default_credit_limit=1_000)
    bob = open_account(network)
    bob.cc_name = "bob"
    link = links.open_link(network=network, direction="trunkward", peer_name="ocn", cc_name="leeds",
                           peer_url="http://127.0.0.1:9/cc/ocn/", credit_limit=5_000, genesis=GENESIS,
                           secret=SECRET)  # fmt: skip
    db.session.commit()
    return SimpleNamespace(network=network, bob=bob, link=link, trunk=Peer(client, "leeds", "ocn", ["ocn"]))


@pytest.fixture
def trunk(app, api, create_user, create_group, people_of_trunk):
    """The trunk network `ocn` here, governed by a group of three (ann an admin)."""
    ann, bob, cat = people_of_trunk
    group = create_group(admin=ann, members=[bob, cat], name="Open Credit Network")
    network = credit_service.create_network(
        actor=ann,
        name="OCN",
        group_id=group.id,
        currency_code="OCN",
        currency_name="OCN credit",
        currency_symbol="Ø",
        currency_decimals=2,
    )
    db.session.commit()
    assert api.patch(f"/networks/{network.id}/federation", {"node_name": "ocn"}, user=ann).status_code == 200
    app.config.update(LOOPBACK_PEERS)
    return network, group


@pytest.fixture
def people_of_trunk(create_user):
    return create_user(name="Ann"), create_user(name="Bob"), create_user(name="Cat")
