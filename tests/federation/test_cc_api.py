"""The Credit Commons routes of one node, called in-process as its neighbour would (FEDERATION.md §2, §3): a relay
validates and holds, C posts, a repeat gets the stored answer, forged or stale calls write nothing, a relay may only
credit our members and only within the sender's vostro limit; and no database transaction is open while we call out."""

import json
import uuid as uuidlib
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from platform6.credit import queries
from platform6.credit.models import Account, Transfer
from platform6.extensions import db
from platform6.federation import client, hashing, links, signing, wire
from platform6.federation.models import CCTransaction, Hold, LinkHash

GENESIS, SECRET = "0123456789abcdef0123456789abcdef", "shared-secret"


class Peer:
    """The test playing a neighbour of the node: it keeps its own copy of the link's head and signs like P6."""

    def __init__(self, http, node: str, name: str, path: list[str]):
        self.http, self.node, self.name, self.path, self.head = http, node, name, path, GENESIS

    def call(self, method, route, body=b"", head=None, secret=SECRET, name=None):
        path = f"/cc/{self.node}/{route}"
        headers = wire.auth_headers(profile="p6", our_name=name or self.name, our_path=self.path,
                                    head=self.head if head is None else head)  # fmt: skip
        headers[signing.HEADER] = signing.sign(secret, method=method, path=path, body=body)
        response = self.http.open(path, method=method, data=body, headers=headers)
        db.session.expire_all()
        return response

    def relay(self, payer, payee, quant, uuid=None, **kw):
        uuid = uuid or str(uuidlib.uuid4())
        body = json.dumps({"uuid": uuid, "state": "V", "workflow": "|P-PC+CX+", "entries": [
            {"payer": payer, "payee": payee, "quant": quant, "description": "Bread", "metadata": {}}]}).encode()  # fmt: skip
        return uuid, self.call("POST", "transaction/relay", body, **kw)

    def complete(self, uuid, entries, **kw):
        answer = self.call("PATCH", f"transaction/{uuid}/C", **kw)
        if answer.status_code == 201:  # our side of the chain advances as the node's did
            self.head = hashing.link_hash("p6", self.head, uuid=uuid, state="completed", entries=entries, version=1,
                                          decimals=2)  # fmt: skip
        return answer


@pytest.fixture
def leeds(make_network, open_account, client):
    """leeds (ocn/leeds) on this installation, linked to its trunk ocn; bob is a member; the test plays ocn."""
    network = make_network(default_credit_limit=1_000)
    bob = open_account(network)
    bob.cc_name = "bob"
    link = links.open_link(network=network, direction="trunkward", peer_name="ocn", cc_name="leeds",
                           peer_url="http://127.0.0.1:9/cc/ocn/", credit_limit=5_000, genesis=GENESIS,
                           secret=SECRET)  # fmt: skip
    db.session.commit()
    return SimpleNamespace(network=network, bob=bob, link=link, trunk=Peer(client, "leeds", "ocn", ["ocn"]))


def _entry(quant):
    return [{"payer": "ocn/kirklees/ellie", "payee": "ocn/leeds/bob", "quant": quant, "description": "Bread"}]


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_relay_holds_then_c_posts_and_advances_the_head(leeds):
    uuid, answer = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 10)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.json["data"] == [] and "secs_valid_left" in answer.json["meta"]
    bob = db.session.get(Account, leeds.bob.id)
    assert (bob.balance, bob.held_in) == (0, 1_000)
    assert leeds.trunk.complete(uuid, _entry(1_000)).status_code == 201
    bob, settlement = db.session.get(Account, leeds.bob.id), db.session.get(Account, leeds.link.vostro_account_id)
    assert (bob.balance, bob.held_in, settlement.balance, settlement.held_out) == (1_000, 0, -1_000, 0)
    assert db.session.get(type(leeds.link), leeds.link.id).head == leeds.trunk.head
    row = db.session.scalar(select(CCTransaction))
    assert row.state == "completed" and _count(Hold) == 0 and queries.ledger_violations() == []
    # a lost answer: C again, with the head from before it, gets 201 and posts nothing twice
    again = leeds.trunk.call("PATCH", f"transaction/{uuid}/C", head=GENESIS)
    assert again.status_code == 201 and _count(Transfer) == 1
    status = leeds.trunk.call("GET", f"transaction/{uuid}")
    assert status.json["data"]["state"] == "C" and status.json["data"]["entries"][0]["quant"] == 10


def test_a_repeated_relay_gets_the_stored_answer_and_another_body_is_refused(leeds):
    uuid, first = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 5)
    _uuid, again = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 5, uuid=uuid)
    assert again.status_code == first.status_code == 200 and _count(Hold) == 2
    _uuid, other = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 6, uuid=uuid)
    assert other.status_code == 400 and other.json["errors"][0]["class"] == "DuplicateUuidViolation"
    assert db.session.get(Account, leeds.bob.id).held_in == 500


