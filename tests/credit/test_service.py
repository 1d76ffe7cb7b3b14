"""The credit service's rules: double entry, limits, sole traders, idempotency, holders, routing between networks."""

import pytest
from sqlalchemy import func, select

from platform6.credit import queries, service
from platform6.credit.models import Account, Entry, LimitChange, Transfer
from platform6.credit.schemas import transfer_json
from platform6.errors import Conflict, Forbidden, NotFound, RuleViolation
from platform6.extensions import db


def _counts():
    return (
        db.session.scalar(select(func.count(Transfer.id))),
        db.session.scalar(select(func.count(Entry.id))),
    )


def test_a_payment_moves_money_with_entries_summing_to_zero(make_network, open_account):
    network = make_network(default_credit_limit=10_000)
    alice, bob = open_account(network), open_account(network)
    made = service.transfer(
        from_account_id=alice.id, to_account_id=bob.id, amount=2_500, description="Bread", actor=alice.holder
    )
    db.session.commit()
    assert (alice.balance, bob.balance) == (-2_500, 2_500)
    entries = db.session.scalars(select(Entry).where(Entry.transfer_id == made.id)).all()
    assert sorted(e.amount for e in entries) == [-2_500, 2_500]
    assert queries.ledger_violations() == []
    body = transfer_json(queries.transfers_by_ids([made.id])[made.id])
    assert body["amount"] == 2_500 and body["state"] == "completed" and body["created_at"].endswith("Z")
    assert body["legs"] == [
        {"network_id": network.id, "from_account_id": alice.id, "to_account_id": bob.id, "amount": 2_500}
    ]


def test_a_payment_below_the_credit_limit_is_refused_and_writes_nothing(make_network, open_account):
    network = make_network(default_credit_limit=1_000)
    alice, bob = open_account(network), open_account(network)
    service.transfer(from_account_id=alice.id, to_account_id=bob.id, amount=1_000, description="", actor=None)
    db.session.commit()
    before = _counts()
    with pytest.raises(RuleViolation) as refused:
        service.transfer(from_account_id=alice.id, to_account_id=bob.id, amount=1, description="", actor=None)
    assert refused.value.code == "insufficient_credit"
    db.session.rollback()
    assert _counts() == before
    assert db.session.get(Account, alice.id).balance == -1_000


def test_the_debit_limit_caps_the_payee(make_network, open_account):
    network = make_network(default_credit_limit=10_000)
    alice, bob = open_account(network), open_account(network, debit_limit=500)
    with pytest.raises(RuleViolation) as refused:
        service.transfer(from_account_id=alice.id, to_account_id=bob.id, amount=501, description="", actor=None)
    assert refused.value.code == "over_debit_limit"
    db.session.rollback()
    service.transfer(from_account_id=alice.id, to_account_id=bob.id, amount=500, description="", actor=None)


def test_sole_traders_never_go_below_zero(make_network, open_account):
    network = make_network(default_credit_limit=10_000)
    trader, other = open_account(network, kind="sole_trader"), open_account(network)
    assert trader.credit_limit == 0
    with pytest.raises(RuleViolation):
        service.set_credit_limit(account_id=trader.id, credit_limit=100, actor=None)
    with pytest.raises(RuleViolation) as refused:
        service.transfer(from_account_id=trader.id, to_account_id=other.id, amount=1, description="", actor=None)
    assert refused.value.code == "insufficient_credit"
    db.session.rollback()
    with pytest.raises(RuleViolation):
        open_account(network, kind="sole_trader", credit_limit=5)


def test_frozen_accounts_neither_pay_nor_are_paid(make_network, open_account):
    network = make_network(default_credit_limit=10_000)
    alice, bob = open_account(network), open_account(network)
    service.set_status(account_id=bob.id, status="frozen", actor=network.admin)
    db.session.commit()
    for payer, payee in ((alice, bob), (bob, alice)):
        with pytest.raises(Conflict) as refused:
            service.transfer(from_account_id=payer.id, to_account_id=payee.id, amount=1, description="", actor=None)
        assert refused.value.code == "account_frozen"
        db.session.rollback()


def test_amounts_must_be_positive_integers(make_network, open_account):
    network = make_network()
    alice, bob = open_account(network), open_account(network)
    for amount in (0, -5, 1.5, True, 2**53):
        with pytest.raises(RuleViolation) as refused:
            service.transfer(from_account_id=alice.id, to_account_id=bob.id, amount=amount, description="", actor=None)
        assert refused.value.code == "validation_failed"


