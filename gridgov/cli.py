"""The `gridgov` command: kernel commands plus those that etl and dashboard register.

etl and dashboard add their commands through the `gridgov.commands` entry-point
group, so the kernel never imports them; and a command is imported only when it is run (or
listed by --help): `gridgov load` does not carry the dashboard's modules (~140 MB), nor do its parse
workers, which import the command's main module again (multiprocessing's forkserver does).
"""

from __future__ import annotations

import sys
from importlib.metadata import entry_points
from typing import Any

import click

from gridgov import migrations
from gridgov.database import connect, resolve_url
from gridgov.device_cli import wall_device
from gridgov.errors import GridgovError
from gridgov.localdb import LocalCluster
from gridgov.settings import Settings
from gridgov.token_cli import token
from gridgov.unit_cli import unit
from gridgov.user_cli import user


class _Group(click.Group):
    """A group that turns domain errors into one clear line and an exit code, and imports the commands of the
    `gridgov.commands` entry points when they are asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *(ep.name for ep in entry_points(group="gridgov.commands"))})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            for ep in entry_points(group="gridgov.commands", name=cmd_name):
                self.add_command(ep.load(), ep.name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GridgovError as exc:
            click.secho(f"gridgov: {exc}", fg="red", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=_Group)
@click.version_option(package_name="gridgov")
@click.pass_context
def main(ctx: click.Context) -> None:
    """gridgov: grid-governance data for urban communities."""
    ctx.obj = Settings()


@main.group()
def db() -> None:
    """The database: schema migrations and the private local cluster."""


@db.command()
@click.pass_obj
def upgrade(settings: Settings) -> None:
    """Apply pending schema migrations."""
    with connect(resolve_url(settings.database)) as conn:
        done = migrations.upgrade(conn)
    if done:
        for mig in done:
            click.echo(f"applied {mig.version:03d}_{mig.name}")
    else:
        click.echo("schema is up to date")


@db.command()
@click.pass_obj
def start(settings: Settings) -> None:
    """Start the private local cluster (created on first use)."""
    if settings.database.database_url:
        click.echo("GRIDGOV_DATABASE_URL is set; no local cluster to start")
        return
    cluster = LocalCluster(settings.database.home, settings.database.pg_port)
    cluster.start()
    click.echo(f"local PostGIS running on 127.0.0.1:{cluster.port} (data in {cluster.datadir})")


@db.command()
@click.pass_obj
def stop(settings: Settings) -> None:
    """Stop the private local cluster."""
    cluster = LocalCluster(settings.database.home, settings.database.pg_port)
    click.echo("local PostGIS stopped" if cluster.stop() else "local PostGIS was not running")


@db.command()
@click.pass_obj
def status(settings: Settings) -> None:
    """Say where the database is and which migrations are applied."""
    if not settings.database.database_url and not LocalCluster(settings.database.home, settings.database.pg_port).running():
        click.echo("local PostGIS is not running (`gridgov db start`)")
        return
    with connect(resolve_url(settings.database, start=False)) as conn:
        have = migrations.applied(conn)
    pending = [m for m in migrations.available() if m.version not in have]
    click.echo(f"migrations applied: {len(have)}, pending: {len(pending)}")


main.add_command(user)
main.add_command(wall_device)
main.add_command(token)
main.add_command(unit)

