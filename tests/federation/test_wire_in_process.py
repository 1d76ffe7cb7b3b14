"""The other implementations' messages, as their own tests write them, sent to the real /cc/<node>/ routes in-process
(Flask's test client, the real database), and our answers checked against the JSON Schemas in schemas/cc_answers.json.

Fixtures cite their sources (fixtures/komunitin, fixtures/reference); see test_wire_compatibility.py for the same
fixtures read at the function level.
"""

import hashlib
import json
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from platform6.credit.models import Account, Transfer
from platform6.extensions import db
from platform6.federation import client as peer_client
from platform6.federation import links
from platform6.federation.models import CCTransaction, Hold, Link

from .cc_schemas import conforms
from .peers import GENESIS, SECRET, Peer
from .test_wire_compatibility import body_of, fixture


def send(http, method, path, *, headers, body=b""):
    response = http.open(path, method=method, data=body, headers={"Content-Type": "application/json", **headers})
    db.session.expire_all()
    return response


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def head_of(link) -> str:
    return db.session.get(Link, link.id).head


def balance(account) -> int:
    return db.session.get(Account, account.id).balance


class FakeP6:
    """A Platform 6 neighbour behind peer_client: it validates relays (200, `added` as the entries it adds) and
    completes on PATCH (201)."""

    def __init__(self):
        self.added, self.calls = [], []

    def __call__(self, method, url, **kw):
        self.calls.append((method, url.split("/cc/", 1)[1]))
        if method == "POST":
            body = json.dumps({"data": self.added, "meta": {"secs_valid_left": 200}}).encode()
            return SimpleNamespace(status_code=200, content=body, text=body.decode())
        return SimpleNamespace(status_code=201, content=b"", text="")


@pytest.fixture
def fake_p6(monkeypatch, app):
    fake = FakeP6()
    monkeypatch.setattr(peer_client._http, "request", fake)
    app.config["FEDERATION_ALLOW_HTTP"] = True
    return fake


# --- P6 as a Komunitin-style leaf: the trunk relays as in their tests ---------------------------------------------


@pytest.fixture
def branch2(make_network, open_account):
    """branch2 (trunk/branch2) under the trunk `trunk` on a komunitin link whose genesis is their tests' `trunk`
    (a word the design forbids for real links: here only to reproduce their expected head); TEST0002 is a member."""
    network = make_network(default_credit_limit=1_000)
    test0002 = open_account(network)
    test0002.cc_name = "TEST0002"
    link = links.open_link(network=network, direction="trunkward", peer_name="trunk", cc_name="branch2",
                           profile="komunitin", peer_url="http://127.0.0.1:9/cc/trunk/", credit_limit=100_000,
                           genesis="trunk")  # fmt: skip
    db.session.commit()
    return SimpleNamespace(network=network, test0002=test0002, link=link)


def test_their_fee_less_relay_is_written_at_once_and_leaves_their_expected_head(client, branch2):
    case = fixture("komunitin/relay_without_fees.json")
    answer = send(client, "POST", "/cc/branch2/transaction/relay", headers=case["headers"], body=body_of(case))
    assert answer.status_code == case["expected"]["their_status"] == 201
    assert conforms(answer, "relay_answer") == {"data": [], "meta": {"secs_valid_left": 0}}
    assert head_of(branch2.link) == case["expected"]["head_after"] == "196bf56fdf9c2b747a20b8604b7b1f61"
    assert balance(branch2.test0002) == 1  # 0.01 in a currency of 2 decimals
    assert db.session.scalar(select(CCTransaction.state)) == "completed" and count(Hold) == 0
    status = send(client, "GET", f"/cc/branch2/transaction/{json.loads(body_of(case))['uuid']}",
                  headers={"cc-node": "trunk", "last-hash": head_of(branch2.link)})  # fmt: skip
    assert conforms(status, "transaction")["data"]["entries"][0]["quant"] == 0.01


