"""Visits (六必访) per grid: households due a visit this period, visited, still due, and overdue.

Which groups are due and how often is data (table visit_rules, migration 005).
For the period holding the day `as_of` (today by default, in the community's
time zone), a due household is *visited* once a visit is recorded in the period,
otherwise still *due* until the period ends; it is *overdue* when the previous
period passed without a visit. Group membership is today's. A visit its leader
undid (visit_undos, migration 022) counts nowhere.

One meaning of each count, for the map, the tiles and the lists alike:
gridgov.visits.COUNTED_STATUSES says which detail statuses each per-grid count counts, so
待访 (not_yet_visited) is every due household not yet visited this period,
overdue or not, and a list filtered on it shows exactly that many rows. The
detail lists the households longest without a visit first (never visited
first of all): the order a leader works through them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import psycopg

from gridgov import i18n
from gridgov.settings import LayerSettings
from layers import _queries
from layers._frames import GRIDS_CLAUSE, frame
from layers.registry import HOUSEHOLD_DETAIL, Column, Filters, Layer, Legend, register
from layers.suppression import Rule, Sum


def as_of(filters: Filters, settings: LayerSettings) -> date:
    """The day the layer is computed for: the filter's, or today in the community's time zone."""
    return filters.as_of or settings.clock().today()


def _params(filters: Filters, settings: LayerSettings) -> dict[str, Any]:
    return {"grids": list(filters.grids), "as_of": as_of(filters, settings), "tz": settings.timezone}


def _aggregate(conn: psycopg.Connection, filters: Filters, settings: LayerSettings) -> pd.DataFrame:
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


def _detail(conn: psycopg.Connection, filters: Filters, settings: LayerSettings) -> dict[str, Any]:
    query = (
        f"WITH s AS ({_queries.load('visits_households')})"
        " SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object("
        "  'type', 'Feature', 'id', s.household_id, 'geometry', ST_AsGeoJSON(s.geom, 7)::json,"
        "  'properties', json_build_object('household_id', s.household_id, 'grid_code', s.grid_code,"
        "   'address', s.address, 'head_name', s.head_name, 'phone', s.phone,"
        "   'groups', array_to_string(s.groups, ','), 'every', s.every,"
        "   'last_visit', to_char(s.last_visit, 'YYYY-MM-DD'),"
        "   'status', CASE WHEN s.visited THEN 'visited' WHEN s.missed_last THEN 'overdue' ELSE 'due' END)"
        " ) ORDER BY s.last_visit ASC NULLS FIRST, s.household_id), '[]'::json)) FROM s"
    )
    row = conn.execute(query, _params(filters, settings)).fetchone()
    assert row is not None  # an aggregate always returns a row
    value: dict[str, Any] = row[0]
    return value


i18n.add({
    "zh": {
        "visits.label": "六必访",
        "visits.legend": "逾期未访户数",
        "visits.note": "应访：属六必访群体（规则见 visit_rules）；逾期：上一周期无走访且本期尚未走访",
        "visits.due": "本期应访户数",
        "visits.visited": "本期已访户数",
        "visits.not_yet_visited": "本期待访户数",
        "visits.overdue": "逾期未访户数",
        "visits.visited_pct": "本期走访率(%)",
        "visits.detail.groups": "群体",
        "visits.detail.every": "走访周期",
        "visits.detail.last_visit": "最近走访",
        "visits.detail.status": "状态",
    },
    "en": {
        "visits.label": "Visits",
        "visits.legend": "Households overdue a visit",
        "visits.note": "due: in a group of visit_rules; overdue: no visit in the previous period and none yet in this one",
        "visits.due": "households due a visit this period",
        "visits.visited": "of them, visited this period",
        "visits.not_yet_visited": "of them, not yet visited (still due until the period ends)",
        "visits.overdue": "not yet visited, and the previous period passed without a visit",
        "visits.visited_pct": "visited ÷ due × 100",
        "visits.detail.groups": "special groups",
        "visits.detail.every": "visit period: week, month or quarter",
        "visits.detail.last_visit": "date of the last visit (YYYY-MM-DD) or null",
        "visits.detail.status": "visited, due or overdue",
    },
})

LAYER = register(
    Layer(
        name="visits",
        label="visits.label",
        accepts=frozenset({"grids", "as_of"}),
        columns=(
            Column("due", "int", "visits.due"),
            Column("visited", "int", "visits.visited"),
            Column("not_yet_visited", "int", "visits.not_yet_visited"),
            Column("overdue", "int", "visits.overdue"),
            Column("visited_pct", "float", "visits.visited_pct"),
        ),
        aggregate=_aggregate,
        legend=Legend(
            property="overdue",
            kind="count",
            title="visits.legend",
            note="visits.note",
        ),
        detail=_detail,
        detail_columns=(
            *HOUSEHOLD_DETAIL,
            Column("groups", "str", "visits.detail.groups"),
            Column("every", "str", "visits.detail.every"),
            Column("last_visit", "str", "visits.detail.last_visit"),
            Column("status", "str", "visits.detail.status"),
        ),
        # the counts are of special-group households: due = visited + not yet, the overdue among the not yet
        suppress=Rule(
            counts=("due", "visited", "not_yet_visited", "overdue"),
            sums=(Sum("due", ("visited", "not_yet_visited")), Sum("not_yet_visited", ("overdue",), exact=False)),
            derived={"visited_pct": ("visited", "due")},
        ),
        reads=frozenset({"visits", "households", "visit_rules", "grids"}),
    )
)
