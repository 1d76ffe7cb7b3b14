"""`flask --app app site-admin EMAIL [--remove]`: who may use the site-wide tools."""

import click

from ..errors import DomainError
from ..transaction import unit_of_work
from . import service


@click.command("site-admin")
@click.argument("email")
@click.option("--remove", is_flag=True, help="Take the right back instead of granting it.")
def site_admin(email: str, remove: bool) -> None:
    """Make the account with EMAIL a site admin (the Loomio import page), or no longer one with --remove."""
    try:
        with unit_of_work():
            user = service.set_site_admin(email=email, site_admin=not remove)
    except DomainError as err:
        raise click.ClickException(err.message) from None
    click.echo(f"{user.email} is {'no longer ' if remove else ''}a site admin")
