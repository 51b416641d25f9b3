"""The demo street (two communities) loads as its README says: every row placed or quarantined, for the
documented reasons; the grids with their street, the second community's boundary repaired and reported."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
from community import CLOCK

from etl.folder import plan
from etl.load import load_file

DEMO = Path(__file__).resolve().parents[1] / "geodata" / "demo"


def _readme_per_grid() -> dict[str, tuple[int, int]]:
    """The generator's own count of loadable households and special-group households per grid."""
    text = (DEMO / "README.md").read_text(encoding="utf-8")
    row = re.compile(r"^\| (\d{12}-\d{3}) \|(?:[^|]*\|){5} (\d+) \| (\d+) \(", re.M)
    return {m.group(1): (int(m.group(2)), int(m.group(3))) for m in row.finditer(text)}


def test_demo_loads_every_row_placed_or_quarantined(conn: psycopg.Connection) -> None:
    todo, skipped = plan(DEMO)
    assert skipped == [("README.md", "documentation")]
    results = {r.dataset: r for r in (load_file(conn, s.path, s.dataset, clock=CLOCK) for s in todo)}
    for r in results.values():
        assert r.read == r.inserted + sum(r.quarantined.values()), r.dataset
    # the first community's 12 of each kind and the second's 6
    assert dict(results["households"].quarantined) == {
        "address matched no building": 24 + 12,  # unknown compounds + unknown building numbers
        "address is empty": 12 + 6,
        "id_number checksum fails (GB 11643)": 12 + 6,
        "members must be a whole number of at least 1": 12 + 6,
    }
    assert sum(results["complaints"].quarantined.values()) == 20 + 10
    for name in ("grids", "buildings", "facilities", "hazards", "visits"):
        assert not results[name].quarantined, name
    # exactly the planted bad rows: the first community's household ids end at H003000, the second's start after
    spoilt = {r[0] for r in conn.execute("SELECT record_key FROM quarantine WHERE dataset = 'households'")}
    assert sum(k <= "H003000" for k in spoilt) == 60 and sum(k > "H003000" for k in spoilt) == 30
    # the second community's boundary, drawn as offices draw it: overlaps repaired, its park and slivers reported
    kinds = {(p.kind, p.community) for p in results["grids"].grid_problems}
    assert ("warning_hole", "晨光里社区") in kinds and ("repaired_overlap", "晨光里社区") in kinds
    # the first community tiles exactly: its only problems are slivers along the second's border
    assert all(any(g.startswith("110105018014-") for g in p.grids) for p in results["grids"].grid_problems)
    assert not results["grids"].notes  # every grid has its street


def test_demo_grids_carry_their_street_and_community(conn: psycopg.Connection) -> None:
    load_file(conn, DEMO / "grids.geojson", plan(DEMO)[0][0].dataset, clock=CLOCK)
    assert conn.execute(
        "SELECT street_name, street_code, community_name, community_code, count(*) FROM grids GROUP BY 1, 2, 3, 4 "
        "ORDER BY 4").fetchall() == [("八里庄街道", "110105018", "甘露园南里社区", "110105018013", 10),
                                     ("八里庄街道", "110105018", "晨光里社区", "110105018014", 6)]


def test_demo_households_per_grid_match_the_generator(conn: psycopg.Connection) -> None:
    for src in plan(DEMO)[0]:
        load_file(conn, src.path, src.dataset, clock=CLOCK)
    placed = {
        code: (n, special)
        for code, n, special in conn.execute(
            "SELECT grid_code, count(*), count(*) FILTER (WHERE cardinality(groups) > 0) FROM households GROUP BY 1"
        )
    }
    expected = _readme_per_grid()
    assert len(expected) == 16  # 10 grids of the first community, 6 of the second
    assert placed == expected


def test_demo_converted_coordinates_land_where_the_generator_put_them(conn: psycopg.Connection) -> None:
    for src in plan(DEMO)[0]:
        load_file(conn, src.path, src.dataset, clock=CLOCK)
    # GCJ-02 / BD-09 facilities: converted to WGS-84 they are inside the community, not ~500 m east of it
    outside = conn.execute(
        "SELECT count(*) FROM facilities f WHERE NOT EXISTS "
        "(SELECT 1 FROM grids g WHERE ST_DWithin(g.geom::geography, f.geom::geography, 0) )"
    ).fetchone()
    assert outside == (0,)
    by = dict(conn.execute("SELECT geocoded_by, count(*) FROM facilities GROUP BY 1").fetchall())
    assert by == {"coordinates": 140}  # 100 in the first community, 40 in the second


def test_every_reference_holds_after_loading(conn: psycopg.Connection) -> None:
    # Fact tables carry no foreign keys (migration 003): the ETL sets these columns from joins. Check it did.
    for src in plan(DEMO)[0]:
        load_file(conn, src.path, src.dataset, clock=CLOCK)
    for table in ("buildings", "households", "facilities", "complaints", "hazards", "visits"):
        orphans = conn.execute(
            f"SELECT count(*) FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM grids g WHERE g.grid_code = t.grid_code) "
            f"OR NOT EXISTS (SELECT 1 FROM load_runs r WHERE r.id = t.load_run_id)"
        ).fetchone()
        assert orphans == (0,), table
    assert conn.execute(
        "SELECT count(*) FROM households h WHERE building_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM buildings b WHERE b.building_id = h.building_id)"
    ).fetchone() == (0,)
    # and a household's grid is its building's: gazetteer matches inherit the building's placement
    assert conn.execute(
        "SELECT count(*) FROM households h JOIN buildings b USING (building_id) WHERE h.grid_code <> b.grid_code "
        "OR NOT ST_Equals(h.geom, b.geom)"
    ).fetchone() == (0,)
