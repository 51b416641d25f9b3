"""The messy fixture community (tests/fixtures/messy, written by make_messy.py) loads as an office would need it.

Every reader, every encoding, every address spelling and every kind of bad
row: each row is either placed in the grid expected.json names or quarantined
with the reason it names; nothing is lost, and loading the folder again
changes no row.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from community import CLOCK
from conftest import fresh_database
from psycopg.rows import dict_row

from etl.datasets import DATASETS, header_key
from etl.folder import plan
from etl.load import LoadResult, load_file
from etl.quarantine import REASON_COLUMN, rows, write_csv
from etl.readers import open_table

MESSY = Path(__file__).resolve().parent / "fixtures" / "messy"
EXPECTED: dict[str, dict[str, Any]] = json.loads((MESSY / "expected.json").read_text(encoding="utf-8"))
TABLES = ("grids", "buildings", "households", "facilities", "complaints", "hazards", "visits", "quarantine")
SHANGHAI = ZoneInfo("Asia/Shanghai")
DictConn = psycopg.Connection[dict[str, Any]]


def load_folder(conn: psycopg.Connection, folder: Path = MESSY, only: set[str] | None = None) -> dict[str, LoadResult]:
    """Load every file of the folder (or `only` those) as `gridgov load` does, in the contract's order."""
    todo, _ = plan(folder)
    return {
        s.path.name: load_file(conn, s.path, s.dataset, mapping=s.mapping, clock=CLOCK)
        for s in todo
        if only is None or s.path.name in only
    }


GAZETTEER = {"grids_a.gpkg", "buildings.csv", "buildings_points.geojson"}


