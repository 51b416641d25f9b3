"""The secretary's actions on a case from the queue: checked, written as one event through the store, audited.

`act` is the callback behind the queue's one button. It decides on the server
from the session (`secretary`: a 401 signed out, a 403 for any other role,
before anything is read or written), turns what the form sent into an event,
or a message the secretary can act on (no grid chosen, a point outside the
grid, no note, no unit, a date out of range, an action the case's state no
longer allows), and appends it with Source.SECRETARY (gridgov.case_store) on
the app's connection, with the audit row (gridgov.case_field.audit) in the
same transaction. A value of a shape no form sends is a 400.

An escalation also makes each unit's single-case link (gridgov.case_links) in
that transaction; the links are shown this once, with each unit's contact, to
be sent to the units, and are never shown again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dash import html, no_update
from dash.development.base_component import Component
from flask import request

from dashboard.web import data_access
from dashboard.web.appctx import pool, settings
from dashboard.web.session import current_viewer, language, require_account
from gridgov import access, case_area, case_field, case_links, case_store, units
from gridgov.accounts import Account
from gridgov.cases import Event, NotAllowed, Source
from gridgov.errors import Forbidden, InputError, NotFound
from gridgov.i18n import text

# what the queue offers, of what gridgov.cases allows a secretary (the field's own steps stay on the phone)
QUEUE_ACTIONS = ("assign", "reassign", "verify", "close", "reopen", "escalate", "set_deadline", "note")
SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")
NOT_ASKED = "not_asked"
MAX_NOTE = 1000
MAX_REASON = 500
MAX_UNITS = 20
LATEST_DEADLINE = timedelta(days=366)
CASE_ID = re.compile(r"^K[0-9a-f]{24}$")



class Invalid(Exception):
    """What the secretary has to correct, in their language."""


def secretary() -> Account:
    """The signed-in account, which must be one the policy lets open /queue."""
    account = require_account()
    if not access.decide(account.role, access.page("/queue")).allowed:
        raise Forbidden(f"a {account.role.value} may not use the case queue")
    return account


def case_id(value: Any) -> str:
    """A case id as the queue sends it (a 400 for anything else)."""
    if not isinstance(value, str) or not CASE_ID.match(value):
        raise InputError("a case is named by its id")
    return value


def _text(value: Any, name: str) -> str:
    if value is not None and not isinstance(value, str):
        raise InputError(f"the {name} must be text")
    return (value or "").strip()


def _note(value: Any, lang: str, *, required: bool, most: int = MAX_NOTE, key: str = "queue_err_note") -> str | None:
    cleaned = _text(value, "note")
    if (required and not cleaned) or len(cleaned) > most:
        raise Invalid(text(key, lang, most=most))
    return cleaned or None


def _number(value: Any, name: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(f"the {name} must be a number")
    try:
        return float(value)
    except ValueError:
        return float("nan")


@dataclass(frozen=True)
class Form:
    """What the action form sent."""

    grid: Any = None
    lon: Any = None
    lat: Any = None
    satisfaction: Any = None
    note: Any = None
    units: Any = None
    reason: Any = None
    deadline: Any = None


def _placement(form: Form, lang: str, grids: dict[str, str]) -> dict[str, Any]:
    """The grid (and point) an assign or reassign names."""
    grid = _text(form.grid, "grid") or None
    if grid is not None and grid not in grids:
        raise InputError(f"there is no grid {grid[:40]!r}")
    lon, lat = _number(form.lon, "longitude"), _number(form.lat, "latitude")
    detail: dict[str, Any] = {}
    if lon is not None or lat is not None:
        if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise Invalid(text("queue_err_point", lang))
        with pool().connection() as conn:
            found = case_field.grid_at(conn, lon, lat, list(grids))
        if found is None or (grid is not None and found != grid):
            raise Invalid(text("queue_err_point_grid", lang))
        grid = found
        detail |= {"lon": lon, "lat": lat}
    if grid is None:
        raise Invalid(text("queue_err_grid", lang))
    return {"grid_code": grid, **detail}


def _escalation(form: Form, lang: str) -> dict[str, Any]:
    chosen = form.units or []
    if not isinstance(chosen, list) or not all(isinstance(u, str) for u in chosen) or len(chosen) > MAX_UNITS:
        raise InputError(f"units are a list of at most {MAX_UNITS} unit names")
    if not chosen:
        raise Invalid(text("queue_err_units", lang))
    reason = _note(form.reason, lang, required=True, most=MAX_REASON, key="queue_err_reason")
    return {"units": list(dict.fromkeys(chosen)), "reason": reason}


def _deadline(value: Any, lang: str, today: date) -> dict[str, Any]:
    raw = _text(value, "deadline")
    try:
        day = date.fromisoformat(raw[:10])
    except ValueError:
        raise Invalid(text("queue_err_deadline", lang)) from None
    if not today <= day <= today + LATEST_DEADLINE:
        raise Invalid(text("queue_err_deadline", lang))
    return {"deadline": day.isoformat()}


def detail_of(action: str, form: Form, lang: str, grids: dict[str, str], today: date) -> dict[str, Any]:
    """The event's detail for `action` from the form; Invalid with a message, InputError for a crafted value."""
    if action in ("assign", "reassign"):
        return _placement(form, lang, grids)
    if action == "verify":
        answer = _text(form.satisfaction, "satisfaction") or NOT_ASKED
        if answer not in (*SATISFACTION, NOT_ASKED):
            raise InputError(f"satisfaction is one of {', '.join((*SATISFACTION, NOT_ASKED))}")
        note = _note(form.note, lang, required=False)
        return {k: v for k, v in (("satisfaction", answer if answer != NOT_ASKED else None), ("note", note)) if v}
    if action in ("close", "reopen", "note"):
        return {"note": _note(form.note, lang, required=True)}
    if action == "escalate":
        return _escalation(form, lang)
    if action == "set_deadline":
        return _deadline(form.deadline, lang, today)
    raise InputError(f"the queue's actions are {', '.join(QUEUE_ACTIONS)}")


