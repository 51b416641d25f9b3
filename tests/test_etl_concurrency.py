"""Loads that meet: two at once do not corrupt each other, and one killed halfway leaves nothing behind."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
from community import CLOCK

from etl.datasets import DATASETS
from etl.folder import plan
from etl.load import LoadResult, load_file

FIXTURES = Path(__file__).resolve().parent / "fixtures"
COMMUNITY = FIXTURES / "community"
MESSY = FIXTURES / "messy"
EXPECTED: dict[str, dict[str, Any]] = json.loads((MESSY / "expected.json").read_text(encoding="utf-8"))


def load(conn: psycopg.Connection, path: Path) -> LoadResult:
    todo, _ = plan(path)
    return load_file(conn, path, todo[0].dataset, mapping=todo[0].mapping, clock=CLOCK)


def state(conn: psycopg.Connection, *tables: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables with its xmin and ctid: equal states mean no row was written."""
    return {t: conn.execute(f"SELECT xmin::text, ctid::text, * FROM {t} ORDER BY 3").fetchall() for t in tables}


# -- two loads at once --------------------------------------------------------------------------------------------
def test_two_loads_of_one_file_started_at_once_end_as_one_load(db_url: str) -> None:
    with psycopg.connect(db_url) as c:
        for name in ("grids_a.gpkg", "buildings.csv", "buildings_points.geojson"):
            load(c, MESSY / name)
        c.commit()
    path = MESSY / "households_gbk.csv"
    spec = EXPECTED[path.name]["rows"]
    good = {o["id"]: o["grid"] for o in spec.values() if "grid" in o}
    bad = {int(n): o["reason"] for n, o in spec.items() if "reason" in o}

    start = threading.Barrier(2)
    results: list[LoadResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with psycopg.connect(db_url) as c:  # each thread its own session; commits when the block ends
                start.wait(timeout=30)
                results.append(load(c, path))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(results) == 2

    first, second = sorted(results, key=lambda r: -r.inserted)
    assert (first.inserted, first.updated, first.unchanged) == (len(good), 0, 0)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, len(good))  # it waited, then found all
    assert first.quarantined == second.quarantined
    assert sum(first.quarantined.values()) == len(bad)

    with psycopg.connect(db_url) as c:
        assert dict(c.execute("SELECT household_id, grid_code FROM households").fetchall()) == good
        quarantined = c.execute("SELECT row_number, reason FROM quarantine WHERE source_file = %s ORDER BY 1",
                                [path.name]).fetchall()
        assert [n for n, _ in quarantined] == sorted(bad)  # once each: no duplicate, none lost
        assert all(reason.startswith(bad[n]) for n, reason in quarantined)
        runs = c.execute("SELECT counts->>'inserted', counts->>'unchanged' FROM load_runs WHERE source_file = %s "
                         "ORDER BY id", [str(path)]).fetchall()
        assert sorted(runs) == sorted([(str(len(good)), "0"), ("0", str(len(good)))])
        before = state(c, "households", "quarantine")
        c.commit()
        again = load(c, path)  # the end state is a single load's: loading once more changes nothing
        c.commit()
        assert (again.inserted, again.updated, again.unchanged) == (0, 0, len(good))
        assert state(c, "households", "quarantine") == before


def test_load_file_commits_its_own_transaction(db_url: str) -> None:
    with psycopg.connect(db_url) as c, psycopg.connect(db_url, autocommit=True) as other:
        load(c, COMMUNITY / "grids.geojson")
        assert c.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        assert other.execute("SELECT count(*) FROM grids").fetchone() == (3,)


def test_load_run_records_when_it_finished(db_url: str) -> None:
    with psycopg.connect(db_url) as c:
        load(c, COMMUNITY / "grids.geojson")
        c.commit()
        row = c.execute("SELECT finished_at > started_at FROM load_runs").fetchone()
        assert row == (True,)


# -- a load killed halfway ----------------------------------------------------------------------------------------
_BUILDINGS = ("测试小区一区1号楼", "测试小区一区2号楼", "测试小区二区1号楼", "测试小区二区2号楼")
BIG_ROWS = 200_000


def _big_households(path: Path) -> None:
    lines = ["户编号,居住地址,户主姓名,联系电话,家庭人口,人员类别"]
    for i in range(BIG_ROWS):
        b = _BUILDINGS[i % 4]
        phone = "12345" if i % 997 == 0 else f"13{i % 10}{i:08d}"  # a few bad phones: quarantine too
        lines.append(f"K{i:07d},{b}{i % 6 + 1}单元{i % 18 + 1}{i % 4 + 1:02d},户主{i},{phone},{i % 5 + 1},"
                     + ("独居老人、低保" if i % 7 == 0 else ""))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _backend(conn: psycopg.Connection, app: str) -> tuple[int, str, str] | None:
    return conn.execute(
        "SELECT pid, state, query FROM pg_stat_activity WHERE application_name = %s AND datname = current_database()",
        [app],
    ).fetchone()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_load_killed_halfway_leaves_the_database_as_it_was(db_url: str, tmp_path: Path) -> None:
    with psycopg.connect(db_url) as c:
        for s in plan(COMMUNITY)[0]:
            load_file(c, s.path, s.dataset, mapping=s.mapping, clock=CLOCK)
        c.commit()
    big = tmp_path / "households_big.csv"
    _big_households(big)
    app = f"gridgov-kill-{os.getpid()}"
    env = {"GRIDGOV_DATABASE_URL": db_url, "PATH": "/usr/bin:/bin", "PGAPPNAME": app}

    with psycopg.connect(db_url, autocommit=True) as watch:
        before = state(watch, "households", "quarantine", "load_runs")
        assert before["households"] and before["quarantine"] and before["load_runs"]
        # a session of its own: its process group holds the load and every process it starts
        proc = subprocess.Popen([str(Path(sys.executable).with_name("gridgov")), "load", str(big)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            seen = None
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None:
                row = _backend(watch, app)
                # new rows placed while parsing are copied straight into households (etl.direct)
                writing = ("COPY STAGE", "UPDATE STAGE", 'COPY "HOUSEHOLDS"', "COPY HOUSEHOLDS")
                if row and row[1] == "active" and row[2].lstrip().upper().startswith(writing):
                    seen = row
                    break
                time.sleep(0.005)
            assert seen is not None, f"never saw the load writing (exit {proc.poll()})"
            assert proc.poll() is None, "the load finished before it could be killed"
            proc.send_signal(signal.SIGKILL)  # the load's own process only, as `kill -9` would
            proc.wait(timeout=30)
            # its fork server and parse workers (etl._lifeline) follow it: nothing of the load is left running
            deadline = time.monotonic() + 15
            while _group_alive(proc.pid):
                assert time.monotonic() < deadline, "the killed load's worker processes are still running"
                time.sleep(0.1)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of it
            proc.wait()
        pid = seen[0]
        deadline = time.monotonic() + 60
        while watch.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline, "the killed load's backend never went away"
            time.sleep(0.05)
        assert proc.returncode == -signal.SIGKILL
        assert state(watch, "households", "quarantine", "load_runs") == before
        assert watch.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                             "(SELECT oid FROM pg_database WHERE datname = current_database())").fetchone() == (0,)

    # the next load is not blocked by anything the killed one left
    with psycopg.connect(db_url) as c:
        again = load_file(c, COMMUNITY / "households.csv", DATASETS["households"], clock=CLOCK)
        c.commit()
        assert (again.inserted, again.updated) == (0, 0)
