"""The wall's panels as components: the key-figure tiles, the grids that need attention, the work-order banner,
the legend and the playlist, and the rows of a grid's pop-up. Every word comes from the catalogue (gridgov.i18n)."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from dash import html
from dash.development.base_component import Component

from dashboard.wall.numbers import EARLY_WARNING_POINTS, RATE_DAYS, Figures, GridNumbers
from dashboard.wall.playlist import Swatch
from gridgov.i18n import text
from layers.rates import Rate
from layers.work_orders import WorkOrder

RANKED = 6  # grids listed as needing attention, at most


def _data(**attributes: str) -> dict[str, Any]:
    """HTML data-* attributes (what the tests and the page's style select on)."""
    return {f"data-{name}": value for name, value in attributes.items()}


def _count(n: int) -> str:
    return f"{n:,}"


def _day(d: date, lang: str) -> str:
    return text("day", lang, d=d)


def _rate(rate: Rate, lang: str) -> str:
    return text("wall_no_value", lang) if rate.percent is None else f"{rate.percent:.1f}%"


# why a rate has no value: what its denominator counts is missing in the window
_NO_BASE = {"response": "wall_no_response_known", "resolution": "wall_no_outcome_known", "satisfaction": "wall_no_rated"}


def _rate_note(key: str, rate: Rate, f: Figures, lang: str) -> str:
    """The window and base of a rate, or, when it has no value, why."""
    if rate.base:
        return text("wall_note_rate", lang, window=text("wall_note_recent", lang, days=RATE_DAYS), n=_count(rate.base))
    return text("wall_no_orders" if not f.complaints_recent else _NO_BASE[key], lang, days=RATE_DAYS)


def tile(key: str, value: str, note: str, lang: str, *, alert: bool = False) -> html.Div:
    """One key figure: what it is, the number, and the window or base it is counted over."""
    return html.Div(
        [
            html.Div(text(f"wall_kpi_{key}", lang), className="gg-wall-kpi-label"),
            html.Div(value, className="gg-wall-kpi-value"),
            html.Div(note, className="gg-wall-kpi-note"),
        ],
        className="gg-wall-kpi gg-wall-kpi-alert" if alert else "gg-wall-kpi",
        **_data(kpi=key),
    )


def tiles(f: Figures, lang: str) -> list[Component]:
    """The nine key figures of the community."""
    share = "0" if f.special_share.percent is None else f"{f.special_share.percent:.1f}"
    return [
        tile("households", _count(f.households), text("wall_note_grids", lang, n=len(f.grids)), lang),
        tile("special", _count(f.special), text("wall_note_share", lang, pct=share), lang),
        tile(
            "visits_overdue",
            _count(f.visits_overdue),
            text("wall_note_pending", lang, n=_count(f.visits_pending), due=_count(f.visits_due)),
            lang,
            alert=f.visits_overdue > 0,
        ),
        tile("complaints_week", _count(f.complaints_week), text("wall_note_week", lang, start=_day(f.week_start, lang)), lang),
        *(
            tile(key, _rate(rate, lang), _rate_note(key, rate, f, lang), lang)
            for key, rate in (("response", f.response), ("resolution", f.resolution), ("satisfaction", f.satisfaction))
        ),
        tile(
            "hazards_open", _count(f.hazards_open), text("wall_note_in_progress", lang, n=_count(f.hazards_in_progress)), lang
        ),
        tile(
            "hazards_overdue", _count(f.hazards_overdue), text("wall_note_today", lang), lang, alert=f.hazards_overdue > 0
        ),
    ]


def reasons(grid: GridNumbers, lang: str) -> list[str]:
    """What makes up a grid's score, one phrase per part that is not zero."""
    out = []
    if grid.visits_overdue:
        out.append(text("wall_reason_visits", lang, n=grid.visits_overdue))
    if grid.hazards_overdue:
        out.append(text("wall_reason_hazards", lang, n=grid.hazards_overdue))
    if grid.hot_level:
        out.append(text("wall_reason_hotspot", lang, level=grid.hot_level))
    if grid.early_warning:
        out.append(text("wall_reason_warning", lang, points=EARLY_WARNING_POINTS))
    return out


def ranking(f: Figures, lang: str) -> list[Component]:
    """The grids that need attention, highest score first, each with why; the formula underneath."""
    ranked = f.needing_attention(RANKED)
    rows: list[Component] = [
        html.Li(
            [
                html.Span(str(i), className="gg-wall-rank-pos"),
                html.Span(g.name, className="gg-wall-rank-name"),
                html.Span(str(g.score), className="gg-wall-rank-score"),
                html.Div([html.Span(r, className="gg-wall-reason") for r in reasons(g, lang)], className="gg-wall-reasons"),
            ],
            className="gg-wall-rank-row",
            **_data(grid=g.code),
        )
        for i, g in enumerate(ranked, start=1)
    ]
    body: Component = (
        html.Ol(rows, className="gg-wall-rank-list") if rows else html.P(text("wall_ranking_none", lang), className="gg-wall-calm")
    )
    return [
        html.H2(text("wall_ranking_title", lang)),
        body,
        html.P(text("wall_ranking_formula", lang, points=EARLY_WARNING_POINTS), className="gg-wall-formula"),
    ]


def banner(orders: list[WorkOrder], lang: str, timezone: str) -> list[Component]:
    """The latest work orders: time received, category and grid, newest first."""
    zone = ZoneInfo(timezone)
    items: list[Component] = [
        html.Li(
            [
                html.Span(o.received_at.astimezone(zone).strftime("%m-%d %H:%M"), className="gg-wall-order-time"),
                html.Span(o.category or text("wall_uncategorised", lang), className="gg-wall-order-category"),
                html.Span(o.grid_name, className="gg-wall-order-grid"),
            ],
            className="gg-wall-order",
        )
        for o in orders
    ]
    if not items:
        items = [html.Li(text("wall_orders_none", lang), className="gg-wall-order gg-wall-calm")]
    return [html.Span(text("wall_orders_title", lang), className="gg-wall-banner-title"), html.Ul(items)]


def legend(title: str, swatches: tuple[Swatch, ...]) -> list[Component]:
    """The legend of the layer on the map: every class or category with its colour (absent ones dimmed)."""
    rows = [
        html.Div(
            [html.Span(className="gg-wall-swatch", style={"background": s.color}), html.Span(s.label)],
            className="gg-wall-legend-row" if s.present else "gg-wall-legend-row gg-wall-legend-absent",
        )
        for s in swatches
    ]
    wide = " gg-wall-legend-wide" if len(rows) > 8 else ""
    return [html.Div(title, className="gg-wall-legend-title"), html.Div(rows, className="gg-wall-legend-rows" + wide)]


def progress(labels: list[str], current: int) -> list[Component]:
    """The playlist, the layer on the map marked."""
    return [
        html.Span(label, className="gg-wall-step gg-wall-step-on" if i == current else "gg-wall-step")
        for i, label in enumerate(labels)
    ]


def popup_rows(grid: GridNumbers | None, lang: str) -> list[list[Any]]:
    """A grid's figures as [label, value] pairs for its pop-up."""
    if grid is None:
        return []
    return [
        [text("wall_kpi_households", lang), _count(grid.households)],
        [text("wall_kpi_special", lang), _count(grid.special)],
        [text("wall_kpi_visits_overdue", lang), _count(grid.visits_overdue)],
        [text("wall_kpi_complaints_week", lang), _count(grid.complaints_week)],
        [text("wall_kpi_hazards_open", lang), _count(grid.hazards_open)],
        [text("wall_kpi_hazards_overdue", lang), _count(grid.hazards_overdue)],
        [text("wall_popup_warning", lang), text("yes" if grid.early_warning else "no", lang)],
        [text("wall_popup_score", lang), str(grid.score)],
    ]
