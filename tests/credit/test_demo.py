"""The demo story: a national network, Kirklees inside it, an employee network, a few hundred transfers; idempotent."""

from sqlalchemy import func, select

from platform6.accounts import demo as people
from platform6.credit import demo, queries
from platform6.credit.models import Network, Transfer
from platform6.extensions import db
from platform6.groups import demo as groups


def _load() -> dict:
    story: dict = {}
    for module in (people, groups, demo):
        module.seed(story)
        db.session.commit()
    return story


def test_demo_credit_story_is_complete_consistent_and_idempotent(app):
    story = _load()
    networks = story["credit"]["networks"]
    assert networks["kirklees"].parent_id == networks["national"].id
    assert networks["bakery"].parent_id == networks["kirklees"].id
    assert networks["national"].group_id == story["groups"]["ocn"].id
    transfers = db.session.scalar(select(func.count(Transfer.id)))
    assert transfers >= 200
    routed = db.session.scalars(select(Transfer)).all()
    assert any(len(t.legs) == 3 for t in routed)  # employee network to national, through Kirklees
    assert queries.ledger_violations() == []
    _load()
    assert db.session.scalar(select(func.count(Transfer.id))) == transfers
    assert db.session.scalar(select(func.count(Network.id))) == 3
