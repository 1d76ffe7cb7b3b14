"""Peer authentication (FEDERATION.md §4): the link's head (or a transaction's head-before for its repeat), the
caller's name or full path, and between Platform 6 peers a fresh signature over the request."""

import time

import pytest

from platform6.extensions import db
from platform6.federation import links, signing, wire
from platform6.federation.models import CCTransaction
from platform6.federation.peer_auth import authenticated_link
from platform6.timeutil import utcnow

UUID = "6f1c1f0e-8b7b-4c51-9d3a-0a4b7a2d2c11"
PATH = "/cc/ocn/transaction/relay"


@pytest.fixture
def trunk(make_network):
    network = make_network()
    link = links.open_link(network=network, direction="leafward", peer_name="kirklees", cc_name="ocn",
                           peer_url="https://k.example/cc/kirklees/", genesis="a" * 32, secret="shh")  # fmt: skip
    db.session.commit()
    return network, link


def _headers(head, *, node="kirklees", secret="shh", body=b"{}", path=PATH, now=None):
    headers = wire.auth_headers(profile="p6", our_name=node.split("/")[-1], our_path=node.split("/"), head=head)
    headers["cc-node"] = node
    headers[signing.HEADER] = signing.sign(secret, method="POST", path=path, body=body, now=now)
    return headers


def _auth(network, headers, body=b"{}", path=PATH):
    return authenticated_link(network, headers=headers, method="POST", path=path, body=body)


def test_the_head_and_signature_prove_the_peer(trunk):
    network, link = trunk
    assert _auth(network, _headers("a" * 32)) is link
    assert _auth(network, _headers("a" * 32, node="ocn/kirklees")) is link


@pytest.mark.parametrize(
    "headers",
    [
        {},
        _headers("b" * 32),
        _headers("a" * 32, node="leeds"),
        _headers("a" * 32, node="other/kirklees"),
        _headers("a" * 32, secret="wrong"),
        _headers("a" * 32, now=int(time.time()) - 301),
        {k: v for k, v in _headers("a" * 32).items() if k != signing.HEADER},
    ],
    ids=["no headers", "wrong hash", "another node", "wrong path", "wrong secret", "stale", "unsigned"],
)
def test_anything_else_is_refused_with_401(trunk, headers):
    network, _ = trunk
    with pytest.raises(wire.CCError) as refused:
        _auth(network, headers)
    assert refused.value.status == 401


def test_a_body_changed_after_signing_is_refused(trunk):
    network, _ = trunk
    with pytest.raises(wire.CCError):
        _auth(network, _headers("a" * 32, body=b'{"a": 1}'), body=b'{"a": 2}')


def test_a_repeat_may_carry_the_head_from_before_its_transaction(trunk):
    network, link = trunk
    db.session.add(CCTransaction(uuid=UUID, network_id=network.id, payer_address="x", payee_address="y", amount=1,
                                 deadline=utcnow(), head_before={str(link.id): "a" * 32}))  # fmt: skip
    links.advance_head(link, uuid=UUID, state="completed", new_head="c" * 32)
    db.session.commit()
    patch = f"/cc/ocn/transaction/{UUID}/C"
    assert _auth(network, _headers("a" * 32, path=patch, body=b""), body=b"", path=patch) is link
    # the old head proves nothing for another transaction
    other = "/cc/ocn/transaction/0a1c1f0e-8b7b-4c51-9d3a-0a4b7a2d2c11/C"
    with pytest.raises(wire.CCError):
        _auth(network, _headers("a" * 32, path=other, body=b""), body=b"", path=other)
    assert _auth(network, _headers("c" * 32)) is link
