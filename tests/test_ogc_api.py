"""The OGC API – Features endpoint: the real `gridgov api` serves the published de-identified layers, and
only them, to signed-in planners and the secretary (HTTP Basic against the gridgov accounts) with GIS
clients (read here with GDAL's OAPIF driver, as QGIS would add them); every feature request is audited."""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pyogrio
import pytest
from click.testing import CliRunner
from conftest import fresh_database
from ogc_server import running_api
from psycopg import errors
from seed_sql import seed_small_community
from test_export import PERSONAL_FIELDS, leaked, load_demo, personal_values, values

from api.publish import READER, SCHEMA, publish, tables
from api.server import reader_password, reader_url
from gridgov import accounts, areas, audit
from gridgov.cli import main
from gridgov.settings import LayerSettings
from layers.export import exportable, schema
from layers.registry import SUPPRESS_BELOW

REPO = Path(__file__).resolve().parents[1]
PLANNER = ("guihua", "planner password 1")
SECRETARY = ("shuji", "secretary password 1")
LEADER = ("leader1", "leader password 1")
ADMIN = ("admin1", "admin password 11")


def request(url: str, auth: tuple[str, str] | None = PLANNER) -> urllib.request.Request:
    req = urllib.request.Request(url)
    if auth:
        req.add_header("Authorization", "Basic " + base64.b64encode(":".join(auth).encode()).decode())
    return req


def fetch(url: str, auth: tuple[str, str] | None = PLANNER) -> str:
    with urllib.request.urlopen(request(url, auth), timeout=30) as response:
        return str(response.read().decode("utf-8"))


def get(url: str, auth: tuple[str, str] | None = PLANNER) -> Any:
    return json.loads(fetch(url, auth))


def refused(url: str, auth: tuple[str, str] | None) -> urllib.error.HTTPError:
    with pytest.raises(urllib.error.HTTPError) as err:
        fetch(url, auth)
    return err.value


def events(url: str, username: str, action: str) -> list[audit.Event]:
    with psycopg.connect(url) as conn:
        return [e for e in audit.recent(conn, limit=10_000, username=username) if e.action == action]


def as_reader(owner_url: str) -> str:
    return reader_url(owner_url, reader_password(owner_url, REPO / ".gridgov"))


@pytest.fixture(scope="module")
def demo_url(server_url: str, template_db: str) -> Iterator[str]:
    with fresh_database(server_url, template_db, f"gridgov_api_{os.getpid()}") as url:
        load_demo(url)
        with psycopg.connect(url) as conn:
            grid = conn.execute("SELECT min(grid_code) FROM grids").fetchone()[0]  # type: ignore[index]
            accounts.add(conn, PLANNER[0], role="planner", password=PLANNER[1])
            every = [community for _, community in areas.communities(conn)]
            accounts.add(conn, SECRETARY[0], role="secretary", password=SECRETARY[1], communities=every)
            accounts.add(conn, LEADER[0], role="grid_leader", password=LEADER[1], grids=[grid])
            accounts.add(conn, ADMIN[0], role="admin", password=ADMIN[1])
        yield url


