"""`flask --app app federation run-jobs --once`: finish what crashes and timeouts left (tests run it by hand,
so their timing is deterministic)."""

import json

import click

from . import transactions


@click.command("run-jobs")
@click.option("--once", is_flag=True, required=True, help="Run R1, R2 and the queued aborts once, then stop.")
def run_jobs(once: bool) -> None:
    """Erase validated transactions past their window, ask about completing ones, send queued aborts."""
    click.echo(json.dumps(transactions.run_jobs()))
