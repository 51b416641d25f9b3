"""Before `gridgov serve` takes its first request: the secretary's wall is built, so its first visitor need not wait.

At city scale the wall reads every layer of its playlist over 3,300 grids (Gi*
with 999 permutations, emerging hot spots, …): about ten seconds on two cores.
Built here, in the same code and under the same key as a request would build it
(dashboard.wall.content, for the whole community in the default language), the
first visit finds it ready; afterwards each change of the data is built again in
the background while the wall shows the one before. The grids' shapes its map fetches
by URL (outlines and label points, geobuf) are made here too: for 3,300 real
boundaries they take seconds, once per version of the grids.
"""

from __future__ import annotations

import logging
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

# what the wall is built for: the community as a secretary sees it (no real account is signed in)
_WALL_VIEWER = Account("(warm-up)", Role.SECRETARY, (), False, datetime.now(UTC), "")


def warm(app: dash.Dash) -> float:
    """Build the wall into the answer cache; the seconds it took. A failure is logged, never raised."""
    started = time.perf_counter()
    try:
        with app.server.test_request_context("/wall"):
            g.gridgov_account = _WALL_VIEWER
            content.wall(DEFAULT_LANGUAGE)
            for kind in ("outlines", "labels"):
                data_access.grid_shapes(kind)
    except Exception:  # the server still starts: the first visit builds the wall instead
        _log.exception("warming the wall screen failed")
    return time.perf_counter() - started
