"""Exports for planners: a layer's de-identified per-grid aggregate as GeoJSON (RFC 7946) or GeoPackage.

What leaves the building is built from `registry.deidentified_frame` (the
planner's view: per-grid numbers only, every count from 1 to 4 withheld and
nothing withheld left to be worked out, by layers.suppression), with a grid's
row withheld whole where a choice of categories or statuses would let two
questions be subtracted to give a small count (`divided_grids`), and then cut
down to the documented properties (`schema`): the grid's code, name and
community, and the layer's own `columns` but its statistics (a Gi* z-score or
p-value, which would give the counts back). Nothing else a layer's aggregate may
carry, and never a layer's detail features, can reach a file. GeoJSON,
GeoPackage, the planner's map and downloads, and the OGC API's tables
(api.publish) are all made of `planner_frame`.
What there is to pick from is here too: the grids and the categories in the
data (`grid_choices`, `category_choices`), read on the caller's connection.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import pyogrio
import shapely

from gridgov import i18n, rfc7946
from gridgov.access import Role
from gridgov.errors import InputError
from gridgov.i18n import text
from gridgov.settings import LayerSettings
from layers import _grids, answers, breakdown, registry, suppression
from layers.breakdown import Atom
from layers.breakdown import atoms as atoms  # re-exported: the tests know it as layers.export.atoms
from layers.registry import Column, Filters, Layer, Viewer

# The schema the de-identified layers are published in, one table per exportable layer (api.publish), which
# the OGC API serves and the planner's page names.
OPEN_DATA_SCHEMA = "open_data"

i18n.add({
    "zh": {"grid.grid_code": "网格编码", "grid.grid_name": "网格名称", "grid.community_name": "社区名称"},
    "en": {"grid.grid_code": "grid code", "grid.grid_name": "grid name", "grid.community_name": "community"},
})
# The properties every exported feature starts with, before the layer's own columns.
GRID_COLUMNS = (
    Column("grid_code", "str", "grid.grid_code"),
    Column("grid_name", "str", "grid.grid_name"),
    Column("community_name", "str", "grid.community_name"),
)
FORMATS = {"geojson": "GeoJSON (RFC 7946)", "gpkg": "GeoPackage"}
EXTENSIONS = {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg"}
_DTYPES = {"int": "Int64", "float": "Float64", "str": "string"}
# How each registry filter is given on the command line (`gridgov export`), and what it means.
FILTER_OPTIONS = {
    "grids": ("--grid CODE", "only these grids (repeat the option)"),
    "window": ("--from DATE --to DATE", "records in this time window (inclusive, YYYY-MM-DD)"),
    "categories": ("--category NAME", "only these categories (repeat the option)"),
    "statuses": ("--status NAME", "only these statuses (repeat the option)"),
    "as_of": ("--as-of DATE", "the day due and overdue are counted on (default: today)"),
    "period": ("--period week|month", "the time step of space-time layers (default: month)"),
}


def exportable() -> list[Layer]:
    """The layers a planner may take away, in registry order."""
    return registry.visible_to(Viewer(Role.PLANNER))


def exportable_layer(name: str) -> Layer:
    """The exportable layer called `name`; an InputError listing the names when there is none."""
    layers = {layer.name: layer for layer in exportable()}
    if name not in layers:
        raise InputError(f"there is no layer {name!r} to export; layers: {', '.join(layers)}")
    return layers[name]


MAX_CATEGORIES = 200  # choices offered, at most


def grid_choices(conn: psycopg.Connection, codes: Sequence[str] = ()) -> list[tuple[str, str]]:
    """(grid_code, grid_name) of the grids `codes` (every grid for none), by code: the grids a viewer may pick."""
    rows = conn.execute(
        "SELECT grid_code, grid_name FROM grids WHERE cardinality(%(codes)s::text[]) = 0"
        " OR grid_code = ANY (%(codes)s::text[]) ORDER BY grid_code", {"codes": list(codes)},
    ).fetchall()
    return [(str(code), str(name or code)) for code, name in rows]


def category_choices(conn: psycopg.Connection, layer: Layer) -> list[str]:
    """The distinct values the layer's category filter can match in the data (none when it takes no category)."""
    return [c for c in breakdown.categories(conn, layer) if c][:MAX_CATEGORIES]


def schema(layer: Layer) -> tuple[Column, ...]:
    """The documented properties of the layer's exported features, in order: never its statistics (a z-score,
    a p-value: layers.suppression), which the secretary's and grid leaders' maps show."""
    return (*GRID_COLUMNS, *(c for c in layer.columns if c.name not in layer.suppress.statistics))


def format_of(path: Path, fmt: str | None = None) -> str:
    """`fmt` (geojson or gpkg) when given, else the one the file's extension names."""
    if fmt is not None:
        if fmt.lower() not in FORMATS:
            raise InputError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
        return fmt.lower()
    try:
        return EXTENSIONS[path.suffix.lower()]
    except KeyError:
        raise InputError(
            f"cannot tell the format of {path.name}: name it {' or '.join(EXTENSIONS)}, or pass --format"
        ) from None


