"""API.md "Network fees": transfer fees in the payment's own transaction, periodic fees charged once."""

import threading
from datetime import datetime

import pytest

from platform6.credit import jobs, periodic_fees, queries, service
from platform6.credit.models import Account, FeeCharge, Leg, Transfer
from platform6.errors import Forbidden, RuleViolation
from platform6.extensions import db
from platform6.transaction import unit_of_work
from tests.conftest import make_app

CURRENCY = {"code": "KRK", "name": "Kirklees credit", "symbol": "£", "decimals": 2}
#: 1% plus 3p, at least 5p, at most £2
TRANSFER_FEE = {"basis_points": 100, "fixed": 3, "min": 5, "max": 200, "paid_by": "payer"}


@pytest.fixture
def world(api, create_user, create_group):
    admin, alice, bob = create_user(), create_user(), create_user()
    group = create_group(admin=admin, members=[alice, bob])
    network = api.post(
        "/networks", {"name": "Kirklees", "group_id": group.id, "currency": CURRENCY}, user=admin
    ).get_json()
    accounts = {}
    for name, person, kind in (("alice", alice, "business"), ("bob", bob, "individual")):
        response = api.post(
            f"/networks/{network['id']}/accounts",
            {"holder": {"type": "user", "id": person.id}, "kind": kind, "credit_limit": 5_000},
            user=admin,
        )
        accounts[name] = response.get_json()
    return {"admin": admin, "alice": alice, "bob": bob, "group": group, "network": network,
            "alice_id": accounts["alice"]["id"], "bob_id": accounts["bob"]["id"]}  # fmt: skip


def set_fees(api, world, fees, user=None):
    return api.patch(f"/networks/{world['network']['id']}", {"fees": fees}, user=user or world["admin"])


def pay(api, world, amount, user=None, frm="alice", to="bob"):
    body = {"from_account_id": world[f"{frm}_id"], "to_account_id": world[f"{to}_id"], "amount": amount,
            "description": "Veg box"}  # fmt: skip
    return api.post("/transfers", body, user=user or world[frm])


def balance(account_id: int) -> int:
    return db.session.get(Account, account_id).balance


def network_sum(network_id: int) -> int:
    return sum(a.balance for a in db.session.query(Account).filter_by(network_id=network_id))


def test_admins_set_fees_and_the_operations_account_opens(api, world):
    before = api.get(f"/networks/{world['network']['id']}", user=world["admin"]).get_json()
    assert before["fees"] == {"transfer": None, "periodic": []} and before["operations_account_id"] is None
    fees = {"transfer": TRANSFER_FEE, "periodic": [{"kind": "business", "amount": 500, "every": "month"}]}
    response = set_fees(api, world, fees)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["fees"] == fees and body["operations_account_id"]
    operations = db.session.get(Account, body["operations_account_id"])
    assert (operations.holder_type, operations.holder_id) == ("group", world["group"].id)
    assert operations.purpose == "operations" and operations.network_id == world["network"]["id"]
    # setting them again keeps the same account
    again = set_fees(api, world, {"transfer": None, "periodic": []}).get_json()
    assert again["operations_account_id"] == body["operations_account_id"] and again["fees"]["transfer"] is None


