"""`gridgov user`: add, remove and list the dashboard's accounts, disable and enable them, change their role and
grids, end their sessions; make the demo's accounts.

A password is never an argument (it would show in `ps` and the shell's
history): it is asked for twice without echo, or read from the first line of
standard input with --password-stdin. `demo-accounts` makes (or resets) one
account per role with random passwords, prints them and keeps them in
GRIDGOV_HOME/demo-accounts.txt (mode 600, git-ignored): for the demo only.
The changes an administrator makes (disable, enable, set-role, set-grids,
end-sessions) go through gridgov.account_changes, as the /admin page's do,
and are audited with the operating-system user who ran the command.
"""

from __future__ import annotations

import getpass
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click
import psycopg

from gridgov import account_changes, accounts, areas, migrations
from gridgov.access import ACCOUNT_ROLES, Role, own_grids_only
from gridgov.database import connect, resolve_url
from gridgov.errors import InputError
from gridgov.settings import Settings

T = TypeVar("T")

# username -> role; the grid leader gets the first grid, "secretary" the first community, "secretary2" the
# second (when the demo has one), "street" the first street (when the grids name one)
DEMO_ACCOUNTS = {
    "secretary": Role.SECRETARY,
    "secretary2": Role.SECRETARY,
    "street": Role.STREET_OFFICER,
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
    """Accounts of the dashboard: secretary, street_officer, grid_leader, planner, admin."""


@user.command()
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role if r in ACCOUNT_ROLES]))
@click.option("--grid", "grids", multiple=True, metavar="CODE", help="A grid the grid leader leads (repeat).")
@click.option("--community", "communities", multiple=True, metavar="NAME",
              help="A community the secretary answers for (repeat).")
@click.option("--street", metavar="NAME",
              help="The street officer's street, a planner's (none: everything), or a secretary's to tell apart"
                   " two communities of the same name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@click.pass_obj
def add(settings: Settings, username: str, role: str, grids: tuple[str, ...], communities: tuple[str, ...],
        street: str | None, password_stdin: bool) -> None:
    """Create an account."""
    password = _password(password_stdin)
    with connect(resolve_url(settings.database)) as conn:
        migrations.upgrade(conn)
        account = accounts.add(conn, username, role=role, password=password, grids=grids,
                               communities=communities, street=street)
    click.echo(f"added {account.username}: {account.role.value}{_where(account)}")


def _where(account: accounts.Account) -> str:
    """What the account answers for, as a CLI line ends: " of G01, G02", " of 幸福里社区 (某街道)", ""."""
    if account.grids:
        return f" of {', '.join(account.grids)}"
    if account.communities:
        return f" of {', '.join(account.communities)}" + (f" ({account.street})" if account.street else "")
    return f" of street {account.street}" if account.street else ""


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
        scope = ",".join(a.grids or a.communities) + (f" ({a.street})" if a.communities and a.street else "")
        scope = scope or (f"street:{a.street}" if a.street else "-")
        click.echo(f"{a.username:<20} {a.role.value:<15} {scope:<24} {a.created_at:%Y-%m-%d}{state}")


def _change(settings: Settings, change: Callable[[psycopg.Connection, str], T]) -> T:
    """Run one audited change (given the connection and who runs it) on a migrated database; what it returned."""
    with connect(resolve_url(settings.database)) as conn:
        migrations.upgrade(conn)
        return change(conn, getpass.getuser())


@user.command()
@click.argument("username")
@click.pass_obj
def disable(settings: Settings, username: str) -> None:
    """Disable an account: its dashboard sessions end at once and it cannot sign in."""
    _change(settings, lambda conn, by: account_changes.set_disabled(conn, username, True, by=by))
    click.echo(f"disabled {username}; its sessions ended")


@user.command()
@click.argument("username")
@click.pass_obj
def enable(settings: Settings, username: str) -> None:
    """Enable a disabled account: it can sign in again."""
    _change(settings, lambda conn, by: account_changes.set_disabled(conn, username, False, by=by))
    click.echo(f"enabled {username}")


@user.command("set-role")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role if r in ACCOUNT_ROLES]))
@click.option("--grid", "grids", multiple=True, metavar="CODE", help="A grid the grid leader leads (repeat).")
@click.option("--community", "communities", multiple=True, metavar="NAME",
              help="A community the secretary answers for (repeat).")
