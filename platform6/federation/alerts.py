"""Telling a network's admins what only people can settle: a transaction crossing their links is stuck
(FEDERATION.md §3.4 R2), its value held until a neighbour answers; or a neighbour booked a payment that ended erased
here (§3.3), so the two ledgers disagree."""

from collections.abc import Callable

from flask_babel import gettext as _

from ..credit import queries as credit_queries
from ..extensions import db
from ..formatting import money
from ..groups.models import Group
from ..groups.service import admin_ids
from ..notifications.service import notify
from .models import CCTransaction, Link, PeerDiscrepancy


def transaction_stuck(row: CCTransaction, *, diverged: bool) -> None:
    """Notify the admins of the network the row enters: it waits on `row`'s neighbour (an hour of silence, or, with
    `diverged`, a Komunitin peer that takes neither our head nor the one after the transaction)."""
    network = credit_queries.network_by_id(row.network_id)
    link_id = row.downstream_link_id if row.state == "completing" else row.upstream_link_id
    peer = db.session.get(Link, link_id).peer_name

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

    _tell_admins(network, kind="federation_transaction_stuck", text=words)


def peer_discrepancy(found: PeerDiscrepancy, link: Link, *, amount: Callable[[], str], reason: str) -> None:
    """Notify the admins of the link's network that a payment its commit-on-relay peer booked ended erased here
    (FEDERATION.md §3.3): `amount` writes it in the reader's language, `reason` (lazy) says why it was erased."""
    _tell_admins(
        credit_queries.network_by_id(link.network_id),
        kind="federation_peer_discrepancy",
        text=lambda: _(
            "%(node)s booked a payment of %(amount)s from %(payer)s to %(payee)s that did not go through here "
            "(%(reason)s). Settle it with their admins, then mark it resolved on the federation page.",
            node=link.peer_name,
            amount=amount(),
            payer=found.payer_address,
            payee=found.payee_address,
            reason=str(reason),
        ),
    )


def _tell_admins(network, *, kind: str, text: Callable[[], str]) -> None:
    """Notify the admins of the group governing `network`, linking to its federation page."""
    group = db.session.get(Group, network.group_id)
    notify(
        user_ids=admin_ids(group),
        kind=kind,
        url=f"/credit/networks/{network.id}/federation",
        text=text,
        group_id=group.id,
    )
