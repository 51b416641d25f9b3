"""Finding 2 of issue 12: the OGC API's HTML pages never run stored (or reflected) script.

Every text property of every published table (grid code, grid name, community, pattern, ...) is set to one
of the payloads below, and every HTML page the API serves (landing, conformance, collections, each
collection, its queryables, its items, each item, the API page) is fetched: a payload appears only
escaped, never as markup, also when it comes in the query string. Then real headless Chromium opens the
pages and no dialog opens. The API is on the dashboard's site, so script here would act as the planner.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from markupsafe import escape
from ogc_server import PLANNER, Api, serving_api, text_columns
from served_app import chromium

from api.publish import SCHEMA

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PAYLOADS = (
    "第一网格<img src=x onerror=alert(1)>",  # the attack
    "</script><script>alert(1)</script>",  # out of a script block
    "\"'><svg onload=alert(1)>",  # out of an attribute, either quote
)
IN_PATHS = (PAYLOADS[0], PAYLOADS[2])  # an id with "/" cannot be in a URL path (tipg's links refuse it)
MARKUP = re.compile(r"<img src=x|<svg onload|<script>alert", re.IGNORECASE)


@pytest.fixture(scope="module")
def api(server_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    log = tmp_path_factory.mktemp("ogc_html") / "api.log"
    with serving_api(server_url, template_db, "gridgov_sec_html", log) as served:
        with psycopg.connect(served.db_url) as conn:
            for table, columns in text_columns(conn).items():
                codes = [r[0] for r in conn.execute(f"SELECT grid_code FROM {SCHEMA}.{table} ORDER BY 1")]
                for i, code in enumerate(codes):
                    values = {c: PAYLOADS[(i + j) % len(PAYLOADS)] for j, c in enumerate(columns)}
                    values["grid_code"] = f"{IN_PATHS[i % len(IN_PATHS)]}#{i}"  # the feature's id, in its URL
                    sets = ", ".join(f"{c} = %({c})s" for c in columns)
                    conn.execute(f"UPDATE {SCHEMA}.{table} SET {sets} WHERE grid_code = %(old)s", {**values, "old": code})
        yield served


def item_paths(api: Api, collection: str) -> list[str]:
    doc = json.loads(api.get(f"/collections/{collection}/items?f=geojson&limit=100").body)
    return [f"/collections/{collection}/items/{urllib.parse.quote(str(f['id']), safe='')}" for f in doc["features"]]


def html_pages(api: Api) -> list[str]:
    pages = ["/?f=html", "/conformance?f=html", "/collections?f=html", "/api.html"]
    for collection in api.collections():
        pages += [f"/collections/{collection}?f=html", f"/collections/{collection}/queryables?f=html",
                  f"/collections/{collection}/items?f=html&limit=100"]
        pages += [f"{path}?f=html" for path in item_paths(api, collection)]
    return pages


def test_every_text_property_holds_a_payload(api: Api) -> None:
    with psycopg.connect(api.db_url) as conn:
        columns = text_columns(conn)
        assert {"grid_code", "grid_name", "community_name"} <= set(columns["special_groups"])
        for table, names in columns.items():
            for name in names:
                values = {r[0] for r in conn.execute(f"SELECT {name} FROM {SCHEMA}.{table}")}
                assert all(any(p in v for p in PAYLOADS) for v in values), (table, name)


def test_no_html_page_carries_a_payload_as_markup(api: Api) -> None:
    pages = html_pages(api)
    assert len(pages) > 4 + 3 * len(api.collections())  # item pages too
    for path in pages:
        reply = api.get(path)
        assert reply.status == 200, (path, reply.body[:300])
        assert reply.headers["content-type"].startswith("text/html"), path
        for payload in PAYLOADS:
            assert payload not in reply.body, (path, payload)
        assert not MARKUP.search(reply.body), path


def test_the_items_and_item_pages_show_the_values_escaped(api: Api) -> None:
    collection = f"{SCHEMA}.special_groups"
    items = api.get(f"/collections/{collection}/items?f=html").body
    item = api.get(f"{item_paths(api, collection)[0]}?f=html").body
    for payload in PAYLOADS:
        assert str(escape(payload)) in items, payload
    assert any(str(escape(p)) in item for p in PAYLOADS)
    # the map's data: JSON whose <, > and & cannot end the block it sits in
    block = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', items, re.S)
    assert block and "\\u003c" in block.group(1) and "<" not in block.group(1)


def test_a_payload_in_the_query_string_is_escaped_too(api: Api) -> None:
    collection = f"{SCHEMA}.special_groups"
    for payload in PAYLOADS:
        query = urllib.parse.urlencode({"f": "html", "note": payload, "limit": "2"})
        for path in (f"/collections/{collection}/items?{query}", f"/collections?{query}", f"/?{query}"):
            body = api.get(path).body
            assert payload not in body and not MARKUP.search(body), (path, payload)


@pytest.mark.browser
def test_chromium_opens_every_page_and_no_script_of_the_data_runs(api: Api) -> None:
    dialogs: list[str] = []
    errors: list[str] = []
    with chromium() as browser:
        context = browser.new_context(http_credentials={"username": PLANNER[0], "password": PLANNER[1]})
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(f"{m.text} {m.location.get('url')}") if m.type == "error" else None)
        for path in html_pages(api):
            page.goto(api.base + path)
            page.wait_for_load_state("load")
        # the map drew the grids from the escaped data (Leaflet served by the API itself)
        page.goto(f"{api.base}/collections/{SCHEMA}.special_groups/items?f=html")
        page.wait_for_selector("#map path.leaflet-interactive")
        page.locator("#map path.leaflet-interactive").first.click(force=True)
        popup = page.locator(".leaflet-popup-content").inner_text()
        assert any(payload in popup for payload in PAYLOADS)  # shown as text
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "ogc_items_escaped.png"), full_page=True)
    assert dialogs == []
    assert errors == []