@pytest.mark.parametrize(
    "fees, field",
    [
        ([], None),
        ({"transfer": {"basis_points": -1, "fixed": 0, "paid_by": "payer"}}, "fees.transfer.basis_points"),
        ({"transfer": {"basis_points": 10_001, "fixed": 0, "paid_by": "payer"}}, "fees.transfer.basis_points"),
        ({"transfer": {"basis_points": 1, "fixed": 1.5, "paid_by": "payer"}}, "fees.transfer.fixed"),
        ({"transfer": {"basis_points": 1, "fixed": 0, "paid_by": "bank"}}, "fees.transfer.paid_by"),
        ({"transfer": {"basis_points": 1, "fixed": 0}}, "fees.transfer.paid_by"),
        ({"transfer": {"basis_points": 1, "fixed": 0, "paid_by": "payer", "min": 9, "max": 3}}, "fees.transfer.max"),
        ({"transfer": {"basis_points": 1, "fixed": 2**53, "paid_by": "payer"}}, "fees.transfer.fixed"),
        ({"transfer": {"basis_points": True, "fixed": 0, "paid_by": "payer"}}, "fees.transfer.basis_points"),
        ({"periodic": [{"kind": "dragon", "amount": 1, "every": "month"}]}, "fees.periodic.0.kind"),
        ({"periodic": [{"kind": "business", "amount": 0, "every": "month"}]}, "fees.periodic.0.amount"),
        ({"periodic": [{"kind": "business", "amount": 1, "every": "week"}]}, "fees.periodic.0.every"),
        ({"periodic": [{"kind": "business", "amount": 1}]}, "fees.periodic.0"),
        ({"periodic": [{"kind": "business", "amount": 1, "every": "year"}] * 2}, "fees.periodic.1.kind"),
        ({"surprise": 1}, "fees"),
    ],
)
def test_bad_fees_are_422_and_change_nothing(api, world, fees, field):
    response = set_fees(api, world, fees)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    if field:
        assert field in error["fields"]
    network = api.get(f"/networks/{world['network']['id']}", user=world["admin"]).get_json()
    assert network["fees"] == {"transfer": None, "periodic": []} and network["operations_account_id"] is None


def test_only_network_admins_set_fees(api, world):
    assert set_fees(api, world, {"transfer": TRANSFER_FEE}, user=world["alice"]).status_code == 403


def test_transfer_fee_moves_in_the_same_transfer_and_balances_sum_to_zero(api, world):
    operations_id = set_fees(api, world, {"transfer": TRANSFER_FEE}).get_json()["operations_account_id"]
    response = pay(api, world, 1_250)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    # 1% of 1250 is 12.5, rounded half up to 13, plus 3
    assert body["fees"] == [{"account_id": world["alice_id"], "amount": 16}]
    assert body["amount"] == 1_250 and len(body["legs"]) == 2
    assert body["legs"][1] == {"network_id": world["network"]["id"], "from_account_id": world["alice_id"],
                               "to_account_id": operations_id, "amount": 16}  # fmt: skip
    assert balance(world["alice_id"]) == -1_266 and balance(world["bob_id"]) == 1_250 and balance(operations_id) == 16
    assert network_sum(world["network"]["id"]) == 0
    assert db.session.query(Transfer).count() == 1
    assert queries.ledger_violations() == []


def test_min_and_max_bound_the_fee(api, world):
    set_fees(api, world, {"transfer": TRANSFER_FEE})
    assert pay(api, world, 1).get_json()["fees"][0]["amount"] == 5
    assert pay(api, world, 900).get_json()["fees"][0]["amount"] == 12
    assert service.transfer_fee({"transfer": TRANSFER_FEE | {"min": None, "max": None}}, 10**6) == 10_003
    assert service.transfer_fee({"transfer": TRANSFER_FEE}, 10**6) == 200


def test_the_payer_must_afford_amount_plus_fee(api, world):
    operations_id = set_fees(api, world, {"transfer": TRANSFER_FEE}).get_json()["operations_account_id"]
    # the limit is 5000: 4990 alone fits, 4990 + its fee (50 + 3) does not
    response = pay(api, world, 4_990)
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "insufficient_credit"
    assert balance(world["alice_id"]) == 0 and balance(operations_id) == 0
    assert db.session.query(Transfer).count() == 0
    assert pay(api, world, 4_900).status_code == 201  # 4900 + 52
    assert balance(world["alice_id"]) == -4_952


def test_a_fee_paid_by_the_payee(api, world):
    operations_id = set_fees(api, world, {"transfer": TRANSFER_FEE | {"paid_by": "payee"}}).get_json()[
        "operations_account_id"
    ]
    body = pay(api, world, 1_000).get_json()
    assert body["fees"] == [{"account_id": world["bob_id"], "amount": 13}]
    assert balance(world["alice_id"]) == -1_000 and balance(world["bob_id"]) == 987 and balance(operations_id) == 13
    assert network_sum(world["network"]["id"]) == 0


