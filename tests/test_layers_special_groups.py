from __future__ import annotations

from typing import Any

import psycopg
from community import LAYER_SETTINGS
from seed_sql import BUILDINGS, GRIDS, SIZE, seed_small_community

from layers import basemap, registry
from layers.registry import Filters, Role, Viewer


def grid_summary(conn: psycopg.Connection) -> dict[str, Any]:
    """Every grid with its counts, as the community grid map (`/`) shows them to the secretary."""
    return registry.aggregate(conn, "special_groups", Viewer(Role.SECRETARY), Filters(), settings=LAYER_SETTINGS)


def test_grid_summary_counts_households_and_special_groups_per_grid(conn: psycopg.Connection) -> None:
    expected = seed_small_community(conn)
    collection = grid_summary(conn)
    assert collection["type"] == "FeatureCollection"
    got = {
        f["properties"]["grid_code"]: (f["properties"]["households"], f["properties"]["special_households"])
        for f in collection["features"]
    }
    assert got == expected == {"G01": (5, 3), "G02": (3, 1), "G03": (2, 0)}


def test_grid_summary_features_carry_names_and_geometry(conn: psycopg.Connection) -> None:
    seed_small_community(conn)
    features = grid_summary(conn)["features"]
    by_code = {f["properties"]["grid_code"]: f for f in features}
    for grid in GRIDS:
        feature = by_code[grid.code]
        assert feature["properties"]["grid_name"] == grid.name
        assert feature["properties"]["community_name"] == "幸福里社区"
        assert feature["geometry"]["type"] == "MultiPolygon"
        ring = feature["geometry"]["coordinates"][0][0]
        assert min(p[0] for p in ring) == grid.west
        assert min(p[1] for p in ring) == grid.south


def test_grid_without_households_is_kept_with_zero_counts(conn: psycopg.Connection) -> None:
    seed_small_community(conn)
    conn.execute(
        "INSERT INTO grids (grid_code, grid_name, community_name, geom, load_run_id, source_row)"
        " SELECT %s, %s, %s, ST_Multi(ST_MakeEnvelope(116.515, 39.92, 116.52, 39.925, 4326)), id, 99"
        " FROM load_runs LIMIT 1",
        ["G04", "东区四网格", "幸福里社区"],
    )
    features = grid_summary(conn)["features"]
    keys = ("grid_code", "grid_name", "community_name", "households", "special_households")
    g04 = [{k: f["properties"][k] for k in keys} for f in features if f["properties"]["grid_code"] == "G04"]
    assert g04 == [
        {
            "grid_code": "G04",
            "grid_name": "东区四网格",
            "community_name": "幸福里社区",
            "households": 0,
            "special_households": 0,
        }
    ]


def test_empty_database_gives_empty_collections(conn: psycopg.Connection) -> None:
    assert grid_summary(conn) == {"type": "FeatureCollection", "features": []}
    assert basemap.buildings(conn) == {"type": "FeatureCollection", "features": []}
    assert basemap.grid_bounds(conn) is None


def test_buildings_and_bounds(conn: psycopg.Connection) -> None:
    seed_small_community(conn)
    features = basemap.buildings(conn)["features"]
    assert [(f["properties"]["building_id"], f["properties"]["grid_code"]) for f in features] == [
        (b[0], b[2]) for b in BUILDINGS
    ]
    assert all(f["geometry"]["type"] == "Point" for f in features)
    bounds = basemap.grid_bounds(conn)
    assert bounds is not None
    assert bounds.west == GRIDS[0].west
    assert bounds.south == GRIDS[0].south
    assert abs(bounds.east - (GRIDS[-1].west + SIZE)) < 1e-9
    assert abs(bounds.north - (GRIDS[0].south + SIZE)) < 1e-9
