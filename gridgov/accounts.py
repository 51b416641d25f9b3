"""Accounts: who may sign in, with which role and grids; passwords kept only as argon2id hashes.

Roles (gridgov.access.Role, where the policy says what each may see):
secretary (社区书记, the communities listed on the account), street_officer
(街道, every community of the account's street), grid_leader (网格员, the grids
listed on the account), planner (规划, de-identified layers and exports, of one
street or of everything) and admin (manages accounts, sees no community data);
a wall device is no account (gridgov.devices). gridgov.areas says which
scope each role carries and checks it against the loaded grids. The functions take a connection and leave committing to
the caller. Hashing uses argon2-cffi's defaults (argon2id, RFC 9106's
low-memory profile); a hash made with older parameters is replaced at the
next sign-in. A new password, a disabled account or a removed one ends the
account's dashboard sessions at once (the database does it: migration 015).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import psycopg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gridgov import areas
from gridgov.access import ACCOUNT_ROLES, Role, own_grids_only
from gridgov.errors import InputError

MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")  # the same rule as the users table's CHECK
_hasher = PasswordHasher()
# verified against when the username is unknown, so a wrong name costs as long as a wrong password
_DUMMY_HASH = _hasher.hash("no such account")


@dataclass(frozen=True)
class Account:
    """A user as the app needs them: never the password, only a tag that changes when it does."""

    username: str
    role: Role
    grids: tuple[str, ...]
    disabled: bool
    created_at: datetime
    session_tag: str  # derived from the password hash: a new password ends the sessions made with the old one
    communities: tuple[str, ...] = ()  # a secretary's communities (gridgov.areas)
    street: str | None = None  # a street officer's street, a planner's if any, a secretary's to tell names apart

    @property
    def area(self) -> areas.Area:
        """The communities or street the account answers for (a grid leader's grids are `grids`)."""
        return areas.Area(self.communities, self.street)


COLUMNS = "username, role, grids, disabled, created_at, password_hash, communities, street"
"""The columns of `users` that from_row takes, in its order."""


def from_row(row: tuple) -> Account:
    """The Account of a `users` row selected as COLUMNS."""
    username, role, grids, disabled, created_at, password_hash, communities, street = row
    tag = hashlib.sha256(password_hash.encode()).hexdigest()[:16]
    return Account(username, Role(role), tuple(grids), disabled, created_at, tag, tuple(communities), street)


def hash_password(password: str) -> str:
    """An argon2id hash of `password` (refused when shorter than MIN_PASSWORD_LENGTH)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def _check_username(username: str) -> None:
    if not _USERNAME.match(username):
        raise InputError(f"a username is 1–64 letters, digits or _ . @ -, not {username!r}")


def _check_grids(conn: psycopg.Connection, role: Role, grids: Sequence[str]) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(grids))
    if own_grids_only(role) and not codes:
        raise InputError("a grid leader needs at least one grid (--grid CODE)")
    if not own_grids_only(role) and codes:
        raise InputError(f"only a grid leader is tied to grids; a {role.value} sees what the role allows")
    if codes:
        rows = conn.execute("SELECT grid_code FROM grids WHERE grid_code = ANY(%s)", [list(codes)]).fetchall()
        unknown = sorted(set(codes) - {r[0] for r in rows})
        if unknown:
            raise InputError(f"no grid {', '.join(unknown)} is loaded")
    return codes


def role_named(role: str) -> Role:
    """The account role called `role`, or an InputError listing the roles."""
    account_role = next((r for r in ACCOUNT_ROLES if r.value == role), None)
    if account_role is None:
        raise InputError(f"unknown role {role!r}; roles: {', '.join(sorted(ACCOUNT_ROLES))}")
    return account_role


def check_scope(
    conn: psycopg.Connection, role: Role, grids: Sequence[str] = (), communities: Sequence[str] = (),
    street: str | None = None,
) -> tuple[tuple[str, ...], areas.Area]:
    """The grids and area an account of `role` may carry, checked against the loaded grids; an InputError if not."""
    return _check_grids(conn, role, grids), areas.check(conn, role, communities, street)


def add(
    conn: psycopg.Connection, username: str, *, role: str, password: str, grids: Sequence[str] = (),
    communities: Sequence[str] = (), street: str | None = None,
) -> Account:
    """Create an account; an InputError if the name is taken, the role unknown or its scope not loaded."""
    _check_username(username)
    account_role = role_named(role)
    codes, area = check_scope(conn, account_role, grids, communities, street)
    row = conn.execute(
        f"INSERT INTO users (username, password_hash, role, grids, communities, street)"
        f" VALUES (%s, %s, %s, %s, %s, %s)"
        f" ON CONFLICT (username) DO NOTHING RETURNING {COLUMNS}",
        [username, hash_password(password), account_role.value, list(codes), list(area.communities), area.street],
    ).fetchone()
    if row is None:
        raise InputError(f"there is already a user {username!r}")
    return from_row(row)


def set_password(conn: psycopg.Connection, username: str, password: str) -> None:
    """Give the account a new password (which ends its sessions: migration 015's trigger)."""
    done = conn.execute(
        "UPDATE users SET password_hash = %s WHERE username = %s", [hash_password(password), username]
    ).rowcount
    if not done:
        raise InputError(f"there is no user {username!r}")


def remove(conn: psycopg.Connection, username: str) -> None:
    """Delete the account and its sessions; its audit rows stay."""
    if not conn.execute("DELETE FROM users WHERE username = %s", [username]).rowcount:
        raise InputError(f"there is no user {username!r}")


def get(conn: psycopg.Connection, username: str) -> Account | None:
    """The account called `username`, or None."""
    row = conn.execute(f"SELECT {COLUMNS} FROM users WHERE username = %s", [username]).fetchone()
    return from_row(row) if row else None


def list_accounts(conn: psycopg.Connection) -> list[Account]:
    """Every account, by username."""
    return [from_row(r) for r in conn.execute(f"SELECT {COLUMNS} FROM users ORDER BY username")]


def stored_hash(conn: psycopg.Connection, username: str) -> str:
    """The hash to check a password for `username` against: a dummy for an unknown username, which costs the same."""
    row = conn.execute("SELECT password_hash FROM users WHERE username = %s", [username]).fetchone()
    return str(row[0]) if row else _DUMMY_HASH


def password_matches(stored: str, password: str) -> bool:
    """Whether `password` is the one `stored` was made from: argon2, slow on purpose (no database is touched)."""
    try:
        return bool(_hasher.verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


def accept(conn: psycopg.Connection, username: str, stored: str, password: str) -> Account | None:
    """After `password` matched `stored`: the account if it still has that hash and is not disabled (renewed if outdated)."""
    row = conn.execute(
        f"SELECT {COLUMNS} FROM users WHERE username = %s AND password_hash = %s", [username, stored]
    ).fetchone()
    if row is None or row[3]:  # unknown (matched the dummy by chance), a new password meanwhile, or disabled
        return None
    if _hasher.check_needs_rehash(stored):
        conn.execute("UPDATE users SET password_hash = %s WHERE username = %s", [_hasher.hash(password), username])
        return get(conn, username)
    return from_row(row)


def authenticate(conn: psycopg.Connection, username: str, password: str) -> Account | None:
    """The account if `password` is its password and it is not disabled; None otherwise (no throttle: gridgov.signin)."""
    stored = stored_hash(conn, username)
    if not password_matches(stored, password):
        return None
    return accept(conn, username, stored, password)