def xmins(conn: psycopg.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table with its xmin and ctid: any rewrite of a row changes them."""
    return {t: conn.execute(f"SELECT xmin::text, ctid::text, * FROM {t} ORDER BY 3").fetchall() for t in TABLES}


@pytest.fixture(scope="module")
def loaded(server_url: str, template_db: str) -> Iterator[tuple[str, dict[str, LoadResult]]]:
    """One database with the messy folder loaded once, shared by the read-only tests of this module."""
    with fresh_database(server_url, template_db, f"gridgov_messy_{os.getpid()}") as url:
        with psycopg.connect(url) as conn:
            results = load_folder(conn)
        yield url, results


@pytest.fixture(scope="module")
def mconn(loaded: tuple[str, dict[str, LoadResult]]) -> Iterator[DictConn]:
    """A read-only look at the loaded database (autocommit: no transaction stays open between tests)."""
    with psycopg.connect(loaded[0], row_factory=dict_row, autocommit=True) as c:
        yield c


def _expected_rows(kind: str) -> list[tuple[str, str, int, dict[str, Any]]]:
    """(file, dataset, row number, outcome) for rows that must be placed ("grid") or quarantined ("reason")."""
    return [
        (f, spec["dataset"], int(n), o)
        for f, spec in EXPECTED.items()
        for n, o in spec["rows"].items()
        if kind in o
    ]


def _plain(value: Any) -> Any:
    """A database value as expected.json writes it."""
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


# -- the folder plan -------------------------------------------------------------------------------------------
def test_plan_takes_every_data_file_in_contract_order() -> None:
    todo, skipped = plan(MESSY)
    assert [s.path.name for s in todo] == [
        "grids_a.gpkg", "grids_b_gbk.shp", "grids_c_cpg936.shp", "grids_d_utf8.shp",
        "buildings.csv", "buildings_points.geojson",
        "households_bom.csv", "households_custom.csv", "households_gbk.csv", "households_rare.csv",
        "households_register.xlsx", "households_unicode.txt",
        "facilities.csv", "complaints_12345.csv", "complaints_quoted.csv", "hazards_log.xlsx", "visits.csv",
    ]
    assert set(EXPECTED) == {s.path.name for s in todo}
    assert skipped == [("expected.json", "the name starts with no dataset name "
                                         "(grids, buildings, households, facilities, complaints, hazards, visits)")]
    custom = next(s for s in todo if s.path.name == "households_custom.csv")
    assert custom.mapping is not None and custom.mapping["HH编码"] == "household_id"


@pytest.mark.parametrize(("file", "encoding"), [
    (f, spec["encoding"]) for f, spec in EXPECTED.items()
    if spec["encoding"] and f.endswith((".csv", ".txt"))
])
def test_text_encoding_is_decided_from_the_bytes(file: str, encoding: str) -> None:
    dataset = DATASETS[EXPECTED[file]["dataset"]]
    table = open_table(MESSY / file, known=lambda h: True)
    assert table.encoding == encoding
    assert dataset.key in dataset.lookup(plan(MESSY / file)[0][0].mapping).values()


# -- nothing lost ------------------------------------------------------------------------------------------------
def test_every_row_is_counted_placed_or_quarantined(loaded: tuple[str, dict[str, LoadResult]]) -> None:
    _, results = loaded
    assert set(results) == set(EXPECTED)
    for name, r in results.items():
        spec = EXPECTED[name]
        quarantined = sum(r.quarantined.values())
        assert r.read == len(spec["rows"]), name
        assert r.read == r.inserted + r.updated + r.unchanged + quarantined, (name, r)
        assert quarantined == sum("reason" in o for o in spec["rows"].values()), (name, r.quarantined)
        assert r.blank_rows == spec["blank_rows"], name
        if name in ("grids_b_gbk.shp", "grids_c_cpg936.shp", "grids_d_utf8.shp"):
            # the same grids as grids_a.gpkg, read from other formats and encodings: nothing to change
            assert (r.inserted, r.updated, r.unchanged) == (0, 0, 3), name
        else:
            assert r.updated == r.unchanged == 0, (name, r)  # first load: every good row is new
            assert r.read == r.inserted + quarantined  # nothing lost


Reader = DictConn | psycopg.Cursor[dict[str, Any]]


def check_placed(conn: Reader, file: str, dataset: str, row: int, outcome: dict[str, Any]) -> None:
    """The row's record is in its table, in the expected grid, traced back to this file and row."""
    ds = DATASETS[dataset]
    got = conn.execute(
        f"SELECT t.*, r.source_file AS loaded_from FROM {ds.table} t JOIN load_runs r ON r.id = t.load_run_id "
        f"WHERE t.{ds.key} = %s",
        [outcome["id"]],
    ).fetchone()
    assert got is not None, f"{file} row {row}: {outcome['id']} was not loaded"
    assert got["grid_code"] == outcome["grid"], (file, row)
    if dataset != "grids":  # the same grids come from four files; the first one inserted them
        assert (Path(got["loaded_from"]).name, got["source_row"]) == (file, row)
    if "geocoded_by" in outcome:
        assert got["geocoded_by"].startswith(outcome["geocoded_by"]), got["geocoded_by"]
    for column, value in outcome.get("values", {}).items():
        assert _plain(got[column]) == value, (file, row, column)
    if "extra" in outcome:
        assert got["extra"] == outcome["extra"]
    assert conn.execute(
        "SELECT count(*) AS n FROM quarantine WHERE source_file = %s AND row_number = %s", [file, row]
    ).fetchone() == {"n": 0}


def check_quarantined(conn: Reader, file: str, dataset: str, row: int, outcome: dict[str, Any]) -> None:
    """The row is in quarantine under its file and row number, with the reason a clerk reads and its raw cells."""
    got = conn.execute(
        "SELECT dataset, reason, raw FROM quarantine WHERE source_file = %s AND row_number = %s", [file, row]
    ).fetchone()
    assert got is not None, f"{file} row {row} ({outcome['id']}) was not quarantined"
    assert got["dataset"] == dataset
    assert got["reason"].startswith(outcome["reason"]), got["reason"]
    for part in outcome.get("contains", []):
        assert part in got["reason"], got["reason"]
    assert outcome["id"] in got["raw"].values()  # the raw row keeps the office's own cells


def _case_id(v: Any) -> str:
    return str(v["id"]) if isinstance(v, dict) else str(v)


@pytest.mark.parametrize(("file", "dataset", "row", "outcome"), _expected_rows("grid"), ids=_case_id)
def test_row_is_placed_in_its_grid(mconn: DictConn, file: str, dataset: str, row: int,
                                   outcome: dict[str, Any]) -> None:
    check_placed(mconn, file, dataset, row, outcome)


@pytest.mark.parametrize(("file", "dataset", "row", "outcome"), _expected_rows("reason"), ids=_case_id)
def test_row_is_quarantined_with_its_reason(mconn: DictConn, file: str, dataset: str, row: int,
                                            outcome: dict[str, Any]) -> None:
    check_quarantined(mconn, file, dataset, row, outcome)


def test_every_quarantined_row_is_expected(mconn: DictConn) -> None:
    found = {(r["source_file"], r["row_number"]) for r in mconn.execute("SELECT source_file, row_number FROM quarantine")}
    assert found == {(f, n) for f, _, n, _ in _expected_rows("reason")}


def test_tables_hold_exactly_the_placed_rows(mconn: DictConn) -> None:
    for name in ("buildings", "households", "facilities", "complaints", "hazards", "visits"):
        ds = DATASETS[name]
        ids = {r["k"] for r in mconn.execute(f"SELECT {ds.key} AS k FROM {ds.table}")}
        assert ids == {o["id"] for _, d, _, o in _expected_rows("grid") if d == name}, name
    assert [r["grid_code"] for r in mconn.execute("SELECT grid_code FROM grids ORDER BY 1")] == ["T-001", "T-002", "T-003"]


# -- what was read ---------------------------------------------------------------------------------------------
def test_grids_read_alike_from_gpkg_and_shapefiles(mconn: DictConn) -> None:
    got = mconn.execute("SELECT grid_code, grid_name, community_name, leader, extra FROM grids ORDER BY 1").fetchall()
    assert got == [
        {"grid_code": f"T-00{i}", "grid_name": name, "community_name": "测试社区", "leader": f"网格员{i}", "extra": {}}
        for i, name in enumerate(["测试第一网格", "测试第二网格", "测试第三网格"], start=1)
    ]


@pytest.mark.parametrize(("shp", "headers"), [
    ("grids_c_cpg936.shp", ["网格编码", "网格名称", "社区名称", "网格员"]),  # GBK .dbf, its .cpg says 936
    ("grids_d_utf8.shp", ["grid_code", "GRID_NAME", "社区", "网格员"]),  # UTF-8 .dbf, its .cpg says UTF-8
    # GBK .dbf and no .cpg: sniffed (once failed: the whole .dbf was decoded, binary header included)
    ("grids_b_gbk.shp", ["网格编号", "网格名称", "社区", "网格长"]),
])
def test_chinese_field_names_read_from_dbf(shp: str, headers: list[str]) -> None:
    assert open_table(MESSY / shp).headers == headers


def test_gb18030_characters_outside_gbk_survive(mconn: DictConn) -> None:
    names = {r["household_id"]: r["head_name"] for r in mconn.execute(
        "SELECT household_id, head_name FROM households WHERE household_id LIKE 'R%'")}
    assert names == {"R01": "刘䶮", "R02": "𠀀三", "R03": "龘四"}
    assert mconn.execute("SELECT notes FROM visits WHERE visit_id = 'V10'").fetchone() == {"notes": "𠀀三家中无人"}


def test_unknown_columns_are_kept_in_extra(mconn: DictConn) -> None:
    extras = {r["household_id"]: r["extra"] for r in mconn.execute("SELECT household_id, extra FROM households")}
    assert extras["G01"] == {"备注": "一楼"}
    assert extras["G02"] == {}  # an empty extra cell is not kept
    assert extras["U01"] == {"Remark": "坐标来自高德"}
    assert extras["K01"] == {"网格备注": "新迁入"}  # not named in the .columns.json mapping
    assert extras["X01"] == {"登记日期": "2024-03-05 00:00:00"}  # an Excel date cell
    q = mconn.execute("SELECT raw FROM quarantine WHERE source_file = 'households_register.xlsx' AND row_number = 6"
                      ).fetchone()
    assert q is not None and "e+17" in q["raw"]["公民身份号码"]  # what Excel did to an ID number typed as a number


def test_load_runs_record_the_office_headers(mconn: DictConn) -> None:
    headers = {Path(r["source_file"]).name: r["headers"] for r in mconn.execute("SELECT source_file, headers FROM load_runs")}
    assert headers["households_gbk.csv"][:2] == ["户编号", "居住地址"]  # trimmed
    assert headers["households_register.xlsx"][0] == "户　编号"  # found on row 3, below two title rows
    assert headers["households_custom.csv"][0] == "HH编码"


# -- the clerk's round trip ---------------------------------------------------------------------------------------
def _write_fix_and_reload(conn: psycopg.Connection, tmp_path: Path, source_file: str | None) -> tuple[LoadResult, Path]:
    """`gridgov quarantine --dataset households [--file F] -o fix.csv`, correct G19's address, load fix.csv."""
    out = tmp_path / "households_fix.csv"
    write_csv(rows(conn, dataset="households", source_file=source_file), out)
    with out.open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    header = table[0]
    assert header[-1] == REASON_COLUMN
    # one column per field: rows from files with other headers share the first file's header for it
    field = DATASETS["households"].lookup()
    id_col = next(i for i, h in enumerate(header) if field.get(header_key(h)) == "household_id")
    address_col = next(i for i, h in enumerate(header) if field.get(header_key(h)) == "address")
    fixed = next(r for r in table[1:] if r[id_col] == "G19")
    assert fixed[-1].startswith("address matched no building: 测试小区九区1号楼1单元101")
    fixed[address_col] = "测试小区二区1号楼1单元101"  # the clerk corrects 九区 to 二区
    with out.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(table)
    todo, _ = plan(out, "households")
    return load_file(conn, out, todo[0].dataset, mapping=todo[0].mapping, clock=CLOCK), out


def test_cli_writes_quarantine_in_the_office_columns(loaded: tuple[str, dict[str, LoadResult]], tmp_path: Path) -> None:
    out = tmp_path / "fix.csv"
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("gridgov")), "quarantine", "--dataset", "households",
         "--file", "households_gbk.csv", "-o", str(out)],
        capture_output=True, text=True, env={"GRIDGOV_DATABASE_URL": loaded[0], "PATH": "/usr/bin:/bin"}, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    expected = dict(sorted((int(n), o) for n, o in EXPECTED["households_gbk.csv"]["rows"].items() if "reason" in o))
    assert f"wrote {len(expected)} quarantined rows" in proc.stdout
    with out.open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    assert table[0] == ["户编号", "居住地址", "户主姓名", "身份证号", "联系电话", "家庭人口", "人员类别", "经度", "纬度", "坐标系",
                        "备注", REASON_COLUMN]
    assert [(r[0], r[-1][:len(o["reason"])]) for r, o in zip(table[1:], expected.values(), strict=True)] == [
        (o["id"], o["reason"]) for o in expected.values()]


