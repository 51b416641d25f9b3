"""Finding 1 of issue 12 (the OGC API's part): every size a client chooses is bounded, every query timed.

`limit` above the maximum is clamped to it, as OGC API – Features says (no error; the `next` link pages
on); a limit that is no whole number, an offset above its maximum and a tolerance out of range are 400;
`ids` and `filter` have maximum sizes; and the reader role the API connects as has a statement timeout,
so no request holds a connection (or a lock) for long, whatever it asks.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import psycopg
import pytest
from ogc_server import Api, serving_api
from psycopg import errors
from test_ogc_api import as_reader

from api.cql import MAX_FILTER_CHARS
from api.params import MAX_COLLECTIONS, MAX_ID_CHARS, MAX_ITEMS, MAX_OFFSET, MAX_SIMPLIFY
from api.publish import READER, READER_STATEMENT_TIMEOUT, SCHEMA

ITEMS = f"/collections/{SCHEMA}.special_groups/items"


@pytest.fixture(scope="module")
def api(server_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with serving_api(server_url, template_db, "gridgov_sec_lim", tmp_path_factory.mktemp("limits") / "api.log") as served:
        yield served


def self_link(body: str) -> str:
    return next(link["href"] for link in json.loads(body)["links"] if link["rel"] == "self")


def test_a_limit_above_the_maximum_is_clamped_to_it(api: Api) -> None:
    for asked in (MAX_ITEMS + 1, 10**30):
        reply = api.get(f"{ITEMS}?f=geojson&limit={asked}")
        assert reply.status == 200, reply.body[:300]
        assert f"limit={MAX_ITEMS}" in self_link(reply.body)
    assert f"limit={MAX_ITEMS}" in self_link(api.get(f"{ITEMS}?f=geojson&limit=5&limit={MAX_ITEMS * 3}").body)
    reply = api.get(f"/collections?f=json&limit={MAX_COLLECTIONS * 5}")
    assert reply.status == 200 and json.loads(reply.body)["collections"]
    # within the maximum, untouched
    assert "limit=2" in self_link(api.get(f"{ITEMS}?f=geojson&limit=2").body)


def test_sizes_out_of_range_are_refused(api: Api) -> None:
    for query in ("limit=-1", "limit=abc", "limit=%EF%BC%91%EF%BC%90", "limit=%C2%B2", f"offset={MAX_OFFSET + 1}", f"simplify={MAX_SIMPLIFY * 2}",
                  "simplify=inf", f"ids={'x' * (MAX_ID_CHARS + 1)}", f"filter={'x' * (MAX_FILTER_CHARS + 1)}"):
        reply = api.get(f"{ITEMS}?{query}")
        assert reply.status == 400, (query, reply.body[:200])
    assert api.get(f"{ITEMS}?f=geojson&offset={MAX_OFFSET}").status == 200
    assert api.get(f"{ITEMS}?f=geojson&simplify=0.0001").status == 200


def test_the_reader_role_has_a_statement_timeout(api: Api) -> None:
    with psycopg.connect(api.db_url) as conn:
        settings = conn.execute(
            "SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole"
            " WHERE r.rolname = %s AND s.setdatabase = 0", [READER],
        ).fetchone()
    assert settings and f"statement_timeout={READER_STATEMENT_TIMEOUT}" in settings[0]
    with psycopg.connect(as_reader(api.db_url), autocommit=True) as conn:
        assert conn.execute("SHOW statement_timeout").fetchone() == (READER_STATEMENT_TIMEOUT,)
        start = time.monotonic()
        with pytest.raises(errors.QueryCanceled):
            # endless, and made of what the reader may run (pg_sleep it may not: test_security_ogc_filter)
            conn.execute("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r")
        assert time.monotonic() - start < 15
