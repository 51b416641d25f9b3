"""Rows of text → typed records, or a reason a clerk can act on; given coordinates → WGS-84."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from shapely import wkb as shapely_wkb

from etl import coords
from etl.datasets import Dataset
from etl.readers import Chunk


@dataclass(frozen=True)
class Columns:
    """Where each canonical field sits in the file, and which columns are extra."""

    mapped: dict[int, str]
    extra: list[int]
    headers: list[str]


def parse_chunk(dataset: Dataset, cols: Columns, chunk: Chunk) -> list[dict[str, Any]]:
    """One record per row: source row, raw cells, extra columns, reason (None if good) and typed fields."""
    out: list[dict[str, Any]] = []
    mapped = list(cols.mapped.items())
    for number, cells in zip(chunk.row_numbers, chunk.rows, strict=True):
        row = {name: cells[i] for i, name in mapped}
        extra = {cols.headers[i]: cells[i] for i in cols.extra if i < len(cells) and cells[i] is not None}
        rec: dict[str, Any] = {"source_row": number, "raw": cells[: len(cols.headers)], "extra": extra or None}
        try:
            rec.update(dataset.parse(row))
            rec["reason"] = None
        except ValueError as exc:
            rec["reason"] = str(exc)
        out.append(rec)
    if chunk.geometries is not None:
        _take_geometries(dataset, out, chunk.geometries)
    _convert_coordinates(out)
    return out


def _take_geometries(dataset: Dataset, recs: list[dict[str, Any]], geoms: list[Any]) -> None:
    for rec, geom in zip(recs, geoms, strict=True):
        empty = geom is None or geom.is_empty
        if dataset.placement == "polygon":
            rec["wkb"] = None if empty else shapely_wkb.dumps(geom)
            if empty and rec["reason"] is None:
                rec["reason"] = "grid has no geometry"
        elif not empty and rec.get("lon") is None:
            # a point, or a footprint's centroid; vector files are already WGS-84
            pt = geom if geom.geom_type == "Point" else geom.centroid
            rec["lon"], rec["lat"], rec["crs"] = pt.x, pt.y, "wgs84"


def _convert_coordinates(recs: list[dict[str, Any]]) -> None:
    """Given coordinates to WGS-84; outside China → reason; lat/lon given the wrong way round → swapped."""
    idx = [i for i, r in enumerate(recs) if r["reason"] is None and r.get("lon") is not None]
    if not idx:
        return
    lon = np.array([recs[i]["lon"] for i in idx], dtype=float)
    lat = np.array([recs[i]["lat"] for i in idx], dtype=float)
    crs = np.array([recs[i]["crs"] for i in idx], dtype=object)
    inside = coords.in_china(lon, lat)
    swapped = ~inside & coords.in_china(lat, lon)
    lon, lat = np.where(swapped, lat, lon), np.where(swapped, lon, lat)
    wlon, wlat = coords.to_wgs84(lon, lat, crs)
    for j, i in enumerate(idx):
        rec = recs[i]
        if not (inside[j] or swapped[j]):
            rec["reason"] = f"coordinates outside China: lon {rec['lon']}, lat {rec['lat']}"
            continue
        rec["lon"], rec["lat"] = float(wlon[j]), float(wlat[j])
        rec["geocoded_by"] = "coordinates (lon/lat swapped)" if swapped[j] else "coordinates"