def check_filters(conn: psycopg.Connection, layer: Layer, filters: Filters) -> None:
    """An InputError when the layer does not take a filter that is set, or a grid asked for does not exist."""
    unsupported = filters.used() - layer.accepts
    if unsupported:

        def named(names: set[str] | frozenset[str]) -> str:
            return ", ".join(f"{n} ({FILTER_OPTIONS[n][0]})" for n in sorted(names)) or "nothing"

        raise InputError(f"layer {layer.name} does not filter by {named(unsupported)}; it filters by: {named(layer.accepts)}")
    if filters.grids:
        known = {row[0] for row in conn.execute("SELECT grid_code FROM grids")}
        unknown = sorted(set(filters.grids) - known)
        if unknown:
            hint = ", ".join(sorted(known)[:20]) + (" …" if len(known) > 20 else "")
            raise InputError(f"no grid {', '.join(unknown)}; grids: {hint or 'none loaded'}")


def planner_frame(
    conn: psycopg.Connection, name: str, filters: Filters, settings: LayerSettings
) -> gpd.GeoDataFrame:
    """The de-identified per-grid frame, only the documented properties, typed, with RFC 7946 geometry.

    A question choosing categories or statuses is answered from its breakdown (layers.breakdown), which
    the check that it cannot be subtracted from another reads anyway: one read of the records, not two, where
    the layer's answer is a sum of atoms."""
    layer = exportable_layer(name)
    check_filters(conn, layer, filters)
    if _narrowed(layer, filters):
        counted = breakdown.atoms(conn, layer, filters, settings)
        frame = _deidentified(conn, layer, filters, settings, counted)
        divided = frame["grid_code"].isin(_divided(layer, filters, *counted))
        for column in (*layer.suppress.counts, *layer.suppress.derived):
            frame[column] = frame[column].mask(divided)
    else:
        frame = registry.deidentified_frame(conn, name, filters, settings)
    columns = schema(layer)
    typed = pd.DataFrame(
        {c.name: frame[c.name].astype(_DTYPES[c.type]) for c in columns}, index=frame.index
    )
    return gpd.GeoDataFrame(typed, geometry=_grids.rfc7946(frame.geometry), crs="EPSG:4326")


def _narrowed(layer: Layer, filters: Filters) -> bool:
    """Whether the question chooses categories or statuses of a layer with counts: it has grids to check."""
    return bool(layer.suppress.counts) and bool(filters.categories or filters.statuses)


def _deidentified(
    conn: psycopg.Connection, layer: Layer, filters: Filters, settings: LayerSettings, counted: tuple[list[Atom], pd.DataFrame]
) -> gpd.GeoDataFrame:
    """registry.deidentified_frame, the layer's answer made of the breakdown `counted` where it can be
    (layers.breakdown.per_grid; only from the one-query breakdown, so that --old-method in the bench answers
    every part the old way)."""
    if not breakdown.from_query(layer):
        return registry.deidentified_frame(conn, layer.name, filters, settings)
    scoped = registry.scope(layer, Viewer(Role.PLANNER), filters)
    polygons = _grids.polygons(conn, scoped.grids)
    context = suppression.context(conn, layer.suppress, scoped.grids)
    table = breakdown.per_grid(layer, scoped, settings, counted, pd.Index(polygons["grid_code"]), context)
    if table is None:
        return registry.deidentified_frame(conn, layer.name, filters, settings)
    frame = polygons.join(table, on="grid_code", how="left")
    types = {c.name: c.type for c in layer.columns}
    for column in (*layer.suppress.counts, *layer.suppress.derived):
        frame[column] = frame[column].astype("Int64" if types[column] == "int" else "Float64")
    table = suppression.apply(frame.set_index("grid_code"), layer.suppress, context)
    return gpd.GeoDataFrame(table.reset_index(), geometry="geometry", crs=frame.crs)


def divided_grids(conn: psycopg.Connection, layer: Layer, filters: Filters, settings: LayerSettings) -> set[str]:
    """The grids whose counts a question choosing these categories and statuses may not publish.

    The records of a grid fall into atoms, one per category and status (with one more of each for those no
    value names: a null category, say). Per grid, layers.suppression.pooled groups the atoms holding a small
    count with the fewest others that make the group's every count 0 or ≥ 5; a question taking some of the
    group's atoms but not all is not answered for that grid. Asking all categories and statuses takes every
    group whole, so only narrowed questions lose grids.
    """
    if not _narrowed(layer, filters):
        return set()
    return _divided(layer, filters, *breakdown.atoms(conn, layer, filters, settings))


