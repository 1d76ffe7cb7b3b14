"""The hash chain that authenticates a link: each side keeps the head, and a message carries it (design §3.5, §4).

new head = md5(previous | uuid | state | quant | description | ... | version), hex. Two variants, per profile:
- **reference** (`p6`, `cc-0.9`, `cc-0.8`): cc-php-lib `TransversalTransactionTrait::makeHashString`, used by
  AdonayTeshome/cc-node src/Transaction/TransversalTransaction.php. It hashes only the entries touching this link
  (`filterFor`), with the trunk-side quant (`trunkwardQuant` on the leaf: "a way of avoiding rounding errors"),
  the state as stored and the version written; cc-node writes hashes only for versions > 0 (`saveNewVersion`),
  and keeps (so hashes) at most 255 bytes of a description (src/Transaction/Entry.php `Entry::create`).
- **komunitin**: `makeHash` in community-exchange-network/komunitin
  accounting/src/creditcommons/credit-commons-controller.ts. It hashes every entry of the message, with the quant
  as JavaScript prints the float it sent, and the version as sent: an absent one joins as "" (JavaScript's
  `[..., undefined].join("|")`), an absent description as "undefined" (a template string). Komunitin advances it
  when it commits a relay, both as receiver (`createTransaction`) and as sender (`createCreditCommonsTransfer`).

The chain's secret is its genesis (new_genesis), never a guessable word like Komunitin's test value `trunk`.
"""

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .wire import PROFILES, WireEntry, from_wire, quant_text, reference_description, to_wire


def _rows(entries: Iterable[WireEntry | Mapping], decimals: int, describe: Callable[[str | None], str]) -> str:
    rows = []
    for entry in entries:
        minor, description = (
            (entry["quant"], entry.get("description"))
            if isinstance(entry, Mapping)
            else (entry.quant, entry.description)
        )
        rows.append(f"{quant_text(minor, decimals)}|{describe(description)}")
    return "|".join(rows)


def _as_reference(description: str | None) -> str:
    """PHP joins a missing description as "", and cc-node hashes the 255 bytes it kept."""
    return reference_description(description or "")


def _as_komunitin(description: str | None) -> str:
    """JavaScript's template string writes a missing description as "undefined"."""
    return "undefined" if description is None else description


def _md5(*parts: Any) -> str:
    return hashlib.md5("|".join(str(part) for part in parts).encode()).hexdigest()


def reference_hash(
    previous: str, *, uuid: str, state: str, entries: Iterable[WireEntry | Mapping], version: int, decimals: int
) -> str:
    """The reference node's next head. `entries` are those touching this link, `quant` in trunk minor units;
    `state` as the peer stores it (link_hash spells it for the profile); `version` the written version (>= 1)."""
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError("the reference hashes only written versions (>= 1)")
    return _md5(previous, uuid, state, _rows(entries, decimals, _as_reference), version)


def komunitin_hash(
    previous: str, *, uuid: str, state: str, entries: Iterable[WireEntry | Mapping], version: int | None, decimals: int
) -> str:
    """Komunitin's next head: every entry of the message, `version` as sent ("" when absent)."""
    return _md5(previous, uuid, state, _rows(entries, decimals, _as_komunitin), "" if version is None else version)


def link_hash(profile: str, previous: str, **kw: Any) -> str:
    """The next head on a link of `profile`; `state` may be our name ("completed") or any wire spelling, and is
    hashed as that profile spells it on the wire."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}")
    kw["state"] = to_wire(from_wire(kw["state"]), profile)
    return (komunitin_hash if profile == "komunitin" else reference_hash)(previous, **kw)


def chain_version(profile: str, entries: list[Mapping]) -> int | None:
    """The version a link's chain hashes for a transaction: 1, the first written version; on a Komunitin link the
    version its relay carried (Komunitin hashes it as sent: ours send 1, its tests send none). `entries` are the
    transaction's entries on the link, which keep the version they came with (`message_version`)."""
    if profile == "komunitin" and entries:
        return entries[0].get("message_version", 1)
    return 1


def new_genesis() -> str:
    """A link's first head: 32 random hex characters, drawn by the trunk and handed to the leaf once."""
    return secrets.token_hex(16)


def same(a: str | None, b: str | None) -> bool:
    """Two heads are equal, compared in constant time (no timing oracle for guessing a head)."""
    if a is None or b is None:
        return False
    return hmac.compare_digest(a.encode(), b.encode())
