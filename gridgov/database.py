"""Connections: resolve the database URL once per process and hand connections on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from gridgov.errors import DatabaseUnavailable
from gridgov.localdb import LocalCluster
from gridgov.settings import DatabaseSettings


def resolve_url(settings: DatabaseSettings, *, start: bool = True) -> str:
    """The configured URL, or the private cluster's (started if `start`)."""
    if settings.database_url:
        return settings.database_url
    cluster = LocalCluster(settings.home, settings.pg_port)
    if start:
        cluster.start()
    return cluster.url()


@contextmanager
def connect(url: str, **kwargs: Any) -> Iterator[psycopg.Connection]:
    """A psycopg connection; a clear error when the server cannot be reached."""
    try:
        conn = psycopg.connect(url, **kwargs)
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(f"cannot reach the database: {exc}".strip()) from exc
    with conn:
        yield conn


def sqlalchemy_url(url: str) -> str:
    """The same URL for SQLAlchemy's psycopg 3 dialect."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
