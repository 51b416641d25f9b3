"""Facilities (设施) per grid by type, and as points: hydrants, AEDs, micro fire stations, …

A facility's type is matched to the kinds below by its Chinese name as the
ledger writes it (or the English key); anything else counts as `other`. Points
of facilities are public: every role may see them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import psycopg
from psycopg import sql

from gridgov.settings import Settings
from layers._frames import GRIDS_CLAUSE, frame
from layers.registry import Access, Column, Filters, Layer, Legend, Role, register

# key -> (names in ledgers, Chinese label, English label)
KINDS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "hydrant": (("消防栓", "室外消火栓", "消火栓"), "消防栓", "fire hydrants"),
    "aed": (("AED", "自动体外除颤器", "除颤仪"), "AED", "AEDs"),
    "micro_fire_station": (("微型消防站",), "微型消防站", "micro fire stations"),
    "gas_regulator": (("燃气调压箱", "调压箱"), "燃气调压箱", "gas pressure regulators"),
    "camera": (("监控", "监控探头", "摄像头"), "监控", "CCTV cameras"),
    "elderly_care": (("养老驿站", "养老服务驿站"), "养老驿站", "elderly-care stations"),
    "party_service": (("党群服务站", "党群服务中心"), "党群服务站", "party-and-public service stations"),
    "health_station": (("卫生服务站", "社区卫生服务站"), "卫生服务站", "community health stations"),
    "school": (("学校", "幼儿园"), "学校", "schools and kindergartens"),
}


def _kind_case() -> sql.Composed:
    """SQL: the kind key of facility `f` from its type, 'other' when unknown."""
    whens = [
        sql.SQL("WHEN f.type = ANY({names}) OR f.type = {key} THEN {key}").format(
            names=sql.Literal(list(names)), key=sql.Literal(key)
        )
        for key, (names, _zh, _en) in KINDS.items()
    ]
    return sql.SQL("CASE {} ELSE 'other' END").format(sql.SQL(" ").join(whens))


def _where() -> sql.Composed:
    return sql.SQL(
        "(cardinality(%(grids)s::text[]) = 0 OR f.grid_code = ANY (%(grids)s::text[]))"
        " AND (cardinality(%(categories)s::text[]) = 0 OR f.type = ANY (%(categories)s::text[])"
        "      OR {kind} = ANY (%(categories)s::text[]))"
    ).format(kind=_kind_case())


def _params(filters: Filters) -> dict[str, Any]:
    return {"grids": list(filters.grids), "categories": list(filters.categories)}


def _aggregate(conn: psycopg.Connection, filters: Filters, settings: Settings) -> pd.DataFrame:
    per_kind = [
        sql.SQL("count(f.facility_id) FILTER (WHERE f.kind = {key}) AS {col}").format(
            key=sql.Literal(key), col=sql.Identifier(key)
        )
        for key in (*KINDS, "other")
    ]
    query = sql.SQL(
        "WITH f AS (SELECT f.*, {kind} AS kind FROM facilities AS f WHERE {where})"
        " SELECT g.grid_code, count(f.facility_id) AS facilities, {per_kind}"
        " FROM grids AS g LEFT JOIN f ON f.grid_code = g.grid_code WHERE {grids}"
        " GROUP BY g.grid_code ORDER BY g.grid_code"
    ).format(kind=_kind_case(), where=_where(), per_kind=sql.SQL(", ").join(per_kind), grids=sql.SQL(GRIDS_CLAUSE))
    return frame(conn, query, _params(filters))


def _detail(conn: psycopg.Connection, filters: Filters, settings: Settings) -> dict[str, Any]:
    query = sql.SQL(
        "SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object("
        " 'type', 'Feature', 'id', f.facility_id, 'geometry', ST_AsGeoJSON(f.geom, 7)::json,"
        " 'properties', json_build_object('facility_id', f.facility_id, 'grid_code', f.grid_code,"
        "  'name', f.name, 'type', f.type, 'kind', {kind}, 'address', f.address)"
        ") ORDER BY f.facility_id), '[]'::json)) FROM facilities AS f WHERE {where}"
    ).format(kind=_kind_case(), where=_where())
    row = conn.execute(query, _params(filters)).fetchone()
    assert row is not None
    value: dict[str, Any] = row[0]
    return value


_EVERYONE = {role: Access.DETAIL for role in Role}

LAYER = register(
    Layer(
        name="facilities",
        label_zh="设施",
        label_en="Facilities",
        accepts=frozenset({"grids", "categories"}),
        columns=(
            Column("facilities", "int", "设施数", "facilities"),
            *(Column(key, "int", zh, en) for key, (_names, zh, en) in KINDS.items()),
            Column("other", "int", "其他设施", "other facilities"),
        ),
        aggregate=_aggregate,
        legend=Legend(property="facilities", kind="count", title_zh="设施数", title_en="Facilities"),
        access=_EVERYONE,
        detail=_detail,
        detail_columns=(
            Column("facility_id", "str", "设施编号", "facility id"),
            Column("name", "str", "名称", "name"),
            Column("type", "str", "类型", "type as the ledger writes it"),
            Column("kind", "str", "类别", f"one of {', '.join(KINDS)}, other"),
            Column("address", "str", "地址", "address"),
        ),
        reads=frozenset({"facilities", "grids"}),
    )
)
