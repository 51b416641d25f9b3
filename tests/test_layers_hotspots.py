"""Hot spots (Gi*) and emerging hot spots (未诉先办): esda's numbers, ArcGIS's bins and patterns, the demo's trends."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import libpysal
import numpy as np
import psycopg
import pymannkendall
import pytest
from community import CLOCK, LAYER_SETTINGS
from esda.getisord import G_Local

from etl.folder import plan
from etl.load import load_file
from gridgov.access import Role
from gridgov.errors import Forbidden, InputError
from gridgov.settings import LayerSettings
from layers import registry
from layers.emerging import classify, count_periods, early_warning, mann_kendall, periods, window
from layers.hotspots import contiguity, fdr_bins, gi_star, gi_star_periods, star
from layers.registry import Filters, Viewer

DEMO = Path(__file__).resolve().parents[1] / "geodata" / "demo"
SECRETARY = Viewer(Role.SECRETARY)
CELL = 0.002  # degrees: lattice grids about 170 m x 220 m
WEST, SOUTH = 116.40, 39.90
LON_M = 111_320 * math.cos(math.radians(SOUTH))  # metres per degree of longitude here


def _run(conn: psycopg.Connection) -> int:
    row = conn.execute(
        "INSERT INTO load_runs (dataset, source_file, sha256, loaded_by) VALUES ('seed', 'test', %s, 'pytest') RETURNING id",
        ["0" * 64],
    ).fetchone()
    assert row is not None
    return int(row[0])


def _grid(conn: psycopg.Connection, run: int, code: str, west: float, south: float, east: float, north: float) -> None:
    conn.execute(
        "INSERT INTO grids (grid_code, grid_name, community_name, geom, load_run_id, source_row)"
        " VALUES (%s, %s, '测试社区', ST_Multi(ST_MakeEnvelope(%s, %s, %s, %s, 4326)), %s, 1)",
        [code, code, west, south, east, north, run],
    )


def seed_lattice(conn: psycopg.Connection, rows: int, cols: int) -> list[str]:
    """rows x cols square grids L<r><c> (row-major, as libpysal's lat2W numbers them); their codes in order."""
    run = _run(conn)
    codes = []
    for r in range(rows):
        for c in range(cols):
            code = f"L{r}{c}"
            _grid(conn, run, code, WEST + c * CELL, SOUTH + r * CELL, WEST + (c + 1) * CELL, SOUTH + (r + 1) * CELL)
            codes.append(code)
    conn.commit()
    return codes


def add_complaints(conn: psycopg.Connection, code: str, n: int, at: str, category: str = "噪音扰民") -> None:
    """n complaints in grid `code` at its centre, received at `at`."""
    conn.execute(
        "INSERT INTO complaints (ticket_id, received_at, category, geocoded_by, geom, grid_code, load_run_id, source_row)"
        " SELECT %(code)s || '-' || %(at)s || '-' || %(category)s || '-' || k, %(at)s::timestamptz, %(category)s,"
        "  'coordinates', ST_Centroid(g.geom), g.grid_code, g.load_run_id, k"
        " FROM grids AS g, generate_series(1, %(n)s) AS k WHERE g.grid_code = %(code)s",
        {"code": code, "n": n, "at": at, "category": category},
    )


def test_contiguity_is_queen_from_the_polygons(conn: psycopg.Connection) -> None:
    codes = seed_lattice(conn, 4, 4)
    w = contiguity(conn, codes)
    expected = libpysal.weights.lat2W(4, 4, rook=False)
    assert {codes.index(k): sorted(codes.index(n) for n in v) for k, v in w.neighbors.items()} == {
        k: sorted(v) for k, v in expected.neighbors.items()
    }
    assert w.neighbors["L00"] == ["L01", "L10", "L11"]  # a corner: two edges and one corner


def test_slivers_count_as_touching_and_an_island_joins_its_nearest_grid(conn: psycopg.Connection) -> None:
    run = _run(conn)
    gap = 0.5 / LON_M  # half a metre between A and B: a digitising gap, still neighbours
    _grid(conn, run, "A", WEST, SOUTH, WEST + CELL, SOUTH + CELL)
    _grid(conn, run, "B", WEST + CELL + gap, SOUTH, WEST + 2 * CELL, SOUTH + CELL)
    _grid(conn, run, "C", WEST + 0.02, SOUTH, WEST + 0.021, SOUTH + CELL)  # 1.5 km east: an island
    _grid(conn, run, "D", WEST, SOUTH + CELL + 5 / 111_320, WEST + CELL, SOUTH + 2 * CELL)  # 5 m north of A
    w = contiguity(conn, ["A", "B", "C", "D"])
    # D is no queen neighbour of anything (5 m > 1 m tolerance) but joins its nearest, A; C joins B
    assert w.neighbors == {"A": ["B", "D"], "B": ["A", "C"], "C": ["B"], "D": ["A"]}
    assert not w.islands


@pytest.mark.filterwarnings("ignore:The alternative hypothesis:DeprecationWarning")  # esda's own notice
def test_gi_star_z_equals_esda_and_the_arcgis_formula(conn: psycopg.Connection) -> None:
    codes = seed_lattice(conn, 4, 4)
    counts = [10, 10, 10, 0, 10, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    for code, n in zip(codes, counts, strict=True):
        add_complaints(conn, code, n, "2026-03-10 09:00+08")
    conn.commit()
    table = registry.grid_frame(conn, "complaint_hotspots", SECRETARY, Filters(), settings=LAYER_SETTINGS).set_index("grid_code")
    assert table.loc[codes, "complaints"].tolist() == counts
    esda = G_Local(
        np.array(counts, dtype=float),
        libpysal.weights.lat2W(4, 4, rook=False),
        transform="B",
        star=True,
        permutations=LayerSettings().hotspot_permutations,
        seed=LayerSettings().hotspot_seed,
        n_jobs=1,
    )
    assert table.loc[codes, "gi_z"].to_numpy() == pytest.approx(esda.Zs, abs=1e-12)
    # the p-value is esda's permutation pseudo p-value (same permutations, same seed), made two-sided
    assert table.loc[codes, "gi_p"].to_numpy() == pytest.approx(np.minimum(1, 2 * esda.p_sim), abs=1e-12)
    # by hand, ArcGIS's Gi* for the corner L00: its neighbourhood (itself, L01, L10, L11) holds 40 of 50 complaints
    n, total, squares, local, k = 16, 50, 5 * 10**2, 40, 4
    mean = total / n
    s = math.sqrt(squares / n - mean**2)
    z_by_hand = (local - mean * k) / (s * math.sqrt((n * k - k**2) / (n - 1)))
    assert table.loc["L00", "gi_z"] == pytest.approx(z_by_hand, abs=1e-12)
    assert z_by_hand == pytest.approx(3.3166, abs=1e-4)
    assert 0 < table.loc["L00", "gi_p"] <= 1 and table["gi_bin"].between(-3, 3).all()


def test_benjamini_hochberg_bins_on_a_constructed_case() -> None:
    p = np.array([0.0008, 0.008, 0.039, 0.041, 0.042, 0.058, 0.074, 0.205, 0.212, 0.216])
    z = np.array([3.5, -2.7, 2.1, 2.0, -2.0, 1.9, 1.8, 1.3, 1.2, -1.2])
    # BH-adjusted p (m = 10, ranks 1..10): p x 10 / rank, then the running minimum from the largest rank down:
    # 0.008, 0.04, 0.13 -> 0.084, 0.1025 -> 0.084, 0.084, 0.0967, 0.1057, 0.256 -> 0.216, 0.2356 -> 0.216, 0.216
    assert fdr_bins(z, p).tolist() == [3, -2, 1, 1, -1, 1, 0, 0, 0, 0]
    # (uncorrected, the same p-values would have given 3, -3, 2, 2, -2, 1, 1, 0, 0, 0)
    # when every test is as small, BH adjusts nothing (p x 10 / 10), unlike Bonferroni (p x 10)
    assert fdr_bins(z, np.full(10, 0.04)).tolist() == [2, -2, 2, 2, -2, 2, 2, 2, 2, -2]


def test_nothing_is_a_hot_spot_when_there_is_nothing_to_compare() -> None:
    w = libpysal.weights.lat2W(3, 3, rook=False)
    z, p, bins = gi_star(np.full(9, 4.0), w, 999, 1)
    assert z.tolist() == [0.0] * 9 and p.tolist() == [1.0] * 9 and bins.tolist() == [0] * 9
    # the middle of 3 x 3 has every grid in its neighbourhood: its Gi* is 0 / 0, reported as not significant
    z, p, bins = gi_star(np.arange(9.0), w, 999, 1)
    assert (z[4], p[4], bins[4]) == (0.0, 1.0, 0)
    assert np.isfinite(z).all() and z[8] > 0 > z[0]


def test_a_cluster_of_complaints_is_a_hot_spot_and_the_result_is_reproducible(conn: psycopg.Connection) -> None:
    codes = seed_lattice(conn, 8, 8)
    for i, code in enumerate(codes):
        r, c = divmod(i, 8)
        cluster = 1 <= r <= 3 and 1 <= c <= 3
        add_complaints(conn, code, 30 if cluster else 2 + (r * 3 + c * 5) % 4, "2026-03-10 09:00+08")
        add_complaints(conn, code, 50, "2026-03-10 09:00+08", category="供暖")  # filtered out below
    conn.commit()
    noise = Filters(categories=("噪音扰民",))
    first = registry.grid_frame(conn, "complaint_hotspots", SECRETARY, noise, settings=LAYER_SETTINGS).set_index("grid_code")
    again = registry.grid_frame(conn, "complaint_hotspots", SECRETARY, noise, settings=LAYER_SETTINGS).set_index("grid_code")
    assert first.equals(again)  # fixed seed: the same map every time
    assert first.loc["L22", "gi_bin"] >= 2  # the middle of the cluster
    assert (first.loc[["L66", "L67", "L76", "L77"], "gi_bin"] <= 0).all()  # the far corner is never hot
    assert first.loc["L22", "gi_z"] > 5
    # 供暖 is everywhere alike: no cluster at all
    heating = registry.grid_frame(conn, "complaint_hotspots", SECRETARY, Filters(categories=("供暖",)), settings=LAYER_SETTINGS)
    assert (heating["gi_bin"] == 0).all()


def test_hot_spots_per_role(conn: psycopg.Connection) -> None:
    codes = seed_lattice(conn, 4, 4)
    for i, code in enumerate(codes):
        add_complaints(conn, code, 1 + i * i, "2026-03-10 09:00+08")
    conn.commit()
    everyone = registry.grid_frame(conn, "complaint_hotspots", SECRETARY, Filters(), settings=LAYER_SETTINGS).set_index("grid_code")
    leader = Viewer(Role.GRID_LEADER, "L11")
    mine = registry.grid_frame(conn, "complaint_hotspots", leader, Filters(), settings=LAYER_SETTINGS).set_index("grid_code")
    # a grid leader sees their grid only, with the value it has on the community's map
    assert list(mine.index) == ["L11"]
    assert (
        mine.loc["L11", ["gi_z", "gi_p", "gi_bin"]].tolist() == everyone.loc["L11", ["gi_z", "gi_p", "gi_bin"]].tolist()
    )
    with pytest.raises(Forbidden):
        registry.grid_frame(conn, "complaint_hotspots", leader, Filters(grids=("L12",)), settings=LAYER_SETTINGS)
    for viewer in (SECRETARY, Viewer(Role.PLANNER), leader):
        with pytest.raises(Forbidden):
            registry.detail(conn, "complaint_hotspots", viewer, Filters(), settings=LAYER_SETTINGS)
        registry.grid_frame(conn, "emerging_hotspots", viewer, Filters(as_of=date(2026, 3, 31), period="week"), settings=LAYER_SETTINGS)


HOT, COLD, NONE = 2, -2, 0


@pytest.mark.parametrize(
    ("bins", "trend", "pattern"),
    [
        ([NONE] * 9 + [HOT], 0, "new_hot_spot"),
        ([COLD] + [NONE] * 8 + [HOT], 0, "new_hot_spot"),  # new wins over oscillating
        ([NONE] * 7 + [1, 2, 3], 1, "consecutive_hot_spot"),
        ([NONE] + [HOT] * 9, 1, "intensifying_hot_spot"),  # 9 of 10 = 90 %
        ([NONE] + [HOT] * 9, 0, "persistent_hot_spot"),
        ([NONE] + [HOT] * 9, -1, "diminishing_hot_spot"),
        ([HOT, NONE, HOT, NONE, NONE, HOT, NONE, NONE, HOT, HOT], 0, "sporadic_hot_spot"),
        ([HOT] + [NONE] * 6 + [HOT] * 3, 1, "sporadic_hot_spot"),  # hot before its final run
        ([COLD, NONE, HOT, NONE, NONE, NONE, NONE, NONE, NONE, HOT], 0, "oscillating_hot_spot"),
        ([HOT] * 9 + [NONE], 0, "historical_hot_spot"),
        ([NONE] * 9 + [COLD], 0, "new_cold_spot"),
        ([NONE] * 7 + [-1, -2, -3], -1, "consecutive_cold_spot"),
        ([NONE] + [COLD] * 9, -1, "intensifying_cold_spot"),  # colder and colder
        ([NONE] + [COLD] * 9, 0, "persistent_cold_spot"),
        ([NONE] + [COLD] * 9, 1, "diminishing_cold_spot"),
        ([COLD, NONE, COLD, NONE, NONE, COLD, NONE, NONE, NONE, COLD], 0, "sporadic_cold_spot"),
        ([HOT, NONE, COLD, NONE, NONE, NONE, NONE, NONE, NONE, COLD], 0, "oscillating_cold_spot"),
        ([COLD] * 9 + [NONE], 0, "historical_cold_spot"),
        ([NONE] * 10, 1, "no_pattern"),
        ([HOT, HOT] + [NONE] * 8, 0, "no_pattern"),  # hot long ago, not 90 % of the time
        ([NONE] + [HOT] * 8 + [NONE], 0, "no_pattern"),  # 8 of the 9 earlier periods: under 90 %
        ([HOT] * 8 + [NONE, HOT], 0, "persistent_hot_spot"),  # 9 of 10: a gap does not break persistence
    ],
)
def test_emerging_patterns_follow_arcgis(bins: list[int], trend: int, pattern: str) -> None:
    assert classify(bins, trend) == pattern


def test_early_warning_flags_a_grid_before_it_is_a_hot_spot() -> None:
    assert early_warning("new_hot_spot", False, 2)
    assert early_warning("consecutive_hot_spot", False, 1)
    assert early_warning("intensifying_hot_spot", True, 3)
    assert early_warning("no_pattern", True, 0)  # rising, not hot yet
    assert early_warning("new_cold_spot", True, -1)  # rising out of a cold spot
    assert not early_warning("persistent_hot_spot", False, 2)  # already known to be hot
    assert not early_warning("sporadic_hot_spot", True, 2)  # rising but already hot
    assert not early_warning("no_pattern", False, 0)


def test_mann_kendall_of_every_grid_at_once_equals_pymannkendall() -> None:
    rng = np.random.default_rng(7)
    series = rng.poisson(3, size=(40, 12)).astype(float)  # small counts: many ties
    series[:5] += np.arange(12)  # rising
    series[5:10] -= 0.5 * np.arange(12)  # falling
    series[10:15, [0, 3, 4]] = np.nan  # periods without complaints, skipped
    series[15] = 2.0  # all tied
    series[16, 2:] = np.nan  # two values: no trend
    tau, z, p, direction = mann_kendall(series)
    for i, row in enumerate(series):
        values = row[~np.isnan(row)]
        if values.size < 3:
            assert (tau[i], z[i], p[i], direction[i]) == (0.0, 0.0, 1.0, 0)
            continue
        ref = pymannkendall.original_test(values, alpha=0.05)
        assert (tau[i], z[i], p[i]) == pytest.approx((ref.Tau, ref.z, ref.p), abs=1e-12), i
        assert direction[i] == {"increasing": 1, "decreasing": -1, "no trend": 0}[ref.trend], i
    assert (direction[:5] == 1).all() and (direction[5:10] == -1).all()


def test_gi_star_with_prebuilt_self_weights_is_the_same() -> None:
    w = libpysal.weights.lat2W(5, 5, rook=False)
    y = np.arange(25.0) % 7
    a, b = gi_star(y, w, 99, 3), gi_star(y, star(w), 99, 3)
    for x, x_star in zip(a, b, strict=True):
        assert x.tolist() == x_star.tolist()
    assert gi_star(y, w, 99, 3)[1].tolist() == a[1].tolist()  # w is not changed by use


def test_default_window_is_the_twelve_months_or_52_weeks_up_to_as_of() -> None:
    settings = LayerSettings()
    assert window(Filters(as_of=date(2026, 10, 31)), settings) == (date(2025, 11, 1), date(2026, 10, 31))
    assert window(Filters(as_of=date(2026, 1, 15)), settings) == (date(2025, 2, 1), date(2026, 1, 15))
    start, end = window(Filters(as_of=date(2026, 10, 31), period="week"), settings)
    assert (start, end) == (date(2025, 11, 3), date(2026, 10, 31))  # Monday 3 Nov 2025 .. Saturday 31 Oct 2026
    assert len(periods(start, end, "week")) == 52
    assert len(periods(date(2025, 11, 1), date(2026, 10, 31), "month")) == 12
    assert periods(date(2026, 1, 31), date(2026, 3, 1), "month") == [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]
    assert window(Filters(start=date(2026, 6, 1), as_of=date(2026, 10, 31)), settings) == (
        date(2026, 6, 1),
        date(2026, 10, 31),
    )


def test_a_cluster_rising_in_the_last_two_months_is_a_consecutive_hot_spot(conn: psycopg.Connection) -> None:
    codes = seed_lattice(conn, 8, 8)
    surged = {f"L{r}{c}" for r in (3, 4, 5) for c in (3, 4, 5)}  # a 3 x 3 block, L44 in its middle

    def background(r: int, c: int, month: int) -> int:
        return 3 + (r * 7 + c * 3 + month) % 5

    for month in range(1, 13):
        for i, code in enumerate(codes):
            r, c = divmod(i, 8)
            surge = 25 if month >= 11 and code in surged else 0
            add_complaints(conn, code, background(r, c, month) + surge, f"2025-{month:02d}-15 12:00+08")
    conn.commit()
    out = registry.grid_frame(conn, "emerging_hotspots", SECRETARY, Filters(as_of=date(2025, 12, 31)), settings=LAYER_SETTINGS).set_index(
        "grid_code"
    )
    assert (out["periods"] == 12).all()
    assert out.loc["L44", "pattern"] == "consecutive_hot_spot"
    assert out.loc["L44", "bin_series"].startswith("0,0,0,0,0,0,0,0,0,0,")  # never hot before November
    assert out.loc["L44", "early_warning"]
    far = ["L00", "L07", "L70", "L77"]
    assert not out.loc[far, "early_warning"].any()
    assert (out.loc[far, "pattern"] == "no_pattern").all()
    # the cube counts every complaint once, in its month
    expected = sum(background(r, c, m) for r in range(8) for c in range(8) for m in range(1, 13)) + 9 * 2 * 25
    assert out["complaints"].sum() == expected


def test_the_demo_rising_complaints_are_flagged_before_or_as_they_turn_hot(conn: psycopg.Connection) -> None:
    for src in plan(DEMO)[0]:
        load_file(conn, src.path, src.dataset, clock=CLOCK)

    def flagged(**kw: tuple[str, ...]) -> set[str]:
        filters = Filters(as_of=date(2026, 10, 31), period="week", **kw)  # the 52 weeks up to 31 Oct 2026
        out = registry.grid_frame(conn, "emerging_hotspots", SECRETARY, filters, settings=LAYER_SETTINGS).set_index("grid_code")
        assert (out["periods"] == 52).all()
        return {code.removeprefix("110105018") for code in out.index
                if out.loc[code, "early_warning"] or out.loc[code, "last_gi_bin"] > 0}

    # 噪音扰民 rises in grid 013-003 from July 2026, 停车管理 in 013-006 from August, and in the second community
    # 环境卫生 in 014-005 from August (geodata/demo/README.md)
    noise = flagged(categories=("噪音扰民",))
    assert "013-003" in noise and not noise & {"013-001", "013-006"}  # grids far from 003 stay calm
    parking = flagged(categories=("停车管理",))
    assert "013-006" in parking and not parking & {"013-003", "013-004", "013-005"}
    sanitation = flagged(categories=("环境卫生",))
    assert "014-005" in sanitation and not sanitation & {"013-003", "013-006", "014-001"}
    assert flagged() == {"013-003", "013-006", "014-005"}  # all categories: exactly the three rising grids
    by_month = registry.grid_frame(
        conn, "emerging_hotspots", SECRETARY, Filters(as_of=date(2026, 10, 31), categories=("噪音扰民",))
    , settings=LAYER_SETTINGS).set_index("grid_code")
    assert by_month.loc["110105018013-003", "early_warning"]
    assert (by_month["periods"] == 12).all()


def test_an_empty_database_gives_empty_layers(conn: psycopg.Connection) -> None:
    for name in ("complaint_hotspots", "emerging_hotspots", "complaints", "complaint_density"):
        assert registry.grid_frame(conn, name, SECRETARY, Filters(), settings=LAYER_SETTINGS).empty, name
    assert registry.detail(conn, "complaint_density", SECRETARY, Filters(), settings=LAYER_SETTINGS) == {
        "type": "FeatureCollection",
        "features": [],
    }


def test_a_window_of_more_periods_than_the_settings_allow_is_refused_before_any_query(db_url: str) -> None:
    settings = LayerSettings()
    assert (settings.emerging_max_weeks, settings.emerging_max_months) == (104, 60)
    as_of = date(2026, 10, 31)
    weeks = Filters(start=date(2024, 11, 4), as_of=as_of, period="week")  # Monday 4 Nov 2024 .. 31 Oct 2026
    assert len(periods(*window(weeks, settings), "week")) == 104
    assert len(periods(*window(Filters(start=date(2021, 11, 1), as_of=as_of), settings), "month")) == 60
    refused = {
        Filters(start=date(2024, 11, 3), as_of=as_of, period="week"): "would span 105 weeks; at most 104 weeks",
        Filters(start=date(2021, 10, 31), as_of=as_of): "would span 61 months; at most 60 months",
        Filters(start=date(1, 1, 1), end=as_of): "would span 24,310 months; at most 60 months",
        Filters(start=date(1, 1, 1), end=as_of, period="week"): "at most 104 weeks",
    }
    layer = registry.get("emerging_hotspots")
    with psycopg.connect(db_url) as closed:
        pass
    for filters, message in refused.items():
        with pytest.raises(InputError, match=message):
            window(filters, settings)
        with pytest.raises(InputError, match=message):  # on a closed connection: no query ran before the check
            layer.aggregate(closed, filters, settings)
    assert count_periods(date(2026, 1, 1), date(2026, 3, 31), "week") == len(periods(date(2026, 1, 1), date(2026, 3, 31), "week"))
    fewer = LayerSettings(emerging_max_weeks=4, emerging_max_months=3)
    with pytest.raises(InputError, match="at most 4 weeks"):
        window(Filters(start=date(2026, 10, 1), as_of=as_of, period="week"), fewer)
    assert window(Filters(start=date(2026, 8, 1), as_of=as_of), fewer) == (date(2026, 8, 1), as_of)
    # the default windows at the ends of the calendar stay inside it
    assert window(Filters(end=date(1, 3, 1)), settings) == (date(1, 1, 1), date(1, 3, 1))
    assert periods(*window(Filters(end=date(9999, 12, 31), period="week"), settings), "week")[-1] == date(9999, 12, 27)


def test_mann_kendall_of_two_years_of_weeks_equals_pymannkendall() -> None:
    rng = np.random.default_rng(11)
    series = rng.poisson(1.5, size=(30, 104)).astype(float)  # small counts: long tie groups
    series[:10] += np.linspace(0, 3, 104).round()  # rising, with ties
    series[10:15, rng.choice(104, 40, replace=False)] = np.nan
    tau, z, p, direction = mann_kendall(series)
    for i, row in enumerate(series):
        ref = pymannkendall.original_test(row[~np.isnan(row)], alpha=0.05)
        assert (tau[i], z[i], p[i]) == pytest.approx((ref.Tau, ref.z, ref.p), abs=1e-12), i
        assert direction[i] == {"increasing": 1, "decreasing": -1, "no trend": 0}[ref.trend], i


@pytest.mark.filterwarnings("ignore:The alternative hypothesis:DeprecationWarning")  # esda's own notice
def test_gi_star_of_every_period_at_once_is_esdas_with_the_same_seed() -> None:
    w = libpysal.weights.lat2W(9, 8, rook=False)
    rng = np.random.default_rng(5)
    counts = rng.poisson(rng.uniform(0.2, 6, size=(72, 1)), size=(72, 20)).astype(float)
    counts[:, 3] = 2.0  # a period with nothing to compare
    z, p, bins = gi_star_periods(counts, w, 999, 42)
    for t in range(counts.shape[1]):
        if t == 3:
            assert (z[:, t] == 0).all() and (p[:, t] == 1).all() and (bins[:, t] == 0).all()
            continue
        g = G_Local(counts[:, t], w, transform="B", star=True, permutations=999, seed=42, n_jobs=1)
        assert z[:, t].tolist() == pytest.approx(np.nan_to_num(g.Zs).tolist(), abs=1e-12), t
        assert p[:, t].tolist() == np.minimum(1, 2 * np.asarray(g.p_sim, dtype=float)).tolist(), t
        assert bins[:, t].tolist() == fdr_bins(z[:, t], p[:, t]).tolist()
