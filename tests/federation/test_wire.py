"""The wire format: amounts, JSON, states, relay bodies, auth headers and errors as peers send and read them."""

import json
from decimal import Decimal

import pytest
from werkzeug.datastructures import Headers

from platform6.federation import wire
from platform6.federation.wire import CCError, WireEntry

UUID = "3d8ebb9f-6a29-42cb-9d39-9ee0a6bf7f1c"


def relay(**changes) -> bytes:
    body = {
        "uuid": UUID,
        "state": "V",
        "workflow": "|P-PC+CX+",
        "entries": [{"payer": "ocn/kirklees/ellie", "payee": "ocn/leeds/bob", "quant": 0.1, "description": "bread"}],
    }
    body.update(changes)
    return json.dumps(body).encode()


def refused(body: bytes, decimals: int = 2) -> CCError:
    with pytest.raises(CCError) as caught:
        wire.read_relay(body, decimals=decimals)
    assert caught.value.status == 400
    return caught.value


# --- amounts


@pytest.mark.parametrize(
    ("raw", "decimals", "minor"),
    [
        (Decimal("0.1"), 2, 10),
        (Decimal("0.01"), 2, 1),
        (Decimal("14"), 2, 1400),
        (14, 2, 1400),
        ("2.50", 2, 250),
        (7, 0, 7),
        (Decimal("1E+2"), 0, 100),
        (Decimal(2**53 - 1), 0, 2**53 - 1),
    ],
)
def test_parse_quant(raw, decimals, minor):
    assert wire.parse_quant(raw, decimals) == minor


@pytest.mark.parametrize(
    ("raw", "decimals"),
    [
        (Decimal("0.001"), 2),  # not a whole minor unit: refused, never rounded
        (Decimal("0.5"), 0),
        (0, 2),
        (Decimal("-1"), 2),
        (Decimal(2**53), 0),
        ("abc", 2),
        ("NaN", 2),
        ("Infinity", 2),
        (True, 2),
        (None, 2),
    ],
)
def test_parse_quant_refuses(raw, decimals):
    with pytest.raises(CCError) as caught:
        wire.parse_quant(raw, decimals)
    assert (caught.value.status, caught.value.cc_class) == (400, "CCViolation")


def test_quant_is_canonical():
    assert str(wire.quant(10, 2)) == "0.1"
    assert str(wire.quant(1500, 2)) == "15"
    assert str(wire.quant(100, 0)) == "100"
    assert wire.quant_text(1, 8) == "0.00000001"  # no exponent, where str(Decimal) would write 1E-8


# --- JSON


def test_loads_keeps_fractions_exact_and_dumps_writes_plain_numbers():
    parsed = wire.loads(b'{"quant": 0.1, "n": 3}')
    assert parsed == {"quant": Decimal("0.1"), "n": 3}
    assert wire.dumps({"q": Decimal("0.10"), "big": Decimal("1E+2"), "tiny": Decimal("1E-8"), "s": "é"}) == (
        b'{"q":0.1,"big":100,"tiny":0.00000001,"s":"\\u00e9"}'
    )
    for bad in (b"NaN", b"{", b"\xff", b"[" * 100_000):
        with pytest.raises(ValueError):
            wire.loads(bad)


# --- states


def test_states_read_letters_and_words():
    assert [wire.from_wire(s) for s in "VPCEX"] == ["validated", "pending", "completed", "erased", "timedout"]
    assert wire.from_wire("completed") == "completed" and wire.from_wire("Erased") == "erased"
    assert "timedout" in wire.ERASED_STATES
    for bad in ("Z", "", "completing", "c", None):
        with pytest.raises(ValueError):
            wire.from_wire(bad)


def test_states_are_written_per_profile():
    assert wire.to_wire("completed", "p6") == "C"
    assert wire.to_wire("completed", "komunitin") == "C"
    assert wire.to_wire("erased", "cc-0.9") == "E"
    assert wire.to_wire("completed", "cc-0.8") == "completed"
    with pytest.raises(ValueError):
        wire.to_wire("completing", "p6")  # our own in-between state never goes on the wire


# --- relays


