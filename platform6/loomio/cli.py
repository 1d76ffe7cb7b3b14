"""`flask --app app loomio import FILE --admin EMAIL` (also `import-loomio`, the run contract's older name): import
a Loomio group export and print a JSON summary, its words in the language of the `--admin` account."""

import json

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from ..accounts.service import user_by_email
from ..errors import DomainError
from ..i18n import for_person
from ..transaction import unit_of_work
from .service import import_export

loomio = AppGroup("loomio", help="Moving a group over from Loomio.")


@loomio.command("import")
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
        raise click.ClickException(
            _("No account has the email %(email)s: sign up first, or name another --admin.", email=admin_email)
        )
    # the summary's words are written as the import goes, so it runs in the language of who reads them
    with for_person(admin):
        try:
            with unit_of_work():
                summary = import_export(data=file.read(), admin=admin, actor=admin)
        except DomainError as err:
            raise click.ClickException(err.message) from None
    click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
