"""The lists beside the grid leader's map: households due a visit, complaints and hazards, each filterable by status.

Each callback takes the picked grid (none: all the leader's grids) and the
statuses ticked, checks them against the session (dashboard.grid.scope), asks
dashboard.web.data_access for the layer's detail (scoped to the session's grids,
under row-level security, audited when personal) and returns the list and the
points for the map. Names and phones are in the answer to this request only.

The visits list shows one of the visit counts' sets of households (待访 by
default: due this period and not yet visited, overdue or not), each filter
named and counted as its tile is (gridgov.visits.COUNTED_STATUSES), so the
tile's number is the number of rows. The households longest without a visit
come first (the layer's order). Each row carries its action: record a visit
(opens the visit form with the household picked), or undo the leader's own
visit of the last 24 hours.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html
from dash.development.base_component import Component

from dashboard.grid import scope, visit_record
from dashboard.grid.leader_map import EMPTY
from dashboard.web import data_access
from dashboard.web.session import language
from gridgov.errors import InputError
from gridgov.groups import SPECIAL_GROUPS
from gridgov.i18n import text
from gridgov.visits import COUNTED_STATUSES
from gridgov.vocabulary import COMPLAINT_STATUSES, HAZARD_STATUSES
from layers.registry import Filters

COMPLAINT_OPEN = ("pending", "in_progress")
HAZARD_OPEN = ("open", "in_progress")
SHOWN = 100  # items listed at most (the map shows every point)
# the visits list's filters, in the order offered: each is a visit count of the tiles (its key and its label)
VISIT_FILTERS = ("not_yet_visited", "overdue", "visited", "due")
VISIT_DEFAULT = "not_yet_visited"  # 待访: the work still to do

Props = dict[str, Any]


def _badge(label: str, status: str) -> html.Span:
    return html.Span(label, className=f"gg-badge gg-badge-{status}")


def _groups(value: str | None, lang: str) -> str:
    names = (text(f"group_{g}", lang) if g in SPECIAL_GROUPS else g for g in (value or "").split(",") if g)
    return text("separator", lang).join(names)


def _list(items: list[Component], total: int, lang: str) -> Component:
    data: dict[str, Any] = {"data-total": str(total)}  # how many rows the filter has, listed or not
    if not items:
        return html.P(text("list_empty", lang), className="gg-list-empty", **data)
    more = [html.P(text("list_more", lang, shown=len(items), total=total), className="gg-list-more")]
    return html.Div([html.Ul(items, className="gg-list"), *(more if total > len(items) else [])], **data)


def _action(words: str, id_: dict[str, str], name: str) -> Component:
    return html.Button(words, id=id_, n_clicks=0, className=f"gg-row-action gg-row-{name}")


def _phone(value: str | None) -> Component:
    return html.A(value, href=f"tel:{value}", className="gg-phone") if value else html.Span()


def household_item(p: Props, lang: str, undo: str | None = None) -> Component:
    """One household due a visit: who, where, the groups, the last visit, the status, and its action.

    A household not yet visited this period offers to record a visit; `undo` (the id of the leader's own
    visit of the last 24 hours to it) offers to undo that visit.
    """
    last = text("last_visit", lang, day=p["last_visit"]) if p.get("last_visit") else text("never_visited", lang)
    hid = p["household_id"]
    actions = [
        *([_action(text("visit_from_row", lang), {"type": "visit-open", "household": hid}, "record")]
          if p["status"] != "visited" else []),
        *([_action(text("visit_undo", lang), {"type": "visit-undo", "visit": undo, "place": "row"}, "undo")]
          if undo else []),
    ]
    return html.Li(
        [
            html.Div(
                [html.Span(hid, className="gg-item-id"), html.Span(p.get("head_name") or "", className="gg-item-name"),
                 _phone(p.get("phone")), _badge(text(f"visit_status_{p['status']}", lang), p["status"])],
                className="gg-item-head",
            ),
            html.Div(p.get("address") or "", className="gg-item-line"),
            html.Div(f"{_groups(p.get('groups'), lang)} · {last}", className="gg-item-line gg-item-muted"),
            *([html.Div(actions, className="gg-item-actions")] if actions else []),
        ],
        className="gg-item",
        **{"data-household": hid, "data-status": p["status"]},
    )


def household_option(p: Props, lang: str) -> dict[str, str]:
    """A household as the visit form's picker offers it."""
    name = p.get("head_name") or p.get("address") or ""
    status = text(f"visit_status_{p['status']}", lang)
    return {"label": f"{p['household_id']} {name} · {status}", "value": p["household_id"]}


def visit_filter(value: Any) -> str:
    """The visits list's filter a request asks for: one of VISIT_FILTERS (None: the default), else a 400."""
    if value is None:
        return VISIT_DEFAULT
    if not isinstance(value, str) or value not in VISIT_FILTERS:
        raise InputError(f"the visits list shows one of {', '.join(VISIT_FILTERS)}")
    return value