def test_only_the_holder_spends_and_others_do_not_see_the_account(make_network, open_account, create_user):
    network = make_network(default_credit_limit=1_000)
    alice, bob = open_account(network), open_account(network)
    stranger = create_user()
    with pytest.raises(NotFound):
        service.transfer(from_account_id=alice.id, to_account_id=bob.id, amount=1, description="", actor=stranger)
    with pytest.raises(NotFound):
        service.transfer(from_account_id=alice.id, to_account_id=bob.id, amount=1, description="", actor=bob.holder)
    with pytest.raises(Forbidden):  # the network's admin sees every account but spends from none
        service.transfer(from_account_id=alice.id, to_account_id=bob.id, amount=1, description="", actor=network.admin)
    assert queries.can_see_account(network.admin, alice) and not queries.controls_account(network.admin, alice)
    assert not queries.can_see_account(stranger, alice)


def test_admins_of_a_holding_group_spend_from_its_account(make_network, open_account, create_group, create_user):
    network = make_network(default_credit_limit=1_000)
    treasurer, member = create_user(), create_user()
    coop = create_group(admin=treasurer, members=[member])
    coop_account, bob = open_account(network, group=coop), open_account(network)
    assert queries.controls_account(treasurer, coop_account) and not queries.controls_account(member, coop_account)
    service.transfer(from_account_id=coop_account.id, to_account_id=bob.id, amount=5, description="", actor=treasurer)
    with pytest.raises(NotFound):
        service.transfer(from_account_id=coop_account.id, to_account_id=bob.id, amount=5, description="", actor=member)


def test_an_idempotency_key_moves_money_once_and_refuses_another_body(make_network, open_account):
    network = make_network(default_credit_limit=1_000)
    alice, bob = open_account(network), open_account(network)
    args = dict(from_account_id=alice.id, to_account_id=bob.id, amount=100, description="x", actor=alice.holder)
    first, moved = service.pay(**args, idempotency_key="k1")
    db.session.commit()
    again, moved_again = service.pay(**args, idempotency_key="k1")
    assert moved and not moved_again and again.id == first.id
    assert db.session.get(Account, alice.id).balance == -100
    with pytest.raises(Conflict):
        service.pay(**(args | {"amount": 101}), idempotency_key="k1")


def test_limits_are_set_by_admins_or_decisions_and_kept_in_history(make_network, open_account):
    network = make_network()
    alice = open_account(network)
    with pytest.raises(NotFound):
        service.set_credit_limit(account_id=alice.id, credit_limit=5, actor=open_account(network).holder)
    with pytest.raises(Forbidden):
        service.set_credit_limit(account_id=alice.id, credit_limit=5, actor=alice.holder)
    service.set_credit_limit(account_id=alice.id, credit_limit=5_000, actor=network.admin)
    service.set_debit_limit(account_id=alice.id, debit_limit=9_000, actor=None, source="poll:12")
    service.set_debit_limit(account_id=alice.id, debit_limit=None, actor=None, source="poll:13")
    db.session.commit()
    assert (alice.credit_limit, alice.debit_limit) == (5_000, None)
    history = db.session.scalars(select(LimitChange).order_by(LimitChange.id)).all()
    assert [(h.field, h.new_value, h.source) for h in history] == [
        ("credit_limit", 5_000, None),
        ("debit_limit", 9_000, "poll:12"),
        ("debit_limit", None, "poll:13"),
    ]


def test_interface_queries(make_network, open_account, create_group):
    network = make_network()
    alice = open_account(network)
    assert queries.account_by_id(alice.id) is alice and queries.account_by_id(10**9) is None
    assert queries.governing_group_id(alice.id) == network.group_id
    assert queries.account_for_holder(network_id=network.id, holder_type="user", holder_id=alice.holder.id) is alice
    assert queries.account_for_holder(network_id=network.id, holder_type="group", holder_id=1) is None


def _tree(make_network, create_group, rate="1", decimals=2):
    admin = make_network().admin
    national = make_network(admin=admin, default_credit_limit=100_000)
    kirklees = make_network(admin=admin, parent=national, default_credit_limit=100_000)
    leeds = make_network(admin=admin, parent=national, exchange_rate=rate, decimals=decimals,
                         default_credit_limit=100_000)  # fmt: skip
    for child in (kirklees, leeds):
        service.set_credit_limit(account_id=child.clearing_account_id, credit_limit=50_000, actor=admin)
    db.session.commit()
    return national, kirklees, leeds