def test_their_relay_with_fees_is_netted_into_one_credit_and_hashed_whole(client, branch2):
    """14 to TEST0002, who pays fees of 2 + 3 + 1 to the trunk's side: it gains 8; the head covers every entry."""
    case = fixture("komunitin/relay_with_fees.json")
    answer = send(client, "POST", "/cc/branch2/transaction/relay", headers=case["headers"], body=body_of(case))
    assert answer.status_code == 201 and conforms(answer, "relay_answer")["data"] == []
    assert balance(branch2.test0002) == 800
    assert head_of(branch2.link) == md5(case["expected"]["hash_string"])
    settlement = db.session.get(Account, branch2.link.vostro_account_id)
    assert settlement.balance == -800 and count(Transfer) == 1


@pytest.mark.parametrize(
    "case", [c for c in fixture("komunitin/auth_answers.json")["cases"] if c["status"] == 401], ids=lambda c: c["test"]
)
def test_their_auth_failures_get_401_in_the_error_shape_and_write_nothing(client, branch2, case):
    relay = fixture("komunitin/relay_without_fees.json")
    answer = send(client, "POST", "/cc/branch2/transaction/relay", headers=case["headers"], body=body_of(relay))
    assert answer.status_code == 401
    assert conforms(answer, "errors")["errors"][0]["class"] in ("PermissionViolation", "HashMismatchFailure")
    assert count(CCTransaction) == 0 and head_of(branch2.link) == "trunk"


def test_their_right_credentials_get_the_welcome(client, branch2):
    (case,) = [c for c in fixture("komunitin/auth_answers.json")["cases"] if c["status"] == 200]
    answer = send(client, "GET", "/cc/branch2/", headers=case["headers"])
    assert answer.status_code == 200 and conforms(answer, "welcome") == json.loads(case["answer"])


def _with_fees(first_quant, fee_payer="trunk/branch2/TEST0002"):
    body = fixture("komunitin/relay_with_fees.json")["body"]
    body["entries"][0]["quant"] = first_quant
    body["entries"][1]["payer"] = fee_payer
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    "body",
    [_with_fees(5), _with_fees(14, fee_payer="trunk/branch2/someone-else")],
    ids=["fees above the credit", "a fee debiting another account here"],
)
def test_a_relay_whose_entries_do_not_net_to_a_credit_here_is_refused(client, branch2, open_account, body):
    other = open_account(branch2.network)
    other.cc_name = "someone-else"
    db.session.commit()
    answer = send(client, "POST", "/cc/branch2/transaction/relay", headers={"cc-node": "trunk", "last-hash": "trunk"},
                  body=body)  # fmt: skip
    assert answer.status_code == 400 and conforms(answer, "errors")["errors"][0]["class"] == "PermissionViolation"
    assert balance(branch2.test0002) == balance(other) == 0 and count(CCTransaction) == 0


# --- Komunitin as our leaf: it wrote the transfer before relaying it ----------------------------------------------


@pytest.fixture
def ocn(make_network, open_account, fake_p6):
    """ocn, a P6 trunk with two leaves on other installations: kirklees runs Komunitin, leeds runs Platform 6."""
    network = make_network(default_credit_limit=10_000)
    olive = open_account(network)
    olive.cc_name = "olive"
    head = fixture("komunitin/sent_by_komunitin.json")["headers"]["last-hash"]
    kirklees = links.open_link(network=network, direction="leafward", peer_name="kirklees", cc_name="ocn",
                               profile="komunitin", peer_url="http://127.0.0.1:9/cc/kirklees/", credit_limit=100_000,
                               genesis=head)  # fmt: skip
    leeds = links.open_link(network=network, direction="leafward", peer_name="leeds", credit_limit=100_000,
                            peer_url="http://127.0.0.1:9/cc/leeds/", genesis=GENESIS, secret=SECRET)  # fmt: skip
    db.session.commit()
    return SimpleNamespace(network=network, olive=olive, kirklees=kirklees, leeds=leeds, fake=fake_p6)


