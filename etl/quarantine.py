"""What the clerk sees of rejected rows, and the CSV they fix and load again."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from etl.datasets import DATASETS, header_key

REASON_COLUMN = "隔离原因"  # "why this row was not loaded", the column a clerk reads


@dataclass(frozen=True)
class QuarantinedRow:
    dataset: str
    source_file: str
    row_number: int
    reason: str
    raw: dict[str, Any]
    headers: list[str]


def rows(
    conn: psycopg.Connection, *, dataset: str | None = None, source_file: str | None = None
) -> list[QuarantinedRow]:
    """Quarantined rows, by file and row number, with the headers of the file they came from."""
    result = conn.execute(
        "SELECT q.dataset, q.source_file, q.row_number, q.reason, q.raw, r.headers "
        "FROM quarantine q JOIN load_runs r ON r.id = q.load_run_id "
        "WHERE (%(ds)s::text IS NULL OR q.dataset = %(ds)s) AND (%(f)s::text IS NULL OR q.source_file = %(f)s) "
        "ORDER BY q.dataset, q.source_file, q.row_number",
        {"ds": dataset, "f": source_file},
    )
    return [QuarantinedRow(*r) for r in result]


def _cells_of(r: QuarantinedRow) -> list[str]:
    """The row's headers, then any cells it had past the last header (kept as column_N)."""
    return [*r.headers, *(k for k in r.raw if k not in r.headers)]


def write_csv(found: list[QuarantinedRow], path: Path) -> int:
    """Write rows back in the office's own columns plus a reason column (UTF-8 with BOM, opens in Excel).

    Rows from files with different headers share one column per field: the first
    file's header names it, so the written file loads back as one source.
    """
    columns: list[str] = []  # output headers
    slot: dict[tuple[str, str], str] = {}  # (dataset, source header) -> output header
    by_field: dict[tuple[str, str], str] = {}  # (dataset, canonical field) -> output header
    for r in found:
        lookup = DATASETS[r.dataset].lookup() if r.dataset in DATASETS else {}
        for h in _cells_of(r):
            if h == REASON_COLUMN or (r.dataset, h) in slot:
                continue
            field = lookup.get(header_key(h))
            column = by_field.setdefault((r.dataset, field), h) if field else h
            slot[(r.dataset, h)] = column
            if column not in columns:
                columns.append(column)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow([*columns, REASON_COLUMN])
        for r in found:
            cells = dict.fromkeys(columns, "")
            for h in _cells_of(r):
                cell = slot.get((r.dataset, h))
                if cell and r.raw.get(h):
                    cells[cell] = r.raw[h]
            w.writerow([*cells.values(), r.reason])
    return len(found)
