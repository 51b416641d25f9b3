"""HTTP Basic authentication of the OGC API against the gridgov accounts, and the audit of what it serves.

Every request but `/healthz` and the static assets of the HTML pages
(`/static/...`: Leaflet and a stylesheet, no data) needs the username and password of an active
account whose role may take de-identified layers away: a planner or the
secretary (grid leaders and the administrator are refused with 403). A
missing or wrong password gets 401 with `WWW-Authenticate: Basic
realm="gridgov"` and, when a username was given, a failed sign-in in the audit
table: the password and the limits are checked by the kernel's one sign-in
check (gridgov.signin, the dashboard's too, so they share the limits: too many
failures from the client's address, for one username or for all, are refused
with 429 until the window passes; too many checks at once with 503). Which
roles may use the API is the access policy's (gridgov.access). Its layers are
whole (every grid of the database): an account limited to a part of it (a
secretary of some of the communities, a street officer, a planner of one
street: gridgov.areas) is refused with 403 and pointed at the dashboard's export.
Passwords are checked in a thread (argon2 is slow on purpose) and a success is
remembered for 60 s, keyed on an HMAC of the credentials under a per-process
key, so a client paging through a layer does not re-hash on every request; a
password change or a disabled account therefore takes effect within 60 s.
Each request for features (`/collections/{id}/items[/{feature}]`) is written
to the audit table as an export before it is served.

This needs the owner's connection (the API's tipg pool is the reader role,
which can read neither `users` nor `audit`): a small pool of its own.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from gridgov import access, areas, audit, signin
from gridgov.accounts import Account

RESOURCE = access.api("ogc")
REALM = "gridgov"
CACHE_SECONDS = 60.0
OPEN_PATHS = frozenset({"/healthz"})
OPEN_PREFIXES = ("/static/",)  # the HTML pages' assets (api/html.py), no data
VIA = "ogc_api"
_MAX_FIELD = 200  # longer input is no username or password of ours; keep it out of the audit table
_ITEMS = re.compile(r"^/collections/(?P<collection>[^/]+)/items(?:/(?P<feature>[^/]+))?/?$")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def credentials(header: bytes | None) -> tuple[str, str] | None:
    """The username and password of a `Basic` Authorization header, or None."""
    if not header:
        return None
    scheme, _, value = header.decode("latin-1").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    username, sep, password = text.partition(":")
    if not sep:
        return None
    return username.strip()[:_MAX_FIELD], password[:_MAX_FIELD]


class Verifier:
    """Checks credentials against the accounts (in a thread), remembers successes briefly, audits."""

    def __init__(self, pool: ConnectionPool, cache_seconds: float = CACHE_SECONDS) -> None:
        self.pool = pool
        self.cache_seconds = cache_seconds
        self._key = secrets.token_bytes(32)
        self._cache: dict[bytes, tuple[float, Account]] = {}
        self._pending: dict[bytes, asyncio.Future[Account | signin.Refusal]] = {}

    def _cache_key(self, username: str, password: str) -> bytes:
        return hmac.new(self._key, f"{username}\0{password}".encode(), hashlib.sha256).digest()

    def _check(self, username: str, password: str, ip: str | None) -> Account | signin.Refusal:
        """The account, or why it was refused (gridgov.signin: audited, via the OGC API)."""
        return signin.check(self.pool.connection, signin.Attempt(username, password, ip, via=VIA))

    async def verify(self, username: str, password: str, ip: str | None) -> Account | signin.Refusal:
        """As `_check`, served from the cache of recent successes; one check at a time per credentials."""
        key = self._cache_key(username, password)
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit and hit[0] > now:
            return hit[1]
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Account | signin.Refusal] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            result = await asyncio.to_thread(self._check, username, password, ip)
        except BaseException as exc:
            if isinstance(exc, Exception):
                future.set_exception(exc)
                future.exception()  # retrieved: waiters re-raise it, nobody else needs to
            else:
                future.cancel()
            raise
        finally:
            self._pending.pop(key, None)
        if isinstance(result, Account):
            self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
            self._cache[key] = (time.monotonic() + self.cache_seconds, result)
        future.set_result(result)
        return result

    def _record_export(self, username: str, detail: dict[str, Any], ip: str | None) -> None:
        with self.pool.connection() as conn:
            audit.record(conn, username=username, action=audit.EXPORT, detail=detail, ip=ip)

    async def record_export(self, username: str, detail: dict[str, Any], ip: str | None) -> None:
        await asyncio.to_thread(self._record_export, username, detail, ip)

    def _covers_every_grid(self, area: areas.Area) -> bool:
        with self.pool.connection() as conn:
            every = conn.execute("SELECT count(*) FROM grids").fetchone()
            return len(areas.grids_of(conn, area)) == (every[0] if every else 0)

    async def covers_every_grid(self, area: areas.Area) -> bool:
        """Whether `area` holds every grid of the database: what the API serves (its layers are whole)."""
        return area.everything or await asyncio.to_thread(self._covers_every_grid, area)


async def _reply(send: Send, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"code": status, "description": message}).encode()
    await send({
        "type": "http.response.start", "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *(headers or [])],
    })
    await send({"type": "http.response.body", "body": body})


log = logging.getLogger(__name__)
_CHALLENGE = [(b"www-authenticate", f'Basic realm="{REALM}"'.encode())]


class BasicAuthMiddleware:
    """Pure ASGI: every HTTP request but OPEN_PATHS needs an allowed account; feature requests are audited."""

    def __init__(self, app: ASGIApp, verifier: Verifier) -> None:
        self.app = app
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS or scope["path"].startswith(OPEN_PREFIXES):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = credentials(headers.get(b"authorization"))
        client = scope.get("client")
        ip = str(client[0]) if client else None
        if given is None or not given[0]:
            await _reply(send, 401, "sign in with a gridgov account (HTTP Basic)", _CHALLENGE)
            return
        username, password = given
        try:
            result = await self.verifier.verify(username, password, ip)
        except psycopg.Error:
            log.exception("checking the credentials of %r failed", username)
            await _reply(send, 503, "the accounts cannot be checked now; try again later")
            return
        if result is signin.Refusal.THROTTLED:
            await _reply(send, 429, "too many failed sign-ins from this address; try again later")
            return
        if result is signin.Refusal.BUSY:
            await _reply(send, 503, "too many sign-ins at once; try again in a moment", [(b"retry-after", b"5")])
            return
        if not isinstance(result, Account):
            await _reply(send, 401, "wrong username or password", _CHALLENGE)
            return
        if not access.decide(result.role, RESOURCE).allowed:
            await _reply(send, 403, f"a {result.role.value} account may not use the OGC API (planners and the secretary may)")
            return
        try:
            whole = await self.verifier.covers_every_grid(result.area)
        except psycopg.Error:
            log.exception("the area of %r could not be read", username)
            await _reply(send, 503, "the accounts cannot be checked now; try again later")
            return
        if not whole:  # its layers hold every grid of the database: an account of a part takes the dashboard's export
            await _reply(send, 403, f"the OGC API serves every grid of the database; an account of {result.area.label()}"
                                    " takes its area's layers from the dashboard's export page")
            return
        match = _ITEMS.match(scope["path"])
        if match:
            detail: dict[str, Any] = {
                "via": VIA, "collection": match["collection"],
                "query": scope.get("query_string", b"").decode("latin-1"),
            }
            if match["feature"]:
                detail["feature"] = match["feature"]
            try:
                await self.verifier.record_export(result.username, detail, ip)  # before the data leaves
            except psycopg.Error:
                log.exception("the export of %s could not be audited", match["collection"])
                await _reply(send, 503, "the request could not be written to the audit trail; nothing was served")
                return
        await self.app(scope, receive, send)
