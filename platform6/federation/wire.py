"""The Credit Commons wire format: bodies, amounts, states, auth headers and errors, as P6 reads and writes them.

Pure functions over bytes and mappings (no Flask, no database), so the routes, the client and the tests share them.

Who sends what (the design's §2 "Where the reference and Komunitin differ"; fixtures in tests/federation/fixtures):
- **The reference node** (AdonayTeshome/cc-node, its REST layer cc_server slimapp.php, and cc-php-lib). Its relay
  body is the transaction's JsonDisplayable: `{uuid, written, state: "validated", type, version: -1, entries}`, the
  workflow named `type`, quants PHP floats in base units (`10.0`). cc-php-lib's NodeRequester authenticates with
  `CC-User` (its node name) and `CC-Auth` (its last hash, "null" when empty: cc_server PermissionMiddleware). It
  answers a relay `{"data": [entries it added]}` (200 validated, 201 written), a PATCH 201 with no body, and errors
  as objects `{"errors": [{"class", "node", "method", "path", "user", ...the class's arguments}]}` with 400 for a
  violation, 500 for a failure (Slim3ErrorHandler), which it rebuilds by `class` (reconstructCCErr) and only from
  an answer whose Content-Type is exactly `application/json` (processResponse). 0.9 spells states V/P/C/E/X and
  authenticates with `cc-node`/`last-hash` (captured traffic; the 0.9 spec was not readable).
- **Komunitin** (community-exchange-network/komunitin accounting/src/creditcommons/credit-commons-controller.ts,
  `createCreditCommonsTransfer` and `makeRemoteCall`) relays `{version: 1, uuid, state: "V", workflow: "|P-PC+CX+",
  entries}` with `quant` a float in major units (`parseFloat`), sends `cc-node` = the last segment of its path and
  `last-hash`; it requires both headers, compares `cc-node` with the full `peerNodePath` its admin typed
  (accounting/src/server/auth.ts `lastHashAuth`), answers a relay 201 `{"data": [every entry], "meta":
  {"secs_valid_left": 0}}` and errors as strings: `{"errors": ["text"]}` (routes.ts `ccErrorHandler`).
- **P6** reads all of these, writes letters unless the link's profile is `cc-0.8`, sends both header pairs, and
  answers errors as objects with the reference's class names.
"""

import hashlib
import json
import re
import uuid as uuidlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from ..limits import MAX_INT, MAX_JSON_DEPTH

#: the largest relay body, entry count and metadata a peer may send (design §2)
MAX_BODY = 64 * 1024
MAX_ENTRIES = 20
MAX_METADATA = 2 * 1024
#: the longest address and workflow we store (credit_cc_transactions columns)
MAX_ADDRESS = 300
MAX_WORKFLOW = 40

#: the exception names of the reference node (cc-php-lib CreditCommons\Exceptions), plus P6's LinkBusy
CC_CLASSES = frozenset(
    {
        "PathViolation",
        "DoesNotExistViolation",
        "MinLimitViolation",
        "MaxLimitViolation",
        "WorkflowViolation",
        "DuplicateUuidViolation",
        "PermissionViolation",
        "HashMismatchFailure",
        "UnavailableNodeFailure",
        "CCViolation",
        "LinkBusy",
    }
)
CC_STATUSES = frozenset({400, 401, 404, 409, 429, 503})

#: profile -> how it spells states: 0.9 and Komunitin write letters, 0.8 writes words
PROFILES = ("p6", "cc-0.9", "cc-0.8", "komunitin")
_LETTERS = {"validated": "V", "pending": "P", "completed": "C", "erased": "E", "timedout": "X"}
_FROM_WIRE = {**{letter: state for state, letter in _LETTERS.items()}, **{state: state for state in _LETTERS}}
#: states that mean "this transaction will never be written": X is a validated one that timed out
ERASED_STATES = frozenset({"erased", "timedout"})


