"""A request cannot be completed twice, even by two managers at the same moment: one wins, the reward is paid once."""

import multiprocessing

from platform6.credit.models import Account
from platform6.database import begin_write
from platform6.errors import Conflict
from platform6.extensions import db
from platform6.skills import service
from platform6.skills.models import Contribution, SkillRequest

PROCESSES = 4


def _complete(database_url: str, barrier, request_id: int, actor_id: int, volunteer_id: int, results) -> None:
    from platform6.accounts.models import User
    from platform6.skills import queries
    from tests.conftest import make_app

    app = make_app(database_url)
    with app.app_context():
        barrier.wait(timeout=60)
        begin_write()  # as the transaction boundary does for every write
        actor = db.session.get(User, actor_id)
        request = queries.request_by_id(request_id)
        try:
            service.complete_request(actor=actor, request=request, volunteers=[(volunteer_id, 2)])
            db.session.commit()
            results.put("ok")
        except Conflict:
            db.session.rollback()
            results.put("conflict")
        db.engine.dispose()


def test_two_managers_completing_at_once_pay_the_reward_once(
    app, database_url, create_user, create_group, make_network, open_account, post_request
):
    admin, vol = create_user(), create_user()
    group = create_group(admin=admin, members=[vol], privacy="open")
    network = make_network(admin=admin, group=group)
    pot = open_account(network, group=group, credit_limit=100_00)
    account = open_account(network, holder=vol)
    request = post_request(admin, group, reward_account_id=pot.id, reward_amount=500)
    service.decide_application(actor=admin, application=service.apply(actor=vol, request=request), accept=True)
    db.session.commit()
    ids = (request.id, admin.id, vol.id, account.id)
    db.session.remove()
    db.engine.dispose()
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(PROCESSES), context.Queue()
    workers = [
        context.Process(target=_complete, args=(database_url, barrier, ids[0], ids[1], ids[2], results))
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=60) for _ in range(PROCESSES)]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    assert sorted(outcomes) == ["conflict"] * (PROCESSES - 1) + ["ok"], outcomes
    assert db.session.get(SkillRequest, ids[0]).state == "completed"
    assert db.session.query(Contribution).count() == 1
    assert db.session.get(Account, ids[3]).balance == 500