def test_reversal_returns_the_fee(api, world):
    operations_id = set_fees(api, world, {"transfer": TRANSFER_FEE}).get_json()["operations_account_id"]
    paid = pay(api, world, 1_000).get_json()
    response = api.post(f"/transfers/{paid['id']}/reverse", {"reason": "Wrong box"}, user=world["admin"])
    assert response.status_code == 201, response.get_json()
    reversal = response.get_json()
    assert reversal["fees"] == [{"account_id": world["alice_id"], "amount": 13}]
    assert reversal["from_account_id"] == world["bob_id"] and reversal["amount"] == 1_000
    assert balance(world["alice_id"]) == 0 and balance(world["bob_id"]) == 0 and balance(operations_id) == 0
    assert queries.ledger_violations() == []


def test_no_fee_into_or_out_of_the_operations_account(api, world, create_user):
    operations_id = set_fees(api, world, {"transfer": TRANSFER_FEE}).get_json()["operations_account_id"]
    world["ops_id"] = operations_id
    response = pay(api, world, 100, to="ops")
    assert response.status_code == 201 and response.get_json()["fees"] == []


def test_quote_says_what_the_payer_pays(api, world):
    set_fees(api, world, {"transfer": TRANSFER_FEE})
    response = api.get(
        f"/fees/quote?from_account_id={world['alice_id']}&to_account_id={world['bob_id']}&amount=1250",
        user=world["alice"],
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"amount": 1_250, "fee": 16, "paid_by": "payer", "total": 1_266}
    hidden = api.get(
        f"/fees/quote?from_account_id={world['bob_id']}&to_account_id={world['alice_id']}&amount=1250",
        user=world["alice"],
    )
    assert hidden.status_code in (403, 404)


def test_stats_show_fee_income_and_the_operations_balance(api, world):
    set_fees(api, world, {"transfer": TRANSFER_FEE})
    pay(api, world, 1_000)
    stats = api.get(f"/networks/{world['network']['id']}/stats", user=world["admin"]).get_json()
    assert stats["operations_balance"] == 13 and stats["balance_sum"] == 0
    assert [m["amount"] for m in stats["fee_income_by_month"]] == [13]


# --- periodic fees -------------------------------------------------------------------------------

DECEMBER = datetime(2026, 12, 4, 12, 0)
PERIODIC = [
    {"kind": "business", "amount": 500, "every": "month"},
    {"kind": "individual", "amount": 6_000, "every": "year"},
]


def test_periodic_fees_are_charged_once_per_period_even_past_the_limit(api, world):
    operations_id = set_fees(api, world, {"periodic": PERIODIC}).get_json()["operations_account_id"]
    made = jobs.charge_periodic_fees(now=DECEMBER)
    assert len(made) == 2
    assert jobs.charge_periodic_fees(now=DECEMBER) == []  # a repeat (a restart) charges nothing
    descriptions = {t.description for t in db.session.query(Transfer)}
    assert descriptions == {"business fee 2026-12", "individual fee 2026"}
    # bob's limit is 5000: the yearly 6000 still goes through
    assert balance(world["alice_id"]) == -500 and balance(world["bob_id"]) == -6_000
    assert balance(operations_id) == 6_500 and network_sum(world["network"]["id"]) == 0
    assert len(jobs.charge_periodic_fees(now=datetime(2027, 1, 1))) == 2
    assert balance(world["alice_id"]) == -1_000 and balance(world["bob_id"]) == -12_000
    assert queries.ledger_violations() == []


def test_a_second_run_seeing_the_same_due_fees_charges_nothing(app, api, world):
    set_fees(api, world, {"periodic": PERIODIC})
    with unit_of_work(write=False):
        due = periodic_fees.due_fees(DECEMBER)
    for item in due:
        with unit_of_work():
            assert periodic_fees.charge(item, DECEMBER) is not None
    for item in due:  # a worker that listed them before the first one charged
        with unit_of_work():
            assert periodic_fees.charge(item, DECEMBER) is None
    assert db.session.query(FeeCharge).count() == 2 and db.session.query(Transfer).count() == 2