class CCError(Exception):
    """A refusal a peer reads, in the reference's error shape.

    The message is English protocol text for another server's logs and admins, not for our users, so it is
    deliberately not marked for translation (no peer sends Accept-Language, and both ends must read the same words).
    """

    def __init__(self, status: int, cc_class: str, message: str, **extra: Any):
        if status not in CC_STATUSES or cc_class not in CC_CLASSES:
            raise ValueError(f"no Credit Commons error {status} {cc_class}")
        super().__init__(message)
        self.status = status
        self.cc_class = cc_class
        self.message = message
        self.extra = extra

    def body(self, node_name: str) -> dict:
        return {"errors": [{"class": self.cc_class, "node": node_name, "message": self.message, **self.extra}]}


def _bad(message: str) -> CCError:
    return CCError(400, "CCViolation", message)


# --- amounts ---------------------------------------------------------------------------------------------------


def parse_quant(raw: Decimal | int | str, decimals: int) -> int:
    """A wire `quant` as trunk minor units: Decimal("0.1"), 2 -> 10. Exact, never rounded.

    CCError 400 unless it is a whole number of minor units, above 0 and at most 2^53 - 1 (what JSON peers hold
    exactly). Komunitin's floats reach us as Decimals of their shortest text (loads), so 0.1 is exactly 10 cents.
    """
    if isinstance(raw, bool) or not isinstance(raw, Decimal | int | str | float):
        raise _bad("quant must be a number")
    try:
        value = Decimal(str(raw)) if not isinstance(raw, Decimal) else raw
    except InvalidOperation:
        raise _bad(f"quant {str(raw)[:40]!r} is not a number") from None
    shown = str(raw)[:40]  # as sent, never expanded: 1E+999999999 written out would be a gigabyte
    # an exponent far out of range is refused before any arithmetic, which would overflow the Decimal context
    if not value.is_finite() or (value and not -_PLAIN_DIGITS < value.adjusted() < _PLAIN_DIGITS):
        raise _bad(f"quant {shown} is out of range")
    # scaled in a context holding every digit sent: the default 28 would round 0.999...9 (29 nines) to a whole 1.00
    minor = value.scaleb(decimals, context=Context(prec=max(len(value.as_tuple().digits), 1)))
    if not 0 < minor <= MAX_INT:
        raise _bad(f"quant {shown} must be above 0 and at most {quant_text(MAX_INT, decimals)}")
    if minor != minor.to_integral_value():
        raise _bad(f"quant {shown} is not a whole number of units with {decimals} decimals")
    return int(minor)


def quant_text(minor: int, decimals: int) -> str:
    """The canonical quant as text, for hash strings: 1, 2 -> "0.01"; 1500, 2 -> "15"."""
    return _text(Decimal(minor).scaleb(-decimals))


def quant(minor: int, decimals: int) -> Decimal:
    """Trunk minor units as the wire's canonical quant: 10, 2 -> Decimal("0.1"); 1500, 2 -> Decimal("15")."""
    return Decimal(quant_text(minor, decimals))


#: beyond this many digits either side of the point a number keeps its exponent (still valid JSON): written out
#: in full, a peer's 1e999999999 would fill the memory
_PLAIN_DIGITS = 40


