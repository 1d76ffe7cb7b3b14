"""Scheduled federation work (FEDERATION.md §3.4): R1 erases validated transactions past their window, R2 asks the
downstream about completing ones, and queued aborts tell downstreams what was erased here."""

from ..notifications.scheduler import job
from . import transactions


@job(every_seconds=5)
def finish_cc_transactions() -> None:
    transactions.run_jobs()
