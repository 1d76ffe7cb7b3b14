"""A neighbour trying what it should not (docs/federation.md "Security between nodes"): amounts the wire rules
refuse, a secret replaced by a rotation used to rotate again, and a C that arrives as the transaction is erased."""

import json
import logging
import uuid as uuidlib

import pytest
from sqlalchemy import func, select, update

from platform6.credit.models import Account, Transfer
from platform6.extensions import db
from platform6.federation import recovery, transactions
from platform6.federation.models import CCTransaction, Link

from .peers import SECRET, entries
from .test_komunitin_downstream import ocn  # noqa: F401 - the fixture
from .test_remote_transfers import kirklees  # noqa: F401 - the fixture


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _relay_body(quant: str) -> bytes:
    """A relay whose quant is written as given: a JSON number with every digit the sender chose."""
    body = json.dumps({"uuid": "6f1e2d3c-4b5a-4978-8a1b-2c3d4e5f6a7b", "state": "V", "workflow": "|P-PC+CX+",
                       "entries": [{"payer": "ocn/kirklees/ellie", "payee": "ocn/leeds/bob", "quant": "QUANT",
                                    "description": "Bread"}]})  # fmt: skip
    return body.replace('"QUANT"', quant).encode()


def test_a_quant_with_more_digits_than_decimal_arithmetic_keeps_is_refused_not_rounded(leeds):
    # 29 nines after the point: not a whole number of cents, though the default 28-digit context rounds it to 1.00
    answer = leeds.trunk.call("POST", "transaction/relay", _relay_body("0." + "9" * 29))
    assert answer.status_code == 400 and answer.json["errors"][0]["class"] == "CCViolation"
    assert _count(CCTransaction) == 0 and db.session.get(Account, leeds.bob.id).held_in == 0


def test_a_quant_too_large_once_converted_is_a_clean_refusal(leeds, caplog):
    # leeds' unit is worth a millionth of the trunk's: the largest quant, 2^53 - 1 cents, is 9e21 leeds cents
    db.session.execute(update(Link).where(Link.id == leeds.link.id).values(rate="0.000001"))
    db.session.commit()
    with caplog.at_level(logging.ERROR, logger="platform6.federation"):
        answer = leeds.trunk.call("POST", "transaction/relay", _relay_body("90071992547409.91"))
    assert answer.status_code == 400 and answer.json["errors"][0]["class"] == "CCViolation"
    assert _count(CCTransaction) == 0 and not caplog.records


def test_a_secret_replaced_by_a_rotation_cannot_rotate_again(leeds):
    new, thiefs = "n" * 40, "t" * 40
    assert leeds.trunk.call("POST", "p6/rotate", json.dumps({"secret": new}).encode()).status_code == 200
    # whoever still holds the replaced secret may not install one of its own during the day both verify
    stolen = leeds.trunk.call("POST", "p6/rotate", json.dumps({"secret": thiefs}).encode(), secret=SECRET)
    assert stolen.status_code == 401
    assert leeds.trunk.call("GET", "handshake", secret=thiefs).status_code == 401
    # messages on their way, signed with the replaced secret, still pass; the new secret rotates
    assert leeds.trunk.call("GET", "handshake", secret=SECRET).status_code == 200
    assert leeds.trunk.call("POST", "p6/rotate", json.dumps({"secret": thiefs}).encode(), secret=new).status_code == 200


def test_a_c_arriving_as_the_transaction_is_erased_is_refused_not_acknowledged(leeds, monkeypatch):
    uuid, answer = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 10)
    assert answer.status_code == 200
    read_row = transactions._row

    def erased_meanwhile(row_uuid, network_id):
        """R1 (or the upstream's E) erases the row and commits right after this request read it as validated."""
        row = read_row(row_uuid, network_id)
        erase = update(CCTransaction).where(CCTransaction.id == row.id).values(state="erased")
        db.session.execute(erase.execution_options(synchronize_session=False))
        return row

    monkeypatch.setattr(transactions, "_row", erased_meanwhile)
    head = db.session.get(Link, leeds.link.id).head
    late = leeds.trunk.complete(uuid, entries(1_000))
    assert late.status_code == 400 and late.json["errors"][0]["class"] == "WorkflowViolation"
    assert _count(Transfer) == 0 and db.session.get(Link, leeds.link.id).head == head


def test_a_member_paying_less_than_the_trunks_smallest_unit_is_refused_not_failed(api, kirklees):  # noqa: F811
    # a kirklees unit is worth a thousandth of the trunk's: one kirklees cent is no whole trunk cent
    db.session.execute(update(Link).where(Link.id == kirklees.link.id).values(rate="0.001"))
    db.session.commit()
    body = {"from_account_id": kirklees.ellie.id, "to": "ocn/leeds/bob", "amount": 1, "description": "Crumbs"}
    answer = api.post("/remote-transfers", body, user=kirklees.ellie.holder)
    assert answer.status_code == 422 and "amount" in answer.json["error"]["fields"]
    assert _count(CCTransaction) == 0 and kirklees.trunk.calls == []


