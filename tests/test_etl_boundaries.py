"""Real boundary files: repaired and loaded by default, each problem reported at its place; --strict refuses them.

The files come from geodata/boundaries.py (SYNTHETIC, real-like: double-digitised wiggly edges with
slivers, a bow-tie, an island, an enclave, a park, a river, a community in two pieces).
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import psycopg
import pyogrio
import pytest
import shapely
from community import CLOCK

from etl import gridsplit
from etl.datasets import DATASETS
from etl.gridproblems import GridProblem, GridRules, GridsRefused
from etl.load import LoadResult, load_file
from gridgov.errors import InputError

REPO = Path(__file__).resolve().parents[1]
BAD = Path(__file__).resolve().parent / "fixtures" / "messy_bad"
sys.path.insert(0, str(REPO / "geodata"))
from boundaries import make_boundaries, metres_per_degree, write_boundaries  # noqa: E402

GRIDS = DATASETS["grids"]
N_GRIDS = 24
DEFECTS = {"bowtie", "park", "river", "enclave", "island", "community_in_two_pieces"}


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, gpd.GeoDataFrame]:
    """A real-like grid file with its defects, in a folder of its own: (the file, what was written)."""
    gdf = make_boundaries(N_GRIDS, vertices_per_grid=300, communities=3, seed=7)
    path = tmp_path_factory.mktemp("real") / "grids.geojson"
    write_boundaries(gdf, path)
    return path, gdf


def kinds(problems: list[GridProblem]) -> dict[str, list[GridProblem]]:
    out: dict[str, list[GridProblem]] = {}
    for p in problems:
        out.setdefault(p.kind, []).append(p)
    return out


def covering(conn: psycopg.Connection, lon: float, lat: float) -> list[str]:
    """The loaded grids that cover a point (ST_Covers, as placement tests it)."""
    return [r[0] for r in conn.execute(
        "SELECT grid_code FROM grids WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326)) ORDER BY 1",
        [lon, lat],
    )]


def lowest_code_in_file(gdf: gpd.GeoDataFrame, lon: float, lat: float) -> str | None:
    """Where the placement rule puts a point among the file's own polygons (made valid): the lowest code covering it."""
    shapes = shapely.make_valid(gdf.geometry.to_numpy())
    hit = shapely.covers(shapes, shapely.Point(lon, lat))
    return min(gdf.grid_code[hit], default=None)


def gridgov(*args: str, db_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).with_name("gridgov")), *args], capture_output=True, text=True, check=False,
        env={"GRIDGOV_DATABASE_URL": db_url, "PATH": "/usr/bin:/bin", "COLUMNS": "160"},
    )


# -- default: repaired, loaded, reported -------------------------------------------------------------------------
def test_real_file_loads_with_each_repair_and_warning_at_its_place(
    conn: psycopg.Connection, real: tuple[Path, gpd.GeoDataFrame]
) -> None:
    path, gdf = real
    defect = gdf.attrs["defects"]
    assert set(defect) == DEFECTS
    result = load_file(conn, path, GRIDS, clock=CLOCK)
    conn.commit()
    assert (result.inserted, sum(result.quarantined.values())) == (N_GRIDS, 0)
    found = kinds(result.grid_problems)
    assert set(found) == {"repaired_invalid", "repaired_overlap", "warning_hole", "warning_pieces", "warning_gap"}

    # the bow-tie: made valid, at the place where its ring crosses itself
    (bowtie,) = found["repaired_invalid"]
    assert bowtie.grids == (defect["bowtie"],) and "Self-intersection" in bowtie.message
    assert bowtie.lon is not None and bowtie.lat is not None
    original = gdf.geometry[gdf.grid_code == defect["bowtie"]].iloc[0]
    assert original.distance(shapely.Point(bowtie.lon, bowtie.lat)) < 1e-6
    assert conn.execute("SELECT bool_and(ST_IsValid(geom)) FROM grids").fetchone() == (True,)

    # the slivers: many, all small, each now in one grid only
    overlaps = found["repaired_overlap"]
    assert len(overlaps) > 50
    assert all(1 <= (p.area_m2 or 0) <= 500 for p in overlaps)
    for p in overlaps:
        assert p.lon is not None and p.lat is not None
        assert covering(conn, p.lon, p.lat) == [p.grids[0]], p.message  # the lower code of the two

    # the park and the river: holes inside their communities, covered by no grid
    holes = found["warning_hole"]
    assert {defect["park"], defect["river"]} <= {g for p in holes for g in p.grids}
    for p in holes:
        assert p.lon is not None and p.lat is not None
        assert covering(conn, p.lon, p.lat) == []
        assert "gap of" in p.message and p.action.startswith("left as it is")

    # the island and the community's second piece: warnings at the piece, naming its grid
    pieces = found["warning_pieces"]
    assert {p.grids for p in pieces} == {(defect["island"],), (defect["community_in_two_pieces"],)}
    for p in pieces:
        assert p.lon is not None and p.lat is not None
        assert covering(conn, p.lon, p.lat) == list(p.grids)

    # the enclave is one grid in two pieces: nothing to report
    assert conn.execute("SELECT ST_NumGeometries(geom) FROM grids WHERE grid_code = %s",
                        [defect["enclave"]]).fetchone() == (2,)

    # and the load_runs record counts them
    counts = conn.execute("SELECT counts FROM load_runs WHERE id = %s", [result.run_id]).fetchone()
    assert counts is not None and counts[0]["grid_problems"]["repaired_overlap"] == len(overlaps)

    # loading the same file again changes no row
    again = load_file(conn, path, GRIDS, clock=CLOCK)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, N_GRIDS)


