"""`flask --app app credit verify`: check every invariant of the whole ledger; exit 1 on any violation."""

import json
from collections.abc import Callable

import click

from . import queries

#: further invariants other modules keep on the ledger (federation: holds, link chains), each returning sentences
EXTRA_CHECKS: list[Callable[[], list[str]]] = []
#: with --peers: what neighbouring installations say about the accounts standing for them
PEER_CHECKS: list[Callable[[], list[str]]] = []


@click.command("verify")
@click.option("--peers", is_flag=True, help="Also ask each federation neighbour for its view of our links.")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as a JSON list.")
def verify(peers: bool, as_json: bool) -> None:
    """Check double entry, balances, network sums, hash chains and settlement mirrors over the whole ledger."""
    problems = queries.ledger_violations() + [problem for check in EXTRA_CHECKS for problem in check()]
    if peers:
        problems += [problem for check in PEER_CHECKS for problem in check()]
    if as_json:
        click.echo(json.dumps(problems))
    else:
        for problem in problems:
            click.echo(problem, err=True)
    if problems:
        raise SystemExit(f"credit verify: {len(problems)} violation(s)")
    if not as_json:
        click.echo("credit verify: every invariant holds")
