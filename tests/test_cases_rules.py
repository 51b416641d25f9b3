"""The case loop's rules (gridgov/cases.py): what each action does, what is refused, and what a file may change."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from community import CLOCK

from gridgov.cases import ACTIONS, Case, Event, Kind, NotAllowed, Source, State, allowed, fold

T0 = CLOCK.now()


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def ev(action: str, source: Source, hours: float, **detail: object) -> Event:
    return Event(action, source, at(hours), "someone", detail)


def imported(state: State, fact_hours: float, loaded_hours: float, **facts: object) -> Event:
    return ev("import", Source.IMPORT, loaded_hours, state=state.value, fact_at=at(fact_hours).isoformat(), **facts)


LOOP = [
    ev("assign", Source.INTAKE, 0, grid_code="G01"),
    ev("respond", Source.FIELD, 1),
    ev("note", Source.FIELD, 2, note="called the resident"),
    ev("start", Source.FIELD, 3),
    ev("resolve", Source.FIELD, 4, note="pipe fixed"),
    ev("verify", Source.SECRETARY, 5, satisfaction="satisfied"),
]


def test_a_work_order_goes_round_the_loop_and_keeps_its_times() -> None:
    case = fold(Kind.WORK_ORDER, LOOP)
    assert case.state is State.VERIFIED and case.grid_code == "G01"
    assert (case.responded_at, case.resolved_at, case.done_at) == (at(1), at(4), at(5))
    assert case.satisfaction == "satisfied"


def test_each_prefix_of_the_loop_stands_where_its_last_move_put_it() -> None:
    states = [fold(Kind.WORK_ORDER, LOOP[:n]).state for n in range(len(LOOP) + 1)]
    assert states == [
        State.RECEIVED, State.ASSIGNED, State.RESPONDED, State.RESPONDED, State.IN_PROGRESS, State.RESOLVED, State.VERIFIED,
    ]


def test_an_action_the_state_does_not_allow_is_refused_with_what_is_allowed() -> None:
    case = fold(Kind.WORK_ORDER, LOOP[:2])  # responded
    with pytest.raises(NotAllowed) as refused:
        fold(Kind.WORK_ORDER, [*LOOP[:2], ev("verify", Source.SECRETARY, 2)])
    assert set(refused.value.allowed) == set(allowed(case, Source.SECRETARY))
    assert "verify" not in refused.value.allowed and "resolve" in refused.value.allowed


@pytest.mark.parametrize(
    ("events", "why"),
    [
        ([ev("respond", Source.FIELD, 1)], "not in a grid yet"),
        ([*LOOP[:1], ev("verify", Source.FIELD, 1)], "a leader does not verify"),
        ([*LOOP[:1], ev("resolve", Source.FIELD, 1)], "a resolution needs its note"),
        ([*LOOP[:1], ev("acknowledge", Source.FIELD, 1, unit="police")], "only a unit reports for duty"),
        ([*LOOP[:1], ev("rewrite_history", Source.SECRETARY, 1)], "no such action"),
        ([*LOOP[:1], ev("import", Source.FIELD, 1, state="resolved", fact_at=at(1).isoformat())], "a person is no file"),
    ],
)
def test_what_no_one_may_do(events: list[Event], why: str) -> None:
    with pytest.raises(NotAllowed):
        fold(Kind.WORK_ORDER, events)


def test_a_hazard_is_found_in_its_grid_needs_no_response_and_is_rectified() -> None:
    case = fold(Kind.HAZARD, [
        ev("set_deadline", Source.SECRETARY, 0, deadline="2026-11-15"),
        ev("start", Source.FIELD, 1),
        ev("resolve", Source.FIELD, 2, note="railing replaced", photo_id="p1"),
        ev("verify", Source.SECRETARY, 3),
    ])
    assert case.state is State.VERIFIED and case.deadline == "2026-11-15" and case.resolved_at == at(2)
    assert "respond" not in allowed(Case(Kind.HAZARD, State.ASSIGNED), Source.FIELD)


def test_reassignment_puts_the_case_in_the_other_grid_and_back_to_waiting() -> None:
    case = fold(Kind.WORK_ORDER, [*LOOP[:2], ev("reassign", Source.SECRETARY, 2, grid_code="G02")])
    assert (case.state, case.grid_code) == (State.ASSIGNED, "G02")


def test_reopening_clears_the_outcome() -> None:
    case = fold(Kind.WORK_ORDER, [*LOOP, ev("reopen", Source.SECRETARY, 6, note="leak is back")])
    assert case.state is State.IN_PROGRESS and (case.resolved_at, case.done_at, case.satisfaction) == (None, None, None)


def test_notes_escalations_and_reports_leave_the_state_alone() -> None:
    before = fold(Kind.WORK_ORDER, LOOP[:2])
    after = fold(Kind.WORK_ORDER, [
        *LOOP[:2],
        ev("escalate", Source.FIELD, 2, units=["property"], reason="roof"),
        ev("acknowledge", Source.UNIT, 3, unit="property"),
        ev("report", Source.UNIT, 4, unit="property", note="tarp on"),
        ev("photo", Source.FIELD, 5, photo_id="p2"),
    ])
    assert after == before


def test_a_file_loaded_again_never_undoes_field_work() -> None:
    resolved_in_field = [*LOOP[:5]]
    # yesterday's export still says 办理中, loaded after the leader resolved it
    case = fold(Kind.WORK_ORDER, [*resolved_in_field, imported(State.IN_PROGRESS, fact_hours=-20, loaded_hours=6)])
    assert case.state is State.RESOLVED and case.resolved_at == at(4)


def test_an_old_resolution_in_a_file_does_not_close_a_case_reopened_since() -> None:
    events = [*LOOP, ev("reopen", Source.SECRETARY, 6, note="leak is back")]
    case = fold(Kind.WORK_ORDER, [*events, imported(State.RESOLVED, fact_hours=4.5, loaded_hours=7)])
    assert case.state is State.IN_PROGRESS


def test_a_newer_fact_in_a_file_moves_a_case_forward_and_fills_what_is_unknown() -> None:
    case = fold(Kind.WORK_ORDER, [
        imported(State.ASSIGNED, fact_hours=0, loaded_hours=0, grid_code="G03"),
        imported(State.RESOLVED, fact_hours=8, loaded_hours=9, responded_at=at(1).isoformat(), resolved_at=at(8).isoformat()),
    ])
    assert (case.state, case.grid_code, case.responded_at, case.resolved_at) == (State.RESOLVED, "G03", at(1), at(8))
    # and a person's later step still counts
    case = fold(Kind.WORK_ORDER, [
        imported(State.ASSIGNED, fact_hours=0, loaded_hours=0, grid_code="G03"),
        ev("respond", Source.FIELD, 1),
        imported(State.ASSIGNED, fact_hours=0, loaded_hours=2),
    ])
    assert case.state is State.RESPONDED


def test_every_action_names_who_may_take_it_and_from_where() -> None:
    for name, action in ACTIONS.items():
        assert action.sources and action.from_states, name
