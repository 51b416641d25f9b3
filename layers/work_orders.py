"""The latest work orders (工单), as a banner shows them: when each was received, its category and its grid, nothing else.

The query selects only those three columns, so no complaint text, address,
ticket number or name can reach a screen, whatever the rendering does. It
reads what the connection may see: on a grid leader's (row-level security)
only their grids' work orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg

READS = frozenset({"complaints", "grids"})  # the tables _LATEST reads

_LATEST = """
SELECT c.received_at, c.category, g.grid_name
FROM complaints AS c
JOIN grids AS g ON g.grid_code = c.grid_code
ORDER BY c.received_at DESC, c.ticket_id DESC
LIMIT %(limit)s
"""


@dataclass(frozen=True)
class WorkOrder:
    """One work order as a banner shows it."""

    received_at: datetime
    category: str | None
    grid_name: str


def latest(conn: psycopg.Connection, limit: int) -> list[WorkOrder]:
    """The newest `limit` work orders the connection may see, newest first."""
    rows = conn.execute(_LATEST, {"limit": limit}).fetchall()
    return [WorkOrder(received_at, category, grid_name) for received_at, category, grid_name in rows]
