"""Grafting a network on one installation under a trunk on another (docs/federation.md), with two apps in one test.

The trunk is the test's own app (its database, the `api` fixture); the leaf is a second app on a SQLite file of its
own. Each one's calls to the other go through a requests adapter into the other's test client, so no network is
needed, and the adapter checks that the caller has no database transaction open when it calls.
"""

import io
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter

from platform6.accounts.service import create_token
from platform6.accounts.service import create_user as make_user
from platform6.credit import service as credit_service
from platform6.credit.models import Account, Network
from platform6.extensions import db
from platform6.federation import graft_sync, grafting, signing, wire
from platform6.federation.models import GraftRequest, Link
from platform6.groups.service import create_group as make_group
from tests.conftest import make_app

from ..governance.conftest import vote  # noqa: F401 - the fixture
from ..governance.test_service import pass_and_close
from .conftest import LOOPBACK_PEERS

SECRET_KEYS = {"trunk": "test-secret", "leaf": "leaf-secret"}


class AppAdapter(BaseAdapter):
    """Sends a peer call into the test client of the app serving its host: the address's path and query, body and
    headers as sent."""

    def __init__(self, apps: dict):
        super().__init__()
        self.apps = apps
        #: (method, path, body) of each call, to replay one
        self.calls: list[tuple[str, str, bytes]] = []

    def send(self, request, **kwargs):
        # the caller's database work has committed: no transaction is open while a peer answers
        assert not db.session().in_transaction(), f"{request.method} {request.url} sent inside a transaction"
        path = request.path_url
        self.calls.append((request.method, path, request.body or b""))
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        answer = (
            self.apps[urlsplit(request.url).hostname]
            .test_client()
            .open(path, method=request.method, data=request.body or b"", headers=headers)
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers.update(answer.headers)
        response.raw = io.BytesIO(answer.get_data())
        response.url, response.request = request.url, request
        return response

    def close(self):
        pass


def session_to(apps: dict) -> tuple[requests.Session, AppAdapter]:
    adapter = AppAdapter(apps)
    session = requests.Session()
    session.mount("http://", adapter)
    return session, adapter


@dataclass
class Leaf:
    """The leaf installation: its app, its admin's token and its network."""

    app: object
    token: str
    outsider_token: str
    network_id: int
    #: the calls between the two installations
    to_trunk: AppAdapter | None = None

    def call(self, method: str, path: str, json=None, token: str | None = None):
        headers = {"Authorization": f"Bearer {token or self.token}"}
        response = self.app.test_client().open(f"/api/v1{path}", method=method, json=json, headers=headers)
        return response

    def read(self, fn):
        with self.app.app_context():
            return fn()


TRUNK_URL = "http://trunk.test/cc/ocn/"


@pytest.fixture
def leaf(app, tmp_path):
    """A second installation hosting Kirklees, whose calls reach the trunk app (and back)."""
    leaf_app = make_app(f"sqlite:///{tmp_path / 'leaf.db'}", SECRET_KEY=SECRET_KEYS["leaf"], **LOOPBACK_PEERS)
    with leaf_app.app_context():
        db.create_all()
        admin = make_user(name="Ellie", email="ellie@kirklees.example", password="correct horse")
        outsider = make_user(name="Olly", email="olly@kirklees.example", password="correct horse")
        group = make_group(actor=admin, name="Kirklees Credit")
        network = credit_service.create_network(
            actor=admin,
            name="Kirklees",
            group_id=group.id,
            currency_code="KLP",
            currency_name="Kirklees pound",
            currency_symbol="K",
            currency_decimals=2,
        )
        db.session.commit()
        found = Leaf(leaf_app, create_token(user=admin), create_token(user=outsider), network.id)
        db.session.commit()
    # the trunk answers at trunk.test, the leaf at localhost (its test client's host)
    session, found.to_trunk = session_to({"trunk.test": app, "localhost": leaf_app})
    leaf_app.extensions["federation_http"] = app.extensions["federation_http"] = session
    yield found
    app.extensions.pop("federation_http", None)
    with leaf_app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def asked(trunk, leaf) -> GraftRequest:
    """The leaf has asked to join the trunk: the trunk's pending request."""
    assert ask_to_join(leaf).status_code == 201
    return the_request()


def ask_to_join(leaf: Leaf, **extra):
    body = {"trunk_url": TRUNK_URL, "node_name": "kirklees", "exchange_rate": "1", "requested_credit_limit": 200000}
    return leaf.call("POST", f"/networks/{leaf.network_id}/federation/trunkward", {**body, **extra})


def fresh() -> None:
    """End the test's read of the trunk's database: the leaf's calls wrote to it through sessions of their own."""
    db.session.commit()


def the_request():
    fresh()
    return db.session.query(GraftRequest).one()


def raise_graft(api, group, ann, graft_id: int, credit_limit: int = 200000):
    body = {
        "kind": "proposal",
        "title": "Graft Kirklees",
        "closing_at": "2099-01-01T00:00:00Z",
        "action": {"type": "graft_node", "graft_request_id": graft_id, "credit_limit": credit_limit},
    }
    response = api.post(f"/groups/{group.id}/polls", body, user=ann)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def link_on_leaf(leaf: Leaf) -> dict:
    return leaf.call("GET", f"/networks/{leaf.network_id}/federation").get_json()["links"][0]


# --- the whole graft -----------------------------------------------------------------------------


def test_a_leaf_is_grafted_by_a_passed_proposal_and_picks_up_its_credentials_once(
    app, api, trunk, leaf, people_of_trunk
):
    network, group = trunk
    ann, bob, cat = people_of_trunk
    asked = ask_to_join(leaf, message="We are 40 traders in Huddersfield.")
    assert asked.status_code == 201, asked.get_json()
    assert asked.get_json()["status"] == "requested" and asked.get_json()["direction"] == "trunkward"

    # the trunk holds the request, pending, and told its admin
    listed = api.get(f"/networks/{network.id}/federation/graft-requests", user=ann).get_json()["items"]
    assert [(r["node_name"], r["status"], r["requested_credit_limit"]) for r in listed] == [
        ("kirklees", "pending", 200000)
    ]
    assert "40 traders" in listed[0]["contact"]
    notes = api.get("/notifications", user=ann).get_json()["items"]
    assert any("kirklees" in n["text"] for n in notes)

    # before the decision, "Check now" finds it waiting
    link_id = link_on_leaf(leaf)["id"]
    checked = leaf.call("POST", f"/federation/links/{link_id}/check").get_json()
    assert checked["outcome"] == "waiting" and checked["link"]["status"] == "requested"

    poll = raise_graft(api, group, ann, listed[0]["id"])
    closed = pass_and_close(api, poll, [ann, bob, cat])
    assert closed["action"]["result"]["status"] == "applied", closed["action"]
    assert closed["action"]["result"]["message"] == (
        "kirklees grafted as ocn/kirklees, credit limit 2,000.00; awaiting pickup."
    )
    trunk_link = db.session.query(Link).filter_by(network_id=network.id).one()
    assert (trunk_link.status, trunk_link.direction, trunk_link.peer_name) == ("approved", "leafward", "kirklees")

    # the pickup job (each minute) hands the credentials over once
    leaf.read(graft_sync.check_every_trunk)
    on_leaf = link_on_leaf(leaf)
    assert on_leaf["status"] == "active"
    fresh()
    trunk_link = db.session.get(Link, trunk_link.id)
    assert trunk_link.status == "active" and on_leaf["head_prefix"] == trunk_link.head[:8]
    assert leaf.read(lambda: db.session.get(Link, link_id).genesis) == trunk_link.genesis
    graft = the_request()
    assert graft.status == "picked_up"
    # the same pickup again is gone: the credentials were handed over once
    method, path, body = next(call for call in leaf.to_trunk.calls if call[1].endswith("/pickup"))
    again = api.client.open(path, method=method, data=body, content_type="application/json")
    assert again.status_code == 410 and again.get_json()["errors"][0]["class"] == "WorkflowViolation"
    wrong = api.client.post(path, json={"token": "not the token"})
    assert wrong.status_code == 404

    # the credit limit voted caps the leaf's account here
    vostro = api.get(f"/networks/{network.id}/federation", user=ann).get_json()["links"][0]["vostro"]
    assert vostro["credit_limit"] == 200000


def test_a_proposal_that_does_not_pass_makes_no_link(api, trunk, leaf, asked, people_of_trunk, vote):  # noqa: F811
    network, group = trunk
    ann, bob, cat = people_of_trunk
    poll = raise_graft(api, group, ann, asked.id)
    vote(poll, bob, {"agree": 1})
    vote(poll, cat, {"block": 1})
    closed = api.post(f"/polls/{poll['id']}/close", user=ann).get_json()
    assert closed["action"]["result"]["status"] == "not_passed"
    assert db.session.query(Link).filter_by(network_id=network.id).count() == 0
    assert the_request().status == "pending"
    leaf.read(graft_sync.check_every_trunk)
    assert link_on_leaf(leaf)["status"] == "requested"


def test_the_action_is_checked_when_raised_and_again_at_close(api, trunk, asked, people_of_trunk):
    network, group = trunk
    ann, bob, _cat = people_of_trunk
    graft_id = asked.id
    for action in (
        {"type": "graft_node", "graft_request_id": 999, "credit_limit": 1},
        {"type": "graft_node", "graft_request_id": graft_id, "credit_limit": -1},
        {"type": "graft_node", "graft_request_id": graft_id, "credit_limit": 1, "colour": "red"},
    ):
        body = {"kind": "proposal", "title": "Graft", "closing_at": "2099-01-01T00:00:00Z", "action": action}
        response = api.post(f"/groups/{group.id}/polls", body, user=ann)
        assert response.status_code == 422, (action, response.get_json())
    # only an admin attaches it
    body = {
        "kind": "proposal",
        "title": "Graft",
        "closing_at": "2099-01-01T00:00:00Z",
        "action": {"type": "graft_node", "graft_request_id": graft_id, "credit_limit": 1},
    }
    assert api.post(f"/groups/{group.id}/polls", body, user=bob).status_code == 403
    # two proposals for one request: the second to close finds it decided and does nothing
    first, second = raise_graft(api, group, ann, graft_id), raise_graft(api, group, ann, graft_id)
    assert pass_and_close(api, first, [ann, bob])["action"]["result"]["status"] == "applied"
    late = pass_and_close(api, second, [ann, bob])["action"]["result"]
    assert late["status"] == "failed" and "approved already" in late["message"]
    assert db.session.query(Link).filter_by(network_id=network.id).count() == 1


def test_direct_decisions_only_where_the_network_allows_them(api, trunk, leaf, asked, people_of_trunk):
    network, _group = trunk
    ann, bob, _cat = people_of_trunk
    graft_id = asked.id
    refused = api.post(f"/federation/graft-requests/{graft_id}/approve", {"credit_limit": 100}, user=ann)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "decision_required"
    network.federation_decisions_required = False
    db.session.commit()
    assert api.post(f"/federation/graft-requests/{graft_id}/approve", {}, user=bob).status_code == 403
    declined = api.post(f"/federation/graft-requests/{graft_id}/decline", user=ann)
    assert declined.status_code == 200 and declined.get_json()["status"] == "declined"
    leaf.read(graft_sync.check_every_trunk)
    assert link_on_leaf(leaf)["status"] == "suspended"


# --- links: suspend, rotate ----------------------------------------------------------------------


@pytest.fixture
def grafted(api, trunk, leaf, asked, people_of_trunk):
    network, group = trunk
    ann, bob, cat = people_of_trunk
    pass_and_close(api, raise_graft(api, group, ann, asked.id), [ann, bob, cat])
    leaf.read(graft_sync.check_every_trunk)
    assert link_on_leaf(leaf)["status"] == "active"
    return db.session.query(Link).filter_by(network_id=network.id).one().id, link_on_leaf(leaf)["id"]


def test_a_link_is_suspended_and_resumed_by_its_admins_only(app, api, grafted, leaf, people_of_trunk):
    trunk_link_id, leaf_link_id = grafted
    ann, bob, _cat = people_of_trunk
    assert api.patch(f"/federation/links/{trunk_link_id}", {"status": "suspended"}, user=bob).status_code == 403
    suspended = api.patch(f"/federation/links/{trunk_link_id}", {"status": "suspended"}, user=ann)
    assert suspended.status_code == 200 and suspended.get_json()["status"] == "suspended"
    # a suspended link answers its peer no more
    assert leaf.read(lambda: graft_sync.rotate_secret(leaf_link_id)) is False
    resumed = api.patch(f"/federation/links/{trunk_link_id}", {"status": "active"}, user=ann)
    assert resumed.get_json()["status"] == "active"
    bad = api.patch(f"/federation/links/{trunk_link_id}", {"allowed_ips": ["not an address"]}, user=ann)
    assert bad.status_code == 422
    ips = api.patch(f"/federation/links/{trunk_link_id}", {"allowed_ips": ["192.0.2.7"]}, user=ann)
    assert ips.get_json()["allowed_ips"] == ["192.0.2.7/32"]
    # someone outside the leaf's network does not even see the link
    outsider = leaf.call(
        "PATCH", f"/federation/links/{leaf_link_id}", {"status": "suspended"}, token=leaf.outsider_token
    )
    assert outsider.status_code == 404


def test_rotating_the_secret_keeps_both_secrets_for_a_day(app, api, grafted, leaf):
    trunk_link_id, leaf_link_id = grafted
    before = leaf.read(lambda: db.session.get(Link, leaf_link_id).secret)
    rotated = leaf.call("POST", f"/federation/links/{leaf_link_id}/rotate-secret")
    assert rotated.status_code == 200, rotated.get_json()
    leaf_link = leaf.read(lambda: db.session.get(Link, leaf_link_id))
    assert leaf_link.previous_secret == before and leaf_link.secret != before
    fresh()
    trunk_link = db.session.get(Link, trunk_link_id)
    assert trunk_link.previous_secret is not None and trunk_link.previous_secret_until is not None
    on_trunk = grafting.pickup_token(trunk_link)
    assert on_trunk == leaf.read(lambda: grafting.pickup_token(db.session.get(Link, leaf_link_id)))
    # rotating again, signed with the new secret, works too
    assert leaf.call("POST", f"/federation/links/{leaf_link_id}/rotate-secret").status_code == 200


# --- non-P6 leaves: the starting hash is shown once ----------------------------------------------


def test_a_komunitin_leaf_gets_its_starting_hash_shown_once(app, api, client, login, trunk, people_of_trunk):
    network, group = trunk
    ann, bob, cat = people_of_trunk
    action = {
        "type": "graft_node",
        "network_id": network.id,
        "node_name": "kirklees",
        "peer_url": "https://kirklees.example/cc/",
        "profile": "komunitin",
        "credit_limit": 50000,
        "vostro_code": "KLP0001",
    }
    body = {"kind": "proposal", "title": "Graft", "closing_at": "2099-01-01T00:00:00Z", "action": action}
    poll = api.post(f"/groups/{group.id}/polls", body, user=ann).get_json()
    result = pass_and_close(api, poll, [ann, bob, cat])["action"]["result"]
    assert result["status"] == "applied" and "(komunitin)" in result["message"]
    link = db.session.query(Link).filter_by(network_id=network.id).one()
    assert link.genesis not in result["message"]
    shown = api.post(f"/federation/links/{link.id}/credentials", user=ann)
    assert shown.status_code == 200
    assert shown.get_json() == {
        "peer_node_path": "ocn",
        "our_node_path": "ocn/kirklees",
        "last_hash": link.genesis,
        "url": "https://kirklees.example/cc/",
        "vostro_id": "KLP0001",
    }
    assert api.post(f"/federation/links/{link.id}/credentials", user=ann).status_code == 410
    login(ann)
    page = client.get(f"/credit/networks/{network.id}/federation").get_data(as_text=True)
    assert link.genesis not in page and "Show the starting hash" not in page
    # the name is now taken under ocn
    taken = api.client.post("/cc/ocn/p6/graft-requests", json={**GRAFT_BODY, "node_name": "kirklees"})
    assert taken.status_code == 409 and taken.get_json()["errors"][0]["node"] == "ocn"


# --- the leaf's side: refusals -------------------------------------------------------------------


def test_a_graft_is_refused_for_a_child_network_a_second_trunk_or_a_non_admin(app, api, trunk, leaf):
    assert ask_to_join(leaf, trunk_url="ftp://trunk.test/").status_code == 422
    assert ask_to_join(leaf, profile="komunitin").get_json()["error"]["fields"]["last_hash"]
    outsider = leaf.call(
        "POST",
        f"/networks/{leaf.network_id}/federation/trunkward",
        {"trunk_url": TRUNK_URL, "node_name": "kirklees", "exchange_rate": "1"},
        token=leaf.outsider_token,
    )
    assert outsider.status_code == 404
    assert ask_to_join(leaf).status_code == 201
    second = ask_to_join(leaf)
    assert second.status_code == 409 and second.get_json()["error"]["code"] == "already_linked"


GRAFT_BODY = {
    "node_name": "leeds",
    "url": "http://leeds.test/cc/leeds/",
    "currency": {"code": "LDS", "name": "Leeds pound", "decimals": 2},
    "exchange_rate": "1",
    "requested_credit_limit": 0,
    "contact": "",
    "pickup_token_sha256": "a" * 64,
}


def test_the_trunk_checks_graft_requests_and_limits_them_per_address(app, api, trunk, people_of_trunk):
    body = GRAFT_BODY
    assert api.client.post("/cc/ocn/p6/graft-requests", json=body).status_code == 202
    assert api.client.post("/cc/ocn/p6/graft-requests", json={**body, "node_name": "bradford"}).status_code == 202
    listed = f"/networks/{trunk[0].id}/federation/graft-requests"
    first = api.get(f"{listed}?limit=1", user=people_of_trunk[0]).get_json()
    second = api.get(f"{listed}?limit=1&cursor={first['next']}", user=people_of_trunk[0]).get_json()
    assert [g["node_name"] for g in first["items"] + second["items"]] == ["bradford", "leeds"]
    assert second["next"] is None
    assert api.get(listed, user=people_of_trunk[1]).status_code == 403
    bad = api.client.post("/cc/ocn/p6/graft-requests", json={**body, "pickup_token_sha256": "x"})
    assert bad.status_code == 400 and bad.get_json()["errors"][0]["class"] == "CCViolation"
    assert api.client.post("/cc/nowhere/p6/graft-requests", json=body).status_code == 404
    for _n in range(2):
        api.client.post("/cc/ocn/p6/graft-requests", json=body)
    limited = api.client.post("/cc/ocn/p6/graft-requests", json=body)
    assert limited.status_code == 429 and "errors" in limited.get_json()


# --- pages ---------------------------------------------------------------------------------------


def test_the_federation_page_is_for_the_networks_admins(app, client, login, trunk, people_of_trunk, create_user):
    network, _group = trunk
    ann, bob, _cat = people_of_trunk
    login(bob)
    assert client.get(f"/credit/networks/{network.id}/federation").status_code == 403
    client.post("/sign-out")
    login(create_user())
    assert client.get(f"/credit/networks/{network.id}/federation").status_code == 404
    client.post("/sign-out")
    login(ann)
    assert "/federation" in client.get(f"/credit/networks/{network.id}").get_data(as_text=True)
    page = client.get(f"/credit/networks/{network.id}/federation").get_data(as_text=True)
    assert "http://localhost/cc/ocn/" in page and "Join a trunk on another installation" in page


def test_a_request_is_proposed_for_approval_from_the_page(app, api, client, login, trunk, people_of_trunk):
    network, group = trunk
    ann, _bob, _cat = people_of_trunk
    assert api.client.post("/cc/ocn/p6/graft-requests", json={**GRAFT_BODY, "requested_credit_limit": 50000})
    login(ann)
    page = client.get(f"/credit/networks/{network.id}/federation").get_data(as_text=True)
    assert "leeds" in page and "Propose approval" in page
    graft_id = the_request().id
    form = client.get(
        f"/groups/{group.handle}/decisions/new?action=graft_node&graft_request_id={graft_id}&kind=proposal"
    )
    text = form.get_data(as_text=True)
    assert form.status_code == 200 and "Graft leeds as a node of our network" in text
    assert '<option selected value="graft_node">' in text and 'value="500.00"' in text
    assert f'name="action_graft_request_id" type="hidden" value="{graft_id}"' in text
    made = client.post(
        f"/groups/{group.handle}/decisions/new",
        data={
            "kind": "proposal",
            "title": "Graft leeds as a node of our network",
            "closing_at": "2099-01-01T12:00",
            "action_type": "graft_node",
            "action_graft_request_id": str(graft_id),
            "action_limit": "500",
            "reasons": "optional",
            "method": "borda",
        },
    )
    assert made.status_code == 302, made.get_data(as_text=True)
    shown = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "Graft leeds, on another installation, as a node of OCN with a credit limit of" in shown


def test_a_graft_starts_from_the_leafs_page_and_the_form_says_what_is_wrong(trunk, leaf):
    browser = leaf.app.test_client()
    assert (
        browser.post("/sign-in", data={"email": "ellie@kirklees.example", "password": "correct horse"}).status_code
        == 302
    )
    page = f"/credit/networks/{leaf.network_id}/federation"
    data = {"trunk_url": "ftp://nowhere/", "profile": "p6", "node_name": "Kirklees!", "exchange_rate": "1"}
    refused = browser.post(f"{page}/trunkward", data=data)
    assert refused.status_code == 422
    assert "Give the address as https://host/cc/&lt;name&gt;/." in refused.get_data(as_text=True)
    data.update(trunk_url=TRUNK_URL, node_name="kirklees", requested_credit_limit="1,000.00")
    started = browser.post(f"{page}/trunkward", data=data, follow_redirects=True)
    text = started.get_data(as_text=True)
    assert "The request was sent to the trunk" in text and "Check now" in text
    assert "Join a trunk on another installation" not in text  # one trunk at most
    checked = browser.post(f"/credit/federation/links/{link_on_leaf(leaf)['id']}/check", follow_redirects=True)
    assert "The trunk has not decided yet" in checked.get_data(as_text=True)


def test_the_federation_page_reads_in_italian(app, client, login, trunk, people_of_trunk):
    network, _group = trunk
    ann, _bob, _cat = people_of_trunk
    assert app.test_client().post("/cc/ocn/p6/graft-requests", json=GRAFT_BODY).status_code == 202
    ann.locale = "it"
    db.session.commit()
    login(ann)
    page = client.get(f"/credit/networks/{network.id}/federation").get_data(as_text=True)
    assert "Federazione" in page and "Proponi l'approvazione" in page
    assert "Propose approval" not in page and "Requests to join" not in page


# --- paying across installations -------------------------------------------------------------------


def sign_in_on_leaf(leaf: Leaf):
    browser = leaf.app.test_client()
    signed_in = browser.post("/sign-in", data={"email": "ellie@kirklees.example", "password": "correct horse"})
    assert signed_in.status_code == 302
    return browser


def test_a_member_pays_someone_on_the_trunk_by_address_and_statements_name_them(
    app, client, login, grafted, leaf, trunk, people_of_trunk, open_account
):
    network, _group = trunk
    _ann, bob, _cat = people_of_trunk
    bobs = open_account(network, holder=bob)
    bobs.cc_name = "bob"
    db.session.commit()

    def ellies_account():
        found = credit_service.open_account(
            actor=None, network=db.session.get(Network, leaf.network_id), holder_type="user", holder_id=1,
            kind="individual", credit_limit=50000,
        )  # fmt: skip
        found.cc_name = "ellie"
        db.session.commit()
        return found.id

    ellies = leaf.read(ellies_account)
    browser = sign_in_on_leaf(leaf)
    assert "Pay someone on another network" in browser.get("/credit/pay").get_data(as_text=True)
    form = browser.get("/credit/pay/remote")
    assert form.status_code == 200
    paid = browser.post(
        "/credit/pay/remote",
        data={"from_account_id": ellies, "to_address": "ocn/bob", "amount": "12.50", "description": "Bread",
              "idempotency_key": "k1"},
    )  # fmt: skip
    assert paid.status_code == 302, paid.get_data(as_text=True)
    assert "/credit/transfers/" in paid.headers["Location"]
    statement = browser.get(f"/credit/accounts/{ellies}").get_data(as_text=True)
    assert "ocn/bob" in statement and "Bread" in statement
    fresh()
    assert db.session.get(type(bobs), bobs.id).balance == 1250
    login(bob)
    assert "ocn/kirklees/ellie" in client.get(f"/credit/accounts/{bobs.id}").get_data(as_text=True)


def test_the_pay_remote_form_says_what_is_wrong(app, grafted, leaf):
    def open_ellies():
        found = credit_service.open_account(
            actor=None, network=db.session.get(Network, leaf.network_id), holder_type="user", holder_id=1,
            kind="individual", credit_limit=500,
        )  # fmt: skip
        db.session.commit()
        return found.id

    ellies = leaf.read(open_ellies)
    browser = sign_in_on_leaf(leaf)

    def pay(**data):
        sent = {"from_account_id": ellies, "to_address": "ocn/bob", "amount": "1", "idempotency_key": "", **data}
        return browser.post("/credit/pay/remote", data=sent)

    empty = pay(amount="")
    assert empty.status_code == 422
    nowhere = pay(to_address="ocn/nobody-here")
    assert nowhere.status_code == 422 and "No account on another installation has that address" in nowhere.get_data(
        as_text=True
    )
    too_much = pay(to_address="ocn/nobody-here", amount="abc")
    assert too_much.status_code == 422


@pytest.fixture
def bob_and_ellie(trunk, people_of_trunk, open_account, leaf):
    """Bob's account on the trunk (ocn/bob) and Ellie's on the leaf, with a browser signed in as Ellie."""
    bobs = open_account(trunk[0], holder=people_of_trunk[1])
    bobs.cc_name = "bob"
    db.session.commit()

    def open_ellies():
        found = credit_service.open_account(
            actor=None, network=db.session.get(Network, leaf.network_id), holder_type="user", holder_id=1,
            kind="individual", credit_limit=50000,
        )  # fmt: skip
        db.session.commit()
        return found.id

    return bobs.id, leaf.read(open_ellies), sign_in_on_leaf(leaf)


def pay_bob(browser, ellies: int, key: str):
    data = {"from_account_id": ellies, "to_address": "ocn/bob", "amount": "1", "idempotency_key": key}
    return browser.post("/credit/pay/remote", data=data)


def test_a_link_the_trunk_suspended_refuses_the_leafs_payments(api, grafted, leaf, bob_and_ellie, people_of_trunk):
    trunk_link_id, _leaf_link_id = grafted
    bobs, ellies, browser = bob_and_ellie
    assert api.patch(f"/federation/links/{trunk_link_id}", {"status": "suspended"}, user=people_of_trunk[0])
    refused = pay_bob(browser, ellies, "k1")
    assert refused.status_code == 422 and "nothing was paid" in refused.get_data(as_text=True)
    fresh()
    assert db.session.get(Account, bobs).balance == 0
    assert api.patch(f"/federation/links/{trunk_link_id}", {"status": "active"}, user=people_of_trunk[0])
    assert pay_bob(browser, ellies, "k2").status_code == 302


def test_a_link_the_leaf_suspended_refuses_its_own_members_payments(grafted, leaf, bob_and_ellie):
    _trunk_link_id, leaf_link_id = grafted
    _bobs, ellies, browser = bob_and_ellie
    assert leaf.call("PATCH", f"/federation/links/{leaf_link_id}", {"status": "suspended"}).status_code == 200
    refused = pay_bob(browser, ellies, "k1")
    assert refused.status_code == 422 and "suspended" in refused.get_data(as_text=True)


def test_a_pickup_whose_answer_was_lost_stops_asking_and_says_why(api, trunk, leaf, asked, people_of_trunk):
    _network, group = trunk
    ann, bob, cat = people_of_trunk
    graft = asked
    pass_and_close(api, raise_graft(api, group, ann, graft.id), [ann, bob, cat])
    link_id = link_on_leaf(leaf)["id"]
    token = leaf.read(lambda: grafting.pickup_token(db.session.get(Link, link_id)))
    taken = api.client.post(f"/cc/ocn/p6/graft-requests/{graft.id}/pickup", json={"token": token})
    assert taken.status_code == 200  # the answer that never reached the leaf
    checked = leaf.call("POST", f"/federation/links/{link_id}/check").get_json()
    assert checked["outcome"] == "gone" and checked["link"]["status"] == "suspended"
    assert leaf.read(grafting.links_awaiting_trunk) == []


def test_the_link_state_answers_only_a_signed_call_from_the_link(app, api, grafted, leaf):
    trunk_link_id, leaf_link_id = grafted

    def signed_headers(secret: str | None = None) -> dict:
        link = db.session.get(Link, leaf_link_id)
        headers = wire.auth_headers(profile="p6", our_name="kirklees", our_path=["ocn", "kirklees"], head=link.head)
        headers["p6-signature"] = signing.sign(
            secret or grafting.pickup_token(link), method="GET", path="/cc/ocn/p6/link", body=b""
        )
        return headers

    answer = api.client.get("/cc/ocn/p6/link", headers=leaf.read(signed_headers))
    assert answer.status_code == 200, answer.get_json()
    state = answer.get_json()
    assert state["node_path"] == ["ocn"] and state["head"] == db.session.get(Link, trunk_link_id).head
    assert state["completed"] == 0 and state["vostro"]["limits"]["credit_limit"] == 200000
    assert api.client.get("/cc/ocn/p6/link").status_code == 401
    forged = api.client.get("/cc/ocn/p6/link", headers=leaf.read(lambda: signed_headers("not the secret")))
    assert forged.status_code == 401 and forged.get_json()["errors"][0]["class"] == "PermissionViolation"


def test_a_peer_clearing_account_takes_a_new_limit_by_a_binding_proposal(api, grafted, trunk, people_of_trunk):
    network, group = trunk
    ann, bob, cat = people_of_trunk
    vostro = api.get(f"/networks/{network.id}/federation", user=ann).get_json()["links"][0]["vostro"]
    action = {"type": "set_credit_limit", "account_id": vostro["account_id"], "credit_limit": 500000}
    body = {"kind": "proposal", "title": "More room", "closing_at": "2099-01-01T00:00:00Z", "action": action}
    poll = api.post(f"/groups/{group.id}/polls", body, user=ann).get_json()
    assert pass_and_close(api, poll, [ann, bob, cat])["action"]["result"]["status"] == "applied"
    links = api.get(f"/networks/{network.id}/federation", user=ann).get_json()["links"]
    assert links[0]["vostro"]["credit_limit"] == 500000


def test_a_leaf_joins_a_trunk_that_hands_out_its_starting_hash_by_hand(api, trunk, leaf, people_of_trunk):
    """The flow for a reference or Komunitin trunk, with this app standing in for one: its admins graft the leaf by
    the peer form of the action and read the starting hash once; the leaf's admin types it in; the handshake with
    it makes the link active."""
    link_id = graft_by_hand(api, trunk, people_of_trunk, credit_limit=10000)
    handed = api.post(f"/federation/links/{link_id}/credentials", user=people_of_trunk[0]).get_json()
    assert handed["our_node_path"] == "ocn/kirklees"
    joined = ask_to_join(leaf, profile="cc-0.9", last_hash=handed["last_hash"])
    assert joined.status_code == 201 and joined.get_json()["status"] == "active"
    assert joined.get_json()["head_prefix"] == handed["last_hash"][:8]


def test_a_wrongly_typed_starting_hash_leaves_the_link_waiting(api, trunk, leaf, people_of_trunk):
    graft_by_hand(api, trunk, people_of_trunk, credit_limit=0)
    joined = ask_to_join(leaf, profile="cc-0.9", last_hash="0" * 32)
    assert joined.status_code == 201 and joined.get_json()["status"] == "requested"
    checked = leaf.call("POST", f"/federation/links/{joined.get_json()['id']}/check").get_json()
    assert checked["outcome"] == "refused" and checked["link"]["status"] == "requested"


def graft_by_hand(api, trunk, people_of_trunk, *, credit_limit: int) -> int:
    """The trunk's group grafts a reference-node leaf (no request: the peer form of the action); the link's id."""
    network, group = trunk
    ann, bob, cat = people_of_trunk
    action = {"type": "graft_node", "network_id": network.id, "node_name": "kirklees", "profile": "cc-0.9",
              "peer_url": "http://localhost/cc/kirklees/", "credit_limit": credit_limit}  # fmt: skip
    body = {"kind": "proposal", "title": "Graft", "closing_at": "2099-01-01T00:00:00Z", "action": action}
    pass_and_close(api, api.post(f"/groups/{group.id}/polls", body, user=ann).get_json(), [ann, bob, cat])
    return db.session.query(Link).filter_by(network_id=network.id).one().id
