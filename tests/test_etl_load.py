"""The first slice of the ETL against a real PostGIS: placed, quarantined, idempotent."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from community import CLOCK

from etl.folder import plan
from etl.load import LoadResult, load_file
from etl.quarantine import REASON_COLUMN, rows, write_csv
from gridgov.errors import InputError

COMMUNITY = Path(__file__).resolve().parent / "fixtures" / "community"

FACT_TABLES = ("grids", "buildings", "households", "quarantine")


def load_folder(conn: psycopg.Connection, folder: Path) -> list[LoadResult]:
    todo, _ = plan(folder)
    return [load_file(conn, s.path, s.dataset, mapping=s.mapping, clock=CLOCK) for s in todo]


def snapshot(conn: psycopg.Connection) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table with its xmin: any rewrite of a row changes it."""
    return {
        t: conn.execute(f"SELECT xmin::text, ctid::text, * FROM {t} ORDER BY 3").fetchall()
        for t in FACT_TABLES
    }


def test_households_land_in_expected_grids(conn: psycopg.Connection) -> None:
    load_folder(conn, COMMUNITY)
    placed = dict(conn.execute("SELECT household_id, grid_code FROM households").fetchall())
    assert placed == {
        "H1": "T-001",  # 1号楼 of 一区
        "H2": "T-002",  # 朝阳区 … 2栋2门502室
        "H3": "T-003",  # all in Chinese numerals, 五零一 digit by digit
        "H4": "T-001",  # 3#-style dash form; its building stands on the T-001/T-002 edge: lowest code wins
        "H6": "T-003",  # GCJ-02 coordinates converted; unconverted they would fall outside every grid
    }


def test_unmatched_and_invalid_rows_are_quarantined_with_reasons(conn: psycopg.Connection) -> None:
    load_folder(conn, COMMUNITY)
    found = {(r.raw["户编号"], r.row_number): r.reason for r in rows(conn, dataset="households")}
    assert found == {
        # 九区 is not 二区: numbers are who a compound is, so no near name is a candidate
        ("H5", 6): "address matched no building: 测试小区九区1号楼1单元101",
        ("H7", 8): "id_number checksum fails (GB 11643): check for a mistyped digit",
    }


def test_every_row_is_placed_or_quarantined(conn: psycopg.Connection) -> None:
    results = load_folder(conn, COMMUNITY)
    for r in results:
        assert r.read == r.inserted + sum(r.quarantined.values()), r


def test_second_load_changes_no_row(conn: psycopg.Connection) -> None:
    load_folder(conn, COMMUNITY)
    conn.commit()
    before = snapshot(conn)
    again = load_folder(conn, COMMUNITY)
    assert [(r.inserted, r.updated) for r in again] == [(0, 0)] * len(again)
    assert [r.unchanged for r in again] == [3, 4, 5]
    assert snapshot(conn) == before


def test_corrected_file_updates_only_the_changed_row(conn: psycopg.Connection, tmp_path: Path) -> None:
    load_folder(conn, COMMUNITY)
    folder = tmp_path / "fixed"
    shutil.copytree(COMMUNITY, folder)
    text = (folder / "households.csv").read_text(encoding="gbk")
    text = text.replace("H2,朝阳区测试小区一区2栋2门502室,李四,,13900139000,3", "H2,朝阳区测试小区一区2栋2门502室,李四,,13900139000,4")
    text = text.replace("测试小区九区1号楼1单元101", "测试小区一区1号楼1单元102")  # the clerk fixes H5
    (folder / "households.csv").write_text(text, encoding="gbk")
    result = load_file(conn, folder / "households.csv", plan(folder / "households.csv")[0][0].dataset, clock=CLOCK)
    assert (result.inserted, result.updated, result.unchanged) == (1, 1, 4)
    assert conn.execute("SELECT members FROM households WHERE household_id = 'H2'").fetchone() == (4,)
    assert [r.raw["户编号"] for r in rows(conn, dataset="households")] == ["H7"]


