"""Load one source file: read → map columns → parse → stage (COPY) → geocode → place → upsert → report.

A file loads whole or not at all (one transaction); every row ends up in its
table or in quarantine with a reason; loading the same file again changes no row.
"""

from __future__ import annotations

import getpass
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from shapely import wkb as shapely_wkb

from etl import coords, readers
from etl.datasets import Dataset, map_headers
from gridgov.errors import InputError

# Every gridgov load takes this lock, so two loads started at once run one after the other.
_LOAD_LOCK = 7_313_002


@dataclass
class LoadResult:
    """What happened to one file, for the summary table and the load_runs record."""

    dataset: str
    source_file: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: Counter[str] = field(default_factory=Counter)
    blank_rows: int = 0
    run_id: int | None = None

    @property
    def loaded(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def counts(self) -> dict[str, Any]:
        return {
            "read": self.read, "inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged,
            "quarantined": sum(self.quarantined.values()), "reasons": dict(self.quarantined),
            "blank_rows": self.blank_rows,
        }


@dataclass
class _Staged:
    rows: list[dict[str, Any]]
    columns: list[str]


def load_file(conn: psycopg.Connection, path: Path, dataset: Dataset, *, loaded_by: str | None = None) -> LoadResult:
    """Load one file into its dataset's table in one transaction; returns the counts."""
    table = readers.read(path)  # a file that cannot be read fails here, before anything changes
    mapped, extra_cols = map_headers(dataset, table.headers)
    _check_columns(dataset, mapped, table, path)
    result = LoadResult(dataset.name, path.name, read=len(table.rows), blank_rows=table.blank_rows)
    staged = _parse_rows(dataset, table, mapped, extra_cols)  # typed values, or a reason per row
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [_LOAD_LOCK])
        result.run_id = _start_run(conn, dataset, path, table.headers, loaded_by)
        _stage(conn, dataset, staged)  # COPY into a temporary table
        _geocode_and_place(conn, dataset)  # in PostGIS: gazetteer match, ST_Covers placement
        result.inserted, result.updated = _upsert(conn, dataset, result.run_id)
        result.unchanged = _count(conn, "reason IS NULL") - result.inserted - result.updated
        result.quarantined = _quarantine(conn, dataset, path.name, result.run_id)
        conn.execute("UPDATE load_runs SET finished_at = now(), counts = %s WHERE id = %s",
                     [Jsonb(result.counts()), result.run_id])
        conn.execute("DROP TABLE stage")  # ON COMMIT DROP does not fire inside a caller's transaction
    return result


def _check_columns(dataset: Dataset, mapped: dict[int, str], table: readers.Table, path: Path) -> None:
    present = set(mapped.values())
    if dataset.key not in present:
        aliases = "/".join(dataset.fields[dataset.key])
        raise InputError(
            f"{path.name}: no {dataset.key} column ({aliases}) among the headers {table.headers}; "
            f"is this a {dataset.name} file?"
        )
    if dataset.placement == "polygon" and table.geometries is None:
        raise InputError(f"{path.name}: grids must be a vector file (GeoJSON, GeoPackage or Shapefile)")


