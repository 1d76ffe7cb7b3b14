"""Security between nodes (docs/federation.md): peers only on public addresses, checked when typed and at each
connection; no redirect followed; TLS still checks the peer's name; a link's allowed addresses; cc-node-trace; the
general limit on the Credit Commons routes."""

import contextlib
import ipaddress
import json
import logging
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme
from sqlalchemy import func, select

from platform6.extensions import db
from platform6.federation import addresses, client, links, trace
from platform6.federation.models import CCTransaction, GraftRequest, Hold, Link
from tests.production.conftest import other_app  # noqa: F401 - the fixture

from .peers import Peer
from .test_grafting import GRAFT_BODY

# --- which addresses -----------------------------------------------------------------------------------------------

#: address -> (callable by default, callable with FEDERATION_ALLOW_PRIVATE_ADDRESSES)
ADDRESSES = {
    "93.184.216.34": (True, True),
    "2606:4700::6810:85e5": (True, True),
    "::ffff:93.184.216.34": (True, True),
    "127.0.0.1": (False, True),
    "::1": (False, True),
    "10.1.2.3": (False, True),
    "172.16.0.1": (False, True),
    "192.168.1.1": (False, True),
    "100.64.0.1": (False, True),
    "fd00::1": (False, True),
    "::ffff:127.0.0.1": (False, True),
    "::ffff:10.0.0.1": (False, True),
    "2002:7f00:1::": (False, True),
    "64:ff9b::a00:1": (False, True),
    "169.254.169.254": (False, False),
    "fe80::1": (False, False),
    "fec0::1": (False, False),
    "::ffff:169.254.169.254": (False, False),
    "224.0.0.1": (False, False),
    "ff02::1": (False, False),
    "240.0.0.1": (False, False),
    "255.255.255.255": (False, False),
    "0.0.0.0": (False, False),
    "::": (False, False),
}


@pytest.mark.parametrize("address", ADDRESSES)
def test_a_node_calls_public_addresses_only_and_private_ones_only_when_allowed(address):
    strict, with_private = ADDRESSES[address]
    ip = ipaddress.ip_address(address)
    assert addresses.is_callable(ip, allow_private=False) is strict
    assert addresses.is_callable(ip, allow_private=True) is with_private


@pytest.fixture
def dns(monkeypatch):
    """Names this test resolves, as DNS would answer them now (change the dict to rebind one)."""
    answers = {"intranet.example": ["10.9.8.7"], "mixed.example": ["93.184.216.34", "127.0.0.1"]}

    def resolve(host, port):
        if host in answers:
            return answers[host]
        ipaddress.ip_address(host)  # a literal resolves to itself; any other name does not resolve here
        return [host]

    monkeypatch.setattr(addresses, "resolve", resolve)
    return answers


# --- typed: the API and the page -----------------------------------------------------------------------------------


BAD_TRUNK_URLS = [
    "http://127.0.0.1/cc/ocn/",
    "http://[::1]:8000/cc/ocn/",
    "http://[::ffff:127.0.0.1]/cc/ocn/",
    "http://169.254.169.254/cc/ocn/",
    "http://0.0.0.0/cc/ocn/",
    "http://10.0.0.1/cc/ocn/",
    "http://intranet.example/cc/ocn/",
    "http://mixed.example/cc/ocn/",
]


@pytest.mark.parametrize("url", BAD_TRUNK_URLS)
def test_a_trunk_address_that_is_not_public_is_refused_when_typed(app, api, trunk, people_of_trunk, dns, url):
    app.config["FEDERATION_ALLOW_PRIVATE_ADDRESSES"] = False
    network, _group = trunk
    body = {"trunk_url": url, "node_name": "kirklees", "exchange_rate": "1", "trunk_path": "ocn"}
    refused = api.post(f"/networks/{network.id}/federation/trunkward", body, user=people_of_trunk[0])
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "validation_failed" and "is not a public address" in error["fields"]["trunk_url"][0]
    assert db.session.scalar(select(func.count()).select_from(Link)) == 0


