"""What the clerk sees of rejected rows, and the CSV they fix and load again."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

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


def write_csv(found: list[QuarantinedRow], path: Path) -> int:
    """Write rows back in the office's own columns plus a reason column (UTF-8 with BOM, opens in Excel)."""
    headers: list[str] = []
    for r in found:
        headers += [h for h in r.headers if h not in headers]
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow([*headers, REASON_COLUMN])
        for r in found:
            w.writerow([*(r.raw.get(h) or "" for h in headers), r.reason])
    return len(found)
