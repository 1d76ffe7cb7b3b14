"""API.md "Mutual credit", to the letter: routes, statuses, error codes, bad input never a 500."""

import pytest

from platform6.credit import queries
from platform6.credit.models import PaymentRequest
from platform6.extensions import db
from platform6.timeutil import utcnow

CURRENCY = {"code": "KRK", "name": "Kirklees credit", "symbol": "K", "decimals": 2}


@pytest.fixture
def world(api, create_user, create_group):
    admin, alice, bob, stranger = create_user(), create_user(), create_user(), create_user()
    group = create_group(admin=admin, members=[alice, bob])
    network = api.post(
        "/networks", {"name": "Kirklees", "group_id": group.id, "currency": CURRENCY, "default_credit_limit": 10_000},
        user=admin,
    ).get_json()  # fmt: skip
    accounts = {}
    for name, person in (("alice", alice), ("bob", bob)):
        response = api.post(
            f"/networks/{network['id']}/accounts", {"holder": {"type": "user", "id": person.id}, "kind": "business"},
            user=admin,
        )  # fmt: skip
        assert response.status_code == 201, response.get_json()
        accounts[name] = response.get_json()
    return {"admin": admin, "alice": alice, "bob": bob, "stranger": stranger, "group": group,
            "network": network, **{f"{k}_account": v for k, v in accounts.items()}}  # fmt: skip


def pay(api, world, amount=100, user=None, headers=None, **extra):
    body = {"from_account_id": world["alice_account"]["id"], "to_account_id": world["bob_account"]["id"],
            "amount": amount, "description": "Veg box"} | extra  # fmt: skip
    return api.post("/transfers", body, user=user or world["alice"], headers=headers)


def test_create_network_answers_the_network_shape(world):
    network = world["network"]
    assert set(network) >= {"id", "name", "group_id", "parent_id", "currency", "default_credit_limit",
                            "default_debit_limit", "exchange_rate", "clearing_account_id"}  # fmt: skip
    assert network["currency"] == CURRENCY and network["exchange_rate"] == "1"
    assert network["default_debit_limit"] is None and network["parent_id"] is None


def test_only_group_admins_create_networks(api, world):
    body = {"name": "X", "group_id": world["group"].id, "currency": CURRENCY}
    assert api.post("/networks", body, user=world["alice"]).status_code == 403
    assert api.post("/networks", body).status_code == 401
    assert api.post("/networks", body | {"group_id": 10**9}, user=world["admin"]).status_code == 404


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "X", "group_id": "1", "currency": CURRENCY},
        {"name": "X", "group_id": 1, "currency": CURRENCY | {"decimals": 30}},
        {"name": "X", "group_id": 1, "currency": CURRENCY, "exchange_rate": "abc"},
        {"name": "X", "group_id": 1, "currency": CURRENCY, "default_credit_limit": -1},
        {"name": "X", "group_id": 1, "currency": CURRENCY, "default_credit_limit": 2**53},
        {"name": "", "group_id": 1, "currency": CURRENCY},
        [1, 2],
    ],
)
def test_bad_network_bodies_are_422(api, world, bad):
    if isinstance(bad, dict) and bad.get("group_id") == 1:
        bad["group_id"] = world["group"].id
    response = api.post("/networks", bad, user=world["admin"])
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == "validation_failed"


def test_not_json_is_400(api, world):
    response = api.post("/transfers", data="{", headers={"Content-Type": "application/json"}, user=world["alice"])
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"


def test_account_shape_and_visibility(api, world):
    account = world["alice_account"]
    assert set(account) >= {"id", "network_id", "holder", "kind", "balance", "credit_limit", "debit_limit", "status"}
    assert account["holder"] == {"type": "user", "id": world["alice"].id, "name": world["alice"].name}
    assert account["credit_limit"] == 10_000 and account["status"] == "active"
    path = f"/accounts/{account['id']}"
    assert api.get(path, user=world["alice"]).status_code == 200
    assert api.get(path, user=world["admin"]).status_code == 200
    for outsider in (world["bob"], world["stranger"]):
        response = api.get(path, user=outsider)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_one_account_per_holder_per_network(api, world):
    body = {"holder": {"type": "user", "id": world["alice"].id}, "kind": "individual"}
    response = api.post(f"/networks/{world['network']['id']}/accounts", body, user=world["admin"])
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "conflict"


