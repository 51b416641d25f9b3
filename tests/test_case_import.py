"""Office files and the field on a real PostGIS: each work order and hazard `gridgov load` brings is a case, known
from its file until someone acts on it; the file's facts are import events, reloading changes nothing, and a state
set in the field is never undone by an export."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from community import CLOCK, LAYER_SETTINGS

from etl.cases import HAZARD_STATES, WORK_ORDER_STATES
from etl.datasets import DATASETS
from etl.load import LoadResult, load_file
from gridgov import case_store
from gridgov.access import Role
from gridgov.case_queries import CaseFilter, list_cases, one_case
from gridgov.cases import Event, Kind, Source, fold
from gridgov.errors import NotFound
from gridgov.rls import grid_reader_transaction
from gridgov.vocabulary import COMPLAINT_STATUSES, HAZARD_STATUSES
from layers import community, rates, registry
from layers.registry import Filters, Viewer

DEMO = Path(__file__).resolve().parents[1] / "geodata" / "demo"
SECRETARY = Viewer(Role.SECRETARY)
OCTOBER = Filters(start=date(2026, 10, 1), end=date(2026, 10, 31), as_of=date(2026, 10, 31))

COMPLAINTS_HEADER = "工单编号,受理时间,诉求类别,诉求内容,诉求地址,响应时间,办结时间,是否解决,满意度\n"
# yesterday's export: A is being handled (办理中), B waits for a response, C is resolved
YESTERDAY = {
    "GD-A": "2026-10-30 09:00:00,停车管理,地锁私占公共车位,甘露园中里9号楼,2026-10-30 10:00:00,,,",
    "GD-B": "2026-10-30 11:00:00,噪音扰民,夜间施工噪音,甘露园中里4号楼,,,,",
    "GD-C": "2026-10-29 08:00:00,供暖,暖气不热,甘露园中里3号楼,2026-10-29 09:00:00,2026-10-30 12:00:00,是,满意",
}
# an older export: A had no response yet, C was still being handled
OLDER = {
    **YESTERDAY,
    "GD-A": "2026-10-30 09:00:00,停车管理,地锁私占公共车位,甘露园中里9号楼,,,,",
    "GD-C": "2026-10-29 08:00:00,供暖,暖气不热,甘露园中里3号楼,2026-10-29 09:00:00,,,",
}
# today's export: B was resolved by the office's own channel, the caller satisfied
TODAY = {**YESTERDAY, "GD-B": "2026-10-30 11:00:00,噪音扰民,夜间施工噪音,甘露园中里4号楼,2026-10-30 11:30:00,"
                               "2026-10-31 10:00:00,是,基本满意"}
HAZARDS = (
    "隐患编号,发现时间,隐患类型,等级,状态,整改期限,整改完成时间,地址\n"
    "YH-1,2026-10-20 10:00:00,电动车违规充电,一般,待整改,2026-10-25,,甘露园南里二区14号楼\n"
    "YH-2,2026-10-21 10:00:00,高空坠物,较大,整改中,2026-11-20,,甘露园中里8号楼\n"
)


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db_url, autocommit=True) as c:
        yield c


@pytest.fixture
def folder(tmp_path: Path, conn: psycopg.Connection) -> Path:
    """The demo's grids and buildings loaded; the office's exports are written beside them."""
    for name in ("grids.geojson", "buildings.csv"):
        shutil.copy(DEMO / name, tmp_path / name)
        load_file(conn, tmp_path / name, DATASETS[name.split(".")[0]], clock=CLOCK)
    return tmp_path


def export(folder: Path, rows: dict[str, str], name: str = "complaints.csv") -> Path:
    path = folder / name
    path.write_text(COMPLAINTS_HEADER + "".join(f"{t},{r}\n" for t, r in rows.items()), encoding="utf-8")
    return path


def load(conn: psycopg.Connection, path: Path) -> LoadResult:
    return load_file(conn, path, DATASETS[path.name.split(".")[0].split("_")[0]], clock=CLOCK)


def case_of(conn: psycopg.Connection, source_id: str) -> tuple[dict[str, Any], list[Event]]:
    """A record's case, with its row or known only from its file."""
    found = case_store.by_source(conn, Kind.WORK_ORDER if source_id.startswith("GD") else Kind.HAZARD, source_id)
    assert found is not None, source_id
    row, events = case_store.read(conn, found[0])
    return dict(row), events


