"""An office file's work orders and hazards as cases: a record is a case, and its facts are import events.

`gridgov load` writes the file's rows into complaints / hazards as before. A
record no one has acted on needs nothing more: it is a case known only from its
file, read from the file's row (migration 025: file_cases, the fold of the one
import event its latest facts make; its id `W-<ticket>` / `H-<hazard>`). It gets
a row in `cases` when someone first acts on it (gridgov.case_store), and from
then on the load brings it the file's facts: in the same transaction, for each
record this load inserted or changed that HAS a case row (kind work_order /
hazard, source_id = the ticket / hazard id), facts that differ from the last
import event of its case become one more import event; identical facts (the
same file loaded again) add nothing. A city's file of a million records costs a
join of this load's records to the few case rows, nothing per record.

What an import event does to a case is gridgov.cases' rule: the state moves
only forward, and only to a fact newer than the last one that set it, so a
case resolved in the field stays resolved when yesterday's export still says
办理中. A case whose row was written by loads before migration 025 and that no
one acted on is folded here in SQL, in two statements for the whole file
(`_after` mirrors gridgov.cases._imported; tests/test_case_import.py rebuilds
such rows from their events and compares). Cases people have acted on are
folded in Python by gridgov.case_store, as every other event is.

`fact_at` is the newest time the record states (received, responded, closed):
the file says "as of then, this is where the case stood". The facts and the
event's detail are migration 025's work_order_records / hazard_records, the
same SQL that shows a case known only from its file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from etl.datasets import Dataset
from gridgov import case_store
from gridgov.cases import DONE, RANK, Event, Kind, Source, State
from gridgov.clock import Clock
from gridgov.vocabulary import COMPLAINT_STATUSES, HAZARD_STATUSES

# the file's status (gridgov.vocabulary) -> the state of the case it states
WORK_ORDER_STATES: Mapping[str, State] = {
    "pending": State.ASSIGNED,  # placed in its grid by the load, waiting for a response
    "in_progress": State.IN_PROGRESS,
    "resolved": State.RESOLVED,
    "unresolved": State.CLOSED,  # 办结 without a solution
    "closed_unknown": State.CLOSED,
}
HAZARD_STATES: Mapping[str, State] = {
    "open": State.ASSIGNED,
    "in_progress": State.IN_PROGRESS,
    "closed": State.RESOLVED,  # 已整改: rectified, not yet verified
}
assert set(WORK_ORDER_STATES) == set(COMPLAINT_STATUSES) and set(HAZARD_STATES) == set(HAZARD_STATUSES)

# where a kind of case comes from: the loaded table -> its kind and the view of its records' facts (migration 025)
_RECORDS: Mapping[str, tuple[Kind, str]] = {
    "complaints": (Kind.WORK_ORDER, "work_order_records"),
    "hazards": (Kind.HAZARD, "hazard_records"),
}


@dataclass(frozen=True)
class Imported:
    """What a load did to the cases: how many import events it added to cases that have a row."""

    updated: int = 0


def _moves(before: str) -> str:
    """gridgov.cases._imported's test: the file's state is further along RANK and its fact newer."""
    return (f"((%(rank)s::jsonb ->> f.state)::int > (%(rank)s::jsonb ->> {before}.state)::int"
            f" AND ({before}.state_set_at IS NULL OR f.fact_at > {before}.state_set_at))")


def _after(before: str) -> dict[str, str]:
    """The case's columns after the import event `f` on the row `before`: gridgov.cases._imported, in SQL."""
    moves = _moves(before)
    return {
        "state": f"CASE WHEN {moves} THEN f.state ELSE {before}.state END",
        "state_set_at": f"CASE WHEN {moves} THEN f.fact_at ELSE {before}.state_set_at END",
        "resolved_at": f"CASE WHEN {moves} AND f.state = ANY (%(done)s::text[])"
                       f" THEN coalesce({before}.resolved_at, f.resolved_at, f.fact_at) ELSE {before}.resolved_at END",
        "responded_at": f"coalesce({before}.responded_at, f.responded_at)",
        "satisfaction": f"coalesce({before}.satisfaction, f.satisfaction)",
        "deadline": f"coalesce({before}.deadline, f.deadline)",
        "grid_code": f"coalesce({before}.grid_code, f.grid_code)",
    }


# this load's records that have a case row, whose facts differ from their case's last import event (the records
# are found from the case rows: few, unless the rows were written by loads before migration 025); `looped`:
# people acted on it
_CHANGED = """
CREATE TEMP TABLE import_changed ON COMMIT DROP AS
SELECT f.source_id, f.state, f.fact_at, f.responded_at, f.resolved_at, f.satisfaction, f.deadline, f.grid_code,
       f.detail, c.case_id, c.events,
       EXISTS (SELECT 1 FROM case_events AS e WHERE e.case_id = c.case_id AND e.source <> 'import') AS looped
FROM cases AS c
JOIN {records} AS f ON f.source_id = c.source_id
LEFT JOIN LATERAL (
    SELECT e.detail FROM case_events AS e WHERE e.case_id = c.case_id AND e.action = 'import'
    ORDER BY e.seq DESC LIMIT 1
) AS last ON true
WHERE c.kind = %(kind)s AND f.load_run_id = %(run)s AND last.detail IS DISTINCT FROM f.detail
"""


def _update() -> str:
    """One import event on each case only loads have written (and unchanged since it was read), its row refolded."""
    after = _after("b")
    sets = ", ".join(f"{column} = {value}" for column, value in after.items())
    return f"""
WITH up AS (
    UPDATE cases AS b SET {sets}, events = b.events + 1
    FROM import_changed AS f
    WHERE b.case_id = f.case_id AND NOT f.looped AND b.events = f.events
    RETURNING b.case_id, b.events AS seq
)
INSERT INTO case_events (case_id, seq, at, actor, source, action, detail)
SELECT up.case_id, up.seq, %(now)s, %(actor)s, 'import', 'import', f.detail
FROM up JOIN import_changed AS f ON f.case_id = up.case_id
RETURNING case_id
"""


def import_cases(
    conn: psycopg.Connection, dataset: Dataset, run_id: int, *, actor: str, clock: Clock
) -> Imported | None:
    """Bring the records of a load (`run_id`) of `dataset` that have a case row their new facts; None: no cases."""
    records = _RECORDS.get(dataset.table)
    if records is None:
        return None
    kind, view = records
    now = clock.now()
    params = {
        "run": run_id, "kind": kind.value, "now": now, "actor": actor,
        "rank": Jsonb({s.value: r for s, r in RANK.items()}), "done": [s.value for s in DONE],
    }
    conn.execute(sql.SQL(_CHANGED).format(records=sql.Identifier(view)), params)
    conn.execute("ANALYZE import_changed")
    updated = {r[0] for r in conn.execute(_update(), params)}
    # people have acted on these (or did while this load ran): their events are folded by the store
    rest = conn.execute(
        "SELECT case_id, detail FROM import_changed WHERE NOT case_id = ANY (%s) ORDER BY case_id", [list(updated)]
    ).fetchall()
    for case_id, detail in rest:
        case_store.append(conn, case_id, Event("import", Source.IMPORT, now, actor, detail))
    conn.execute("DROP TABLE import_changed")
    return Imported(updated=len(updated) + len(rest))
