"""The lists beside the grid leader's map: households due a visit, complaints and hazards, each filterable by status.

Each callback takes the picked grid (none: all the leader's grids) and the
statuses ticked, checks them against the session (dashboard.grid.scope), asks
dashboard.web.data_access for the layer's detail (scoped to the session's grids,
under row-level security, audited when personal) and returns the list and the
points for the map. Names and phones are in the answer to this request only.
"""

from __future__ import annotations

from typing import Any

from dash import html
from dash.development.base_component import Component

from dashboard.grid import scope
from dashboard.grid.leader_map import EMPTY
from dashboard.web import data_access
from dashboard.web.session import language
from gridgov.groups import SPECIAL_GROUPS
from gridgov.i18n import text
from gridgov.vocabulary import COMPLAINT_STATUSES, HAZARD_STATUSES, VISIT_STATUSES
from layers.registry import Filters

COMPLAINT_OPEN = ("pending", "in_progress")
HAZARD_OPEN = ("open", "in_progress")
SHOWN = 100  # items listed at most (the map shows every point)

Props = dict[str, Any]


def _badge(label: str, status: str) -> html.Span:
    return html.Span(label, className=f"gg-badge gg-badge-{status}")


def _groups(value: str | None, lang: str) -> str:
    names = (text(f"group_{g}", lang) if g in SPECIAL_GROUPS else g for g in (value or "").split(",") if g)
    return text("separator", lang).join(names)


def _list(items: list[Component], total: int, lang: str) -> Component:
    if not items:
        return html.P(text("list_empty", lang), className="gg-list-empty")
    more = [html.P(text("list_more", lang, shown=len(items), total=total), className="gg-list-more")]
    return html.Div([html.Ul(items, className="gg-list"), *(more if total > len(items) else [])])


def _phone(value: str | None) -> Component:
    return html.A(value, href=f"tel:{value}", className="gg-phone") if value else html.Span()


def household_item(p: Props, lang: str) -> Component:
    """One household due a visit: who, where, the groups, the last visit and the status."""
    last = text("last_visit", lang, day=p["last_visit"]) if p.get("last_visit") else text("never_visited", lang)
    return html.Li(
        [
            html.Div(
                [html.Span(p["household_id"], className="gg-item-id"), html.Span(p.get("head_name") or "", className="gg-item-name"),
                 _phone(p.get("phone")), _badge(text(f"visit_status_{p['status']}", lang), p["status"])],
                className="gg-item-head",
            ),
            html.Div(p.get("address") or "", className="gg-item-line"),
            html.Div(f"{_groups(p.get('groups'), lang)} · {last}", className="gg-item-line gg-item-muted"),
        ],
        className="gg-item",
        **{"data-household": p["household_id"], "data-status": p["status"]},
    )


def household_option(p: Props, lang: str) -> dict[str, str]:
    """A household as the visit form's picker offers it."""
    name = p.get("head_name") or p.get("address") or ""
    status = text(f"visit_status_{p['status']}", lang)
    return {"label": f"{p['household_id']} {name} · {status}", "value": p["household_id"]}


def visits(grid: Any, status: Any, version: Any) -> tuple[Component, list[dict[str, str]]]:
    """The households due a visit this period (the ticked statuses), and the visit form's choices (all of them).

    `version` (the page's grid-version store) only makes the page ask again after a visit is recorded.
    """
    grids = scope.grids(grid)
    wanted = scope.statuses(status, VISIT_STATUSES)
    lang = language()
    features = data_access.detail("visits", Filters(grids=grids))["features"]
    rows = sorted((f["properties"] for f in features), key=lambda p: (list(VISIT_STATUSES).index(p["status"]), p["household_id"]))
    shown = [p for p in rows if p["status"] in wanted]
    items = [household_item(p, lang) for p in shown[:SHOWN]]
    return _list(items, len(shown), lang), [household_option(p, lang) for p in rows]


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