def _parse_rows(dataset: Dataset, table: readers.Table, mapped: dict[int, str], extra_cols: list[int]) -> _Staged:
    """Parse every row in Python; a row that fails keeps its raw cells and gets a reason."""
    out: list[dict[str, Any]] = []
    first_seen: dict[str, int] = {}
    for n, (number, cells) in enumerate(zip(table.row_numbers, table.rows, strict=True)):
        raw = {h: cells[i] if i < len(cells) else None for i, h in enumerate(table.headers)}
        row = {name: cells[i] if i < len(cells) else None for i, name in mapped.items()}
        rec: dict[str, Any] = {
            "source_row": number,
            "raw": raw,
            "extra": {table.headers[i]: cells[i] for i in extra_cols if i < len(cells) and cells[i] is not None},
            "reason": None,
        }
        try:
            rec.update(dataset.parse(row))
        except ValueError as exc:
            rec["reason"] = str(exc)
        key = rec.get(dataset.key)
        if rec["reason"] is None and key is not None:
            if key in first_seen:
                rec["reason"] = f"duplicate {dataset.key} {key} (first at row {first_seen[key]})"
            else:
                first_seen[key] = number
        if table.geometries is not None:
            rec["geometry"] = table.geometries[n]
        out.append(rec)
    _convert_coordinates(out)
    if dataset.placement == "polygon":
        for rec in out:
            geom = rec.pop("geometry", None)
            rec["wkb"] = shapely_wkb.dumps(geom) if geom is not None and not geom.is_empty else None
            if rec["wkb"] is None and rec["reason"] is None:
                rec["reason"] = "grid has no geometry"
    else:
        for rec in out:  # point or footprint features: take the point, or the footprint's centroid
            geom = rec.pop("geometry", None)
            if geom is not None and not geom.is_empty and rec.get("lon") is None:
                pt = geom if geom.geom_type == "Point" else geom.centroid
                rec["lon"], rec["lat"] = pt.x, pt.y
    columns = list(dict.fromkeys(k for rec in out for k in rec))
    return _Staged(rows=out, columns=columns)


def _convert_coordinates(rows: list[dict[str, Any]]) -> None:
    """Given coordinates to WGS-84; outside China → reason; lat/lon given the wrong way round → swapped."""
    idx = [i for i, r in enumerate(rows) if r["reason"] is None and r.get("lon") is not None]
    if not idx:
        return
    lon = np.array([rows[i]["lon"] for i in idx], dtype=float)
    lat = np.array([rows[i]["lat"] for i in idx], dtype=float)
    crs = np.array([rows[i]["crs"] for i in idx], dtype=object)
    inside = coords.in_china(lon, lat)
    swapped = ~inside & coords.in_china(lat, lon)
    lon, lat = np.where(swapped, lat, lon), np.where(swapped, lon, lat)
    wlon, wlat = coords.to_wgs84(lon, lat, crs)
    for j, i in enumerate(idx):
        rec = rows[i]
        if not (inside[j] or swapped[j]):
            rec["reason"] = f"coordinates outside China: lon {rec['lon']}, lat {rec['lat']}"
            continue
        rec["lon"], rec["lat"] = float(wlon[j]), float(wlat[j])
        rec["geocoded_by"] = "coordinates (lon/lat swapped)" if swapped[j] else "coordinates"


_STAGE_EXTRA_TYPES = {
    "source_row": "integer", "raw": "jsonb", "extra": "jsonb", "reason": "text", "match_key": "text",
    "lon": "float8", "lat": "float8", "crs": "text", "wkb": "bytea", "geocoded_by": "text",
    "building_id": "text", "grid_code": "text",
    "geom": "geometry(Point, 4326)", "mgeom": "geometry(MultiPolygon, 4326)",
}


def _stage(conn: psycopg.Connection, dataset: Dataset, staged: _Staged) -> None:
    """COPY the parsed rows into a temporary table shaped like the target plus working columns."""
    own = list(dataset.columns)
    conn.execute(
        sql.SQL("CREATE TEMP TABLE stage ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
            sql.SQL(", ").join(map(sql.Identifier, own)), sql.Identifier(dataset.table)
        )
    )
    added = [c for c in _STAGE_EXTRA_TYPES if c not in own]
    conn.execute(
        sql.SQL("ALTER TABLE stage {}").format(
            sql.SQL(", ").join(
                sql.SQL("ADD COLUMN {} {}").format(sql.Identifier(c), sql.SQL(_STAGE_EXTRA_TYPES[c])) for c in added
            )
        )
    )
    cols = [c for c in own + added if c in staged.columns]
    types: list[int] = [
        r[0]
        for r in conn.execute(
            "SELECT atttypid FROM pg_attribute "
            "WHERE attrelid = 'stage'::regclass AND attname = ANY(%s) ORDER BY array_position(%s, attname::text)",
            [cols, cols],
        )
    ]
    with conn.cursor().copy(
        sql.SQL("COPY stage ({}) FROM STDIN").format(sql.SQL(", ").join(map(sql.Identifier, cols)))
    ) as copy:
        copy.set_types(types)
        for rec in staged.rows:
            copy.write_row([_adapt(c, rec.get(c)) for c in cols])