def test_an_erased_payment_toward_komunitin_queues_no_patch_it_cannot_answer(ocn):  # noqa: F811
    """An upstream relays toward Komunitin and erases: Komunitin was never relayed to and has no PATCH, so nothing is
    sent; a queued abort would be asked again every ten minutes for ever, one more for each such erase."""
    uuid, relayed = ocn.kirklees.relay("ocn/kirklees/ellie", "ocn/kom/TEST0002", 2)
    assert relayed.status_code == 200
    assert ocn.kirklees.call("PATCH", f"transaction/{uuid}/E").status_code == 201
    db.session.execute(update(CCTransaction).values(next_check_at=CCTransaction.created_at))
    db.session.commit()
    recovery.run_jobs()
    row = db.session.scalar(select(CCTransaction))
    assert ocn.fake.calls == [] and (row.state, row.next_check_at) == ("erased", None)


def test_a_keyed_payments_uuid_cannot_be_worked_out_from_the_payer_and_the_key(api, kirklees):  # noqa: F811
    """Every installation numbers its users from 1: a uuid made of the user's id and the key alone would be the same
    for a namesake elsewhere (refused as a duplicate at a shared trunk), and a neighbour knowing both could use it
    first."""
    body = {"from_account_id": kirklees.ellie.id, "to": "ocn/leeds/bob", "amount": 100, "description": "Tea"}
    paid = api.post("/remote-transfers", body, user=kirklees.ellie.holder, headers={"Idempotency-Key": "order-1"})
    assert paid.status_code == 201
    guessed = uuidlib.uuid5(transactions.PAYMENT_NAMESPACE, f"{kirklees.ellie.holder.id}:order-1:1")
    assert paid.json["uuid"] != str(guessed)
    again = api.post("/remote-transfers", body, user=kirklees.ellie.holder, headers={"Idempotency-Key": "order-1"})
    assert again.json["uuid"] == paid.json["uuid"] and _count(Transfer) == 1


ELLIE, OLIVE = "ocn/kirklees/ellie", "ocn/olive"
#: relays kirklees may not make: every one would move value it does not own, or names nothing here
FORGED_RELAYS = {
    "a payer under another leaf": ([("ocn/kom/x", OLIVE, 10)], "PermissionViolation"),
    "a look-alike of its own name": ([("ocn/kirkl\u0435es/ellie", OLIVE, 10)], "PermissionViolation"),
    "a payee back in its own subtree": ([(ELLIE, "ocn/kirklees/../olive", 10)], "PathViolation"),
    "a payee that is a node's account": ([(ELLIE, "ocn/kom", 10)], "DoesNotExistViolation"),
    "a dotted payee": ([(ELLIE, "ocn/olive/..", 10)], "DoesNotExistViolation"),
    "a fee our member would pay to another leaf": ([(ELLIE, OLIVE, 10), (OLIVE, "ocn/kom/x", 5)],
                                                   "PermissionViolation"),
    "fees that take more than the credit": ([(ELLIE, OLIVE, 5), (OLIVE, ELLIE, 10)], "PermissionViolation"),
}  # fmt: skip


@pytest.mark.parametrize("forged", FORGED_RELAYS)
def test_a_leaf_cannot_relay_value_it_does_not_own(ocn, forged):  # noqa: F811
    moves, refusal = FORGED_RELAYS[forged]
    body = {"uuid": str(uuidlib.uuid4()), "state": "V", "workflow": "|P-PC+CX+",
            "entries": [{"payer": payer, "payee": payee, "quant": quant, "description": ""}
                        for payer, payee, quant in moves]}  # fmt: skip
    answer = ocn.kirklees.call("POST", "transaction/relay", json.dumps(body).encode())
    assert answer.status_code == 400 and answer.json["errors"][0]["class"] == refusal
    assert _count(CCTransaction) == 0 and db.session.get(Account, ocn.olive.id).held_in == 0


def test_a_nul_in_a_node_name_or_a_uuid_is_not_found_not_a_failure(leeds, caplog):
    """PostgreSQL's driver raises on a NUL sent in a query: the path's node name and uuid are refused before."""
    with caplog.at_level(logging.ERROR, logger="platform6.federation"):
        unknown_node = leeds.trunk.http.get("/cc/le%00eds/handshake")
        unknown_uuid = leeds.trunk.call("GET", "transaction/6f1e2d3c-4b5a-4978-8a1b-2c3d4e5f6a7\x00")
        no_trunk = leeds.trunk.http.post("/cc/le%00eds/p6/graft-requests", data=b"{}")
        body = json.dumps({"uuid": "6f1e2d3c-4b5a-4978-8a1b-2c3d4e5f6a7\x00", "entries": []}).encode()
        unsigned = leeds.trunk.call("POST", "transaction/relay", body, head="f" * 32)
    assert unknown_node.status_code == unknown_uuid.status_code == no_trunk.status_code == 404
    assert unsigned.status_code == 401 and not caplog.records