def test_after_repair_every_point_is_in_one_grid_as_the_placement_rule_puts_it(
    conn: psycopg.Connection, real: tuple[Path, gpd.GeoDataFrame], tmp_path: Path
) -> None:
    path, gdf = real
    result = load_file(conn, path, GRIDS, clock=CLOCK)
    # no two loaded grids overlap by more than floating-point noise
    worst = conn.execute(
        "SELECT coalesce(max(ST_Area(ST_Intersection(a.geom, b.geom)::geography)), 0) "
        "FROM grids a JOIN grids b ON a.grid_code < b.grid_code AND ST_Intersects(a.geom, b.geom)"
    ).fetchone()
    assert worst is not None and worst[0] < 0.01
    # buildings at each repaired overlap, and a sample of the whole area: each lands in the grid that the
    # placement rule (lowest code covering it) picks in the file as it came, before any repair
    spots = [(p.lon, p.lat) for p in result.grid_problems if p.kind == "repaired_overlap"]
    x0, y0, x1, y1 = gdf.total_bounds
    rng = np.random.default_rng(3)
    spots += list(zip(rng.uniform(x0, x1, 300).round(7), rng.uniform(y0, y1, 300).round(7), strict=True))
    buildings = tmp_path / "buildings.csv"
    with buildings.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["楼栋编号", "楼栋地址", "经度", "纬度"])
        out.writerows([f"B{k}", f"测试小区一区{k}号楼", lon, lat] for k, (lon, lat) in enumerate(spots, start=1))
    load_file(conn, buildings, DATASETS["buildings"], clock=CLOCK)
    placed: dict[str, str] = dict(conn.execute("SELECT building_id, grid_code FROM buildings").fetchall())
    for k, (lon, lat) in enumerate(spots, start=1):
        assert lon is not None and lat is not None
        expected = lowest_code_in_file(gdf, lon, lat)
        assert placed.get(f"B{k}") == expected, (lon, lat)  # None: quarantined, in a gap or outside
        assert len(covering(conn, lon, lat)) <= 1


# -- strict ------------------------------------------------------------------------------------------------------
def test_strict_refuses_the_real_file_with_the_reasons(
    conn: psycopg.Connection, real: tuple[Path, gpd.GeoDataFrame]
) -> None:
    path, gdf = real
    with pytest.raises(GridsRefused) as info:
        load_file(conn, path, GRIDS, grid_rules=GridRules(strict=True), clock=CLOCK)
    conn.rollback()
    message = str(info.value)
    assert message.startswith("grids.geojson: the grids do not tile their community; nothing was loaded")
    assert f"(grid {gdf.attrs['defects']['bowtie']}) is not a valid polygon: Self-intersection around" in message
    for words in ("overlap by", "gap of", "form 2 separate pieces", "more like these"):
        assert words in message
    assert {p.kind for p in info.value.problems} == {"error_invalid", "error_overlap", "error_gap", "error_pieces"}
    assert conn.execute("SELECT count(*) FROM grids").fetchone() == (0,)


