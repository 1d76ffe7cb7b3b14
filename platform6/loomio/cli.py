"""`flask --app app import-loomio FILE --admin EMAIL`: import a Loomio group export and print a JSON summary."""

import json

import click

from ..accounts.service import user_by_email
from ..errors import DomainError
from ..transaction import unit_of_work
from .service import import_export


@click.command("import-loomio")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--admin",
    "admin_email",
    required=True,
    help="Email of the account that becomes an admin of each new group (for a later export of a group "
    "imported before: an admin of each of its groups here).",
)
def import_loomio(file, admin_email: str) -> None:
    """Import a Loomio group export (JSON lines) in one transaction, or nothing if any line is bad (exit 1);
    a second run imports nothing twice."""
    admin = user_by_email(admin_email)
    if admin is None:
        raise click.ClickException(f"No account has the email {admin_email}: sign up first, or name another --admin.")
    try:
        with unit_of_work():
            summary = import_export(data=file.read(), admin=admin, actor=admin)
    except DomainError as err:
        raise click.ClickException(err.message) from None
    click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