def test_two_workers_at_once_charge_once(app, api, world, database_url):
    if not database_url.startswith("postgres"):
        pytest.skip("two sessions writing at once: PostgreSQL (SQLite's write lock serialises them)")
    set_fees(api, world, {"periodic": PERIODIC})
    db.session.commit()
    db.session.remove()
    barrier, results = threading.Barrier(2), []
    # Each worker gets its own app, made here: building apps in two threads at once once hung CI.
    apps = [make_app(database_url) for _ in range(2)]

    def worker(other):
        with other.app_context():
            with unit_of_work(write=False):
                due = periodic_fees.due_fees(DECEMBER)
            barrier.wait(timeout=60)
            for item in due:
                with unit_of_work():
                    results.append(periodic_fees.charge(item, DECEMBER))
            db.engine.dispose()

    threads = [threading.Thread(target=worker, args=(other,)) for other in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(r is None for r in results) == [False, False, True, True]
    assert db.session.query(FeeCharge).count() == 2 and db.session.query(Transfer).count() == 2
    assert network_sum(world["network"]["id"]) == 0


def test_accounts_show_upcoming_and_past_fees(api, world):
    set_fees(api, world, {"transfer": TRANSFER_FEE, "periodic": PERIODIC})
    alice = db.session.get(Account, world["alice_id"])
    upcoming = service.upcoming_fees(alice, DECEMBER)
    assert [(u.amount, u.period, u.due_now) for u in upcoming] == [(500, "2026-12", True)]
    pay(api, world, 1_000)
    jobs.charge_periodic_fees(now=DECEMBER)
    alice = db.session.get(Account, world["alice_id"])
    assert [(u.period, u.due_now) for u in service.upcoming_fees(alice, DECEMBER)] == [("2027-01", False)]
    assert sorted(f.amount for f in service.past_fees(alice)) == [13, 500]


def test_fee_legs_are_flagged(api, world):
    set_fees(api, world, {"transfer": TRANSFER_FEE})
    pay(api, world, 1_000)
    assert [leg.fee for leg in db.session.query(Leg).order_by(Leg.position)] == [False, True]


def test_set_fees_checks_the_actor(world):
    network = queries.network_by_id(world["network"]["id"])
    with pytest.raises(Forbidden):
        service.set_fees(network=network, fees={"transfer": TRANSFER_FEE}, actor=world["alice"])
    with pytest.raises(RuleViolation):
        service.set_fees(network=network, fees={"transfer": {"basis_points": 1}}, actor=None)


# --- routed payments ----------------------------------------------------------------------------


@pytest.mark.parametrize("paid_by", ["payer", "payee"])
def test_a_routed_payment_pays_the_fee_of_the_network_where_it_starts(make_network, open_account, paid_by):
    admin = make_network().admin
    national = make_network(admin=admin, default_credit_limit=100_000)
    kirklees = make_network(admin=admin, parent=national, default_credit_limit=100_000)
    service.set_credit_limit(account_id=kirklees.clearing_account_id, credit_limit=50_000, actor=admin)
    service.set_fees(network=national, fees={"transfer": TRANSFER_FEE | {"max": None}}, actor=admin)
    service.set_fees(network=kirklees, fees={"transfer": TRANSFER_FEE | {"paid_by": paid_by}}, actor=admin)
    db.session.commit()
    payer, payee = open_account(kirklees), open_account(national)
    made = service.transfer(from_account_id=payer.id, to_account_id=payee.id, amount=1_000, description="", actor=None)
    db.session.commit()
    fee = [(leg.network_id, leg.from_account_id, leg.to_account_id, leg.amount) for leg in made.fee_legs]
    assert fee == [(kirklees.id, payer.id, kirklees.operations_account_id, 13)]  # Kirklees' fee, not national's
    routed = 1_000 if paid_by == "payer" else 987
    assert [leg.amount for leg in made.route_legs] == [routed, routed]
    assert db.session.get(Account, payer.id).balance == (-1_013 if paid_by == "payer" else -1_000)
    assert db.session.get(Account, payee.id).balance == routed
    assert db.session.get(Account, national.operations_account_id).balance == 0
    assert network_sum(kirklees.id) == 0 and network_sum(national.id) == 0
    service.reverse(transfer_id=made.id, reason="Test", actor=None)
    db.session.commit()
    assert db.session.get(Account, payer.id).balance == 0 and db.session.get(Account, payee.id).balance == 0
    assert db.session.get(Account, kirklees.operations_account_id).balance == 0
    assert queries.ledger_violations() == []
