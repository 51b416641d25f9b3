"""/api/v1: the cases as JSON, for the dashboard's scripts and for systems, scoped by the access policy.

    GET  /api/v1/session                 who is asking, their role, and the session's CSRF token
    GET  /api/v1/cases                   a bounded page of the cases the caller may see, most urgent first
    GET  /api/v1/cases/<id>              one case with its events, its photos (by id) and the caller's actions now
    POST /api/v1/cases/<id>/events       {"action": ..., ...}: one event, written by the case store

What a caller sees is the policy's scope (gridgov.access, api:cases): a grid
leader their grids' cases (on their row-level-security connection), the
secretary every case, a unit's system the cases its unit is called in on,
whole; a system that files or reads, every case de-identified
(gridgov.case_answers). A case outside the scope is a 404, never its content.
Writing (api:case_events) takes the event's source from the caller (a grid
leader: field; the secretary: secretary; a unit: unit, for its own unit; the
intake system: intake); an action the case does not allow now is a 409 with
the actions it does allow. Each event written is one audit row
(gridgov.case_field.audit), as the phone's are; each answer that shows a
whole case is a personal-data view in the audit, a de-identified one a
de-identified view.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg
from flask import Blueprint, Response, request

from dashboard.caseapi import callers, params
from dashboard.caseapi.callers import Caller
from dashboard.caseapi.replies import install_errors, reply
from dashboard.web.appctx import pool, settings
from dashboard.web.session import csrf_token
from gridgov import access, audit, case_answers, case_area, case_field, case_links, case_store
from gridgov.access import Scope
from gridgov.case_queries import CaseFilter, list_cases
from gridgov.cases import Event, Kind, NotAllowed, allowed, fold
from gridgov.clock import Clock
from gridgov.errors import NotFound

blueprint = Blueprint("caseapi_v1", __name__, url_prefix="/api/v1")
install_errors(blueprint, open311=False)


def _clock() -> Clock:
    return settings().layers.clock()


def _read_scope(caller: Caller) -> tuple[bool, str | None]:
    """Whether the caller sees whole cases, and the unit its list is narrowed to (a unit's system)."""
    scope = callers.allow(caller, "cases")
    if scope is Scope.CALLED_IN and caller.unit is None:
        raise NotFound("this token names no unit")
    return scope is not Scope.DEIDENTIFIED, caller.unit if scope is Scope.CALLED_IN else None


def _viewed(caller: Caller, whole: bool, detail: dict[str, Any]) -> None:
    callers.audited(caller, audit.VIEW_PERSONAL if whole else audit.VIEW_DEIDENTIFIED, detail)


@blueprint.get("/session")
def session_info() -> Response:
    """Who is asking: a signed-in person (with the CSRF token their writes carry) or a system."""
    caller = callers.current()
    return reply({
        "who": caller.name, "role": caller.role.value, "grids": list(caller.grids), "unit": caller.unit,
        "csrf_token": csrf_token() if caller.browser else None,
    })


@blueprint.get("/cases")
def cases() -> Response:
    """A page of the cases the caller may see, most urgent first."""
    caller = callers.current()
    whole, unit = _read_scope(caller)
    wanted = params.case_filter(request.args, unit=unit)
    with callers.connection(caller) as conn:
        rows = list_cases(conn, wanted, _clock())
    _viewed(caller, whole, {"cases": [r["case_id"] for r in rows]})
    more = len(rows) == wanted.limit
    return reply({
        "cases": [case_answers.case(r, whole=whole) for r in rows],
        "limit": wanted.limit, "offset": wanted.offset, "next_offset": wanted.offset + wanted.limit if more else None,
    })


def _visible(conn: psycopg.Connection, case_id: str, unit: str | None) -> dict[str, Any]:
    rows = list_cases(conn, CaseFilter(case_id=case_id, unit=unit, limit=1), _clock())
    if not rows:
        raise NotFound(f"no case {case_id}")
    return rows[0]


@blueprint.get("/cases/<case_id>")
def one(case_id: str) -> Response:
    """One case with its events and photos, and what the caller may do to it now."""
    caller = callers.current()
    whole, unit = _read_scope(caller)
    with callers.connection(caller) as conn:
        row = _visible(conn, case_id, unit)
        events = case_store.events_of(conn, case_id)
        photos = case_answers.photos(conn, case_id)
    _viewed(caller, whole, {"case_id": case_id})
    writes = access.decide(caller.role, access.api("case_events")).allowed
    now = _api_actions(allowed(fold(Kind(row["kind"]), events), caller.source)) if writes else ()
    return reply({
        **case_answers.case(row, whole=whole),
        "events": [case_answers.event(i, e, whole=whole) for i, e in enumerate(events, start=1)],
        "photos": photos if whole else [],
        "allowed": list(now),
    })


@blueprint.post("/cases/<case_id>/events")
def add_event(case_id: str) -> Response:
    """Append the caller's event to the case: 201 with the case's state after it."""
    caller = callers.current()
    scope = callers.allow(caller, "case_events")
    callers.check_csrf(caller)
    action, detail = params.event(params.json_body(), source=caller.source, unit=caller.unit)
    event = Event(action, caller.source, _clock().now(), caller.name, detail)
    own_grids = access.own_grids_only(caller.role)
    try:
        with callers.writer(caller) as conn:
            if scope is Scope.CALLED_IN:
                _visible(conn, case_id, caller.unit)
            elif not own_grids:
                case_area.check(conn, case_id, caller.grids, _clock(), detail)
            after = case_store.append(conn, case_id, event)
            if not own_grids:  # in the event's own transaction; the reader role writes no audit row
                _audit(conn, caller, case_id, action)
    except NotAllowed as refused:
        raise NotAllowed(str(refused), _api_actions(refused.allowed)) from None
    if own_grids:
        with pool().connection() as conn:
            _audit(conn, caller, case_id, action)
    answer: dict[str, Any] = {"case_id": case_id, "action": action, "state": after.state.value,
                              "grid_code": after.grid_code}
    if action == "escalate":  # each unit's single-case link, given this once, as the queue and the phone give it
        lifetime = timedelta(days=settings().dashboard.unit_link_days)
        with pool().connection() as conn:
            made = case_links.issue(conn, case_id, detail["units"], clock=_clock(), lifetime=lifetime, by=caller.name)
        base = request.host_url.rstrip("/")
        answer["unit_links"] = {unit: f"{base}/unit/{token}" for unit, token in made.items()}
    return reply(answer, 201)


def _api_actions(names: tuple[str, ...]) -> tuple[str, ...]:
    """Of the actions the case allows, those this API takes (a case is opened, a photo added, elsewhere)."""
    return tuple(name for name in names if name in params.EVENT_FIELDS)


def _audit(conn: psycopg.Connection, caller: Caller, case_id: str, action: str) -> None:
    case_field.audit(conn, username=caller.name, case_id=case_id, action=action, via=request.path,
                     ip=request.remote_addr)


@blueprint.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(rest: str) -> Response:
    """Any other path under /api/v1: a 404 in the API's format."""
    raise NotFound(f"no such address: /api/v1/{rest[:80]} (see /api/v1/openapi.json)")