def test_sole_trader_accounts_have_credit_limit_zero(api, world, create_user):
    url = f"/networks/{world['network']['id']}/accounts"
    trader = create_user()
    refused = api.post(url, {"holder": {"type": "user", "id": trader.id}, "kind": "sole_trader", "credit_limit": 5},
                       user=world["admin"])  # fmt: skip
    assert refused.status_code == 422
    made = api.post(url, {"holder": {"type": "user", "id": trader.id}, "kind": "sole_trader"}, user=world["admin"])
    assert made.status_code == 201 and made.get_json()["credit_limit"] == 0
    patch = api.patch(f"/accounts/{made.get_json()['id']}", {"credit_limit": 100}, user=world["admin"])
    assert patch.status_code == 422


def test_patch_account_is_for_network_admins(api, world):
    path = f"/accounts/{world['alice_account']['id']}"
    assert api.patch(path, {"credit_limit": 5}, user=world["alice"]).status_code == 403
    assert api.patch(path, {"credit_limit": 5}, user=world["bob"]).status_code == 404
    response = api.patch(path, {"credit_limit": 500, "debit_limit": 900, "status": "frozen"}, user=world["admin"])
    assert response.status_code == 200
    assert {k: response.get_json()[k] for k in ("credit_limit", "debit_limit", "status")} == {
        "credit_limit": 500, "debit_limit": 900, "status": "frozen"}  # fmt: skip
    assert api.patch(path, {"debit_limit": None}, user=world["admin"]).get_json()["debit_limit"] is None
    assert api.patch(path, {"status": "gone"}, user=world["admin"]).status_code == 422
    assert api.patch(path, {"credit_limit": -1}, user=world["admin"]).status_code == 422


def test_a_transfer_answers_201_with_its_legs(api, world):
    response = pay(api, world, 250)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) >= {"id", "from_account_id", "to_account_id", "amount", "description", "state", "created_at",
                         "legs"}  # fmt: skip
    assert body["state"] == "completed" and body["amount"] == 250 and len(body["legs"]) == 1
    alice = api.get(f"/accounts/{world['alice_account']['id']}", user=world["alice"]).get_json()
    assert alice["balance"] == -250


@pytest.mark.parametrize("amount", [0, -1, 1.5, "10", None, 2**53, True])
def test_amounts_other_than_positive_integers_are_422(api, world, amount):
    response = pay(api, world, amount)
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "validation_failed"


def test_refusals_have_their_codes_and_write_nothing(api, world):
    too_much = pay(api, world, 10_001)
    assert too_much.status_code == 422 and too_much.get_json()["error"]["code"] == "insufficient_credit"
    api.patch(f"/accounts/{world['bob_account']['id']}", {"debit_limit": 50}, user=world["admin"])
    over = pay(api, world, 51)
    assert over.status_code == 422 and over.get_json()["error"]["code"] == "over_debit_limit"
    api.patch(f"/accounts/{world['bob_account']['id']}", {"status": "frozen"}, user=world["admin"])
    frozen = pay(api, world, 1)
    assert frozen.status_code == 409 and frozen.get_json()["error"]["code"] == "account_frozen"
    history = api.get(f"/accounts/{world['alice_account']['id']}/transfers", user=world["alice"]).get_json()
    assert history["items"] == []


def test_only_the_holder_pays(api, world):
    assert pay(api, world, user=world["bob"]).status_code == 404
    assert pay(api, world, user=world["admin"]).status_code == 403
    assert pay(api, world, to_account_id=10**9).status_code == 404
    assert pay(api, world, to_account_id=world["alice_account"]["id"]).status_code == 422


def test_idempotency_key_replays_with_200_and_refuses_another_body(api, world):
    first = pay(api, world, 100, headers={"Idempotency-Key": "abc"})
    again = pay(api, world, 100, headers={"Idempotency-Key": "abc"})
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    other = pay(api, world, 101, headers={"Idempotency-Key": "abc"})
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "conflict"
    balance = api.get(f"/accounts/{world['alice_account']['id']}", user=world["alice"]).get_json()["balance"]
    assert balance == -100
    assert pay(api, world, 100, headers={"Idempotency-Key": "x" * 300}).status_code == 422


