"""A grid file's problems for people: lines for the load's report, and a GeoJSON of their places for QGIS."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from etl.gridproblems import (
    REPAIRED_INVALID,
    REPAIRED_OVERLAP,
    WARNING_GAP,
    WARNING_HOLE,
    WARNING_PIECES,
    GridProblem,
)
from gridgov import rfc7946

# Kinds that come in hundreds in a real file: one line for all of them and the largest few.
_MANY = {
    REPAIRED_OVERLAP: ("overlaps between neighbouring grids", "each given to the lower grid code (as a point on a "
                       "shared edge is) and cut from the other"),
    WARNING_GAP: ("sliver gaps between neighbouring grids", "left as they are: a point in one is quarantined as "
                  "outside every grid"),
}
_ORDER = (REPAIRED_INVALID, REPAIRED_OVERLAP, WARNING_HOLE, WARNING_PIECES, WARNING_GAP)
_COUNTED = {  # one, many
    REPAIRED_INVALID: ("ring made valid", "rings made valid"),
    REPAIRED_OVERLAP: ("overlap repaired", "overlaps repaired"),
    WARNING_HOLE: ("hole in no grid", "holes in no grid"),
    WARNING_PIECES: ("piece apart from its community", "pieces apart from their community"),
    WARNING_GAP: ("sliver gap", "sliver gaps"),
}
_SHOWN = 3


def summary_lines(problems: Sequence[GridProblem]) -> list[str]:
    """What was repaired and what to check, per file: every repaired ring, hole and piece, and the
    slivers counted with their largest few (the report file has each)."""
    lines: list[str] = []
    for source in dict.fromkeys(p.source_file for p in problems):
        mine = [p for p in problems if p.source_file == source]
        kinds = sorted({p.kind for p in mine}, key=lambda k: _ORDER.index(k) if k in _ORDER else -1)
        counts = ", ".join(_count(sum(p.kind == k for p in mine), k) for k in kinds)
        lines.append(f"{source}: {counts} (each with its place: gridgov load ... --report problems.geojson)")
        for kind in kinds:
            same = sorted((p for p in mine if p.kind == kind), key=lambda p: -(p.area_m2 or 0))
            word = same[0].severity
            if kind in _MANY and len(same) > _SHOWN + 1:
                what, done = _MANY[kind]
                areas = [p.area_m2 or 0 for p in same]
                lines.append(f"  {word}: {len(same):,} {what}, {min(areas):,.0f}–{max(areas):,.0f} m², {done}; "
                             f"the largest:")
                lines += [f"    {p.message}" for p in same[:_SHOWN]]
            else:
                lines += [f"  {word}: {p.message}: {p.action}" for p in same]
    return lines


def _count(n: int, kind: str) -> str:
    one, many = _COUNTED.get(kind, (kind, kind))
    return f"{n:,} {one if n == 1 else many}"


def frame(problems: Sequence[GridProblem]) -> gpd.GeoDataFrame:
    """The problems as features: a point at each one's place (no geometry when the feature had none)."""
    def text(values: list[str | None]) -> pd.Series:
        return pd.Series(values, dtype="string")

    return gpd.GeoDataFrame(
        {
            "kind": text([p.kind for p in problems]),
            "severity": text([p.severity for p in problems]),
            "grids": text([", ".join(p.grids) for p in problems]),
            "area_m2": pd.Series([None if p.area_m2 is None else round(p.area_m2, 1) for p in problems], dtype="Float64"),
            "community": text([p.community for p in problems]),
            "message": text([p.message for p in problems]),
            "action": text([p.action for p in problems]),
            "source_file": text([p.source_file for p in problems]),
        },
        geometry=gpd.GeoSeries(
            [None if p.lon is None or p.lat is None else shapely.Point(p.lon, p.lat) for p in problems], crs="EPSG:4326"
        ),
    )


def write_report(path: Path, problems: Sequence[GridProblem]) -> None:
    """A GeoJSON FeatureCollection (RFC 7946: WGS-84 lon/lat) of every problem, written whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    rfc7946.write(frame(problems), part, "grid_problems")
    os.replace(part, path)
