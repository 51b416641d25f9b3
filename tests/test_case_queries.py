"""The case lists on a real PostGIS: most urgent first, one meaning of overdue, and a leader's list is their grids'
(gridgov/case_queries.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import psycopg
import pytest
from community import CLOCK
from seed_sql import seed_small_community

from gridgov import case_store
from gridgov.case_queries import CaseFilter, list_cases, one_case, waiting_units
from gridgov.case_store import Opening
from gridgov.cases import Event, Kind, Source
from gridgov.errors import InputError
from gridgov.rls import grid_reader_transaction


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db_url, autocommit=True) as c:
        seed_small_community(c)
        yield c


def opened(conn: psycopg.Connection, days_ago: float, grid: str | None = "G01", kind: Kind = Kind.WORK_ORDER) -> str:
    clock = replace(CLOCK, fixed=CLOCK.now() - timedelta(days=days_ago))
    return case_store.open_case(conn, Opening(kind, category="噪音扰民", grid_code=grid), source=Source.INTAKE
                                if kind is Kind.WORK_ORDER else Source.FIELD, actor="t", clock=clock)


def test_overdue_cases_come_first_then_the_nearest_deadline(conn: psycopg.Connection) -> None:
    fresh, late, older_fresh = opened(conn, 0.01), opened(conn, 6), opened(conn, 0.02)
    conn.execute("UPDATE case_deadlines SET respond_hours = NULL WHERE kind = 'work_order'")  # only the 5 days count
    rows = list_cases(conn, CaseFilter(open_only=True), CLOCK)
    assert [r["case_id"] for r in rows] == [late, older_fresh, fresh]
    assert [r["overdue"] for r in rows] == [True, False, False]
    assert rows[0]["age"] >= timedelta(days=6)
    assert list_cases(conn, CaseFilter(overdue=True), CLOCK)[0]["case_id"] == late


def test_a_missed_first_response_makes_a_work_order_overdue_until_it_is_answered(conn: psycopg.Connection) -> None:
    case_id = opened(conn, 0.5)  # 12 hours, the rule allows 2 for a response
    assert one_case(conn, case_id, CLOCK)["overdue"] is True  # type: ignore[index]
    with grid_reader_transaction(conn, ["G01"]):
        case_store.append(conn, case_id, Event("respond", Source.FIELD, CLOCK.now(), "leader1"))
    assert one_case(conn, case_id, CLOCK)["overdue"] is False  # type: ignore[index]


def test_a_category_deadline_is_data_and_a_set_date_overrides_it(conn: psycopg.Connection) -> None:
    case_id = opened(conn, 3, kind=Kind.HAZARD)  # hazards: 14 days by default
    assert one_case(conn, case_id, CLOCK)["overdue"] is False  # type: ignore[index]
    conn.execute("INSERT INTO case_deadlines (kind, category, resolve_days) VALUES ('hazard', '噪音扰民', 2)")
    assert one_case(conn, case_id, CLOCK)["overdue"] is True  # type: ignore[index]
    case_store.append(conn, case_id, Event("set_deadline", Source.SECRETARY, CLOCK.now(), "shuji",
                                           {"deadline": (CLOCK.today() + timedelta(days=3)).isoformat()}))
    assert one_case(conn, case_id, CLOCK)["overdue"] is False  # type: ignore[index]


def test_a_leader_lists_their_grids_and_the_queue_holds_the_unplaced(conn: psycopg.Connection) -> None:
    mine, theirs, unplaced = opened(conn, 1), opened(conn, 1, "G02"), opened(conn, 1, None)
    with grid_reader_transaction(conn, ["G01"]):
        assert [r["case_id"] for r in list_cases(conn, CaseFilter(), CLOCK)] == [mine]
        assert one_case(conn, theirs, CLOCK) is None
    assert [r["case_id"] for r in list_cases(conn, CaseFilter(unplaced=True), CLOCK)] == [unplaced]


def test_an_escalation_is_listed_as_waiting_until_the_unit_acknowledges(conn: psycopg.Connection) -> None:
    conn.execute("INSERT INTO units (name, kind) VALUES ('派出所', 'police')")
    case_id = opened(conn, 1)
    case_store.append(conn, case_id, Event("escalate", Source.SECRETARY, CLOCK.now(), "shuji",
                                           {"units": ["派出所"], "reason": "需民警到场"}))
    assert [r["case_id"] for r in list_cases(conn, CaseFilter(escalated=True), CLOCK)] == [case_id]
    assert [(w.case_id, w.unit) for w in waiting_units(conn)] == [(case_id, "派出所")]
    case_store.append(conn, case_id, Event("acknowledge", Source.UNIT, CLOCK.now(), "派出所", {"unit": "派出所"}))
    assert list_cases(conn, CaseFilter(escalated=True), CLOCK) == [] and waiting_units(conn) == []


def test_a_page_is_bounded() -> None:
    with pytest.raises(InputError, match="limit"):
        CaseFilter(limit=100_000)
