"""The list of the leader's open cases, most urgent first (the shared query's order): one tap opens a case.

Each row: the category, the address, how long ago it came in (3天), its
deadline or 已逾期, and how many units called in have not yet reported (待报到).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dash import dcc, html
from dash.development.base_component import Component

from gridgov.i18n import text


def href(case_id: str) -> str:
    """The address of a case's view on this page."""
    return f"/cases?case={case_id}"


def age(value: timedelta, lang: str) -> str:
    """How long a case has been in: days, or hours on its first day."""
    if value.days >= 1:
        return text("case_age_days", lang, n=value.days)
    return text("case_age_hours", lang, n=max(0, int(value.total_seconds() // 3600)))


def due(row: dict[str, Any]) -> datetime | None:
    """The deadline that comes first: the response's while it is not responded to, else the resolution's."""
    times = [row.get("due_at")]
    if row.get("responded_at") is None:
        times.append(row.get("respond_due_at"))
    found = [t for t in times if t is not None]
    return min(found) if found else None


def badges(row: dict[str, Any], lang: str, zone: ZoneInfo) -> list[Component]:
    """Overdue or the deadline's day, and the units still awaited."""
    out: list[Component] = []
    deadline = due(row)
    if row.get("overdue"):
        out.append(html.Span(text("case_overdue", lang), className="gg-badge gg-badge-overdue"))
    elif deadline is not None:
        day = text("day_time", lang, t=deadline.astimezone(zone))
        out.append(html.Span(text("case_due", lang, day=day), className="gg-badge gg-badge-due"))
    if row.get("waiting_units"):
        out.append(html.Span(text("case_waiting", lang, n=row["waiting_units"]), className="gg-badge gg-badge-waiting"))
    return out


def title(row: dict[str, Any], lang: str) -> str:
    """A case's name in a list: its category."""
    return str(row.get("category") or text("case_uncategorised", lang))


def item(row: dict[str, Any], lang: str, zone: ZoneInfo) -> Component:
    """One case as a row that opens it."""
    head = html.Div(
        [html.Span(title(row, lang), className="gg-case-title"), html.Span(age(row["age"], lang), className="gg-case-age")],
        className="gg-case-head",
    )
    link = dcc.Link(
        [head, html.Div(row.get("address") or text("case_no_address", lang), className="gg-case-line"),
         html.Div(badges(row, lang, zone), className="gg-case-badges")],
        href=href(row["case_id"]),
        className="gg-case-link",
    )
    late = " gg-case-late" if row.get("overdue") else ""
    return html.Li(link, className="gg-case" + late,
                   **{"data-case": row["case_id"], "data-overdue": "1" if row.get("overdue") else "0"})


def case_list(rows: list[dict[str, Any]], lang: str, zone: ZoneInfo) -> Component:
    """The list, with the button that raises a new case above it."""
    raise_link = dcc.Link(text("case_raise", lang), href="/cases?raise=1", className="gg-button gg-case-raise")
    if not rows:
        return html.Div([raise_link, html.P(text("cases_empty", lang), className="gg-list-empty")])
    return html.Div([raise_link, html.Ul([item(r, lang, zone) for r in rows], className="gg-case-list")])
