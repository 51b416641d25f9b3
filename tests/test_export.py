"""Planner exports: RFC 7946 GeoJSON and GeoPackage that read back in GDAL, carry only documented per-grid
properties, withhold small special-group counts and never carry a personal value."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pyogrio
import pytest
from click.testing import CliRunner, Result
from community import CLOCK, LAYER_SETTINGS
from conftest import fresh_database
from seed_sql import seed_small_community
from shapely.geometry import shape

from etl.folder import plan
from etl.load import load_file
from gridgov.cli import main
from gridgov.groups import SPECIAL_GROUPS
from gridgov.i18n import text
from layers import export_docs
from layers.export import export, exportable, planner_geojson, schema
from layers.registry import SUPPRESS_BELOW, Filters

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "geodata" / "demo"
# columns of the store of record that hold personal data, and the names they must never appear under
PERSONAL_COLUMNS = {
    "households": ("head_name", "id_number", "phone", "address"),
    "complaints": ("content", "address"),
    "visits": ("visitor", "notes"),
    "hazards": ("address",),
    "grids": ("leader",),
}
PERSONAL_FIELDS = {"head_name", "id_number", "phone", "address", "content", "visitor", "notes", "leader",
                   "household_id", "ticket_id", "members", "groups"}


def load_demo(url: str) -> None:
    with psycopg.connect(url) as conn:
        for src in plan(DEMO)[0]:
            load_file(conn, src.path, src.dataset, clock=CLOCK)


def personal_values(conn: psycopg.Connection) -> set[str]:
    """Every non-empty personal value in the database (names, ID numbers, phones, addresses, complaint text)."""
    values: set[str] = set()
    for table, columns in PERSONAL_COLUMNS.items():
        for column in columns:
            values |= {r[0] for r in conn.execute(f"SELECT DISTINCT {column} FROM {table} WHERE {column} <> ''")}
    return values


def leaked(text: str, values: set[str]) -> list[str]:
    return sorted(v for v in values if v in text)


@pytest.fixture(scope="module")
def demo_url(server_url: str, template_db: str) -> Iterator[str]:
    """One database with the demo community loaded, shared by this module's read-only tests."""
    with fresh_database(server_url, template_db, f"gridgov_export_{os.getpid()}") as url:
        load_demo(url)
        yield url


@pytest.fixture(scope="module")
def demo(demo_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(demo_url, autocommit=True) as c:
        yield c


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"GRIDGOV_DATABASE_URL": url})