def test_a_komunitin_transfer_is_completed_downstream_first_and_answered_201(client, ocn):
    case = fixture("komunitin/sent_by_komunitin.json")
    answer = send(client, "POST", "/cc/ocn/transaction/relay", headers=case["headers"], body=body_of(case))
    assert answer.status_code == 201 and conforms(answer, "relay_answer")["data"] == []
    assert [method for method, _path in ocn.fake.calls] == ["POST", "PATCH"]  # leeds validated, then completed
    assert head_of(ocn.kirklees) == md5(case["expected"]["hash_string"])
    vostros = [db.session.get(Account, link.vostro_account_id).balance for link in (ocn.kirklees, ocn.leeds)]
    assert vostros == [-1250, 1250] and count(Hold) == 0

    replayed = send(client, "POST", "/cc/ocn/transaction/relay", headers=case["headers"], body=body_of(case))
    assert (replayed.status_code, replayed.get_json()) == (201, answer.get_json())
    assert (
        len(ocn.fake.calls) == 2
        and count(Transfer) == 1
        and head_of(ocn.kirklees) == md5(case["expected"]["hash_string"])
    )

    new_head = {"cc-node": "kirklees", "last-hash": head_of(ocn.kirklees)}
    assert send(client, "GET", "/cc/ocn/", headers=new_head).status_code == 200
    stale = send(client, "GET", "/cc/ocn/", headers=case["headers"])
    assert stale.status_code == 401 and conforms(stale, "errors")


def test_a_komunitin_transfer_to_a_member_here_is_posted_at_once(client, ocn):
    case = fixture("komunitin/sent_by_komunitin.json")
    body = json.loads(body_of(case))
    body["entries"][0]["payee"] = "ocn/olive"
    answer = send(client, "POST", "/cc/ocn/transaction/relay", headers=case["headers"], body=json.dumps(body))
    assert answer.status_code == 201 and balance(ocn.olive) == 1250 and ocn.fake.calls == []


# --- fees a downstream adds: refused in v1 --------------------------------------------------------------------------

FEE = {"payer": "ocn/leeds/bob", "payee": "ocn/leeds/admin", "quant": 0.5, "description": "Payee fee", "metadata": {}}


def test_a_fee_added_downstream_erases_a_relay_and_releases_its_holds(client, ocn):
    ocn.fake.added = [FEE]
    links.open_link(network=ocn.network, direction="leafward", peer_name="bakery", credit_limit=100_000,
                    peer_url="http://127.0.0.1:9/cc/bakery/", genesis=GENESIS, secret=SECRET)  # fmt: skip
    db.session.commit()
    bakery = Peer(client, "ocn", "bakery", ["ocn", "bakery"])  # a P6 leaf: phase 1 first, so it holds
    _uuid, answer = bakery.relay("ocn/bakery/ellie", "ocn/leeds/bob", 12.5)
    assert answer.status_code == 400 and "fee" in conforms(answer, "errors")["errors"][0]["message"]
    row = db.session.scalar(select(CCTransaction))
    assert row.state == "erased" and row.next_check_at is not None  # an abort goes to leeds, which holds it
    assert count(Hold) == 0 and count(Transfer) == 0


def test_a_fee_added_downstream_refuses_a_members_payment_in_plain_words(api, ocn):
    ocn.fake.added = [FEE]
    body = {"from_account_id": ocn.olive.id, "to": "ocn/leeds/bob", "amount": 1250, "description": "Bread"}
    answer = api.post("/remote-transfers", body, user=ocn.olive.holder)
    assert answer.status_code == 422 and "fee" in answer.get_json()["error"]["message"]
    assert balance(ocn.olive) == 0 and db.session.get(Account, ocn.olive.id).held_out == 0
    assert [method for method, _path in ocn.fake.calls] == ["POST"]  # never completed


def test_an_echo_of_what_we_relayed_is_not_a_fee(api, ocn):
    ocn.fake.added = [{"payer": "ocn/olive", "payee": "ocn/leeds/bob", "quant": 12.5, "description": "Bread"}]
    body = {"from_account_id": ocn.olive.id, "to": "ocn/leeds/bob", "amount": 1250, "description": "Bread"}
    assert api.post("/remote-transfers", body, user=ocn.olive.holder).status_code == 201


# --- the reference node, 0.8 and 0.9 ----------------------------------------------------------------------------

