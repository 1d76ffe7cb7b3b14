"""Credit Commons addresses: node paths (`ocn/kirklees`) and account paths (`ocn/kirklees/ellie`).

Who does what (docs/federation.md, the design's §1.2): P6 always *sends* absolute paths, because Komunitin finds
its accounts only under its full `ourNodePath` (community-exchange-network/komunitin
accounting/src/creditcommons/credit-commons-controller.ts, `ledgerOf`) while the reference node's AddressResolver
(AdonayTeshome/cc-node src/AddressResolver.php) finds its own name anywhere inside a path. On *receiving*, P6 is
stricter than the reference: it strips its absolute prefix, or a leading segment equal to its own name, and the
caller then requires the next segment to be a local account, an internal child or a leafward link.
"""

import re
from collections.abc import Iterable

#: a node's name: one path segment, unique among its siblings in the tree (credit_networks.cc_name)
NODE_NAME_RE = re.compile(r"\A[a-z0-9][a-z0-9-]{0,31}\Z")
#: an account's name on its node (credit_accounts.cc_name)
ACCOUNT_NAME_RE = re.compile(r"\A[A-Za-z0-9_.-]{1,64}\Z")


def split(path: str) -> list[str]:
    """The segments of a path, without empty ones: "ocn//kirklees/" -> ["ocn", "kirklees"]."""
    return [segment for segment in path.split("/") if segment]


def is_node_address(path: str) -> bool:
    """A trailing "/" names a node rather than an account: "ocn/kirklees/"."""
    return path.endswith("/") and bool(split(path))


def relative_to(address: str, our_path: list[str]) -> list[str] | None:
    """What is left of `address` below our node, or None when it lies outside us (trunkward).

    Strips our absolute prefix ("ocn/kirklees/ellie" at ocn/kirklees -> ["ellie"]) or a leading segment equal
    to our own name ("kirklees/ellie" -> ["ellie"]). An absolute path elsewhere in our tree ("ocn/leeds/bob") is
    None. Any other address is returned whole (["bakery", "bob"], or a foreign tree's ["other", "x"]): the caller
    looks its first segment up among our accounts, children and leafward links, and sends it trunkward if absent.
    """
    segments = split(address)
    if not our_path:
        return segments
    if segments[: len(our_path)] == our_path:
        return segments[len(our_path) :]
    if segments and segments[0] == our_path[-1]:
        return segments[1:]
    if segments and segments[0] == our_path[0]:
        return None
    return segments


def join(segments: Iterable[str]) -> str:
    """Segments back into a path: ["ocn", "kirklees", "ellie"] -> "ocn/kirklees/ellie"."""
    return "/".join(segments)
