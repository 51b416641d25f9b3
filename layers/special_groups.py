"""Special groups (特殊群体) per grid: households and special-group households."""

from __future__ import annotations

from typing import Any

import psycopg

from layers import _queries


def grid_summary(conn: psycopg.Connection) -> dict[str, Any]:
    """Every grid as a GeoJSON FeatureCollection with its household and special-group counts."""
    return _queries.fetch_json(conn, "grid_summary")
