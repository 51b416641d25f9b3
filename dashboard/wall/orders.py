"""The latest work orders for the wall's banner: when each was received, its category and its grid, nothing else.

What is read, and that nothing more than those three can be, is layers.work_orders'
concern; it runs on data_access's connection for the session's viewer (a grid
leader's would see only their grids' rows).
"""

from __future__ import annotations

from dashboard.web import data_access
from layers import work_orders
from layers.work_orders import WorkOrder

LATEST = 5
READS = work_orders.READS


def latest(limit: int = LATEST) -> list[WorkOrder]:
    """The newest `limit` work orders the session may see, newest first."""
    return data_access.latest_work_orders(limit)
