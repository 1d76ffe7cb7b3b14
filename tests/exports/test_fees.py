"""Group files carry a network's fees: the fees, the operations account, fee legs, periodic charges, set_fees actions."""

import json
from datetime import datetime

from sqlalchemy import select

from platform6.credit import jobs, queries
from platform6.credit import service as credit
from platform6.credit.models import Account, FeeCharge, Leg, Network, Transfer
from platform6.exports.export import export_group
from platform6.exports.restore import import_group
from platform6.extensions import db
from platform6.governance import service as governance
from platform6.timeutil import utcnow

FEES = {
    "transfer": {"basis_points": 100, "fixed": 3, "min": None, "max": None, "paid_by": "payer"},
    "periodic": [{"kind": "individual", "amount": 400, "every": "month"}],
}
DECEMBER = datetime(2026, 12, 4, 12, 0)


def test_fees_come_back_whole_and_no_period_is_charged_twice(app, story, wipe, create_user):
    network = db.session.get(Network, story.network.id)
    credit.set_fees(network=network, fees=FEES, actor=story.admin)
    paid = credit.transfer(from_account_id=story.accounts["bea"].id, to_account_id=story.accounts["cy"].id,
                           amount=1_000, description="Apples", actor=story.people["bea"])  # fmt: skip
    credit.reverse(transfer_id=paid.id, reason="No apples", actor=story.admin)
    credit.transfer(from_account_id=story.accounts["bea"].id, to_account_id=story.accounts["cy"].id,
                    amount=500, description="Pears", actor=story.people["bea"])  # fmt: skip
    db.session.commit()
    assert len(jobs.charge_periodic_fees(now=DECEMBER)) == 2
    action = {"type": "set_fees", "network_id": network.id, "fees": FEES}
    governance.create_poll(actor=story.admin, group=story.group, kind="proposal", title="Keep the fees",
                           closing_at=utcnow().replace(year=2099), action=action)  # fmt: skip
    db.session.commit()
    operations_balance = db.session.get(Account, network.operations_account_id).balance
    assert operations_balance == 800 + 8

    data = export_group(group=story.group, actor=story.admin)
    wipe()
    db.session.expunge_all()  # the transfers made above would otherwise sit on the ids the import reuses
    import_group(data=json.dumps(data).encode(), admin=create_user(email="root@example.org"))
    db.session.commit()

    network = db.session.scalar(select(Network))
    assert network.fees == FEES
    operations = db.session.get(Account, network.operations_account_id)
    assert operations.purpose == "operations" and operations.balance == operations_balance
    assert db.session.scalar(select(Leg).where(Leg.fee.is_(True))) is not None
    assert db.session.query(FeeCharge).count() == 2
    assert queries.ledger_violations() == []
    transfers_before = db.session.query(Transfer).count()
    assert jobs.charge_periodic_fees(now=DECEMBER) == []  # the imported charges stand: nothing twice
    assert db.session.query(Transfer).count() == transfers_before
    poll = next(p for p in data["polls"] if p["title"] == "Keep the fees")
    assert poll["action"]["network_id"] == 1
