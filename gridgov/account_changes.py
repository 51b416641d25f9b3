"""What the administrator changes on an account, each change audited: add, disable, enable, reset the password,
change the role and its scope, end the sessions.

gridgov.accounts keeps the accounts; this module is the administrator's hand
on them, used alike by the dashboard's /admin page and by `gridgov user`, so
both refuse the same things with the same words and write the same audit rows
(who did it, which account, never a password). A new or reset password is
made here at random and returned to be shown once; only its hash is stored.

A role's scope is "the fields of the account the role needs" (gridgov.areas
SCOPE_FIELDS: a grid leader's grids, a secretary's communities, a street
officer's street, a planner's street if any); a change of role empties the
fields the new role does not use, and the values are checked against the
loaded grids by gridgov.accounts.check_scope. FIELDS says, per field, its
column, whether it holds several values and what a form offers for it, so a
new kind of scope is one line there.

The session of an account that is disabled or given a new password ends at
once (migration 015's trigger); a change of role or scope needs no new
sign-in: every request reads the account afresh (gridgov.sessions.lookup).
The functions take a connection and leave committing to the caller (each
change and its audit row are one transaction).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from gridgov import accounts, areas, audit
from gridgov.access import Role
from gridgov.accounts import Account
from gridgov.errors import InputError

ADDED = "account_added"
DISABLED = "account_disabled"
ENABLED = "account_enabled"
PASSWORD_RESET = "password_reset"
ROLE_CHANGED = "account_role_changed"
SESSIONS_ENDED = "sessions_ended"
ACTIONS = (ADDED, DISABLED, ENABLED, PASSWORD_RESET, ROLE_CHANGED, SESSIONS_ENDED)
PASSWORD_BYTES = 12  # secrets.token_urlsafe(12): 16 characters, 96 random bits


@dataclass(frozen=True)
class ScopeField:
    """A field of an account that scopes what it sees: its `users` column (and Account attribute, and
    accounts.add keyword), whether it holds several values, and what a form offers for it."""

    column: str
    many: bool
    choices: Callable[[psycopg.Connection], list[tuple[str, str]]]  # (value, label), in the order offered


def _grid_choices(conn: psycopg.Connection) -> list[tuple[str, str]]:
    rows = conn.execute("SELECT grid_code, grid_code || ' ' || grid_name FROM grids ORDER BY grid_code").fetchall()
    return [(str(code), str(label)) for code, label in rows]


def _community_choices(conn: psycopg.Connection) -> list[tuple[str, str]]:
    names = dict.fromkeys(name for _street, name in areas.communities(conn))
    return [(name, name) for name in names]


def _street_choices(conn: psycopg.Connection) -> list[tuple[str, str]]:
    return [(name, name) for name in areas.streets(conn)]


FIELDS: Mapping[str, ScopeField] = {
    areas.GRIDS: ScopeField("grids", True, _grid_choices),
    areas.COMMUNITIES: ScopeField("communities", True, _community_choices),
    areas.STREET: ScopeField("street", False, _street_choices),
}
SCOPE_FIELDS = areas.SCOPE_FIELDS  # role -> the scope fields it carries

Scope = Mapping[str, Sequence[str]]
"""A scope as given: field -> its values (a single-valued field: one value, or none)."""


def role_of(value: object) -> Role:
    """The account role named `value`; an InputError listing the roles for anything else."""
    return accounts.role_named(value[:40] if isinstance(value, str) else repr(value)[:40])


def choices(conn: psycopg.Connection, field: str) -> list[tuple[str, str]]:
    """The values a scope field may take, with their labels: what a form offers."""
    return FIELDS[field].choices(conn)


def scope_of(account: Account) -> dict[str, tuple[str, ...]]:
    """The account's scope, field by field (the fields its role carries that hold something)."""
    out = {}
    for name in SCOPE_FIELDS.get(account.role, ()):
        value = getattr(account, FIELDS[name].column)
        values = tuple(value or ()) if FIELDS[name].many else ((value,) if value else ())
        if values:
            out[name] = values
    return out


