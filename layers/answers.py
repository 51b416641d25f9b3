"""Answers computed from the data, kept until the data changes.

An answer is kept with a Stamp: the data versions (migrations 006 and 013,
sequences every statement that changes a table the layers read advances, one
for the whole data and one per table) and the writers in progress when it was
taken (migration 012: each such statement holds a shared advisory lock until
its transaction ends). The answer is served again while the tables it reads
(`reads`) have the same versions and every writer that was in progress still is.
So a change counted in the version but not yet committed when the answer was
computed can never hide behind it: once it commits, the answer is computed
afresh. Nothing else expires, except answers that depend on the clock and not
only on the date (`fresh_for`, in seconds): after that long, the first request
computes the answer again while requests meanwhile are given the previous one.

Requests asking the same question at the same time wait for one computation
(single flight) instead of each computing it: with two cores, eight copies of a
five-second Gi* would take forty.

The stamp is taken before any query of the computation, on a connection in
READ COMMITTED, as every gridgov connection is: each later statement sees every
change that committed before the stamp was taken. A connection whose own
transaction has changed the data gets answers computed afresh and never kept.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg

_log = logging.getLogger(__name__)
# Kept answers are bounded by how many grids they hold (`_weight`: one per feature, per grid's shape, per row),
# and by their number. A community's wall is ~14 answers of ~10 grids each (~1.4 MB at city scale: the grids'
# real boundaries, most of it), a whole city's answer 3,300 of them; the bound holds every wall the warm-up
# builds (dashboard/wall/warmup.py MAX_AREAS, 400 communities: ~56,000) and some 40 whole-city answers besides.
# It used to be 256 answers whatever their size: at city scale that kept ~18 communities' walls, so the warm-up
# evicted the walls it had built first and each secretary beyond those found their wall cold.
MAX_WEIGHT = 200_000
MAX_ANSWERS = 8192
T = TypeVar("T")

_VERSION = "SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END FROM data_version"
_STAMP = "SELECT version, tables, writers, own FROM data_stamp()"  # migration 013: the versions, then the writers
Reads = frozenset[str] | None  # the tables an answer is computed from; None: it may read any


@dataclass(frozen=True)
class Stamp:
    """Which data an answer is computed from: the database, its data version and the writers then in progress."""

    database: tuple[str, str, str]
    version: int  # of the whole data: it grows with every change
    writers: frozenset[str]
    own_writes: bool = False  # this connection's transaction has changed the data: nothing it computes is kept
    tables: tuple[tuple[str, int], ...] = ()  # the version of each table

    def versions(self, reads: Reads) -> tuple[tuple[str, int], ...]:
        """The versions an answer reading `reads` depends on (the whole data's when None)."""
        if reads is None:
            return (("*", self.version),)
        of = dict(self.tables)
        return tuple((table, of.get(table, self.version)) for table in sorted(reads))


@dataclass(frozen=True)
class _Entry:
    value: Any
    version: int  # of the whole data, when computed
    reads: Reads
    versions: tuple[tuple[str, int], ...]  # of what it reads, when computed
    writers: frozenset[str]
    at: float  # time.monotonic() when computed
    weight: int = 1  # how many grids it holds (_weight)

    def fits(self, stamp: Stamp) -> bool:
        return self.versions == stamp.versions(self.reads) and self.writers <= stamp.writers


_entries: OrderedDict[Hashable, _Entry] = OrderedDict()
_flights: dict[Hashable, threading.Event] = {}
_lock = threading.Lock()
_kept_weight = 0  # the sum of the kept entries' weights (under _lock)
_older: contextvars.ContextVar[bool] = contextvars.ContextVar("gridgov_answer_older", default=False)


def data_version(conn: psycopg.Connection) -> int:
    """The current data version (one cheap read of the sequence)."""
    row = conn.execute(_VERSION).fetchone()
    return int(row[0]) if row else 0


def stamp(conn: psycopg.Connection) -> Stamp:
    """The data version, then the writers in progress (in this order: see the module's docstring)."""
    row = conn.execute(_STAMP).fetchone()
    version, tables, writers, own = row if row else (0, {}, [], False)
    database = (str(conn.info.dbname), str(conn.info.host), str(conn.info.port))
    per_table = tuple(sorted((str(t), int(v)) for t, v in (tables or {}).items()))
    return Stamp(database, int(version or 0), frozenset(writers or ()), bool(own), per_table)


def remembered(
    at: Stamp,
    key: Hashable,
    compute: Callable[[], T],
    *,
    fresh_for: float | None = None,
    background: Callable[[Callable[[], object]], None] | None = None,
    reads: Reads = None,
) -> T:
    """compute(), or the answer kept for `key` that fits the stamp `at` (taken before compute runs).

    `reads`: the tables compute reads (None: any). The answer is kept until one of them changes.

    With `background` (which runs a function elsewhere, e.g. in a thread), a kept answer that no longer fits
    (older data, or past fresh_for) is returned at once while `background` computes the new one: for a
    screen that refreshes by itself, an answer a few seconds old beats a request that waits for it.
    """
    _older.set(False)
    if at.own_writes:
        return compute()
    slot = (at.database, key)
    refused = False  # `background` would not start: this request computes it, and keeps nothing
    while True:
        with _lock:
            entry = _entries.get(slot)
            flight = _flights.get(slot)
            if entry is not None:
                fits = entry.fits(at)
                if fits and (fresh_for is None or time.monotonic() - entry.at <= fresh_for):
                    _entries.move_to_end(slot)
                    return entry.value  # type: ignore[no-any-return]
                usable = fits or (background is not None and entry.version <= at.version)
                if usable and flight is not None:
                    _older.set(not fits)
                    return entry.value  # type: ignore[no-any-return]  # being computed again already
                if usable and background is not None:
                    flight = _flights[slot] = threading.Event()
                    started = _start(background, slot, at, compute, flight, reads)
                    if started:
                        _older.set(not fits)
                        return entry.value  # type: ignore[no-any-return]
                    refused = True
                    break
            if flight is None:
                flight = _flights[slot] = threading.Event()
                break  # this request computes it
        flight.wait()  # the same question is being computed: then look again
    if refused:
        return compute()
    return _compute(slot, at, compute, flight, reads)


def _weight(value: object) -> int:
    """How many grids an answer holds, roughly what it costs to keep: a FeatureCollection's features, a table's
    rows or a mapping's keys (per-grid shapes), else 1."""
    if isinstance(value, dict) and isinstance(value.get("features"), list):
        return max(1, len(value["features"]))
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
        return 1
    try:
        return max(1, len(value))  # type: ignore[arg-type]
    except TypeError:
        return 1


def served_older() -> bool:
    """Whether the last `remembered` of this thread answered from older data while the new answer is computed
    (a screen that refreshes itself may then ask again soon instead of a whole period later)."""
    return _older.get()


def _start(
    background: Callable[[Callable[[], object]], None],
    slot: Hashable,
    at: Stamp,
    compute: Callable[[], T],
    flight: threading.Event,
    reads: Reads,
) -> bool:
    """Hand the computation to `background` (called holding _lock); False, and the flight ended, if it refused."""

    def job() -> None:
        try:
            _compute(slot, at, compute, flight, reads)
        except Exception:  # nobody waits for this answer: say so in the log, keep serving the one kept
            _log.exception("computing %r in the background failed", slot)

    try:
        background(job)
    except Exception:
        _log.exception("could not start computing %r in the background", slot)
        del _flights[slot]
        flight.set()
        return False
    return True


def _compute(slot: Hashable, at: Stamp, compute: Callable[[], T], flight: threading.Event, reads: Reads) -> T:
    """compute() for the flight of `slot`, kept; the flight ends however it goes."""
    global _kept_weight
    try:
        value = compute()
        weight = _weight(value)
        with _lock:
            kept = _entries.get(slot)
            if kept is None or kept.version <= at.version:  # never replace a newer answer by an older one
                _kept_weight += weight - (kept.weight if kept else 0)
                _entries[slot] = _Entry(value, at.version, reads, at.versions(reads), at.writers, time.monotonic(),
                                        weight)
                _entries.move_to_end(slot)
                while len(_entries) > 1 and (len(_entries) > MAX_ANSWERS or _kept_weight > MAX_WEIGHT):
                    _kept_weight -= _entries.popitem(last=False)[1].weight
        return value
    finally:
        with _lock:
            del _flights[slot]
        flight.set()


def cached(
    conn: psycopg.Connection,
    key: Hashable,
    compute: Callable[[], T],
    *,
    fresh_for: float | None = None,
    at: Stamp | None = None,
    reads: Reads = None,
) -> T:
    """compute() (which may query `conn`), or its answer kept for `key` while the tables it reads are unchanged.

    `at`: a stamp taken on `conn` earlier in the same transaction, to ask several questions for one read of it.
    """
    return remembered(at or stamp(conn), key, compute, fresh_for=fresh_for, reads=reads)


def clear() -> None:
    """Forget every kept answer."""
    global _kept_weight
    with _lock:
        _entries.clear()
        _kept_weight = 0
