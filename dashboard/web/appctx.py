"""What create_app hands every request: the connection pool and the settings (kept on the Flask server)."""

from __future__ import annotations

from flask import Flask, current_app
from psycopg_pool import ConnectionPool

from gridgov.settings import Settings

_POOL = "gridgov.pool"
_SETTINGS = "gridgov.settings"


def attach(server: Flask, pool: ConnectionPool, settings: Settings) -> None:
    """Keep the pool and settings on the server (called once by create_app)."""
    server.extensions[_POOL] = pool
    server.extensions[_SETTINGS] = settings


def pool() -> ConnectionPool:
    """The app's connection pool."""
    value: ConnectionPool = current_app.extensions[_POOL]
    return value


def settings() -> Settings:
    """The app's settings."""
    value: Settings = current_app.extensions[_SETTINGS]
    return value
