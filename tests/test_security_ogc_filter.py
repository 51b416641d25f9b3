"""Finding 3 of issue 12: the OGC API's `filter` runs no database function.

tipg wrote a CQL2 function call straight into SQL: `strpos(version(), ...)` told the server's version,
`query_to_xml(...)` over `pg_roles` was a yes/no oracle, `pg_sleep` held a request 20 s and
`pg_try_advisory_lock(...)` slowed a concurrent `gridgov load`. Now a filter may only compare published
properties with values (and the geometry with a literal geometry), in cql2-text and cql2-json alike;
anything else is refused with 400 before any SQL runs. Each attack is sent as it was and in variants.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Iterator

import psycopg
import pytest
from ogc_server import Api, serving_api

from api.publish import READER, SCHEMA

ITEMS = f"/collections/{SCHEMA}.special_groups/items"

TEXT_ATTACKS = (
    "strpos(version(),'PostgreSQL 15') > 0",  # the version probe
    "strpos(version(),'PostgreSQL') = 1",
    "pg_sleep(20) IS NULL",  # held a request 20 s
    "households > 0 AND pg_sleep(20) IS NULL",
    "NOT pg_sleep(1) IS NULL OR grid_code = 'G01'",
    "pg_try_advisory_lock(7313081) = true",  # slowed a concurrent load
    "pg_advisory_lock(1) IS NULL",
    "strpos(query_to_xml('select rolname from pg_roles where rolsuper', true, true, ''), 'postgres') > 0",
    "grid_code = version()",
    "grid_code IN (version(), 'G01')",
    "households BETWEEN 0 AND length(version())",
    "grid_name LIKE current_user",
    "CASEI(grid_code) = 'g01'",
    "households + 0 > 1",  # arithmetic is an operator of SQL too
    "households = special_households",  # property with property
    "no_such_column = 1",
    "S_INTERSECTS(geom, geom)",
    "S_INTERSECTS(grid_name, POINT(116.4 39.9))",
)
JSON_ATTACKS = (
    {"op": ">", "args": [{"op": "strpos", "args": [{"op": "version", "args": []}, "PostgreSQL 15"]}, 0]},
    {"op": "isNull", "args": [{"op": "pg_sleep", "args": [20]}]},
    {"op": "=", "args": [{"op": "pg_try_advisory_lock", "args": [7313081]}, True]},
    {"op": "isNull", "args": [{"op": "query_to_xml", "args": ["select 1 from pg_roles", True, True, ""]}]},
    # a property name is written into the SQL: it must be one the collection publishes
    {"op": "=", "args": [{"property": "grid_code = grid_code OR pg_sleep(20) IS NULL OR grid_code"}, "x"]},
    {"op": "=", "args": [{"property": "pg_sleep(20)"}, "x"]},
    {"op": "s_intersects", "args": [{"property": "geom"}, {"op": "st_buffer", "args": [{"property": "geom"}, 1]}]},
    {"op": "s_intersects", "args": [{"property": "geom"}, {"type": "Point", "coordinates": ["0); select pg_sleep(20); --", 1]}]},
    {"op": "=", "args": [{"property": "grid_code"}, {"op": "version", "args": []}]},
    {"op": "in", "args": [{"property": "grid_code"}, [{"op": "version", "args": []}]]},
    {"op": "=", "args": [{"property": "grid_code"}, 1]},  # wrong type: was a database error
)


@pytest.fixture(scope="module")
def api(server_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with serving_api(server_url, template_db, "gridgov_sec_cql", tmp_path_factory.mktemp("cql") / "api.log") as served:
        yield served


def items(api: Api, filter_: str, lang: str | None = None, timeout: float = 60):  # type: ignore[no-untyped-def]
    query = {"f": "geojson", "filter": filter_, **({"filter-lang": lang} if lang else {})}
    return api.get(f"{ITEMS}?{urllib.parse.urlencode(query)}", timeout=timeout)


def codes(reply) -> set[str]:  # type: ignore[no-untyped-def]
    assert reply.status == 200, reply.body[:300]
    return {f["properties"]["grid_code"] for f in json.loads(reply.body)["features"]}


def reader_activity(api: Api) -> list[tuple[str, str]]:
    with psycopg.connect(api.db_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT a.query, coalesce(l.locktype, '') FROM pg_stat_activity a LEFT JOIN pg_locks l"
            " ON l.pid = a.pid AND l.locktype = 'advisory' WHERE a.usename = %s AND a.state = 'active'",
            [READER],
        ).fetchall()
        locks = conn.execute(  # the reader's own: other databases of the cluster take advisory locks of their own
            "SELECT count(*) FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND a.usename = %s",
            [READER],
        ).fetchone()
    return [*rows, *([("advisory locks", str(locks[0]))] if locks and locks[0] else [])]


@pytest.mark.parametrize("attack", TEXT_ATTACKS)
def test_a_cql2_text_filter_with_a_function_or_an_unpublished_name_is_refused(api: Api, attack: str) -> None:
    start = time.monotonic()
    reply = items(api, attack)
    assert reply.status == 400, (attack, reply.status, reply.body[:300])
    assert time.monotonic() - start < 5  # refused before any SQL: pg_sleep did not run
    description = json.loads(reply.body)["description"]
    assert len(description) < 250 and not any(word in description for word in ("ERROR", "LINE", "HINT", "PostgreSQL"))
    assert reader_activity(api) == []


@pytest.mark.parametrize("attack", JSON_ATTACKS, ids=lambda a: json.dumps(a)[:60])
def test_a_cql2_json_filter_with_a_function_or_an_unpublished_name_is_refused(api: Api, attack: dict[str, object]) -> None:
    for lang in ("cql2-json", None):  # said, or recognised from the text
        start = time.monotonic()
        reply = items(api, json.dumps(attack), lang)
        assert reply.status == 400, (attack, reply.status, reply.body[:300])
        assert time.monotonic() - start < 5
    assert reader_activity(api) == []


def test_garbage_and_oversized_filters_are_400(api: Api) -> None:
    assert items(api, "grid_code = 'G01'; DROP TABLE x").status == 400
    assert items(api, "grid_code = 'G01'", "cql2-json").status == 400  # said JSON, is not
    assert items(api, " OR ".join(["households > 1"] * 1000)).status == 400  # longer than MAX_FILTER_CHARS
    assert items(api, "grid_code = 'a\u0000b'").status == 400


def test_comparisons_of_published_properties_with_values_still_work(api: Api) -> None:
    with psycopg.connect(api.db_url) as conn:
        rows = dict(conn.execute(f"SELECT grid_code, households FROM {SCHEMA}.special_groups").fetchall())
    everything = set(rows)
    known = {c: n for c, n in rows.items() if n is not None}  # a small count is withheld (null): no comparison holds
    assert known and len(known) < len(rows)
    assert codes(items(api, "households >= 0")) == set(known)
    assert codes(items(api, "households > 3")) == {c for c, n in known.items() if n > 3}
    assert codes(items(api, "3 < households")) == {c for c, n in known.items() if n > 3}
    assert codes(items(api, "grid_code IN ('G01', 'G02')")) == {"G01", "G02"} & everything
    assert codes(items(api, "grid_code LIKE 'G0%' AND NOT grid_code = 'G01'")) == everything - {"G01"}
    assert codes(items(api, "households BETWEEN 0 AND 5")) == {c for c, n in known.items() if n <= 5}
    assert codes(items(api, "special_households IS NULL OR households >= 0")) == everything
    assert codes(items(api, "grid_name = 'it''s; select 1'")) == set()  # a quote in a value stays a value
    assert codes(items(api, "S_INTERSECTS(geom, BBOX(-180, -90, 180, 90))")) == everything
    assert codes(items(api, "S_INTERSECTS(geom, POLYGON((-180 -90, 180 -90, 180 90, -180 90, -180 -90)))")) == everything
    as_json = {"op": "and", "args": [{"op": ">=", "args": [{"property": "households"}, 0]},
                                     {"op": "s_intersects", "args": [{"property": "geom"}, {"bbox": [-180, -90, 180, 90]}]}]}
    assert codes(items(api, json.dumps(as_json), "cql2-json")) == set(known)


DATABASE_ATTACKS = (  # what the filters ran, now asked of the database itself as the reader role
    "SELECT pg_sleep(0)",
    "SELECT pg_try_advisory_lock(7313081)",
    "SELECT pg_advisory_lock_shared(1)",
    "SELECT version()",
    "SELECT query_to_xml('select rolname from pg_roles', true, true, '')",
    "SELECT pg_database_size(current_database())",
    "SELECT pg_terminate_backend(0)",
    "SELECT pg_ls_dir('.')",
)


@pytest.mark.parametrize("attack", DATABASE_ATTACKS)
def test_the_reader_role_may_not_run_the_functions_a_filter_once_reached(api: Api, attack: str) -> None:
    """Behind the filter allowlist, the database refuses them too: should a filter ever slip through, the reader
    role has no EXECUTE on pg_catalog's functions beyond what tipg's own queries and the operators need."""
    with psycopg.connect(api.db_url, autocommit=True) as conn:
        conn.execute(f"SET ROLE {READER}")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for function"):
            conn.execute(attack)


def test_the_communitys_own_roles_keep_every_function(api: Api) -> None:
    """Taking pg_catalog's functions from PUBLIC gives them back to the roles gridgov works as."""
    with psycopg.connect(api.db_url, autocommit=True) as conn:
        for role in ("gridgov_grid_reader", conn.info.user):
            assert conn.execute(
                "SELECT has_function_privilege(%s, 'pg_catalog.pg_sleep(double precision)', 'EXECUTE')", [role]
            ).fetchone() == (True,), role