def test_quarantine_csv_of_one_file_fixed_and_reloaded(conn: psycopg.Connection, tmp_path: Path) -> None:
    load_folder(conn, only=GAZETTEER | {"households_gbk.csv"})
    before = {(r.raw.get("户编号"), r.row_number): r.reason for r in rows(conn, source_file="households_gbk.csv")}
    result, out = _write_fix_and_reload(conn, tmp_path, "households_gbk.csv")
    assert result.inserted == 1
    assert conn.execute("SELECT grid_code, address FROM households WHERE household_id = 'G19'"
                        ).fetchone() == ("T-003", "测试小区二区1号楼1单元101")
    # the rows still wrong are quarantined again under the fix file's name, for the same reasons, and their
    # entries under households_gbk.csv are resolved; G19 (fixed) is in neither. Rows without an id cannot be
    # recognised again and stay where they were. Row 30, the second G01, keeps a duplicate's reason.
    again = {r.raw.get("户编号"): r.reason for r in rows(conn, source_file=out.name)}
    expected = {k: v for (k, n), v in before.items() if k and k != "G19" and n != 30}
    assert {k: v for k, v in again.items() if k != "G01"} == expected
    assert again["G01"].startswith("duplicate household_id: G01 is loaded from another row already")
    left = {(r.raw.get("户编号"), r.row_number) for r in rows(conn, source_file="households_gbk.csv")}
    assert left == {(k, n) for k, n in before if not k}


