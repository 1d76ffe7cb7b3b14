"""`flask --app app federation run-jobs --once`: finish what crashes and timeouts left (tests run it by hand,
so their timing is deterministic). Also adds federation's invariants to `flask credit verify` (and `--peers`)."""

import json

import click

from ..credit import cli as credit_cli
from . import recovery, verify

credit_cli.EXTRA_CHECKS.append(verify.local_problems)
credit_cli.PEER_CHECKS.append(verify.peer_problems)


@click.command("run-jobs")
@click.option("--once", is_flag=True, required=True, help="Run R1, R2 and the queued aborts once, then stop.")
def run_jobs(once: bool) -> None:
    """Erase validated transactions past their window, ask about completing ones, send queued aborts."""
    click.echo(json.dumps(recovery.run_jobs()))