def test_a_payment_to_the_parent_network_has_two_legs(make_network, open_account, create_group):
    national, kirklees, _ = _tree(make_network, create_group)
    payer, payee = open_account(kirklees), open_account(national)
    made = service.transfer(from_account_id=payer.id, to_account_id=payee.id, amount=700, description="", actor=None)
    db.session.commit()
    assert [(leg.network_id, leg.from_account_id, leg.to_account_id, leg.amount) for leg in made.legs] == [
        (kirklees.id, payer.id, kirklees.settlement_account_id, 700),
        (national.id, kirklees.clearing_account_id, payee.id, 700),
    ]
    clearing = db.session.get(Account, kirklees.clearing_account_id)
    settlement = db.session.get(Account, kirklees.settlement_account_id)
    assert (clearing.balance, settlement.balance, payee.balance) == (-700, 700, 700)
    assert queries.ledger_violations() == []


def test_a_payment_to_a_sibling_network_has_three_legs_converted_half_even(make_network, open_account, create_group):
    national, kirklees, leeds = _tree(make_network, create_group, rate="0.5", decimals=0)
    payer, payee = open_account(kirklees), open_account(leeds)
    made = service.transfer(from_account_id=payer.id, to_account_id=payee.id, amount=250, description="", actor=None)
    db.session.commit()
    # 2.50 in Kirklees = 2.50 national = 5 Leeds units (0.5 national per Leeds unit)
    assert [leg.amount for leg in made.legs] == [250, 250, 5]
    assert [leg.network_id for leg in made.legs] == [kirklees.id, national.id, leeds.id]
    back = service.transfer(from_account_id=payee.id, to_account_id=payer.id, amount=1, description="", actor=None)
    assert [leg.amount for leg in back.legs] == [1, 50, 50]
    with pytest.raises(RuleViolation) as tiny:
        service.transfer(from_account_id=payer.id, to_account_id=payee.id, amount=25, description="", actor=None)
    assert tiny.value.code == "validation_failed"  # 0.25 national is half a Leeds unit: rounds (half-even) to 0
    db.session.rollback()
    assert queries.ledger_violations() == []


def test_every_leg_is_checked_and_a_refused_leg_writes_nothing(make_network, open_account, create_group):
    national, kirklees, _ = _tree(make_network, create_group)
    payer, payee = open_account(kirklees, credit_limit=90_000), open_account(national)
    before = _counts()
    with pytest.raises(RuleViolation) as refused:  # the clearing account may owe only 50,000
        service.transfer(from_account_id=payer.id, to_account_id=payee.id, amount=60_000, description="", actor=None)
    assert refused.value.code == "insufficient_credit"
    db.session.rollback()
    assert _counts() == before
    assert db.session.get(Account, kirklees.settlement_account_id).balance == 0


def test_networks_of_different_trees_have_no_route(make_network, open_account):
    one, two = make_network(default_credit_limit=100), make_network(default_credit_limit=100)
    with pytest.raises(RuleViolation) as refused:
        service.transfer(
            from_account_id=open_account(one).id, to_account_id=open_account(two).id, amount=1, description="",
            actor=None,
        )  # fmt: skip
    assert refused.value.code == "no_route"


def test_clearing_and_settlement_accounts_are_not_paid_directly(make_network, open_account, create_group):
    national, kirklees, _ = _tree(make_network, create_group)
    payer = open_account(national)
    for target in (kirklees.clearing_account_id, kirklees.settlement_account_id):
        with pytest.raises(RuleViolation):
            service.transfer(from_account_id=payer.id, to_account_id=target, amount=1, description="", actor=None)


def test_an_employee_network_is_backed_by_the_employer(make_network, open_account, create_group, create_user):
    admin = create_user()
    b2b = make_network(admin=admin, default_credit_limit=100_000)
    employer = create_group(admin=admin, name="Valley Bakery")
    staff = make_network(admin=admin, parent=b2b, clearing_holder=("group", employer.id))
    clearing = db.session.get(Account, staff.clearing_account_id)
    assert (clearing.holder_type, clearing.holder_id, clearing.kind) == ("group", employer.id, "business")
    business = open_account(b2b, group=employer)
    employee, shop = open_account(staff, kind="employee"), open_account(b2b)
    wage = service.transfer(from_account_id=business.id, to_account_id=employee.id, amount=3_000, description="wage",
                            actor=admin)  # fmt: skip
    assert [leg.to_account_id for leg in wage.legs] == [staff.clearing_account_id, employee.id]
    spend = service.transfer(from_account_id=employee.id, to_account_id=shop.id, amount=1_000, description="",
                             actor=employee.holder)  # fmt: skip
    assert len(spend.legs) == 2 and db.session.get(Account, staff.clearing_account_id).balance == 2_000
    db.session.commit()
    assert queries.ledger_violations() == []


