"""Write staged rows: set-based upsert into the dataset's table, and the rest into quarantine."""

from __future__ import annotations

from collections import Counter

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from etl import street_keys
from etl.datasets import Dataset

_LINEAGE = ("load_run_id", "source_row")


def table_columns(conn: psycopg.Connection, table: str) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = %s ORDER BY ordinal_position",
        [table],
    )]


def upsert(conn: psycopg.Connection, dataset: Dataset, run_id: int) -> tuple[int, int]:
    """Insert new rows, update changed ones, leave identical ones untouched; returns (inserted, updated).

    A fact row takes its grid's street key (etl.street_keys) from a join to grids, as it is written."""
    staged = set(_columns_of_stage(conn))
    keyed = dataset.placement != "polygon"  # grids' own street_code is the file's; facts carry the key
    pairs: list[tuple[str, sql.Composable]] = []
    for c in table_columns(conn, dataset.table):
        if c == "geom" and dataset.placement == "polygon":
            pairs.append((c, sql.SQL("stage.mgeom")))
        elif c == "geom":
            pairs.append((c, sql.SQL("ST_SetSRID(ST_MakePoint(stage.lon, stage.lat), 4326)")))
        elif c == "load_run_id":
            pairs.append((c, sql.Literal(run_id)))
        elif c == "extra":
            pairs.append((c, sql.SQL("coalesce(stage.extra, '{}'::jsonb)")))
        elif c == street_keys.COLUMN and keyed:
            pairs.append((c, sql.SQL("coalesce(street_key_of(g.street_code, g.street_name), '')")))
        elif c in staged:
            pairs.append((c, sql.SQL("stage.{}").format(sql.Identifier(c))))
    compared = [c for c, _ in pairs if c not in _LINEAGE]
    tbl = sql.Identifier(dataset.table)
    source = (sql.SQL("stage LEFT JOIN grids AS g ON g.grid_code = stage.grid_code") if keyed
              else sql.SQL("stage"))
    # A row whose values are all unchanged is not touched (not even its lineage):
    # loading the same file twice rewrites nothing.
    query = sql.SQL(
        "WITH up AS (INSERT INTO {tbl} ({cols}) SELECT {vals} FROM {source} WHERE stage.reason IS NULL "
        "ON CONFLICT ({key}) DO UPDATE SET {sets} WHERE ({old}) IS DISTINCT FROM ({new}) "
        "RETURNING (xmax = 0) AS inserted) "
        "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up"
    ).format(
        tbl=tbl,
        cols=sql.SQL(", ").join(sql.Identifier(c) for c, _ in pairs),
        vals=sql.SQL(", ").join(v for _, v in pairs),
        source=source,
        key=sql.Identifier(dataset.key),
        sets=sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c, _ in pairs),
        old=sql.SQL(", ").join(sql.SQL("{}.{}").format(tbl, sql.Identifier(c)) for c in compared),
        new=sql.SQL(", ").join(sql.SQL("EXCLUDED.{}").format(sql.Identifier(c)) for c in compared),
    )
    row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _columns_of_stage(conn: psycopg.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = 'stage'::regclass AND attnum > 0 AND NOT attisdropped"
    )]


def rejected_rows(conn: psycopg.Connection) -> set[int]:
    """Row numbers of the staged rows that go to quarantine."""
    return {r[0] for r in conn.execute("SELECT source_row FROM stage WHERE reason IS NOT NULL")}


def quarantine(
    conn: psycopg.Connection,
    dataset: Dataset,
    source_file: str,
    headers: list[str],
    raw: dict[int, list[str | None]],
    run_id: int,
) -> Counter[str]:
    """Write this file's rejected rows, with their raw cells, to quarantine, replacing an earlier load's."""
    conn.execute("CREATE TEMP TABLE rejected_raw (source_row integer PRIMARY KEY, raw jsonb) ON COMMIT DROP")
    with conn.cursor().copy("COPY rejected_raw FROM STDIN") as cp:
        for number, cells in raw.items():
            names = [*headers, *(f"column_{j + 1}" for j in range(len(headers), len(cells)))]
            cp.write_row((number, Jsonb({h: c for h, c in zip(names, cells, strict=False) if c is not None or h in headers})))
    key = sql.Identifier(dataset.key)
    conn.execute(
        sql.SQL(
            """
            INSERT INTO quarantine (dataset, source_file, row_number, raw, reason, load_run_id, record_key)
            SELECT %(ds)s, %(file)s, s.source_row, coalesce(r.raw, '{{}}'::jsonb), s.reason, %(run)s, s.{key}
            FROM stage s LEFT JOIN rejected_raw r USING (source_row) WHERE s.reason IS NOT NULL
            ON CONFLICT (dataset, source_file, row_number) DO UPDATE
            SET raw = EXCLUDED.raw, reason = EXCLUDED.reason, load_run_id = EXCLUDED.load_run_id,
                record_key = EXCLUDED.record_key
            WHERE (quarantine.raw, quarantine.reason, quarantine.record_key)
                  IS DISTINCT FROM (EXCLUDED.raw, EXCLUDED.reason, EXCLUDED.record_key)
            """
        ).format(key=key),
        {"ds": dataset.name, "file": source_file, "run": run_id},
    )
    conn.execute("DROP TABLE rejected_raw")
    kinds: Counter[str] = Counter()
    for reason, n in conn.execute("SELECT split_part(reason, ':', 1), count(*) FROM stage WHERE reason IS NOT NULL GROUP BY 1"):
        kinds[reason] += n
    return kinds


def resolve_quarantine(conn: psycopg.Connection, dataset: Dataset, source_file: str) -> None:
    """The same record from another file (the clerk's fix CSV, a later export) was seen again here,
    loaded or quarantined anew: its older entry is resolved."""
    key = sql.Identifier(dataset.key)
    conn.execute(
        sql.SQL(
            "DELETE FROM quarantine q WHERE q.dataset = %s AND q.source_file <> %s "
            "AND q.record_key IN (SELECT {key} FROM stage WHERE {key} IS NOT NULL)"
        ).format(key=key),
        [dataset.name, source_file],
    )