REFERENCE_GENESIS = fixture("reference/relay_0_8.json")["headers"]["CC-Auth"]
PROFILES = {
    # 0.8: cc_server's PermissionMiddleware headers, states as words (relay_0_8.json as it is)
    "cc-0.8": ({"CC-User": "ocn"}, "CC-Auth", "validated", "completed"),
    # 0.9: the captured traffic's cc-node/last-hash and letters (michielbdejong/automerge-basic src/main.ts)
    "cc-0.9": ({"cc-node": "ocn"}, "last-hash", "V", "C"),
}


@pytest.fixture(params=sorted(PROFILES))
def kirklees(request, make_network, open_account):
    network = make_network(default_credit_limit=1_000)
    ellie = open_account(network)
    ellie.cc_name = "ellie"
    link = links.open_link(network=network, direction="trunkward", peer_name="ocn", cc_name="kirklees",
                           profile=request.param, peer_url="http://127.0.0.1:9/cc/ocn/", quant_decimals=0,
                           credit_limit=100_000, genesis=REFERENCE_GENESIS)  # fmt: skip
    db.session.commit()
    name, hash_header, state, complete = PROFILES[request.param]
    return SimpleNamespace(ellie=ellie, link=link, name=name, hash_header=hash_header, state=state, complete=complete)


def _reference_relay(kirklees, payee="ocn/kirklees/ellie") -> bytes:
    body = json.loads(body_of(fixture("reference/relay_0_8.json")))
    body["state"], body["entries"][0]["payee"] = kirklees.state, payee
    return json.dumps(body).encode()


def test_a_reference_relay_is_held_then_completed_by_patch(client, kirklees):
    headers = {**kirklees.name, kirklees.hash_header: REFERENCE_GENESIS}
    relayed = send(client, "POST", "/cc/kirklees/transaction/relay", headers=headers, body=_reference_relay(kirklees))
    assert relayed.status_code == 200 and conforms(relayed, "relay_answer")["data"] == []
    assert balance(kirklees.ellie) == 0 and db.session.get(Account, kirklees.ellie.id).held_in == 1000
    uuid = json.loads(_reference_relay(kirklees))["uuid"]
    patched = send(client, "PATCH", f"/cc/kirklees/transaction/{uuid}/{kirklees.complete}", headers=headers)
    assert (patched.status_code, patched.data) == (201, b"")
    assert balance(kirklees.ellie) == 1000  # 10 base units of the trunk: 10.00 here
    assert head_of(kirklees.link) == md5(f"{REFERENCE_GENESIS}|{uuid}|{kirklees.complete}|10|bread|1")
    again = send(client, "PATCH", f"/cc/kirklees/transaction/{uuid}/{kirklees.complete}", headers=headers)
    assert again.status_code == 201 and count(Transfer) == 1


def test_reference_refusals_are_objects_with_its_class_names(client, kirklees):
    headers = {**kirklees.name, kirklees.hash_header: REFERENCE_GENESIS}
    unknown = send(client, "POST", "/cc/kirklees/transaction/relay", headers=headers,
                   body=_reference_relay(kirklees, payee="ocn/kirklees/nobody"))  # fmt: skip
    assert unknown.status_code == 400 and conforms(unknown, "errors")["errors"][0]["class"] == "DoesNotExistViolation"
    assert unknown.get_json()["errors"][0]["node"] == "kirklees"
    wrong = send(client, "POST", "/cc/kirklees/transaction/relay", headers={**kirklees.name, kirklees.hash_header: "x"},
                 body=_reference_relay(kirklees))  # fmt: skip
    assert wrong.status_code == 401 and conforms(wrong, "errors")["errors"][0]["class"] == "HashMismatchFailure"
    missing = send(client, "PATCH", "/cc/kirklees/transaction/6f1e2d3c-4b5a-4978-8a1b-2c3d4e5f6a7b/C", headers=headers)
    assert missing.status_code == 404 and conforms(missing, "errors")["errors"][0]["class"] == "DoesNotExistViolation"
    assert count(CCTransaction) == 0
