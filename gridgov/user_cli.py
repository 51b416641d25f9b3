"""`gridgov user`: add, remove and list the dashboard's accounts; make the demo's accounts.

A password is never an argument (it would show in `ps` and the shell's
history): it is asked for twice without echo, or read from the first line of
standard input with --password-stdin. `demo-accounts` makes (or resets) one
account per role with random passwords, prints them and keeps them in
GRIDGOV_HOME/demo-accounts.txt (mode 600, git-ignored): for the demo only.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import click

from gridgov import accounts, migrations
from gridgov.access import ACCOUNT_ROLES, Role, own_grids_only
from gridgov.database import connect, resolve_url
from gridgov.errors import InputError
from gridgov.settings import Settings

# username -> role; the grid leader gets the first grid
DEMO_ACCOUNTS = {
    "secretary": Role.SECRETARY,
    "leader": Role.GRID_LEADER,
    "planner": Role.PLANNER,
    "admin": Role.ADMIN,
}


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise InputError("--password-stdin: standard input held no password")
        return line
    value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@click.group()
def user() -> None:
    """Accounts of the dashboard: secretary, grid_leader, planner, admin."""


@user.command()
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role if r in ACCOUNT_ROLES]))
@click.option("--grid", "grids", multiple=True, metavar="CODE", help="A grid the grid leader leads (repeat).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@click.pass_obj
def add(settings: Settings, username: str, role: str, grids: tuple[str, ...], password_stdin: bool) -> None:
    """Create an account."""
    password = _password(password_stdin)
    with connect(resolve_url(settings.database)) as conn:
        migrations.upgrade(conn)
        account = accounts.add(conn, username, role=role, password=password, grids=grids)
    where = f" of {', '.join(account.grids)}" if account.grids else ""
    click.echo(f"added {account.username}: {account.role.value}{where}")


@user.command()
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@click.pass_obj
def passwd(settings: Settings, username: str, password_stdin: bool) -> None:
    """Give an account a new password (its dashboard sessions end at once)."""
    password = _password(password_stdin)
    with connect(resolve_url(settings.database)) as conn:
        migrations.upgrade(conn)
        accounts.set_password(conn, username, password)
    click.echo(f"new password set for {username}")


@user.command()
@click.argument("username")
@click.pass_obj
def remove(settings: Settings, username: str) -> None:
    """Delete an account (its audit trail stays)."""
    with connect(resolve_url(settings.database)) as conn:
        migrations.upgrade(conn)
        accounts.remove(conn, username)
    click.echo(f"removed {username}")


@user.command("list")
@click.pass_obj
def list_(settings: Settings) -> None:
    """List the accounts."""
    with connect(resolve_url(settings.database)) as conn:
        migrations.upgrade(conn)
        found = accounts.list_accounts(conn)
    if not found:
        click.echo("no accounts yet (gridgov user add NAME --role ROLE)")
    for a in found:
        state = "  (disabled)" if a.disabled else ""
        click.echo(f"{a.username:<20} {a.role.value:<12} {','.join(a.grids) or '-':<16} {a.created_at:%Y-%m-%d}{state}")


@user.command("demo-accounts")
@click.pass_obj
def demo_accounts(settings: Settings) -> None:
    """Make or reset one account per role with new random passwords, and print how to sign in (demo only)."""
    with connect(resolve_url(settings.database)) as conn:
        migrations.upgrade(conn)
        first = conn.execute("SELECT min(grid_code) FROM grids").fetchone()
        if not first or first[0] is None:
            raise InputError("no grid is loaded yet: load the demo first (gridgov load geodata/demo)")
        made = {}
        for username, role in DEMO_ACCOUNTS.items():
            password = secrets.token_urlsafe(12)
            grids = (first[0],) if own_grids_only(role) else ()
            if accounts.get(conn, username) is not None:
                accounts.remove(conn, username)  # role or grid may have changed since: make it anew
            accounts.add(conn, username, role=role.value, password=password, grids=grids)
            made[username] = (role, grids, password)
    lines = [f"sign in at http://{settings.dashboard.host}:{settings.dashboard.port}/login as one of:", "  user        password          role"]
    for username, (role, grids, password) in made.items():
        where = f" of grid {', '.join(grids)}" if grids else ""
        lines.append(f"  {username:<11} {password:<17} {role.value}{where}")
    text = "\n".join(lines) + "\n"
    _keep(Path(settings.database.home) / "demo-accounts.txt", text)
    click.echo(text, nl=False)
    click.echo(f"(also kept in {Path(settings.database.home) / 'demo-accounts.txt'})")


def _keep(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
