"""Telling a network's admins that a transaction crossing their links is stuck (FEDERATION.md §3.4 R2): its value
stays held until a neighbour answers, and only people can settle what the machines cannot."""

from flask_babel import gettext as _

from ..credit import queries as credit_queries
from ..extensions import db
from ..formatting import money
from ..groups.models import Group
from ..groups.service import admin_ids
from ..notifications.service import notify
from .models import CCTransaction, Link


def transaction_stuck(row: CCTransaction, *, diverged: bool) -> None:
    """Notify the admins of the network the row enters: it waits on `row`'s neighbour (an hour of silence, or, with
    `diverged`, a Komunitin peer that takes neither our head nor the one after the transaction)."""
    network = credit_queries.network_by_id(row.network_id)
    link_id = row.downstream_link_id if row.state == "completing" else row.upstream_link_id
    peer = db.session.get(Link, link_id).peer_name
    group = db.session.get(Group, network.group_id)

    def words() -> str:
        amount = money(row.amount, network.currency_decimals, network.currency_symbol)
        if diverged:
            return _(
                "A payment of %(amount)s to %(payee)s is held: %(node)s no longer agrees with us on the link's "
                "hash, so nobody can tell whether it was paid there. Agree on it with their admins, then re-seed "
                "the link.",
                amount=amount,
                payee=row.payee_address,
                node=peer,
            )
        return _(
            "A payment of %(amount)s to %(payee)s has waited an hour for %(node)s to answer; its value stays held "
            "until it does. Ask their admins whether it was paid there.",
            amount=amount,
            payee=row.payee_address,
            node=peer,
        )

    notify(
        user_ids=admin_ids(group),
        kind="federation_transaction_stuck",
        url=f"/credit/networks/{network.id}/federation",
        text=words,
        group_id=group.id,
    )
