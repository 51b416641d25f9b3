"""The latest work orders for the wall's banner: when each was received, its category and its grid, nothing else.

The query selects only those three columns, so no complaint text, address,
ticket number or name can reach the screen, whatever the rendering does. It
runs on data_access's connection for the session's viewer (a grid leader's
would see only their grids' rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dashboard.web.data_access import viewer_connection
from dashboard.web.session import current_viewer

LATEST = 5
READS = ("complaints", "grids")  # the tables _QUERY reads

_QUERY = """
SELECT c.received_at, c.category, g.grid_name
FROM complaints AS c
JOIN grids AS g ON g.grid_code = c.grid_code
ORDER BY c.received_at DESC, c.ticket_id DESC
LIMIT %(limit)s
"""


@dataclass(frozen=True)
class WorkOrder:
    """One line of the banner."""

    received_at: datetime
    category: str | None
    grid_name: str


def latest(limit: int = LATEST) -> list[WorkOrder]:
    """The newest `limit` work orders the session may see, newest first."""
    with viewer_connection(current_viewer()) as conn:
        rows = conn.execute(_QUERY, {"limit": limit}).fetchall()
    return [WorkOrder(received_at, category, grid_name) for received_at, category, grid_name in rows]
