"""A grid file carries its street: the 街道 / 街道代码 / 社区代码 columns load, a file without them still loads (and
says so), and names that contradict themselves refuse the file with every feature named."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import psycopg
import pytest
import shapely
from community import CLOCK

from etl.datasets import DATASETS
from etl.gridproblems import GridsRefused
from etl.load import load_file

GRIDS = DATASETS["grids"]
STREET, STREET_CODE = "八里庄街道", "110105018"
# (grid code, community, 社区代码): two communities of one street, two grids each, side by side
GRID_ROWS = (("G-001", "甲社区", "110105018001"), ("G-002", "甲社区", "110105018001"),
             ("G-003", "乙社区", "110105018002"), ("G-004", "乙社区", "110105018002"))


def grid_file(path: Path, **columns: list[str | None]) -> Path:
    """Four 100 m squares in a row, with the office's Chinese headers and any extra columns given."""
    squares = [shapely.box(116.5 + i * 0.0012, 39.92, 116.5 + (i + 1) * 0.0012, 39.921) for i in range(len(GRID_ROWS))]
    frame = gpd.GeoDataFrame(
        {"网格编码": [r[0] for r in GRID_ROWS], "网格名称": [f"第{i + 1}网格" for i in range(len(GRID_ROWS))],
         "社区名称": [r[1] for r in GRID_ROWS], **columns},
        geometry=squares, crs="EPSG:4326")
    frame.to_file(path, engine="pyogrio")
    return path


def streets(conn: psycopg.Connection) -> list[tuple[object, ...]]:
    return conn.execute(
        "SELECT grid_code, community_name, community_code, street_name, street_code FROM grids ORDER BY 1").fetchall()


@pytest.mark.parametrize("name", ["grids.geojson", "grids.gpkg"])
def test_the_grid_file_carries_its_street_and_codes(conn: psycopg.Connection, tmp_path: Path, name: str) -> None:
    path = grid_file(tmp_path / name, 街道=[STREET] * 4, 街道代码=[STREET_CODE] * 4,
                     社区代码=[r[2] for r in GRID_ROWS])
    result = load_file(conn, path, GRIDS, clock=CLOCK)
    assert result.inserted == 4 and not result.quarantined and not result.notes
    assert streets(conn) == [(code, community, community_code, STREET, STREET_CODE)
                             for code, community, community_code in GRID_ROWS]


def test_every_alias_of_the_street_columns_is_read(conn: psycopg.Connection, tmp_path: Path) -> None:
    path = grid_file(tmp_path / "grids.geojson", 乡镇街道=[STREET] * 4, 街道编码=[STREET_CODE] * 4,
                     社区编码=[r[2] for r in GRID_ROWS])
    load_file(conn, path, GRIDS, clock=CLOCK)
    assert {r[3:] for r in streets(conn)} == {(STREET, STREET_CODE)}
    assert [r[2] for r in streets(conn)] == [r[2] for r in GRID_ROWS]


def test_a_file_without_streets_loads_and_says_once_that_no_street_officer_can_be_scoped(
    db_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    grid_file(folder / "grids.geojson")
    gridgov = Path(sys.executable).with_name("gridgov")
    proc = subprocess.run([str(gridgov), "load", str(folder)], capture_output=True, text=True, check=False,
                          env={"GRIDGOV_DATABASE_URL": db_url, "PATH": "/usr/bin:/bin", "COLUMNS": "160"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("street officers cannot be scoped") == 1
    assert "grids.geojson: the grids have no street (no 街道 column)" in proc.stdout
    with psycopg.connect(db_url) as conn:
        assert [r[3] for r in streets(conn)] == [None] * 4
        counts = conn.execute("SELECT counts FROM load_runs WHERE dataset = 'grids'").fetchone()
    assert counts is not None and len(counts[0]["notes"]) == 1


def test_grids_with_a_blank_street_are_named(conn: psycopg.Connection, tmp_path: Path) -> None:
    path = grid_file(tmp_path / "grids.geojson", 街道=[STREET, STREET, None, STREET])
    result = load_file(conn, path, GRIDS, clock=CLOCK)
    assert result.inserted == 4
    assert result.notes == ["grids.geojson: 1 of 4 grids have no street (街道 is empty in feature 3 (grid G-003)), "
                            "so street officers cannot be scoped to them; fill in their 街道 and load the file again"]


@pytest.mark.parametrize(("columns", "words"), [
    ({"街道": [STREET, STREET, "八里庄街道办事处", STREET], "街道代码": [STREET_CODE] * 4},
     "street code 110105018 has 2 names: 八里庄街道 in features 1, 2, 4 (grids G-001, G-002, G-004); "
     "八里庄街道办事处 in feature 3 (grid G-003)"),
    ({"街道": [STREET] * 4, "社区代码": ["110105018001", "110105018001", "110105018001", "110105018002"]},
     "community code 110105018001 has 2 names: 乙社区 in feature 3 (grid G-003); 甲社区 in features 1, 2"),
    ({"街道": [STREET, "十里堡街道", STREET, STREET]},
     "community 甲社区 lies in 2 streets: 八里庄街道 in feature 1 (grid G-001); 十里堡街道 in feature 2 (grid G-002): "
     "correct the 街道 in the source, or, if these are two communities of one name, give each its 社区代码"),
    ({"街道": [STREET, "十里堡街道", STREET, STREET], "社区代码": ["110105018001"] * 2 + ["110105018002"] * 2},
     "community code 110105018001 lies in 2 streets"),
], ids=["street-code-two-names", "community-code-two-names", "community-in-two-streets", "code-in-two-streets"])
def test_names_that_contradict_themselves_refuse_the_file(
    conn: psycopg.Connection, tmp_path: Path, columns: dict[str, list[str]], words: str
) -> None:
    path = grid_file(tmp_path / "grids.geojson", **columns)
    with pytest.raises(GridsRefused) as info:
        load_file(conn, path, GRIDS, clock=CLOCK)
    conn.rollback()
    message = str(info.value)
    assert message.startswith("grids.geojson: the streets and communities of the grids contradict themselves; "
                              "nothing was loaded")
    assert words in message, message
    assert all(p.kind == "error_names" and p.source_file == "grids.geojson" for p in info.value.problems)
    assert conn.execute("SELECT count(*) FROM grids").fetchone() == (0,)


def test_two_communities_of_one_name_load_when_their_codes_tell_them_apart(
    conn: psycopg.Connection, tmp_path: Path
) -> None:
    path = grid_file(tmp_path / "grids.geojson", 街道=[STREET, STREET, "十里堡街道", "十里堡街道"],
                     社区名称=["和平社区"] * 4, 社区代码=["110105018001"] * 2 + ["110105019001"] * 2)
    result = load_file(conn, path, GRIDS, clock=CLOCK)
    assert result.inserted == 4 and not result.notes
    assert {(r[1], r[2], r[3]) for r in streets(conn)} == {("和平社区", "110105018001", STREET),
                                                          ("和平社区", "110105019001", "十里堡街道")}
