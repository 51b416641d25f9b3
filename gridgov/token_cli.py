"""`gridgov token`: make, list and revoke the systems' API tokens (gridgov.tokens).

`add` prints the token once: it is the credential, to be given to the system
(the 12345 platform's `api_key`, a unit system's `Authorization: Bearer`) and
kept nowhere else; only a hash of it is stored. Each command is written to the
audit table with the operating-system user who ran it.
"""

from __future__ import annotations

import getpass

import click

from gridgov import migrations, tokens
from gridgov.database import connect, resolve_url
from gridgov.settings import Settings


@click.group("token")
def token() -> None:
    """Systems' tokens for the case API and the Open311 intake."""


@token.command()
@click.argument("name")
@click.option("--scope", required=True, type=click.Choice(list(tokens.SCOPE_ROLES)),
              help="intake: file and follow requests (Open311); unit: act for a unit called in; read: read de-identified.")
@click.option("--unit", metavar="UNIT", help="With --scope unit: the unit (units.name) the token acts for.")
@click.pass_obj
def add(settings: Settings, name: str, scope: str, unit: str | None) -> None:
    """Make a token called NAME and print it (shown this once)."""
    with connect(resolve_url(settings.database)) as conn:
        migrations.upgrade(conn)
        made = tokens.add(conn, name, scope=scope, unit=unit, by=getpass.getuser())
    click.echo(f"token {name} made, scope {scope}" + (f" for unit {unit}" if unit else "") + ":")
    click.echo(f"  {made}")
    click.echo("(shown only now: give it to the system; revoke with gridgov token revoke)")


@token.command("list")
@click.pass_obj
def list_(settings: Settings) -> None:
    """List the tokens (never a token itself)."""
    with connect(resolve_url(settings.database)) as conn:
        migrations.upgrade(conn)
        found = tokens.list_tokens(conn)
    if not found:
        click.echo("no tokens yet (gridgov token add NAME --scope intake|unit|read)")
    for t in found:
        state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "valid"
        used = f"last used {t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never used"
        click.echo(f"{t.name:<20} {t.scope:<7} {t.unit or '':<16} made {t.created_at:%Y-%m-%d}  {state}  {used}")


@token.command()
@click.argument("name")
@click.pass_obj
def revoke(settings: Settings, name: str) -> None:
    """Revoke a token: the system is refused from its next request on."""
    with connect(resolve_url(settings.database)) as conn:
        migrations.upgrade(conn)
        tokens.revoke(conn, name, by=getpass.getuser())
    click.echo(f"revoked token {name}")
