"""A payment's notification says who paid how much into which account, and never tells the payer's side."""

from sqlalchemy import select

from platform6.credit import service
from platform6.extensions import db
from platform6.notifications.models import Notification


def _texts(user) -> list[str]:
    return list(db.session.scalars(select(Notification.text).where(Notification.user_id == user.id)))


def test_the_payee_reads_who_paid_how_much_into_which_account(make_network, open_account, create_user):
    network = make_network()
    alice, bob = create_user(name="Alice Okafor"), create_user(name="Bob Brown")
    payer, payee = open_account(network, holder=bob, credit_limit=10_000), open_account(network, holder=alice)
    service.transfer(from_account_id=payer.id, to_account_id=payee.id, amount=1250, description="Bread", actor=bob)
    db.session.commit()
    assert _texts(alice) == [f"Bob Brown paid §12.50 into Alice Okafor's account #{payee.id}: Bread"]
    assert _texts(bob) == []


def test_paying_into_your_own_groups_account_tells_you_nothing(make_network, open_account, create_user, create_group):
    alice = create_user(name="Alice Okafor")
    group = create_group(admin=alice)
    network = make_network(admin=alice, group=group)
    mine = open_account(network, holder=alice, credit_limit=10_000)
    groups_account = open_account(network, group=group)
    # no actor (an import, a binding decision): still, whoever acts for the paying account is not told
    service.transfer(
        from_account_id=mine.id, to_account_id=groups_account.id, amount=500, description="Dues", actor=None
    )
    db.session.commit()
    assert _texts(alice) == []