def history(conn: psycopg.Connection) -> list[tuple[Any, ...]]:
    """Every case row and every event, each with its xmin: any write changes it."""
    return [
        *conn.execute("SELECT xmin::text, * FROM cases ORDER BY case_id").fetchall(),
        *conn.execute("SELECT xmin::text, * FROM case_events ORDER BY event_id").fetchall(),
    ]


def assert_rows_are_their_folds(conn: psycopg.Connection) -> None:
    """Each case (with a row or known only from its file) is what its events add up to (gridgov.cases.fold)."""
    ids = conn.execute("SELECT case_id FROM cases UNION ALL SELECT case_id FROM file_cases").fetchall()
    for (case_id,) in ids:
        row, events = case_store.read(conn, case_id)
        case = fold(Kind(row["kind"]), events)
        assert (row["state"], row["grid_code"], row["responded_at"], row["resolved_at"], row["satisfaction"],
                row["deadline"] and row["deadline"].isoformat(), row["events"]) == (
            case.state.value, case.grid_code, case.responded_at, case.resolved_at, case.satisfaction,
            case.deadline and str(case.deadline), len(events)), row["source_id"]


def note(conn: psycopg.Connection, case_id: str, text: str, by: str = "shuji") -> None:
    case_store.append(conn, case_id, Event("note", Source.SECRETARY, CLOCK.now(), by, {"note": text}))


def test_each_record_is_a_case_in_its_grid_with_the_files_facts_and_no_row(
    conn: psycopg.Connection, folder: Path
) -> None:
    result = load(conn, export(folder, YESTERDAY))
    (folder / "hazards.csv").write_text(HAZARDS, encoding="utf-8")
    load(conn, folder / "hazards.csv")
    assert result.cases is not None and result.cases.updated == 0
    assert history(conn) == []  # known only from their files: no case row, no event row
    placed = dict(conn.execute("SELECT ticket_id, grid_code FROM complaints").fetchall())
    placed |= dict(conn.execute("SELECT hazard_id, grid_code FROM hazards").fetchall())
    finished = {Path(f).name: at for f, at in conn.execute("SELECT source_file, finished_at FROM load_runs")}
    states = {}
    for source_id, grid in placed.items():
        row, events = case_of(conn, source_id)
        assert row["case_id"] == ("W-" if source_id.startswith("GD") else "H-") + source_id
        assert row["grid_code"] == grid  # where the load placed the record
        file = "complaints.csv" if source_id.startswith("GD") else "hazards.csv"
        assert [(e.action, e.source, e.actor, e.at) for e in events] == [  # the file's facts, as of its load
            ("import", Source.IMPORT, file, finished[file]),
        ]
        states[source_id] = (row["kind"], row["state"], events[0].detail["status"])
    assert states == {
        "GD-A": ("work_order", "in_progress", "in_progress"),  # 办理中
        "GD-B": ("work_order", "assigned", "pending"),  # in its grid, waiting for a response
        "GD-C": ("work_order", "resolved", "resolved"),
        "YH-1": ("hazard", "assigned", "open"),
        "YH-2": ("hazard", "in_progress", "in_progress"),
    }
    row, _ = case_of(conn, "GD-C")
    assert (row["satisfaction"], row["received_at"].isoformat()) == ("satisfied", "2026-10-29T00:00:00+00:00")
    assert case_of(conn, "YH-1")[0]["deadline"] == date(2026, 10, 25)
    assert_rows_are_their_folds(conn)


