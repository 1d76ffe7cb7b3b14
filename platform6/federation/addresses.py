"""Which addresses this node may call (docs/federation.md "Security between nodes").

Every URL a node later fetches comes from outside the code: a trunk's address typed by an admin, a peer's address on
a link, a leaf's base URL in its graft request. Without a check, whoever types one makes the server call its own
loopback, the private network it sits in or a cloud metadata service (SSRF). So a peer's host must be public: checked
when the URL is typed (a form or API error) and again at each new connection, against what DNS answers then, with the
connection made to the address just checked (a name that resolved to a public address when typed may resolve to
127.0.0.1 later: DNS rebinding). TLS still checks the certificate against the host name, which is also the SNI and
the Host header.

FEDERATION_ALLOW_PRIVATE_ADDRESSES lets peers sit on loopback or a private network (tests, a VPN between
installations); link-local (169.254.169.254 is the metadata service), multicast, reserved and unspecified addresses
stay refused even then.
"""

import contextlib
import ipaddress
import socket

from flask import current_app
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError
from urllib3.util import connection

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class ForbiddenAddress(ValueError):
    """The host is, or resolves to, an address a node may not call."""


class Unresolved(ForbiddenAddress):
    """The host has no address now."""


def private_allowed() -> bool:
    return bool(current_app.config.get("FEDERATION_ALLOW_PRIVATE_ADDRESSES"))


#: NAT64's well-known prefix: 64:ff9b::7f00:1 reaches 127.0.0.1 through the gateway
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _embedded_ipv4(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one carries (::ffff:10.0.0.1, 2002:0a00:0001::, 64:ff9b::a00:1), judged by IPv4's
    rules."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return ip
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.ipv4_mapped or ip.sixtofour or ip


def is_callable(ip: IPAddress, *, allow_private: bool) -> bool:
    """A public unicast address; with `allow_private`, also loopback and private ones (10/8, fc00::/7, 100.64/10)."""
    ip = _embedded_ipv4(ip)
    if ip.is_loopback:  # before the rest: ::1 lies inside IPv6's reserved ::/8
        return allow_private
    never = ip.is_multicast or ip.is_unspecified or ip.is_reserved or ip.is_link_local
    if never or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local):
        return False
    return ip.is_global or allow_private


def resolve(host: str, port: int) -> list[str]:
    """The addresses DNS gives for `host` now (a literal address gives itself)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in found))


def checked_addresses(host: str, port: int) -> list[str]:
    """`host`'s addresses, every one callable, or ForbiddenAddress. One bad answer refuses them all: a name that also
    points inside the network is not a peer's."""
    host = host.strip("[]")
    try:
        found = resolve(host, port)
    except (OSError, UnicodeError) as err:
        raise Unresolved(f"{host} does not resolve: {err}") from None
    if not found:
        raise Unresolved(f"{host} has no address")
    allow_private = private_allowed()
    for address in found:
        if not is_callable(ipaddress.ip_address(address.split("%")[0]), allow_private=allow_private):
            raise ForbiddenAddress(f"{host} resolves to {address}, which a node may not call")
    return found


def check_typed_host(host: str) -> None:
    """At typing time, the same check; a name that does not resolve yet passes (each connection checks it again)."""
    with contextlib.suppress(Unresolved):
        checked_addresses(host, 443)


# --- connecting only to the address just checked ---------------------------------------------------------------


class _CheckedConnect:
    """Resolves the host, checks every address, connects to a checked one. `self.host` stays the name, so http.client
    sends it as Host and TLS uses it for SNI and the certificate check."""

    def _new_conn(self):
        try:
            found = checked_addresses(self._dns_host, self.port)
        except ForbiddenAddress as err:
            raise NewConnectionError(self, str(err)) from None
        failure: OSError | None = None
        for address in found:
            try:
                return connection.create_connection((address, self.port), self.timeout,
                                                    source_address=self.source_address,
                                                    socket_options=self.socket_options)  # fmt: skip
            except OSError as err:
                failure = err
        raise NewConnectionError(self, f"Failed to establish a new connection: {failure}")


class _CheckedHTTPConnection(_CheckedConnect, HTTPConnection):
    pass


class _CheckedHTTPSConnection(_CheckedConnect, HTTPSConnection):
    pass


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class CheckedAddressAdapter(HTTPAdapter):
    """A requests adapter whose every new connection goes through checked_addresses."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _CheckedHTTPPool, "https": _CheckedHTTPSPool}