def test_history_is_newest_first_with_running_balance(api, world):
    for amount in (100, 200, 300):
        pay(api, world, amount)
    path = f"/accounts/{world['alice_account']['id']}/transfers"
    page = api.get(f"{path}?limit=2", user=world["alice"]).get_json()
    assert [(i["amount"], i["entry_amount"], i["balance_after"]) for i in page["items"]] == [
        (300, -300, -600), (200, -200, -300)]  # fmt: skip
    rest = api.get(f"{path}?limit=2&cursor={page['next']}", user=world["alice"]).get_json()
    assert [i["balance_after"] for i in rest["items"]] == [-100] and rest["next"] is None
    assert api.get(f"{path}?cursor=garbage", user=world["alice"]).status_code == 422
    assert api.get(path, user=world["admin"]).status_code == 200
    assert api.get(path, user=world["bob"]).status_code == 404


def test_statement_csv(api, world):
    pay(api, world, 1_250)
    today = utcnow().date().isoformat()
    response = api.get(f"/accounts/{world['bob_account']['id']}/statement.csv?from={today}&to={today}",
                       user=world["bob"])  # fmt: skip
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).strip().splitlines()
    assert lines[0] == "date,transfer_id,counterparty,description,amount_in,amount_out,balance"
    cells = lines[1].split(",")
    assert cells[0].endswith("Z") and cells[2] == world["alice"].name
    assert cells[3:] == ["Veg box", "12.50", "", "12.50"]
    empty = api.get(f"/accounts/{world['bob_account']['id']}/statement.csv?to=2000-01-01", user=world["bob"])
    assert len(empty.get_data(as_text=True).strip().splitlines()) == 1
    bad = api.get(f"/accounts/{world['bob_account']['id']}/statement.csv?from=yesterday", user=world["bob"])
    assert bad.status_code == 422


def test_reverse(api, world):
    made = pay(api, world, 400).get_json()
    path = f"/transfers/{made['id']}/reverse"
    assert api.post(path, {"reason": "typo"}, user=world["alice"]).status_code == 403
    assert api.post(path, {"reason": "typo"}, user=world["stranger"]).status_code == 404
    assert api.post(path, {}, user=world["admin"]).status_code == 422
    reversal = api.post(path, {"reason": "typo"}, user=world["admin"])
    assert reversal.status_code == 201
    body = reversal.get_json()
    assert body["from_account_id"] == made["to_account_id"] and body["legs"][0]["amount"] == 400
    assert api.post(path, {"reason": "again"}, user=world["admin"]).status_code == 409
    assert api.post(f"/transfers/{body['id']}/reverse", {"reason": "x"}, user=world["admin"]).status_code == 409
    original = api.get(f"/transfers/{made['id']}", user=world["alice"]).get_json()
    assert original["state"] == "reversed"
    assert api.post("/transfers/999999/reverse", {"reason": "x"}, user=world["admin"]).status_code == 404


def test_payment_requests_accept_and_decline(api, world):
    body = {"from_account_id": world["alice_account"]["id"], "to_account_id": world["bob_account"]["id"],
            "amount": 300, "description": "Invoice 7"}  # fmt: skip
    assert api.post("/payment-requests", body, user=world["alice"]).status_code == 404  # alice can't see bob's
    made = api.post("/payment-requests", body, user=world["bob"])
    assert made.status_code == 201 and made.get_json()["state"] == "pending"
    request_id = made.get_json()["id"]
    assert api.post(f"/payment-requests/{request_id}/accept", user=world["bob"]).status_code == 403
    assert api.post(f"/payment-requests/{request_id}/accept", user=world["stranger"]).status_code == 404
    accepted = api.post(f"/payment-requests/{request_id}/accept", user=world["alice"])
    assert accepted.status_code == 200
    assert accepted.get_json()["state"] == "accepted" and accepted.get_json()["transfer_id"]
    assert api.post(f"/payment-requests/{request_id}/decline", user=world["alice"]).status_code == 409
    second = api.post("/payment-requests", body, user=world["bob"]).get_json()
    declined = api.post(f"/payment-requests/{second['id']}/decline", user=world["alice"])
    assert declined.status_code == 200 and declined.get_json()["state"] == "declined"
    listed = api.get("/payment-requests?direction=in", user=world["alice"]).get_json()["items"]
    assert [r["id"] for r in listed] == [second["id"], request_id]