def test_reloading_a_fix_csv_does_not_let_a_duplicate_overwrite(conn: psycopg.Connection, tmp_path: Path) -> None:
    load_folder(conn, only=GAZETTEER | {"households_gbk.csv"})
    result, _ = _write_fix_and_reload(conn, tmp_path, "households_gbk.csv")
    assert result.updated == 0
    assert conn.execute("SELECT head_name FROM households WHERE household_id = 'G01'").fetchone() == ("张三",)


def test_a_row_fixed_through_the_quarantine_csv_leaves_quarantine(conn: psycopg.Connection, tmp_path: Path) -> None:
    load_folder(conn, only=GAZETTEER | {"households_gbk.csv"})
    _write_fix_and_reload(conn, tmp_path, "households_gbk.csv")
    assert [r.source_file for r in rows(conn, dataset="households") if r.raw.get("户编号") == "G19"] == []


def test_a_row_fixed_through_the_quarantine_csv_keeps_no_reason(conn: psycopg.Connection, tmp_path: Path) -> None:
    load_folder(conn, only=GAZETTEER | {"households_gbk.csv"})
    _write_fix_and_reload(conn, tmp_path, "households_gbk.csv")
    extra = conn.execute("SELECT extra FROM households WHERE household_id = 'G19'").fetchone()
    assert extra is not None and REASON_COLUMN not in extra[0]