def _adapt(column: str, value: Any) -> Any:
    if column in ("raw", "extra") and value is not None:
        return Jsonb(value)
    return value


def _geocode_and_place(conn: psycopg.Connection, dataset: Dataset) -> None:
    if dataset.placement == "polygon":
        conn.execute("UPDATE stage SET mgeom = ST_Multi(ST_CollectionExtract(ST_GeomFromWKB(wkb, 4326), 3)) "
                     "WHERE reason IS NULL")
        conn.execute("UPDATE stage SET reason = 'invalid grid geometry: ' || ST_IsValidReason(mgeom) "
                     "WHERE reason IS NULL AND NOT ST_IsValid(mgeom)")
        conn.execute("UPDATE stage SET reason = 'grid has no polygon' WHERE reason IS NULL AND ST_IsEmpty(mgeom)")
        return
    if dataset.placement == "household":
        # a visit belongs to the grid of the household visited
        conn.execute("UPDATE stage s SET grid_code = h.grid_code FROM households h "
                     "WHERE s.reason IS NULL AND h.household_id = s.household_id")
        conn.execute("UPDATE stage SET reason = 'household is not in the register: ' || household_id "
                     "WHERE reason IS NULL AND grid_code IS NULL")
        return
    # Given coordinates win over geocoding.
    conn.execute("UPDATE stage SET geom = ST_SetSRID(ST_MakePoint(lon, lat), 4326) "
                 "WHERE reason IS NULL AND lon IS NOT NULL")
    if dataset.name != "buildings":
        # Exact gazetteer match on compound + building; a key shared by two buildings is ambiguous.
        conn.execute(
            "UPDATE stage s SET geom = b.geom, building_id = b.building_id, geocoded_by = 'gazetteer' "
            "FROM (SELECT match_key, min(building_id) AS building_id, "
            "             (array_agg(geom))[1] AS geom FROM buildings GROUP BY match_key HAVING count(*) = 1) b "
            "WHERE s.reason IS NULL AND s.geom IS NULL AND s.match_key = b.match_key"
        )
        conn.execute(
            "UPDATE stage SET reason = CASE "
            " WHEN address IS NULL THEN 'no address and no coordinates' "
            " WHEN match_key IS NULL THEN 'address has no compound and building number: ' || address "
            " WHEN EXISTS (SELECT 1 FROM buildings b WHERE b.match_key = stage.match_key) "
            "      THEN 'address matches more than one building: ' || address "
            " ELSE 'address matched no building: ' || address END "
            "WHERE reason IS NULL AND geom IS NULL"
        )
    else:
        conn.execute("UPDATE stage SET reason = 'building has no coordinates' WHERE reason IS NULL AND geom IS NULL")
    # Exactly one grid per point: ST_Covers counts the boundary, and the lowest
    # grid code wins on a shared edge so the choice is deterministic.
    conn.execute(
        "UPDATE stage s SET grid_code = (SELECT g.grid_code FROM grids g WHERE ST_Covers(g.geom, s.geom) "
        "                                ORDER BY g.grid_code LIMIT 1) "
        "WHERE s.reason IS NULL"
    )
    conn.execute(
        "UPDATE stage SET reason = 'point outside every grid: ' || round(lon::numeric, 6) || ', ' "
        "|| round(lat::numeric, 6) WHERE reason IS NULL AND grid_code IS NULL AND lon IS NOT NULL"
    )
    conn.execute(
        "UPDATE stage SET reason = 'building lies outside every grid: ' || coalesce(address, '') "
        "WHERE reason IS NULL AND grid_code IS NULL"
    )


def _target_columns(conn: psycopg.Connection, table: str) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s "
            "ORDER BY ordinal_position",
            [table],
        )
    ]