def _text(value: Decimal) -> str:
    """A Decimal as plain text, no exponent, no trailing zeros: what JavaScript's and PHP's number printing give
    for the amounts peers send (Number.prototype.toString up to 1e21; PHP's integers)."""
    if value and not -_PLAIN_DIGITS < value.adjusted() < _PLAIN_DIGITS:
        return str(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# --- JSON ------------------------------------------------------------------------------------------------------


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def loads(body: bytes) -> Any:
    """JSON with every fraction as an exact Decimal (a float would turn 0.1 into 0.1000000000000000055...).

    ValueError for anything that is not JSON, NaN/Infinity included; RecursionError is turned into ValueError.
    """
    try:
        return json.loads(body, parse_float=Decimal, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def dumps(obj: Any) -> bytes:
    """JSON with Decimals written as plain numbers in canonical form (Decimal("0.10") -> 0.1), never strings."""
    return _encode(obj).encode()


def _encode(obj: Any) -> str:
    if isinstance(obj, Decimal):
        if not obj.is_finite():
            raise ValueError("JSON has no NaN or Infinity")
        return _text(obj)
    if isinstance(obj, Mapping):
        return "{" + ",".join(f"{json.dumps(str(key))}:{_encode(value)}" for key, value in obj.items()) + "}"
    if isinstance(obj, list | tuple):
        return "[" + ",".join(_encode(item) for item in obj) + "]"
    return json.dumps(obj, allow_nan=False)


def _check_value(value: Any) -> None:
    """Refuse nesting deeper than MAX_JSON_DEPTH and NUL in text (PostgreSQL cannot store it), walking with a
    stack so no input can exhaust Python's."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str) and "\x00" in item:
            raise _bad("text may not contain NUL characters")
        if isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise _bad(f"the body nests more than {MAX_JSON_DEPTH} levels deep")
            stack.extend(
                (child, depth + 1) for child in ([*item.keys(), *item.values()] if isinstance(item, dict) else item)
            )


# --- states ----------------------------------------------------------------------------------------------------


def from_wire(s: str) -> str:
    """A state as a peer spells it -> "validated", "pending", "completed", "erased" or "timedout".

    Accepts 0.9's letters V/P/C/E/X and 0.8's words. X (0.9?) is a validated transaction that timed out: treat
    it as erased (ERASED_STATES). ValueError for anything else.
    """
    if isinstance(s, str) and (state := _FROM_WIRE.get(s if len(s) == 1 else s.lower())):
        return state
    raise ValueError(f"unknown state {str(s)[:20]!r}")


def to_wire(state: str, profile: str) -> str:
    """A state as the link's peer spells it: words for `cc-0.8`, letters otherwise (0.9 is current)."""
    if state not in _LETTERS or profile not in PROFILES:
        raise ValueError(f"no wire spelling of {state!r} for {profile!r}")
    return state if profile == "cc-0.8" else _LETTERS[state]


# --- relays ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WireEntry:
    payer: str
    payee: str
    #: trunk minor units (wire quant x 10**quant_decimals)
    quant: int
    #: None when the peer left it out: Komunitin then hashes the word "undefined", the reference an empty string
    description: str | None = ""
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Relay:
    uuid: str
    #: "validated" for every relay so far; read_relay refuses other states
    state: str
    #: opaque: stored, echoed and hashed where the profile says ("" when the peer sent none)
    workflow: str
    #: as sent; None when absent (Komunitin's test bodies leave it out); the reference relays -1 or 0, the
    #: version of a transaction not yet written (cc-node Transaction::create: `$data->version ?? -1`)
    version: int | None
    entries: list[WireEntry]
    #: the parsed body, for logs and for the fields P6 does not read
    raw: dict


def read_relay(body: bytes, *, decimals: int) -> Relay:
    """A `POST transaction/relay` body from any peer; CCError 400 (CCViolation) when it breaks the wire's rules.

    Reads quants as exact Decimals (float or integer, per the link's `decimals`), state as letter or word,
    `version` present or absent, and the workflow from `workflow` or else 0.8's `type`.
    """
    if len(body) > MAX_BODY:
        raise _bad(f"the body is larger than {MAX_BODY} bytes")
    try:
        raw = loads(body)
    except ValueError:
        raise _bad("the body is not JSON") from None
    if not isinstance(raw, dict):
        raise _bad("the body must be a JSON object")
    _check_value(raw)
    try:
        state = from_wire(raw.get("state", "V"))
    except ValueError as err:
        raise _bad(str(err)) from None
    if state != "validated":
        raise _bad(f"a relay must be validated, not {state}")
    workflow = raw.get("workflow", raw.get("type")) or ""
    if not isinstance(workflow, str) or len(workflow) > MAX_WORKFLOW:
        raise _bad(f"workflow must be text of at most {MAX_WORKFLOW} characters")
    version = raw.get("version")
    if version is not None and (
        isinstance(version, bool) or not isinstance(version, int) or not -1 <= version <= MAX_INT
    ):
        raise _bad("version must be a whole number from -1")
    entries = raw.get("entries")
    if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_ENTRIES:
        raise _bad(f"entries must be a list of 1 to {MAX_ENTRIES} entries")
    return Relay(
        uuid=_read_uuid(raw.get("uuid")),
        state=state,
        workflow=workflow,
        version=version,
        entries=[_read_entry(entry, decimals) for entry in entries],
        raw=raw,
    )


_UUID_RE = re.compile(r"\A[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


def is_uuid(value: Any) -> bool:
    """Text in a uuid's hyphenated form: anything else (a NUL, which PostgreSQL's driver refuses, included) names
    no transaction and is never looked up."""
    return isinstance(value, str) and _UUID_RE.match(value) is not None


def _read_uuid(value: Any) -> str:
    """An RFC 4122 uuid in its hyphenated form, lower-cased (the idempotency key must not differ by case)."""
    if not is_uuid(value) or uuidlib.UUID(value).variant != uuidlib.RFC_4122:
        raise _bad("uuid must be an RFC 4122 UUID")
    return value.lower()


def _read_entry(entry: Any, decimals: int) -> WireEntry:
    if not isinstance(entry, dict):
        raise _bad("each entry must be an object")
    payer, payee = entry.get("payer"), entry.get("payee")
    for address in (payer, payee):
        if not isinstance(address, str) or not 0 < len(address) <= MAX_ADDRESS:
            raise _bad(f"payer and payee must be addresses of 1 to {MAX_ADDRESS} characters")
    description = entry.get("description")
    if description is not None and not isinstance(description, str):
        raise _bad("description must be text")
    metadata = entry.get("metadata") or {}  # PHP's json_encode writes an empty array for no metadata: []
    if not isinstance(metadata, dict) or len(dumps(metadata)) > MAX_METADATA:
        raise _bad(f"metadata must be an object of at most {MAX_METADATA} bytes")
    if "quant" not in entry:
        raise _bad("each entry needs a quant")
    return WireEntry(payer, payee, parse_quant(entry["quant"], decimals), description, metadata)


#: cc-node keeps at most this many bytes of a description (Entry::create: `substr($data->description, 0, 255)`,
#: "to comply with mysql tinytext field") and hashes what it kept
REFERENCE_DESCRIPTION_BYTES = 255


def reference_description(text: str) -> str:
    """A description as the reference node stores it: at most 255 bytes of UTF-8. P6 cuts at a character
    boundary before sending (PHP's substr would cut inside a character), and hashes the same cut text."""
    return text.encode()[:REFERENCE_DESCRIPTION_BYTES].decode(errors="ignore")


def _entry_json(entry: WireEntry, decimals: int, profile: str) -> dict:
    body = {"payer": entry.payer, "payee": entry.payee, "quant": quant(entry.quant, decimals)}
    if entry.description is not None:
        body["description"] = entry.description if profile == "komunitin" else reference_description(entry.description)
    body["metadata"] = entry.metadata
    return body


def relay_body(
    *,
    uuid: str,
    state: str,
    workflow: str,
    entries: Iterable[WireEntry],
    version: int | None,
    decimals: int,
    profile: str,
) -> bytes:
    """The `POST transaction/relay` body P6 sends: quants in the link's units, the state in the profile's spelling,
    `version` left out when None. 0.8 also gets the workflow as `type`, the name its Transaction reads, and every
    profile but Komunitin's gets descriptions cut as the reference stores them (reference_description)."""
    body: dict[str, Any] = {"uuid": uuid, "state": to_wire(state, profile), "workflow": workflow}
    if profile == "cc-0.8":
        body["type"] = workflow
    if version is not None:
        body["version"] = version
    body["entries"] = [_entry_json(entry, decimals, profile) for entry in entries]
    return dumps(body)


def body_sha256(relay: Relay) -> str:
    """A digest of what a relay asks for: a repeat of the same message (whatever its spacing, key order or number
    spelling) gets the same digest, any change of content another."""
    canonical = {
        "uuid": relay.uuid,
        "state": relay.state,
        "workflow": relay.workflow,
        "version": relay.version,
        "entries": [
            [e.payer, e.payee, e.quant, e.description, json.dumps(e.metadata, sort_keys=True, default=_text)]
            for e in relay.entries
        ],
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


# --- headers ---------------------------------------------------------------------------------------------------


def _header(headers: Mapping, name: str) -> str | None:
    """A header by its lower-case name from werkzeug Headers (case-insensitive) or any dict; "null" means ""."""
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if str(k).lower() == name), None)
    if value is None:
        return None
    value = str(value).strip()
    return "" if value == "null" else value


def read_auth(headers: Mapping) -> tuple[str | None, str | None]:
    """(the caller's node name or path, its last hash): `cc-node`/`last-hash` (0.9, Komunitin), else
    `cc-user`/`cc-auth` (0.8). The string "null" (0.8's empty hash) reads as ""."""
    node = _header(headers, "cc-node")
    if node is not None:
        return node, _header(headers, "last-hash")
    return _header(headers, "cc-user"), _header(headers, "cc-auth")


def auth_headers(*, profile: str, our_name: str, our_path: list[str], head: str) -> dict:
    """The auth headers P6 sends on a link: both pairs, so any peer finds its own.

    `cc-node` is our full path for Komunitin (it compares it with the `peerNodePath` its admin typed) and our name
    for everyone else (the reference looks the name up among its accounts).
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}")
    node = "/".join(our_path) if profile == "komunitin" else our_name
    return {"cc-node": node, "last-hash": head, "cc-user": our_name, "cc-auth": head or "null"}


# --- errors from peers -----------------------------------------------------------------------------------------

#: the class an error given as bare text most likely is, by status
_CLASS_OF_STATUS = {
    400: "CCViolation",
    401: "HashMismatchFailure",
    403: "PermissionViolation",
    404: "DoesNotExistViolation",
    409: "LinkBusy",
    503: "UnavailableNodeFailure",
}
MAX_ERROR_TEXT = 500


def read_errors(status: int, payload: Any) -> list[dict]:
    """A failed answer from any peer as a list of {"class", "node", "message", ...} dicts.

    `payload` is the body (bytes or text) or its parsed JSON. Reads the reference's objects, Komunitin's strings
    (`{"errors": ["text"]}`), a single object, or anything else as one error holding the text (cut to 500 chars).
    """
    if isinstance(payload, bytes | str):
        text = payload.decode(errors="replace") if isinstance(payload, bytes) else payload
        try:
            payload = loads(text.encode())
        except ValueError:
            payload = text
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if errors is None:
        errors = [payload if isinstance(payload, dict) else str(payload or f"HTTP {status}")]
    elif not isinstance(errors, list):
        errors = [errors]
    default_class = _CLASS_OF_STATUS.get(status, "CCFailure" if status >= 500 else "CCViolation")
    found = []
    for error in errors or [f"HTTP {status}"]:
        if isinstance(error, dict):
            found.append(
                {
                    **error,
                    "class": str(error.get("class") or default_class),
                    "node": error.get("node"),
                    "message": str(error.get("message") or error.get("class") or f"HTTP {status}")[:MAX_ERROR_TEXT],
                }
            )
        else:
            found.append({"class": default_class, "node": None, "message": str(error)[:MAX_ERROR_TEXT]})
    return found