def test_unreadable_file_changes_nothing(conn: psycopg.Connection, tmp_path: Path) -> None:
    load_folder(conn, COMMUNITY)
    conn.commit()
    before = snapshot(conn)
    bad = tmp_path / "households.csv"
    bad.write_text("name,age\nx,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="no household_id column"):
        load_file(conn, bad, plan(bad)[0][0].dataset, clock=CLOCK)
    assert snapshot(conn) == before


def test_quarantine_csv_keeps_office_columns_and_reason(conn: psycopg.Connection, tmp_path: Path) -> None:
    load_folder(conn, COMMUNITY)
    out = tmp_path / "households_fix.csv"
    assert write_csv(rows(conn, dataset="households"), out) == 2
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "户编号,居住地址,户主姓名,身份证号,联系电话,家庭人口,人员类别,经度,纬度,坐标系,备注," + REASON_COLUMN
    assert lines[1].startswith("H5,测试小区九区1号楼1单元101,钱七")


def test_cli_load_prints_summary_and_reasons(db_url: str) -> None:
    gridgov = Path(sys.executable).with_name("gridgov")
    proc = subprocess.run(
        [str(gridgov), "load", str(COMMUNITY)],
        capture_output=True, text=True, env={"GRIDGOV_DATABASE_URL": db_url, "PATH": "/usr/bin:/bin", "COLUMNS": "160"},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "households.csv: 1 quarantined: address matched no building" in proc.stdout
    assert "households.csv: 1 quarantined: id_number checksum fails (GB 11643)" in proc.stdout
    listed = subprocess.run(
        [str(gridgov), "quarantine", "--dataset", "households"],
        capture_output=True, text=True, env={"GRIDGOV_DATABASE_URL": db_url, "PATH": "/usr/bin:/bin"}, check=True,
    )
    assert "row 6\taddress matched no building: 测试小区九区1号楼1单元101" in listed.stdout


def test_cli_reports_a_file_it_cannot_place(db_url: str, tmp_path: Path) -> None:
    shutil.copytree(COMMUNITY, tmp_path / "in")
    (tmp_path / "in" / "register.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    gridgov = Path(sys.executable).with_name("gridgov")
    proc = subprocess.run(
        [str(gridgov), "load", str(tmp_path / "in")],
        capture_output=True, text=True, env={"GRIDGOV_DATABASE_URL": db_url, "PATH": "/usr/bin:/bin", "COLUMNS": "160"},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "not loaded: register.csv: the name starts with no dataset name" in proc.stdout


def test_parsing_in_worker_processes_loads_the_same(conn: psycopg.Connection) -> None:
    # big files are parsed by worker processes; force that path on the small fixture and compare
    households = "SELECT household_id, address, id_number, members, groups, grid_code, geocoded_by, extra FROM households ORDER BY 1"
    quarantined = "SELECT row_number, raw, reason FROM quarantine ORDER BY 1"
    inline = load_folder(conn, COMMUNITY)
    expected = conn.execute(households).fetchall(), conn.execute(quarantined).fetchall()
    conn.execute("DELETE FROM households")
    conn.execute("DELETE FROM quarantine")
    conn.commit()
    again = [load_file(conn, s.path, s.dataset, parse_workers=2, clock=CLOCK) for s in plan(COMMUNITY)[0]]
    assert [(r.inserted, r.quarantined) for r in again[2:]] == [(r.inserted, r.quarantined) for r in inline[2:]]
    assert (conn.execute(households).fetchall(), conn.execute(quarantined).fetchall()) == expected


def test_cells_past_the_last_header_are_kept(conn: psycopg.Connection, tmp_path: Path) -> None:
    folder = tmp_path / "ragged"
    shutil.copytree(COMMUNITY, folder)
    lines = (folder / "households.csv").read_text(encoding="gbk").splitlines()
    lines[1] += ",楼长备注,钥匙在物业"  # a row two cells longer than its header row
    (folder / "households.csv").write_text("\r\n".join(lines) + "\r\n", encoding="gbk")
    load_folder(conn, folder)
    extra = conn.execute("SELECT extra FROM households WHERE household_id = 'H1'").fetchone()
    assert extra == ({"column_12": "楼长备注", "column_13": "钥匙在物业"},)


def test_a_quarantined_row_keeps_its_cells_past_the_last_header(conn: psycopg.Connection, tmp_path: Path) -> None:
    folder = tmp_path / "ragged"
    shutil.copytree(COMMUNITY, folder)
    lines = (folder / "households.csv").read_text(encoding="gbk").splitlines()
    lines[5] += ",门口有狗"  # H5's row, which is quarantined (unknown compound), one cell longer
    (folder / "households.csv").write_text("\r\n".join(lines) + "\r\n", encoding="gbk")
    load_folder(conn, folder)
    raw = next(r.raw for r in rows(conn, dataset="households") if r.raw["户编号"] == "H5")
    assert raw["column_12"] == "门口有狗"
    out = tmp_path / "fix.csv"
    write_csv(rows(conn, dataset="households"), out)
    table = out.read_text(encoding="utf-8-sig").splitlines()
    assert table[0].endswith(",column_12," + REASON_COLUMN)
    assert "门口有狗" in next(line for line in table if line.startswith("H5,"))
