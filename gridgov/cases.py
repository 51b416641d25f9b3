"""The case loop's rules, as data: the states a case goes through, the actions that move it, and who may act.

A case is a 12345 work order, a hazard, or a problem a grid leader raises before
anyone complains (未诉先办). Its history is a list of events that is only ever
appended to; its state is what `fold` makes of that list, so the state can always
be rebuilt from the events, and a correction is one more event.

    received → assigned → responded → in_progress → resolved → verified | closed
                  ↑  (reassign: back to assigned, in another grid)        ↓ reopen → in_progress

A hazard is found in its grid (it starts assigned), needs no response, and is
rectified (resolved) and verified; a raised case starts assigned too. Notes,
photos, escalations, deadlines and a unit's acknowledgement (报到) or report
leave the state as it is.

Who acts is the event's source: the grid leader in the field, the secretary,
the intake API (Open311), a unit called in (吹哨报到), or a file import. Each
action names the sources that may take it (`ACTIONS`).

A file loaded again must never undo work done in gridgov. An import event
states the file's facts (its status and times); it moves the state only
forward along RANK, and only when its fact is newer than the last event by a
person that set the state. So a case resolved in the field stays resolved when
yesterday's export still says 办理中, and a case reopened in the field stays open
when an old export that says it was resolved is loaded again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from gridgov.errors import GridgovError


class Kind(StrEnum):
    """Where a case came from."""

    WORK_ORDER = "work_order"  # 12345 工单: by the intake API or an office file
    HAZARD = "hazard"  # 安全隐患
    RAISED = "raised"  # 未诉先办: raised by a grid leader in the field


class State(StrEnum):
    """Where a case is in the loop."""

    RECEIVED = "received"  # in, not yet in a grid (no placeable location: the secretary's queue)
    ASSIGNED = "assigned"  # in a grid, waiting for its leader
    RESPONDED = "responded"  # first contact with the resident
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"  # the leader (or the file) says it is done; a hazard: rectified
    VERIFIED = "verified"  # the secretary checked it
    CLOSED = "closed"  # the secretary closed it without a check (withdrawn, duplicate, …)


class Source(StrEnum):
    """Who wrote an event."""

    FIELD = "field"  # a grid leader
    SECRETARY = "secretary"
    INTAKE = "intake"  # a system through the intake API
    UNIT = "unit"  # a unit called in
    IMPORT = "import"  # an office file


OPEN = frozenset({State.RECEIVED, State.ASSIGNED, State.RESPONDED, State.IN_PROGRESS})
DONE = frozenset({State.RESOLVED, State.VERIFIED, State.CLOSED})
# how far along the loop a state is: an import only ever moves a case forward along this
RANK: Mapping[State, int] = {
    State.RECEIVED: 0, State.ASSIGNED: 1, State.RESPONDED: 2, State.IN_PROGRESS: 3,
    State.RESOLVED: 4, State.VERIFIED: 5, State.CLOSED: 5,
}
START: Mapping[Kind, State] = {Kind.WORK_ORDER: State.RECEIVED, Kind.HAZARD: State.ASSIGNED, Kind.RAISED: State.ASSIGNED}

_F, _S, _I, _U = Source.FIELD, Source.SECRETARY, Source.INTAKE, Source.UNIT
_PEOPLE = frozenset({_F, _S})


@dataclass(frozen=True)
class Action:
    """One thing that can be done to a case: from which states, to which (None: the state stays), by whom."""

    sources: frozenset[Source]
    from_states: frozenset[State]
    to: State | None = None
    kinds: frozenset[Kind] = frozenset(Kind)
    needs: tuple[str, ...] = ()  # fields the event's detail must carry


ACTIONS: Mapping[str, Action] = {
    # a case's first event: who brought it in, and what they said (the case's row carries the same facts)
    "open": Action(frozenset({_F, _S, _I, Source.IMPORT}), frozenset(START.values())),
    "assign": Action(frozenset({_S, _I}), frozenset({State.RECEIVED}), State.ASSIGNED, needs=("grid_code",)),
    "reassign": Action(frozenset({_S}), OPEN - {State.RECEIVED}, State.ASSIGNED, needs=("grid_code",)),
    "respond": Action(_PEOPLE, frozenset({State.ASSIGNED}), State.RESPONDED, kinds=frozenset({Kind.WORK_ORDER})),
    "start": Action(_PEOPLE, frozenset({State.ASSIGNED, State.RESPONDED}), State.IN_PROGRESS),
    "resolve": Action(_PEOPLE, OPEN - {State.RECEIVED}, State.RESOLVED, needs=("note",)),
    "verify": Action(frozenset({_S}), frozenset({State.RESOLVED}), State.VERIFIED),
    "close": Action(frozenset({_S}), OPEN | {State.RESOLVED}, State.CLOSED, needs=("note",)),
    "reopen": Action(frozenset({_S}), DONE, State.IN_PROGRESS, needs=("note",)),
    "note": Action(_PEOPLE | {_I}, OPEN | DONE, needs=("note",)),
    "photo": Action(_PEOPLE, OPEN | DONE, needs=("photo_id",)),
    "set_deadline": Action(frozenset({_S, Source.IMPORT}), OPEN, needs=("deadline",)),
    "escalate": Action(_PEOPLE, OPEN - {State.RECEIVED}, needs=("units", "reason")),
    "acknowledge": Action(frozenset({_U}), OPEN | DONE, needs=("unit",)),
    "report": Action(frozenset({_U}), OPEN | DONE, needs=("unit", "note")),
    # an office file's facts: a state (`state`) as of a time (`fact_at`); see the module's docstring
    "import": Action(frozenset({Source.IMPORT}), OPEN | DONE, needs=("state", "fact_at")),
}


class NotAllowed(GridgovError):
    """An action the case's state (or kind, or the actor) does not allow; carries what is allowed instead."""

    def __init__(self, message: str, allowed: tuple[str, ...]) -> None:
        super().__init__(message)
        self.allowed = allowed


