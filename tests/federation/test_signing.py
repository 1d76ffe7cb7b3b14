"""Signatures between Platform 6 nodes, and link secrets sealed with SECRET_KEY."""

import pytest

from platform6.federation import signing

REQUEST = {"method": "POST", "path": "/cc/ocn/transaction/relay", "body": b'{"uuid": "x"}'}
NOW = 1_800_000_000


def test_a_signed_request_verifies():
    secret = signing.new_secret()
    header = signing.sign(secret, now=NOW, **REQUEST)
    assert header.startswith(f"t={NOW},v1=")
    assert signing.verify([secret], header, now=NOW, **REQUEST)
    assert signing.verify(["old", secret], header, now=NOW + 300, **REQUEST)  # during a rotation, either works


@pytest.mark.parametrize(
    "change",
    [
        {"body": b'{"uuid": "y"}'},
        {"path": "/cc/ocn/transaction/relay?x=1"},
        {"method": "PATCH"},
        {"now": NOW + 301},
        {"now": NOW - 301},
    ],
)
def test_any_change_or_a_stale_time_fails(change):
    secret = signing.new_secret()
    header = signing.sign(secret, now=NOW, **REQUEST)
    assert not signing.verify([secret], header, **{**REQUEST, "now": NOW, **change})


@pytest.mark.parametrize("header", [None, "", "t=x,v1=ab", f"t={NOW}", "garbage", f"v1=00,t={NOW}"])
def test_malformed_headers_fail(header):
    assert not signing.verify(["s"], header, now=NOW, **REQUEST)


def test_the_wrong_secret_fails():
    header = signing.sign("one", now=NOW, **REQUEST)
    assert not signing.verify(["two"], header, now=NOW, **REQUEST)
    assert not signing.verify([], header, now=NOW, **REQUEST)


def test_seal_and_unseal():
    sealed = signing.seal("app-secret", "link-secret")
    assert "link-secret" not in sealed
    assert signing.unseal("app-secret", sealed) == "link-secret"
    with pytest.raises(ValueError):
        signing.unseal("another-app-secret", sealed)
    with pytest.raises(ValueError):
        signing.unseal("app-secret", sealed[:-4] + "AAAA")
