"""`gridgov unit`: add, list and disable the units a case can be escalated to (gridgov.units; 吹哨报到), and revoke
a unit's single-case links (gridgov.case_links).

Each change is written to the audit table with the operating-system user who
ran the command, as the administrator's page writes it with the account.
"""

from __future__ import annotations

import getpass

import click

from gridgov import case_links, migrations, units
from gridgov.database import connect, resolve_url
from gridgov.settings import Settings


@click.group("unit")
def unit() -> None:
    """Units called in on a case (吹哨报到): street departments, police, property, utilities, 驻区单位."""


@unit.command()
@click.argument("name")
@click.option("--kind", type=click.Choice(units.KINDS), required=True, help="What the unit is.")
@click.option("--contact", default=None, help="A person and a phone, shown to whoever escalates to the unit.")
@click.option("--categories", default="", help="Case categories it takes, comma-separated (none: any).")
@click.option("--ack-hours", type=float, default=24.0, show_default=True, help="Hours it has to acknowledge (报到).")
@click.pass_obj
def add(settings: Settings, name: str, kind: str, contact: str | None, categories: str, ack_hours: float) -> None:
    """Add the unit NAME."""
    with connect(resolve_url(settings.database)) as conn:
        migrations.upgrade(conn)
        made = units.add(conn, name, kind=kind, contact=contact, categories=categories.split(","),
                         ack_hours=ack_hours, by=getpass.getuser())
    click.echo(f"unit {made.name} added ({made.kind}, 报到 within {made.ack_hours:g} h)")


@unit.command("list")
@click.pass_obj
def list_(settings: Settings) -> None:
    """List the units, disabled ones marked."""
    with connect(resolve_url(settings.database)) as conn:
        migrations.upgrade(conn)
        found = units.list_units(conn)
    if not found:
        click.echo("no units yet (gridgov unit add NAME --kind KIND)")
    for u in found:
        takes = ",".join(u.categories) or "*"
        state = "" if u.active else "  (disabled)"
        click.echo(f"{u.name}\t{u.kind}\t{u.ack_hours:g} h\t{takes}\t{u.contact or ''}{state}")


@unit.command()
@click.argument("name")
@click.pass_obj
def disable(settings: Settings, name: str) -> None:
    """Disable the unit NAME: it can no longer be called in; its past escalations stay."""
    with connect(resolve_url(settings.database)) as conn:
        migrations.upgrade(conn)
        units.disable(conn, name, by=getpass.getuser())
    click.echo(f"unit {name} disabled")


@unit.command("revoke-link")
@click.argument("case_id")
@click.argument("name")
@click.pass_obj
def revoke_link(settings: Settings, case_id: str, name: str) -> None:
    """Revoke the unit NAME's links to case CASE_ID at once (a link sent to the wrong person, a unit replaced)."""
    with connect(resolve_url(settings.database)) as conn:
        migrations.upgrade(conn)
        done = case_links.revoke(conn, case_id, name, clock=settings.layers.clock(), by=getpass.getuser())
    click.echo(f"revoked {done} link(s) of {name} to case {case_id}")