def test_cli_folder_load_reports_problems_geojson_and_strict_refuses_writing_it_too(
    db_url: str, real: tuple[Path, gpd.GeoDataFrame], tmp_path: Path
) -> None:
    path, gdf = real
    folder = tmp_path / "office"
    folder.mkdir()
    (folder / "grids.geojson").write_bytes(path.read_bytes())
    (folder / "buildings.csv").write_text("楼栋编号,楼栋地址,经度,纬度\nB1,测试小区一区1号楼,116.0,39.0\n", encoding="utf-8")
    report = tmp_path / "problems.geojson"

    strict = gridgov("load", str(folder), "--strict", "--report", str(report), db_url=db_url)
    assert strict.returncode == 2, strict.stderr
    assert "grids.geojson: the grids do not tile their community; nothing was loaded" in strict.stderr
    refused = pyogrio.read_dataframe(report)
    assert set(refused["kind"]) == {"error_invalid", "error_overlap", "error_gap", "error_pieces"}
    with psycopg.connect(db_url) as c:
        assert c.execute("SELECT count(*) FROM grids").fetchone() == (0,)

    done = gridgov("load", str(folder), "--report", str(report), db_url=db_url)
    assert done.returncode == 0, done.stderr
    assert f"wrote {len(pyogrio.read_dataframe(report)):,} grid problems" in done.stderr
    assert re.search(r"grids\.geojson: 1 ring made valid, \d+ overlaps repaired, 2 holes in no grid, "
                     r"2 pieces apart from their community, \d+ sliver gaps", done.stdout), done.stdout
    assert f"(grid {gdf.attrs['defects']['bowtie']}) is not a valid polygon" in done.stdout
    assert "each given to the lower grid code" in done.stdout
    loaded = gpd.read_file(report, engine="pyogrio")
    assert loaded.crs is not None and loaded.crs.to_epsg() == 4326
    assert set(loaded["kind"]) == {"repaired_invalid", "repaired_overlap", "warning_hole", "warning_pieces", "warning_gap"}
    assert set(loaded.columns) >= {"kind", "grids", "area_m2", "message", "action", "geometry"}
    assert (loaded.geom_type == "Point").all() and set(loaded["source_file"]) == {"grids.geojson"}
    on = loaded[loaded["kind"] == "repaired_overlap"]
    assert on["grids"].str.fullmatch(r"\d{12}-\d{3}, \d{12}-\d{3}").all()
    assert on["action"].str.startswith("given to ").all()
    assert (on.geometry.x.between(*gdf.total_bounds[[0, 2]]) & on.geometry.y.between(*gdf.total_bounds[[1, 3]])).all()
    # the folder's other file loads after the grids (its point is outside every grid)
    assert "buildings.csv: 1 quarantined: point outside every grid" in done.stdout


# -- what no mode repairs ------------------------------------------------------------------------------------------
def _small(tmp_path: Path, name: str, change: str) -> Path:
    """A 12-grid real-like file without defects, spoilt in one way."""
    gdf = make_boundaries(12, vertices_per_grid=120, communities=2, seed=11, defects=False)
    if change == "duplicate":
        gdf.loc[5, "grid_code"] = gdf.loc[4, "grid_code"]
    elif change == "empty":
        gdf.loc[3, "geometry"] = None
    elif change == "collapsed":  # a ring with no area at all: made valid, nothing is left
        x, y = gdf.geometry[3].centroid.coords[0]
        gdf.loc[3, "geometry"] = shapely.Polygon([(x, y), (x + 0.001, y), (x + 0.002, y), (x, y)])
    elif change == "overlap":  # a 50 m square across grid 0's edge with a neighbour, drawn into grid 0
        a = gdf.geometry[0]
        b = next(g for g in gdf.geometry[1:] if g.distance(a) < 1e-6)
        kx, ky = metres_per_degree(39.9)
        x, y = shapely.shortest_line(a.centroid, b).coords[1]  # on b's edge that faces a
        gdf.loc[0, "geometry"] = a.union(shapely.box(x - 25 / kx, y - 25 / ky, x + 25 / kx, y + 25 / ky))
    path = tmp_path / name
    write_boundaries(gdf, path)
    return path


