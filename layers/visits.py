"""Visits (六必访) per grid: households due a visit this period, visited, still due, and overdue.

Which groups are due and how often is data (table visit_rules, migration 005).
For the period holding the day `as_of` (today by default, in the community's
time zone), a due household is *visited* once a visit is recorded in the period,
otherwise still *due* until the period ends; it is *overdue* when the previous
period passed without a visit. Group membership is today's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import psycopg

from gridgov.settings import Settings
from layers import _queries
from layers._frames import GRIDS_CLAUSE, frame
from layers.registry import HOUSEHOLD_DETAIL, PERSONAL_DETAIL, Column, Filters, Layer, Legend, register


def as_of(filters: Filters, settings: Settings) -> date:
    """The day the layer is computed for: the filter's, or today in the community's time zone."""
    return filters.as_of or settings.clock().today()


def _params(filters: Filters, settings: Settings) -> dict[str, Any]:
    return {"grids": list(filters.grids), "as_of": as_of(filters, settings), "tz": settings.timezone}


def _aggregate(conn: psycopg.Connection, filters: Filters, settings: Settings) -> pd.DataFrame:
    query = (
        f"WITH s AS ({_queries.load('visits_households')}),"
        " c AS (SELECT s.grid_code, count(*) AS due, count(*) FILTER (WHERE s.visited) AS visited,"
        "       count(*) FILTER (WHERE NOT s.visited AND s.missed_last) AS overdue FROM s GROUP BY 1)"
        " SELECT g.grid_code, coalesce(c.due, 0) AS due, coalesce(c.visited, 0) AS visited,"
        " coalesce(c.due - c.visited, 0) AS not_yet_visited, coalesce(c.overdue, 0) AS overdue,"
        " round(100.0 * c.visited / nullif(c.due, 0), 1)::float8 AS visited_pct"
        f" FROM grids AS g LEFT JOIN c ON c.grid_code = g.grid_code WHERE {GRIDS_CLAUSE} ORDER BY g.grid_code"
    )
    return frame(conn, query, _params(filters, settings))


def _detail(conn: psycopg.Connection, filters: Filters, settings: Settings) -> dict[str, Any]:
    query = (
        f"WITH s AS ({_queries.load('visits_households')})"
        " SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object("
        "  'type', 'Feature', 'id', s.household_id, 'geometry', ST_AsGeoJSON(s.geom, 7)::json,"
        "  'properties', json_build_object('household_id', s.household_id, 'grid_code', s.grid_code,"
        "   'address', s.address, 'head_name', s.head_name, 'phone', s.phone,"
        "   'groups', array_to_string(s.groups, ','), 'every', s.every,"
        "   'last_visit', to_char(s.last_visit, 'YYYY-MM-DD'),"
        "   'status', CASE WHEN s.visited THEN 'visited' WHEN s.missed_last THEN 'overdue' ELSE 'due' END)"
        " ) ORDER BY s.household_id), '[]'::json)) FROM s"
    )
    row = conn.execute(query, _params(filters, settings)).fetchone()
    assert row is not None  # an aggregate always returns a row
    value: dict[str, Any] = row[0]
    return value


LAYER = register(
    Layer(
        name="visits",
        label_zh="六必访",
        label_en="Visits",
        accepts=frozenset({"grids", "as_of"}),
        columns=(
            Column("due", "int", "本期应访户数", "households due a visit this period"),
            Column("visited", "int", "本期已访户数", "of them, visited this period"),
            Column("not_yet_visited", "int", "本期待访户数", "of them, not yet visited (still due until the period ends)"),
            Column("overdue", "int", "逾期未访户数", "not yet visited, and the previous period passed without a visit"),
            Column("visited_pct", "float", "本期走访率(%)", "visited ÷ due × 100"),
        ),
        aggregate=_aggregate,
        legend=Legend(
            property="overdue",
            kind="count",
            title_zh="逾期未访户数",
            title_en="Households overdue a visit",
            note_zh="应访：属六必访群体（规则见 visit_rules）；逾期：上一周期无走访且本期尚未走访",
            note_en="due: in a group of visit_rules; overdue: no visit in the previous period and none yet in this one",
        ),
        access=PERSONAL_DETAIL,
        detail=_detail,
        detail_columns=(
            *HOUSEHOLD_DETAIL,
            Column("groups", "str", "群体", "special groups"),
            Column("every", "str", "走访周期", "visit period: week, month or quarter"),
            Column("last_visit", "str", "最近走访", "date of the last visit (YYYY-MM-DD) or null"),
            Column("status", "str", "状态", "visited, due or overdue"),
        ),
        # the counts are of special-group households: a planner never sees fewer than 5
        suppress={"due": ("visited_pct",), "visited": ("visited_pct",), "not_yet_visited": (), "overdue": ()},
        reads=frozenset({"visits", "households", "visit_rules", "grids"}),
    )
)