def test_https_only_unless_the_setting_allows_http(app, api, trunk, people_of_trunk):
    app.config.update(FEDERATION_ALLOW_HTTP=False)
    network, _group = trunk
    body = {"trunk_url": "http://trunk.test/cc/ocn/", "node_name": "kirklees", "exchange_rate": "1"}
    refused = api.post(f"/networks/{network.id}/federation/trunkward", body, user=people_of_trunk[0])
    assert refused.status_code == 422 and "trunk_url" in refused.get_json()["error"]["fields"]


def test_the_graft_form_says_the_address_is_not_public(app, client, login, trunk, people_of_trunk, dns):
    app.config["FEDERATION_ALLOW_PRIVATE_ADDRESSES"] = False
    network, _group = trunk
    login(people_of_trunk[0])
    data = {"trunk_url": "http://intranet.example/cc/ocn/", "profile": "p6", "node_name": "kirklees",
            "exchange_rate": "1"}  # fmt: skip
    refused = client.post(f"/credit/networks/{network.id}/federation/trunkward", data=data)
    assert refused.status_code == 422
    assert "intranet.example is not a public address" in refused.get_data(as_text=True)


def test_a_leaf_naming_a_private_address_as_its_own_is_refused_and_nothing_is_kept(app, api, trunk, dns):
    app.config["FEDERATION_ALLOW_PRIVATE_ADDRESSES"] = False
    for url in ("http://192.168.0.10/cc/kirklees/", "http://intranet.example/cc/kirklees/"):
        refused = api.client.post("/cc/ocn/p6/graft-requests", json={**GRAFT_BODY, "url": url})
        assert refused.status_code == 400 and refused.get_json()["errors"][0]["class"] == "CCViolation"
    assert db.session.scalar(select(func.count()).select_from(GraftRequest)) == 0


def test_a_graft_action_naming_a_private_peer_url_is_refused(app, api, trunk, people_of_trunk):
    app.config["FEDERATION_ALLOW_PRIVATE_ADDRESSES"] = False
    network, group = trunk
    action = {"type": "graft_node", "network_id": network.id, "node_name": "kirklees", "profile": "cc-0.9",
              "peer_url": "http://[fd00::5]/cc/kirklees/", "credit_limit": 0}  # fmt: skip
    body = {"kind": "proposal", "title": "Graft", "closing_at": "2099-01-01T00:00:00Z", "action": action}
    assert api.post(f"/groups/{group.id}/polls", body, user=people_of_trunk[0]).status_code == 422