@pytest.mark.parametrize(("change", "kind", "words"), [
    ("overlap", "error_overlap", r"overlap by [\d,]+ m² around [\d.]+, [\d.]+: [\d.]+% of the smaller grid, beyond "
                                 r"the 500 m² and 1\.0% of the smaller grid that are given to one of them without asking"),
    ("duplicate", "error_duplicate_code", r"grid code \d{12}-\d{3} is used by 2 features \(5, 6\) around [\d.]+, [\d.]+: "
                                          r"each grid needs its own code"),
    ("empty", "error_empty", r"feature 4 \(grid \d{12}-\d{3}\) has no polygon: draw its boundary, or delete the feature"),
    ("collapsed", "error_empty", r"feature 4 \(grid \d{12}-\d{3}\) is not a valid polygon: .*nothing of it is left once "
                                 r"made valid"),
], ids=["overlap", "duplicate", "empty", "collapsed"])
def test_what_cannot_be_repaired_safely_refuses_the_file_by_default(
    conn: psycopg.Connection, tmp_path: Path, change: str, kind: str, words: str
) -> None:
    path = _small(tmp_path, "grids.geojson", change)
    with pytest.raises(GridsRefused) as info:
        load_file(conn, path, GRIDS, clock=CLOCK)
    conn.rollback()
    message = str(info.value)
    assert message.startswith("grids.geojson: some grid problems cannot be repaired safely; nothing was loaded:")
    assert re.search(words, message), message
    assert kind in {p.kind for p in info.value.problems}
    assert conn.execute("SELECT count(*) FROM grids").fetchone() == (0,)


def test_both_limits_must_hold_for_an_overlap_to_be_repaired(conn: psycopg.Connection, tmp_path: Path) -> None:
    # two small grids (about 85 m x 55 m) overlapping by a 5 m strip: 280 m², under 500 m² but 6% of a grid
    def grid(code: str, x0: float, x1: float) -> dict[str, object]:
        ring = [[x0, 39.92], [x1, 39.92], [x1, 39.9205], [x0, 39.9205], [x0, 39.92]]
        return {"type": "Feature", "properties": {"网格编码": code, "社区": "小社区"},
                "geometry": {"type": "Polygon", "coordinates": [ring]}}
    path = tmp_path / "grids_small.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        grid("S-001", 116.5, 116.50106), grid("S-002", 116.501, 116.502)]}), encoding="utf-8")
    with pytest.raises(InputError, match=r"grids S-001 and S-002 overlap by 2\d\d m² .*: [\d.]+% of the smaller grid"):
        load_file(conn, path, GRIDS, clock=CLOCK)
    conn.rollback()
    loaded = load_file(conn, path, GRIDS, grid_rules=GridRules(overlap_max_share=0.1), clock=CLOCK)
    (repair,) = loaded.grid_problems
    assert repair.kind == "repaired_overlap" and repair.grids == ("S-001", "S-002")
    assert repair.action.startswith("given to S-001, the lower grid code")


# -- the old fixtures: strict refuses them (test_etl_rules.py), the default repairs or warns ------------------------
def test_default_mode_repairs_the_bowtie_and_warns_of_the_gap(conn: psycopg.Connection) -> None:
    expected = json.loads((BAD / "expected_bad.json").read_text(encoding="utf-8"))
    bowtie = load_file(conn, BAD / "grids_bowtie.geojson", GRIDS, clock=CLOCK)
    (made_valid,) = [p for p in bowtie.grid_problems if p.kind == "repaired_invalid"]
    assert made_valid.grids == ("T-002",) and made_valid.action.startswith("made valid: 2 pieces")
    near = expected["grids_bowtie.geojson"]
    assert made_valid.lon == pytest.approx(near["lon"], abs=2e-4) and made_valid.lat == pytest.approx(near["lat"], abs=2e-4)
    conn.commit()
    gap = load_file(conn, BAD / "grids_gap.geojson", GRIDS, clock=CLOCK)
    holes = [p for p in gap.grid_problems if p.kind in ("warning_hole", "warning_gap")]
    near = expected["grids_gap.geojson"]
    assert any(p.lon == pytest.approx(near["lon"], abs=2e-4) and p.lat == pytest.approx(near["lat"], abs=2e-4)
               for p in holes), holes
    assert gap.unchanged + gap.updated + gap.inserted == 4