def test_the_first_action_gives_a_case_its_row_and_import_event_under_the_same_id(
    conn: psycopg.Connection, folder: Path
) -> None:
    load(conn, export(folder, YESTERDAY))
    listed = list_cases(conn, CaseFilter(kinds=(Kind.WORK_ORDER,)), CLOCK)
    assert sorted(r["case_id"] for r in listed) == ["W-GD-A", "W-GD-B", "W-GD-C"]
    before, imported = case_of(conn, "GD-B")
    leader = before["grid_code"]
    with grid_reader_transaction(conn, [leader]):  # the leader acts first, on their row-level-security connection
        case_store.append(conn, "W-GD-B", Event("respond", Source.FIELD, CLOCK.now(), "leader1", {}))
    row, events = case_store.read(conn, "W-GD-B")
    assert (row["state"], row["events"]) == ("responded", 2)
    assert events[0] == imported[0]  # the history it had, then the action
    assert [(e.action, e.source) for e in events] == [("import", Source.IMPORT), ("respond", Source.FIELD)]
    assert conn.execute("SELECT case_id, seq FROM case_events ORDER BY seq").fetchall() == [
        ("W-GD-B", 1), ("W-GD-B", 2)]
    # listed once, under the same id; the other two still from their file
    listed = list_cases(conn, CaseFilter(kinds=(Kind.WORK_ORDER,)), CLOCK)
    assert sorted(r["case_id"] for r in listed) == ["W-GD-A", "W-GD-B", "W-GD-C"]
    assert conn.execute("SELECT count(*) FROM cases").fetchone() == (1,)
    assert_rows_are_their_folds(conn)


def test_two_first_actions_at_once_make_one_case_row_and_both_events(db_url: str, folder: Path) -> None:
    with psycopg.connect(db_url, autocommit=True) as setup:
        load(setup, export(folder, YESTERDAY))
    errors: list[BaseException] = []
    with psycopg.connect(db_url, autocommit=True) as first, psycopg.connect(db_url, autocommit=True) as second:
        with first.transaction():
            note(first, "W-GD-A", "一", by="shuji")  # materialised, not yet committed

            def other() -> None:
                try:
                    note(second, "W-GD-A", "二", by="fuzeren")  # waits for the first's row, then appends
                except BaseException as e:  # reported below
                    errors.append(e)

            thread = threading.Thread(target=other)
            thread.start()
            thread.join(timeout=1)
            assert thread.is_alive()  # held by the first's uncommitted row
        thread.join(timeout=30)
    assert not errors and not thread.is_alive()
    with psycopg.connect(db_url, autocommit=True) as conn:
        assert conn.execute("SELECT case_id, events FROM cases").fetchall() == [("W-GD-A", 3)]
        _, events = case_store.read(conn, "W-GD-A")
        assert [(e.action, e.detail.get("note")) for e in events] == [("import", None), ("note", "一"), ("note", "二")]


def test_a_reload_after_the_first_action_adds_an_import_event_only_when_the_facts_changed(
    conn: psycopg.Connection, folder: Path
) -> None:
    load(conn, export(folder, YESTERDAY))
    note(conn, "W-GD-B", "已联系施工方")
    before = history(conn)
    again = load(conn, export(folder, YESTERDAY, "complaints_again.csv"))  # the same facts
    assert again.cases is not None and again.cases.updated == 0 and history(conn) == before
    today = load(conn, export(folder, TODAY, "complaints_today.csv"))  # B resolved by the office's channel
    assert today.cases is not None and today.cases.updated == 1
    row, events = case_of(conn, "GD-B")
    assert [(e.action, e.actor) for e in events] == [
        ("import", "complaints.csv"), ("note", "shuji"), ("import", "complaints_today.csv")]
    assert (row["state"], row["satisfaction"]) == ("resolved", "basically_satisfied")
    assert conn.execute("SELECT count(*) FROM cases").fetchone() == (1,)  # A and C: still no row
    assert_rows_are_their_folds(conn)


