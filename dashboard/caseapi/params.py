"""The case API's inputs, parsed, checked and bounded: the list's query string and an event's JSON body.

    GET /api/v1/cases?grid=G01&category=噪音扰民&state=assigned&kind=work_order&open=true
        &overdue=true&escalated=false&unplaced=false&limit=100&offset=0

Each list parameter may be repeated or comma-separated, bounded as every data
URL's are (dashboard.web.query_filters); `limit` is at most
gridgov.case_queries.MAX_PAGE. An event is a JSON object `{"action": ..., ...}`
with only the fields its action takes (EVENT_FIELDS); an unknown parameter or
field, a value of the wrong type, a body that is no JSON object: a 400 naming it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
from flask import request
from werkzeug.datastructures import MultiDict

from dashboard.web.query_filters import MAX_VALUES, _many  # the data URLs' bounds on a list parameter
from dashboard.web.request_limits import problem
from gridgov.case_queries import CaseFilter
from gridgov.cases import ACTIONS, Kind, Source, State
from gridgov.errors import InputError
from gridgov.vocabulary import SATISFACTION

LIST_PARAMETERS = ("grid", "category", "state", "kind", "open", "overdue", "escalated", "unplaced", "limit", "offset")
MAX_GRIDS = 5000
MAX_TEXT = 4000  # characters of a note or a reason
MAX_UNITS = 20
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}

# what each action of the API takes besides "action" (the case store checks what it needs)
EVENT_FIELDS: dict[str, frozenset[str]] = {
    "respond": frozenset({"note"}),
    "note": frozenset({"note"}),
    "start": frozenset({"note"}),
    "resolve": frozenset({"note"}),
    "escalate": frozenset({"units", "reason"}),
    "acknowledge": frozenset({"unit", "note"}),
    "report": frozenset({"unit", "note"}),
    "verify": frozenset({"satisfaction", "note"}),
    "close": frozenset({"satisfaction", "note"}),
    "reopen": frozenset({"note"}),
    "assign": frozenset({"grid_code", "note"}),
    "reassign": frozenset({"grid_code", "note"}),
    "set_deadline": frozenset({"deadline", "note"}),
}


def _flag(args: MultiDict[str, str], name: str) -> bool | None:
    value = args.get(name)
    if value is None:
        return None
    if value.lower() not in _BOOLEANS:
        raise InputError(f"{name} is true or false, not {value[:40]!r}")
    return _BOOLEANS[value.lower()]


def _count(args: MultiDict[str, str], name: str, default: int) -> int:
    value = args.get(name)
    if value is None:
        return default
    if not value.isdigit() or len(value) > 9:
        raise InputError(f"{name} is a whole number, not {value[:40]!r}")
    return int(value)


def _members(values: tuple[str, ...], name: str, kinds: type[State] | type[Kind]) -> list[Any]:
    known = {member.value: member for member in kinds}
    wrong = [v for v in values if v not in known]
    if wrong:
        raise InputError(f"unknown {name} {wrong[0][:40]!r}; one of {', '.join(known)}")
    return [known[v] for v in values]


def case_filter(args: MultiDict[str, str], *, unit: str | None = None) -> CaseFilter:
    """The CaseFilter of a list request's query string (`unit`: a unit's system sees its own cases only)."""
    unknown = sorted(set(args) - set(LIST_PARAMETERS))
    if unknown:
        raise InputError(f"unknown parameter {unknown[0][:40]}; parameters: {', '.join(LIST_PARAMETERS)}")
    grids = _many(args, "grid", MAX_GRIDS)
    return CaseFilter(
        grids=grids or None,
        categories=_many(args, "category", MAX_VALUES),
        states=_members(_many(args, "state", MAX_VALUES), "state", State),
        kinds=_members(_many(args, "kind", MAX_VALUES), "kind", Kind),
        open_only=bool(_flag(args, "open")),
        overdue=_flag(args, "overdue"),
        escalated=_flag(args, "escalated"),
        unplaced=_flag(args, "unplaced"),
        unit=unit,
        limit=_count(args, "limit", 100),
        offset=_count(args, "offset", 0),
    )


def json_body() -> dict[str, Any]:
    """The request's JSON object (400 when it is none, too deep, or holds a NUL)."""
    if not request.is_json:
        raise InputError("send the event as JSON (Content-Type: application/json)")
    try:
        body = orjson.loads(request.get_data(cache=True))  # a body over the limit is a 413 here
    except orjson.JSONDecodeError:
        raise InputError("the body is not JSON") from None
    wrong = problem(body)
    if wrong is not None:
        raise InputError(wrong)
    if not isinstance(body, dict):
        raise InputError('the body is a JSON object: {"action": ...}')
    return body


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{name} is a non-empty text")
    if len(value) > MAX_TEXT:
        raise InputError(f"{name} is at most {MAX_TEXT} characters")
    return value.strip()


def _checked(name: str, value: Any) -> Any:
    if name in ("note", "reason", "grid_code", "unit"):
        return _text(value, name)
    if name == "satisfaction":
        if value not in SATISFACTION:
            raise InputError(f"satisfaction is one of {', '.join(SATISFACTION)}")
        return value
    if name == "deadline":
        try:
            return date.fromisoformat(_text(value, name)).isoformat()
        except ValueError:
            raise InputError("deadline is a date, YYYY-MM-DD") from None
    # units
    if not isinstance(value, list) or not 0 < len(value) <= MAX_UNITS:
        raise InputError(f"units is a list of 1–{MAX_UNITS} unit names")
    return [_text(u, "a unit") for u in value]


def event(body: dict[str, Any], *, source: Source, unit: str | None) -> tuple[str, dict[str, Any]]:
    """The action and detail of an event body; a unit's system acts for its own unit only.

    A field the action needs is asked for here (400) when `source` may take the action at all; when it may
    not, the case store refuses it with what is allowed instead (409).
    """
    action = body.get("action")
    if not isinstance(action, str) or action not in EVENT_FIELDS:
        raise InputError(f"action is one of {', '.join(EVENT_FIELDS)}")
    fields = EVENT_FIELDS[action]
    unknown = sorted(set(body) - fields - {"action"})
    if unknown:
        taken = ", ".join(sorted(fields))
        raise InputError(f"{action} takes no field {unknown[0][:40]!r} (it takes {taken})")
    detail = {name: _checked(name, value) for name, value in body.items() if name != "action"}
    if "unit" in fields and unit is not None:
        if detail.get("unit", unit) != unit:
            raise InputError(f"this token acts for the unit {unit} only")
        detail["unit"] = unit
    missing = [name for name in ACTIONS[action].needs if name not in detail]
    if missing and source in ACTIONS[action].sources:
        raise InputError(f"{action} needs {', '.join(missing)}")
    return action, detail