def _checked_scope(conn: psycopg.Connection, role: Role, scope: Scope) -> dict[str, Any]:
    """Every scope column's value for an account of `role` given `scope`: checked (gridgov.accounts.check_scope),
    and empty for the fields the role does not carry; an InputError saying what is wrong."""
    unknown = sorted(f for f, values in scope.items() if values and f not in FIELDS)
    if unknown:
        raise InputError(f"no scope field {', '.join(unknown)}; fields: {', '.join(FIELDS)}")
    values = {name: [v.strip() for v in scope.get(name, ()) if isinstance(v, str) and v.strip()] for name in FIELDS}
    extra = sorted(f for f, given in values.items() if given and f not in SCOPE_FIELDS.get(role, ()))
    if extra:
        raise InputError(f"a {role.value} is not scoped by {', '.join(extra)}; it sees what the role allows")
    single = [f for f, field in FIELDS.items() if not field.many and len(values[f]) > 1]
    if single:
        raise InputError(f"an account has one {single[0]}, not {len(values[single[0]])}")
    grids, area = accounts.check_scope(
        conn, role, grids=values[areas.GRIDS], communities=values[areas.COMMUNITIES],
        street=next(iter(values[areas.STREET]), None),
    )
    return {"grids": list(grids), "communities": list(area.communities), "street": area.street}


def _said(stored: Mapping[str, Any]) -> dict[str, Any]:
    """The scope as the audit row says it: the fields that hold something."""
    return {k: v for k, v in stored.items() if v}


def _existing(conn: psycopg.Connection, username: object) -> Account:
    found = accounts.get(conn, username) if isinstance(username, str) and username else None
    if found is None:
        raise InputError(f"there is no user {str(username)[:64]!r}")
    return found


def _keep_an_admin(conn: psycopg.Connection, account: Account) -> None:
    """Refuse a change that would leave no enabled administrator (no one could manage accounts on the web)."""
    if account.role is not Role.ADMIN or account.disabled:
        return
    others = conn.execute(
        "SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled AND username <> %s", [account.username]
    ).fetchone()
    if not others or not others[0]:
        raise InputError(f"{account.username} is the last enabled administrator: make another one first")


def add(conn: psycopg.Connection, username: str, *, role: str, scope: Scope, by: str) -> tuple[Account, str]:
    """Make an account with a random password; the account and the password, to be shown this once."""
    account_role = role_of(role)
    checked = _checked_scope(conn, account_role, scope)
    password = secrets.token_urlsafe(PASSWORD_BYTES)
    made = accounts.add(conn, username, role=account_role.value, password=password, **checked)
    audit.record(conn, username=by, action=ADDED,
                 detail={"account": made.username, "role": made.role.value, **_said(checked)})
    return made, password


def set_disabled(conn: psycopg.Connection, username: str, disabled: bool, *, by: str) -> Account:
    """Disable (its sessions end at once) or enable the account; an InputError if it is so already."""
    account = _existing(conn, username)
    if account.disabled == disabled:
        state = "disabled" if disabled else "enabled"
        raise InputError(f"{account.username} is {state} already")
    if disabled:
        _keep_an_admin(conn, account)
    conn.execute("UPDATE users SET disabled = %s WHERE username = %s", [disabled, account.username])
    audit.record(conn, username=by, action=DISABLED if disabled else ENABLED, detail={"account": account.username})
    return _existing(conn, account.username)


def reset_password(conn: psycopg.Connection, username: str, *, by: str) -> str:
    """A new random password for the account (its sessions end at once), to be shown this once."""
    account = _existing(conn, username)
    password = secrets.token_urlsafe(PASSWORD_BYTES)
    accounts.set_password(conn, account.username, password)
    audit.record(conn, username=by, action=PASSWORD_RESET, detail={"account": account.username})
    return password


def set_role(conn: psycopg.Connection, username: str, *, role: str, scope: Scope, by: str) -> Account:
    """Give the account a role and the scope that role needs (the same role with a new scope: new grids)."""
    account = _existing(conn, username)
    new_role = role_of(role)
    checked = _checked_scope(conn, new_role, scope)
    if new_role is not Role.ADMIN:
        _keep_an_admin(conn, account)
    stored = {FIELDS[name].column: value for name, value in checked.items()}
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(column), sql.Placeholder(column)) for column in stored
    )
    conn.execute(
        sql.SQL("UPDATE users SET role = %(role)s, {} WHERE username = %(username)s").format(assignments),
        {**stored, "role": new_role.value, "username": account.username},
    )
    audit.record(conn, username=by, action=ROLE_CHANGED, detail={
        "account": account.username, "role": new_role.value, "was": account.role.value, **_said(checked),
        **{f"was_{f}": list(v) for f, v in scope_of(account).items()},
    })
    return _existing(conn, account.username)


def end_sessions(conn: psycopg.Connection, username: str, *, by: str) -> int:
    """End every session of the account now (it must sign in again); how many were open."""
    account = _existing(conn, username)
    ended = conn.execute(
        "UPDATE sessions SET revoked_at = now() WHERE username = %s AND revoked_at IS NULL"
        " AND expires_at > now() AND idle_expires_at > now()",
        [account.username],
    ).rowcount
    audit.record(conn, username=by, action=SESSIONS_ENDED, detail={"account": account.username, "sessions": ended})
    return ended
