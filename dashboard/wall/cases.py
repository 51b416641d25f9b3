"""The wall's case panel (open, overdue and escalated-and-unacknowledged cases) and, under the ranking, the units
awaited longest with how long they have waited.

Read afresh at every refresh when the loop's tables changed (layers.cases
READS, through data_access.remembered, kept otherwise for at most
FRESH_SECONDS since waiting times grow with the clock). Unlike the rest of the
wall it is never answered from older data while rebuilt: the query is small,
so a 报到 or a resolution made on a phone shows at the next refresh. Large
figures and short lines, to be read from across the room; nothing but a
unit's name, a category, a grid and a time.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from dash import html
from dash.development.base_component import Component

from dashboard.web import data_access
from dashboard.web.appctx import settings
from dashboard.web.session import current_viewer
from gridgov import i18n
from gridgov.i18n import text
from layers import cases
from layers.cases import WallCases

FRESH_SECONDS = 30
SHOWN = 4  # units listed as awaited, the longest waiting first

i18n.add({
    "zh": {
        "wall_cases_title": "案件办理",
        "wall_cases_open": "未办结",
        "wall_cases_overdue": "已逾期",
        "wall_cases_escalated": "吹哨待报到",
        "wall_cases_waited": "已等 {t}",
        "wall_cases_late": "超时",
        "wall_cases_none": "没有等待报到的单位",
        "wall_cases_more": "另有 {n} 个单位待报到",
        "wall_cases_days": "{d}天{h}小时",
        "wall_cases_hours": "{h}小时{m}分",
        "wall_cases_minutes": "{m}分钟",
    },
    "en": {
        "wall_cases_title": "Cases",
        "wall_cases_open": "Open",
        "wall_cases_overdue": "Overdue",
        "wall_cases_escalated": "Awaiting units",
        "wall_cases_waited": "waiting {t}",
        "wall_cases_late": "late",
        "wall_cases_none": "No unit is awaited",
        "wall_cases_more": "{n} more units awaited",
        "wall_cases_days": "{d} d {h} h",
        "wall_cases_hours": "{h} h {m} min",
        "wall_cases_minutes": "{m} min",
    },
})



def waited(span: timedelta, lang: str) -> str:
    """A waiting time in words: days and hours, hours and minutes, or minutes."""
    minutes = max(int(span.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return text("wall_cases_days", lang, d=days, h=hours)
    if hours:
        return text("wall_cases_hours", lang, h=hours, m=mins)
    return text("wall_cases_minutes", lang, m=mins)


def figures() -> WallCases:
    """The loop's figures as the session may see them, kept until the loop's tables change."""
    viewer = current_viewer()
    clock = settings().layers.clock()

    def compute() -> WallCases:
        with data_access.viewer_connection(viewer) as conn:
            return cases.wall_cases(conn, clock, limit=SHOWN)

    return data_access.remembered(("wall-cases", viewer), compute, reads=cases.READS, fresh_for=FRESH_SECONDS)


def _figure(key: str, n: int, lang: str, *, alert: bool = False) -> html.Div:
    return html.Div(
        [html.Div(str(n), className="gg-wall-case-n"), html.Div(text(f"wall_cases_{key}", lang), className="gg-wall-case-label")],
        className="gg-wall-case-figure gg-wall-case-alert" if alert and n else "gg-wall-case-figure",
        **dict[str, Any]({"data-case-figure": key}),
    )


def panel(lang: str) -> list[Component]:
    """The case panel: the three figures."""
    f = figures()
    return [
        html.H2(text("wall_cases_title", lang)),
        html.Div(
            [_figure("open", f.open, lang), _figure("overdue", f.overdue, lang, alert=True),
             _figure("escalated", f.escalated, lang, alert=True)],
            className="gg-wall-case-figures",
        ),
    ]


def waiting(lang: str) -> list[Component]:
    """The units called in and not yet come (吹哨待报到), the longest waiting first, each with its wait."""
    f = figures()
    rows: list[Component] = [
        html.Li(
            [
                html.Span(a.unit, className="gg-wall-await-unit"),
                html.Span(" · ".join(filter(None, [a.grid_name, a.category])), className="gg-wall-await-where"),
                html.Span(
                    text("wall_cases_waited", lang, t=waited(a.waited, lang))
                    + (f" · {text('wall_cases_late', lang)}" if a.late else ""),
                    className="gg-wall-await-time gg-wall-await-late" if a.late else "gg-wall-await-time",
                ),
            ],
            className="gg-wall-await",
            **dict[str, Any]({"data-unit": a.unit}),
        )
        for a in f.awaited
    ]
    if f.awaited_total > len(f.awaited):
        rows.append(html.Li(text("wall_cases_more", lang, n=f.awaited_total - len(f.awaited)), className="gg-wall-await"))
    body: Component = (
        html.Ul(rows, className="gg-wall-await-list") if rows
        else html.P(text("wall_cases_none", lang), className="gg-wall-calm")
    )
    return [html.H3(text("wall_waiting_title", lang)), body]
