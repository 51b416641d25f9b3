"""Optional geocoders for addresses the gazetteer does not know.

Off by default. An installation names one in GRIDGOV_GEOCODER: `table:PATH`
(a CSV of address, lon, lat[, crs] an office already has), or the name of a
plug-in registered in the `gridgov.geocoders` entry-point group (an online
service, say). Tests never use the network.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Protocol

import numpy as np
import psycopg

from etl.values import parse_crs
from gridgov import coords
from gridgov.errors import SetupError

Point = tuple[float, float, str]  # lon, lat, crs (wgs84, gcj02, bd09)


class Geocoder(Protocol):
    """Finds points for free-text addresses; returns only those it found."""

    name: str

    def geocode(self, addresses: Sequence[str]) -> dict[str, Point]: ...


class TableGeocoder:
    """Looks addresses up in a CSV of address, lon, lat and optional crs (UTF-8 or GBK)."""

    name = "table"

    def __init__(self, path: Path) -> None:
        from etl.readers import detect_encoding

        if not path.exists():
            raise SetupError(f"geocoder table {path} does not exist")
        self._points: dict[str, Point] = {}
        with path.open(encoding=detect_encoding(path), newline="") as f:
            for rec in csv.DictReader(f):
                addr = (rec.get("address") or rec.get("地址") or "").strip()
                lon, lat = rec.get("lon") or rec.get("经度"), rec.get("lat") or rec.get("纬度")
                if addr and lon and lat:
                    self._points[addr] = (float(lon), float(lat), parse_crs(rec.get("crs") or rec.get("坐标系")))

    def geocode(self, addresses: Sequence[str]) -> dict[str, Point]:
        return {a: self._points[a] for a in addresses if a in self._points}


def from_setting(value: str | None) -> Geocoder | None:
    """The geocoder a GRIDGOV_GEOCODER value names, or None when it is empty."""
    if not value:
        return None
    if value.startswith("table:"):
        return TableGeocoder(Path(value.removeprefix("table:")))
    for ep in entry_points(group="gridgov.geocoders"):
        if ep.name == value:
            factory = ep.load()
            geocoder: Geocoder = factory()
            return geocoder
    raise SetupError(f"unknown geocoder {value!r}: use table:PATH or an installed gridgov.geocoders plug-in")


def geocode_unmatched(conn: psycopg.Connection, geocoder: Geocoder) -> None:
    """Ask the geocoder for the staged addresses the gazetteer did not match; given points become WGS-84."""
    addresses = [r[0] for r in conn.execute(
        "SELECT DISTINCT address FROM stage WHERE reason IS NULL AND lon IS NULL AND address IS NOT NULL"
    )]
    if not addresses:
        return
    found = geocoder.geocode(addresses)
    if not found:
        return
    names = list(found)
    lon = np.array([found[a][0] for a in names])
    lat = np.array([found[a][1] for a in names])
    crs = np.array([found[a][2] for a in names], dtype=object)
    wlon, wlat = coords.to_wgs84(lon, lat, crs)
    conn.execute("CREATE TEMP TABLE geocoded (address text, lon float8, lat float8) ON COMMIT DROP")
    with conn.cursor().copy("COPY geocoded FROM STDIN") as cp:
        for a, x, y in zip(names, wlon, wlat, strict=True):
            cp.write_row((a, float(x), float(y)))
    conn.execute(
        "UPDATE stage s SET lon = g.lon, lat = g.lat, geocoded_by = %s, unmatched = NULL FROM geocoded g "
        "WHERE s.reason IS NULL AND s.lon IS NULL AND s.address = g.address",
        [f"geocoder ({geocoder.name})"],
    )
    conn.execute("DROP TABLE geocoded")