def _divided(layer: Layer, filters: Filters, keys: list[Atom], table: pd.DataFrame) -> set[str]:
    """divided_grids of the question's breakdown (layers.breakdown.atoms).

    A grid's group holds its atoms with a small count and grows from them, so a grid is divided at once when
    those are some chosen and some not, and never when its atoms of some records are all chosen or none is:
    pooled runs only for the grids between (the group may grow across the choice), over their atoms in order.
    """
    taken = breakdown.chosen(keys, filters)
    sizes = suppression.size_table(layer.suppress, table)
    grid, codes = pd.factorize(sizes.index.get_level_values("grid_code"))
    atom = sizes.index.get_level_values("atom").to_numpy()
    chosen = np.isin(atom, [a for a, key in enumerate(keys) if key in taken])
    small = suppression.holds_small(sizes)

    def per_grid(rows: np.ndarray) -> np.ndarray:
        return np.bincount(grid[rows], minlength=len(codes)) > 0

    small_in, small_out = per_grid(small & chosen), per_grid(small & ~chosen)
    mixed = per_grid(chosen) & per_grid(~chosen)
    divided = small_in & small_out
    unsure = mixed & (small_in | small_out) & ~divided
    rows = np.flatnonzero(unsure[grid])
    rows = rows[np.lexsort((atom[rows], grid[rows]))]  # by grid, each grid's atoms in order
    values = sizes.to_numpy()
    for part in np.split(rows, np.flatnonzero(np.diff(grid[rows])) + 1) if rows.size else ():
        group = suppression.pooled(values[part])
        divided[grid[part[0]]] = chosen[part][group].any() and not chosen[part][group].all()
    return {str(code) for code in codes[divided]}


def records(frame: gpd.GeoDataFrame, layer: Layer) -> Iterator[tuple[dict[str, Any], shapely.Geometry]]:
    """Each grid's properties (plain Python values, None for missing) and its geometry."""
    names = [c.name for c in schema(layer)]
    for row in frame[[*names, frame.geometry.name]].itertuples(index=False, name=None):
        yield dict(zip(names, (_plain(v) for v in row[:-1]), strict=True)), row[-1]


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    return value


def _rounded(coords: Any) -> Any:
    """Nested coordinate tuples as lists, each number rounded in Python (its shortest text has ≤ 7 decimals)."""
    if coords and isinstance(coords[0], int | float):
        return [round(float(v), _grids.DECIMALS) for v in coords]
    return [_rounded(c) for c in coords]


def geojson(frame: gpd.GeoDataFrame, layer: Layer) -> dict[str, Any]:
    """The FeatureCollection the GeoJSON file of `frame` holds, built in memory for a planner's map and data URL.

    The file is GDAL's (gridgov.rfc7946); parsing its text back is 1.5 times slower than building the same
    features here (3,300 grids, 1.7 million vertices: bench/RESULTS.md), and a test checks they are equal.
    """
    features = []
    for props, geom in records(frame, layer):
        mapping = shapely.geometry.mapping(geom)
        features.append(
            {
                "type": "Feature",  # no feature "id", as in the file
                "geometry": {"type": mapping["type"], "coordinates": _rounded(mapping["coordinates"])},
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "name": layer.name, "features": features}


def _write_geojson(frame: gpd.GeoDataFrame, layer: Layer, path: Path) -> None:
    rfc7946.write(frame, path, layer.name)


def _write_gpkg(frame: gpd.GeoDataFrame, layer: Layer, path: Path) -> None:
    pyogrio.write_dataframe(
        frame, path, driver="GPKG", layer=layer.name, promote_to_multi=True,
        layer_options={"IDENTIFIER": f"{text(layer.label, 'zh')} {text(layer.label, 'en')}", "DESCRIPTION": describe(layer)},
    )


def describe(layer: Layer) -> str:
    """One line saying what the export holds."""
    withheld = f"; counts below {registry.SUPPRESS_BELOW} withheld" if layer.suppress.counts else ""
    return f"{text(layer.label, 'zh')} / {text(layer.label, 'en')}: per-grid aggregate, de-identified{withheld}"


def export(
    conn: psycopg.Connection,
    layer_name: str,
    filters: Filters,
    path: str | Path,
    settings: LayerSettings,
    fmt: str | None = None,
) -> Path:
    """Write the layer's de-identified per-grid features to `path` (GeoJSON or GeoPackage); return the path.

    The file is written next to `path` and moved into place, so a reader never sees half a file
    and an older file of the same name is replaced whole.
    """
    path = Path(path)
    kind = format_of(path, fmt)
    if path.is_dir():
        raise InputError(f"cannot write {path}: it is a folder; name a file in it")
    if not path.parent.is_dir():
        raise InputError(f"cannot write {path}: folder {path.parent} does not exist")
    layer = exportable_layer(layer_name)
    frame = planner_frame(conn, layer_name, filters, settings)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{'.gpkg' if kind == 'gpkg' else '.geojson'}")
    try:
        (_write_gpkg if kind == "gpkg" else _write_geojson)(frame, layer, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def planner_geojson(
    conn: psycopg.Connection,
    name: str,
    filters: Filters,
    settings: LayerSettings,
    *,
    at: answers.Stamp | None = None,
) -> dict[str, Any]:
    """geojson(planner_frame(...)): what a planner's map and downloads show, cached until the data changes.

    Treat the result as read-only: the same object answers every planner asking the same question.
    """
    key = ("planner_geojson", name, filters, registry.today(settings), settings.model_dump_json())
    return answers.cached(
        conn,
        key,
        lambda: geojson(planner_frame(conn, name, filters, settings), exportable_layer(name)),
        fresh_for=registry.clock_bound(name, filters),
        at=at,
        reads=registry.get(name).reads,
    )