# --- at connection time ----------------------------------------------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.seen.append((self.path, self.headers.get("Host")))
        if self.path.endswith("/flood"):  # 20 MB, with no length given: read until the peer closes
            self.send_response(200)
            self.end_headers()
            with contextlib.suppress(ConnectionError):  # the caller hangs up early, as it should
                for _chunk in range(20 * 16):
                    self.wfile.write(b" " * 65536)
            return
        if self.path.endswith("/moved"):
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/cc/ocn/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = json.dumps({"data": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """A peer on 127.0.0.1 that records each request's path and Host header (`.tls(cert)` serves https)."""
    servers = []

    def start(context: ssl.SSLContext | None = None):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
        server.seen, server.names = [], []
        if context is not None:
            context.sni_callback = lambda sock, name, ctx: server.names.append(name)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _peer(url: str) -> client.Peer:
    return client.Peer(1, url, "cc-0.9", "leeds", ("ocn", "leeds"), "0" * 32, None, 2)


def test_a_name_that_resolves_to_loopback_at_connection_time_is_not_called(app, listener, dns):
    """DNS rebinding: the name passed when typed (it did not resolve, or resolved elsewhere); by the time of the
    call it points at the server's own loopback."""
    app.config.update(FEDERATION_ALLOW_HTTP=True, FEDERATION_ALLOW_PRIVATE_ADDRESSES=False)
    server = listener()
    dns["peer.example"] = ["127.0.0.1"]
    with pytest.raises(client.Unreachable, match=r"127\.0\.0\.1, which a node may not call"):
        client.call(_peer(f"http://peer.example:{server.server_port}/cc/ocn/"), "GET", "handshake")
    assert server.seen == []
    app.config["FEDERATION_ALLOW_PRIVATE_ADDRESSES"] = True
    answer = client.call(_peer(f"http://peer.example:{server.server_port}/cc/ocn/"), "GET", "handshake")
    assert answer.ok and server.seen == [("/cc/ocn/handshake", f"peer.example:{server.server_port}")]


def test_a_redirect_is_answered_not_followed(app, listener, dns):
    app.config.update(FEDERATION_ALLOW_HTTP=True, FEDERATION_ALLOW_PRIVATE_ADDRESSES=True)
    server = listener()
    answer = client.call(_peer(f"http://127.0.0.1:{server.server_port}/cc/ocn/"), "GET", "moved")
    assert answer.status == 302 and not answer.ok
    assert [path for path, _host in server.seen] == ["/cc/ocn/moved"]


def test_an_answer_larger_than_any_peer_needs_is_read_no_further(app, listener, dns):
    """A peer answering with an endless body would fill the worker's memory: the call gives up, as if unanswered."""
    app.config.update(FEDERATION_ALLOW_HTTP=True, FEDERATION_ALLOW_PRIVATE_ADDRESSES=True)
    server = listener()
    with pytest.raises(client.Unreachable, match="larger than"):
        client.call(_peer(f"http://127.0.0.1:{server.server_port}/cc/ocn/"), "GET", "flood")


def test_tls_to_the_checked_address_still_checks_the_certificate_against_the_name(
    app, listener, dns, monkeypatch, tmp_path
):
    app.config.update(FEDERATION_ALLOW_HTTP=False, FEDERATION_ALLOW_PRIVATE_ADDRESSES=True)
    authority = trustme.CA()
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setattr(client._http, "verify", str(tmp_path / "ca.pem"))
    dns["peer.example"] = dns["impostor.example"] = ["127.0.0.1"]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("peer.example").configure_cert(context)
    server = listener(context)
    answer = client.call(_peer(f"https://peer.example:{server.server_port}/cc/ocn/"), "GET", "handshake")
    assert answer.ok and server.names == ["peer.example"]
    with pytest.raises(client.Unreachable, match="certificate"):
        client.call(_peer(f"https://impostor.example:{server.server_port}/cc/ocn/"), "GET", "handshake")


# --- allowed addresses ------------------------------------------------------------------------------------------------


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_call_from_an_address_the_link_does_not_allow_is_refused_and_writes_nothing(leeds, client):
    link = db.session.get(Link, leeds.link.id)
    link.allowed_ips, head = ["203.0.113.0/24", "2001:db8::/32"], link.head
    db.session.commit()
    _uuid, refused = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 10)
    assert refused.status_code == 401
    assert refused.json["errors"][0]["class"] == "PermissionViolation"
    assert (_count(CCTransaction), _count(Hold), db.session.get(Link, link.id).head) == (0, 0, head)
    client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    _uuid, allowed = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 10)
    assert allowed.status_code == 200, allowed.json


def test_the_callers_address_is_read_through_trusted_proxies_only(leeds, client, other_app):  # noqa: F811
    link = db.session.get(Link, leeds.link.id)
    link.allowed_ips = ["198.51.100.4"]
    db.session.commit()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.4"
    assert leeds.trunk.call("GET", "handshake").status_code == 401  # no proxy is trusted: the header is anyone's
    behind_proxy = other_app(TRUSTED_PROXIES=1).test_client()
    behind_proxy.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.4"
    assert Peer(behind_proxy, "leeds", "ocn", ["ocn"]).call("GET", "handshake").status_code == 200


