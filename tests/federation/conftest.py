"""Federation fixtures: the credit fixtures (networks, accounts), shared; leeds, a node whose trunk the test plays."""

from types import SimpleNamespace

import pytest

from platform6.extensions import db
from platform6.federation import links
from tests.credit.conftest import make_network, open_account  # noqa: F401

from .peers import GENESIS, SECRET, Peer


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