@pytest.mark.parametrize(
    "forgery",
    [{"head": "f" * 32}, {"secret": "guessed"}, {"name": "kirklees"}, {"head": ""}],
    ids=["random last-hash", "bad signature", "wrong cc-node", "empty hash"],
)
def test_a_forged_call_gets_401_and_writes_nothing(leeds, forgery):
    _uuid, answer = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 10, **forgery)
    assert answer.status_code == 401 and answer.json["errors"][0]["class"] in ("HashMismatchFailure",
                                                                               "PermissionViolation")  # fmt: skip
    assert _count(CCTransaction) == _count(Hold) == _count(LinkHash) == 0
    assert db.session.get(type(leeds.link), leeds.link.id).head == GENESIS


def test_a_stale_head_is_refused_once_the_chain_moved(leeds):
    uuid, _answer = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 1)
    leeds.trunk.complete(uuid, _entry(100))
    _uuid, replayed = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 1, head=GENESIS)
    assert replayed.status_code == 401 and _count(CCTransaction) == 1


def test_a_relay_may_not_debit_a_member_here(leeds, open_account):
    _uuid, answer = leeds.trunk.relay("ocn/leeds/bob", "ocn/kirklees/ellie", 10)
    assert answer.status_code == 400 and answer.json["errors"][0]["class"] == "PermissionViolation"
    _uuid, answer = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/nobody", 10)
    assert answer.status_code == 400 and answer.json["errors"][0]["class"] == "DoesNotExistViolation"
    _uuid, answer = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/other/x", 10)
    assert answer.status_code == 400 and answer.json["errors"][0]["class"] == "PathViolation"
    assert _count(CCTransaction) == 0


def test_a_relay_beyond_the_vostro_limit_is_refused_and_holds_count(leeds):
    # the trunk may push at most 50.00 into leeds (the settlement account's credit limit)
    _uuid, first = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 30)
    assert first.status_code == 200
    _uuid, second = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 30)
    assert second.status_code == 400 and second.json["errors"][0]["class"] == "MinLimitViolation"
    assert db.session.get(Account, leeds.link.vostro_account_id).held_out == 3_000


def test_erase_releases_and_c_after_erase_is_refused(leeds):
    uuid, _answer = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 10)
    assert leeds.trunk.call("PATCH", f"transaction/{uuid}/E").status_code == 201
    assert db.session.get(Account, leeds.bob.id).held_in == 0
    refused = leeds.trunk.complete(uuid, _entry(1_000))
    assert refused.status_code == 400 and refused.json["errors"][0]["class"] == "WorkflowViolation"
    assert leeds.trunk.call("PATCH", f"transaction/{uuidlib.uuid4()!s}/C").status_code == 404


def test_the_protocol_routes_answer_json_and_never_500(leeds):
    assert leeds.trunk.http.options("/cc/leeds/").json["data"]["relayTransaction"] == ["POST", "/transaction/relay"]
    assert leeds.trunk.call("GET", "").json["message"].startswith("Welcome")
    assert leeds.trunk.call("GET", "handshake").json == {"data": []}
    assert leeds.trunk.call("GET", "absolutepath").json == {"data": ["ocn", "leeds"]}
    assert leeds.trunk.call("GET", "workflows").status_code == 200
    assert leeds.trunk.call("GET", "account/summary").json["data"]["ocn"]["completed"]["balance"] == 0
    assert leeds.trunk.http.get("/cc/leeds/handshake").status_code == 401
    assert leeds.trunk.http.get("/cc/nowhere/handshake").status_code == 404
    for body in (b"", b"[]", b"{", b'{"uuid": "x", "entries": []}', b'{"entries": [{"quant": 1e400}]}'):
        answer = leeds.trunk.call("POST", "transaction/relay", body)
        assert answer.status_code == 400 and answer.json["errors"][0]["class"] == "CCViolation", body


def test_no_transaction_is_open_while_a_peer_is_called(make_network, open_account, client, monkeypatch):
    """ocn relays from kirklees to leeds: the call to leeds happens with no database transaction open."""
    ocn = make_network()
    kirklees = links.open_link(network=ocn, direction="leafward", peer_name="kirklees", cc_name="ocn",
                               peer_url="http://127.0.0.1:9/cc/kirklees/", credit_limit=5_000, genesis=GENESIS,
                               secret=SECRET)  # fmt: skip
    links.open_link(network=ocn, direction="leafward", peer_name="leeds", peer_url="http://127.0.0.1:9/cc/leeds/")
    db.session.commit()
    calls = []

    def answer(method, url, **kw):
        calls.append((method, url, db.session().in_transaction()))
        return SimpleNamespace(status_code=200 if method == "POST" else 201, content=b'{"data": []}', text="")

    monkeypatch.setattr(client_module_http(), "request", answer)
    client.application.config["FEDERATION_ALLOW_HTTP"] = True
    peer = Peer(client, "ocn", "kirklees", ["ocn", "kirklees"])
    uuid, relayed = peer.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 10)
    assert relayed.status_code == 200, relayed.get_data(as_text=True)
    assert peer.complete(uuid, _entry(1_000)).status_code == 201
    assert [(m, u.rsplit("/cc/", 1)[1]) for m, u, _open in calls] == [
        ("POST", "leeds/transaction/relay"), ("PATCH", f"leeds/transaction/{uuid}/C")]  # fmt: skip
    assert not any(open_ for _m, _u, open_ in calls)
    clearing = db.session.get(Account, kirklees.vostro_account_id)
    assert clearing.balance == -1_000 and queries.ledger_violations() == []


def client_module_http():
    return client._http
