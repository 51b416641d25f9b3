"""What the OGC API's reader role may execute of PostgreSQL's own functions: what tipg needs, and nothing else.

Every role may run every function in `pg_catalog` by default, through PUBLIC's
EXECUTE privilege: `pg_sleep`, the advisory locks, `query_to_xml`, `version()`,
the size and statistics functions. The filter allowlist (api/cql.py) keeps a
request from naming them, and this module makes the database refuse them too:
in the gridgov database, EXECUTE on pg_catalog's functions is taken from
PUBLIC and given back to the roles that run gridgov's own work (the database's
owner, the user that publishes, and the grid leaders' row-level-security role),
while the reader role gets only `READER_FUNCTIONS` (what tipg's catalog queries
and asyncpg's connection set-up and reset call: found by serving every kind of
request with the reader refused everything, and naming each refusal here) and
the functions behind pg_catalog's operators and casts (comparisons, pattern
matches and conversions of a value, which the published filters compile to).
`set_config` is among them because tipg sets its search path with it: a reader
that could write SQL could lift its own timeout, which is why no request can.

Function privileges are per database, so other databases of the cluster are
untouched. Taking them from PUBLIC needs the functions' owner (a superuser);
without one the step is skipped with a warning and the filter allowlist and the
reader's statement timeout remain the controls. `locked_down` says which holds.
"""

from __future__ import annotations

import logging

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

# By name, every overload in pg_catalog: what tipg's catalog queries, asyncpg's connection set-up and reset, and the
# published filters' operators call. A name missing from this server's version is skipped.
READER_FUNCTIONS: tuple[str, ...] = (
    "btrim", "cardinality", "col_description", "concat", "count", "current_setting", "format", "format_type",
    "has_column_privilege", "has_function_privilege", "has_schema_privilege", "has_table_privilege", "jsonb_agg",
    "jsonb_build_object", "jsonb_strip_nulls", "like_escape", "pg_advisory_unlock_all", "pg_my_temp_schema",
    "pg_stat_get_live_tuples", "pg_stat_get_mod_since_analyze", "replace", "set_config", "unnest",
)

_RLS_ROLE = "gridgov_grid_reader"  # migration 010: the grid leaders' connection runs as this role


def locked_down(conn: psycopg.Connection, reader: str) -> bool:
    """Whether `reader` is refused pg_catalog's functions beyond READER_FUNCTIONS (pg_sleep stands for them all)."""
    row = conn.execute(
        "SELECT has_function_privilege(%s, 'pg_catalog.pg_sleep(double precision)', 'EXECUTE')", [reader]
    ).fetchone()
    return row is not None and not row[0]


def restrict(conn: psycopg.Connection, reader: str) -> None:
    """Take pg_catalog's functions from PUBLIC in this database, give them back to gridgov's own roles, allow
    `reader` only READER_FUNCTIONS. Needs a superuser; otherwise logs a warning and changes nothing."""
    superuser = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
    if not superuser or not superuser[0]:
        log.warning(
            "not a superuser: the OGC API's reader role keeps PUBLIC's EXECUTE on pg_catalog functions"
            " (the filter allowlist and its statement timeout still apply)"
        )
        return
    owner = conn.execute(
        "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
    ).fetchone()
    ours = {conn.info.user} | ({owner[0]} if owner else set())
    if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [_RLS_ROLE]).fetchone():
        ours.add(_RLS_ROLE)
    ours.discard(reader)
    if not locked_down(conn, reader):
        conn.execute("REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA pg_catalog FROM PUBLIC")
    conn.execute(
        sql.SQL("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA pg_catalog TO {}").format(
            sql.SQL(", ").join(sql.Identifier(r) for r in sorted(ours))
        )
    )
    conn.execute(sql.SQL("REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA pg_catalog FROM {}").format(sql.Identifier(reader)))
    present = [
        r[0] for r in conn.execute(
            "SELECT p.oid::regprocedure::text FROM pg_proc AS p"
            " WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.prokind IN ('f', 'a', 'w') AND ("
            "   p.proname = ANY(%s)"
            # what a built-in operator or cast runs: a comparison, a pattern match, a conversion of a value
            "   OR p.oid IN (SELECT oprcode FROM pg_operator WHERE oprnamespace = 'pg_catalog'::regnamespace)"
            "   OR p.oid IN (SELECT castfunc FROM pg_cast))",
            [list(READER_FUNCTIONS)],
        )
    ]
    if present:  # regprocedure's text is a quoted, qualified signature
        conn.execute(
            sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(
                sql.SQL(", ").join(sql.SQL(f) for f in present), sql.Identifier(reader)
            )
        )
