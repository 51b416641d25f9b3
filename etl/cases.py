"""An office file's work orders and hazards as cases: each record opens its case, and its facts are an import event.

`gridgov load` writes the file's rows into complaints / hazards as before; then,
in the same transaction, every record this load inserted or changed (and any
record loaded before cases existed) is brought to its case (kind work_order /
hazard, source_id = the ticket / hazard id):

- a record without a case opens one (source import, actor = the file's name),
  in the grid the load placed it in, with one event: `import`, carrying the
  file's facts (the state its status maps to, `fact_at`, the times, the
  satisfaction, the deadline). A case known only from files needs no `open`
  event (gridgov.cases.fold starts every case in its kind's START state, and the
  import places it); `open` stays for cases that people or the intake open. One
  event, not two, per record: a city's export is a million work orders;
- a record whose facts differ from the last import event of its case gets one
  more import event; identical facts (the same file loaded again) add nothing.

What an import event does to a case is gridgov.cases' rule: the state moves
only forward, and only to a fact newer than the last one that set it, so a
case resolved in the field stays resolved when yesterday's export still says
办理中. For the many cases known only from files the case's row is the fold of
its events, so the rule is applied to the row in SQL, in a few statements for
the whole file (`_after` mirrors gridgov.cases._imported; tests/test_case_import.py
rebuilds such rows from their events and compares). The few cases people have
acted on are folded in Python by gridgov.case_store, as every other event is.

`fact_at` is the newest time the record states (received, responded, closed):
the file says "as of then, this is where the case stood".
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from etl.datasets import Dataset
from gridgov import case_store
from gridgov.cases import DONE, RANK, START, Event, Kind, Source, State
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

# a time in the event's detail: ISO 8601 in UTC, so the same fact is always written the same way
_ISO = "to_char(({}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"


@dataclass(frozen=True)
class _Records:
    """Where a kind of case comes from: its table, its key and the facts of a row `t` of it."""

    kind: Kind
    table: str
    key: str
    states: Mapping[str, State]
    facts: str  # a SELECT list over the row `t`


_RECORDS: Mapping[str, _Records] = {
    "complaints": _Records(
        Kind.WORK_ORDER, "complaints", "ticket_id", WORK_ORDER_STATES,
        "t.ticket_id AS source_id, t.grid_code, t.received_at, t.category, t.content AS description, t.address,"
        " t.geom, complaint_status(t.resolved, t.resolved_at, t.responded_at) AS status,"
        " greatest(t.received_at, t.responded_at, t.resolved_at) AS fact_at, t.responded_at, t.resolved_at,"
        " t.satisfaction, NULL::date AS deadline",
    ),
    "hazards": _Records(
        Kind.HAZARD, "hazards", "hazard_id", HAZARD_STATES,
        "t.hazard_id AS source_id, t.grid_code, t.found_at AS received_at, t.type AS category,"
        " NULL::text AS description, t.address, t.geom,"
        " coalesce(t.status, CASE WHEN t.closed_at IS NOT NULL THEN 'closed' ELSE 'open' END) AS status,"
        " greatest(t.found_at, t.closed_at) AS fact_at, NULL::timestamptz AS responded_at,"
        " t.closed_at AS resolved_at, NULL::text AS satisfaction, t.deadline",
    ),
}


@dataclass(frozen=True)
class Imported:
    """What a load did to the cases: how many it opened, and how many import events it added to cases it had."""

    opened: int = 0
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


def _facts(records: _Records) -> sql.Composed:
    """The records this load wrote (its run) and any without a case yet, each with its state and event detail."""
    iso = {name: _ISO.format(f"f.{name}") for name in ("fact_at", "responded_at", "resolved_at")}
    return sql.SQL(
        "CREATE TEMP TABLE import_facts ON COMMIT DROP AS"
        " SELECT f.*, s.state, 'K' || left(md5(%(seed)s || f.source_id), 24) AS new_id,"
        " jsonb_strip_nulls(jsonb_build_object("
        "  'state', s.state, 'status', f.status, 'fact_at', {fact_at}, 'grid_code', f.grid_code,"
        "  'responded_at', {responded_at}, 'resolved_at', {resolved_at}, 'satisfaction', f.satisfaction,"
        "  'deadline', f.deadline::text)) AS detail"
        " FROM (SELECT {facts} FROM {table} AS t WHERE t.load_run_id = %(run)s"
        "       UNION ALL"
        "       SELECT {facts} FROM {table} AS t WHERE t.load_run_id <> %(run)s AND NOT EXISTS ("
        "           SELECT 1 FROM cases AS c WHERE c.kind = %(kind)s AND c.source_id = t.{key})) AS f"
        " JOIN unnest(%(statuses)s::text[], %(states)s::text[]) AS s (status, state) USING (status)"
    ).format(
        facts=sql.SQL(records.facts), table=sql.Identifier(records.table), key=sql.Identifier(records.key),
        **{k: sql.SQL(v) for k, v in iso.items()},
    )


# the cases the records already have whose facts differ from their last import event; `looped`: people acted
_CHANGED = """
CREATE TEMP TABLE import_changed ON COMMIT DROP AS
SELECT f.*, c.case_id, c.events,
       EXISTS (SELECT 1 FROM case_events AS e WHERE e.case_id = c.case_id AND e.source <> 'import') AS looped