def test_a_refused_accept_answers_the_payment_error_and_stays_pending(api, world):
    body = {"from_account_id": world["alice_account"]["id"], "to_account_id": world["bob_account"]["id"],
            "amount": 20_000, "description": "Too much"}  # fmt: skip
    made = api.post("/payment-requests", body, user=world["bob"]).get_json()
    refused = api.post(f"/payment-requests/{made['id']}/accept", user=world["alice"])
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "insufficient_credit"
    assert db.session.get(PaymentRequest, made["id"]).state == "pending"


def test_expired_requests_cannot_be_accepted(api, world):
    from platform6.credit.jobs import expire_payment_requests

    body = {"from_account_id": world["alice_account"]["id"], "to_account_id": world["bob_account"]["id"],
            "amount": 10, "description": "Old"}  # fmt: skip
    made = api.post("/payment-requests", body | {"expires_in_days": 1}, user=world["bob"]).get_json()
    stored = db.session.get(PaymentRequest, made["id"])
    stored.expires_at = utcnow()
    db.session.commit()
    assert api.post(f"/payment-requests/{made['id']}/accept", user=world["alice"]).status_code == 409
    expire_payment_requests()
    db.session.commit()
    assert db.session.get(PaymentRequest, made["id"]).state == "expired"


def test_payment_notifications(api, world):
    pay(api, world, 100)
    kinds = [n["kind"] for n in api.get("/notifications", user=world["bob"]).get_json()["items"]]
    assert "payment_received" in kinds
    body = {"from_account_id": world["alice_account"]["id"], "to_account_id": world["bob_account"]["id"],
            "amount": 10, "description": "x"}  # fmt: skip
    api.post("/payment-requests", body, user=world["bob"])
    kinds = [n["kind"] for n in api.get("/notifications", user=world["alice"]).get_json()["items"]]
    assert "payment_request" in kinds


def test_stats(api, world):
    pay(api, world, 100)
    pay(api, world, 50)
    stats = api.get(f"/networks/{world['network']['id']}/stats", user=world["alice"]).get_json()
    assert stats == {"accounts_count": 2, "transfers_count": 2, "volume": 150, "volume_30d": 150,
                     "money_supply": 150, "balance_sum": 0, "velocity_30d": 1.0} | {
        k: v for k, v in stats.items() if k not in {"accounts_count", "transfers_count", "volume", "volume_30d",
                                                    "money_supply", "balance_sum", "velocity_30d"}}  # fmt: skip
    assert api.get(f"/networks/{world['network']['id']}/stats", user=world["stranger"]).status_code == 404


def test_networks_of_networks_over_the_api(api, world, create_group):
    admin = world["admin"]
    local_group = create_group(admin=admin)
    child = api.post("/networks", {"name": "Local", "group_id": local_group.id, "currency": CURRENCY,
                                   "parent_id": world["network"]["id"], "exchange_rate": "2"}, user=admin)  # fmt: skip
    assert child.status_code == 201
    child = child.get_json()
    assert child["clearing_account_id"] and child["settlement_account_id"] and child["exchange_rate"] == "2"
    clearing = api.get(f"/accounts/{child['clearing_account_id']}", user=admin).get_json()
    assert clearing["network_id"] == world["network"]["id"] and clearing["holder"]["id"] == local_group.id
    not_admin = api.post("/networks", {"name": "L2", "group_id": create_group(admin=world["alice"]).id,
                                       "currency": CURRENCY, "parent_id": world["network"]["id"]},
                         user=world["alice"])  # fmt: skip
    assert not_admin.status_code == 403
    assert queries.ledger_violations() == []


