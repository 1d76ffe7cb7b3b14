"""`flask --app app export-group HANDLE FILE` and `flask --app app import-group FILE --admin EMAIL`."""

import json
from pathlib import Path

import click

from ..accounts.models import User
from ..accounts.service import user_by_email
from ..errors import DomainError
from ..extensions import db
from ..groups.queries import group_by_handle
from ..groups.service import admin_ids
from ..transaction import unit_of_work
from .export import export_group
from .restore import import_group


@click.command("export-group")
@click.argument("handle")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, allow_dash=True))
@click.option("--admin", "email", help="Export as this admin of the group (default: its first admin).")
def export_group_command(handle: str, file: str, email: str | None) -> None:
    """Write the group's data as one JSON export file ("-" for standard output)."""
    group = group_by_handle(handle.lower())
    if group is None:
        raise click.ClickException(f"No group with the handle {handle!r}.")
    actor = user_by_email(email) if email else _first_admin(group)
    if actor is None:
        raise click.ClickException(f"No account with the email {email!r}." if email else "The group has no admin.")
    try:
        data = export_group(group=group, actor=actor)
    except DomainError as err:
        raise click.ClickException(err.message) from None
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if file == "-":
        click.echo(text)
    else:
        Path(file).write_text(text, encoding="utf-8")
        click.echo(f"Exported {group.handle} to {file}", err=True)


def _first_admin(group) -> User | None:
    ids = sorted(admin_ids(group))
    return db.session.get(User, ids[0]) if ids else None


@click.command("import-group")
@click.argument("file", type=click.File("rb"))
@click.option("--admin", "email", required=True, help="The existing account that becomes an admin of each group.")
def import_group_command(file, email: str) -> None:
    """Import a group export file in one transaction (nothing on any problem); prints a JSON summary."""
    admin = user_by_email(email)
    if admin is None:
        raise click.ClickException(f"No account with the email {email!r}: sign up first.")
    try:
        with unit_of_work():
            summary = import_group(data=file.read(), admin=admin)
    except DomainError as err:
        details = "".join(f"\n  {field}: {' '.join(reasons)}" for field, reasons in list(err.fields.items())[:20])
        raise click.ClickException(f"Nothing was imported. {err.message}{details}") from None
    click.echo(json.dumps(summary))
