"""Complaints (接诉即办) per grid: counts, per 100 households, and the three rates with their denominators.

Filters: grids, the time window (calendar days in the community's time zone,
end inclusive, on received_at), categories (诉求类别) and statuses.

A complaint's status is derived from its columns, the first rule that holds:

| status           | rule                                                    |
|------------------|---------------------------------------------------------|
| resolved         | resolved is true (是否解决 = 是)                          |
| unresolved       | resolved is false (closed, not solved)                  |
| closed_unknown   | resolved_at (办结时间) set, resolved unknown              |
| in_progress      | responded_at (响应时间) set, not closed                   |
| pending          | none of these: waiting for a response                    |

The three rates (ANALYTICS.md), per grid and window, as percentages with one
decimal; an unknown is counted in its own column and kept out of both sides of
the fraction:

- response rate = responded within the limit / work orders whose response is
  known. In time: responded_at - received_at <= response_limit_hours (2 h by
  default). Late: responded after the limit, or still pending (no response,
  not closed) when the limit has passed at the reference time: the end of the
  as_of day, or now. Unknown: closed without a recorded response time (we cannot
  tell when it was answered), pending but not yet past the limit, or a response
  time before receipt (a data error).
- resolution rate = resolved / work orders with a known outcome (resolved true
  or false). Unknown outcome: resolved empty, whether still open or closed
  without 是否解决.
- satisfaction rate = (satisfied + w x basically satisfied) / rated, with w =
  basically_satisfied_weight (1.0 by default). Unrated: satisfaction empty.

The other complaint layers (hot spots, emerging hot spots, density) count the
same complaints: `params` and `over_complaints` are shared with them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd
import psycopg

from gridgov.errors import InputError
from gridgov.settings import Settings
from layers import _queries
from layers._frames import frame
from layers.registry import PERSONAL_DETAIL, Column, Filters, Layer, Legend, register

STATUSES = {
    "pending": ("待响应", "awaiting response"),
    "in_progress": ("办理中", "in progress"),
    "resolved": ("已解决", "closed, resolved"),
    "unresolved": ("未解决", "closed, not resolved"),
    "closed_unknown": ("已办结·结果未知", "closed, outcome unknown"),
}
FILTERS = frozenset({"grids", "window", "categories", "statuses"})  # what every complaint layer filters by
LATE_CHECK_SECONDS = 60  # without as_of, the response counts are recomputed this often: pending orders turn late


def today(filters: Filters, settings: Settings) -> date:
    """The day a layer is computed for: the filter's as_of, or today in the community's time zone."""
    return filters.as_of or settings.clock().today()


def reference_time(filters: Filters, settings: Settings) -> datetime:
    """When a pending complaint is judged late: the end of the as_of day, or now."""
    clock = settings.clock()
    if filters.as_of is None:
        return clock.now()
    return datetime.combine(filters.as_of + timedelta(days=1), time(0), tzinfo=clock.zone)


def params(filters: Filters, settings: Settings) -> dict[str, Any]:
    """Query parameters of the filters, for `complaints_filtered.sql` and the queries over it."""
    unknown = set(filters.statuses) - set(STATUSES)
    if unknown:
        raise InputError(f"unknown complaint status {', '.join(sorted(unknown))}; statuses: {', '.join(STATUSES)}")
    return {
        "grids": list(filters.grids),
        "start": filters.start,
        "end": filters.end,
        "tz": settings.timezone,
        "categories": list(filters.categories),
        "statuses": list(filters.statuses),
        "response_limit": timedelta(hours=settings.response_limit_hours),
        "reference": reference_time(filters, settings),
        "weight": settings.basically_satisfied_weight,
    }


def over_complaints(name: str) -> str:
    """The query `layers/sql/<name>.sql` over the complaints of the filters, the CTE `c`."""
    return f"WITH c AS (\n{_queries.load('complaints_filtered')}\n)\n{_queries.load(name)}"


def counts(conn: psycopg.Connection, filters: Filters, settings: Settings) -> pd.DataFrame:
    """The complaints of the filters per grid (column `complaints`), every grid of filters.grids kept."""
    return frame(conn, over_complaints("complaints_counts"), params(filters, settings))


def _aggregate(conn: psycopg.Connection, filters: Filters, settings: Settings) -> pd.DataFrame:
    return frame(conn, over_complaints("complaints_per_grid"), params(filters, settings))


def _detail(conn: psycopg.Connection, filters: Filters, settings: Settings) -> dict[str, Any]:
    row = conn.execute(over_complaints("complaints_points"), params(filters, settings)).fetchone()
    assert row is not None  # the query aggregates
    value: dict[str, Any] = row[0]
    return value


def _notes(settings: Settings) -> tuple[str, str]:
    """The legend's formulas, with the limit and weight this installation uses."""
    hours = f"{settings.response_limit_hours:g}"
    w = f"{settings.basically_satisfied_weight:g}"
    zh = (
        f"响应率 = {hours}小时内响应的工单 ÷ 响应情况已知的工单；"
        "解决率 = 已解决 ÷ 解决情况已知的工单；"
        f"满意率 = (满意 + {w} × 基本满意) ÷ 已评价工单。"
        "未知（已办结但无响应时间、未到时限、未填是否解决、未评价）单独计数，不计入分子分母。"
        f"每百户 = 诉求数 ÷ 户数 × 100。时限与基本满意权重可配置"
        "（GRIDGOV_RESPONSE_LIMIT_HOURS、GRIDGOV_BASICALLY_SATISFIED_WEIGHT）。"
    )
    en = (
        f"response rate = responded within {hours} h ÷ orders whose response is known; "
        "resolution rate = resolved ÷ orders with a known outcome; "
        f"satisfaction rate = (satisfied + {w} × basically satisfied) ÷ rated orders. "
        "Unknowns (closed without a response time, not yet due, outcome or rating missing) are counted "
        "separately, never in a fraction. per 100 = complaints ÷ households × 100. The limit and the weight "
        "are settings (GRIDGOV_RESPONSE_LIMIT_HOURS, GRIDGOV_BASICALLY_SATISFIED_WEIGHT)."
    )
    return zh, en


