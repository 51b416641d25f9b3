"""Answers of the per-grid layers, cached until the data changes.

The key holds the data version (migration 006: a sequence every change to a
table the layers read advances), so a load or a recorded visit is seen by the
next request. Entries also expire after TTL_SECONDS, which bounds how long an
answer computed while a change was still uncommitted can be served.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import psycopg
from cachetools import TTLCache

TTL_SECONDS = 60
_cache: TTLCache[Hashable, Any] = TTLCache(maxsize=256, ttl=TTL_SECONDS)
_lock = threading.Lock()
T = TypeVar("T")


def data_version(conn: psycopg.Connection) -> int:
    """The current data version (one cheap read of the sequence)."""
    row = conn.execute("SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END FROM data_version").fetchone()
    return int(row[0]) if row else 0


def cached(conn: psycopg.Connection, key: Hashable, compute: Callable[[], T]) -> T:
    """compute(), or its answer for the same key and data version while it is fresh."""
    full = (conn.info.dbname, conn.info.host, conn.info.port, data_version(conn), key)
    with _lock:
        if full in _cache:
            value: T = _cache[full]
            return value
    value = compute()
    with _lock:
        _cache[full] = value
    return value


def clear() -> None:
    """Forget every cached answer."""
    with _lock:
        _cache.clear()
