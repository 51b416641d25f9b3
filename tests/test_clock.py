"""The community's clock: one "now" for every date-dependent answer, pinned by a setting, in the community's zone."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from community import CLOCK
from conftest import DEMO_AS_OF, REPO
from pydantic import ValidationError

from etl.datasets import DATASETS
from etl.folder import plan
from etl.load import load_file
from gridgov.clock import make_clock
from gridgov.settings import CommunitySettings

DEMO = REPO / "geodata" / "demo"


def test_the_suite_runs_on_a_pinned_community_day() -> None:
    assert CommunitySettings().clock().today() == date.fromisoformat(DEMO_AS_OF)


def test_a_pinned_time_without_offset_is_community_time() -> None:
    clock = make_clock("Asia/Shanghai", datetime(2027, 3, 15, 0, 30))
    assert clock.now() == datetime(2027, 3, 14, 16, 30, tzinfo=UTC)
    assert clock.today() == date(2027, 3, 15)  # half past midnight in Beijing is already the 15th
    assert clock.week_start() == date(2027, 3, 15)  # a Monday
    assert clock.month_start() == date(2027, 3, 1)


def test_a_pinned_instant_with_offset_is_read_on_the_communitys_calendar() -> None:
    clock = CommunitySettings(now=datetime(2027, 3, 14, 20, 0, tzinfo=UTC), timezone="Asia/Shanghai").clock()
    assert clock.today() == date(2027, 3, 15)  # 20:00 UTC is 04:00 the next day in Beijing
    assert CommunitySettings(now="2027-03-14T20:00:00+00:00", timezone="America/New_York").clock().today() == date(2027, 3, 14)


def test_unpinned_the_clock_is_the_machines() -> None:
    before = datetime.now(UTC)
    now = make_clock("Asia/Shanghai").now()
    assert before <= now <= datetime.now(UTC)
    assert now.utcoffset() == timedelta(hours=8)


def test_an_unknown_time_zone_is_refused_with_a_usable_message() -> None:
    with pytest.raises(ValidationError, match="unknown time zone 'Beijing'"):
        CommunitySettings(timezone="Beijing")


def _one_complaint(tmp_path: Path, received: str) -> Path:
    path = tmp_path / "complaints.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow(["工单编号", "受理时间", "诉求类别", "诉求内容", "诉求地址"])
        out.writerow(["GD-CLOCK-1", received, "噪音扰民", "夜间施工噪音", "甘露园中里9号楼"])
    return path


def test_the_etl_refuses_times_after_the_communitys_today(conn: psycopg.Connection, tmp_path: Path) -> None:
    """A work order received two days after the community's now is quarantined; the same file loads a week later."""
    for src in plan(DEMO)[0]:
        if src.dataset.name in ("grids", "buildings"):
            load_file(conn, src.path, src.dataset, clock=CLOCK)
    clock = make_clock("Asia/Shanghai", datetime(2027, 3, 15, 10, 0))
    path = _one_complaint(tmp_path, "2027-03-17 09:00")
    early = load_file(conn, path, DATASETS["complaints"], clock=clock)
    assert early.inserted == 0
    assert early.quarantined == {"received_at is in the future": 1}
    later = load_file(conn, path, DATASETS["complaints"], clock=make_clock("Asia/Shanghai", datetime(2027, 3, 22)))
    assert later.inserted == 1


def test_the_etl_reads_wall_clock_times_in_the_communitys_zone(conn: psycopg.Connection, tmp_path: Path) -> None:
    for src in plan(DEMO)[0]:
        if src.dataset.name in ("grids", "buildings"):
            load_file(conn, src.path, src.dataset, clock=CLOCK)
    berlin = make_clock("Europe/Berlin", datetime(2027, 3, 20))
    load_file(conn, _one_complaint(tmp_path, "2027-03-15 09:00"), DATASETS["complaints"], clock=berlin)
    row = conn.execute("SELECT received_at FROM complaints WHERE ticket_id = 'GD-CLOCK-1'").fetchone()
    assert row is not None
    assert row[0] == datetime(2027, 3, 15, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