def _upsert(conn: psycopg.Connection, dataset: Dataset, run_id: int) -> tuple[int, int]:
    """Insert new rows, update changed ones, leave identical ones untouched; (inserted, updated)."""
    stage_cols = set(_target_columns_of_stage(conn))
    target_cols = _target_columns(conn, dataset.table)
    geom_src = "mgeom" if dataset.placement == "polygon" else "geom"
    pairs: list[tuple[str, sql.Composable]] = []
    for c in target_cols:
        if c == "geom":
            pairs.append((c, sql.Identifier(geom_src)))
        elif c == "load_run_id":
            pairs.append((c, sql.Literal(run_id)))
        elif c in stage_cols:
            pairs.append((c, sql.Identifier(c)))
    compared = [c for c, _ in pairs if c not in ("load_run_id", "source_row")]
    tbl = sql.Identifier(dataset.table)
    query = sql.SQL(
        "WITH up AS (INSERT INTO {tbl} ({cols}) SELECT {vals} FROM stage WHERE reason IS NULL "
        "ON CONFLICT ({key}) DO UPDATE SET {sets} WHERE ({old}) IS DISTINCT FROM ({new}) "
        "RETURNING (xmax = 0) AS inserted) "
        "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up"
    ).format(
        tbl=tbl,
        cols=sql.SQL(", ").join(sql.Identifier(c) for c, _ in pairs),
        vals=sql.SQL(", ").join(v for _, v in pairs),
        key=sql.Identifier(dataset.key),
        sets=sql.SQL(", ").join(
            sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(c), sql.Identifier(c)) for c, _ in pairs
        ),
        old=sql.SQL(", ").join(sql.SQL("{}.{}").format(tbl, sql.Identifier(c)) for c in compared),
        new=sql.SQL(", ").join(sql.SQL("EXCLUDED.{}").format(sql.Identifier(c)) for c in compared),
    )
    row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _target_columns_of_stage(conn: psycopg.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = 'stage'::regclass AND attnum > 0 AND NOT attisdropped")]


def _count(conn: psycopg.Connection, where: str) -> int:
    row = conn.execute(sql.SQL("SELECT count(*) FROM stage WHERE ") + sql.SQL(where)).fetchone()  # type: ignore[arg-type]
    return int(row[0]) if row else 0


def _quarantine(conn: psycopg.Connection, dataset: Dataset, source_file: str, run_id: int) -> Counter[str]:
    """Write this file's rejected rows to quarantine, replacing what an earlier load of it left there."""
    conn.execute(
        "DELETE FROM quarantine q WHERE q.dataset = %s AND q.source_file = %s AND NOT EXISTS "
        "(SELECT 1 FROM stage s WHERE s.reason IS NOT NULL AND s.source_row = q.row_number)",
        [dataset.name, source_file],
    )
    conn.execute(
        "INSERT INTO quarantine (dataset, source_file, row_number, raw, reason, load_run_id) "
        "SELECT %s, %s, source_row, raw, reason, %s FROM stage WHERE reason IS NOT NULL "
        "ON CONFLICT (dataset, source_file, row_number) DO UPDATE "
        "SET raw = EXCLUDED.raw, reason = EXCLUDED.reason, load_run_id = EXCLUDED.load_run_id "
        "WHERE (quarantine.raw, quarantine.reason) IS DISTINCT FROM (EXCLUDED.raw, EXCLUDED.reason)",
        [dataset.name, source_file, run_id],
    )
    kinds: Counter[str] = Counter()
    for (reason,) in conn.execute("SELECT reason FROM stage WHERE reason IS NOT NULL"):
        kinds[reason.split(":")[0]] += 1
    return kinds


def _start_run(
    conn: psycopg.Connection, dataset: Dataset, path: Path, headers: list[str], loaded_by: str | None
) -> int:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    row = conn.execute(
        "INSERT INTO load_runs (dataset, source_file, sha256, headers, loaded_by) "
        "VALUES (%s, %s, %s, %s, %s) RETURNING id",
        [dataset.name, str(path), digest, headers, loaded_by or getpass.getuser()],
    ).fetchone()
    assert row is not None
    return int(row[0])