def test_quarantine_csv_of_a_whole_dataset_fixed_and_reloaded(conn: psycopg.Connection, tmp_path: Path) -> None:
    load_folder(conn, only=GAZETTEER | {"households_bom.csv", "households_gbk.csv"})
    result, _ = _write_fix_and_reload(conn, tmp_path, None)
    assert result.inserted == 1
    assert conn.execute("SELECT grid_code FROM households WHERE household_id = 'G19'").fetchone() == ("T-003",)


# -- loading again (last: it loads the folder a second time into the module's database) -------------------------
def test_second_load_of_the_folder_changes_no_row(loaded: tuple[str, dict[str, LoadResult]]) -> None:
    with psycopg.connect(loaded[0]) as conn:
        before = xmins(conn)
        runs = conn.execute("SELECT count(*) FROM load_runs").fetchone()
        conn.commit()
        again = load_folder(conn)
        conn.commit()
        for name, r in again.items():
            assert (r.inserted, r.updated) == (0, 0), (name, r)
            assert r.unchanged == sum("grid" in o for o in EXPECTED[name]["rows"].values()), name
            assert sum(r.quarantined.values()) == sum("reason" in o for o in EXPECTED[name]["rows"].values()), name
        assert xmins(conn) == before
        after_runs = conn.execute("SELECT count(*) FROM load_runs").fetchone()
        assert runs is not None and after_runs is not None
        assert after_runs[0] == runs[0] + len(again)  # every load is recorded, even one that changed nothing
