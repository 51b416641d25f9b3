"""Load one source file, as a recipe: read → map columns → parse → stage → check → place → upsert → report.

A file loads whole or not at all (one transaction); every row ends up in its
table or in quarantine with a reason; loading the same file again changes no row.
"""

from __future__ import annotations

import getpass
import hashlib
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from etl import readers
from etl.cases import Imported, import_cases
from etl.checks import FileChecks
from etl.datasets import Dataset, header_key, map_headers
from etl.gazetteer import Gazetteer
from etl.geocoders import Geocoder
from etl.gridnames import GridNames
from etl.gridproblems import GridProblem, GridRules
from etl.parallel import parsed_chunks, worker_count
from etl.parse import Columns
from etl.quarantine import REASON_COLUMN
from etl.writer import ChunkWriter
from gridgov.clock import Clock
from gridgov.errors import InputError

# Every gridgov load takes this lock, so two loads started at once run one after the other.
_LOAD_LOCK = 7_313_002

Progress = Callable[[int, int | None], None]  # rows staged so far, total rows if known


@dataclass
class LoadResult:
    """What happened to one file, for the summary table and the load_runs record."""

    dataset: str
    source_file: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: Counter[str] = field(default_factory=Counter)
    blank_rows: int = 0
    run_id: int | None = None
    grid_problems: list[GridProblem] = field(default_factory=list)  # a grid file's repairs and warnings
    cases: Imported | None = None  # work orders and hazards: the import events added to case rows (etl.cases)
    notes: list[str] = field(default_factory=list)  # said once in the report (grids without a street)

    def counts(self) -> dict[str, Any]:
        counts: dict[str, Any] = {
            "read": self.read, "inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged,
            "quarantined": sum(self.quarantined.values()), "reasons": dict(self.quarantined),
            "blank_rows": self.blank_rows,
        }
        if self.cases is not None:
            counts["cases"] = {"import_events": self.cases.updated}
        if self.grid_problems:
            counts["grid_problems"] = dict(Counter(p.kind for p in self.grid_problems))
        if self.notes:
            counts["notes"] = self.notes
        return counts


def load_file(
    conn: psycopg.Connection,
    path: Path,
    dataset: Dataset,
    *,
    mapping: dict[str, str] | None = None,
    geocoder: Geocoder | None = None,
    loaded_by: str | None = None,
    progress: Progress | None = None,
    parse_workers: int | None = None,
    clock: Clock,
    grid_rules: GridRules | None = None,
) -> LoadResult:
    """Load one file into its dataset's table in one transaction; returns the counts.

    `parse_workers`: worker processes that parse chunks (default: two for a file of
    200,000 rows or more, none below). `clock`: the community's, whose zone the file's
    times are read in and whose today they may not pass.
    `grid_rules`: how a grid file is judged (default: repair what is safely repairable, within
    the settings' default tolerance); a grid file refused raises GridsRefused, carrying every
    problem found, for the report.
    """
    # Open and map before touching the database: a file that cannot be read changes nothing.
    lookup = dataset.lookup(mapping)
    table = readers.open_table(path, known=lambda h: header_key(h) in lookup)
    cols = _columns(dataset, table, lookup, path, clock)
    result = LoadResult(dataset.name, path.name)
    checks = FileChecks(dataset, clock)
    names = GridNames(path.name) if dataset.placement == "polygon" else None  # streets and communities agree
    with conn.transaction():
        _session_memory(conn)
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [_LOAD_LOCK])  # one load at a time
        # the file's times are the community's wall-clock, as offices write them: COPY reads them in its zone
        conn.execute("SELECT set_config('TimeZone', %s, true)", [clock.zone.key])
        result.run_id = _start_run(conn, dataset, path, table.headers, loaded_by)
        gazetteer = Gazetteer.load(conn) if dataset.geocodes else None
        writer = ChunkWriter(conn, dataset, run_id=result.run_id, source_file=path.name, headers=table.headers,
                             geocoder=geocoder, grid_rules=grid_rules)
        # Python parses chunk n+1 (in worker processes, for a big file) while the database thread writes chunk n.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="gridgov-db") as db:
            pending: deque[Future[None]] = deque()
            # `out`: typed columns, or the reason a row fails; and, for rows the gazetteer knows
            # exactly (compound + building), the point and grid of the building
            for chunk, out in parsed_chunks(table, dataset, cols, workers=worker_count(table, parse_workers),
                                            gazetteer=gazetteer):
                checks.apply(out)  # duplicate ids, times in the future
                if names is not None:
                    names.add(out)
                pending.append(db.submit(writer.write, out, chunk))
                while len(pending) > 1:  # at most one chunk waits: memory stays flat
                    pending.popleft().result()
                result.read += len(chunk)
                if progress:
                    progress(result.read, table.total_rows)
            while pending:
                pending.popleft().result()
        if names is not None:
            result.notes = names.finish()  # GridsRefused when they contradict themselves: nothing is loaded
        writer.finish()
        result.blank_rows = table.blank_rows
        result.inserted, result.updated, result.unchanged = writer.inserted, writer.updated, writer.unchanged
        result.quarantined = writer.quarantined
        result.grid_problems = writer.grid_problems
        # each work order and hazard is a case; those with a row get the file's new facts as import events
        result.cases = import_cases(conn, dataset, result.run_id, actor=path.name, clock=clock)
        conn.execute(
            "UPDATE load_runs SET finished_at = clock_timestamp(), counts = %s WHERE id = %s",
            [Jsonb(result.counts()), result.run_id],
        )
    return result


def _session_memory(conn: psycopg.Connection) -> None:
    """Room for the staging table in memory: temporary tables live in the session's own buffers (8 MB by default)."""
    try:
        with conn.transaction():
            conn.execute("SET temp_buffers = '512MB'")
    except psycopg.errors.InvalidParameterValue:
        pass  # this session has used temporary tables already; it keeps its size
    conn.execute("SET LOCAL work_mem = '128MB'")


def _columns(dataset: Dataset, table: readers.Table, lookup: dict[str, str], path: Path, clock: Clock) -> Columns:
    mapped, extra = map_headers(table.headers, lookup)
    reason = next((i for i in extra if table.headers[i] == REASON_COLUMN), None)
    extra = [i for i in extra if i != reason]
    if dataset.key not in mapped.values():
        aliases = "/".join(dataset.fields[dataset.key])
        raise InputError(
            f"{path.name}: no {dataset.key} column ({aliases}) among the headers {table.headers}; "
            f"is this a {dataset.name} file? (a {path.name}.columns.json file can map other headers)"
        )
    if dataset.placement == "polygon" and not table.is_vector:
        raise InputError(f"{path.name}: grids must be a vector file (GeoJSON, GeoPackage or Shapefile)")
    return Columns(mapped=mapped, extra=extra, headers=table.headers, timezone=clock.zone.key, reason=reason)


def _start_run(
    conn: psycopg.Connection, dataset: Dataset, path: Path, headers: list[str], loaded_by: str | None
) -> int:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    row = conn.execute(
        "INSERT INTO load_runs (dataset, source_file, sha256, headers, loaded_by) "
        "VALUES (%s, %s, %s, %s, %s) RETURNING id",
        [dataset.name, str(path), digest.hexdigest(), headers, loaded_by or getpass.getuser()],
    ).fetchone()
    assert row is not None
    return int(row[0])