def test_a_grid_leader_sees_no_other_grids_case_known_only_from_files(conn: psycopg.Connection, folder: Path) -> None:
    load(conn, export(folder, YESTERDAY))
    grids = dict(conn.execute("SELECT ticket_id, grid_code FROM complaints").fetchall())
    mine = grids["GD-A"]
    others = {t for t, g in grids.items() if g != mine}
    assert others, "the demo's addresses place the three work orders in more than one grid"
    with grid_reader_transaction(conn, [mine]):
        listed = {r["source_id"] for r in list_cases(conn, CaseFilter(), CLOCK)}
        assert listed == {t for t, g in grids.items() if g == mine}
        for ticket in others:
            assert one_case(conn, f"W-{ticket}", CLOCK) is None
            assert case_store.events_of(conn, f"W-{ticket}") == []
    for ticket in others:
        with pytest.raises(NotFound), grid_reader_transaction(conn, [mine]):
            case_store.append(conn, f"W-{ticket}", Event("respond", Source.FIELD, CLOCK.now(), "leader1", {}))
    assert history(conn) == []  # nothing was materialised by the refused action


def test_the_databases_file_states_and_ids_are_the_loads(conn: psycopg.Connection) -> None:
    """Migration 025 states WORK_ORDER_STATES / HAZARD_STATES and case_store.file_case_id in SQL: they agree."""
    for kind, states in ((Kind.WORK_ORDER, WORK_ORDER_STATES), (Kind.HAZARD, HAZARD_STATES)):
        for status, state in states.items():
            assert conn.execute("SELECT file_case_state(%s, %s)", [kind.value, status]).fetchone() == (state.value,)
        for key in ("GD2025110100103", "YH-1", "a/b c", "工单-7", "x.json", "%41"):
            made = case_store.file_case_id(kind, key)
            assert conn.execute("SELECT file_case_id(%s, %s)", [kind.value, key]).fetchone() == (made,)
            assert case_store.file_key(made) == (kind, key)
            assert made.isascii() and all(c.isalnum() or c in "-_~" for c in made)  # safe in a URL's path
    for nonsense in ("K0123", "W", "W-", "W-a/b", "W~zz", "W~41", "X-1", ""):  # 'W~41' is 'A': its id is W-A
        assert case_store.file_key(nonsense) is None


def test_every_status_of_the_files_vocabulary_is_a_state() -> None:
    assert list(WORK_ORDER_STATES) == list(COMPLAINT_STATUSES) and list(HAZARD_STATES) == list(HAZARD_STATUSES)


def test_reloading_the_same_file_adds_no_event_and_changes_nothing(conn: psycopg.Connection, folder: Path) -> None:
    path = export(folder, YESTERDAY)
    load(conn, path)
    before = history(conn)
    again = load(conn, path)
    assert again.cases is not None and again.cases.updated == 0
    assert history(conn) == before == []
    load(conn, export(folder, TODAY, "complaints_today.csv"))  # new facts for records no one touched: no rows
    assert history(conn) == []
    assert case_of(conn, "GD-B")[0]["state"] == "resolved"


def test_a_case_resolved_in_the_field_stays_resolved_whatever_export_is_loaded_again(
    conn: psycopg.Connection, folder: Path
) -> None:
    path = export(folder, YESTERDAY)
    load(conn, path)
    row, _ = case_of(conn, "GD-A")
    with grid_reader_transaction(conn, [row["grid_code"]]):  # the grid leader, on their row-level-security connection
        case_store.append(conn, "W-GD-A", Event("resolve", Source.FIELD, CLOCK.now(), "leader1",
                                                      {"note": "地锁已拆除"}))
    field = case_of(conn, "GD-A")
    assert field[0]["state"] == "resolved"

    before = history(conn)
    load(conn, path)  # yesterday's export again: it still says 办理中
    assert history(conn) == before  # no event added, nothing rewritten
    assert grids_summed(conn, "resolved") == 2  # A as the field left it, C as the file says

    load(conn, export(folder, OLDER, "complaints_older.csv"))  # an older export: A had no response yet
    row, events = case_of(conn, "GD-A")
    assert row["state"] == "resolved" and row["resolved_at"] == field[0]["resolved_at"]  # the field's state stands
    assert [e.action for e in events] == ["import", "resolve", "import"]  # the file's facts, on record
    assert events[-1].detail["state"] == "assigned" and events[-1].actor == "complaints_older.csv"
    # the file's row says what the older export says; the layers count the case as the field left it
    assert conn.execute("SELECT responded_at FROM complaints WHERE ticket_id = 'GD-A'").fetchone() == (None,)
    assert statuses(conn)["GD-A"] == "resolved"
    assert_rows_are_their_folds(conn)