@click.option("--street", metavar="NAME", help="The street officer's street, a planner's, or a secretary's.")
@click.pass_obj
def set_role(
    settings: Settings, username: str, role: str, grids: tuple[str, ...], communities: tuple[str, ...],
    street: str | None,
) -> None:
    """Give an account a role with the scope that role needs (grid leader: --grid; secretary: --community;
    street officer: --street), or the same role a new scope."""
    scope = {areas.GRIDS: grids, areas.COMMUNITIES: communities, areas.STREET: (street,) if street else ()}
    changed = _change(settings, lambda conn, by: account_changes.set_role(conn, username, role=role, scope=scope, by=by))
    click.echo(f"{changed.username} is now {changed.role.value}{_where(changed)}")


@user.command("set-grids")
@click.argument("username")
@click.option("--grid", "grids", multiple=True, metavar="CODE", required=True, help="A grid the leader leads (repeat).")
@click.pass_obj
def set_grids(settings: Settings, username: str, grids: tuple[str, ...]) -> None:
    """Give a grid leader these grids instead of theirs (seen from their next request on)."""
    def change(conn: psycopg.Connection, by: str) -> accounts.Account:
        account = accounts.get(conn, username)
        if account is None or not own_grids_only(account.role):
            raise InputError(f"{username} is no grid leader; give another role its scope with set-role")
        return account_changes.set_role(conn, username, role=account.role.value, scope={"grids": grids}, by=by)

    changed = _change(settings, change)
    click.echo(f"{changed.username} is now {changed.role.value}{_where(changed)}")


@user.command("end-sessions")
@click.argument("username")
@click.pass_obj
def end_sessions(settings: Settings, username: str) -> None:
    """Sign an account out everywhere: every open session of it ends now."""
    ended = _change(settings, lambda conn, by: account_changes.end_sessions(conn, username, by=by))
    click.echo(f"ended {ended} session(s) of {username}")


@user.command("demo-accounts")
@click.pass_obj
def demo_accounts(settings: Settings) -> None:
    """Make or reset one account per role with new random passwords, and print how to sign in (demo only)."""
    with connect(resolve_url(settings.database)) as conn:
        migrations.upgrade(conn)
        first = conn.execute("SELECT min(grid_code) FROM grids").fetchone()
        if not first or first[0] is None:
            raise InputError("no grid is loaded yet: load the demo first (gridgov load geodata/demo)")
        known = areas.communities(conn)
        scopes = {
            "secretary": {"communities": known[0][1:], "street": known[0][0]},
            "secretary2": {"communities": known[1][1:], "street": known[1][0]} if len(known) > 1 else None,
            "street": {"street": known[0][0]} if known[0][0] else None,
            "leader": {"grids": (first[0],)},
        }
        made = {}
        for username, role in DEMO_ACCOUNTS.items():
            scope = scopes.get(username, {})
            if scope is None:
                continue  # no second community, or no street, in the data loaded
            password = secrets.token_urlsafe(12)
            if accounts.get(conn, username) is not None:
                accounts.remove(conn, username)  # role or scope may have changed since: make it anew
            made[username] = (accounts.add(conn, username, role=role.value, password=password, **scope), password)
    lines = [f"sign in at http://{settings.dashboard.host}:{settings.dashboard.port}/login as one of:", "  user        password          role"]
    for username, (account, password) in made.items():
        lines.append(f"  {username:<11} {password:<17} {account.role.value}{_where(account)}")
    text = "\n".join(lines) + "\n"
    _keep(Path(settings.database.home) / "demo-accounts.txt", text)
    click.echo(text, nl=False)
    click.echo(f"(also kept in {Path(settings.database.home) / 'demo-accounts.txt'})")


def _keep(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
