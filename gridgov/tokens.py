"""Systems' API tokens: the 12345 platform's intake key, a unit's own system, a reader; never accounts.

A system calls the case API (`Authorization: Bearer <token>`) or the Open311
intake (`api_key`) with a token the administrator makes with
`gridgov token add NAME --scope intake|unit|read [--unit UNIT]`: a random
string printed once, of which only a SHA-256 is kept (table `api_tokens`,
migration 021; gridgov.credentials). Its scope is its role in the access
policy (SCOPE_ROLES: gridgov.access SYSTEM_ROLES), so `decide()` answers for a
system as for a person; a unit token acts for the one unit it names. Revoking
(`gridgov token revoke NAME`) holds from the next request: nothing is cached.
Making and revoking a token are in the audit table, as is everything a
system does, under the token's audit name (`token:NAME`, which no account
can have). The functions take a connection and leave committing to the caller.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import psycopg

from gridgov import audit, credentials
from gridgov.access import Role
from gridgov.errors import InputError

AUDIT_PREFIX = "token:"  # a colon is in no username, so a system is never mistaken for a person
ADDED = "api_token_added"
REVOKED = "api_token_revoked"
SCOPE_ROLES: Mapping[str, Role] = {
    "intake": Role.INTAKE_SYSTEM,
    "unit": Role.UNIT_SYSTEM,
    "read": Role.READ_SYSTEM,
}
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")  # the api_tokens table's CHECK
_COLUMNS = "name, scope, unit, created_at, revoked_at, last_used_at"
TOUCH_SECONDS = 60  # last_used_at is written at most this often per token


@dataclass(frozen=True)
class Token:
    """A token as the administrator and the API see it (never the token itself)."""

    name: str
    scope: str
    unit: str | None
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def role(self) -> Role:
        """The role the access policy answers this token for."""
        return SCOPE_ROLES[self.scope]

    @property
    def audit_name(self) -> str:
        """Who the system is in the audit table and in a case's events."""
        return AUDIT_PREFIX + self.name


def add(conn: psycopg.Connection, name: str, *, scope: str, unit: str | None = None, by: str) -> str:
    """Make a token called `name`; the token, to be shown once. A revoked one of that name is replaced."""
    if not _NAME.match(name):
        raise InputError(f"a token's name is 1–64 letters, digits or _ . -, not {name!r}")
    if scope not in SCOPE_ROLES:
        raise InputError(f"unknown scope {scope!r}; scopes: {', '.join(SCOPE_ROLES)}")
    if (scope == "unit") != (unit is not None):
        raise InputError("a token of scope unit names its unit (--unit UNIT); other scopes name none")
    if unit is not None and not conn.execute("SELECT 1 FROM units WHERE name = %s AND active", [unit]).fetchone():
        raise InputError(f"there is no active unit {unit!r}")
    if conn.execute("SELECT 1 FROM api_tokens WHERE name = %s AND revoked_at IS NULL", [name]).fetchone():
        raise InputError(f"there is already a token {name!r} (revoke it first: gridgov token revoke {name})")
    conn.execute("DELETE FROM api_tokens WHERE name = %s", [name])  # a revoked one
    token = credentials.new_token()
    conn.execute(
        "INSERT INTO api_tokens (name, scope, unit, token_hash) VALUES (%s, %s, %s, %s)",
        [name, scope, unit, credentials.digest(token)],
    )
    audit.record(conn, username=AUDIT_PREFIX + name, action=ADDED, detail={"by": by, "scope": scope, "unit": unit})
    return token


def revoke(conn: psycopg.Connection, name: str, *, by: str) -> None:
    """Revoke the token at once; an InputError if there is no such token still valid."""
    done = conn.execute(
        "UPDATE api_tokens SET revoked_at = now() WHERE name = %s AND revoked_at IS NULL", [name]
    ).rowcount
    if not done:
        raise InputError(f"there is no token {name!r} that is not revoked already")
    audit.record(conn, username=AUDIT_PREFIX + name, action=REVOKED, detail={"by": by})


def list_tokens(conn: psycopg.Connection) -> list[Token]:
    """Every token, by name."""
    return [Token(*row) for row in conn.execute(f"SELECT {_COLUMNS} FROM api_tokens ORDER BY name")]


def by_token(conn: psycopg.Connection, token: str) -> Token | None:
    """The token's record while it is not revoked (its use noted, at most once a minute); else None."""
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM api_tokens WHERE token_hash = %s AND revoked_at IS NULL",
        [credentials.digest(token)],
    ).fetchone()
    if row is None:
        return None
    found = Token(*row)
    conn.execute(
        "UPDATE api_tokens SET last_used_at = now() WHERE name = %s"
        " AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => %s))",
        [found.name, TOUCH_SECONDS],
    )
    return found
