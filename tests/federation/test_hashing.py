"""The link's hash chain: both formulas, reproduced from the peers' own code and tests."""

import hashlib

import pytest

from platform6.federation import hashing
from platform6.federation.wire import WireEntry

UUID = "3d8ebb9f-6a29-42cb-9d39-9ee0a6bf7f1c"
# Komunitin's generateCcTransaction without fees (accounting/test/creditcommons/api.data.ts)
KOMUNITIN_ENTRY = WireEntry(
    "trunk/branch/twig/alice", "trunk/branch2/TEST0002", 1, "test long distance for 3 from leaf"
)


def test_komunitin_hash_reproduces_their_receive_test():
    """3.receive.test.ts 'Updates the balances and last-hash': from 'trunk' the head becomes 196bf56f..."""
    got = hashing.komunitin_hash("trunk", uuid=UUID, state="V", entries=[KOMUNITIN_ENTRY], version=None, decimals=2)
    assert got == "196bf56fdf9c2b747a20b8604b7b1f61"


def test_komunitin_hash_joins_the_version_as_sent_and_a_missing_description_as_undefined():
    kw = {"uuid": UUID, "state": "V", "decimals": 2}
    with_version = hashing.komunitin_hash("h", entries=[KOMUNITIN_ENTRY], version=1, **kw)
    expected = hashlib.md5(f"h|{UUID}|V|0.01|test long distance for 3 from leaf|1".encode()).hexdigest()
    assert with_version == expected
    undescribed = WireEntry("a/x", "b/y", 250, None)
    got = hashing.komunitin_hash("h", entries=[undescribed], version=1, **kw)
    assert got == hashlib.md5(f"h|{UUID}|V|2.5|undefined|1".encode()).hexdigest()


def test_reference_hash_is_make_hash_string():
    """cc-php-lib makeHashString: last hash | uuid | state | quant|description per entry | version."""
    entries = [WireEntry("ocn/kirklees/ellie", "ocn/leeds/bob", 10, "bread"), {"quant": 2, "description": None}]
    got = hashing.reference_hash("g", uuid=UUID, state="completed", entries=entries, version=2, decimals=0)
    assert got == hashlib.md5(f"g|{UUID}|completed|10|bread|2||2".encode()).hexdigest()
    with pytest.raises(ValueError):
        hashing.reference_hash("g", uuid=UUID, state="validated", entries=entries, version=0, decimals=0)


def test_link_hash_spells_the_state_for_the_profile():
    kw = {"uuid": UUID, "entries": [WireEntry("a/x", "b/y", 5, "d")], "version": 1, "decimals": 2}
    assert hashing.link_hash("p6", "g", state="completed", **kw) == hashing.reference_hash("g", state="C", **kw)
    assert hashing.link_hash("cc-0.8", "g", state="C", **kw) == hashing.reference_hash("g", state="completed", **kw)
    assert hashing.link_hash("komunitin", "g", state="validated", **kw) == hashing.komunitin_hash("g", state="V", **kw)
    with pytest.raises(ValueError):
        hashing.link_hash("other", "g", state="C", **kw)


def test_genesis_and_comparison():
    one, two = hashing.new_genesis(), hashing.new_genesis()
    assert len(one) == 32 and int(one, 16) >= 0 and one != two
    assert hashing.same(one, one) and not hashing.same(one, two)
    assert not hashing.same(None, one) and not hashing.same(None, None)