def statuses(conn: psycopg.Connection) -> dict[str, str]:
    """Each work order's status as the complaints layer's points show it (to a grid leader, for their grid)."""
    detail = registry.get("complaints").detail
    assert detail is not None
    answer = detail(conn, OCTOBER, LAYER_SETTINGS)
    return {f["properties"]["ticket_id"]: f["properties"]["status"] for f in answer["features"]}


def test_a_case_known_only_from_files_is_what_the_latest_file_says_and_keeps_only_those_facts(
    conn: psycopg.Connection, folder: Path
) -> None:
    load(conn, export(folder, YESTERDAY))
    load(conn, export(folder, TODAY, "complaints_today.csv"))
    row, events = case_of(conn, "GD-B")
    assert (row["state"], row["satisfaction"], len(events)) == ("resolved", "basically_satisfied", 1)
    assert events[0].actor == "complaints_today.csv"  # its latest file facts only
    assert row["responded_at"].isoformat() == "2026-10-30T03:30:00+00:00"
    load(conn, export(folder, OLDER, "complaints_older.csv"))  # C still 办理中 there, B pending
    # no one acted on them: the case, the file's row and the layers all say what the last file said
    assert (case_of(conn, "GD-C")[0]["state"], statuses(conn)["GD-C"]) == ("in_progress", "in_progress")
    assert (case_of(conn, "GD-B")[0]["state"], statuses(conn)["GD-B"]) == ("assigned", "pending")
    assert history(conn) == []
    assert_rows_are_their_folds(conn)


def grids_summed(conn: psycopg.Connection, column: str, layer: str = "complaints", filters: Filters = OCTOBER) -> int:
    answer = registry.aggregate(conn, layer, SECRETARY, filters, LAYER_SETTINGS)
    return community.total(answer, column)


def test_a_hazard_rectified_in_the_field_is_no_longer_overdue(conn: psycopg.Connection, folder: Path) -> None:
    (folder / "hazards.csv").write_text(HAZARDS, encoding="utf-8")
    load(conn, folder / "hazards.csv")
    now = Filters(as_of=date(2026, 10, 31))
    assert (grids_summed(conn, "overdue", "hazards", now), grids_summed(conn, "closed", "hazards", now)) == (1, 0)
    row, _ = case_of(conn, "YH-1")
    with grid_reader_transaction(conn, [row["grid_code"]]):
        case_store.append(conn, "H-YH-1", Event("resolve", Source.FIELD, CLOCK.now(), "leader1",
                                                      {"note": "已清理充电线"}))
    assert (grids_summed(conn, "overdue", "hazards", now), grids_summed(conn, "closed", "hazards", now)) == (0, 1)
    load(conn, folder / "hazards.csv")  # the office's file still says 待整改
    assert grids_summed(conn, "overdue", "hazards", now) == 0


