"""The case store on a real PostGIS: the loop written as events, the row their fold, the history untouchable,
and a grid leader's reach held by row-level security (migration 020, gridgov/case_store.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import psycopg
import pytest
from community import CLOCK
from seed_sql import seed_small_community

from gridgov import case_store
from gridgov.case_store import Opening
from gridgov.cases import Event, Kind, NotAllowed, Source, State, fold
from gridgov.errors import Forbidden, InputError, NotFound
from gridgov.rls import grid_reader_transaction


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db_url, autocommit=True) as c:
        seed_small_community(c)
        yield c


def ev(action: str, source: Source, actor: str = "someone", **detail: object) -> Event:
    return Event(action, source, CLOCK.now(), actor, detail)


def work_order(conn: psycopg.Connection, grid: str | None = None) -> str:
    opening = Opening(Kind.WORK_ORDER, category="噪音扰民", description="楼下施工噪音", lon_lat=(116.49, 39.91), grid_code=grid)
    return case_store.open_case(conn, opening, source=Source.INTAKE, actor="12345", clock=CLOCK)


def test_a_case_goes_round_the_loop_and_its_row_is_the_fold_of_its_events(conn: psycopg.Connection) -> None:
    case_id = work_order(conn)
    row, _ = case_store.read(conn, case_id)
    assert (row["state"], row["grid_code"]) == ("received", None)  # unplaced: waits in the secretary's queue
    case_store.append(conn, case_id, ev("assign", Source.SECRETARY, "shuji", grid_code="G01"))
    with grid_reader_transaction(conn, ["G01"]):
        case_store.append(conn, case_id, ev("respond", Source.FIELD, "leader1"))
        case_store.append(conn, case_id, ev("resolve", Source.FIELD, "leader1", note="施工时间已调整"))
    case_store.append(conn, case_id, ev("verify", Source.SECRETARY, "shuji", satisfaction="basically_satisfied"))
    row, events = case_store.read(conn, case_id)
    assert [e.action for e in events] == ["open", "assign", "respond", "resolve", "verify"]
    assert (row["state"], row["grid_code"], row["satisfaction"], row["events"]) == (
        "verified", "G01", "basically_satisfied", 5,
    )
    rebuilt = fold(Kind.WORK_ORDER, events)
    assert (rebuilt.state.value, rebuilt.responded_at, rebuilt.resolved_at) == (
        row["state"], row["responded_at"], row["resolved_at"],
    )


def test_the_history_cannot_be_changed_or_removed_even_by_the_owner(conn: psycopg.Connection) -> None:
    case_id = work_order(conn, "G01")
    for statement in (
        "UPDATE case_events SET action = 'resolve' WHERE case_id = %s",
        "DELETE FROM case_events WHERE case_id = %s",
        "TRUNCATE case_events CASCADE",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute(statement, [case_id] if "%s" in statement else [])
    assert len(case_store.read(conn, case_id)[1]) == 2  # open, assign


def test_an_action_that_does_not_fit_is_refused_and_nothing_is_written(conn: psycopg.Connection) -> None:
    case_id = work_order(conn, "G01")
    with pytest.raises(NotAllowed) as refused:
        case_store.append(conn, case_id, ev("verify", Source.SECRETARY, "shuji"))
    assert "reassign" in refused.value.allowed and "verify" not in refused.value.allowed  # the secretary's options now
    assert len(case_store.read(conn, case_id)[1]) == 2


def test_a_leader_reaches_only_the_cases_of_their_grids(conn: psycopg.Connection) -> None:
    theirs, other = work_order(conn, "G01"), work_order(conn, "G02")
    with grid_reader_transaction(conn, ["G01"]):
        assert conn.execute("SELECT array_agg(case_id) FROM cases").fetchone()[0] == [theirs]  # type: ignore[index]
        assert conn.execute("SELECT count(*) FROM case_events WHERE case_id = %s", [other]).fetchone()[0] == 0  # type: ignore[index]
        with pytest.raises(NotFound):
            case_store.append(conn, other, ev("respond", Source.FIELD, "leader1"))
    with grid_reader_transaction(conn, ["G01"]), pytest.raises(NotFound):
        case_store.read(conn, other)
    assert case_store.read(conn, other)[0]["state"] == "assigned"  # untouched


def test_a_reassigned_case_leaves_the_first_leaders_view_at_once(conn: psycopg.Connection) -> None:
    case_id = work_order(conn, "G01")
    case_store.append(conn, case_id, ev("reassign", Source.SECRETARY, "shuji", grid_code="G03"))
    with grid_reader_transaction(conn, ["G01"]), pytest.raises(NotFound):
        case_store.append(conn, case_id, ev("respond", Source.FIELD, "leader1"))
    with grid_reader_transaction(conn, ["G03"]):
        assert case_store.append(conn, case_id, ev("respond", Source.FIELD, "leader3")).state is State.RESPONDED


def test_a_leader_raises_a_case_in_their_own_grid_only(conn: psycopg.Connection) -> None:
    raised = Opening(Kind.RAISED, category="楼道堆物", description="三单元楼道堆放纸箱", lon_lat=(116.49, 39.91), grid_code="G01")
    with grid_reader_transaction(conn, ["G01"]):
        case_id = case_store.open_case(conn, raised, source=Source.FIELD, actor="leader1", clock=CLOCK)
    assert case_store.read(conn, case_id)[0]["state"] == "assigned"
    elsewhere = Opening(Kind.RAISED, category="楼道堆物", grid_code="G02")
    with grid_reader_transaction(conn, ["G01"]), pytest.raises(Forbidden):
        case_store.open_case(conn, elsewhere, source=Source.FIELD, actor="leader1", clock=CLOCK)
    assert conn.execute("SELECT count(*) FROM cases WHERE grid_code = 'G02'").fetchone()[0] == 0  # type: ignore[index]


def test_two_people_acting_at_once_are_put_one_after_the_other(db_url: str, conn: psycopg.Connection) -> None:
    case_id = work_order(conn, "G01")
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def respond(actor: str) -> None:
        with psycopg.connect(db_url, autocommit=True) as own:
            start.wait()
            try:
                case_store.append(own, case_id, ev("respond", Source.FIELD, actor))
                outcomes.append("stored")
            except NotAllowed:
                outcomes.append("refused")

    threads = [threading.Thread(target=respond, args=(a,)) for a in ("leader1", "secretary")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "stored"]
    row, events = case_store.read(conn, case_id)
    assert [e.action for e in events].count("respond") == 1 and row["events"] == len(events) == 3


def test_an_escalation_waits_for_each_unit_until_it_reports_for_duty(conn: psycopg.Connection) -> None:
    conn.execute(
        "INSERT INTO units (name, kind, contact, ack_hours) VALUES"
        " ('城管执法队', 'street_department', '王队 13800000000', 2), ('物业公司', 'property', NULL, 24)"
    )
    case_id = work_order(conn, "G01")
    with grid_reader_transaction(conn, ["G01"]):
        case_store.append(conn, case_id, ev("escalate", Source.FIELD, "leader1", units=["城管执法队", "物业公司"],
                                            reason="占道施工，需执法"))
    with pytest.raises(InputError, match="no active unit named 派出所"):
        case_store.append(conn, case_id, ev("escalate", Source.SECRETARY, "shuji", units=["派出所"], reason="x"))
    with pytest.raises(NotAllowed, match="was not called in"):
        case_store.append(conn, case_id, ev("acknowledge", Source.UNIT, "派出所", unit="派出所"))
    case_store.append(conn, case_id, ev("acknowledge", Source.UNIT, "城管执法队", unit="城管执法队"))
    waiting = conn.execute(
        "SELECT unit, ack_due_at - escalated_at FROM case_escalations WHERE case_id = %s AND acknowledged_at IS NULL",
        [case_id],
    ).fetchall()
    assert [(u, d.total_seconds() / 3600) for u, d in waiting] == [("物业公司", 24)]
    case_store.append(conn, case_id, ev("report", Source.UNIT, "物业公司", unit="物业公司", note="已清理"))
    assert conn.execute(
        "SELECT count(*) FROM case_escalations WHERE case_id = %s AND (acknowledged_at IS NULL OR unit = '物业公司'"
        " AND reported_at IS NULL)", [case_id],
    ).fetchone() == (0,)


def test_a_case_placed_by_hand_with_a_point_is_where_it_was_placed(conn: psycopg.Connection) -> None:
    case_id = case_store.open_case(conn, Opening(Kind.WORK_ORDER, category="噪音扰民"), source=Source.INTAKE,
                                   actor="12345", clock=CLOCK)
    assert case_store.read(conn, case_id)[0]["lon"] is None
    case_store.append(conn, case_id, ev("assign", Source.SECRETARY, "shuji", grid_code="G01", lon=116.49, lat=39.91))
    row, events = case_store.read(conn, case_id)
    assert (row["grid_code"], row["lon"], row["lat"]) == ("G01", 116.49, 39.91)
    assert events[-1].detail["lon"] == 116.49  # the event keeps where it was placed


def test_a_case_is_never_placed_in_a_grid_that_does_not_exist(conn: psycopg.Connection) -> None:
    with pytest.raises(InputError, match="no grid G99"):
        work_order(conn, "G99")
    case_id = work_order(conn)
    for action in ("assign", "reassign"):
        with pytest.raises((InputError, NotAllowed)):
            case_store.append(conn, case_id, ev(action, Source.SECRETARY, "shuji", grid_code="G99"))
    assert conn.execute("SELECT count(*) FROM cases WHERE grid_code = 'G99'").fetchone() == (0,)
    with pytest.raises(InputError, match="no grid G99"):  # the one assign allows: refused for the grid
        case_store.append(conn, case_id, ev("assign", Source.SECRETARY, "shuji", grid_code="G99"))