FROM import_facts AS f
JOIN cases AS c ON c.kind = %(kind)s AND c.source_id = f.source_id
LEFT JOIN LATERAL (
    SELECT e.detail FROM case_events AS e WHERE e.case_id = c.case_id AND e.action = 'import'
    ORDER BY e.seq DESC LIMIT 1
) AS last ON true
WHERE last.detail IS DISTINCT FROM f.detail
"""


def _open() -> str:
    """New cases, each the fold of its one import event, and those events, in one statement (no per-row lookups)."""
    after = _after("b")
    return f"""
WITH opened AS (
    INSERT INTO cases (case_id, kind, source_id, category, description, address, geom, grid_code, state,
                       state_set_at, received_at, responded_at, resolved_at, satisfaction, deadline, events)
    SELECT f.new_id, %(kind)s, f.source_id, f.category, f.description, f.address, f.geom, {after['grid_code']},
           {after['state']}, {after['state_set_at']}, f.received_at, {after['responded_at']}, {after['resolved_at']},
           {after['satisfaction']}, {after['deadline']}, 1
    FROM import_facts AS f
    CROSS JOIN LATERAL (
        -- the case before its first event (gridgov.cases.fold): its kind's START, nothing known yet
        SELECT %(start)s::text AS state, NULL::timestamptz AS state_set_at, NULL::timestamptz AS resolved_at,
               NULL::timestamptz AS responded_at, NULL::text AS satisfaction, NULL::date AS deadline,
               NULL::text AS grid_code
    ) AS b
    WHERE NOT EXISTS (SELECT 1 FROM cases AS c WHERE c.kind = %(kind)s AND c.source_id = f.source_id)
    ON CONFLICT (kind, source_id) DO NOTHING
    RETURNING case_id
)
INSERT INTO case_events (case_id, seq, at, actor, source, action, detail)
SELECT f.new_id, 1, %(now)s, %(actor)s, 'import', 'import', f.detail
FROM opened JOIN import_facts AS f ON f.new_id = opened.case_id
"""


def _update() -> str:
    """One import event on each case known only from files (and unchanged since it was read), its row refolded."""
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
    """Bring the records of a load (`run_id`) of `dataset` to their cases; None for a dataset without cases."""
    records = _RECORDS.get(dataset.table)
    if records is None:
        return None
    now = clock.now()
    params = {
        "run": run_id, "kind": records.kind.value, "start": START[records.kind].value, "now": now, "actor": actor,
        "statuses": list(records.states), "states": [s.value for s in records.states.values()],
        "rank": Jsonb({s.value: r for s, r in RANK.items()}), "done": [s.value for s in DONE],
        # a new case's id is a keyed hash of its record with a secret drawn once per load: as unguessable as
        # gridgov.case_store.new_case_id, without a random draw per row (seconds for a city's file)
        "seed": secrets.token_hex(16),
    }
    conn.execute(_facts(records), params)
    conn.execute("ANALYZE import_facts")  # its size, so the statements below join it by hashing
    conn.execute(_CHANGED, params)
    conn.execute("ANALYZE import_changed")
    opened = conn.execute(_open(), params).rowcount
    updated = {r[0] for r in conn.execute(_update(), params)}
    # people have acted on these (or did while this load ran): their events are folded by the store
    rest = conn.execute(
        "SELECT case_id, detail FROM import_changed WHERE NOT case_id = ANY (%s) ORDER BY case_id", [list(updated)]
    ).fetchall()
    for case_id, detail in rest:
        case_store.append(conn, case_id, Event("import", Source.IMPORT, now, actor, detail))
    conn.execute("DROP TABLE import_facts, import_changed")
    return Imported(opened=opened, updated=len(updated) + len(rest))
