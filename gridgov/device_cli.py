"""`gridgov wall-device`: make, list and revoke the wall screens' device sign-ins (gridgov.devices).

`add` prints the device's URL once: it is the credential, to be opened on the
wall screen (or set as its kiosk browser's start page) and kept nowhere else;
only a hash of its token is stored. Each command is written to the audit
table with the operating-system user who ran it.
"""

from __future__ import annotations

import getpass
from datetime import timedelta

import click

from gridgov import devices, migrations
from gridgov.database import connect, resolve_url
from gridgov.settings import Settings


@click.group("wall-device")
def wall_device() -> None:
    """Wall screens' own sign-ins: long-lived, read-only, for /wall only."""


@wall_device.command()
@click.argument("name")
@click.option(
    "--base-url", metavar="URL",
    help="Where the screen reaches the dashboard (default: http://GRIDGOV_HOST:GRIDGOV_PORT; behind a proxy its https:// URL).",
)
@click.option("--community", "communities", multiple=True, metavar="NAME",
              help="A community the screen shows (repeat); one of --community and --street is needed.")
@click.option("--street", metavar="NAME",
              help="The street whose communities the screen shows (with --community: the street they are in).")
@click.pass_obj
def add(settings: Settings, name: str, base_url: str | None, communities: tuple[str, ...], street: str | None) -> None:
    """Make a device sign-in called NAME for a community's (or a street's) wall and print its URL (shown this once)."""
    lifetime = timedelta(days=settings.dashboard.wall_device_days)
    with connect(resolve_url(settings.database)) as conn:
        migrations.upgrade(conn)
        token = devices.add(conn, name, lifetime=lifetime, by=getpass.getuser(), communities=communities, street=street)
    base = (base_url or f"http://{settings.dashboard.host}:{settings.dashboard.port}").rstrip("/")
    click.echo(f"wall device {name} made, valid for {settings.dashboard.wall_device_days:g} days; open on the screen:")
    click.echo(f"  {base}/wall/device/{token}")
    click.echo("(this URL signs in as the wall screen: it is shown only now; revoke with gridgov wall-device revoke)")


@wall_device.command("list")
@click.pass_obj
def list_(settings: Settings) -> None:
    """List the device sign-ins (never a token)."""
    with connect(resolve_url(settings.database)) as conn:
        migrations.upgrade(conn)
        found = devices.list_devices(conn)
    if not found:
        click.echo("no wall devices yet (gridgov wall-device add NAME)")
    for d in found:
        state = f"revoked {d.revoked_at:%Y-%m-%d %H:%M}" if d.revoked_at else f"valid until {d.expires_at:%Y-%m-%d}"
        shows = "、".join(d.communities) or d.street or "-"
        click.echo(f"{d.name:<20} {shows:<20} made {d.created_at:%Y-%m-%d}  {state}")


@wall_device.command()
@click.argument("name")
@click.pass_obj
def revoke(settings: Settings, name: str) -> None:
    """Revoke a device sign-in: the screen signed in with it is signed out at its next request."""
    with connect(resolve_url(settings.database)) as conn:
        migrations.upgrade(conn)
        devices.revoke(conn, name, by=getpass.getuser())
    click.echo(f"revoked wall device {name}")