@dataclass(frozen=True)
class Event:
    """One step of a case's history, as stored."""

    action: str
    source: Source
    at: datetime
    actor: str
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    """What the events of a case add up to."""

    kind: Kind
    state: State
    grid_code: str | None = None
    state_set_at: datetime | None = None  # when a person (or a newer file fact) last set the state
    responded_at: datetime | None = None
    resolved_at: datetime | None = None
    done_at: datetime | None = None  # verified or closed
    satisfaction: str | None = None
    deadline: str | None = None


def allowed(case: Case, source: Source) -> tuple[str, ...]:
    """The actions `source` may take on `case` now, in ACTIONS' order."""
    return tuple(
        name for name, a in ACTIONS.items() if source in a.sources and case.state in a.from_states and case.kind in a.kinds
    )


def check(case: Case, event: Event) -> None:
    """Refuse (NotAllowed) an event the case's state, kind or the event's source does not allow, or lacking a field."""
    action = ACTIONS.get(event.action)
    if action is None:
        raise NotAllowed(f"unknown action {event.action!r}", allowed(case, event.source))
    if event.source not in action.sources or case.state not in action.from_states or case.kind not in action.kinds:
        raise NotAllowed(
            f"{event.action} is not possible for a {case.kind.value} case that is {case.state.value}"
            f" (by {event.source.value})",
            allowed(case, event.source),
        )
    missing = [name for name in action.needs if event.detail.get(name) in (None, "", [])]
    if missing:
        raise NotAllowed(f"{event.action} needs {', '.join(missing)}", allowed(case, event.source))


def apply(case: Case, event: Event) -> Case:
    """The case after `event` (already checked)."""
    action = ACTIONS[event.action]
    detail = event.detail
    if event.action == "import":
        return _imported(case, event)
    if "grid_code" in detail:
        case = replace(case, grid_code=str(detail["grid_code"]))
    if event.action == "set_deadline":
        case = replace(case, deadline=str(detail["deadline"]))
    if action.to is None:
        return case
    case = replace(case, state=action.to, state_set_at=event.at)
    if action.to is State.RESPONDED:
        case = replace(case, responded_at=case.responded_at or event.at)
    elif action.to is State.RESOLVED:
        case = replace(case, resolved_at=event.at, done_at=None)
    elif action.to in (State.VERIFIED, State.CLOSED):
        case = replace(case, done_at=event.at, satisfaction=detail.get("satisfaction") or case.satisfaction)
    elif event.action == "reopen":
        case = replace(case, resolved_at=None, done_at=None, satisfaction=None)
    return case


def _imported(case: Case, event: Event) -> Case:
    """A file's facts: times fill what is unknown; the state moves only forward, and only to a newer fact."""
    detail = event.detail
    fact_at = datetime.fromisoformat(str(detail["fact_at"]))
    case = replace(
        case,
        responded_at=case.responded_at or _time(detail.get("responded_at")),
        satisfaction=case.satisfaction or detail.get("satisfaction"),
        deadline=case.deadline or detail.get("deadline"),
        grid_code=case.grid_code or detail.get("grid_code"),
    )
    state = State(str(detail["state"]))
    newer = case.state_set_at is None or fact_at > case.state_set_at
    if RANK[state] > RANK[case.state] and newer:
        case = replace(case, state=state, state_set_at=fact_at)
        if state in DONE:
            case = replace(case, resolved_at=case.resolved_at or _time(detail.get("resolved_at")) or fact_at)
    return case


def _time(value: Any) -> datetime | None:
    return None if value in (None, "") else datetime.fromisoformat(str(value))


def fold(kind: Kind, events: Iterable[Event]) -> Case:
    """The case its events make, in order; an event that is not allowed where it stands is refused."""
    case = Case(kind, START[kind])
    events = list(events)
    if any(e.action == "open" for e in events[1:]):
        raise NotAllowed("a case is opened once, by its first event", ())
    for event in events:
        check(case, event)
        case = apply(case, event)
    return case