def visit_filter_options(counts: dict[str, int], lang: str) -> list[dict[str, str]]:
    """The filter's choices, each named as its tile is, with its number of households."""
    return [{"label": f"{text(f'count_{key}', lang)} {counts.get(key, 0)}", "value": key} for key in VISIT_FILTERS]


def visit_filter_control(lang: str) -> Component:
    """The visits list's filter: one of the visit counts at a time, 待访 first (its numbers filled by `visits`)."""
    return dcc.RadioItems(id="visit-status", options=visit_filter_options({}, lang), value=VISIT_DEFAULT, inline=True,
                          className="gg-filter gg-visit-filter", inputClassName="gg-filter-box")


def visits(grid: Any, shown: Any, version: Any) -> tuple[Component, list[dict[str, str]], list[dict[str, str]]]:
    """The households of the filter picked (待访 by default), the visit form's choices (all), the filter's choices.

    `version` (the page's grid-version store) only makes the page ask again after a visit is recorded or undone.
    """
    grids = scope.grids(grid)
    wanted = COUNTED_STATUSES[visit_filter(shown)]
    lang = language()
    rows = [f["properties"] for f in data_access.detail("visits", Filters(grids=grids))["features"]]
    undo = visit_record.undoable()
    listed = [p for p in rows if p["status"] in wanted]  # in the layer's order: longest without a visit first
    items = [household_item(p, lang, undo.get(p["household_id"])) for p in listed[:SHOWN]]
    counts = {key: sum(p["status"] in statuses for p in rows) for key, statuses in COUNTED_STATUSES.items()}
    return _list(items, len(listed), lang), [household_option(p, lang) for p in rows], visit_filter_options(counts, lang)


def complaint_item(p: Props, lang: str) -> Component:
    """One complaint: ticket, category, when, where, what was said, status."""
    return html.Li(
        [
            html.Div(
                [html.Span(p.get("category") or p["ticket_id"], className="gg-item-name"),
                 _badge(text(f"complaint_status_{p['status']}", lang), p["status"])],
                className="gg-item-head",
            ),
            html.Div(f"{p['ticket_id']} · {p.get('received_at') or ''}", className="gg-item-line gg-item-muted"),
            html.Div(p.get("address") or "", className="gg-item-line"),
            html.Div(p.get("content") or "", className="gg-item-line gg-item-text"),
        ],
        className="gg-item",
        **{"data-ticket": p["ticket_id"], "data-status": p["status"]},
    )


def complaints(grid: Any, status: Any) -> tuple[Component, dict[str, Any]]:
    """The complaints of the ticked statuses (open ones by default): the list and the map's points."""
    grids = scope.grids(grid)
    wanted = scope.statuses(status, COMPLAINT_STATUSES)
    lang = language()
    if not wanted:
        return _list([], 0, lang), EMPTY
    data = data_access.detail("complaints", Filters(grids=grids, statuses=wanted))
    rows = [f["properties"] for f in data["features"]]
    return _list([complaint_item(p, lang) for p in rows[:SHOWN]], len(rows), lang), data


def hazard_item(p: Props, lang: str) -> Component:
    """One hazard: type, severity, deadline (and days overdue), where, status."""
    late = text("days_overdue", lang, days=p["days_overdue"]) if p.get("days_overdue") else ""
    deadline = text("deadline_prefix", lang) + p["deadline"] if p.get("deadline") else ""
    return html.Li(
        [
            html.Div(
                [html.Span(p.get("type") or p["hazard_id"], className="gg-item-name"),
                 _badge(text(f"severity_{p['severity']}", lang), f"severity-{p['severity']}") if p.get("severity") else None,
                 _badge(text(f"hazard_status_{p['status']}", lang), p["status"]) if p.get("status") else None],
                className="gg-item-head",
            ),
            html.Div(" · ".join(filter(None, [p["hazard_id"], deadline, late])), className="gg-item-line gg-item-muted"),
            html.Div(p.get("address") or "", className="gg-item-line"),
        ],
        className="gg-item" + (" gg-item-late" if late else ""),
        **{"data-hazard": p["hazard_id"], "data-status": p.get("status") or ""},
    )


def hazards(grid: Any, status: Any) -> tuple[Component, dict[str, Any]]:
    """The hazards of the ticked statuses (not yet closed by default), the most overdue first."""
    grids = scope.grids(grid)
    wanted = scope.statuses(status, HAZARD_STATUSES)
    lang = language()
    if not wanted:
        return _list([], 0, lang), EMPTY
    data = data_access.detail("hazards", Filters(grids=grids, statuses=wanted))
    rows = sorted((f["properties"] for f in data["features"]),
                  key=lambda p: (-(p.get("days_overdue") or 0), p.get("deadline") or "9999", p["hazard_id"]))
    return _list([hazard_item(p, lang) for p in rows[:SHOWN]], len(rows), lang), data
