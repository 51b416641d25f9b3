"""The grids' outlines the wall draws: simplified for drawing by what the map shows, never by what it means."""

from __future__ import annotations

import numpy as np
import psycopg
import shapely
from test_layers_contiguity import insert_grids, make_boundaries

from gridgov.access import Role
from layers import outlines
from layers.registry import Viewer


def _vertices(collection: dict) -> int:  # type: ignore[type-arg]
    return sum(shapely.get_num_coordinates(shapely.geometry.shape(f["geometry"])) for f in collection["features"])


def test_outlines_drop_what_no_pixel_shows_and_keep_every_grid(conn: psycopg.Connection) -> None:
    grids = make_boundaries(40, seed=3, vertices_per_grid=1200, defects=False)
    insert_grids(conn, grids)
    shown = outlines.outlines(conn, Viewer(Role.SECRETARY))
    loaded = sum(shapely.get_num_coordinates(np.asarray(grids.geometry.values)))
    assert len(shown["features"]) == len(grids)
    assert _vertices(shown) < loaded / 3  # the digitising wiggles a wall cannot show are gone
    west, south, east, north = grids.total_bounds
    tolerance = max(east - west, north - south) * outlines.SIMPLIFY_SHARE
    originals = dict(zip(grids["grid_code"], grids.geometry, strict=True))
    for feature in shown["features"]:
        drawn = shapely.geometry.shape(feature["geometry"])
        original = originals[feature["id"]]
        assert drawn.is_valid and not drawn.is_empty
        # no outline strays further from the grid than half a pixel of the whole view
        assert shapely.hausdorff_distance(drawn, original) <= tolerance * 1.0001
    # the polygons themselves are as loaded: placement and exports do not use the outlines
    stored = conn.execute("SELECT sum(ST_NPoints(geom)) FROM grids").fetchone()
    assert stored is not None and stored[0] == loaded


def test_a_grid_leaders_own_grid_keeps_its_detail(conn: psycopg.Connection) -> None:
    """Zoomed to one grid, the tolerance is that grid's: a fraction of a metre, not the city's metres."""
    grids = make_boundaries(40, seed=3, vertices_per_grid=1200, defects=False)
    insert_grids(conn, grids)
    code = str(grids["grid_code"].iloc[0])
    mine = outlines.outlines(conn, Viewer(Role.GRID_LEADER, grid_codes=(code,)))
    everyone = outlines.outlines(conn, Viewer(Role.SECRETARY))
    own = next(f for f in everyone["features"] if f["id"] == code)
    assert [f["id"] for f in mine["features"]] == [code]
    assert _vertices(mine) > _vertices({"features": [own]})
