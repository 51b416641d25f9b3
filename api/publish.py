"""The `open_data` schema: every exportable layer as a de-identified per-grid table, for the OGC API.

`publish` rewrites one table per layer that a planner may take away (the same
rows `gridgov export` writes, with the layers' default filters: all grids, all
time, as of today) in one transaction, drops tables of layers that are gone,
and grants the reader role (`READER`) SELECT on that schema and nothing else.
The OGC API connects as that role, so what it can serve is what is here.
The role's every statement is stopped after `READER_STATEMENT_TIMEOUT`, so no
request, whatever it asks, holds a connection or a lock for longer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import psycopg
from psycopg import errors, sql

from api import reader_functions
from gridgov.errors import SetupError
from gridgov.i18n import text
from gridgov.settings import LayerSettings
from layers.export import OPEN_DATA_SCHEMA, describe, exportable, planner_frame, records, schema
from layers.registry import Filters, Layer

SCHEMA = OPEN_DATA_SCHEMA
READER = "gridgov_open_data"
_SQL_TYPES = {"int": "bigint", "float": "double precision", "str": "text"}
_GEOMETRY = "geometry(MultiPolygon,4326)"
_LOCK_KEY = 7_313_081  # one publisher at a time per database
READER_STATEMENT_TIMEOUT = "10s"  # far beyond any page of per-grid features; pg_sleep(20) is not
log = logging.getLogger(__name__)


@dataclass
class Published:
    """What one publish did: the layers written, and those that failed (their old table, if any, kept)."""

    tables: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def ensure_reader(conn: psycopg.Connection) -> None:
    """Create the reader role if it is missing: it may log in (once it has a password) and holds no privilege."""
    if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [READER]).fetchone():
        return
    try:
        with conn.transaction():  # a savepoint: another database's publish may create it at the same moment
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN NOINHERIT NOCREATEDB NOCREATEROLE CONNECTION LIMIT 50").format(
                    sql.Identifier(READER)
                )
            )
    except (errors.DuplicateObject, errors.UniqueViolation):
        pass
    except errors.InsufficientPrivilege:
        raise SetupError(
            f"the database user may not create the role {READER} that the OGC API reads as;"
            f" a database administrator can: CREATE ROLE {READER} LOGIN"
        ) from None


def limit_reader(conn: psycopg.Connection) -> None:
    """Give the reader role its statement timeout (a setting of the role, so on every connection it opens)."""
    wanted = f"statement_timeout={READER_STATEMENT_TIMEOUT}"
    row = conn.execute(
        "SELECT coalesce(setconfig, '{}') FROM pg_roles r LEFT JOIN pg_db_role_setting s"
        " ON s.setrole = r.oid AND s.setdatabase = 0 WHERE r.rolname = %s",
        [READER],
    ).fetchone()
    if row and wanted in row[0]:
        return
    statement = sql.SQL("ALTER ROLE {} SET statement_timeout = {}").format(
        sql.Identifier(READER), sql.Literal(READER_STATEMENT_TIMEOUT)
    )
    try:
        with conn.transaction():
            conn.execute(statement)
    except errors.InsufficientPrivilege:
        raise SetupError(
            f"the database user may not set the statement timeout of the role {READER};"
            f" a database administrator can: {statement.as_string(conn)}"
        ) from None


def _columns(layer: Layer) -> list[tuple[str, str]]:
    return [*((c.name, _SQL_TYPES[c.type]) for c in schema(layer)), ("geom", _GEOMETRY)]


def _existing_columns(conn: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    rows = conn.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
        " WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        [f"{SCHEMA}.{table}"],
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def _write_table(conn: psycopg.Connection, layer: Layer, settings: LayerSettings) -> None:
    frame = planner_frame(conn, layer.name, Filters(), settings)
    table = sql.Identifier(SCHEMA, layer.name)
    columns = _columns(layer)
    if _existing_columns(conn, layer.name) == columns:
        conn.execute(sql.SQL("DELETE FROM {}").format(table))  # readers see the old rows until commit
    else:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
        conn.execute(
            sql.SQL("CREATE TABLE {} ({}, PRIMARY KEY (grid_code))").format(
                table,
                sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(t)) for n, t in columns),
            )
        )
    names = [n for n, _ in columns[:-1]]
    insert = sql.SQL("INSERT INTO {} ({}, geom) VALUES ({}, ST_Multi(ST_GeomFromWKB(%s, 4326)))").format(
        table, sql.SQL(", ").join(map(sql.Identifier, names)), sql.SQL(", ").join(sql.Placeholder() * len(names))
    )
    with conn.cursor() as cur:
        cur.executemany(insert, [[*props.values(), geom.wkb] for props, geom in records(frame, layer)])
    conn.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(table, sql.Literal(describe(layer))))
    for col in schema(layer):
        conn.execute(
            sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(
                table, sql.Identifier(col.name), sql.Literal(f"{text(col.label, 'zh')} / {text(col.label, 'en')}")
            )
        )


def _grant(conn: psycopg.Connection) -> None:
    reader = sql.Identifier(READER)
    postgis = conn.execute(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'postgis'"
    ).fetchone()
    statements = [
        sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(sql.Identifier(SCHEMA)),
        # tipg keeps its catalog functions in pg_temp: it needs TEMPORARY, as PUBLIC has by default
        sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(sql.Identifier(conn.info.dbname), reader),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(SCHEMA), reader),
        sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(sql.Identifier(SCHEMA), reader),
        # the API runs PostGIS functions (ST_AsGeoJSON ...): usage of their schema reads no table
        *([sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(postgis[0]), reader)] if postgis else []),
    ]
    for statement in statements:
        conn.execute(statement)
    reader_functions.restrict(conn, READER)


def publish(conn: psycopg.Connection, settings: LayerSettings) -> Published:
    """Rewrite the open_data tables from the current data, in one transaction; returns what was done."""
    done = Published()
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(SCHEMA)))
        ensure_reader(conn)
        limit_reader(conn)
        layers = exportable()
        for layer in layers:
            try:
                with conn.transaction():
                    _write_table(conn, layer, settings)
                done.tables.append(layer.name)
            except Exception as exc:  # one broken layer must not take the others off the API
                log.exception("publishing layer %s failed", layer.name)
                done.failed[layer.name] = f"{type(exc).__name__}: {exc}"
        keep = {layer.name for layer in layers}
        for name, relkind in conn.execute(
            "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
            [SCHEMA],
        ).fetchall():
            if name not in keep:  # a layer that is no longer registered (or no longer a planner's)
                what = {"v": "VIEW", "m": "MATERIALIZED VIEW", "f": "FOREIGN TABLE"}.get(relkind, "TABLE")
                conn.execute(sql.SQL("DROP {} {} CASCADE").format(sql.SQL(what), sql.Identifier(SCHEMA, name)))
        _grant(conn)
    return done


def tables(conn: psycopg.Connection) -> list[str]:
    """The tables now in the open_data schema."""
    rows = conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY 1",
        [SCHEMA],
    ).fetchall()
    return [r[0] for r in rows]
