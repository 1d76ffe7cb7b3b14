"""`flask credit verify` also checks federation's invariants: held sums against holds, holds only on unfinished
transactions, and each link's chain recomputed from its genesis to its head."""

from sqlalchemy import update

from platform6.credit.models import Account
from platform6.extensions import db
from platform6.federation import links
from platform6.federation.models import Link

from .peers import entries


def _verify(app, *args):
    return app.test_cli_runner().invoke(args=["credit", "verify", *args])


def test_verify_passes_then_finds_tampered_holds_and_chains(app, leeds):
    uuid, _answer = leeds.trunk.relay("ocn/kirklees/ellie", "ocn/leeds/bob", 10)
    assert _verify(app).exit_code == 0
    db.session.execute(update(Account).where(Account.id == leeds.bob.id).values(held_in=1))
    db.session.commit()
    assert "held_out/held_in do not equal" in _verify(app).output
    db.session.execute(update(Account).where(Account.id == leeds.bob.id).values(held_in=1_000))
    db.session.commit()
    assert leeds.trunk.complete(uuid, entries(1_000)).status_code == 201
    assert _verify(app).exit_code == 0
    db.session.execute(update(Link).values(head="0" * 32))
    db.session.commit()
    broken = _verify(app, "--json")
    assert broken.exit_code == 1 and "its head is not where its chain leads" in broken.output
    assert links.our_path(leeds.network) == ["ocn", "leeds"]
