"""The OGC API – Features endpoint: the real `gridgov api` serves the published de-identified layers, and
only them, to GIS clients (read here with GDAL's OAPIF driver, as QGIS would add them)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
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
from psycopg import errors
from seed_sql import seed_small_community
from test_export import PERSONAL_FIELDS, leaked, load_demo, personal_values, values

from gridgov.cli import main
from gridgov.settings import Settings
from layers.export import exportable, schema
from layers.ogc_api import reader_password, reader_url
from layers.publish import READER, SCHEMA, publish, tables
from layers.registry import SUPPRESS_BELOW

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read().decode("utf-8"))


def as_reader(owner_url: str) -> str:
    return reader_url(owner_url, reader_password(owner_url, REPO / ".gridgov"))


@pytest.fixture(scope="module")
def demo_url(server_url: str, template_db: str) -> Iterator[str]:
    with fresh_database(server_url, template_db, f"gridgov_api_{os.getpid()}") as url:
        load_demo(url)
        yield url


@pytest.fixture(scope="module")
def api(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`gridgov api` on a free port against the demo database; its base URL."""
    port = _free_port()
    log = tmp_path_factory.mktemp("api") / "api.log"
    env = {**os.environ, "GRIDGOV_DATABASE_URL": demo_url, "GRIDGOV_HOME": str(REPO / ".gridgov")}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from gridgov.cli import main; main()", "api", "--port", str(port), "--refresh", "0"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                get(f"{base}/healthz")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gridgov api did not start:\n{log.read_text()}")
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


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
        with urllib.request.urlopen(url, timeout=30) as response:
            text = response.read().decode("utf-8")
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


def test_the_api_role_reads_open_data_and_nothing_else(api: str, demo_url: str) -> None:
    with psycopg.connect(as_reader(demo_url), autocommit=True) as conn:
        assert conn.execute(f"SELECT count(*) FROM {SCHEMA}.special_groups").fetchone() == (10,)
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
        publish(conn, Settings())
        conn.commit()
        assert tables(conn) == sorted(layer.name for layer in exportable())
        # two more households in grid G03, and a stale table of a layer that no longer exists
        conn.execute(
            "INSERT INTO households (household_id, address, members, groups, building_id, geocoded_by, geom,"
            " grid_code, load_run_id, source_row) SELECT 'H' || n, address, 1, '{}', building_id, 'gazetteer', geom,"
            " grid_code, load_run_id, 100 + n FROM buildings, generate_series(11, 12) AS n WHERE building_id = 'B004'"
        )
        conn.execute(f"CREATE TABLE {SCHEMA}.retired_layer (grid_code text)")
        conn.commit()
    result = CliRunner().invoke(main, ["publish"], env={"GRIDGOV_DATABASE_URL": db_url})
    assert result.exit_code == 0, result.output
    assert "special_groups" in result.output
    with psycopg.connect(db_url) as conn:
        assert tables(conn) == sorted(layer.name for layer in exportable())
        rows = dict(conn.execute(f"SELECT grid_code, households FROM {SCHEMA}.special_groups").fetchall())
        assert rows == {"G01": 5, "G02": 3, "G03": 4}
        # only the API role may read open_data, not every role of the server
        assert conn.execute("SELECT has_schema_privilege('public', %s, 'USAGE')", [SCHEMA]).fetchone() == (False,)
