"""A street of two communities, seeded with plain SQL: tests/seed_sql.py's 幸福里社区 (G01–G03) and 和平里社区 (G11, G12).

Each community has work orders and an overdue hazard, so a secretary of one can be shown to see nothing of
the other, and the street officer both. 和平里社区 has more overdue hazards, so it ranks first in the street.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import psycopg
from community import CLOCK
from seed_sql import COMMUNITY, SIZE, seed_small_community

STREET = "朝阳门街道"
OTHER = "和平里社区"
OTHER_GRIDS = (("G11", "和平一网格", 116.515), ("G12", "和平二网格", 116.520))
SOUTH = 39.920
# ticket_id, grid, content; hazard_id, grid, days overdue
WORK_ORDERS = (("WO-01", "G01", "幸福里噪音扰民"), ("WO-11", "G11", "和平里楼道堆物"), ("WO-12", "G12", "和平里路灯不亮"))
HAZARDS = (("HZ-01", "G02", 3), ("HZ-11", "G11", 5), ("HZ-12", "G12", 9))


def seed_street(conn: psycopg.Connection) -> None:
    """Insert both communities of the street and commit."""
    seed_small_community(conn)
    row = conn.execute(
        "INSERT INTO load_runs (dataset, source_file, sha256, loaded_by, finished_at)"
        " VALUES ('seed', 'tests/street_seed.py', %s, 'pytest', now()) RETURNING id", ["1" * 64],
    ).fetchone()
    assert row is not None
    run = row[0]
    conn.execute("UPDATE grids SET street_name = %s, street_code = '110101001'", [STREET])
    now = CLOCK.now()
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO grids (grid_code, grid_name, community_name, street_name, street_code, leader, geom,"
            " load_run_id, source_row) VALUES (%s, %s, %s, %s, '110101001', %s,"
            " ST_Multi(ST_MakeEnvelope(%s, %s, %s, %s, 4326)), %s, %s)",
            [(code, name, OTHER, STREET, f"网格员{code}", west, SOUTH, west + SIZE, SOUTH + SIZE, run, i)
             for i, (code, name, west) in enumerate(OTHER_GRIDS, start=1)],
        )
        cur.executemany(
            "INSERT INTO buildings (building_id, address, match_key, geom, grid_code, load_run_id, source_row)"
            " SELECT 'B' || g.grid_code, g.grid_name || '1号楼', g.grid_name || '1号楼', ST_PointOnSurface(g.geom),"
            " g.grid_code, %s, 1 FROM grids AS g WHERE g.grid_code = %s",
            [(run, code) for code, _, _ in OTHER_GRIDS],
        )
        cur.executemany(
            "INSERT INTO households (household_id, address, members, groups, building_id, geocoded_by, geom,"
            " grid_code, load_run_id, source_row)"
            " SELECT %s, b.address, 3, %s, b.building_id, 'gazetteer', b.geom, b.grid_code, %s, 1"
            " FROM buildings AS b WHERE b.grid_code = %s",
            [(f"H{code}", ["elderly_alone"], run, code) for code, _, _ in OTHER_GRIDS],
        )
        cur.executemany(
            "INSERT INTO complaints (ticket_id, received_at, category, content, address, geocoded_by, geom, grid_code,"
            " load_run_id, source_row)"
            " SELECT %s, %s, '噪音扰民', %s, g.grid_name, 'gazetteer', ST_PointOnSurface(g.geom), g.grid_code, %s, 1"
            " FROM grids AS g WHERE g.grid_code = %s",
            [(ticket, now - timedelta(hours=5), content, run, grid) for ticket, grid, content in WORK_ORDERS],
        )
        cur.executemany(
            "INSERT INTO hazards (hazard_id, found_at, type, severity, status, deadline, address, geocoded_by, geom,"
            " grid_code, load_run_id, source_row)"
            " SELECT %s, %s, '消防通道堵塞', 'high', 'open', %s, g.grid_name, 'gazetteer', ST_PointOnSurface(g.geom),"
            " g.grid_code, %s, 1 FROM grids AS g WHERE g.grid_code = %s",
            [(hid, _days_ago(now, days + 10), (now - timedelta(days=days)).date(), run, grid)
             for hid, grid, days in HAZARDS],
        )
    conn.commit()


def _days_ago(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)


__all__ = ["COMMUNITY", "OTHER", "STREET", "seed_street"]