def test_reversal_replays_the_legs_backwards_once(make_network, open_account, create_group):
    national, kirklees, _ = _tree(make_network, create_group)
    payer, payee = open_account(kirklees), open_account(national)
    made = service.transfer(from_account_id=payer.id, to_account_id=payee.id, amount=300, description="", actor=None)
    db.session.commit()
    with pytest.raises(Forbidden):
        service.reverse(transfer_id=made.id, reason="oops", actor=payer.holder)
    reversal = service.reverse(transfer_id=made.id, reason="typo", actor=national.admin)
    db.session.commit()
    assert made.state == "reversed" and reversal.reverses_id == made.id
    assert [(leg.from_account_id, leg.to_account_id) for leg in reversal.legs] == [
        (payee.id, kirklees.clearing_account_id),
        (kirklees.settlement_account_id, payer.id),
    ]
    assert (db.session.get(Account, payer.id).balance, db.session.get(Account, payee.id).balance) == (0, 0)
    for target in (made.id, reversal.id):
        with pytest.raises(Conflict):
            service.reverse(transfer_id=target, reason="again", actor=national.admin)
    assert queries.ledger_violations() == []


def test_verify_finds_a_history_edited_behind_the_application(make_network, open_account):
    network = make_network(default_credit_limit=1_000)
    alice, bob = open_account(network), open_account(network)
    for amount in (100, 200):
        service.transfer(from_account_id=alice.id, to_account_id=bob.id, amount=amount, description="", actor=None)
    db.session.commit()
    assert queries.ledger_violations() == []
    first = db.session.scalar(select(Entry).where(Entry.account_id == bob.id).order_by(Entry.id))
    db.session.execute(Entry.__table__.update().where(Entry.__table__.c.id == first.id).values(amount=150))
    db.session.commit()
    problems = queries.ledger_violations()
    assert any(f"entry {first.id}" in p and "hash" in p for p in problems)
    assert any(f"account {bob.id}" in p for p in problems)


def test_verify_finds_a_transfer_written_without_its_legs(make_network, open_account):
    network = make_network(default_credit_limit=1_000)
    alice, bob = open_account(network), open_account(network)
    half_written = Transfer(from_account_id=alice.id, to_account_id=bob.id, amount=50, description="")
    db.session.add(half_written)
    db.session.commit()
    assert f"transfer {half_written.id}: no legs, so it moved nothing" in queries.ledger_violations()


def test_the_warning_threshold_notifies_once_when_crossed(make_network, open_account):
    from platform6.notifications.models import Notification

    network = make_network(default_credit_limit=1_000)
    alice, bob = open_account(network), open_account(network)
    service.set_warning(account_id=alice.id, warning_percent=10, actor=alice.holder)
    for amount in (800, 150, 10):  # can spend 200, then 50 (within 10% of 1,000: warn), then 40
        service.transfer(from_account_id=alice.id, to_account_id=bob.id, amount=amount, description="", actor=None)
    db.session.commit()
    kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == alice.holder.id)).all()
    assert kinds == ["credit_warning"]


def test_new_accounts_get_their_kinds_default_limit(make_network, open_account):
    network = make_network(default_credit_limit=1_000, kind_credit_limits={"business": 5_000})
    assert open_account(network, kind="business").credit_limit == 5_000
    assert open_account(network, kind="individual").credit_limit == 1_000
    assert open_account(network, kind="sole_trader").credit_limit == 0
    service.set_network_defaults(actor=network.admin, network=network, default_credit_limit=200,
                                 default_debit_limit=9_000, kind_credit_limits={"employee": 50})  # fmt: skip
    employee = open_account(network, kind="employee")
    assert (employee.credit_limit, employee.debit_limit) == (50, 9_000)
    assert open_account(network, kind="business").credit_limit == 200
    with pytest.raises(RuleViolation):
        service.set_network_defaults(actor=network.admin, network=network, default_credit_limit=0,
                                     default_debit_limit=None, kind_credit_limits={"sole_trader": 5})  # fmt: skip
    with pytest.raises(Forbidden):
        service.set_network_defaults(actor=employee.holder, network=network, default_credit_limit=0,
                                     default_debit_limit=None, kind_credit_limits={})  # fmt: skip
