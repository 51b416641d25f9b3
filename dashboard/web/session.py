"""Who is asking: the signed-in account and its registry Viewer, decided on the server from the session's record.

The session cookie (Flask's, signed with the secret key) carries the id of a
server-side session (gridgov.sessions), the CSRF token and the language, and
for the browser's sake when the session ends. Each request looks the session
up in the database with its account: a session signed out, past its idle or
absolute expiry, or of an account removed, disabled or given a new password
is over at once, whatever copy of the cookie is sent; the role and grids
always come from the database, never from the browser. A wall device's
session (gridgov.devices) is looked up the same way, as an account of the
role WALL_DEVICE.

The cookie itself never outlives the session: CookieSessions sets its expiry
to the session's idle expiry, capped by its absolute one, each time it is sent.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime, timedelta

from flask import Flask, g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface, SessionMixin

from dashboard.web.appctx import pool
from gridgov import access, areas, sessions
from gridgov.access import Role
from gridgov.accounts import Account
from gridgov.errors import Forbidden, Unauthenticated
from gridgov.i18n import DEFAULT_LANGUAGE, LANGUAGES
from gridgov.settings import DashboardSettings
from layers.registry import Viewer

_SID = "sid"
_UNTIL = "until"  # the session's absolute expiry (POSIX seconds), for the cookie's
_IDLE = "idle"  # its idle lifetime in seconds, for the cookie's
_CSRF = "csrf"
_LANG = "lang"
_FOCUS = "focus"  # the community a street officer opened from the street's ranking


def current_account() -> Account | None:
    """The signed-in account of this request, or None (loaded once per request)."""
    if not has_request_context():
        return None
    if "gridgov_account" in g:
        cached: Account | None = g.gridgov_account
        return cached
    account = None
    sid = session.get(_SID)
    if isinstance(sid, str):
        with pool().connection() as conn:
            found = sessions.lookup(conn, sid)
        if found is None:  # signed out, expired, revoked, or its account changed: the session is over
            for key in (_SID, _UNTIL, _IDLE):
                session.pop(key, None)
        else:
            account = found.account
            if session.get(_UNTIL) != (until := int(found.expires_at.timestamp())):
                session[_UNTIL] = until  # the record's end is the cookie's
    g.gridgov_account = account
    return account


def require_account() -> Account:
    """The signed-in account, or Unauthenticated (HTTP 401)."""
    account = current_account()
    if account is None:
        raise Unauthenticated("sign in first")
    return account


def viewer_for(account: Account) -> Viewer:
    """The registry Viewer of an account, limited to its grids or its area's (gridgov.areas); Forbidden for a role
    the policy shows no community data (the administrator), or an area with no grid loaded."""
    if not access.decide(account.role, access.COMMUNITY_DATA).allowed:
        raise Forbidden("an administrator manages accounts and sees no community data")
    if access.own_grids_only(account.role):
        return Viewer(account.role, grid_codes=account.grids)
    area = focused(account)
    if area.everything:
        if account.role is not Role.PLANNER:  # a secretary, street officer or screen always names its area
            raise Forbidden(f"the account {account.username} names no community or street: ask the administrator")
        return Viewer(account.role)
    grids = _area_grids(area)
    if not grids:
        raise Forbidden(f"no grid of {area.label()} is loaded")
    return Viewer(account.role, grid_codes=grids)


def focus_on(community: str | None) -> None:
    """Narrow this session's pages to one community of the account's street (the street officer opening a
    community's wall), or widen them back to the whole street (None)."""
    if community is None:
        session.pop(_FOCUS, None)
    else:
        session[_FOCUS] = community


def opened_community() -> str | None:
    """The community a street officer opened from the street's ranking, if any (dashboard.street)."""
    community = session.get(_FOCUS) if has_request_context() else None
    account = current_account()
    if account is None or account.role is not Role.STREET_OFFICER or not isinstance(community, str):
        return None
    return community


def focused(account: Account) -> areas.Area:
    """The account's area, narrowed to the community a street officer opened (never beyond their street)."""
    community = session.get(_FOCUS) if has_request_context() else None
    if account.role is Role.STREET_OFFICER and isinstance(community, str) and account.street:
        return areas.Area((community,), account.street)
    return account.area


def _area_grids(area: areas.Area) -> tuple[str, ...]:
    """The grids `area` covers, read once per request (a grid file loaded meanwhile counts from the next one)."""
    known: dict[areas.Area, tuple[str, ...]] = g.setdefault("gridgov_area_grids", {}) if has_request_context() else {}
    if area not in known:
        with pool().connection() as conn:
            known[area] = areas.grids_of(conn, area)
    return known[area]


def current_viewer() -> Viewer:
    """The Viewer every data request of this session is answered for."""
    return viewer_for(require_account())


def client() -> tuple[str | None, str | None]:
    """The request's client address and user agent, as a session's record keeps them."""
    return request.remote_addr, request.headers.get("User-Agent")


def _end_record() -> None:
    sid = session.get(_SID)
    if isinstance(sid, str):
        with pool().connection() as conn:
            sessions.revoke(conn, sid)


def sign_in(account: Account, started: sessions.Started) -> None:
    """Put the new session in the cookie (a session the browser had is revoked; of it only the language is kept)."""
    lang = language()
    _end_record()
    session.clear()
    session.permanent = True
    session[_SID] = started.sid
    session[_UNTIL] = int(started.expires_at.timestamp())
    session[_IDLE] = int(started.idle.total_seconds())
    session[_LANG] = lang
    g.gridgov_account = account


def sign_out() -> None:
    """End the session: its record is revoked, so no copy of the cookie signs anyone in (the language stays)."""
    lang = language()
    _end_record()
    session.clear()
    session[_LANG] = lang
    g.gridgov_account = None


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie, whose expiry is the session's: its idle expiry from now, never past its absolute one."""

    def get_expiration_time(self, app: Flask, session: SessionMixin) -> datetime | None:
        until, idle = session.get(_UNTIL), session.get(_IDLE)
        if not session.permanent or not isinstance(until, int) or not isinstance(idle, int):
            return super().get_expiration_time(app, session)
        return min(datetime.now(UTC) + timedelta(seconds=idle), datetime.fromtimestamp(until, UTC))


def cookie_lifetime(settings: DashboardSettings) -> timedelta:
    """How old a cookie's signature may be: the longest any session lasts (its record decides the rest)."""
    return max(timedelta(hours=settings.session_max_hours), timedelta(days=settings.wall_device_days))


def csrf_token() -> str:
    """The session's CSRF token for forms (made on first use)."""
    token = session.get(_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[_CSRF] = token
    return token


def csrf_ok(sent: str | None) -> bool:
    """Whether a form sent this session's CSRF token."""
    token = session.get(_CSRF)
    return isinstance(token, str) and isinstance(sent, str) and hmac.compare_digest(token, sent)


def language() -> str:
    """The session's interface language (简体中文 unless switched)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    lang = session.get(_LANG)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    """Switch the interface language (unknown codes are ignored)."""
    if lang in LANGUAGES:
        session[_LANG] = lang
