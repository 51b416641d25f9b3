"""Rows COPYed straight into their table (etl.direct) hold the same points PostGIS makes for the upsert."""

from __future__ import annotations

from pathlib import Path

import psycopg
from community import CLOCK

from etl.folder import plan
from etl.load import load_file

COMMUNITY = Path(__file__).resolve().parent / "fixtures" / "community"


def test_points_copied_straight_in_are_the_points_postgis_makes(conn: psycopg.Connection) -> None:
    todo, _ = plan(COMMUNITY)
    for source in todo:
        load_file(conn, source.path, source.dataset, mapping=source.mapping, clock=CLOCK)
    # The households table was empty and H1-H4 were matched to a building while parsing: they were COPYed
    # straight in, their point as EWKB made in Python. The buildings went through the staging table, whose
    # upsert makes each point with ST_SetSRID(ST_MakePoint(lon, lat), 4326).
    pairs = conn.execute(
        "SELECT h.household_id, ST_AsEWKB(h.geom), ST_AsEWKB(b.geom),"
        " ST_AsEWKB(ST_SetSRID(ST_MakePoint(ST_X(h.geom), ST_Y(h.geom)), 4326))"
        " FROM households AS h JOIN buildings AS b USING (building_id) ORDER BY 1"
    ).fetchall()
    assert [r[0] for r in pairs] == ["H1", "H2", "H3", "H4"]
    for household, copied, building, made in pairs:
        assert bytes(copied) == bytes(building) == bytes(made), household
    # and every point of the table is a 2-D point in WGS-84, however it was written
    kinds = conn.execute("SELECT DISTINCT GeometryType(geom), ST_SRID(geom), ST_NDims(geom) FROM households").fetchall()
    assert kinds == [("POINT", 4326, 2)]
