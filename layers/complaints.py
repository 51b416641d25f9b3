"""Complaints (接诉即办) per grid: counts, per 100 households, and the three rates with their denominators.

Filters: grids, the time window (calendar days in the community's time zone,
end inclusive, on received_at), categories (诉求类别) and statuses.

A work order is a case (gridgov.cases). One that went through the loop (any
event not from an office file: the field, the secretary, the intake API, a
unit; work orders that came in through the intake API included) is counted
from its case: received / assigned is pending, responded / in progress is
in_progress, resolved / verified is resolved (the leader said it is done),
closed by the secretary without a check is closed_unknown; its times and
satisfaction are the case's. One known only from files is counted from the
file's columns (the case lists read it from the same row, migration 025), its
status derived from them (SQL complaint_status, migration 023), the first rule
that holds:

| status           | rule                                                    |
|------------------|---------------------------------------------------------|
| resolved         | resolved is true (是否解决 = 是)                          |
| unresolved       | resolved is false (closed, not solved)                  |
| closed_unknown   | resolved_at (办结时间) set, resolved unknown              |
| in_progress      | responded_at (响应时间) set, not closed                   |
| pending          | none of these: waiting for a response                    |

The three rates (docs/DEFINITIONS.md), per grid and window, as percentages with one
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

The counts are made per grid in PostGIS (complaints_per_grid.sql); each rate
is taken of them by its definition in layers.rates, the one a community's
rate over many grids is taken by too (layers.community).

The other complaint layers (hot spots, emerging hot spots, density) count the
same complaints: `params` and `over_complaints` are shared with them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd
import psycopg

from gridgov import i18n
from gridgov.errors import InputError
from gridgov.settings import LayerSettings
from gridgov.vocabulary import COMPLAINT_STATUSES
from layers import _queries, rates
from layers._frames import frame
from layers.registry import Column, Filters, Layer, Legend, register
from layers.suppression import Rule, Sum

FILTERS = frozenset({"grids", "window", "categories", "statuses"})  # what every complaint layer filters by
READS = frozenset({"complaints", "cases", "case_events", "grids"})  # what every complaint layer reads
LATE_CHECK_SECONDS = 60  # without as_of, the response counts are recomputed this often: pending orders turn late


def today(filters: Filters, settings: LayerSettings) -> date:
    """The day a layer is computed for: the filter's as_of, or today in the community's time zone."""
    return filters.as_of or settings.clock().today()


def reference_time(filters: Filters, settings: LayerSettings) -> datetime:
    """When a pending complaint is judged late: the end of the as_of day, or now."""
    clock = settings.clock()
    if filters.as_of is None:
        return clock.now()
    return datetime.combine(filters.as_of + timedelta(days=1), time(0), tzinfo=clock.zone)


def params(filters: Filters, settings: LayerSettings) -> dict[str, Any]:
    """Query parameters of the filters, for `complaints_filtered.sql` and the queries over it."""
    unknown = set(filters.statuses) - set(COMPLAINT_STATUSES)
    if unknown:
        raise InputError(f"unknown complaint status {', '.join(sorted(unknown))}; statuses: {', '.join(COMPLAINT_STATUSES)}")
    return {
        "grids": list(filters.grids),
        "start": filters.start,
        "end": filters.end,
        "tz": settings.timezone,
        "categories": list(filters.categories),
        "statuses": list(filters.statuses),
        "response_limit": timedelta(hours=settings.response_limit_hours),
        "reference": reference_time(filters, settings),
    }


def over_complaints(name: str) -> str:
    """The query `layers/sql/<name>.sql` over the complaints of the filters, the CTE `c`."""
    return f"WITH c AS (\n{_queries.load('complaints_filtered')}\n)\n{_queries.load(name)}"


def counts(conn: psycopg.Connection, filters: Filters, settings: LayerSettings) -> pd.DataFrame:
    """The complaints of the filters per grid (column `complaints`), every grid of filters.grids kept."""
    return frame(conn, over_complaints("complaints_counts"), params(filters, settings))


def _aggregate(conn: psycopg.Connection, filters: Filters, settings: LayerSettings) -> pd.DataFrame:
    counted = frame(conn, over_complaints("complaints_per_grid"), params(filters, settings))
    return rates.with_rates(counted, rates.COMPLAINT_RATES, settings)[[c.name for c in COLUMNS]]


def _detail(conn: psycopg.Connection, filters: Filters, settings: LayerSettings) -> dict[str, Any]:
    row = conn.execute(over_complaints("complaints_points"), params(filters, settings)).fetchone()
    assert row is not None  # the query aggregates
    value: dict[str, Any] = row[0]
    return value


COLUMNS = (
    Column("complaints", "int", "complaints.complaints"),
    Column("per_100_households", "float", "complaints.per_100_households"),
    Column("pending", "int", "complaints.pending"),
    Column("in_progress", "int", "complaints.in_progress"),
    Column("responded_in_time", "int", "complaints.responded_in_time"),
    Column("response_known", "int", "complaints.response_known"),
    Column("response_rate", "float", "complaints.response_rate"),
    Column("response_unknown", "int", "complaints.response_unknown"),
    Column("resolved", "int", "complaints.resolved"),
    Column("outcome_known", "int", "complaints.outcome_known"),
    Column("resolution_rate", "float", "complaints.resolution_rate"),
    Column("outcome_unknown", "int", "complaints.outcome_unknown"),
    Column("satisfied", "int", "complaints.satisfied"),
    Column("basically_satisfied", "int", "complaints.basically_satisfied"),
    Column("dissatisfied", "int", "complaints.dissatisfied"),
    Column("rated", "int", "complaints.rated"),
    Column("satisfaction_rate", "float", "complaints.satisfaction_rate"),
    Column("unrated", "int", "complaints.unrated"),
)

i18n.add({
    "zh": {
        "complaints.label": "接诉即办",
        "complaints.legend": "诉求数",
        "complaints.formulas": (
            "响应率 = {hours}小时内响应的工单 ÷ 响应情况已知的工单；"
            "解决率 = 已解决 ÷ 解决情况已知的工单；"
            "满意率 = (满意 + {w} × 基本满意) ÷ 已评价工单。"
            "未知（已办结但无响应时间、未到时限、未填是否解决、未评价）单独计数，不计入分子分母。"
            "每百户 = 诉求数 ÷ 户数 × 100。时限与基本满意权重可配置"
            "（GRIDGOV_RESPONSE_LIMIT_HOURS、GRIDGOV_BASICALLY_SATISFIED_WEIGHT）。"
        ),
        "complaints.complaints": "诉求数",
        "complaints.per_100_households": "每百户诉求数",
        "complaints.pending": "待响应",
        "complaints.in_progress": "办理中",
        "complaints.responded_in_time": "按时响应",
        "complaints.response_known": "响应情况已知",
        "complaints.response_rate": "响应率（%）",
        "complaints.response_unknown": "响应情况未知",
        "complaints.resolved": "已解决",
        "complaints.outcome_known": "解决情况已知",
        "complaints.resolution_rate": "解决率（%）",
        "complaints.outcome_unknown": "解决情况未知",
        "complaints.satisfied": "满意",
        "complaints.basically_satisfied": "基本满意",
        "complaints.dissatisfied": "不满意",
        "complaints.rated": "已评价",
        "complaints.satisfaction_rate": "满意率（%）",
        "complaints.unrated": "未评价",
        "complaints.detail.ticket_id": "工单编号",
        "complaints.detail.received_at": "受理时间",
        "complaints.detail.category": "诉求类别",
        "complaints.detail.status": "状态",
        "complaints.detail.in_time": "按时响应",
        "complaints.detail.address": "诉求地址",
        "complaints.detail.content": "诉求内容",
    },
    "en": {
        "complaints.label": "Complaints",
        "complaints.legend": "Complaints",
        "complaints.formulas": (
            "response rate = responded within {hours} h ÷ orders whose response is known; "
            "resolution rate = resolved ÷ orders with a known outcome; "
            "satisfaction rate = (satisfied + {w} × basically satisfied) ÷ rated orders. "
            "Unknowns (closed without a response time, not yet due, outcome or rating missing) are counted "
            "separately, never in a fraction. per 100 = complaints ÷ households × 100. The limit and the weight "
            "are settings (GRIDGOV_RESPONSE_LIMIT_HOURS, GRIDGOV_BASICALLY_SATISFIED_WEIGHT)."
        ),
        "complaints.complaints": "complaints",
        "complaints.per_100_households": "complaints per 100 households",
        "complaints.pending": "awaiting response",
        "complaints.in_progress": "in progress",
        "complaints.responded_in_time": "responded within the limit",
        "complaints.response_known": "response known (denominator of the response rate)",
        "complaints.response_rate": "response rate, %",
        "complaints.response_unknown": "response unknown",
        "complaints.resolved": "resolved",
        "complaints.outcome_known": "outcome known (denominator of the resolution rate)",
        "complaints.resolution_rate": "resolution rate, %",
        "complaints.outcome_unknown": "outcome unknown",
        "complaints.satisfied": "satisfied",
        "complaints.basically_satisfied": "basically satisfied",
        "complaints.dissatisfied": "dissatisfied",
        "complaints.rated": "rated (denominator of the satisfaction rate)",
        "complaints.satisfaction_rate": "satisfaction rate, %",
        "complaints.unrated": "unrated",
        "complaints.detail.ticket_id": "ticket id",
        "complaints.detail.received_at": "received (YYYY-MM-DD HH:MM, community time)",
        "complaints.detail.category": "category",
        "complaints.detail.status": ", ".join(COMPLAINT_STATUSES),
        "complaints.detail.in_time": "responded in time: true, false, or null when unknown",
        "complaints.detail.address": "address",
        "complaints.detail.content": "what the caller said (personal data)",
    },
})

LAYER = register(
    Layer(
        name="complaints",
        label="complaints.label",
        accepts=FILTERS | {"as_of"},
        columns=COLUMNS,
        aggregate=_aggregate,
        legend=Legend(
            property="complaints",
            kind="count",
            title="complaints.legend",
            note="complaints.formulas",  # with the limit and weight this installation uses
            note_values=lambda settings: {
                "hours": f"{settings.response_limit_hours:g}", "w": f"{settings.basically_satisfied_weight:g}",
            },
        ),
        detail=_detail,
        detail_columns=(
            Column("ticket_id", "str", "complaints.detail.ticket_id"),
            Column("received_at", "str", "complaints.detail.received_at"),
            Column("category", "str", "complaints.detail.category"),
            Column("status", "str", "complaints.detail.status"),
            Column("in_time", "str", "complaints.detail.in_time"),
            Column("address", "str", "complaints.detail.address"),
            Column("content", "str", "complaints.detail.content"),
        ),
        # every count of work orders, as they add up (the rest of an inexact sum: closed, late, unresolved,
        # closed with an unknown outcome), and the rates of them
        suppress=Rule(
            counts=tuple(c.name for c in COLUMNS if c.type == "int"),
            sums=(
                Sum("complaints", ("response_known", "response_unknown")),
                Sum("complaints", ("outcome_known", "outcome_unknown")),
                Sum("complaints", ("rated", "unrated")),
                Sum("rated", ("satisfied", "basically_satisfied", "dissatisfied")),
                Sum("complaints", ("pending", "in_progress"), exact=False),
                Sum("outcome_unknown", ("pending", "in_progress"), exact=False),
                Sum("response_known", ("responded_in_time",), exact=False),
                Sum("outcome_known", ("resolved",), exact=False),
            ),
            derived={
                "per_100_households": ("complaints", "households"),
                "response_rate": ("responded_in_time", "response_known"),
                "resolution_rate": ("resolved", "outcome_known"),
                "satisfaction_rate": ("satisfied", "basically_satisfied", "rated"),
            },
            shared=frozenset({"complaints"}),  # the hot spot, emerging and density layers publish it too
        ),
        fresh_for=LATE_CHECK_SECONDS,  # a pending complaint turns late as time passes (reference_time)
        reads=READS | {"households"},
    )
)
