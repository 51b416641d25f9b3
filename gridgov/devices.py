"""Wall devices: the wall screen's own sign-in, long-lived, read-only and bound to the wall page.

A wall screen across the room runs for months; a person's sign-in ends after
hours (gridgov.sessions). So the administrator makes the screen a device
sign-in (`gridgov wall-device add NAME`): a random token, shown once as the
URL to open on the screen (`/wall/device/<token>`), of which only a SHA-256 is
kept (table `wall_devices`, migration 015). Opening it starts a session of the
role WALL_DEVICE, which the access policy (gridgov.access) allows the wall page
and its numbers and nothing else. The device lasts `wall_device_days` and can
be revoked at once (`gridgov wall-device revoke NAME`), which ends its
sessions. Making and revoking a device, and every sign-in with it, are in the
audit table, under the device's audit name (`wall:NAME`, which no account can
have). The functions take a connection and leave committing to the caller.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

from gridgov import areas, audit, credentials
from gridgov.access import Role
from gridgov.accounts import Account
from gridgov.errors import InputError

AUDIT_PREFIX = "wall:"  # a colon is in no username (accounts' rule), so a device is never mistaken for a person
ADDED = "wall_device_added"
REVOKED = "wall_device_revoked"
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")  # the wall_devices table's CHECK


@dataclass(frozen=True)
class Device:
    """A wall device as the administrator sees it (never its token)."""

    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    communities: tuple[str, ...] = ()  # what the screen shows: its communities (gridgov.areas) …
    street: str | None = None  # … of this street, or the whole street when no community is named

    @property
    def audit_name(self) -> str:
        """Who the device is in the audit table and on the wall's user bar."""
        return AUDIT_PREFIX + self.name

    def account(self) -> Account:
        """The device as the dashboard's requests see who is signed in."""
        return account(self.name, self.created_at, self.communities, self.street)


def account(
    name: str, created_at: datetime, communities: Sequence[str] = (), street: str | None = None
) -> Account:
    """The Account a device's session is answered for: role WALL_DEVICE, its area, no password (so no tag)."""
    return Account(AUDIT_PREFIX + name, Role.WALL_DEVICE, (), False, created_at, "", tuple(communities), street)


COLUMNS = "name, created_at, expires_at, revoked_at, communities, street"
"""The columns of `wall_devices` a Device is made of, in its order."""


def _device(row: tuple) -> Device:
    name, created_at, expires_at, revoked_at, communities, street = row
    return Device(name, created_at, expires_at, revoked_at, tuple(communities), street)


token_hash = credentials.digest  # what is kept of a device's token


def add(
    conn: psycopg.Connection, name: str, *, lifetime: timedelta, by: str, communities: Sequence[str] = (),
    street: str | None = None,
) -> str:
    """Make a device called `name` lasting `lifetime`, showing `communities` (of `street`) or the whole `street`;
    its token, to be shown once. A revoked or expired one is replaced."""
    if not _NAME.match(name):
        raise InputError(f"a wall device's name is 1–64 letters, digits or _ . -, not {name!r}")
    if not communities and not street:
        raise InputError("a wall device shows one or more communities (--community NAME) or a street (--street NAME)")
    # a street's screen is scoped as a street officer is; a community's as a secretary is
    area = areas.check(conn, Role.WALL_DEVICE if communities else Role.STREET_OFFICER, communities, street)
    live = conn.execute(
        "SELECT 1 FROM wall_devices WHERE name = %s AND revoked_at IS NULL AND expires_at > now()", [name]
    ).fetchone()
    if live:
        raise InputError(f"there is already a wall device {name!r} (revoke it first: gridgov wall-device revoke {name})")
    conn.execute("DELETE FROM wall_devices WHERE name = %s", [name])  # a revoked or expired one, with its sessions
    token = credentials.new_token()
    row = conn.execute(
        "INSERT INTO wall_devices (name, token_hash, expires_at, communities, street)"
        " VALUES (%s, %s, now() + %s, %s, %s) RETURNING expires_at",
        [name, token_hash(token), lifetime, list(area.communities), area.street],
    ).fetchone()
    assert row is not None
    detail = {"by": by, "expires_at": row[0].isoformat(), "communities": list(area.communities), "street": area.street}
    audit.record(conn, username=AUDIT_PREFIX + name, action=ADDED, detail=detail)
    return token


def revoke(conn: psycopg.Connection, name: str, *, by: str) -> None:
    """Revoke the device and end its sessions at once; an InputError if there is no such device still valid."""
    done = conn.execute(
        "UPDATE wall_devices SET revoked_at = now() WHERE name = %s AND revoked_at IS NULL", [name]
    ).rowcount
    if not done:
        raise InputError(f"there is no wall device {name!r} that is not revoked already")
    conn.execute("UPDATE sessions SET revoked_at = now() WHERE device = %s AND revoked_at IS NULL", [name])
    audit.record(conn, username=AUDIT_PREFIX + name, action=REVOKED, detail={"by": by})


def list_devices(conn: psycopg.Connection) -> list[Device]:
    """Every device, by name."""
    rows = conn.execute(f"SELECT {COLUMNS} FROM wall_devices ORDER BY name").fetchall()
    return [_device(row) for row in rows]


def by_token(conn: psycopg.Connection, token: str) -> Device | None:
    """The device whose token this is, while it is neither revoked nor expired; else None."""
    row = conn.execute(
        f"SELECT {COLUMNS} FROM wall_devices WHERE token_hash = %s AND revoked_at IS NULL AND expires_at > now()",
        [token_hash(token)],
    ).fetchone()
    return _device(row) if row else None