@dataclass(frozen=True)
class Done:
    """A written action: its message, and the links made (unit, contact, URL) when it was an escalation."""

    message: str
    links: tuple[tuple[str, str, str], ...] = ()


def write(account: Account, case: str, action: str, detail: dict[str, Any], lang: str) -> Done:
    """Append the event, audited, and make the units' links of an escalation; Invalid when the state refuses it."""
    config = settings()
    clock = config.layers.clock()
    made: dict[str, str] = {}
    contacts: dict[str, str] = {}
    area = current_viewer().grid_codes
    with pool().connection() as conn, conn.transaction():
        case_area.check(conn, case, area, clock, detail)  # in the secretary's area (or unplaced), and stays there
        try:
            case_store.append(conn, case, Event(action, Source.SECRETARY, clock.now(), account.username, detail))
        except NotAllowed as refused:
            allowed = text("separator", lang).join(text(f"case_action_{a}", lang) for a in refused.allowed if a in QUEUE_ACTIONS)
            raise Invalid(text("queue_err_refused", lang, action=text(f"case_action_{action}", lang),
                               allowed=allowed or "—")) from None
        except NotFound:
            raise InputError(f"there is no case {case}") from None
        case_field.audit(conn, username=account.username, case_id=case, action=action, via=request.path,
                         ip=request.remote_addr)
        if action == "escalate":
            lifetime = timedelta(days=config.dashboard.unit_link_days)
            made = case_links.issue(conn, case, detail["units"], clock=clock, lifetime=lifetime, by=account.username)
            contacts = {u: (found.contact or "") if (found := units.get(conn, u)) else "" for u in made}
    base = request.host_url.rstrip("/")
    links = tuple((unit, contacts.get(unit, ""), f"{base}/unit/{token}") for unit, token in made.items())
    return Done(text("queue_done", lang, action=text(f"case_action_{action}", lang)), links)


def _links(done: Done, lang: str) -> list[Component]:
    if not done.links:
        return []
    return [
        html.P(text("queue_links_title", lang, days=f"{settings().dashboard.unit_link_days:g}"), className="gg-form-ok"),
        html.Ul([
            html.Li([html.Strong(unit), html.Span(f" {contact}" if contact else ""), html.Br(),
                     html.Code(url, className="gg-queue-link")], className="gg-queue-link-row", **dict[str, Any]({"data-unit": unit}))
            for unit, contact, url in done.links
        ]),
    ]


def act(n_clicks: Any, selected: Any, action: Any, grid: Any, lon: Any, lat: Any, satisfaction: Any, note: Any,
        chosen_units: Any, reason: Any, deadline: Any, version: Any) -> tuple[Any, Any, Any, Any]:
    """The callback: (message, the page's new data version, the links to send, the note cleared)."""
    account = secretary()
    lang = language()
    if not n_clicks:
        return no_update, no_update, no_update, no_update
    try:
        if not selected:
            raise Invalid(text("queue_err_no_case", lang))
        case = case_id(selected)
        if not action:
            raise Invalid(text("queue_err_no_action", lang))
        if action not in QUEUE_ACTIONS:
            raise InputError(f"the queue's actions are {', '.join(QUEUE_ACTIONS)}")
        grids = dict(data_access.grid_choices())
        form = Form(grid, lon, lat, satisfaction, note, chosen_units, reason, deadline)
        detail = detail_of(action, form, lang, grids, settings().layers.clock().today())
        done = write(account, case, action, detail, lang)
    except Invalid as problem:
        return html.Span(str(problem), className="gg-form-error"), no_update, [], no_update
    bumped = (version if isinstance(version, int) else 0) + 1
    return html.Span(done.message, className="gg-form-ok"), bumped, _links(done, lang), ""