def test_each_loaded_grid_is_its_drawn_shape_less_what_lower_codes_claim(
    conn: psycopg.Connection, real: tuple[Path, gpd.GeoDataFrame]
) -> None:
    # the repair's rule, whichever way the load computes it: a grid keeps what it was drawn with (made valid),
    # except what a grid with a lower code also covers
    path, gdf = real
    load_file(conn, path, GRIDS, clock=CLOCK)
    loaded = dict(conn.execute("SELECT grid_code, ST_AsBinary(geom) FROM grids").fetchall())
    drawn = dict(zip(gdf["grid_code"], shapely.make_valid(gdf.geometry.to_numpy()), strict=True))
    kx, ky = metres_per_degree(39.9)
    for code, shape in drawn.items():
        lower = [s for c, s in drawn.items() if c < code and s.intersects(shape)]
        expected = shape.difference(shapely.union_all(lower)) if lower else shape
        differs = shapely.from_wkb(loaded[code]).symmetric_difference(expected).area * kx * ky
        # m²: zero for all grids but one here, where PostGIS's GEOS and shapely's differ by a tenth of a m²
        assert differs < 0.5, (code, differs)


# -- a grid loaded earlier from another file ------------------------------------------------------------------------
def test_a_grid_loaded_earlier_loses_its_overlap_to_a_lower_code_of_a_later_file(
    conn: psycopg.Connection, real: tuple[Path, gpd.GeoDataFrame], tmp_path: Path
) -> None:
    _, gdf = real
    first, second = sorted(gdf["community_name"].unique())[:2]
    later, earlier = tmp_path / "grids_first.geojson", tmp_path / "grids_second.geojson"
    write_boundaries(gdf[gdf["community_name"] == second], earlier)  # higher codes, loaded first
    write_boundaries(gdf[gdf["community_name"] == first], later)
    load_file(conn, earlier, GRIDS, clock=CLOCK)
    result = load_file(conn, later, GRIDS, clock=CLOCK)
    across = [p for p in result.grid_problems if p.kind == "repaired_overlap" and "loaded earlier" in p.action]
    assert across, "the two communities share an edge digitised twice"
    for p in across:
        assert p.lon is not None and p.lat is not None
        assert covering(conn, p.lon, p.lat) == [p.grids[0]]
    worst = conn.execute(
        "SELECT coalesce(max(ST_Area(ST_Intersection(a.geom, b.geom)::geography)), 0) "
        "FROM grids a JOIN grids b ON a.grid_code < b.grid_code AND ST_Intersects(a.geom, b.geom)"
    ).fetchone()
    assert worst is not None and worst[0] < 0.01


# -- the generator -----------------------------------------------------------------------------------------------
def test_generator_is_deterministic_and_real_like() -> None:
    a = make_boundaries(30, vertices_per_grid=200, seed=5)
    b = make_boundaries(30, vertices_per_grid=200, seed=5)
    c = make_boundaries(30, vertices_per_grid=200, seed=6)
    assert list(a.columns) == ["grid_code", "grid_name", "community_name", "geometry"]
    assert a.crs is not None and a.crs.to_epsg() == 4326
    assert list(shapely.to_wkb(a.geometry.values)) == list(shapely.to_wkb(b.geometry.values))
    assert a.attrs == b.attrs
    assert list(shapely.to_wkb(a.geometry.values)) != list(shapely.to_wkb(c.geometry.values))
    assert a["grid_code"].is_unique and a["grid_code"].str.fullmatch(r"110105\d{6}-\d{3}").all()
    assert a["grid_name"].str.fullmatch(r"第.+网格").all() and a["community_name"].str.startswith("模拟").all()
    vertices = shapely.get_num_coordinates(a.geometry.values)
    assert 180 <= np.median(vertices) <= 220 and vertices.min() >= 150
    assert set(a.geom_type) <= {"Polygon", "MultiPolygon"}
    assert (~a.geometry.is_valid).sum() == 1 and set(a.attrs["defects"]) == DEFECTS
    # no edge is straight: every grid's ring turns at most of its vertices
    ring = np.asarray(a.geometry[0].exterior.coords)
    (ux, uy), (vx, vy) = (ring[1:-1] - ring[:-2]).T, (ring[2:] - ring[1:-1]).T
    turn = ux * vy - uy * vx
    assert (np.abs(turn) > 1e-14).mean() > 0.9
    # neighbours overlap in slivers of 1-300 m²
    kx, ky = metres_per_degree(39.9)
    shapes = shapely.make_valid(a.geometry.values)
    left, right = shapely.STRtree(shapes).query(shapes, predicate="intersects")
    pairs = left < right
    pieces = shapely.get_parts(shapely.intersection(shapes[left[pairs]], shapes[right[pairs]]))
    areas = shapely.area(pieces[shapely.get_type_id(pieces) == 3]) * kx * ky
    areas = areas[areas >= 1]
    assert len(areas) > 100 and np.quantile(areas, 0.9) < 300 and areas.max() < 500


