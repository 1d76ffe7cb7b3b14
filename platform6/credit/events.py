"""Socket.IO for credit: an account page joins {credit_account_id} and hears `credit_entry` as money moves."""

from ..realtime import register_room
from . import queries


def _resolve(user, account_id: int) -> str | None:
    account = queries.account_by_id(account_id)
    if account is None or not queries.can_see_account(user, account):
        return None
    return queries.account_room(account_id)


register_room("credit_account_id", _resolve)
