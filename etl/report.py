"""The summary a clerk reads after a load: per file read / loaded / quarantined, with reasons."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table

from etl.gridreport import summary_lines
from etl.load import LoadResult


def print_summary(results: list[LoadResult], skipped: list[tuple[str, str]], console: Console | None = None) -> None:
    """One row per file, then the quarantine reasons, what the grid check repaired or warns about, then the files
    that were not loaded and why."""
    if console is None:
        # Piped into a log or a file, rich would wrap at 80 columns and fold file names.
        console = Console() if sys.stdout.isatty() else Console(width=120)
    table = Table(title="gridgov load")
    for col in ("file", "dataset", "read", "inserted", "updated", "unchanged", "quarantined"):
        if col in ("file", "dataset"):
            table.add_column(col, overflow="fold")
        else:
            table.add_column(col, justify="right", no_wrap=True)
    for r in results:
        table.add_row(r.source_file, r.dataset, str(r.read), str(r.inserted), str(r.updated), str(r.unchanged),
                      str(sum(r.quarantined.values())))
    console.print(table)
    for r in results:
        for reason, n in sorted(r.quarantined.items(), key=lambda kv: (-kv[1], kv[0])):
            console.print(f"  {r.source_file}: {n} quarantined: {reason}")
        if r.blank_rows:
            console.print(f"  {r.source_file}: {r.blank_rows} blank rows skipped")
    for r in results:
        for note in r.notes:
            console.print(f"  {note}", markup=False, highlight=False, soft_wrap=True)
    for line in summary_lines([p for r in results for p in r.grid_problems]):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    for name, why in skipped:
        console.print(f"[yellow]not loaded: {name}: {why}[/yellow]")
    if any(r.quarantined for r in results):
        console.print("see the quarantined rows with: gridgov quarantine")
