"""Complaints (接诉即办) per grid and their density: hand-counted rates, filters, and who may see what."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import psycopg
import pyproj
import pytest
import shapely
from community import LAYER_SETTINGS
from seed_sql import GRIDS, SIZE, seed_small_community

from gridgov.access import Role
from gridgov.errors import Forbidden, InputError
from gridgov.settings import LayerSettings
from layers import _queries, community, complaints, density, registry
from layers.rates import Rate
from layers.registry import Filters, Viewer

SECRETARY = Viewer(Role.SECRETARY)
PLANNER = Viewer(Role.PLANNER)
MARCH = Filters(start=date(2026, 3, 1), end=date(2026, 3, 31), as_of=date(2026, 3, 31))
WINDOW = Filters(start=MARCH.start, end=MARCH.end)  # density does not depend on the day it is looked at

# ticket, grid, category, received, responded, resolved_at, resolved, satisfaction: times in Beijing (+08)
TICKETS = (
    # G01 (5 households)
    ("T01", "G01", "噪音扰民", "03-02 09:00", "03-02 10:00", "03-03 12:00", True, "satisfied"),  # 1 h: in time
    ("T02", "G01", "停车管理", "03-02 09:00", "03-02 11:30", "03-04 12:00", True, "basically_satisfied"),  # late
    ("T03", "G01", "噪音扰民", "03-05 08:00", "03-05 10:00", "03-06 12:00", False, "dissatisfied"),  # 2 h: in time
    ("T04", "G01", "物业管理", "03-06 08:00", None, "03-07 12:00", None, None),  # closed, no response time
    ("T05", "G01", "物业管理", "03-10 08:00", "03-10 09:00", None, None, None),  # in progress, in time
    ("T06", "G01", "物业管理", "03-31 23:30", None, None, None, None),  # pending, not yet due on 31 March
    ("T10", "G01", "噪音扰民", "03-20 08:00", None, None, None, None),  # pending past the limit: late
    # G02 (3 households)
    ("T07", "G02", "停车管理", "03-15 10:00", "03-15 10:30", "03-16 12:00", True, "basically_satisfied"),
    ("T08", "G02", "噪音扰民", "04-01 00:30", "04-01 01:00", None, None, None),  # 1 April in Beijing: outside
    ("T09", "G02", "噪音扰民", "02-28 23:59", "03-01 01:00", None, None, None),  # February: outside
    # G03 (2 households)
    ("T11", "G03", "环境卫生", "03-10 10:00", "03-10 09:00", None, None, None),  # responded before received
)


def _at(text: str | None) -> str | None:
    return None if text is None else f"2026-{text}:00+08"


def seed_complaints(conn: psycopg.Connection) -> None:
    """The seed community with TICKETS, each at its grid's centre (offset a little per ticket)."""
    seed_small_community(conn)
    origin = {g.code: (g.west, g.south) for g in GRIDS}
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO complaints (ticket_id, received_at, category, content, address, responded_at, resolved_at,"
            " resolved, satisfaction, geocoded_by, geom, grid_code, load_run_id, source_row)"
            " SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s, 'gazetteer', ST_SetSRID(ST_MakePoint(%s, %s), 4326), %s,"
            " (SELECT min(id) FROM load_runs), %s",
            [
                (
                    t,
                    _at(received),
                    category,
                    f"{category}：内容{t}",
                    f"幸福里{grid}",
                    _at(responded),
                    _at(resolved_at),
                    resolved,
                    satisfaction,
                    origin[grid][0] + SIZE * (0.2 + 0.05 * i),
                    origin[grid][1] + SIZE * 0.5,
                    grid,
                    i,
                )
                for i, (t, grid, category, received, responded, resolved_at, resolved, satisfaction) in enumerate(
                    TICKETS
                )
            ],
        )
    conn.commit()


def _table(conn: psycopg.Connection, filters: Filters, settings: LayerSettings = LAYER_SETTINGS) -> pd.DataFrame:
    frame = registry.grid_frame(conn, "complaints", SECRETARY, filters, settings)
    return frame.set_index("grid_code").drop(columns="geometry")


