"""Command-line tools: `flask --app app demo`, `worker`, `loomio import` (alias `import-loomio`), `site-admin`,
`export-group` and `import-group`."""

import json

import click
from flask import Flask, current_app

from .accounts.cli import site_admin
from .exports.cli import export_group_command, import_group_command
from .loomio.cli import import_loomio, loomio
from .transaction import unit_of_work


def register(app: Flask) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(worker)
    app.cli.add_command(loomio)
    app.cli.add_command(import_loomio, "import-loomio")  # the run contract's name (DESIGN.md)
    app.cli.add_command(site_admin)
    app.cli.add_command(export_group_command)
    app.cli.add_command(import_group_command)


@click.command("demo")
def demo() -> None:
    """Load the demo stories (idempotent: a second run adds nothing)."""
    story: dict = {}
    from . import feature_modules

    for module in feature_modules("demo"):
        with unit_of_work():
            module.seed(story)
    click.echo(json.dumps({"loaded": sorted(story.get("summary", {}).items())}))
    click.echo("Demo sign-in: alice@example.org / platform6")


@click.command("worker")
@click.option("--tick", default=1.0, help="Seconds between looks for due work.")
def worker(tick: float) -> None:
    """Run scheduled work (closing polls, reminders, digests) until stopped."""
    from .notifications.scheduler import run_forever

    click.echo("Platform 6 worker running; Ctrl-C stops it.")
    run_forever(current_app._get_current_object(), tick_seconds=tick)
