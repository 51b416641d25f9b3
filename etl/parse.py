"""A chunk of text rows → typed columns and a reason per row; given coordinates → WGS-84."""

from __future__ import annotations

import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import shapely

from etl.datasets import Dataset
from etl.readers import Chunk
from gridgov import coords


@dataclass(frozen=True)
class Columns:
    """Where each canonical field sits in the file, and which columns are extra."""

    mapped: dict[int, str]
    extra: list[int]
    headers: list[str]
    timezone: str  # the community's (settings.timezone): offices write its wall-clock times
    reason: int | None = None  # the reason column of a fix CSV written by `gridgov quarantine -o`


def parse_chunk(dataset: Dataset, cols: Columns, chunk: Chunk) -> pd.DataFrame:
    """Typed columns plus source_row, extra (JSON text) and reason (None for a good row)."""
    canonical = pd.DataFrame({name: chunk.frame[i] for i, name in cols.mapped.items()}, index=chunk.frame.index)
    rows = dataset.parse(canonical, ZoneInfo(cols.timezone))
    out = rows.out
    out["reason"] = rows.reason
    out["source_row"] = chunk.row_numbers
    out["extra"] = _extra(chunk.frame, cols)
    if cols.reason is not None:
        _unfixed_duplicates(dataset, out, chunk.frame[cols.reason])
    if chunk.geometries is not None:
        _take_geometries(dataset, out, chunk.geometries)
    if "lon" in out:
        _convert_coordinates(out)
    return out


def _extra(df: pd.DataFrame, cols: Columns) -> pd.Series:
    """Columns the contract does not know, kept as a JSON object per row (None when all are empty).

    Cells past the last header (a row longer than the header row) are kept too, as column_N."""
    beyond = [int(j) for j in df.columns if isinstance(j, int) and j >= len(cols.headers)]
    extra: list[int] = [i for i in cols.extra if i in df] + beyond
    if not extra:
        return pd.Series([None] * len(df), index=df.index, dtype="object")
    names = [cols.headers[i] if i < len(cols.headers) else f"column_{i + 1}" for i in extra]
    sub = df[extra]
    out = []
    for rec in sub.itertuples(index=False, name=None):
        kept = {n: v for n, v in zip(names, rec, strict=False) if isinstance(v, str)}
        out.append(json.dumps(kept, ensure_ascii=False) if kept else None)
    return pd.Series(out, index=df.index, dtype="object")


def _unfixed_duplicates(dataset: Dataset, out: pd.DataFrame, old: pd.Series) -> None:
    """A row of a fix CSV quarantined as a duplicate and loaded back with the same id stays quarantined:
    alone in the fix file it is no duplicate, but loading it would overwrite the row it duplicated."""
    key = dataset.key
    prefix = f"duplicate {key}: "
    named = old.where(old.str.startswith(prefix, na=False)).str.removeprefix(prefix).str.split(" (", n=1, regex=False).str[0]
    same = out["reason"].isna() & named.notna() & (named == out[key])
    if same.any():
        out.loc[same, "reason"] = (
            prefix + out.loc[same, key] + f" is loaded from another row already; give this row its own {key} or delete it"
        )


def _take_geometries(dataset: Dataset, out: pd.DataFrame, geoms: object) -> None:
    g = np.asarray(geoms, dtype=object)
    empty = shapely.is_missing(g) | shapely.is_empty(g)
    if dataset.placement == "polygon":
        present = g.copy()
        present[empty] = None
        # binary WKB spelt in hex by Python (GEOS's own hex writer takes four times as long), as COPY reads a bytea
        wkbs = shapely.to_wkb(present)
        out["wkb"] = pd.Series(["\\x" + w.hex() if w is not None else None for w in wkbs], index=out.index,
                               dtype="object")
        out["reason"] = out["reason"].where(out["reason"].notna() | ~empty, "grid has no geometry")
        return
    # points, or footprints' centroids; vector files are WGS-84 already
    take = ~empty & out["lon"].isna().to_numpy()
    if take.any():
        pts = shapely.centroid(g[take])
        out.loc[take, "lon"] = shapely.get_x(pts)
        out.loc[take, "lat"] = shapely.get_y(pts)
        out.loc[take, "crs"] = "wgs84"


def _convert_coordinates(out: pd.DataFrame) -> None:
    """Given coordinates to WGS-84; outside China → reason; lat/lon given the wrong way round → swapped."""
    has = (out["reason"].isna() & out["lon"].notna()).to_numpy()
    out["geocoded_by"] = None
    if not has.any():
        return
    lon = out["lon"].to_numpy(dtype=float)[has]
    lat = out["lat"].to_numpy(dtype=float)[has]
    crs = out["crs"].to_numpy(dtype=object)[has]
    inside = coords.in_china(lon, lat)
    swapped = ~inside & coords.in_china(lat, lon)
    lon, lat = np.where(swapped, lat, lon), np.where(swapped, lon, lat)
    wlon, wlat = coords.to_wgs84(lon, lat, crs)
    idx = out.index[has]
    outside = ~(inside | swapped)
    given_lon, given_lat = out.loc[idx, "lon"], out.loc[idx, "lat"]
    reasons = ("coordinates outside China: lon " + given_lon.astype(str) + ", lat " + given_lat.astype(str)).where(
        outside
    )
    out.loc[idx, "reason"] = reasons.where(outside, None)
    ok = idx[~outside]
    out.loc[ok, "lon"] = wlon[~outside]
    out.loc[ok, "lat"] = wlat[~outside]
    out.loc[ok, "geocoded_by"] = np.where(swapped[~outside], "coordinates (lon/lat swapped)", "coordinates")