def test_read_relay():
    got = wire.read_relay(relay(), decimals=2)
    assert (got.uuid, got.state, got.workflow, got.version) == (UUID, "validated", "|P-PC+CX+", None)
    assert got.entries == [WireEntry("ocn/kirklees/ellie", "ocn/leeds/bob", 10, "bread", {})]
    assert got.raw["uuid"] == UUID


def test_read_relay_takes_words_versions_and_integer_quants():
    got = wire.read_relay(
        relay(state="validated", version=1, entries=[{"payer": "a/x", "payee": "b/y", "quant": 7}]), decimals=0
    )
    assert (got.state, got.version, got.entries[0].quant, got.entries[0].description) == ("validated", 1, 7, None)


def test_read_relay_reads_the_workflow_from_0_8s_type():
    body = json.loads(relay())
    del body["workflow"]
    body["type"] = "default"
    assert wire.read_relay(json.dumps(body).encode(), decimals=2).workflow == "default"


def test_read_relay_reads_phps_empty_array_as_no_metadata():
    body = relay(entries=[{"payer": "a/x", "payee": "b/y", "quant": 1, "metadata": []}])
    assert wire.read_relay(body, decimals=2).entries[0].metadata == {}


def test_read_relay_lowercases_the_uuid():
    assert wire.read_relay(relay(uuid=UUID.upper()), decimals=2).uuid == UUID


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        relay(uuid="not-a-uuid"),
        relay(uuid="3d8ebb9f-6a29-42cb-dd39-9ee0a6bf7f1c"),  # not the RFC 4122 variant
        relay(uuid=None),
        relay(state="C"),
        relay(state="Q"),
        relay(version="1"),
        relay(version=-2),
        relay(workflow="x" * 41),
        relay(entries=[]),
        relay(entries={}),
        relay(entries=[{"payer": "a/x", "payee": "b/y", "quant": 1}] * 21),
        relay(entries=[{"payer": "a/x", "payee": "b/y"}]),
        relay(entries=[{"payer": "", "payee": "b/y", "quant": 1}]),
        relay(entries=[{"payer": "a/x", "payee": 5, "quant": 1}]),
        relay(entries=[{"payer": "a/x", "payee": "b/y", "quant": 0.001}]),
        relay(entries=[{"payer": "a/x", "payee": "b/y", "quant": 1, "description": 5}]),
        relay(entries=[{"payer": "a/x", "payee": "b/y", "quant": 1, "metadata": ["x"]}]),
        relay(entries=[{"payer": "a/x", "payee": "b/y", "quant": 1, "metadata": {"k": "v" * 2048}}]),
        relay(entries=[{"payer": "a/x\u0000", "payee": "b/y", "quant": 1}]),
        relay(entries=["x"]),
        relay(pad="x" * 65 * 1024),
        relay(deep=json.loads("[" * 40 + "]" * 40)),
    ],
)
def test_read_relay_refuses(body):
    refused(body)


def test_relay_body_round_trips():
    entries = [WireEntry("ocn/kirklees/ellie", "ocn/leeds/bob", 10, "bread", {"k": "v"})]
    sent = wire.relay_body(
        uuid=UUID, state="validated", workflow="|P-PC+CX+", entries=entries, version=None, decimals=2, profile="p6"
    )
    assert b'"quant":0.1' in sent and b'"state":"V"' in sent and b"version" not in sent
    got = wire.read_relay(sent, decimals=2)
    assert (got.entries, got.version, got.workflow) == (entries, None, "|P-PC+CX+")


def test_relay_body_for_0_8_writes_words_and_the_type():
    sent = json.loads(
        wire.relay_body(
            uuid=UUID,
            state="validated",
            workflow="default",
            entries=[WireEntry("a/x", "b/y", 3)],
            version=1,
            decimals=0,
            profile="cc-0.8",
        )
    )
    assert (sent["state"], sent["type"], sent["version"], sent["entries"][0]["quant"]) == ("validated", "default", 1, 3)


