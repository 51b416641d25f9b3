"""Safety hazards (安全隐患) per grid: open, in progress and closed by severity; overdue with days overdue.

A hazard is a case: once people act on it (in the field, the secretary) it is
counted as they left it, otherwise as the office's file states it.

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

from gridgov import i18n
from gridgov.errors import InputError
from gridgov.settings import LayerSettings
from gridgov.vocabulary import HAZARD_SEVERITIES, HAZARD_STATUSES
from layers._frames import GRIDS_CLAUSE, frame
from layers.registry import Column, Filters, Layer, Legend, register
from layers.suppression import Rule, Sum
from layers.visits import as_of

# the hazards of the filters, with days overdue on as_of (null when not overdue). A hazard is a case (migration
# 020): one that went through the loop (any event not from a file) is counted from its case, one known only from
# office files from the file's columns, as the case lists read it (migration 025); its severity is the file's.
_HAZARDS = """
SELECT z.*, CASE WHEN z.status IS DISTINCT FROM 'closed' AND z.deadline < %(as_of)s::date
                 THEN %(as_of)s::date - z.deadline END AS days_overdue
FROM (
    SELECT h.hazard_id, h.found_at, h.type, h.severity, h.status, h.deadline, h.address, h.geom, h.grid_code
    FROM hazards AS h
    WHERE NOT EXISTS (SELECT 1 FROM looped_cases('hazard') AS l WHERE l.source_id = h.hazard_id)
    UNION ALL
    SELECT coalesce(k.source_id, k.case_id), k.received_at, k.category, h.severity,
           CASE WHEN k.state IN ('received', 'assigned') THEN 'open'
                WHEN k.state IN ('responded', 'in_progress') THEN 'in_progress'
                ELSE 'closed' END,  -- resolved (rectified), verified or closed
           k.deadline, k.address,
           coalesce(k.geom, (SELECT ST_PointOnSurface(g.geom) FROM grids AS g WHERE g.grid_code = k.grid_code)),
           k.grid_code
    FROM cases AS k
    LEFT JOIN hazards AS h ON h.hazard_id = k.source_id
    WHERE k.kind = 'hazard' AND k.grid_code IS NOT NULL
      AND k.case_id IN (SELECT e.case_id FROM case_events AS e WHERE e.source <> 'import')
) AS z
WHERE (cardinality(%(grids)s::text[]) = 0 OR z.grid_code = ANY (%(grids)s::text[]))
  AND (%(start)s::date IS NULL OR z.found_at >= %(start)s::date::timestamp AT TIME ZONE %(tz)s)
  AND (%(end)s::date IS NULL OR z.found_at < (%(end)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
  AND (cardinality(%(categories)s::text[]) = 0 OR z.type = ANY (%(categories)s::text[]))
  AND (cardinality(%(statuses)s::text[]) = 0 OR z.status = ANY (%(statuses)s::text[]))
"""


def params(filters: Filters, settings: LayerSettings) -> dict[str, Any]:
    """Query parameters of the filters (shared by aggregate and detail)."""
    unknown = set(filters.statuses) - set(HAZARD_STATUSES)
    if unknown:
        raise InputError(f"unknown hazard status {', '.join(sorted(unknown))}; statuses: {', '.join(HAZARD_STATUSES)}")
    return {
        "grids": list(filters.grids),
        "start": filters.start,
        "end": filters.end,
        "categories": list(filters.categories),
        "statuses": list(filters.statuses),
        "as_of": as_of(filters, settings),
        "tz": settings.timezone,
    }


def _aggregate(conn: psycopg.Connection, filters: Filters, settings: LayerSettings) -> pd.DataFrame:
    counts = [
        sql.SQL("count(z.hazard_id) FILTER (WHERE z.status = {st} AND z.severity = {sv}) AS {col}").format(
            st=sql.Literal(st), sv=sql.Literal(sv), col=sql.Identifier(f"{st}_{sv}")
        )
        for st in HAZARD_STATUSES
        for sv in HAZARD_SEVERITIES
    ]
    totals = [
        sql.SQL("count(z.hazard_id) FILTER (WHERE z.status = {st}) AS {col}").format(
            st=sql.Literal(st), col=sql.Identifier(st)
        )
        for st in HAZARD_STATUSES
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


def _detail(conn: psycopg.Connection, filters: Filters, settings: LayerSettings) -> dict[str, Any]:
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


i18n.add({
    "zh": {
        "hazards.label": "安全隐患",
        "hazards.legend": "逾期未整改隐患",
        "hazards.note": "逾期：整改期限已过且未整改完成；逾期天数自整改期限起算",
        "hazards.hazards": "隐患数",
        "hazards.status": "{status}数",
        "hazards.status_severity": "{status}·{severity}",
        "hazards.overdue": "逾期未整改数",
        "hazards.max_days_overdue": "最长逾期天数",
        "hazards.detail.hazard_id": "隐患编号",
        "hazards.detail.type": "隐患类型",
        "hazards.detail.severity": "等级",
        "hazards.detail.status": "状态",
        "hazards.detail.deadline": "整改期限",
        "hazards.detail.found_at": "发现时间",
        "hazards.detail.days_overdue": "逾期天数",
        "hazards.detail.address": "地址",
    },
    "en": {
        "hazards.label": "Safety hazards",
        "hazards.legend": "Overdue hazards",
        "hazards.note": "overdue: deadline passed and not closed; days overdue count from the deadline",
        "hazards.hazards": "hazards",
        "hazards.status": "{status}",
        "hazards.status_severity": "{status}, severity {severity}",
        "hazards.overdue": "overdue: deadline passed, not closed",
        "hazards.max_days_overdue": "days overdue of the longest-overdue hazard (0: none)",
        "hazards.detail.hazard_id": "hazard id",
        "hazards.detail.type": "type",
        "hazards.detail.severity": "severity: high, medium, low",
        "hazards.detail.status": "open, in_progress, closed",
        "hazards.detail.deadline": "deadline (YYYY-MM-DD)",
        "hazards.detail.found_at": "day found (YYYY-MM-DD)",
        "hazards.detail.days_overdue": "days past the deadline, null when not overdue",
        "hazards.detail.address": "address of the building",
    },
})

i18n.add({  # a column per status, and per status and severity
    lang: {
        **{f"hazards.{st}": i18n.text("hazards.status", lang, status=i18n.text(f"hazard_status_{st}", lang))
           for st in HAZARD_STATUSES},
        **{
            f"hazards.{st}_{sv}": i18n.text(
                "hazards.status_severity", lang,
                status=i18n.text(f"hazard_status_{st}", lang), severity=i18n.text(f"severity_{sv}", lang),
            )
            for st in HAZARD_STATUSES
            for sv in HAZARD_SEVERITIES
        },
    }
    for lang in i18n.LANGUAGES
})

LAYER = register(
    Layer(
        name="hazards",
        label="hazards.label",
        accepts=frozenset({"grids", "window", "categories", "statuses", "as_of"}),
        columns=(
            Column("hazards", "int", "hazards.hazards"),
            *(Column(st, "int", f"hazards.{st}") for st in HAZARD_STATUSES),
            *(
                Column(f"{st}_{sv}", "int", f"hazards.{st}_{sv}")
                for st in HAZARD_STATUSES
                for sv in HAZARD_SEVERITIES
            ),
            Column("overdue", "int", "hazards.overdue"),
            Column("max_days_overdue", "int", "hazards.max_days_overdue"),
        ),
        aggregate=_aggregate,
        legend=Legend(
            property="overdue",
            kind="count",
            title="hazards.legend",
            note="hazards.note",
        ),
        detail=_detail,
        detail_columns=(
            Column("hazard_id", "str", "hazards.detail.hazard_id"),
            Column("type", "str", "hazards.detail.type"),
            Column("severity", "str", "hazards.detail.severity"),
            Column("status", "str", "hazards.detail.status"),
            Column("deadline", "str", "hazards.detail.deadline"),
            Column("found_at", "str", "hazards.detail.found_at"),
            Column("days_overdue", "int", "hazards.detail.days_overdue"),
            Column("address", "str", "hazards.detail.address"),
        ),
        # the statuses make up the hazards, the severities each status (both may be missing: not exact);
        # the overdue are among those not closed; the longest delay is one hazard's when few are overdue
        suppress=Rule(
            counts=(
                "hazards",
                *HAZARD_STATUSES,
                *(f"{st}_{sv}" for st in HAZARD_STATUSES for sv in HAZARD_SEVERITIES),
                "overdue",
            ),
            sums=(
                Sum("hazards", tuple(HAZARD_STATUSES), exact=False),
                *(Sum(st, tuple(f"{st}_{sv}" for sv in HAZARD_SEVERITIES), exact=False) for st in HAZARD_STATUSES),
                Sum("hazards", ("closed", "overdue"), exact=False),
            ),
            derived={"max_days_overdue": ("overdue",)},
        ),
        reads=frozenset({"hazards", "cases", "case_events", "grids"}),
    )
)