def test_counts_and_the_three_rates_with_their_denominators(conn: psycopg.Connection) -> None:
    seed_complaints(conn)
    got = _table(conn, MARCH)
    g01 = got.loc["G01"]
    # G01: 7 complaints in March, 5 households -> 140 per 100
    assert (g01["complaints"], g01["per_100_households"]) == (7, 140.0)
    assert (g01["pending"], g01["in_progress"]) == (2, 1)  # T06, T10; T05
    # response: in time T01 (1 h), T03 (exactly 2 h), T05; late T02 (2.5 h), T10 (pending since 20 March);
    # unknown T04 (closed, no response time) and T06 (received 23:30 on the as_of day: not yet due)
    assert g01[["responded_in_time", "response_known", "response_unknown"]].tolist() == [3, 5, 2]
    assert g01["response_rate"] == 60.0  # 3 / 5
    # resolution: resolved T01, T02; not resolved T03; unknown T04, T05, T06, T10
    assert g01[["resolved", "outcome_known", "outcome_unknown"]].tolist() == [2, 3, 4]
    assert g01["resolution_rate"] == 66.7  # 2 / 3
    # satisfaction: T01 satisfied, T02 basically, T03 dissatisfied; 4 unrated
    assert g01[["satisfied", "basically_satisfied", "dissatisfied", "rated", "unrated"]].tolist() == [1, 1, 1, 3, 4]
    assert g01["satisfaction_rate"] == 66.7  # (1 + 1.0 x 1) / 3

    g02 = got.loc["G02"]  # T07 only: T08 is 1 April and T09 28 February in Beijing time
    columns = ["complaints", "responded_in_time", "response_known", "resolved", "outcome_known", "rated"]
    assert g02[columns].tolist() == [1, 1, 1, 1, 1, 1]
    assert (g02["per_100_households"], g02["response_rate"], g02["resolution_rate"]) == (33.3, 100.0, 100.0)

    g03 = got.loc["G03"]  # T11 was "responded" an hour before it was received: unknown, so no rate at all
    assert g03[["complaints", "response_known", "response_unknown", "in_progress"]].tolist() == [1, 0, 1, 1]
    assert g03["per_100_households"] == 50.0
    assert pd.isna(g03["response_rate"]) and pd.isna(g03["resolution_rate"]) and pd.isna(g03["satisfaction_rate"])


def test_basically_satisfied_weight_and_response_limit_are_settings(conn: psycopg.Connection) -> None:
    seed_complaints(conn)
    got = _table(conn, MARCH, LayerSettings(basically_satisfied_weight=0.9, response_limit_hours=3))
    assert got.loc["G01", "satisfaction_rate"] == 63.3  # (1 + 0.9 x 1) / 3
    assert got.loc["G02", "satisfaction_rate"] == 90.0  # 0.9 x 1 / 1
    # within 3 h T02 (2.5 h) is in time too: T01, T02, T03, T05 of T01, T02, T03, T05, T10
    assert got.loc["G01", ["responded_in_time", "response_known"]].tolist() == [4, 5]
    assert got.loc["G01", "response_rate"] == 80.0


def test_a_pending_complaint_turns_late_when_as_of_passes_its_limit(conn: psycopg.Connection) -> None:
    seed_complaints(conn)
    got = _table(conn, Filters(start=MARCH.start, end=MARCH.end, as_of=date(2026, 4, 1)))
    # T06 (23:30 on 31 March) was not due on the 31st; by the end of 1 April it is late
    assert got.loc["G01", ["responded_in_time", "response_known", "response_unknown"]].tolist() == [3, 6, 1]
    assert got.loc["G01", "response_rate"] == 50.0


def test_window_is_calendar_days_in_the_community_time_zone(conn: psycopg.Connection) -> None:
    seed_complaints(conn)
    april_first = _table(conn, Filters(start=date(2026, 4, 1), end=date(2026, 4, 1)))
    assert april_first.loc["G02", "complaints"] == 1  # T08: 16:30 UTC on 31 March is 00:30 on 1 April
    feb = _table(conn, Filters(start=date(2026, 2, 28), end=date(2026, 2, 28)))
    assert feb["complaints"].to_dict() == {"G01": 0, "G02": 1, "G03": 0}  # T09 at 23:59 Beijing


def test_status_and_category_filters(conn: psycopg.Connection) -> None:
    seed_complaints(conn)

    def complaints_with(**kw: tuple[str, ...]) -> dict[str, int]:
        return _table(conn, Filters(start=MARCH.start, end=MARCH.end, **kw))["complaints"].to_dict()

    assert complaints_with(statuses=("pending",)) == {"G01": 2, "G02": 0, "G03": 0}  # T06, T10
    assert complaints_with(statuses=("resolved", "unresolved")) == {"G01": 3, "G02": 1, "G03": 0}
    assert complaints_with(statuses=("closed_unknown",)) == {"G01": 1, "G02": 0, "G03": 0}  # T04
    assert complaints_with(statuses=("in_progress",)) == {"G01": 1, "G02": 0, "G03": 1}  # T05, T11
    assert complaints_with(categories=("噪音扰民",)) == {"G01": 3, "G02": 0, "G03": 0}  # T01, T03, T10
    assert complaints_with(categories=("噪音扰民", "停车管理"), statuses=("resolved",)) == {
        "G01": 2,
        "G02": 1,
        "G03": 0,
    }
    with pytest.raises(InputError, match="closed"):
        complaints_with(statuses=("done",))


