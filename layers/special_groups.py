"""Special groups (特殊群体) per grid: households in each group and in any, and per 100 households."""

from __future__ import annotations

from typing import Any

import pandas as pd
import psycopg

from gridgov.groups import ENGLISH, SPECIAL_GROUPS
from gridgov.settings import Settings
from layers import _queries
from layers._frames import GRIDS_CLAUSE, frame
from layers.registry import HOUSEHOLD_DETAIL, PERSONAL_DETAIL, Column, Filters, Layer, Legend, register


def grid_summary(conn: psycopg.Connection) -> dict[str, Any]:
    """Every grid as a GeoJSON FeatureCollection with its household and special-group counts."""
    return _queries.fetch_json(conn, "grid_summary")


def _aggregate(conn: psycopg.Connection, filters: Filters, settings: Settings) -> pd.DataFrame:
    params = {"grids": list(filters.grids)}
    # one pass over the households for the totals, and one over the few in a group for the per-group counts
    table = frame(
        conn,
        # counted per grid first (a parallel scan), then joined to every grid asked for
        "WITH c AS (SELECT h.grid_code, count(*) AS households, count(*) FILTER (WHERE h.groups <> '{}') AS special"
        " FROM households AS h"
        " WHERE cardinality(%(grids)s::text[]) = 0 OR h.grid_code = ANY(%(grids)s::text[]) GROUP BY 1)"
        " SELECT g.grid_code, coalesce(c.households, 0) AS households, coalesce(c.special, 0) AS special_households,"
        " round(100.0 * c.special / nullif(c.households, 0), 1)::float8 AS special_per_100"
        f" FROM grids AS g LEFT JOIN c ON c.grid_code = g.grid_code WHERE {GRIDS_CLAUSE} ORDER BY g.grid_code",
        params,
    )
    per_group = frame(
        conn,
        "SELECT h.grid_code, m.group_key, count(*) AS n FROM households AS h"
        " CROSS JOIN LATERAL unnest(h.groups) AS m(group_key)"
        " WHERE h.groups <> '{}' AND (cardinality(%(grids)s::text[]) = 0 OR h.grid_code = ANY(%(grids)s::text[]))"
        " GROUP BY 1, 2",
        params,
    )
    wide = per_group.pivot(columns="group_key", values="n") if len(per_group) else pd.DataFrame(index=table.index)
    for key in SPECIAL_GROUPS:
        column = wide[key] if key in wide else pd.Series(0, index=wide.index)
        table[f"group_{key}"] = column.reindex(table.index).fillna(0).astype("int64")
    return table


def _detail(conn: psycopg.Connection, filters: Filters, settings: Settings) -> dict[str, Any]:
    return _queries.fetch_json(conn, "special_group_households", {"grids": list(filters.grids)})


COLUMNS = (
    Column("households", "int", "户数", "households"),
    Column("special_households", "int", "特殊群体户数", "households in any special group"),
    Column("special_per_100", "float", "每百户特殊群体户数", "special-group households per 100 households"),
    *(
        Column(f"group_{key}", "int", f"{name}户数", f"households: {ENGLISH[key]}")
        for key, name in SPECIAL_GROUPS.items()
    ),
)

LAYER = register(
    Layer(
        name="special_groups",
        label_zh="特殊群体",
        label_en="Special groups",
        accepts=frozenset({"grids"}),
        columns=COLUMNS,
        aggregate=_aggregate,
        legend=Legend(
            property="special_households",
            kind="count",
            title_zh="特殊群体户数",
            title_en="Special-group households",
            note_zh="每百户 = 特殊群体户数 ÷ 户数 × 100",
            note_en="per 100 = special-group households ÷ households × 100",
        ),
        access=PERSONAL_DETAIL,
        detail=_detail,
        detail_columns=(
            *HOUSEHOLD_DETAIL,
            Column("members", "int", "人口", "members"),
            Column("groups", "str", "群体", "special groups"),
        ),
        # a planner's export withholds a grid's count of a group below 5, and the rate built on it
        suppress={"special_households": ("special_per_100",), **{f"group_{k}": () for k in SPECIAL_GROUPS}},
        reads=frozenset({"households", "grids"}),
    )
)
