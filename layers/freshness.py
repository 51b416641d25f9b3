"""How old the data is: the newest record of each source the office loads, and whether it is out of date.

A map of old data looks like a calm community. Every page shows, beside its
refresh time, the newest work order, hazard and visit (数据截至), and warns
when a source's newest record is older than settings.stale_days on the
community's clock (gridgov.clock): the office may have stopped loading it.
The newest record is the community's, whatever grids the viewer may see: it
dates the file, not a grid, so a leader of a quiet grid is not told the data
is old.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

from gridgov.clock import Clock

# source: (table, the time a record happened)
SOURCES: dict[str, tuple[str, str]] = {
    "complaints": ("complaints", "received_at"),
    "hazards": ("hazards", "found_at"),
    "visits": ("visits", "visited_at"),
}
READS = frozenset(table for table, _ in SOURCES.values())

_NEWEST = "SELECT " + ", ".join(f"(SELECT max({column}) FROM {table})" for table, column in SOURCES.values())


@dataclass(frozen=True)
class SourceAge:
    """One source: its newest record (None: nothing loaded) and whether that is older than allowed."""

    source: str
    newest: datetime | None
    stale: bool

    def days(self, clock: Clock) -> int | None:
        """Whole days since the newest record, on the community's clock."""
        return None if self.newest is None else (clock.now() - self.newest).days


def newest(conn: psycopg.Connection) -> dict[str, datetime | None]:
    """The newest record of each source (aware date-times), whatever the connection's grids."""
    row = conn.execute(_NEWEST).fetchone()
    assert row is not None  # a SELECT of scalars always returns a row
    return dict(zip(SOURCES, row, strict=True))


def ages(latest: dict[str, datetime | None], clock: Clock, stale_days: float) -> tuple[SourceAge, ...]:
    """Each source's age now: stale when its newest record is more than `stale_days` old (or there is none)."""
    limit = clock.now() - timedelta(days=stale_days)
    return tuple(SourceAge(name, t, t is None or t < limit) for name, t in latest.items())
