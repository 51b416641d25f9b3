"""A small community seeded with plain SQL: 3 grids, 4 buildings, 10 households with known counts."""

from __future__ import annotations

from typing import NamedTuple

import psycopg

COMMUNITY = "幸福里社区"
SIZE = 0.005  # degrees: each grid is a square about 500 m across


class Grid(NamedTuple):
    """One seeded grid with the counts the layers must find."""

    code: str
    name: str
    west: float
    south: float
    households: int
    special_households: int


GRIDS = (
    Grid("G01", "东区一网格", 116.500, 39.920, households=5, special_households=3),
    Grid("G02", "东区二网格", 116.505, 39.920, households=3, special_households=1),
    Grid("G03", "东区三网格", 116.510, 39.920, households=2, special_households=0),
)

# building_id, address, grid_code, offset inside the grid (fractions of SIZE)
BUILDINGS = (
    ("B001", "幸福里1号楼", "G01", 0.3, 0.3),
    ("B002", "幸福里2号楼", "G01", 0.7, 0.6),
    ("B003", "幸福里3号楼", "G02", 0.5, 0.5),
    ("B004", "幸福里4号楼", "G03", 0.4, 0.6),
)

# household_id, building_id, groups
HOUSEHOLDS: tuple[tuple[str, str, list[str]], ...] = (
    ("H01", "B001", ["elderly_alone"]),
    ("H02", "B001", ["disabled", "low_income"]),
    ("H03", "B001", []),
    ("H04", "B002", ["empty_nest"]),
    ("H05", "B002", []),
    ("H06", "B003", ["elderly_alone"]),
    ("H07", "B003", []),
    ("H08", "B003", []),
    ("H09", "B004", []),
    ("H10", "B004", []),
)


def seed_small_community(conn: psycopg.Connection) -> dict[str, tuple[int, int]]:
    """Insert the community and commit; returns grid_code -> (households, special_households)."""
    row = conn.execute(
        "INSERT INTO load_runs (dataset, source_file, sha256, loaded_by) VALUES (%s, %s, %s, %s) RETURNING id",
        ["seed", "tests/seed_sql.py", "0" * 64, "pytest"],
    ).fetchone()
    assert row is not None
    run_id = row[0]
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO grids (grid_code, grid_name, community_name, leader, geom, load_run_id, source_row)"
            " VALUES (%s, %s, %s, %s, ST_Multi(ST_MakeEnvelope(%s, %s, %s, %s, 4326)), %s, %s)",
            [
                (g.code, g.name, COMMUNITY, f"网格员{i}", g.west, g.south, g.west + SIZE, g.south + SIZE, run_id, i)
                for i, g in enumerate(GRIDS, start=1)
            ],
        )
        origin = {g.code: (g.west, g.south) for g in GRIDS}
        cur.executemany(
            "INSERT INTO buildings (building_id, address, match_key, geom, grid_code, load_run_id, source_row)"
            " VALUES (%s, %s, %s, ST_SetSRID(ST_MakePoint(%s, %s), 4326), %s, %s, %s)",
            [
                (bid, addr, addr, origin[grid][0] + dx * SIZE, origin[grid][1] + dy * SIZE, grid, run_id, i)
                for i, (bid, addr, grid, dx, dy) in enumerate(BUILDINGS, start=1)
            ],
        )
        cur.executemany(
            "INSERT INTO households (household_id, address, members, groups, building_id, geocoded_by, geom,"
            " grid_code, load_run_id, source_row)"
            " SELECT %s, b.address, 2, %s, b.building_id, 'gazetteer', b.geom, b.grid_code, %s, %s"
            " FROM buildings AS b WHERE b.building_id = %s",
            [(hid, groups, run_id, i, bid) for i, (hid, bid, groups) in enumerate(HOUSEHOLDS, start=1)],
        )
    conn.commit()
    return {g.code: (g.households, g.special_households) for g in GRIDS}
