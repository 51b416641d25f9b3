"""Special groups (特殊群体) per grid: households in each group and in any, and per 100 households."""

from __future__ import annotations

from typing import Any

import pandas as pd
import psycopg

from gridgov import i18n
from gridgov.groups import SPECIAL_GROUPS
from gridgov.settings import LayerSettings
from layers import _queries, rates
from layers._frames import GRIDS_CLAUSE, frame
from layers.registry import HOUSEHOLD_DETAIL, Column, Filters, Layer, Legend, register
from layers.suppression import Rule, Sum


def _aggregate(conn: psycopg.Connection, filters: Filters, settings: LayerSettings) -> pd.DataFrame:
    params = {"grids": list(filters.grids)}
    # one pass over the households for the totals, and one over the few in a group for the per-group counts
    table = frame(
        conn,
        # counted per grid first (a parallel scan), then joined to every grid asked for
        "WITH c AS (SELECT h.grid_code, count(*) AS households, count(*) FILTER (WHERE h.groups <> '{}') AS special"
        " FROM households AS h"
        " WHERE cardinality(%(grids)s::text[]) = 0 OR h.grid_code = ANY(%(grids)s::text[]) GROUP BY 1)"
        " SELECT g.grid_code, coalesce(c.households, 0) AS households, coalesce(c.special, 0) AS special_households"
        f" FROM grids AS g LEFT JOIN c ON c.grid_code = g.grid_code WHERE {GRIDS_CLAUSE} ORDER BY g.grid_code",
        params,
    )
    table = rates.with_rates(table, (rates.SPECIAL_PER_100,), settings)
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


def _detail(conn: psycopg.Connection, filters: Filters, settings: LayerSettings) -> dict[str, Any]:
    return _queries.fetch_json(conn, "special_group_households", {"grids": list(filters.grids)})


i18n.add({
    "zh": {
        "special_groups.label": "特殊群体",
        "special_groups.legend": "特殊群体户数",
        "special_groups.note": "每百户 = 特殊群体户数 ÷ 户数 × 100",
        "special_groups.households": "户数",
        "special_groups.special_households": "特殊群体户数",
        "special_groups.special_per_100": "每百户特殊群体户数",
        "special_groups.group": "{group}户数",
        "special_groups.detail.members": "人口",
        "special_groups.detail.groups": "群体",
    },
    "en": {
        "special_groups.label": "Special groups",
        "special_groups.legend": "Special-group households",
        "special_groups.note": "per 100 = special-group households ÷ households × 100",
        "special_groups.households": "households",
        "special_groups.special_households": "households in any special group",
        "special_groups.special_per_100": "special-group households per 100 households",
        "special_groups.group": "households: {group}",
        "special_groups.detail.members": "members",
        "special_groups.detail.groups": "special groups",
    },
})
i18n.add({  # a column per group: "special_groups.group" with the group's name
    lang: {
        f"special_groups.group_{key}": i18n.text("special_groups.group", lang, group=i18n.text(f"group_{key}", lang))
        for key in SPECIAL_GROUPS
    }
    for lang in i18n.LANGUAGES
})

COLUMNS = (
    Column("households", "int", "special_groups.households"),
    Column("special_households", "int", "special_groups.special_households"),
    Column("special_per_100", "float", "special_groups.special_per_100"),
    *(
        Column(f"group_{key}", "int", f"special_groups.group_{key}")
        for key in SPECIAL_GROUPS
    ),
)

LAYER = register(
    Layer(
        name="special_groups",
        label="special_groups.label",
        accepts=frozenset({"grids"}),
        columns=COLUMNS,
        aggregate=_aggregate,
        legend=Legend(
            property="special_households",
            kind="count",
            title="special_groups.legend",
            note="special_groups.note",
        ),
        detail=_detail,
        detail_columns=(
            *HOUSEHOLD_DETAIL,
            Column("members", "int", "special_groups.detail.members"),
            Column("groups", "str", "special_groups.detail.groups"),
        ),
        # every number is a count of households: the special ones are among all, each group's among the special
        suppress=Rule(
            counts=("households", "special_households", *(f"group_{k}" for k in SPECIAL_GROUPS)),
            sums=(
                Sum("households", ("special_households",), exact=False),
                *(Sum("special_households", (f"group_{k}",), exact=False) for k in SPECIAL_GROUPS),
            ),
            derived={"special_per_100": ("special_households", "households")},
            shared=frozenset({"households"}),  # the denominator of the complaints' rate per 100 households
        ),
        reads=frozenset({"households", "grids"}),
    )
)