def test_generator_clean_file_has_no_defects_but_its_slivers(conn: psycopg.Connection, tmp_path: Path) -> None:
    gdf = make_boundaries(12, vertices_per_grid=120, communities=2, seed=2, defects=False)
    assert gdf.geometry.is_valid.all() and gdf.attrs["defects"] == {}
    path = tmp_path / "grids.geojson"
    write_boundaries(gdf, path)
    result: LoadResult = load_file(conn, path, GRIDS, clock=CLOCK)
    assert {p.kind for p in result.grid_problems} == {"repaired_overlap", "warning_gap"}



# -- a big file: the check's work shared between two connections (etl.gridsplit) --------------------------------
def test_checked_on_two_connections_each_repair_and_warning_is_the_same(
    conn: psycopg.Connection, real: tuple[Path, gpd.GeoDataFrame], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # from one grid, so this file's three communities are shared between the load's connection and a second one;
    # a community of the file that loaded earlier loses its overlaps with the other two, wherever they are checked
    monkeypatch.setattr(gridsplit, "SPLIT_FROM_GRIDS", 1)
    path, gdf = real
    defect = gdf.attrs["defects"]
    last = sorted(gdf["community_name"].unique())[-1]
    earlier = tmp_path / "grids_last.geojson"
    write_boundaries(gdf[gdf["community_name"] == last], earlier)
    load_file(conn, earlier, GRIDS, clock=CLOCK)
    result = load_file(conn, path, GRIDS, clock=CLOCK)
    found = kinds(result.grid_problems)
    assert set(found) == {"repaired_invalid", "repaired_overlap", "warning_hole", "warning_pieces", "warning_gap"}
    assert [p.grids for p in found["repaired_invalid"]] == [(defect["bowtie"],)]
    # every community's coverage was judged: each has its slivers or holes
    assert {p.community for p in found["warning_gap"] + found["warning_hole"]} == set(gdf["community_name"])
    assert {defect["park"], defect["river"]} <= {g for p in found["warning_hole"] for g in p.grids}
    assert {p.grids for p in found["warning_pieces"]} == {(defect["island"],), (defect["community_in_two_pieces"],)}
    for p in found["warning_hole"]:
        assert p.lon is not None and p.lat is not None and covering(conn, p.lon, p.lat) == []
    # every overlap given to the lower code, those of the community loaded earlier too
    assert all(p.grids[0] < p.grids[1] for p in found["repaired_overlap"])
    for p in found["repaired_overlap"]:
        assert p.lon is not None and p.lat is not None
        assert covering(conn, p.lon, p.lat) == [p.grids[0]], p.message
    # and each loaded grid is its drawn shape less what lower codes claim, as with one connection
    loaded: dict[str, bytes] = dict(conn.execute("SELECT grid_code, ST_AsBinary(geom) FROM grids").fetchall())
    kx, ky = metres_per_degree(39.9)
    for code, expected in drawn_less_lower_codes(gdf).items():
        assert shapely.from_wkb(loaded[code]).symmetric_difference(expected).area * kx * ky < 0.5, code


def drawn_less_lower_codes(gdf: gpd.GeoDataFrame) -> dict[str, shapely.Geometry]:
    """Each grid as the repair leaves it: its drawn shape (made valid) less what lower codes also cover."""
    shapes = shapely.make_valid(gdf.geometry.to_numpy())
    codes = gdf["grid_code"].to_numpy()
    tree = shapely.STRtree(shapes)
    out: dict[str, shapely.Geometry] = {}
    for i, shape in enumerate(shapes):
        lower = [shapes[j] for j in tree.query(shape, predicate="intersects") if codes[j] < codes[i]]
        out[codes[i]] = shape.difference(shapely.union_all(lower)) if lower else shape
    return out
