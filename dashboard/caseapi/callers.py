"""Who is asking the case API: a signed-in person (the session) or a system (its token), and on which connection.

A request with `Authorization: Bearer <token>` is the system whose token it
is (gridgov.tokens; unknown or revoked: 401); without one, the dashboard's
session (dashboard.web.session; none: 401). Either way the caller has a role,
and every route asks the access policy what that role may have (`allow`:
403 when refused). A person's session also makes the caller a browser, whose
writes must carry the session's CSRF token (`X-CSRF-Token`): another site can
make a browser send the cookie, never that header. A grid leader's reads and
writes run on the row-level-security connection of their grids
(gridgov.rls), so a case elsewhere is simply not found; everyone else's on
the app's connection, narrowed by the route (a unit: the cases it is called
in on).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import psycopg
from flask import g, request

from dashboard.web import data_access
from dashboard.web.appctx import pool
from dashboard.web.session import csrf_ok, current_account, viewer_for
from gridgov import access, audit, tokens
from gridgov.access import Role, Scope
from gridgov.cases import Source
from gridgov.errors import Forbidden, Unauthenticated
from layers.registry import Viewer

SOURCES = {
    Role.GRID_LEADER: Source.FIELD,
    Role.SECRETARY: Source.SECRETARY,
    Role.UNIT_SYSTEM: Source.UNIT,
    Role.INTAKE_SYSTEM: Source.INTAKE,
}
MAX_TOKEN = 200  # longer is no token of ours: not hashed, not looked up


@dataclass(frozen=True)
class Caller:
    """Who is asking: their audit name, role, grids (a grid leader), unit (a unit's system), and whether a browser."""

    name: str
    role: Role
    grids: tuple[str, ...] = ()
    unit: str | None = None
    browser: bool = False

    @property
    def source(self) -> Source:
        """The source of the events this caller writes (Forbidden for a role that writes none)."""
        if self.role not in SOURCES:
            raise Forbidden(f"a {self.role.value} adds no events to cases")
        return SOURCES[self.role]


def system(raw: str) -> Caller | None:
    """The system whose token `raw` is, while it is not revoked; None otherwise."""
    if not raw or len(raw) > MAX_TOKEN:
        return None
    with pool().connection() as conn:
        found = tokens.by_token(conn, raw)
    return None if found is None else Caller(found.audit_name, found.role, unit=found.unit)


def current() -> Caller:
    """The caller of this request: the bearer token's system, else the signed-in session (Unauthenticated: 401)."""
    if "gridgov_caller" in g:
        cached: Caller = g.gridgov_caller
        return cached
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, raw = header.partition(" ")
        caller = system(raw.strip()) if scheme.lower() == "bearer" else None
        if caller is None:
            raise Unauthenticated("the bearer token is unknown or revoked (Authorization: Bearer <token>)")
    else:
        account = current_account()
        if account is None:
            raise Unauthenticated("sign in first, or send a system's token (Authorization: Bearer <token>)")
        # a grid leader's own grids, a secretary's or street officer's area's grids (gridgov.areas)
        caller = Caller(account.username, account.role, viewer_for(account).grid_codes, browser=True)
    g.gridgov_caller = caller
    return caller


def allow(caller: Caller, resource: str) -> Scope | None:
    """The scope in which the policy grants `caller` the API `resource` (Forbidden: 403 when it does not)."""
    decision = access.decide(caller.role, access.api(resource))
    if not decision.allowed:
        raise Forbidden.said("api_not_allowed", role=caller.role.value, api=access.api(resource))
    return decision.scope


def check_csrf(caller: Caller) -> None:
    """A browser's write must carry the session's CSRF token (GET /api/v1/session gives it)."""
    if caller.browser and not csrf_ok(request.headers.get("X-CSRF-Token")):
        raise Forbidden("a write from a signed-in browser needs the session's X-CSRF-Token (GET /api/v1/session)")


def connection(caller: Caller) -> AbstractContextManager[psycopg.Connection]:
    """A pooled connection in one transaction; a grid leader's (or an area's account's) sees only their grids' cases."""
    return data_access.viewer_connection(Viewer(caller.role, grid_codes=caller.grids))


def writer(caller: Caller) -> AbstractContextManager[psycopg.Connection]:
    """Where the caller's events are written: a grid leader's field events under row-level security (as they
    read); anyone else's on the app's connection, which gridgov.case_area keeps to the caller's area."""
    if access.own_grids_only(caller.role):
        return connection(caller)
    return data_access.viewer_connection(Viewer(caller.role))


def audited(caller: Caller, action: str, detail: dict[str, Any]) -> None:
    """One audit row for what `caller` was shown or did, on the app's own connection (the reader role writes none)."""
    with pool().connection() as conn:
        audit.record(conn, username=caller.name, action=action, detail={"via": request.path, **detail},
                     ip=request.remote_addr)
