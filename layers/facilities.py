"""Facilities (设施) per grid by type, and as points: hydrants, AEDs, micro fire stations, …

A facility's type is matched to the kinds of gridgov.vocabulary by the names
ledgers write (or the English key); anything else counts as `other`. Points
of facilities are public: every role that sees the community's data may see
them (gridgov.access).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import psycopg
from psycopg import sql

from gridgov import i18n
from gridgov.settings import LayerSettings
from gridgov.vocabulary import FACILITY_KINDS, OTHER_FACILITY
from layers._frames import GRIDS_CLAUSE, frame
from layers.registry import Column, Filters, Layer, Legend, register


def _kind_case() -> sql.Composed:
    """SQL: the kind key of facility `f` from its type, 'other' when unknown."""
    whens = [
        sql.SQL("WHEN f.type = ANY({names}) OR f.type = {key} THEN {key}").format(
            names=sql.Literal(list(names)), key=sql.Literal(key)
        )
        for key, names in FACILITY_KINDS.items()
    ]
    return sql.SQL("CASE {} ELSE {} END").format(sql.SQL(" ").join(whens), sql.Literal(OTHER_FACILITY))


def _where() -> sql.Composed:
    return sql.SQL(
        "(cardinality(%(grids)s::text[]) = 0 OR f.grid_code = ANY (%(grids)s::text[]))"
        " AND (cardinality(%(categories)s::text[]) = 0 OR f.type = ANY (%(categories)s::text[])"
        "      OR {kind} = ANY (%(categories)s::text[]))"
    ).format(kind=_kind_case())


def _params(filters: Filters) -> dict[str, Any]:
    return {"grids": list(filters.grids), "categories": list(filters.categories)}


def _aggregate(conn: psycopg.Connection, filters: Filters, settings: LayerSettings) -> pd.DataFrame:
    per_kind = [
        sql.SQL("count(f.facility_id) FILTER (WHERE f.kind = {key}) AS {col}").format(
            key=sql.Literal(key), col=sql.Identifier(key)
        )
        for key in (*FACILITY_KINDS, OTHER_FACILITY)
    ]
    query = sql.SQL(
        "WITH f AS (SELECT f.*, {kind} AS kind FROM facilities AS f WHERE {where})"
        " SELECT g.grid_code, count(f.facility_id) AS facilities, {per_kind}"
        " FROM grids AS g LEFT JOIN f ON f.grid_code = g.grid_code WHERE {grids}"
        " GROUP BY g.grid_code ORDER BY g.grid_code"
    ).format(kind=_kind_case(), where=_where(), per_kind=sql.SQL(", ").join(per_kind), grids=sql.SQL(GRIDS_CLAUSE))
    return frame(conn, query, _params(filters))


def _detail(conn: psycopg.Connection, filters: Filters, settings: LayerSettings) -> dict[str, Any]:
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


i18n.add({
    "zh": {
        "facilities.label": "设施",
        "facilities.legend": "设施数",
        "facilities.facilities": "设施数",
        "facilities.other": "其他设施",
        **{f"facilities.{key}": names[0] for key, names in FACILITY_KINDS.items()},
        "facilities.detail.facility_id": "设施编号",
        "facilities.detail.name": "名称",
        "facilities.detail.type": "类型",
        "facilities.detail.kind": "类别",
        "facilities.detail.address": "地址",
    },
    "en": {
        "facilities.label": "Facilities",
        "facilities.legend": "Facilities",
        "facilities.facilities": "facilities",
        "facilities.other": "other facilities",
        "facilities.hydrant": "fire hydrants",
        "facilities.aed": "AEDs",
        "facilities.micro_fire_station": "micro fire stations",
        "facilities.gas_regulator": "gas pressure regulators",
        "facilities.camera": "CCTV cameras",
        "facilities.elderly_care": "elderly-care stations",
        "facilities.party_service": "party-and-public service stations",
        "facilities.health_station": "community health stations",
        "facilities.school": "schools and kindergartens",
        "facilities.detail.facility_id": "facility id",
        "facilities.detail.name": "name",
        "facilities.detail.type": "type as the ledger writes it",
        "facilities.detail.kind": f"one of {', '.join(FACILITY_KINDS)}, {OTHER_FACILITY}",
        "facilities.detail.address": "address",
    },
})

LAYER = register(
    Layer(
        name="facilities",
        label="facilities.label",
        accepts=frozenset({"grids", "categories"}),
        columns=(
            Column("facilities", "int", "facilities.facilities"),
            *(Column(key, "int", f"facilities.{key}") for key in FACILITY_KINDS),
            Column("other", "int", "facilities.other"),
        ),
        aggregate=_aggregate,
        legend=Legend(property="facilities", kind="count", title="facilities.legend"),
        detail=_detail,
        detail_columns=(
            Column("facility_id", "str", "facilities.detail.facility_id"),
            Column("name", "str", "facilities.detail.name"),
            Column("type", "str", "facilities.detail.type"),
            Column("kind", "str", "facilities.detail.kind"),
            Column("address", "str", "facilities.detail.address"),
        ),
        # no suppression rule: the counts are of public places, whose every point a planner may see (the
        # policy grants the layer's details); a count of them tells nothing the points do not
        reads=frozenset({"facilities", "grids"}),
    )
)