def grid_codes(conn: psycopg.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT grid_code FROM grids")}


def values(frame: Any) -> list[list[Any]]:
    """The frame's properties as plain values (None for missing), whatever type a reader inferred."""
    rows = frame.drop(columns="geometry").astype(object).to_numpy().tolist()
    return [[None if v is None or v != v else v for v in row] for row in rows]


def check_rfc7946(text: str) -> dict[str, Any]:
    """The document parsed, after asserting what RFC 7946 asks of it; numbers are checked as written."""
    doc = json.loads(text, parse_float=str)  # keep each coordinate's text to count its decimals
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc and all("crs" not in f for f in doc["features"])

    def numbers(coords: Any) -> Iterator[str]:
        for c in coords:
            if isinstance(c, list):
                yield from numbers(c)
            else:
                yield str(c)

    for f in doc["features"]:
        assert f["type"] == "Feature" and f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        for n in numbers(f["geometry"]["coordinates"]):
            assert len(n.partition(".")[2]) <= 7, n
        coords = json.loads(json.dumps(f["geometry"]["coordinates"]).replace('"', ""))
        geom = shape({"type": f["geometry"]["type"], "coordinates": coords})
        for polygon in getattr(geom, "geoms", [geom]):
            assert polygon.exterior.is_ccw
            assert not any(ring.is_ccw for ring in polygon.interiors)
            lon, lat = polygon.exterior.xy
            assert all(-180 <= x <= 180 for x in lon) and all(-90 <= y <= 90 for y in lat)
        assert all(not isinstance(v, dict | list) for v in f["properties"].values())  # flat
    return doc


def test_every_layer_exports_as_rfc7946_geojson_with_its_documented_properties(
    demo: psycopg.Connection, demo_url: str, tmp_path: Path
) -> None:
    assert "special_groups" in {layer.name for layer in exportable()}
    for layer in exportable():
        out = tmp_path / f"{layer.name}.geojson"
        result = run(demo_url, "export", layer.name, "-o", str(out))
        assert result.exit_code == 0, result.output
        doc = check_rfc7946(out.read_text(encoding="utf-8"))
        names = [c.name for c in schema(layer)]
        assert {f["properties"]["grid_code"] for f in doc["features"]} == grid_codes(demo)
        assert all(list(f["properties"]) == names for f in doc["features"])
        info = pyogrio.read_info(out)
        assert list(info["fields"]) == names and info["crs"] == "EPSG:4326"
        assert info["features"] == len(grid_codes(demo))


def test_geopackage_reads_back_with_typed_documented_fields(demo: psycopg.Connection, tmp_path: Path) -> None:
    gdal_types = {"int": "int64", "float": "float64", "str": "object"}
    for layer in exportable():
        path = export(demo, layer.name, Filters(), tmp_path / f"{layer.name}.gpkg", settings=LAYER_SETTINGS)
        info = pyogrio.read_info(path)
        assert info["layer_name"] == layer.name and info["crs"] == "EPSG:4326"
        assert info["geometry_type"] == "MultiPolygon"
        assert list(info["fields"]) == [c.name for c in schema(layer)]
        assert list(info["dtypes"]) == [gdal_types[c.type] for c in schema(layer)]
        # the same numbers as the GeoJSON of the same layer
        gj = export(demo, layer.name, Filters(), tmp_path / f"{layer.name}.geojson", settings=LAYER_SETTINGS)
        a = pyogrio.read_dataframe(path).set_index("grid_code").sort_index()
        b = pyogrio.read_dataframe(gj).set_index("grid_code").sort_index()
        assert values(a) == values(b), layer.name
        assert all(x.equals_exact(y, 1e-9) for x, y in zip(a.geometry, b.geometry, strict=True))


def test_exports_carry_no_personal_value_and_no_household_point(demo: psycopg.Connection, tmp_path: Path) -> None:
    values = personal_values(demo)
    assert len(values) > 5000  # the demo's names, ID numbers, phones, addresses and complaint texts
    for layer in exportable():
        for suffix in (".geojson", ".gpkg"):
            path = export(demo, layer.name, Filters(), tmp_path / f"{layer.name}{suffix}", settings=LAYER_SETTINGS)
            raw = path.read_bytes()
            assert not [v for v in values if v.encode() in raw], (layer.name, suffix)
            frame = pyogrio.read_dataframe(path)
            assert not PERSONAL_FIELDS & set(frame.columns)
            assert set(frame.geometry.geom_type) == {"MultiPolygon"}  # grid polygons, never a household's point
            assert sorted(frame["grid_code"]) == sorted(grid_codes(demo))
            if suffix == ".geojson":  # also as text after JSON escapes are undone
                assert not leaked(json.dumps(json.loads(raw), ensure_ascii=False), values), layer.name


def test_special_group_counts_below_five_are_withheld(demo: psycopg.Connection, tmp_path: Path) -> None:
    truth = {
        (code, key): n
        for code, key, n in demo.execute(
            "SELECT g.grid_code, k.key, count(h.household_id) FROM grids g CROSS JOIN unnest(%s::text[]) AS k(key)"
            " LEFT JOIN households h ON h.grid_code = g.grid_code AND k.key = ANY(h.groups) GROUP BY 1, 2",
            [list(SPECIAL_GROUPS)],
        )
    }
    special = dict(demo.execute(
        "SELECT g.grid_code, count(h.household_id) FILTER (WHERE cardinality(h.groups) > 0) FROM grids g"
        " LEFT JOIN households h ON h.grid_code = g.grid_code GROUP BY 1"
    ).fetchall())
    out = tmp_path / "sg.geojson"
    export(demo, "special_groups", Filters(), out, settings=LAYER_SETTINGS)
    props = {f["properties"]["grid_code"]: f["properties"] for f in json.loads(out.read_text(encoding="utf-8"))["features"]}
    shown = withheld = 0
    for (code, key), n in truth.items():
        value = props[code][f"group_{key}"]
        if n < SUPPRESS_BELOW:
            assert value is None, (code, key, n)
            withheld += 1
        else:
            assert value == n, (code, key)
            shown += 1
    assert shown and withheld  # the demo has both, so the rule was really exercised
    for code, n in special.items():
        assert props[code]["special_households"] == (n if n >= SUPPRESS_BELOW else None)
        assert (props[code]["special_per_100"] is None) == (n < SUPPRESS_BELOW)


def test_small_grids_are_withheld_whole_in_a_seeded_community(conn: psycopg.Connection, tmp_path: Path) -> None:
    seed_small_community(conn)  # 3, 1 and 0 special-group households: all below 5
    out = export(conn, "special_groups", Filters(), tmp_path / "small.geojson", settings=LAYER_SETTINGS)
    props = {f["properties"]["grid_code"]: f["properties"] for f in json.loads(out.read_text(encoding="utf-8"))["features"]}
    # households are a count like any other (layers.suppression): 3 and 2 are withheld
    assert {code: p["households"] for code, p in props.items()} == {"G01": 5, "G02": None, "G03": None}
    assert all(p["special_households"] is None and p["special_per_100"] is None for p in props.values())
    assert all(p[f"group_{k}"] is None for p in props.values() for k in SPECIAL_GROUPS)


def test_rings_are_reoriented_and_rounded_whatever_the_database_holds(conn: psycopg.Connection, tmp_path: Path) -> None:
    seed_small_community(conn)  # ST_MakeEnvelope squares: clockwise exterior rings
    conn.execute(
        "INSERT INTO grids (grid_code, grid_name, community_name, geom, load_run_id, source_row)"
        " SELECT 'G04', '东区四网格', '幸福里社区', ST_GeomFromText(%s, 4326), id, 4 FROM load_runs LIMIT 1",
        [  # clockwise exterior, counter-clockwise hole, 11 decimals
            "MULTIPOLYGON(((116.515 39.92, 116.515 39.925, 116.52012345678 39.925, 116.52012345678 39.92,"
            " 116.515 39.92),(116.516 39.921, 116.519 39.921, 116.519 39.924, 116.516 39.924, 116.516 39.921)))"
        ],
    )
    conn.commit()
    out = export(conn, "special_groups", Filters(), tmp_path / "rings.geojson", settings=LAYER_SETTINGS)
    text = out.read_text(encoding="utf-8")
    doc = check_rfc7946(text)
    assert "116.5201235" in text and "116.52012345678" not in text
    g04 = next(f for f in doc["features"] if f["properties"]["grid_code"] == "G04")
    assert len(g04["geometry"]["coordinates"][0]) == 2  # the hole is kept
    back = pyogrio.read_dataframe(out).set_index("grid_code")
    assert back.geometry["G04"].area == pytest.approx((116.5201235 - 116.515) * 0.005 - 0.003**2, rel=1e-6)


def test_filters_narrow_the_export_to_the_grids_asked_for(demo: psycopg.Connection, demo_url: str, tmp_path: Path) -> None:
    code = sorted(grid_codes(demo))[3]
    one, whole = tmp_path / "one.gpkg", tmp_path / "all.gpkg"
    assert run(demo_url, "export", "special_groups", "--grid", code, "-o", str(one)).exit_code == 0
    assert run(demo_url, "export", "special_groups", "--format", "gpkg", "-o", str(whole)).exit_code == 0
    a = pyogrio.read_dataframe(one)
    b = pyogrio.read_dataframe(whole)
    assert list(a["grid_code"]) == [code]
    assert values(a) == values(b[b["grid_code"] == code])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "no_such_layer", "-o", "x.geojson"], r"there is no layer 'no_such_layer' to export; layers: .*special_groups"),
        (["export", "special_groups", "--from", "2025-01-01", "-o", "x.geojson"], r"does not filter by window"),
        (["export", "special_groups", "--category", "噪音", "-o", "x.geojson"], r"does not filter by categories"),
        (["export", "special_groups", "--grid", "NOPE", "-o", "x.geojson"], r"no grid NOPE; grids: 110105"),
        (["export", "special_groups", "-o", "x.shp"], r"cannot tell the format of x\.shp"),
        (["export", "special_groups", "--format", "kml", "-o", "x.geojson"], r"unknown format 'kml'"),
        (["export", "special_groups"], r"say where to write it"),
        (["export", "-o", "x.geojson"], r"name the layer"),
        (["export", "special_groups", "--period", "year", "-o", "x.geojson"], r"--period must be one of week, month"),
        (["export", "special_groups", "--as-of", "yesterday", "-o", "x.geojson"], r"--as-of 'yesterday' is not a date"),
        (["export", "emerging_hotspots", "--from", "0001-01-01", "-o", "x.geojson"], r"at most 60 months are analysed"),
    ],
)
def test_bad_input_is_one_clear_line_and_writes_nothing(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(demo_url, *args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gridgov: ") and re.search(message, lines[0]), result.stderr
    assert list(tmp_path.iterdir()) == []


def test_bad_time_window_is_refused(demo_url: str, tmp_path: Path) -> None:
    windowed = [layer.name for layer in exportable() if "window" in layer.accepts]
    if not windowed:
        pytest.skip("no registered layer filters by time window")
    out = tmp_path / "w.geojson"
    for args, message in ((["--from", "2025-02-30"], "is not a date"), (["--from", "2025-12-01", "--to", "2025-11-01"], "starts")):
        result = run(demo_url, "export", windowed[0], *args, "-o", str(out))
        assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert not out.exists()


def test_list_documents_every_layer_filter_and_property(demo_url: str) -> None:
    result = run(demo_url, "export", "--list")
    assert result.exit_code == 0
    for layer in exportable():
        assert f"{layer.name}  {text(layer.label, 'zh')} / {text(layer.label, 'en')}" in result.output
        for column in schema(layer):
            assert f"{text(column.label, 'zh')} / {text(column.label, 'en')}" in result.output
    assert "[withheld when below 5]" in result.output


def test_docs_exports_md_is_current() -> None:
    doc = (REPO / "docs" / "EXPORTS.md").read_text(encoding="utf-8")
    assert doc == export_docs.markdown() + "\n", f"docs/EXPORTS.md is stale: run `{export_docs.REGENERATE}`"


def test_the_planner_sees_on_the_map_what_the_file_holds(demo: psycopg.Connection, tmp_path: Path) -> None:
    # the file is GDAL's (gridgov.rfc7946), the map's features are built in memory: they must not drift apart
    for layer in exportable():
        path = export(demo, layer.name, Filters(), tmp_path / f"{layer.name}.geojson", settings=LAYER_SETTINGS)
        in_file = json.loads(path.read_text(encoding="utf-8"))
        assert in_file["features"], layer.name
        assert planner_geojson(demo, layer.name, Filters(), settings=LAYER_SETTINGS) == in_file, layer.name
