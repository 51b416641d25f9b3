"""The action buttons of a case: one callback for them all, deciding on the server from the session.

The button pressed names the action; the case is the page's `case-current`
store and the note, units and reason the form's fields. The leader is checked
first (dashboard.cases.scope), the event is written on their row-level-security
connection (dashboard.cases.data): a crafted request naming another grid's
case is a 404 and writes nothing. A refusal the leader can act on (a missing
note or reason, an action the state no longer allows: the allowed ones are
named in words) is a message, not an error. After an action the page's
`cases-version` store changes, so the case is read again with its new history.
"""

from __future__ import annotations

import secrets
from typing import Any

from dash import ctx, exceptions, html, no_update
from dash.development.base_component import Component
from flask import request

from dashboard.cases import data, scope
from dashboard.cases.case_detail import BUTTONS
from dashboard.web.session import language
from gridgov.cases import NotAllowed
from gridgov.errors import InputError
from gridgov.i18n import text

ACTIONS = (*BUTTONS, "escalate")
NEED_NOTE = frozenset({"resolve", "note"})


def message(words: str, ok: bool) -> Component:
    """A line under the page's title: done, or what to do instead."""
    return html.Span(words, className="gg-form-ok" if ok else "gg-form-error")


def refused(action: str, allowed: tuple[str, ...], lang: str) -> Component:
    """An action the case's state does not allow, with those it does."""
    name = text(f"case_action_{action}", lang)
    if not allowed:
        return message(text("case_refused_none", lang, action=name), ok=False)
    names = text("separator", lang).join(text(f"case_action_{a}", lang) for a in allowed)
    return message(text("case_refused", lang, action=name, allowed=names), ok=False)


def _units(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError("units are a list of unit names")
    return value


def _detail(action: str, note: str, units: list[str], reason: str, lang: str) -> dict[str, Any] | Component:
    """The event's detail, or the message saying what is missing."""
    for value in (note, reason):
        if len(value) > scope.MAX_TEXT:
            return message(text("case_text_too_long", lang, most=scope.MAX_TEXT, length=len(value)), ok=False)
    if action == "escalate":
        if not units or not reason:
            return message(text("case_needs_units", lang), ok=False)
        return {"units": units, "reason": reason, **({"note": note} if note else {})}
    if action in NEED_NOTE and not note:
        return message(text("case_needs_note", lang, action=text(f"case_action_{action}", lang)), ok=False)
    return {"note": note} if note else {}


def _one(values: Any) -> Any:
    """The value of the one shown case's field (the form's fields are matched by case id: a list of one)."""
    if not isinstance(values, list) or len(values) > 1:
        raise InputError("one case is acted on at a time")
    if not values:
        raise exceptions.PreventUpdate  # no case shown (the list): nothing was pressed
    return values[0]


def act(clicks: Any, case_ids: Any, notes: Any, units: Any, reasons: Any) -> tuple[Any, Any]:
    """Apply the pressed action to the case: (the message, a new version of the page's data or no change)."""
    account = scope.leader()
    pressed = ctx.triggered_id
    if not isinstance(pressed, dict) or not any(t.get("value") for t in ctx.triggered):
        raise exceptions.PreventUpdate
    case_id, note, units, reason = _one(case_ids), _one(notes), _one(units), _one(reasons)
    action = pressed.get("action")
    if action not in ACTIONS:
        raise InputError(f"unknown action; actions: {', '.join(ACTIONS)}")
    case_id = scope.case_id(case_id)
    lang = language()
    detail = _detail(action, scope.words(note, "note"), _units(units), scope.words(reason, "reason"), lang)
    if not isinstance(detail, dict):
        return detail, no_update
    try:
        with scope.found():
            links = data.act(account, case_id, action, detail)
    except NotAllowed as refusal:
        return refused(action, refusal.allowed, lang), secrets.token_hex(6)  # read again: someone else moved it
    done = message(text("case_done", lang, action=text(f"case_action_{action}", lang)), ok=True)
    if links:  # each unit's link, shown this once, to send to the unit
        base = request.host_url.rstrip("/")
        done = html.Div([done, html.Ul([
            html.Li([html.Strong(unit), html.Br(), html.Code(base + path, className="gg-unit-link")],
                    **dict[str, Any]({"data-unit": unit}))
            for unit, path in links.items()
        ])])
    return done, secrets.token_hex(6)
