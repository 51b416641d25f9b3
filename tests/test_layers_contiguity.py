"""Contiguity between real-like grid polygons, kept in grid_neighbours until the grids change (layers/contiguity.py).

The polygons come from geodata/boundaries.py (synthetic, real-like: wiggly edges of hundreds of vertices,
every shared edge digitised twice with metre-scale slivers and gaps); the reference is libpysal's
fuzzy_contiguity with the same 1 m (each polygon grown by half of it, then intersected).
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import geopandas as gpd
import numpy as np
import psycopg
import shapely
from community import LAYER_SETTINGS
from libpysal.weights import fuzzy_contiguity
from shapely import affinity

from gridgov.access import Role
from layers import registry
from layers.contiguity import TOLERANCE_M, _to_local_metres, find, neighbours
from layers.hotspots import contiguity
from layers.registry import Filters, Viewer

REPO = Path(__file__).resolve().parents[1]


def _boundaries() -> ModuleType:
    spec = importlib.util.spec_from_file_location("boundaries", REPO / "geodata" / "boundaries.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


make_boundaries = _boundaries().make_boundaries


def insert_grids(conn: psycopg.Connection, grids: gpd.GeoDataFrame) -> None:
    """The grids straight into the table (no ETL: its checks and repairs are not what is tested here)."""
    run = conn.execute(
        "INSERT INTO load_runs (dataset, source_file, sha256, loaded_by) VALUES ('grids', 'test', %s, 'pytest') RETURNING id",
        ["0" * 64],
    ).fetchone()
    assert run is not None
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO grids (grid_code, grid_name, community_name, geom, load_run_id, source_row)"
            " VALUES (%s, %s, %s, ST_Multi(ST_GeomFromWKB(%s, 4326)), %s, %s)",
            [
                (r.grid_code, r.grid_name, r.community_name, shapely.to_wkb(r.geometry), run[0], i)
                for i, r in enumerate(grids.itertuples(), start=1)
            ],
        )


def libpysal_pairs(grids: gpd.GeoDataFrame) -> set[tuple[str, str]]:
    """libpysal's fuzzy_contiguity within TOLERANCE_M, on the polygons in metres (invalid ones made valid first:
    the buffer of a self-crossing ring may lose a lobe, and with it a neighbour)."""
    plane = gpd.GeoDataFrame(
        {"grid_code": list(grids["grid_code"])},
        geometry=shapely.make_valid(_to_local_metres(np.asarray(grids.geometry.values))),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands
        w = fuzzy_contiguity(plane, buffering=True, buffer=TOLERANCE_M / 2, silence_warnings=True)
    codes = list(plane["grid_code"])
    return {tuple(sorted((codes[i], codes[j]))) for i, near in w.neighbors.items() for j in near}  # type: ignore[misc]


def pairs_of(w: Any) -> set[tuple[str, str]]:
    return {tuple(sorted((a, b))) for a, near in w.neighbors.items() for b in near}


def state(conn: psycopg.Connection) -> tuple[Any, ...] | None:
    return conn.execute(
        "SELECT grids_version, grid_writers, grids, pairs, islands, built_at FROM grid_neighbours_state"
    ).fetchone()


def codes_of(conn: psycopg.Connection) -> list[str]:
    return [code for (code,) in conn.execute("SELECT grid_code FROM grids ORDER BY grid_code")]


def test_the_neighbours_are_libpysal_fuzzy_contiguity_plus_the_island_rule(conn: psycopg.Connection) -> None:
    grids = make_boundaries(40, seed=0, vertices_per_grid=300, defects=True)
    defects = set(grids.attrs["defects"])
    # a detached block east of the easternmost grid (a copy of it, 1.2 km further): an island
    east = int(np.argmax(grids.geometry.bounds["maxx"]))
    block = affinity.translate(grids.geometry.iloc[east], xoff=0.014)
    grids.loc[len(grids)] = ["110105009999-001", "飞地网格", "模拟飞地社区", block]
    insert_grids(conn, grids)
    conn.commit()
    codes = codes_of(conn)
    w = contiguity(conn, codes)

    plane = _to_local_metres(np.asarray(grids.geometry.values))
    distance = shapely.distance(plane[-1], plane[:-1])
    assert distance.min() > 500  # far from everything
    nearest = grids["grid_code"].iloc[int(np.argmin(distance))]
    expected = libpysal_pairs(grids) | {tuple(sorted(("110105009999-001", nearest)))}
    assert pairs_of(w) == expected
    assert not w.islands
    # the defects of a real file change nothing: a grid with an enclave, an island piece, a park, a river,
    # a bow-tie ring (libpysal alone, without make_valid, misses one of its neighbours here)
    assert defects == {"community_in_two_pieces", "park", "river", "enclave", "island", "bowtie"}
    rows = conn.execute("SELECT grid_code, neighbour, kind FROM grid_neighbours").fetchall()
    assert {(a, b) for a, b, _ in rows} == expected
    assert {(a, b) for a, b, kind in rows if kind == "nearest"} == {tuple(sorted(("110105009999-001", nearest)))}
    assert state(conn)[2:5] == (len(codes), len(expected), 1)  # type: ignore[index]


def test_find_keeps_an_island_only_when_it_is_the_only_grid() -> None:
    grids = make_boundaries(3, seed=4, vertices_per_grid=64, defects=False)
    assert find(["A"], np.asarray(grids.geometry.values[:1])) == []
    far = affinity.translate(grids.geometry.iloc[0], xoff=0.05)
    codes = ["A", "B"]
    assert find(codes, np.asarray([grids.geometry.iloc[0], far])) == [("A", "B", "nearest")]


def test_changing_the_grids_rebuilds_the_neighbours(conn: psycopg.Connection) -> None:
    first = make_boundaries(16, seed=1, vertices_per_grid=200, defects=False)
    insert_grids(conn, first)
    conn.commit()
    assert set(neighbours(conn)) == libpysal_pairs(first)
    conn.commit()
    built = state(conn)
    assert built is not None and built[1] == []
    # asked again with the grids unchanged: read, not built again
    assert set(neighbours(conn)) == libpysal_pairs(first)
    conn.commit()
    assert state(conn) == built

    # a grid deleted: its pairs go
    gone = first["grid_code"].iloc[5]
    conn.execute("DELETE FROM grids WHERE grid_code = %s", [gone])
    conn.commit()
    rest = first[first["grid_code"] != gone]
    assert pairs_of(contiguity(conn, codes_of(conn))) == libpysal_pairs(rest)
    conn.commit()
    after_delete = state(conn)
    assert after_delete is not None and after_delete[0] > built[0] and after_delete[2] == 15

    # another grid set loaded in its place
    second = make_boundaries(25, seed=2, vertices_per_grid=200, defects=False, origin=(116.5, 39.95))
    conn.execute("DELETE FROM grids")
    insert_grids(conn, second)
    conn.commit()
    assert pairs_of(contiguity(conn, codes_of(conn))) == libpysal_pairs(second)
    conn.commit()
    assert state(conn)[2] == 25  # type: ignore[index]

    # and the hot spot layer's kept answer follows (it reads grids): every grid of the new set is there
    table = registry.grid_frame(conn, "complaint_hotspots", Viewer(Role.SECRETARY), Filters(), settings=LAYER_SETTINGS)
    assert sorted(table["grid_code"]) == sorted(second["grid_code"])


def test_a_build_while_grids_are_being_written_is_built_again_once_they_commit(db_url: str) -> None:
    grids = make_boundaries(12, seed=5, vertices_per_grid=120, defects=False)
    gone = grids["grid_code"].iloc[4]
    with psycopg.connect(db_url) as reader, psycopg.connect(db_url) as writer:
        insert_grids(reader, grids)
        reader.commit()
        writer.execute("DELETE FROM grids WHERE grid_code = %s", [gone])  # counted in the version, not committed
        during = neighbours(reader)
        reader.commit()
        assert any(gone in pair for pair in during)  # the reader cannot see the deletion yet
        assert state(reader)[1] != []  # type: ignore[index]  # built while a writer of grids was in progress
        assert neighbours(reader) == during  # still right while that writer is: read, not built again
        reader.commit()
        writer.commit()
        after = neighbours(reader)  # the version did not move at the commit: the writer's end says build again
        assert set(after) == libpysal_pairs(grids[grids["grid_code"] != gone])
        reader.commit()
        assert state(reader)[1] == []  # type: ignore[index]


def test_two_readers_at_once_build_the_neighbours_once(db_url: str) -> None:
    grids = make_boundaries(12, seed=6, vertices_per_grid=120, defects=False)
    with psycopg.connect(db_url) as first, psycopg.connect(db_url) as second:
        insert_grids(first, grids)
        first.commit()
        built = neighbours(first)  # in first's transaction, not committed: it holds the builders' lock
        found: list[list[tuple[str, str]]] = []
        waiting = threading.Thread(target=lambda: found.append(neighbours(second)))
        waiting.start()
        with psycopg.connect(db_url, autocommit=True) as watcher:
            while not watcher.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = 7313 AND objid = 14"
            ).fetchone()[0]:  # type: ignore[index]
                waiting.join(0.05)
                assert waiting.is_alive(), "the second reader did not wait for the first"
        at = state(first)
        first.commit()
        waiting.join()
        second.commit()
        assert found == [built]
        assert state(second) == at  # the second found the first's rows: not built twice
