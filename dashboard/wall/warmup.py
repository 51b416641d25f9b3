"""Before `gridgov serve` takes its first request: the walls are built, so their first visitors need not wait.

At city scale the wall reads every layer of its playlist over 3,300 grids (Gi*
with 999 permutations, emerging hot spots, …): about ten seconds on two cores.
Each secretary, street officer and wall screen sees the wall of their own area
(gridgov.areas), so there is a wall per area; the neighbourhood statistics
behind them are computed once over every grid and cut to each area
(layers.registry). Built here, in the same code and under the same key as a
request would build it (dashboard.wall.content, in the default language), the
first visit finds it ready; afterwards each change of the data is built again in
the background while the wall shows the one before. The first area's wall is
built before the server starts (it computes the shared statistics); the others
in a background thread, at most MAX_AREAS of them. The grids' shapes its map
fetches by URL (outlines and label points, geobuf) are made here too: for 3,300
real boundaries they take seconds, once per version of the grids.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

import dash
from flask import g

from dashboard.wall import content
from dashboard.web import data_access
from gridgov.access import Role
from gridgov.accounts import Account
from gridgov.i18n import DEFAULT_LANGUAGE

_log = logging.getLogger(__name__)

MAX_AREAS = 400  # a district's communities; more are built by their first visit
# who sees a wall: the role and area of each enabled account or live wall screen, each wall once
_AREAS = """
SELECT DISTINCT role, communities, street FROM (
    SELECT role, communities, street FROM users
    WHERE NOT disabled AND role IN ('secretary', 'street_officer')
    UNION ALL
    SELECT 'wall_device', communities, street FROM wall_devices WHERE revoked_at IS NULL AND expires_at > now()
) AS a
ORDER BY role, communities, street
LIMIT %s
"""


def _viewers(app: dash.Dash) -> list[Account]:
    with app.server.extensions["gridgov.pool"].connection() as conn:
        rows = conn.execute(_AREAS, [MAX_AREAS]).fetchall()
    made = datetime.now(UTC)
    return [Account("(warm-up)", Role(role), (), False, made, "", tuple(communities), street)
            for role, communities, street in rows]


def _build(app: dash.Dash, viewer: Account) -> None:
    with app.server.test_request_context("/wall"):
        g.gridgov_account = viewer
        content.wall(DEFAULT_LANGUAGE)
        for kind in ("outlines", "labels"):
            data_access.grid_shapes(kind)


def _rest(app: dash.Dash, viewers: list[Account]) -> None:
    for viewer in viewers:
        try:
            _build(app, viewer)
        except Exception:  # an area with no grid loaded, a database gone: its first visit builds it instead
            _log.exception("warming the wall of %s failed", viewer.area.label() or viewer.role.value)


def warm(app: dash.Dash) -> float:
    """Build the first area's wall into the answer cache (the others in the background); the seconds it took.

    A failure is logged, never raised."""
    started = time.perf_counter()
    try:
        viewers = _viewers(app)
        if viewers:
            _rest(app, viewers[:1])
            threading.Thread(target=_rest, args=(app, viewers[1:]), name="gridgov-warm", daemon=True).start()
    except Exception:  # the server still starts: the first visit builds the wall instead
        _log.exception("warming the wall screens failed")
    return time.perf_counter() - started