def test_only_a_grid_leader_sees_complaint_points_and_only_of_their_grid(conn: psycopg.Connection) -> None:
    seed_complaints(conn)
    for viewer in (SECRETARY, PLANNER):
        with pytest.raises(Forbidden):
            registry.detail(conn, "complaints", viewer, MARCH, settings=LAYER_SETTINGS)
    leader = Viewer(Role.GRID_LEADER, "G01")
    features = registry.detail(conn, "complaints", leader, MARCH, settings=LAYER_SETTINGS)["features"]
    assert [f["id"] for f in features] == ["T01", "T02", "T03", "T04", "T05", "T10", "T06"]  # by time received
    t04 = features[3]["properties"]
    assert (t04["status"], t04["in_time"], t04["received_at"], t04["content"]) == (
        "closed_unknown",
        None,
        "2026-03-06 08:00",
        "物业管理：内容T04",
    )
    assert {f["properties"]["grid_code"] for f in features} == {"G01"}
    with pytest.raises(Forbidden):
        registry.detail(conn, "complaints", leader, Filters(grids=("G02",)), settings=LAYER_SETTINGS)
    with pytest.raises(Forbidden):
        registry.aggregate(conn, "complaints", leader, Filters(grids=("G01", "G02")), settings=LAYER_SETTINGS)
    mine = registry.aggregate(conn, "complaints", leader, MARCH, settings=LAYER_SETTINGS)["features"]
    assert [(f["id"], f["properties"]["complaints"]) for f in mine] == [("G01", 7)]


def test_a_communitys_rates_are_of_its_summed_counts_never_an_average_of_its_grids_rates(
    conn: psycopg.Connection,
) -> None:
    seed_complaints(conn)
    settings = LayerSettings(basically_satisfied_weight=0.9)
    got = community.complaints(registry.aggregate(conn, "complaints", SECRETARY, MARCH, settings), settings)
    assert got.complaints == 9  # G01 7, G02 1 (T07), G03 1 (T11)
    # in time 3 of 5 known in G01 (60%), 1 of 1 in G02 (100%), none known in G03: 4 of 6, not the 80% of an average
    assert got.response == Rate(66.7, 6)
    assert got.resolution == Rate(75.0, 4)  # resolved 2 of 3 known in G01 and 1 of 1 in G02
    assert got.satisfaction == Rate(70.0, 4)  # (1 satisfied + 0.9 x 2 basically) / 4 rated: G01's 3 and G02's 1


def test_planner_export_withholds_small_counts_and_their_rates(conn: psycopg.Connection) -> None:
    seed_complaints(conn)
    out = registry.deidentified_frame(conn, "complaints", MARCH, settings=LAYER_SETTINGS).set_index("grid_code")
    # 7 complaints are shown; 5 known responses are not: 7 - 5 would give the 2 unknown back, and 60 % of 5
    # the 3 in time (layers.suppression withholds response_known with them, and the rate of it)
    assert out.loc["G01", "complaints"] == 7 and pd.isna(out.loc["G01", "response_known"])
    assert pd.isna(out.loc["G01", "response_rate"])
    assert pd.isna(out.loc["G01", "resolution_rate"]) and pd.isna(out.loc["G01", "resolved"])  # 3 known: withheld
    assert pd.isna(out.loc["G02", "complaints"]) and pd.isna(out.loc["G02", "per_100_households"])


def _scatter(conn: psycopg.Connection, n: int) -> None:
    """n more complaints at pseudo-random places inside the seeded grids (deterministic)."""
    conn.execute(
        "INSERT INTO complaints (ticket_id, received_at, category, geocoded_by, geom, grid_code, load_run_id, source_row)"
        " SELECT 'S' || k, '2026-03-15 12:00+08', '噪音扰民', 'coordinates',"
        "  ST_SetSRID(ST_MakePoint(g.west + %(size)s * ((k * 0.6180339887) - floor(k * 0.6180339887)),"
        "   39.920 + %(size)s * ((k * 0.7548776662) - floor(k * 0.7548776662))), 4326),"
        "  g.code, (SELECT min(id) FROM load_runs), k"
        " FROM generate_series(1, %(n)s) AS k"
        " JOIN (VALUES (0, 'G01', 116.500), (1, 'G02', 116.505), (2, 'G03', 116.510)) AS g(m, code, west)"
        "   ON g.m = k %% 3",
        {"size": SIZE, "n": n},
    )
    conn.commit()


