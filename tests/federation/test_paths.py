"""Node and account paths: how an address received from a peer is read against our place in the tree."""

import pytest

from platform6.federation.paths import ACCOUNT_NAME_RE, NODE_NAME_RE, is_node_address, join, relative_to, split

OURS = ["ocn", "kirklees"]


def test_names():
    assert NODE_NAME_RE.match("kirklees") and NODE_NAME_RE.match("n-2")
    for bad in ("Kirklees", "-a", "", "a" * 33, "a/b", "a\n"):
        assert not NODE_NAME_RE.match(bad), bad
    assert ACCOUNT_NAME_RE.match("TEST0002") and ACCOUNT_NAME_RE.match("ellie.b-2_x")
    for bad in ("", "a b", "a/b", "x" * 65, "é"):
        assert not ACCOUNT_NAME_RE.match(bad), bad


def test_split_drops_empty_segments_and_join_puts_them_back():
    assert split("ocn//kirklees/ellie/") == ["ocn", "kirklees", "ellie"]
    assert split("") == []
    assert join(["ocn", "kirklees", "ellie"]) == "ocn/kirklees/ellie"


def test_a_trailing_slash_names_a_node():
    assert is_node_address("ocn/kirklees/")
    assert not is_node_address("ocn/kirklees/ellie")
    assert not is_node_address("/")


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("ocn/kirklees/ellie", ["ellie"]),  # absolute, as P6 and Komunitin send
        ("ocn/kirklees/bakery/sam", ["bakery", "sam"]),
        ("kirklees/ellie", ["ellie"]),  # starting at our own name, as the reference may
        ("ellie", ["ellie"]),  # relative: the caller looks the segment up
        ("bakery/sam", ["bakery", "sam"]),
        ("ocn/leeds/bob", None),  # elsewhere in our tree: trunkward
        ("ocn/bob", None),
        ("ocn", None),
        ("other/x", ["other", "x"]),  # not ours: the caller finds no such segment and goes trunkward
        ("ocn/kirklees/", []),  # ourselves, as a node
    ],
)
def test_relative_to(address, expected):
    assert relative_to(address, OURS) == expected


def test_relative_to_at_the_trunk_and_before_grafting():
    assert relative_to("ocn/leeds/bob", ["ocn"]) == ["leeds", "bob"]
    assert relative_to("trunk/branch2/TEST0002", ["trunk", "branch2"]) == ["TEST0002"]
    assert relative_to("a/b", []) == ["a", "b"]
