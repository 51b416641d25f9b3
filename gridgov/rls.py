"""Row-level security for grid leaders: one transaction that can only see the rows of some grids.

Migration 010 makes the NOLOGIN role `gridgov_grid_reader` and policies on the
fact tables keyed on the per-transaction setting `gridgov.grids` (a
comma-separated list of grid codes). `grid_reader_transaction` opens a
transaction, sets the grids and switches to that role in one statement, both
local to the transaction, so the switch and the setting end with it and a
pooled connection goes back to the pool as the login role it was.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import psycopg

READER_ROLE = "gridgov_grid_reader"


@contextmanager
def grid_reader_transaction(
    conn: psycopg.Connection, grids: Sequence[str], *, unplaced: bool = False
) -> Iterator[psycopg.Connection]:
    """A transaction on `conn` that reads (and records visits in) the fact rows of `grids` only; with `unplaced`,
    also the cases that have no grid yet (migration 032: those who place cases by hand)."""
    if not grids or any("," in code or not code for code in grids):
        # the setting is a comma-separated list: a comma in a code would widen it
        raise ValueError(f"grid codes must be non-empty and free of commas: {list(grids)!r}")
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        # inside an open transaction this would be a savepoint, and SET LOCAL outlives a released savepoint
        raise RuntimeError("grid_reader_transaction needs a connection that is not in a transaction")
    with conn.transaction():
        # both for this transaction only (is_local): set_config('role') is SET LOCAL ROLE, in the same round trip
        conn.execute(
            "SELECT set_config('gridgov.grids', %s, true), set_config('gridgov.unplaced', %s, true),"
            " set_config('role', %s, true)",
            [",".join(grids), "on" if unplaced else "off", READER_ROLE],
        )
        yield conn