def test_the_communitys_rates_follow_the_loop_and_are_the_grids_counts_summed(
    conn: psycopg.Connection, folder: Path
) -> None:
    load(conn, export(folder, YESTERDAY))

    def figures() -> tuple[community.Complaints, dict[str, int]]:
        answer = registry.aggregate(conn, "complaints", SECRETARY, OCTOBER, LAYER_SETTINGS)
        counts = {c: community.total(answer, c) for d in rates.COMPLAINT_RATES for c in d.counts}
        return community.complaints(answer, LAYER_SETTINGS), counts

    before, counts = figures()
    # GD-B: waiting since 11:00 on the 30th, past the 2-hour limit: late; the leader responds, resolves, the
    # secretary verifies with the caller's 满意
    row, _ = case_of(conn, "GD-B")
    with grid_reader_transaction(conn, [row["grid_code"]]):
        case_store.append(conn, row["case_id"], Event("respond", Source.FIELD, CLOCK.now(), "leader1", {}))
        case_store.append(conn, row["case_id"], Event("resolve", Source.FIELD, CLOCK.now(), "leader1",
                                                      {"note": "已协调施工方"}))
    case_store.append(conn, row["case_id"], Event("verify", Source.SECRETARY, CLOCK.now(), "shuji",
                                                  {"satisfaction": "satisfied"}))
    after, counts_after = figures()
    assert counts_after == {**counts, "resolved": counts["resolved"] + 1, "outcome_known": counts["outcome_known"] + 1,
                            "satisfied": counts["satisfied"] + 1, "rated": counts["rated"] + 1}
    # late either way (answered on the 31st): the response rate keeps its base; the other two gain one each
    assert after.response == before.response and after.complaints == before.complaints == 3
    assert after.resolution == rates.Rate(rates.percent(counts["resolved"] + 1, counts["outcome_known"] + 1),
                                          counts["outcome_known"] + 1)
    assert after.satisfaction == rates.Rate(rates.percent(counts["satisfied"] + 1, counts["rated"] + 1),
                                            counts["rated"] + 1)
    assert (after.resolution.percent, after.satisfaction.percent) == (100.0, 100.0)  # C and B, both satisfied
    for definition, rate in zip(rates.COMPLAINT_RATES, (after.response, after.resolution, after.satisfaction),
                                strict=True):
        assert rate == definition.of(counts_after, LAYER_SETTINGS)


def test_a_work_order_that_came_in_through_the_intake_api_counts_too(conn: psycopg.Connection, folder: Path) -> None:
    load(conn, export(folder, YESTERDAY))
    grid = conn.execute("SELECT min(grid_code) FROM grids").fetchone()[0]  # type: ignore[index]
    opening = case_store.Opening(Kind.WORK_ORDER, category="环境卫生", description="垃圾未清运", grid_code=grid)
    case_id = case_store.open_case(conn, opening, source=Source.INTAKE, actor="12345", clock=CLOCK)
    assert grids_summed(conn, "complaints") == 4 and grids_summed(conn, "pending") == 2  # B and the new one
    with grid_reader_transaction(conn, [grid]):
        case_store.append(conn, case_id, Event("respond", Source.FIELD, CLOCK.now(), "leader1", {}))
    # answered at once: in time
    assert (grids_summed(conn, "responded_in_time"), grids_summed(conn, "in_progress")) == (3, 2)


def test_a_work_order_moved_to_another_grid_leaves_the_first_leaders_counts(
    conn: psycopg.Connection, folder: Path
) -> None:
    load(conn, export(folder, YESTERDAY))
    row, _ = case_of(conn, "GD-B")
    first = row["grid_code"]
    other = conn.execute("SELECT min(grid_code) FROM grids WHERE grid_code <> %s", [first]).fetchone()[0]  # type: ignore[index]

    def leaders_count(grid: str) -> int:
        with grid_reader_transaction(conn, [grid]):  # the leader's own connection, as the dashboard asks
            answer = registry.aggregate(conn, "complaints", Viewer(Role.GRID_LEADER, grid), OCTOBER, LAYER_SETTINGS)
        return community.total(answer, "complaints")

    before = leaders_count(first), leaders_count(other)
    case_store.append(conn, row["case_id"], Event("reassign", Source.SECRETARY, CLOCK.now(), "shuji",
                                                  {"grid_code": other}))
    # the file's row still places it in the first grid; the case, which the first leader no longer sees, does not
    assert conn.execute("SELECT grid_code FROM complaints WHERE ticket_id = 'GD-B'").fetchone() == (first,)
    assert (leaders_count(first), leaders_count(other)) == (before[0] - 1, before[1] + 1)
    assert grids_summed(conn, "complaints") == 3  # the secretary counts it once, in its new grid
    for grid, listed in ((first, False), (other, True)):  # and lists it once, in its new grid only
        with grid_reader_transaction(conn, [grid]):
            ids = [r["case_id"] for r in list_cases(conn, CaseFilter(), CLOCK)]
            assert ids.count("W-GD-B") == int(listed) and (one_case(conn, "W-GD-B", CLOCK) is not None) == listed
