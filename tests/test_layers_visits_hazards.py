"""Visits (六必访), hazards and facilities per grid, checked against hand-counted fixtures and the demo."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd
import psycopg
from community import CLOCK, LAYER_SETTINGS
from seed_sql import seed_small_community

from etl.folder import plan
from etl.load import load_file
from gridgov.access import Role
from layers import registry
from layers.registry import Filters, Viewer

SECRETARY = Viewer(Role.SECRETARY)
DEMO = Path(__file__).resolve().parents[1] / "geodata" / "demo"
MID_MARCH = date(2026, 3, 15)  # a Sunday


def _table(conn: psycopg.Connection, layer: str, filters: Filters) -> pd.DataFrame:
    return registry.grid_frame(conn, layer, SECRETARY, filters, settings=LAYER_SETTINGS).set_index("grid_code").drop(columns="geometry")


def _seed_visits(conn: psycopg.Connection) -> None:
    # seeded groups: H01 elderly_alone (G01), H02 disabled+low_income (G01), H04 empty_nest (G01, no rule),
    # H06 elderly_alone (G02); H03 (G01) becomes unemployed here
    conn.execute("UPDATE households SET groups = '{unemployed}' WHERE household_id = 'H03'")
    visits = [
        ("V1", "H01", "2026-03-02 10:00+08"),  # this month
        ("V2", "H02", "2026-02-28 17:30+00"),  # 01:30 on 1 March in Beijing: this month
        ("V3", "H03", "2026-02-10 09:00+08"),  # last month only: still due, not overdue
        ("V4", "H06", "2026-01-20 09:00+08"),  # February missed: overdue
        ("V5", "H06", "2026-03-20 09:00+08"),  # after as_of: not counted yet
        ("V6", "H04", "2026-03-05 09:00+08"),  # empty_nest has no rule until the test adds one
    ]
    conn.execute(
        "INSERT INTO visits (visit_id, household_id, visited_at, grid_code, load_run_id, source_row)"
        " SELECT v.id, v.hh, v.at::timestamptz, h.grid_code, h.load_run_id, 1"
        " FROM unnest(%s::text[], %s::text[], %s::text[]) AS v(id, hh, at) JOIN households h ON h.household_id = v.hh",
        [[v[0] for v in visits], [v[1] for v in visits], [v[2] for v in visits]],
    )


def test_visits_due_visited_and_overdue_per_grid(conn: psycopg.Connection) -> None:
    seed_small_community(conn)
    _seed_visits(conn)
    got = _table(conn, "visits", Filters(as_of=MID_MARCH))
    assert got.loc["G01", ["due", "visited", "not_yet_visited", "overdue"]].tolist() == [3, 2, 1, 0]
    assert got.loc["G01", "visited_pct"] == 66.7
    assert got.loc["G02", ["due", "visited", "not_yet_visited", "overdue"]].tolist() == [1, 0, 1, 1]
    assert got.loc["G03", ["due", "visited"]].tolist() == [0, 0]
    assert pd.isna(got.loc["G03", "visited_pct"])


def test_the_visit_rules_are_data(conn: psycopg.Connection) -> None:
    seed_small_community(conn)
    _seed_visits(conn)
    conn.execute("INSERT INTO visit_rules VALUES ('empty_nest', 'week', '空巢老人')")
    conn.execute("DELETE FROM visit_rules WHERE group_key = 'elderly_alone'")
    got = _table(conn, "visits", Filters(as_of=MID_MARCH))
    # H01 and H06 are no longer due; H04 is due weekly, last seen the week before (Thu 5 March): due, not overdue
    assert got.loc["G01", ["due", "visited", "not_yet_visited", "overdue"]].tolist() == [3, 1, 2, 0]
    assert got.loc["G02", "due"] == 0


def test_a_grid_leader_sees_each_household_status_and_last_visit(conn: psycopg.Connection) -> None:
    seed_small_community(conn)
    _seed_visits(conn)
    leader = Viewer(Role.GRID_LEADER, "G01")
    rows = {
        f["id"]: (f["properties"]["status"], f["properties"]["last_visit"])
        for f in registry.detail(conn, "visits", leader, Filters(as_of=MID_MARCH), settings=LAYER_SETTINGS)["features"]
    }
    assert rows == {"H01": ("visited", "2026-03-02"), "H02": ("visited", "2026-03-01"), "H03": ("due", "2026-02-10")}
    g02 = registry.detail(conn, "visits", Viewer(Role.GRID_LEADER, "G02"), Filters(as_of=MID_MARCH), settings=LAYER_SETTINGS)["features"]
    assert [(f["id"], f["properties"]["status"], f["properties"]["last_visit"]) for f in g02] == [
        ("H06", "overdue", "2026-01-20")
    ]


def _seed_hazards(conn: psycopg.Connection) -> None:
    rows = [  # id, grid, found, type, severity, status, deadline, closed
        ("Z1", "G01", "2026-02-01", "消防通道堵塞", "high", "open", "2026-03-01", None),
        ("Z2", "G01", "2026-02-15", "电动车违规充电", "low", "in_progress", "2026-04-01", None),
        ("Z3", "G01", "2025-12-01", "燃气隐患", "medium", "closed", "2026-01-01", "2026-02-01"),
        ("Z4", "G01", "2026-03-10", "电动车违规充电", None, "open", None, None),
        ("Z5", "G02", "2026-01-05", "电动车违规充电", "medium", "in_progress", "2026-03-10", None),
    ]
    for r in rows:
        conn.execute(
            "INSERT INTO hazards (hazard_id, grid_code, found_at, type, severity, status, deadline, closed_at,"
            " geocoded_by, geom, load_run_id, source_row)"
            " SELECT %s, %s, (%s::date)::timestamp AT TIME ZONE 'Asia/Shanghai', %s, %s, %s, %s, %s::timestamptz,"
            " 'gazetteer', ST_Centroid(g.geom), g.load_run_id, 1 FROM grids g WHERE g.grid_code = %s",
            [*r, r[1]],
        )


def test_hazards_by_status_and_severity_with_days_overdue(conn: psycopg.Connection) -> None:
    seed_small_community(conn)
    _seed_hazards(conn)
    got = _table(conn, "hazards", Filters(as_of=MID_MARCH))
    g01 = got.loc["G01"]
    assert [g01["hazards"], g01["open"], g01["in_progress"], g01["closed"]] == [4, 2, 1, 1]
    assert [g01["open_high"], g01["open_low"], g01["in_progress_low"], g01["closed_medium"]] == [1, 0, 1, 1]
    assert [g01["overdue"], g01["max_days_overdue"]] == [1, 14]  # Z1: deadline 1 March
    assert [got.loc["G02", "overdue"], got.loc["G02", "max_days_overdue"]] == [1, 5]  # Z5: deadline 10 March
    assert got.loc["G03", "hazards"] == 0

    opened = _table(conn, "hazards", Filters(as_of=MID_MARCH, statuses=("open",), categories=("电动车违规充电",)))
    assert opened["hazards"].to_dict() == {"G01": 1, "G02": 0, "G03": 0}  # Z4
    window = _table(conn, "hazards", Filters(as_of=MID_MARCH, start=date(2026, 2, 1), end=date(2026, 2, 28)))
    assert window["hazards"].to_dict() == {"G01": 2, "G02": 0, "G03": 0}  # Z1, Z2

    points = registry.detail(conn, "hazards", SECRETARY, Filters(as_of=MID_MARCH, statuses=("open", "in_progress")), settings=LAYER_SETTINGS)
    overdue = {f["id"]: f["properties"]["days_overdue"] for f in points["features"]}
    assert overdue == {"Z1": 14, "Z2": None, "Z4": None, "Z5": 5}


def test_facilities_by_kind_and_as_public_points(conn: psycopg.Connection) -> None:
    seed_small_community(conn)
    rows = [("F1", "G01", "消防栓"), ("F2", "G01", "AED"), ("F3", "G02", "室外消火栓"), ("F4", "G03", "垃圾站")]
    for fid, grid, kind in rows:
        conn.execute(
            "INSERT INTO facilities (facility_id, name, type, geocoded_by, geom, grid_code, load_run_id, source_row)"
            " SELECT %s, %s, %s, 'wgs84', ST_Centroid(geom), grid_code, load_run_id, 1 FROM grids WHERE grid_code = %s",
            [fid, f"设施{fid}", kind, grid],
        )
    got = _table(conn, "facilities", Filters())
    assert got[["facilities", "hydrant", "aed", "other"]].to_dict("index") == {
        "G01": {"facilities": 2, "hydrant": 1, "aed": 1, "other": 0},
        "G02": {"facilities": 1, "hydrant": 1, "aed": 0, "other": 0},
        "G03": {"facilities": 1, "hydrant": 0, "aed": 0, "other": 1},
    }
    hydrants = registry.detail(conn, "facilities", Viewer(Role.PLANNER), Filters(categories=("hydrant",)), settings=LAYER_SETTINGS)
    assert sorted((f["id"], f["properties"]["kind"]) for f in hydrants["features"]) == [
        ("F1", "hydrant"),
        ("F3", "hydrant"),
    ]


def test_demo_visits_and_hazards_match_the_generator(conn: psycopg.Connection) -> None:
    """Each community's visit and hazard figures in the README, from the layers' rows of that community's grids."""
    for src in plan(DEMO)[0]:
        load_file(conn, src.path, src.dataset, clock=CLOCK)
    readme = (DEMO / "README.md").read_text(encoding="utf-8")
    communities = {"甘露园南里社区": "110105018013-", "晨光里社区": "110105018014-"}
    due: Counter[str] = Counter()
    visited: Counter[str] = Counter()
    for month in pd.period_range("2025-11", "2026-10", freq="M"):
        table = _table(conn, "visits", Filters(as_of=month.end_time.date()))
        for name, prefix in communities.items():
            mine = table[table.index.str.startswith(prefix)]
            due[name] += int(mine["due"].sum())
            visited[name] += int(mine["visited"].sum())
    hazards = _table(conn, "hazards", Filters(as_of=date(2026, 10, 31)))
    for name, prefix in communities.items():
        m = re.search(rf"{name}: household-months due \(六必访 groups\): (\d+), visited: (\d+)", readme)
        assert m is not None
        assert (due[name], visited[name]) == (int(m.group(1)), int(m.group(2))), name
        m = re.search(rf"{name}: not closed and past 整改期限 at 2026-10-31: (\d+)", readme)
        assert m is not None
        assert hazards[hazards.index.str.startswith(prefix)]["overdue"].sum() == int(m.group(1)), name
    first = hazards.index.str.startswith(communities["甘露园南里社区"])
    assert (hazards[first]["hazards"].sum(), hazards[~first]["hazards"].sum()) == (200, 90)
    facilities = _table(conn, "facilities", Filters())
    assert facilities[facilities.index.str.startswith("110105018013-")]["facilities"].sum() == 100
    assert facilities["facilities"].sum() == 140
