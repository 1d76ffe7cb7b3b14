"""Holds (FEDERATION.md §3.1): value reserved for a payment crossing installations counts against what an account
may spend and receive, so held money is never spent twice; posting a held payment checks nothing again."""

import pytest
from sqlalchemy import select

from platform6.credit import queries, service
from platform6.credit.models import Account, Transfer
from platform6.errors import Conflict, RuleViolation
from platform6.extensions import db


def _leg(network, payer, payee, amount):
    return service.PlannedLeg(network.id, payer.id, payee.id, amount)


def test_held_money_is_not_spent_again_by_a_local_payment(make_network, open_account):
    network = make_network(default_credit_limit=1_000)
    alice, bob, carol = open_account(network), open_account(network), open_account(network)
    held = service.reserve([_leg(network, alice, bob, 800)])
    db.session.commit()
    assert (alice.held_out, bob.held_in, alice.balance) == (800, 800, 0)
    assert alice.can_spend == 200
    with pytest.raises(RuleViolation) as refused:
        service.transfer(from_account_id=alice.id, to_account_id=carol.id, amount=201, description="", actor=None)
    assert refused.value.code == "insufficient_credit"
    db.session.rollback()
    service.transfer(from_account_id=alice.id, to_account_id=carol.id, amount=200, description="", actor=None)
    db.session.commit()
    # the reserved 800 still posts, checking nothing again, and the hold is gone
    made = service.post_held(legs=[_leg(network, alice, bob, 800)], held=held, description="Held")
    db.session.commit()
    alice, bob = db.session.get(Account, alice.id), db.session.get(Account, bob.id)
    assert (alice.balance, alice.held_out, bob.balance, bob.held_in) == (-1_000, 0, 800, 0)
    assert made.amount == 800 and queries.ledger_violations() == []


def test_a_second_reservation_sees_the_first(make_network, open_account):
    network = make_network(default_credit_limit=1_000)
    alice, bob = open_account(network), open_account(network)
    service.reserve([_leg(network, alice, bob, 600)])
    db.session.commit()
    with pytest.raises(RuleViolation) as refused:
        service.reserve([_leg(network, alice, bob, 401)])
    assert refused.value.code == "insufficient_credit"
    db.session.rollback()
    assert db.session.get(Account, alice.id).held_out == 600


def test_held_in_counts_against_the_debit_limit(make_network, open_account):
    network = make_network(default_credit_limit=1_000)
    alice, bob, carol = open_account(network), open_account(network, debit_limit=500), open_account(network)
    service.reserve([_leg(network, alice, bob, 400)])
    db.session.commit()
    with pytest.raises(RuleViolation) as refused:
        service.transfer(from_account_id=carol.id, to_account_id=bob.id, amount=101, description="", actor=None)
    assert refused.value.code == "over_debit_limit"


def test_a_released_hold_frees_the_money_and_posts_nothing(make_network, open_account):
    network = make_network(default_credit_limit=1_000)
    alice, bob = open_account(network), open_account(network)
    held = service.reserve([_leg(network, alice, bob, 1_000)])
    db.session.commit()
    service.release(held)
    db.session.commit()
    alice = db.session.get(Account, alice.id)
    assert (alice.held_out, alice.balance, alice.can_spend) == (0, 0, 1_000)
    assert db.session.scalars(select(Transfer)).all() == []
    service.transfer(from_account_id=alice.id, to_account_id=bob.id, amount=1_000, description="", actor=None)


def test_a_frozen_account_blocks_new_reservations_but_not_posting_a_held_one(make_network, open_account):
    network = make_network(default_credit_limit=1_000)
    alice, bob = open_account(network), open_account(network)
    legs = [_leg(network, alice, bob, 300)]
    held = service.reserve(legs)
    db.session.commit()
    service.set_status(account_id=alice.id, status="frozen", actor=None)
    db.session.commit()
    with pytest.raises(Conflict):
        service.reserve(legs)
    db.session.rollback()
    service.post_held(legs=legs, held=held, description="Agreed before the freeze")
    db.session.commit()
    assert db.session.get(Account, bob.id).balance == 300


def test_a_settlement_account_standing_for_a_remote_trunk_carries_limits(make_network, open_account):
    network = make_network(default_credit_limit=1_000)
    alice = open_account(network)
    settlement = service.open_settlement_account(network=network)
    db.session.commit()
    with pytest.raises(RuleViolation):  # linking to a parent here, it has no limits
        service.set_credit_limit(account_id=settlement.id, credit_limit=100, actor=None)
    db.session.rollback()
    settlement = db.session.get(Account, settlement.id)
    settlement.cc_name = "ocn"  # what federation's open_link does for a trunkward link
    service.set_credit_limit(account_id=settlement.id, credit_limit=100, actor=None)
    service.set_debit_limit(account_id=settlement.id, debit_limit=500, actor=None)
    db.session.commit()
    # the trunk may push in at most 100; we may send out at most 500
    with pytest.raises(RuleViolation) as refused:
        service.reserve([_leg(network, settlement, alice, 101)])
    assert refused.value.code == "insufficient_credit"
    db.session.rollback()
    with pytest.raises(RuleViolation) as refused:
        service.reserve([_leg(network, alice, settlement, 501)])
    assert refused.value.code == "over_debit_limit"
    db.session.rollback()
    assert service.reserve([_leg(network, settlement, alice, 100)])