def test_body_sha256_ignores_spelling_not_content():
    one = wire.read_relay(relay(), decimals=2)
    spaced = json.dumps(json.loads(relay()), indent=2, sort_keys=True).replace("0.1", "0.10").encode()
    assert wire.body_sha256(one) == wire.body_sha256(wire.read_relay(spaced, decimals=2))
    assert wire.body_sha256(one) == wire.body_sha256(wire.read_relay(relay(state="validated"), decimals=2))
    changed = relay(entries=[{"payer": "ocn/kirklees/ellie", "payee": "ocn/leeds/bob", "quant": 0.2}])
    assert wire.body_sha256(one) != wire.body_sha256(wire.read_relay(changed, decimals=2))


# --- headers


def test_read_auth_prefers_0_9_headers_in_any_case():
    assert wire.read_auth(Headers({"CC-Node": "trunk", "Last-Hash": "abc", "cc-user": "x"})) == ("trunk", "abc")
    assert wire.read_auth({"Cc-Node": "trunk", "LAST-HASH": "abc"}) == ("trunk", "abc")
    assert wire.read_auth({"cc-user": "ocn", "cc-auth": "null"}) == ("ocn", "")
    assert wire.read_auth({"cc-node": "ocn"}) == ("ocn", None)
    assert wire.read_auth({}) == (None, None)


def test_auth_headers_per_profile():
    assert wire.auth_headers(profile="komunitin", our_name="kirklees", our_path=["ocn", "kirklees"], head="h") == {
        "cc-node": "ocn/kirklees",
        "last-hash": "h",
        "cc-user": "kirklees",
        "cc-auth": "h",
    }
    sent = wire.auth_headers(profile="cc-0.8", our_name="kirklees", our_path=["ocn", "kirklees"], head="")
    assert (sent["cc-node"], sent["cc-user"], sent["cc-auth"]) == ("kirklees", "kirklees", "null")
    assert wire.read_auth(sent) == ("kirklees", "")


# --- errors


def test_cc_error_body():
    err = CCError(400, "MinLimitViolation", "ellie would go below her limit", acc="ocn/kirklees", diff=5)
    assert err.body("ocn") == {
        "errors": [
            {
                "class": "MinLimitViolation",
                "node": "ocn",
                "message": "ellie would go below her limit",
                "acc": "ocn/kirklees",
                "diff": 5,
            }
        ]
    }
    with pytest.raises(ValueError):
        CCError(500, "CCViolation", "x")
    with pytest.raises(ValueError):
        CCError(400, "NoSuchViolation", "x")


def test_read_errors_reads_objects_strings_and_junk():
    assert wire.read_errors(
        401, b'{"errors": ["value of last-hash header \\"qwer\\" does not match our records."]}'
    ) == [
        {
            "class": "HashMismatchFailure",
            "node": None,
            "message": 'value of last-hash header "qwer" does not match our records.',
        }
    ]
    objects = {"errors": [{"class": "PathViolation", "node": "ocn", "message": "no leeds/zed", "path": "leeds/zed"}]}
    assert wire.read_errors(400, objects) == [
        {"class": "PathViolation", "node": "ocn", "message": "no leeds/zed", "path": "leeds/zed"}
    ]
    assert wire.read_errors(500, b"<html>Internal error</html>") == [
        {"class": "CCFailure", "node": None, "message": "<html>Internal error</html>"}
    ]
    assert wire.read_errors(503, None)[0]["class"] == "UnavailableNodeFailure"
    assert wire.read_errors(400, {"errors": {"class": "CCViolation"}})[0]["message"] == "CCViolation"
    assert len(wire.read_errors(400, "x" * 5000)[0]["message"]) == 500


def test_huge_exponents_are_refused_or_kept_short():
    for raw in ("1e999999999", "1e-999999999"):
        with pytest.raises(CCError):
            wire.parse_quant(wire.loads(raw.encode()), 2)
    body = relay(entries=[{"payer": "a/x", "payee": "b/y", "quant": 1, "metadata": {"n": 1}}])
    got = wire.read_relay(body.replace(b'"n": 1', b'"n": 1e999999999'), decimals=2)
    assert wire.dumps(got.entries[0].metadata) == b'{"n":1E+999999999}'
