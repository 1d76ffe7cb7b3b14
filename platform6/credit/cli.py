"""`flask --app app credit verify`: check every invariant of the whole ledger; exit 1 on any violation."""

import click

from . import queries


@click.command("verify")
def verify() -> None:
    """Check double entry, balances, network sums, hash chains and settlement mirrors over the whole ledger."""
    problems = queries.ledger_violations()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(f"credit verify: {len(problems)} violation(s)")
    click.echo("credit verify: every invariant holds")