def test_an_admin_sets_a_links_allowed_addresses_by_api_and_page(api, client, login, trunk, people_of_trunk):
    network, _group = trunk
    ann = people_of_trunk[0]
    link = links.open_link(network=network, direction="leafward", peer_name="kirklees", profile="komunitin",
                           peer_url="https://komunitin.example/ccks/cc/")  # fmt: skip
    db.session.commit()
    refused = api.patch(f"/federation/links/{link.id}", {"allowed_ips": ["203.0.113.7", "not-an-ip"]}, user=ann)
    assert refused.status_code == 422 and "not-an-ip" in refused.get_json()["error"]["fields"]["allowed_ips"][0]
    saved = api.patch(f"/federation/links/{link.id}", {"allowed_ips": ["203.0.113.7", "2001:db8::/48"]}, user=ann)
    assert saved.get_json()["allowed_ips"] == ["203.0.113.7/32", "2001:db8::/48"]
    login(ann)
    field = f"link-{link.id}-allowed_ips"
    wrong = client.post(f"/credit/federation/links/{link.id}/allowed-ips", data={field: "10.0.0.0/8\n300.1.1.1"})
    assert wrong.status_code == 422 and "300.1.1.1 is not an IP address or network" in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Link, link.id).allowed_ips == ["203.0.113.7/32", "2001:db8::/48"]
    done = client.post(f"/credit/federation/links/{link.id}/allowed-ips", data={field: "198.51.100.0/24, 192.0.2.1"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Link, link.id).allowed_ips == ["198.51.100.0/24", "192.0.2.1/32"]
    assert "198.51.100.0/24" in client.get(f"/credit/networks/{network.id}/federation").get_data(as_text=True)


# --- cc-node-trace and the general limit --------------------------------------------------------------------------


def test_the_trace_is_logged_cut_and_answered_with_this_node_added(leeds, client, caplog):
    client.environ_base["HTTP_CC_NODE_TRACE"] = "kirklees>ocn>" + "x" * 3000 + "\x7f"
    with caplog.at_level(logging.INFO, logger=trace.log.name):
        answer = leeds.trunk.call("GET", "handshake")
    logged = [r.getMessage() for r in caplog.records if r.name == trace.log.name]
    assert len(logged) == 1 and len(logged[0]) < trace.MAX_LENGTH + 100 and "\x7f" not in logged[0]
    assert answer.headers[trace.HEADER].endswith("x, <leeds")
    assert len(answer.headers[trace.HEADER]) <= trace.MAX_LENGTH


def test_a_call_we_send_carries_the_trace_we_received_and_our_name(app, monkeypatch):
    sent = {}

    def capture(method, url, headers=None, **kwargs):
        sent.update(headers)
        raise client.requests.ConnectionError("not sent")

    monkeypatch.setattr(client._http, "request", capture)
    app.config["FEDERATION_ALLOW_HTTP"] = True
    with app.test_request_context(headers={trace.HEADER: "kirklees>"}), pytest.raises(client.Unreachable):
        client.call(_peer("http://ocn.example/cc/ocn/"), "GET", "handshake")
    assert sent[trace.HEADER] == "kirklees>leeds>"


def test_a_peer_gets_120_requests_a_minute_of_any_kind_whatever_name_it_gives(app, leeds, client):
    assert app.config["RATELIMIT_CC_REQUESTS"] == "120/minute"
    app.config["RATELIMIT_CC_REQUESTS"] = "3/minute"
    answers = [leeds.trunk.call("GET", "handshake").status_code for _n in range(3)]
    assert answers == [200, 200, 200]
    limited = leeds.trunk.call("GET", "handshake", name="someone-else")
    assert limited.status_code == 429 and limited.json["errors"][0]["class"] == "CCViolation"
    assert leeds.trunk.call("POST", "p6/rotate", b"{}").status_code == 429  # the P6 routes share the budget
    client.environ_base["REMOTE_ADDR"] = "203.0.113.9"  # another server has its own
    assert leeds.trunk.call("GET", "handshake").status_code == 200
