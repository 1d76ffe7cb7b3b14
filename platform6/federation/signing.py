"""Request signatures between two Platform 6 nodes, and link secrets sealed at rest (design §4).

Only P6 peers sign (neither the reference node nor Komunitin knows this header): the hash chain proves who is
calling, the signature adds what last-hash lacks, the integrity of the body and a 5-minute freshness window.

    p6-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>\\n<METHOD>\\n<path>\\n<sha256(body) hex>")>

`path` is the request's path with its query string, as the receiving server sees it ("/cc/ocn/transaction/relay").
After a rotation both the new and the previous secret verify for 24 hours, so `verify` takes a list.
The secret is stored encrypted with the app's SECRET_KEY (Fernet, key derived by HKDF-SHA256).
"""

import base64
import hashlib
import hmac
import secrets as secretslib
import time

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

#: how far a signature's time may be from ours, either way
MAX_SKEW = 300
HEADER = "p6-signature"


def _mac(secret: str, t: int, method: str, path: str, body: bytes) -> str:
    message = f"{t}\n{method.upper()}\n{path}\n{hashlib.sha256(body).hexdigest()}"
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def sign(secret: str, *, method: str, path: str, body: bytes, now: int | None = None) -> str:
    """The `p6-signature` header value for a request."""
    t = int(time.time()) if now is None else int(now)
    return f"t={t},v1={_mac(secret, t, method, path, body)}"


def verify(
    secrets: list[str], header: str | None, *, method: str, path: str, body: bytes, now: int | None = None
) -> bool:
    """The header signs this request with one of `secrets`, at most MAX_SKEW seconds from now."""
    fields = dict(part.strip().partition("=")[::2] for part in (header or "").split(","))
    try:
        t = int(fields.get("t", ""))
    except ValueError:
        return False
    given = fields.get("v1", "")
    current = int(time.time()) if now is None else int(now)
    if abs(current - t) > MAX_SKEW or not given:
        return False
    # every secret is tried, so the time taken does not tell which one (or whether an early one) matched
    matches = [hmac.compare_digest(_mac(secret, t, method, path, body), given) for secret in secrets if secret]
    return any(matches)


def new_secret() -> str:
    """A fresh HMAC secret for a link (256 bits)."""
    return secretslib.token_urlsafe(32)


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"platform6 federation link secret").derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret_key: str, secret: str) -> str:
    """A link secret encrypted for the database with the app's SECRET_KEY."""
    return _fernet(secret_key).encrypt(secret.encode()).decode()


def unseal(secret_key: str, sealed: str) -> str:
    """The link secret back; ValueError if it was sealed under another SECRET_KEY or altered."""
    try:
        return _fernet(secret_key).decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise ValueError("the link secret cannot be opened with this SECRET_KEY") from None