@pytest.fixture(scope="module")
def api(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`gridgov api` on a free port against the demo database; its base URL."""
    with running_api(demo_url, tmp_path_factory.mktemp("api") / "api.log") as base:
        yield base


def test_collections_are_exactly_the_published_layers(api: str) -> None:
    listed = get(f"{api}/collections?f=json")["collections"]
    assert sorted(c["id"] for c in listed) == sorted(f"{SCHEMA}.{layer.name}" for layer in exportable())
    one = get(f"{api}/collections/{SCHEMA}.special_groups?f=json")
    assert one["title"] == "特殊群体 Special groups"
    # no table of the store of record and no function is reachable
    for hidden in ("public.households", "public.complaints", "public.grids", "pg_temp.tipg_catalog"):
        with pytest.raises(urllib.error.HTTPError) as err:
            get(f"{api}/collections/{hidden}/items?f=geojson")
        assert err.value.code == 404


def test_items_are_geojson_with_the_documented_deidentified_properties(api: str, demo_url: str) -> None:
    with psycopg.connect(demo_url) as conn:
        secrets = personal_values(conn)
        grids = {r[0] for r in conn.execute("SELECT grid_code FROM grids")}
    for layer in exportable():
        url = f"{api}/collections/{SCHEMA}.{layer.name}/items?f=geojson&limit=1000"
        text = fetch(url)
        doc = json.loads(text)
        assert doc["type"] == "FeatureCollection" and doc["numberMatched"] == len(grids)
        assert {f["properties"]["grid_code"] for f in doc["features"]} == grids
        for feature in doc["features"]:
            assert feature["geometry"]["type"] == "MultiPolygon"
            assert set(feature["properties"]) == {c.name for c in schema(layer)}
            assert not PERSONAL_FIELDS & set(feature["properties"])
        assert not leaked(text, secrets), layer.name
        assert not leaked(json.dumps(doc, ensure_ascii=False), secrets), layer.name


def test_gdal_reads_the_same_numbers_as_the_export(api: str, demo_url: str, tmp_path: Path) -> None:
    with pytest.raises(pyogrio.errors.DataSourceError):  # no credentials, no layers
        pyogrio.list_layers(f"OAPIF:{api}")
    # as a QGIS "Basic" authentication configuration does
    pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": "BASIC", "GDAL_HTTP_USERPWD": ":".join(PLANNER)})
    try:
        _gdal_reads_the_same_numbers_as_the_export(api, demo_url, tmp_path)
    finally:
        pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": None, "GDAL_HTTP_USERPWD": None})


def _gdal_reads_the_same_numbers_as_the_export(api: str, demo_url: str, tmp_path: Path) -> None:
    layers = {name for name, _ in pyogrio.list_layers(f"OAPIF:{api}")}
    assert layers == {f"{SCHEMA}.{layer.name}" for layer in exportable()}
    served = pyogrio.read_dataframe(f"OAPIF:{api}", layer=f"{SCHEMA}.special_groups")
    assert set(served.geometry.geom_type) == {"MultiPolygon"} and served.crs == "EPSG:4326"
    out = tmp_path / "sg.gpkg"
    assert CliRunner().invoke(main, ["export", "special_groups", "-o", str(out)],
                              env={"GRIDGOV_DATABASE_URL": demo_url}).exit_code == 0
    exported = pyogrio.read_dataframe(out)
    columns = [c.name for c in schema(next(la for la in exportable() if la.name == "special_groups"))]
    a = served.set_index("grid_code").sort_index().reset_index()[[*columns, "geometry"]]
    b = exported.set_index("grid_code").sort_index().reset_index()[[*columns, "geometry"]]
    assert values(a) == values(b)
    counts = served["special_households"].dropna()
    assert len(counts) and (counts >= SUPPRESS_BELOW).all()


def test_every_url_but_healthz_needs_a_planner_or_the_secretary(api: str, demo_url: str) -> None:
    items = f"{api}/collections/{SCHEMA}.special_groups/items?f=geojson&limit=3"
    for url in (f"{api}/", f"{api}/conformance", f"{api}/collections", items, f"{api}/api"):
        err = refused(url, None)
        assert err.code == 401 and err.headers["WWW-Authenticate"] == 'Basic realm="gridgov"', url
        assert "features" not in err.read().decode()
    # a wrong password (and an unknown user): 401, and a failed sign-in in the audit table
    before = len(events(demo_url, PLANNER[0], audit.LOGIN_FAILED))
    err = refused(items, (PLANNER[0], "not the password"))
    assert err.code == 401 and err.headers["WWW-Authenticate"] == 'Basic realm="gridgov"'
    failed = events(demo_url, PLANNER[0], audit.LOGIN_FAILED)
    assert len(failed) == before + 1 and failed[0].detail == {"reason": "wrong", "via": "ogc_api"}
    assert failed[0].ip == "127.0.0.1"
    assert refused(items, ("nobody", "whatever password")).code == 401
    assert len(events(demo_url, "nobody", audit.LOGIN_FAILED)) == 1
    # signed in, but a role that does not take layers away
    for who in (LEADER, ADMIN):
        assert refused(items, who).code == 403, who
        assert refused(f"{api}/collections", who).code == 403, who
    # the planner and the secretary may; every feature request is an audited export
    for who in (PLANNER, SECRETARY):
        assert get(f"{api}/collections?f=json", who)["collections"]
        before = len(events(demo_url, who[0], audit.EXPORT))
        doc = get(items, who)
        assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 3
        exports = events(demo_url, who[0], audit.EXPORT)
        assert len(exports) == before + 1
        assert exports[0].detail == {"via": "ogc_api", "collection": f"{SCHEMA}.special_groups",
                                     "query": "f=geojson&limit=3"}
    # /collections is no export
    before = len(events(demo_url, PLANNER[0], audit.EXPORT))
    get(f"{api}/collections/{SCHEMA}.special_groups?f=json")
    assert len(events(demo_url, PLANNER[0], audit.EXPORT)) == before


def test_a_disabled_account_is_refused_and_failures_are_limited(api: str, demo_url: str) -> None:
    who = ("planner2", "planner2 password")
    with psycopg.connect(demo_url) as conn:
        accounts.add(conn, who[0], role="planner", password=who[1])
        conn.execute("UPDATE users SET disabled = true WHERE username = %s", [who[0]])
    assert refused(f"{api}/collections", who).code == 401
    # the dashboard's limit, on the same audit rows: 10 failures within 15 minutes, then 429 (also audited)
    for _ in range(9):
        assert refused(f"{api}/collections", who).code == 401
    assert refused(f"{api}/collections", who).code == 429
    assert events(demo_url, who[0], audit.LOGIN_FAILED)[0].detail == {"reason": "throttled", "via": "ogc_api"}


def test_the_api_role_reads_open_data_and_nothing_else(api: str, demo_url: str) -> None:
    with psycopg.connect(as_reader(demo_url), autocommit=True) as conn:
        # one row per grid of the demo street: 10 of its first community, 6 of its second
        assert conn.execute(f"SELECT count(*) FROM {SCHEMA}.special_groups").fetchone() == (16,)
        for table in ("households", "complaints", "visits", "grids", "quarantine"):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(f"SELECT * FROM public.{table} LIMIT 1")
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute(f"DELETE FROM {SCHEMA}.special_groups")
    with psycopg.connect(demo_url) as conn:
        flags = conn.execute("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = %s", [READER])
        assert flags.fetchone() == (False, False, False)


def test_publish_refreshes_the_tables_from_new_data(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
        publish(conn, LayerSettings())
        conn.commit()
        assert tables(conn) == sorted(layer.name for layer in exportable())
        # three more households in grid G03 (2 -> 5: shown, as a count below 5 is withheld), and a stale table
        conn.execute(
            "INSERT INTO households (household_id, address, members, groups, building_id, geocoded_by, geom,"
            " grid_code, load_run_id, source_row) SELECT 'H' || n, address, 1, '{}', building_id, 'gazetteer', geom,"
            " grid_code, load_run_id, 100 + n FROM buildings, generate_series(11, 13) AS n WHERE building_id = 'B004'"
        )
        conn.execute(f"CREATE TABLE {SCHEMA}.retired_layer (grid_code text)")
        conn.commit()
    result = CliRunner().invoke(main, ["publish"], env={"GRIDGOV_DATABASE_URL": db_url})
    assert result.exit_code == 0, result.output
    assert "special_groups" in result.output
    with psycopg.connect(db_url) as conn:
        assert tables(conn) == sorted(layer.name for layer in exportable())
        rows = dict(conn.execute(f"SELECT grid_code, households FROM {SCHEMA}.special_groups").fetchall())
        assert rows == {"G01": 5, "G02": None, "G03": 5}  # G02's 3 households: a count below 5, withheld
        # only the API role may read open_data, not every role of the server
        assert conn.execute("SELECT has_schema_privilege('public', %s, 'USAGE')", [SCHEMA]).fetchone() == (False,)
