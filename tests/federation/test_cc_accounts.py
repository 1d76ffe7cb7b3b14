"""The account routes a neighbour may call (FEDERATION.md §2): its own vostro account in Komunitin's and the
reference's shapes, and member names only where the network opts in. A peer never reads a member's balance."""

import pytest

from platform6.extensions import db

from .cc_schemas import conforms
from .peers import entries


def _pay_bob(leeds, quant):
    uuid, relayed = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", quant)
    assert relayed.status_code == 200
    assert leeds.trunk.complete(uuid, entries(round(quant * 100))).status_code == 201


def test_a_peer_reads_its_own_account_in_komunitins_flat_shape(leeds):
    before = conforms(leeds.trunk.call("GET", "account?acc_path=ocn"), "account_flat")
    assert before == {"trades": 0, "entries": 0, "gross_in": 0, "gross_out": 0, "partners": 0, "pending": 0,
                      "balance": 0}  # fmt: skip
    _pay_bob(leeds, 2.5)
    _uuid, held = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 1)
    assert held.status_code == 200  # held, not completed
    after = conforms(leeds.trunk.call("GET", "account"), "account_flat")
    assert after == {"trades": 1, "entries": 1, "gross_in": 0, "gross_out": 2.5, "partners": 1, "pending": -1,
                     "balance": -2.5}  # fmt: skip
    summary = conforms(leeds.trunk.call("GET", "account/summary?acc_path=ocn"), "account_summary")
    assert summary["data"]["ocn"]["completed"]["balance"] == -2.5


def test_limits_and_history_of_its_own_account(leeds):
    limits = conforms(leeds.trunk.call("GET", "account/limits?acc_path=ocn"), "account_limits")
    assert limits == {"data": {"ocn": {"min": -50, "max": None}}}
    empty = conforms(leeds.trunk.call("GET", "account/history?acc_path=ocn"), "account_history")
    assert empty["data"] == {} and empty["meta"]["points"] == 0
    _pay_bob(leeds, 2.5)
    _pay_bob(leeds, 1)
    full = conforms(leeds.trunk.call("GET", "account/history?acc_path=ocn"), "account_history")
    assert sorted(full["data"].values()) in ([-3.5, -2.5], [-3.5])  # two changes, maybe within one second
    assert (full["meta"]["min"], full["meta"]["max"]) == (-3.5, -2.5)
    last = conforms(leeds.trunk.call("GET", "account/history?acc_path=ocn&samples=1"), "account_history")
    assert list(last["data"].values()) == [-3.5] and last["meta"]["points"] == 1


@pytest.mark.parametrize(
    "route",
    ["account?acc_path=ocn/leeds/bob", "account/summary?acc_path=bob", "account/limits?acc_path=ocn/leeds/nobody",
     "account/history?acc_path=bob"],
)  # fmt: skip
def test_a_member_account_is_never_shown_and_a_missing_one_looks_the_same(leeds, route):
    answer = leeds.trunk.call("GET", route)
    assert answer.status_code == 400
    assert conforms(answer, "errors")["errors"][0]["message"] == "a neighbour may read only its own account here"


@pytest.mark.parametrize("route", ["account", "account/limits", "account/history", "account/names"])
def test_the_account_routes_need_the_links_credentials(leeds, route):
    assert leeds.trunk.call("GET", route, head="0" * 32).status_code == 401
    assert leeds.trunk.call("GET", route, secret="another").status_code == 401


def test_names_are_listed_only_when_the_network_shares_them(leeds, open_account):
    refused = leeds.trunk.call("GET", "account/names")
    assert refused.status_code == 400 and conforms(refused, "errors")["errors"][0]["class"] == "PermissionViolation"
    other = open_account(leeds.network)
    other.cc_name = "bea"
    leeds.network.federation_share_names = True
    db.session.commit()
    listed = conforms(leeds.trunk.call("GET", "account/names"), "account_names")
    assert listed["data"] == ["ocn/leeds/bea", "ocn/leeds/bob"]
    assert leeds.trunk.call("GET", "account/names?acc_path=ocn/leeds/bo").get_json()["data"] == ["ocn/leeds/bob"]
    assert leeds.trunk.call("GET", "account/names?acc_path=b&limit=1").get_json()["data"] == ["ocn/leeds/bea"]
    assert leeds.trunk.call("GET", "account/names?acc_path=ocn/kirklees/e").get_json()["data"] == []
    assert leeds.trunk.call("GET", "account/names?acc_path=%25").get_json()["data"] == []  # no wildcard
    for bad in ("limit=0", "limit=51", "limit=x", "limit=%C2%B2"):
        assert leeds.trunk.call("GET", f"account/names?{bad}").status_code == 400


def test_admins_opt_in_by_the_api_and_the_federation_page(api, make_network, create_user, login, client):
    ann, outsider = create_user(), create_user()
    network = make_network(admin=ann)
    path = f"/networks/{network.id}/federation"
    assert api.patch(path, {"share_names": True}, user=outsider).status_code in (403, 404)
    assert network.federation_share_names is False
    changed = api.patch(path, {"node_name": "ocn", "share_names": True}, user=ann)
    assert changed.status_code == 200 and changed.get_json()["share_names"] is True
    login(ann)
    page = client.get(f"/credit/networks/{network.id}/federation")
    assert page.status_code == 200 and b'name="share_names"' in page.data and b"checked" in page.data
    client.post(f"/credit/networks/{network.id}/federation/sharing", data={})  # the box left unticked
    db.session.expire_all()
    assert db.session.get(type(network), network.id).federation_share_names is False
