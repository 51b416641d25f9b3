"""GeoJSON as RFC 7946 asks, written by one writer: GDAL's (through pyogrio).

Every GeoJSON the project writes for people goes through here: a planner's
export (file, download and de-identified map data) and the load's report of a
grid file's problems. GDAL's GeoJSON driver with RFC7946=YES writes WGS-84
longitude/latitude (reprojecting a frame in another CRS), exterior rings
counter-clockwise and holes clockwise, at most 7 decimals (about 1 cm), no
`crs` member, no feature `id`, the properties in the frame's column order with
missing values as null, numbers that read back as the same doubles, text as
UTF-8, and one feature a line: small, and readable in a text editor too.

The per-grid answers of the map (layers._grids) and the detail points built in
SQL are another concern: in-memory answers shaped for speed, not files.
"""

from __future__ import annotations

import io
from pathlib import Path

import geopandas as gpd
import pyogrio

_OPTIONS = {"RFC7946": "YES"}


def write(frame: gpd.GeoDataFrame, path: Path, name: str) -> None:
    """Write `frame` to `path` as an RFC 7946 FeatureCollection called `name` (replacing the file)."""
    pyogrio.write_dataframe(frame, path, driver="GeoJSON", layer=name, layer_options=_OPTIONS)


def encode(frame: gpd.GeoDataFrame, name: str) -> bytes:
    """The bytes `write` would put in the file."""
    buffer = io.BytesIO()
    pyogrio.write_dataframe(frame, buffer, driver="GeoJSON", layer=name, layer_options=_OPTIONS)
    return buffer.getvalue()