def test_density_cells_are_the_hexagons_of_st_hexagongrid_with_their_counts(conn: psycopg.Connection) -> None:
    seed_complaints(conn)
    _scatter(conn, 300)
    collection = registry.detail(conn, "complaint_density", SECRETARY, WINDOW, settings=LAYER_SETTINGS)
    features = collection["features"]
    srid = density.utm_srid(conn)
    assert srid == 32650  # Beijing, UTM zone 50N
    # the same cells found the slow way: every complaint against the hexagons ST_HexagonGrid lays over it
    expected = {
        (grid, i, j): n
        for grid, i, j, n in conn.execute(
            "WITH c AS (" + _queries.load("complaints_filtered") + ")"
            " SELECT c.grid_code, h.i, h.j, count(*) FROM c"
            " CROSS JOIN LATERAL (SELECT ST_Transform(c.geom, %(srid)s) AS p) AS t"
            " JOIN LATERAL ST_HexagonGrid(%(size)s, t.p) AS h ON ST_Intersects(h.geom, t.p)"
            " GROUP BY 1, 2, 3",
            {**complaints.params(WINDOW, LayerSettings()), "srid": srid, "size": density.HEX_EDGE_M},
        )
    }
    got = {
        (f["properties"]["grid_code"], f["properties"]["i"], f["properties"]["j"]): f["properties"]["complaints"]
        for f in features
    }
    assert got == expected
    assert sum(got.values()) == 300 + 9  # the scattered ones and the 9 seeded tickets of March
    assert all(n > 0 for n in got.values())
    # each cell is clipped to its grid, holds its complaints, is WGS-84 with at most 7 decimals, names no one
    transformer = pyproj.Transformer.from_crs(4326, srid, always_xy=True)

    def square_metres(cell: shapely.Geometry) -> float:
        return float(
            shapely.transform(cell, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))).area
        )

    bounds = {g.code: shapely.box(g.west, g.south, g.west + SIZE, g.south + SIZE) for g in GRIDS}
    cells = [(f["properties"]["grid_code"], shapely.geometry.shape(f["geometry"])) for f in features]
    for (grid, cell), f in zip(cells, features, strict=True):
        assert bounds[grid].buffer(1e-7).covers(cell)
        assert square_metres(cell) <= 2_338.3 * 1.001  # 3√3/2 × 30² m², or less when clipped
        assert all(round(v, 7) == v for v in shapely.get_coordinates(cell).ravel())
        assert set(f["properties"]) == {"grid_code", "i", "j", "complaints"}
    assert max(square_metres(cell) for _, cell in cells) == pytest.approx(2_338.3, rel=1e-3)
    for grid, lon, lat in conn.execute(
        "SELECT grid_code, ST_X(geom), ST_Y(geom) FROM complaints WHERE ticket_id LIKE 'S%%'"
    ):
        assert any(g == grid and cell.buffer(1e-7).covers(shapely.Point(lon, lat)) for g, cell in cells)


def test_density_detail_per_role(conn: psycopg.Connection) -> None:
    seed_complaints(conn)
    _scatter(conn, 30)
    with pytest.raises(Forbidden):
        registry.detail(conn, "complaint_density", PLANNER, WINDOW, settings=LAYER_SETTINGS)
    mine = registry.detail(conn, "complaint_density", Viewer(Role.GRID_LEADER, "G02"), WINDOW, settings=LAYER_SETTINGS)["features"]
    assert mine and {f["properties"]["grid_code"] for f in mine} == {"G02"}
    assert sum(f["properties"]["complaints"] for f in mine) == 1 + 10  # T07 and every third scattered one
    with pytest.raises(Forbidden):
        registry.detail(conn, "complaint_density", Viewer(Role.GRID_LEADER, "G02"), Filters(grids=("G01",)), settings=LAYER_SETTINGS)
    per_grid = registry.grid_frame(conn, "complaint_density", PLANNER, WINDOW, settings=LAYER_SETTINGS).set_index("grid_code")
    assert per_grid["complaints"].to_dict() == {"G01": 7 + 10, "G02": 1 + 10, "G03": 1 + 10}