def test_no_route_is_422(api, world, create_group):
    other_group = create_group(admin=world["alice"])
    other = api.post("/networks", {"name": "Elsewhere", "group_id": other_group.id, "currency": CURRENCY},
                     user=world["alice"]).get_json()  # fmt: skip
    account = api.post(f"/networks/{other['id']}/accounts", {"holder": {"type": "user", "id": world["alice"].id},
                       "kind": "individual"}, user=world["alice"]).get_json()  # fmt: skip
    response = pay(api, world, 1, from_account_id=account["id"])
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "no_route"


JUNK = [
    b"",
    b"{not json",
    b"[]",
    b"null",
    b'{"amount": 1.5, "from_account_id": "1", "to_account_id": 99999999999999999999, "holder": []}',
    b'{"amount": 9007199254740991, "from_account_id": 1, "to_account_id": 2, "description": null}',
    b'{"credit_limit": null, "debit_limit": -1, "status": 5, "warning_percent": 0, "reason": ""}',
    b'{"name": "N", "group_id": 1, "currency": {"code": "", "name": "x", "decimals": -1}, "parent_id": 1,'
    b' "exchange_rate": "1e999999", "clearing_holder": {"type": "group", "id": 999}}',
    b'{"holder": {"type": "user", "id": 1}, "kind": "sole_trader", "credit_limit": 9007199254740992}',
]


def test_no_junk_to_a_credit_route_gives_a_500(app, api, world):
    pay(api, world, 100)
    token = api.token(world["admin"])
    alice_token = api.token(world["alice"])
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("credit_api.")]
    for rule in rules:
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            for ident in ("1",):
                path = rule.rule.replace("<int:network_id>", ident).replace("<int:account_id>", ident)
                path = path.replace("<int:transfer_id>", ident).replace("<int:request_id>", ident)
                for i, body in enumerate(JUNK):
                    query = ("", "?cursor=%%%&limit=0&from=x&to=2026-13-01&direction=sideways&q=%00")[i % 2]
                    response = api.client.open(
                        path + query,
                        method=method,
                        data=body,
                        headers={"Authorization": f"Bearer {(token, alice_token)[i % 2]}",
                                 "Content-Type": "application/json", "Idempotency-Key": "k" * (1 + 300 * (i % 2))},
                    )  # fmt: skip
                    assert response.status_code < 500, (method, path, query, body, response.get_data())


def test_patch_network_defaults_by_kind(api, world, create_user):
    path = f"/networks/{world['network']['id']}"
    assert api.patch(path, {"default_credit_limit": 1}, user=world["alice"]).status_code == 403
    assert api.patch(path, {"kind_credit_limits": {"sole_trader": 5}}, user=world["admin"]).status_code == 422
    changed = api.patch(path, {"kind_credit_limits": {"employee": 2_000}}, user=world["admin"])
    assert changed.status_code == 200
    body = changed.get_json()
    assert body["kind_credit_limits"] == {"employee": 2_000} and body["default_credit_limit"] == 10_000
    worker = create_user()
    made = api.post(f"{path}/accounts", {"holder": {"type": "user", "id": worker.id}, "kind": "employee"},
                    user=world["admin"])  # fmt: skip
    assert made.get_json()["credit_limit"] == 2_000


def test_a_payment_or_payment_request_needs_a_description_as_api_md_writes_the_body(api, world):
    body = {"from_account_id": world["alice_account"]["id"], "to_account_id": world["bob_account"]["id"], "amount": 5}
    for path, user in (("/transfers", world["alice"]), ("/payment-requests", world["bob"])):
        missing = api.post(path, body, user=user)
        assert missing.status_code == 422 and "description" in missing.get_json()["error"]["fields"]
        assert api.post(path, body | {"description": ""}, user=user).status_code == 201
    assert queries.account_by_id(world["alice_account"]["id"]).balance == -5


def test_an_account_opening_that_races_past_the_check_still_answers_409(api, world, monkeypatch):
    """Two admins open one holder's account at once: the unique holder per network decides; the loser gets 409."""
    from platform6.credit import networks

    monkeypatch.setattr(networks, "_existing", lambda *args: None)  # as if the other opening had not committed yet
    body = {"holder": {"type": "user", "id": world["alice"].id}, "kind": "individual"}
    response = api.post(f"/networks/{world['network']['id']}/accounts", body, user=world["admin"])
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "conflict"
