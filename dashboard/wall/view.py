"""The wall's panels as components: the key-figure tiles, the grids that need attention, the work-order banner,
the legend and the playlist, and the rows of a grid's pop-up. Every word comes from the catalogue (gridgov.i18n)."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from dash import html
from dash.development.base_component import Component

from dashboard.wall.numbers import RATE_DAYS, Figures, GridNumbers
from dashboard.wall.playlist import Styled
from gridgov.i18n import text
from layers.ranking import Ranked, Weights, number
from layers.rates import Rate
from layers.work_orders import WorkOrder

RANKED = 5  # grids listed as needing attention, at most (what fits the panel at the wall's type size)


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


def _reason(part: str, n: int, lang: str) -> str:
    if part == "hazards_overdue":
        return text("wall_reason_hazards", lang, n=n)
    if part == "visits_overdue":
        return text("wall_reason_visits", lang, n=n)
    if part == "hotspot":
        return text("wall_reason_hotspot", lang, level=n)
    return text("wall_reason_warning", lang)


def reasons(ranked: Ranked[GridNumbers], lang: str) -> list[str]:
    """What makes up a grid's score, one phrase per weighed part that is not zero, the heaviest first."""
    return [_reason(part, n, lang) for part, n, _ in ranked.parts]


def formula(weights: Weights, lang: str) -> str:
    """The ranking's formula in one line, from the installation's weights (排名 = 逾期隐患×3 + 上期漏访×1 + …)."""
    terms = [text(f"wall_rank_term_{part}", lang, w=number(weights.of_part(part))) for part in weights.heaviest_first()]
    return text("wall_ranking_formula", lang, terms=" + ".join(terms))


def ranking(f: Figures, lang: str) -> list[Component]:
    """The grids that need attention, highest score first, each with why; the formula underneath."""
    rows: list[Component] = [
        html.Li(
            [
                html.Span(str(r.rank), className="gg-wall-rank-pos"),
                html.Div(  # the name, then why, on one line while they fit
                    [html.Span(r.unit.name, className="gg-wall-rank-name"),
                     *(html.Span(why, className="gg-wall-reason") for why in reasons(r, lang))],
                    className="gg-wall-reasons",
                ),
                html.Span(number(r.score), className="gg-wall-rank-score"),
            ],
            className="gg-wall-rank-row",
            **_data(grid=r.unit.code),
        )
        for r in f.needing_attention(RANKED)
    ]
    body: Component = (
        html.Ol(rows, className="gg-wall-rank-list") if rows else html.P(text("wall_ranking_none", lang), className="gg-wall-calm")
    )
    return [
        html.H2(text("wall_ranking_title", lang)),
        body,
        html.P(formula(f.weights, lang), className="gg-wall-formula"),
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


def legend(title: str, styled: Styled, explain: str, lang: str) -> list[Component]:
    """The legend of the layer on the map, beside it: every class or category with its colour (absent ones dimmed),
    the notice when nothing stands out, and how it is computed behind a "?" (`explain`; none when "")."""
    rows = [
        html.Div(
            [
                html.Span(
                    [html.Span(className="gg-wall-swatch", style={"background": c}) for c in (*s.shades, s.color)],
                    className="gg-wall-swatches",
                ),
                html.Span(s.label, className="gg-wall-legend-label"),
            ],
            className="gg-wall-legend-row" if s.present else "gg-wall-legend-row gg-wall-legend-absent",
        )
        for s in styled.swatches
    ]
    out: list[Component] = [html.Div(title, className="gg-wall-legend-title")]
    if styled.notice:
        out.append(html.P(styled.notice, className="gg-wall-notice", role="status"))
    out.append(html.Div(rows, className="gg-wall-legend-rows"))
    if explain:
        out.append(
            html.Details(
                [html.Summary("?", title=text("wall_explain", lang), className="gg-wall-explain-toggle"),
                 html.P(explain, className="gg-wall-explain")],
                className="gg-wall-explain-box",
            )
        )
    return out


def progress(labels: list[str], current: int) -> list[Component]:
    """The playlist, the layer on the map marked."""
    return [
        html.Span(label, className="gg-wall-step gg-wall-step-on" if i == current else "gg-wall-step")
        for i, label in enumerate(labels)
    ]


def popup_rows(grid: GridNumbers | None, f: Figures, lang: str) -> list[list[Any]]:
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
        [text("wall_popup_score", lang), number(f.score(grid))],
    ]
