"""Safety hazards (安全隐患) per grid: open, in progress and closed by severity; overdue with days overdue.

A hazard is overdue on the day `as_of` (today by default, community time) when
its deadline (整改期限) is before that day and it is not closed; days overdue
count from the deadline. The window filters on when the hazard was found,
categories on its type (隐患类型), statuses on open / in_progress / closed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import psycopg
from psycopg import sql

from gridgov.errors import InputError
from gridgov.settings import Settings
from layers._frames import GRIDS_CLAUSE, frame
from layers.registry import Access, Column, Filters, Layer, Legend, Role, register
from layers.visits import as_of

STATUSES = {"open": ("待整改", "open"), "in_progress": ("整改中", "in progress"), "closed": ("已整改", "closed")}
SEVERITIES = {"high": ("重大", "high"), "medium": ("较大", "medium"), "low": ("一般", "low")}

# the hazards of the filters, with days overdue on as_of (null when not overdue)
_HAZARDS = """
SELECT z.*, CASE WHEN z.status IS DISTINCT FROM 'closed' AND z.deadline < %(as_of)s::date
                 THEN %(as_of)s::date - z.deadline END AS days_overdue
FROM hazards AS z
WHERE (cardinality(%(grids)s::text[]) = 0 OR z.grid_code = ANY (%(grids)s::text[]))
  AND (%(start)s::date IS NULL OR z.found_at >= %(start)s::date::timestamp AT TIME ZONE %(tz)s)
  AND (%(end)s::date IS NULL OR z.found_at < (%(end)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
  AND (cardinality(%(categories)s::text[]) = 0 OR z.type = ANY (%(categories)s::text[]))
  AND (cardinality(%(statuses)s::text[]) = 0 OR z.status = ANY (%(statuses)s::text[]))
"""


def params(filters: Filters, settings: Settings) -> dict[str, Any]:
    """Query parameters of the filters (shared by aggregate and detail)."""
    unknown = set(filters.statuses) - set(STATUSES)
    if unknown:
        raise InputError(f"unknown hazard status {', '.join(sorted(unknown))}; statuses: {', '.join(STATUSES)}")
    return {
        "grids": list(filters.grids),
        "start": filters.start,
        "end": filters.end,
        "categories": list(filters.categories),
        "statuses": list(filters.statuses),
        "as_of": as_of(filters, settings),
        "tz": settings.timezone,
    }


def _aggregate(conn: psycopg.Connection, filters: Filters, settings: Settings) -> pd.DataFrame:
    counts = [
        sql.SQL("count(z.hazard_id) FILTER (WHERE z.status = {st} AND z.severity = {sv}) AS {col}").format(
            st=sql.Literal(st), sv=sql.Literal(sv), col=sql.Identifier(f"{st}_{sv}")
        )
        for st in STATUSES
        for sv in SEVERITIES
    ]
    totals = [
        sql.SQL("count(z.hazard_id) FILTER (WHERE z.status = {st}) AS {col}").format(
            st=sql.Literal(st), col=sql.Identifier(st)
        )
        for st in STATUSES
    ]
    query = sql.SQL(
        "WITH z AS ({hazards}) SELECT g.grid_code, count(z.hazard_id) AS hazards, {totals}, {counts},"
        " count(z.days_overdue) AS overdue, coalesce(max(z.days_overdue), 0) AS max_days_overdue"
        " FROM grids AS g LEFT JOIN z ON z.grid_code = g.grid_code WHERE {where}"
        " GROUP BY g.grid_code ORDER BY g.grid_code"
    ).format(
        hazards=sql.SQL(_HAZARDS),
        totals=sql.SQL(", ").join(totals),
        counts=sql.SQL(", ").join(counts),
        where=sql.SQL(GRIDS_CLAUSE),
    )
    return frame(conn, query, params(filters, settings))


def _detail(conn: psycopg.Connection, filters: Filters, settings: Settings) -> dict[str, Any]:
    query = (
        f"WITH z AS ({_HAZARDS})"
        " SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object("
        "  'type', 'Feature', 'id', z.hazard_id, 'geometry', ST_AsGeoJSON(z.geom, 7)::json,"
        "  'properties', json_build_object('hazard_id', z.hazard_id, 'grid_code', z.grid_code, 'type', z.type,"
        "   'severity', z.severity, 'status', z.status, 'deadline', z.deadline,"
        "   'found_at', to_char(z.found_at AT TIME ZONE %(tz)s, 'YYYY-MM-DD'),"
        "   'days_overdue', z.days_overdue, 'address', z.address)"
        " ) ORDER BY z.hazard_id), '[]'::json)) FROM z"
    )
    row = conn.execute(query, params(filters, settings)).fetchone()
    assert row is not None
    value: dict[str, Any] = row[0]
    return value


LAYER = register(
    Layer(
        name="hazards",
        label_zh="安全隐患",
        label_en="Safety hazards",
        accepts=frozenset({"grids", "window", "categories", "statuses", "as_of"}),
        columns=(
            Column("hazards", "int", "隐患数", "hazards"),
            *(Column(st, "int", f"{zh}数", f"{en}") for st, (zh, en) in STATUSES.items()),
            *(
                Column(f"{st}_{sv}", "int", f"{szh}·{vzh}", f"{sen}, severity {ven}")
                for st, (szh, sen) in STATUSES.items()
                for sv, (vzh, ven) in SEVERITIES.items()
            ),
            Column("overdue", "int", "逾期未整改数", "overdue: deadline passed, not closed"),
            Column("max_days_overdue", "int", "最长逾期天数", "days overdue of the longest-overdue hazard (0: none)"),
        ),
        aggregate=_aggregate,
        legend=Legend(
            property="overdue",
            kind="count",
            title_zh="逾期未整改隐患",
            title_en="Overdue hazards",
            note_zh="逾期：整改期限已过且未整改完成；逾期天数自整改期限起算",
            note_en="overdue: deadline passed and not closed; days overdue count from the deadline",
        ),
        access={Role.SECRETARY: Access.DETAIL, Role.PLANNER: Access.AGGREGATE, Role.GRID_LEADER: Access.DETAIL},
        detail=_detail,
        detail_columns=(
            Column("hazard_id", "str", "隐患编号", "hazard id"),
            Column("type", "str", "隐患类型", "type"),
            Column("severity", "str", "等级", "severity: high, medium, low"),
            Column("status", "str", "状态", "open, in_progress, closed"),
            Column("deadline", "str", "整改期限", "deadline (YYYY-MM-DD)"),
            Column("found_at", "str", "发现时间", "day found (YYYY-MM-DD)"),
            Column("days_overdue", "int", "逾期天数", "days past the deadline, null when not overdue"),
            Column("address", "str", "地址", "address of the building"),
        ),
        reads=frozenset({"hazards", "grids"}),
    )
)