COLUMNS = (
    Column("complaints", "int", "诉求数", "complaints"),
    Column("per_100_households", "float", "每百户诉求数", "complaints per 100 households"),
    Column("pending", "int", "待响应", "awaiting response"),
    Column("in_progress", "int", "办理中", "in progress"),
    Column("responded_in_time", "int", "按时响应", "responded within the limit"),
    Column("response_known", "int", "响应情况已知", "response known (denominator of the response rate)"),
    Column("response_rate", "float", "响应率（%）", "response rate, %"),
    Column("response_unknown", "int", "响应情况未知", "response unknown"),
    Column("resolved", "int", "已解决", "resolved"),
    Column("outcome_known", "int", "解决情况已知", "outcome known (denominator of the resolution rate)"),
    Column("resolution_rate", "float", "解决率（%）", "resolution rate, %"),
    Column("outcome_unknown", "int", "解决情况未知", "outcome unknown"),
    Column("satisfied", "int", "满意", "satisfied"),
    Column("basically_satisfied", "int", "基本满意", "basically satisfied"),
    Column("dissatisfied", "int", "不满意", "dissatisfied"),
    Column("rated", "int", "已评价", "rated (denominator of the satisfaction rate)"),
    Column("satisfaction_rate", "float", "满意率（%）", "satisfaction rate, %"),
    Column("unrated", "int", "未评价", "unrated"),
)

_NOTE_ZH, _NOTE_EN = _notes(Settings())

LAYER = register(
    Layer(
        name="complaints",
        label_zh="接诉即办",
        label_en="Complaints",
        accepts=FILTERS | {"as_of"},
        columns=COLUMNS,
        aggregate=_aggregate,
        legend=Legend(
            property="complaints",
            kind="count",
            title_zh="诉求数",
            title_en="Complaints",
            note_zh=_NOTE_ZH,
            note_en=_NOTE_EN,
        ),
        access=PERSONAL_DETAIL,
        detail=_detail,
        detail_columns=(
            Column("ticket_id", "str", "工单编号", "ticket id"),
            Column("received_at", "str", "受理时间", "received (YYYY-MM-DD HH:MM, community time)"),
            Column("category", "str", "诉求类别", "category"),
            Column("status", "str", "状态", "pending, in_progress, resolved, unresolved, closed_unknown"),
            Column("in_time", "str", "按时响应", "responded in time: true, false, or null when unknown"),
            Column("address", "str", "诉求地址", "address"),
            Column("content", "str", "诉求内容", "what the caller said (personal data)"),
        ),
        # a planner's export withholds a grid's small counts, and the rates built on them
        suppress={
            "complaints": ("per_100_households",),
            "response_known": ("responded_in_time", "response_rate"),
            "outcome_known": ("resolved", "resolution_rate"),
            "rated": ("satisfied", "basically_satisfied", "dissatisfied", "satisfaction_rate"),
        },
        fresh_for=LATE_CHECK_SECONDS,  # a pending complaint turns late as time passes (reference_time)
        reads=frozenset({"complaints", "households", "grids"}),
    )
)
