"""Server-side sessions of the dashboard: a random id in the cookie, the record in the database decides.

A session is a row of `sessions` (migration 015), keyed by a SHA-256 of a
random id; the browser's cookie carries only the id. It is good while it is
not revoked, within its idle expiry (`idle` after its last use; the use is
written at most once every TOUCH_SECONDS) and within its absolute expiry,
which nothing moves. So signing out revokes it for every copy of the cookie,
and a copied cookie dies with the session it names. A person's session also
ends when the account's password changes or the account is disabled (a
trigger revokes its sessions; as a second lock each record keeps a tag of the
password hash it began under) or removed (its rows go with it). A wall
device's session (gridgov.devices) lasts as long as the device, and ends
when the device is revoked. Looking a session up is one indexed query joined
to the account or device; nothing is cached, so a revocation holds from the
next request on. The functions take a connection and leave committing to the
caller. An ended session's record is deleted KEEP_ENDED_DAYS after its
absolute expiry.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

from gridgov import accounts, credentials, devices
from gridgov.accounts import Account
from gridgov.devices import Device

TOUCH_SECONDS = 60  # the last use (and with it the idle expiry) is written at most this often per session
KEEP_ENDED_DAYS = 30  # an ended session's record is kept this long past its absolute expiry, then deleted
_MAX_USER_AGENT = 300


@dataclass(frozen=True)
class Started:
    """A new session: the id for the cookie (kept nowhere else), its absolute expiry and its idle lifetime."""

    sid: str
    expires_at: datetime
    idle: timedelta


_key = credentials.digest  # what is kept of a session id


def _start(
    conn: psycopg.Connection, *, idle: timedelta, lifetime: timedelta | None, ip: str | None, user_agent: str | None,
    username: str | None = None, tag: str = "", device: str | None = None,
) -> Started:
    sid = credentials.new_token()
    conn.execute("DELETE FROM sessions WHERE expires_at < now() - make_interval(days => %s)", [KEEP_ENDED_DAYS])
    row = conn.execute(
        "INSERT INTO sessions (id_hash, username, account_tag, device, idle, idle_expires_at, expires_at, ip, user_agent)"
        " SELECT %(key)s, %(user)s::text, %(tag)s, %(device)s::text, %(idle)s::interval,"
        " least(now() + %(idle)s::interval, e), e, %(ip)s::text, %(ua)s::text"
        " FROM (SELECT coalesce(now() + %(life)s::interval,"
        " (SELECT expires_at FROM wall_devices WHERE name = %(device)s::text)) AS e) AS x"
        " RETURNING expires_at",
        {
            "key": _key(sid), "user": username, "tag": tag, "device": device, "idle": idle, "life": lifetime,
            "ip": ip, "ua": (user_agent or "")[:_MAX_USER_AGENT] or None,
        },
    ).fetchone()
    assert row is not None
    return Started(sid, row[0], idle)


def start_for_account(
    conn: psycopg.Connection, account: Account, *, idle: timedelta, lifetime: timedelta, ip: str | None,
    user_agent: str | None,
) -> Started:
    """A person's session: it ends `idle` after its last use, and `lifetime` after now at the latest."""
    return _start(
        conn, idle=min(idle, lifetime), lifetime=lifetime, ip=ip, user_agent=user_agent,
        username=account.username, tag=account.session_tag,
    )


def start_for_device(conn: psycopg.Connection, device: Device, *, ip: str | None, user_agent: str | None) -> Started:
    """A wall device's session: it lasts as long as the device, however long the screen stays idle."""
    return _start(
        conn, idle=device.expires_at - device.created_at, lifetime=None, ip=ip, user_agent=user_agent,
        device=device.name,
    )


@dataclass(frozen=True)
class Current:
    """A session found good: who it is for (a wall device as an Account of role WALL_DEVICE) and its absolute expiry."""

    account: Account
    expires_at: datetime


def lookup(conn: psycopg.Connection, sid: str) -> Current | None:
    """The session `sid` while it is good, or None when it is over."""
    row = conn.execute(
        f"SELECT s.account_tag, s.device, d.created_at, d.communities, d.street, s.expires_at,"
        f" s.last_seen < now() - make_interval(secs => %(touch)s),"
        f" {', '.join('u.' + c.strip() for c in accounts.COLUMNS.split(','))}"
        " FROM sessions AS s"
        " LEFT JOIN users AS u ON u.username = s.username"
        " LEFT JOIN wall_devices AS d ON d.name = s.device AND d.revoked_at IS NULL AND d.expires_at > now()"
        " WHERE s.id_hash = %(key)s AND s.revoked_at IS NULL AND s.idle_expires_at > now() AND s.expires_at > now()",
        {"key": _key(sid), "touch": TOUCH_SECONDS},
    ).fetchone()
    if row is None:
        return None
    tag, device, device_made, device_communities, device_street, expires_at, stale, *user = row
    found: Account | None
    if device is not None:
        found = devices.account(device, device_made, device_communities, device_street) if device_made else None
    elif user[0] is not None:
        account = accounts.from_row(tuple(user))
        found = None if account.disabled or not hmac.compare_digest(account.session_tag, tag) else account
    else:
        found = None
    if found is None:
        return None
    if stale:
        conn.execute(
            "UPDATE sessions SET last_seen = now(), idle_expires_at = least(now() + idle, expires_at) WHERE id_hash = %s",
            [_key(sid)],
        )
    return Current(found, expires_at)


def revoke(conn: psycopg.Connection, sid: str) -> None:
    """End the session `sid` (signing out); nothing happens for one that is over already."""
    conn.execute("UPDATE sessions SET revoked_at = now() WHERE id_hash = %s AND revoked_at IS NULL", [_key(sid)])
