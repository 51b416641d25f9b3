"""The planner's page (/export) and downloads, through the real app on a real database, and in real Chromium.

Downloads are files POSTed (with the session's CSRF token) from /data/<layer>.geojson|.gpkg: read back with pyogrio,
checked against RFC 7946, with nothing personal in them and an audit row for
each; every other role is refused. The page's picks run through its callbacks
as the browser sends them, and once end to end in headless Chromium.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import dash
import geobuf
import psycopg
import pyogrio
import pytest
import shapely
import shapely.geometry
from auth_client import User, make_users, running_app, session_secret, signed_in
from download_client import csrf_token, download
from playwright.sync_api import expect
from seed_sql import GRIDS, seed_small_community
from served_app import chromium, serving
from test_dashboard_browser import sign_in

from dashboard.maps import layer_legend, layer_style
from gridgov import audit, i18n
from gridgov.access import PERSONAL_COLUMNS
from gridgov.i18n import text
from layers import export, registry
from layers.registry import Column, Layer, Legend

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
API_PORT = 18081

# hazard_id, grid, found (community time), type, severity, status, address (never to leave the building)
HAZARDS = (
    ("Z1", "G01", "2026-01-10 10:00", "电动车违规充电", "high", "open", "幸福里1号楼 王五家门口"),
    ("Z2", "G01", "2026-02-05 09:00", "电动车违规充电", "low", "closed", "幸福里1号楼 楼道"),
    ("Z3", "G01", "2026-02-20 15:00", "消防通道堵塞", "medium", "open", "幸福里2号楼 东侧"),
    ("Z4", "G02", "2026-01-15 08:30", "电动车违规充电", "medium", "in_progress", "幸福里3号楼 车棚"),
    ("Z5", "G02", "2025-12-20 11:00", "电动车违规充电", "high", "open", "幸福里3号楼 北门"),
    ("Z6", "G03", "2026-01-20 16:00", "消防通道堵塞", "low", "open", "幸福里4号楼 西侧"),
)
FILTERED = "grid=G01&grid=G02&from=2026-01-01&to=2026-02-28&category=电动车违规充电"
# Z1, Z2 | Z4 (Z5 is before the window, Z3 another type): 2 and 1, below 5, so withheld from a planner
PLANNER_SEES = {"G01": None, "G02": None}


def seed_hazards(conn: psycopg.Connection) -> None:
    run = conn.execute("SELECT id FROM load_runs ORDER BY id LIMIT 1").fetchone()
    assert run is not None
    conn.execute("SET TIME ZONE 'Asia/Shanghai'")
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO hazards (hazard_id, found_at, type, severity, status, deadline, address, geocoded_by, geom,"
            " grid_code, load_run_id, source_row)"
            " SELECT %s, %s::timestamptz, %s, %s, %s, %s::timestamptz::date + 30, %s, 'gazetteer', ST_Centroid(g.geom),"
            " g.grid_code, %s, %s FROM grids AS g WHERE g.grid_code = %s",
            [(hid, found, kind, sev, st, found, addr, run[0], i, grid) for i, (hid, grid, found, kind, sev, st, addr) in enumerate(HAZARDS, 1)],
        )
    conn.commit()


@pytest.fixture
def app(db_url: str) -> Iterator[dash.Dash]:
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
        seed_hazards(conn)
    with running_app(db_url, api_port=API_PORT) as built:
        yield built



def exports(db_url: str) -> list[audit.Event]:
    with psycopg.connect(db_url) as conn:
        return [e for e in audit.recent(conn, limit=1000) if e.action == audit.EXPORT]


def assert_rfc7946(text: str) -> dict[str, Any]:
    """The GeoJSON text, parsed, after checking what RFC 7946 asks of it."""
    assert not re.search(r"\d\.\d{8,}", text), "more than 7 decimals"
    doc = json.loads(text)
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    for feature in doc["features"]:
        assert "crs" not in feature and feature["type"] == "Feature"
        geom = feature["geometry"]
        polygons = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        for rings in polygons:
            for i, ring in enumerate(rings):
                assert ring[0] == ring[-1]
                assert all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in ring)  # longitude first
                assert shapely.LinearRing(ring).is_ccw == (i == 0), "exterior CCW, holes CW"
    return doc


def assert_nothing_personal(layer: Layer, props: dict[str, Any], raw: bytes) -> None:
    allowed = {c.name for c in export.schema(layer)}
    assert set(props) <= allowed
    assert not set(props) & PERSONAL_COLUMNS
    for _hid, _grid, _found, _kind, _sev, _st, address in HAZARDS:
        assert address.encode() not in raw
    assert "网格员".encode() not in raw  # the grids' leaders' names


def multi_output(outputs: list[str], inputs: list[tuple[str, str, Any]]) -> dict[str, Any]:
    """The body Dash's renderer POSTs for a callback with several outputs."""
    return {
        "output": ".." + "...".join(outputs) + "..",
        "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in outputs],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [f"{i}.{p}" for i, p, _ in inputs],
        "state": [],
    }


PREVIEW_OUTPUTS = [
    "export-preview.url", "export-preview.hideout", "export-legend.children", "export-status.children",
    "export-error.children", "export-geojson.formAction", "export-geojson.disabled", "export-gpkg.formAction",
    "export-gpkg.disabled", "export-ogc-help.children",
]


def preview_request(layer: str, grids: list[str], start: str | None = None, end: str | None = None, cats: list[str] | None = None) -> dict[str, Any]:
    return multi_output(
        PREVIEW_OUTPUTS,
        [
            ("export-layer", "value", layer),
            ("export-grids", "value", grids),
            ("export-window", "start_date", start),
            ("export-window", "end_date", end),
            ("export-categories", "value", cats or []),
        ],
    )


def test_a_planner_downloads_a_filtered_layer_as_geojson(app: dash.Dash, users: dict[str, User], db_url: str, tmp_path: Path) -> None:
    client = signed_in(app, users["guihua"])
    response = download(client, f"/data/hazards.geojson?{FILTERED}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/geo+json"
    name = "安全隐患_hazards_G01-G02_2026-01-01--2026-02-28.geojson"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"filename*=UTF-8''{quote(name)}" in disposition
    raw = response.get_data()
    doc = assert_rfc7946(raw.decode("utf-8"))
    by_grid = {f["properties"]["grid_code"]: f["properties"] for f in doc["features"]}
    assert {code: p["hazards"] for code, p in by_grid.items()} == PLANNER_SEES
    assert by_grid["G01"]["grid_name"] == "东区一网格"
    layer = registry.get("hazards")
    for props in by_grid.values():
        assert_nothing_personal(layer, props, raw)

    path = tmp_path / "hazards.geojson"
    path.write_bytes(raw)
    frame = pyogrio.read_dataframe(path)
    assert sorted(frame["grid_code"]) == ["G01", "G02"]
    assert sorted(frame["grid_code"]) == sorted(PLANNER_SEES) and frame["hazards"].isna().all()
    assert frame.crs.to_epsg() == 4326

    (event,) = exports(db_url)
    assert event.username == "guihua" and event.ip == "127.0.0.1"
    assert event.detail["layer"] == "hazards" and event.detail["format"] == "geojson"
    assert event.detail["grids"] == ["G01", "G02"]
    assert event.detail["filters"] == ["categories", "grids", "window"]
    assert event.detail["bytes"] == len(raw)


def test_a_planner_downloads_a_geopackage_with_small_counts_withheld(
    app: dash.Dash, users: dict[str, User], db_url: str, tmp_path: Path
) -> None:
    client = signed_in(app, users["guihua"])
    response = download(client, "/data/special_groups.gpkg?grid=G01,G02")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/geopackage+sqlite3"
    assert quote("特殊群体_special_groups_G01-G02.gpkg") in response.headers["Content-Disposition"]
    path = tmp_path / "download.gpkg"
    path.write_bytes(response.get_data())
    assert [name for name, _ in pyogrio.list_layers(path)] == ["special_groups"]
    frame = pyogrio.read_dataframe(path)
    assert frame.crs.to_epsg() == 4326
    rows = {r.grid_code: r for r in frame.itertuples()}
    assert sorted(rows) == ["G01", "G02"]
    assert rows["G01"].households == 5
    assert frame["special_households"].isna().all()  # 3 and 1 households: below 5, withheld
    assert set(frame.columns) - {"geometry"} <= {c.name for c in export.schema(registry.get("special_groups"))}
    assert not set(frame.columns) & PERSONAL_COLUMNS
    (event,) = exports(db_url)
    assert event.detail["format"] == "gpkg" and event.detail["layer"] == "special_groups"


def test_downloads_are_for_planners_only(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    anonymous = app.server.test_client()
    for url in ("/data/hazards.geojson", "/data/special_groups.gpkg", "/data/special_groups.pbf"):
        response = anonymous.get(url)
        assert response.status_code == 401, url
        assert response.get_json() == {"error": "sign in first"}
    for username in ("shuji", "leader1", "leader23", "admin"):
        client = signed_in(app, users[username])
        token = csrf_token(client, {"shuji": "/wall", "admin": "/admin"}.get(username, "/grid"))
        for url in ("/data/hazards.geojson", "/data/special_groups.gpkg?grid=G01", "/data/no_such_layer.gpkg"):
            response = client.post(url, data={"csrf_token": token})
            assert response.status_code == 403, (username, url)
            assert "error" in response.get_json()
            assert "Content-Disposition" not in response.headers
    assert exports(db_url) == []


def test_bad_filters_are_a_400_that_says_what_is_wrong(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    client = signed_in(app, users["guihua"])
    token = csrf_token(client)
    cases = {
        "/data/hazards.geojson?from=yesterday": "from must be a date as YYYY-MM-DD",
        "/data/hazards.geojson?from=2026-03-01&to=2026-01-01": "starts (2026-03-01) after it ends (2026-01-01)",
        "/data/hazards.gpkg?grid=G99": "no grid G99",
        "/data/hazards.geojson?colour=red": "unknown parameter colour",
        "/data/special_groups.geojson?from=2026-01-01": "does not filter by window",
        "/data/hazards.geojson?period=year": "period must be week or month",
        "/data/hazards.geojson?status=lost": "unknown hazard status lost",
    }
    for url, message in cases.items():
        response = client.post(url, data={"csrf_token": token})
        assert response.status_code == 400, (url, response.get_data(as_text=True))
        assert message in response.get_json()["error"], url
    missing = client.post("/data/no_such_layer.geojson", data={"csrf_token": token})
    assert missing.status_code == 404 and "hazards" in missing.get_json()["error"]  # names the layers there are
    assert exports(db_url) == []


def test_an_emerging_hot_spot_window_of_centuries_is_a_400_before_any_computation(
    app: dash.Dash, users: dict[str, User]
) -> None:
    # `from=0001-01-01` once ran for a minute and asked for 44 GiB (a Mann-Kendall over every pair of 24,000
    # months); the number of periods is now bounded (settings.emerging_max_weeks / _months)
    cases = {
        "/data/emerging_hotspots.json?from=0001-01-01": "at most 60 months",
        "/data/emerging_hotspots.json?from=0001-01-01&period=week": "at most 104 weeks",
        "/data/emerging_hotspots.pbf?from=1990-01-01&to=2026-01-01&period=week": "at most 104 weeks",
        "/data/emerging_hotspots.geojson?from=0001-01-01": "at most 60 months",
    }
    for username in ("shuji", "leader1", "guihua"):
        client = signed_in(app, users[username])
        for url, message in cases.items():
            if url.endswith(".geojson?from=0001-01-01") and username != "guihua":
                continue  # downloads are the planner's
            response = download(client, url) if url.endswith(".geojson?from=0001-01-01") else client.get(url)
            assert response.status_code == 400, (username, url, response.status_code)
            assert message in response.get_json()["error"], (username, url)
    within = signed_in(app, users["shuji"]).get("/data/emerging_hotspots.json?from=2024-01-01&to=2025-12-31")
    assert within.status_code == 200 and {f["properties"]["periods"] for f in within.get_json()["features"]} == {24}


def test_the_maps_geobuf_is_the_same_data_as_the_json_and_scoped_the_same(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    secretary = signed_in(app, users["shuji"])
    for name in ("special_groups", "hazards", "complaint_hotspots"):
        as_json = secretary.get(f"/data/{name}.json").get_json()
        response = secretary.get(f"/data/{name}.pbf")
        assert response.status_code == 200 and response.mimetype == "application/x-protobuf"
        decoded = geobuf.decode(response.get_data())
        assert len(decoded["features"]) == len(as_json["features"]) == len(GRIDS)
        for mine, theirs in zip(decoded["features"], as_json["features"], strict=True):
            assert mine["id"] == theirs["id"]
            # geobuf leaves out nulls; every other value is the same
            assert dict(mine["properties"]) == {k: v for k, v in theirs["properties"].items() if v is not None}
            assert shapely.geometry.shape(mine["geometry"]).equals_exact(shapely.geometry.shape(theirs["geometry"]), 1e-7)
    leader = signed_in(app, users["leader1"])
    assert leader.get("/data/special_groups.pbf?grid=G02").status_code == 403
    assert [f["id"] for f in geobuf.decode(leader.get("/data/special_groups.pbf").get_data())["features"]] == ["G01"]
    planner = signed_in(app, users["guihua"])
    mine = geobuf.decode(planner.get("/data/special_groups.pbf").get_data())["features"]
    assert all("special_households" not in f["properties"] for f in mine)  # withheld: below 5 in every grid
    assert exports(db_url) == []  # the map's feed is no download


def test_the_export_page_offers_the_planners_layers_and_the_ogc_api(app: dash.Dash, users: dict[str, User]) -> None:
    client = signed_in(app, users["guihua"])
    assert client.get("/export").status_code == 200
    body = {"output": "page.children", "outputs": {"id": "page", "property": "children"},
            "inputs": [{"id": "url", "property": "pathname", "value": "/export"}], "changedPropIds": ["url.pathname"], "state": []}
    page = client.post("/_dash-update-component", json=body)
    assert page.status_code == 200
    shown = json.dumps(page.get_json(), ensure_ascii=False)
    for layer in export.exportable():
        assert text(layer.label, "zh") in shown
    assert f"http://localhost:{API_PORT}/" in shown  # the test client's host, on the API's port
    assert "东区一网格" in shown  # the grids to pick from

    categories = client.post(
        "/_dash-update-component",
        json=multi_output(
            ["export-categories.options", "export-categories.value", "export-grids-box.style", "export-window-box.style", "export-categories-box.style"],
            [("export-layer", "value", "hazards")],
        ),
    ).get_json()["response"]
    assert [o["value"] for o in categories["export-categories"]["options"]] == ["消防通道堵塞", "电动车违规充电"]
    assert categories["export-window-box"]["style"] == {}
    special = client.post(
        "/_dash-update-component",
        json=multi_output(["export-categories.options", "export-categories.value", "export-grids-box.style",
                           "export-window-box.style", "export-categories-box.style"], [("export-layer", "value", "special_groups")]),
    ).get_json()["response"]
    assert special["export-window-box"]["style"] == {"display": "none"}  # special groups take no time window
    assert special["export-categories-box"]["style"] == {"display": "none"}


def test_picking_filters_updates_the_preview_and_the_download_links(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    client = signed_in(app, users["guihua"])
    response = client.post(
        "/_dash-update-component", json=preview_request("hazards", ["G01", "G02"], "2026-01-01", "2026-02-28T00:00:00", ["电动车违规充电"])
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    out = response.get_json()["response"]
    assert out["export-preview"]["url"] == f"/data/hazards.pbf?{quote_query(FILTERED)}"
    assert out["export-geojson"]["formAction"] == f"/data/hazards.geojson?{quote_query(FILTERED)}"
    assert out["export-gpkg"]["formAction"] == f"/data/hazards.gpkg?{quote_query(FILTERED)}"
    assert out["export-geojson"]["disabled"] is False and out["export-gpkg"]["disabled"] is False
    assert out["export-status"]["children"] == "预览：安全隐患 · 2 个网格"
    assert out["export-error"]["children"] == ""
    legend = json.dumps(out["export-legend"]["children"], ensure_ascii=False)
    assert "逾期未整改隐患" in legend and "逾期：整改期限已过且未整改完成" in legend  # title and formula note
    assert "open_data.hazards" in out["export-ogc-help"]["children"]
    # the preview's URL answers with the same grids
    decoded = geobuf.decode(client.get(out["export-preview"]["url"]).get_data())
    assert sorted(f["properties"]["grid_code"] for f in decoded["features"]) == ["G01", "G02"]

    wrong = client.post("/_dash-update-component", json=preview_request("hazards", [], "2026-03-01", "2026-01-01")).get_json()["response"]
    assert wrong["export-error"]["children"].startswith("筛选条件有误：") and "2026-03-01" in wrong["export-error"]["children"]
    assert wrong["export-geojson"]["formAction"] is None and wrong["export-gpkg"]["formAction"] is None
    assert wrong["export-geojson"]["disabled"] is True and wrong["export-gpkg"]["disabled"] is True
    assert exports(db_url) == []  # a preview is no download

    for username in ("shuji", "leader1"):  # a crafted callback from another role
        other = signed_in(app, users[username])
        assert other.post("/_dash-update-component", json=preview_request("hazards", [])).status_code == 403


def quote_query(query: str) -> str:
    return "&".join(f"{k}={quote(v)}" for k, v in (pair.split("=") for pair in query.split("&")))


i18n.add({
    "zh": {"test.label": "测试", "test.v": "值", "test.legend": "测试值", "test.note": "值 = 甲 ÷ 乙", "test.a": "甲"},
    "en": {"test.label": "Test", "test.v": "value", "test.legend": "Test value", "test.note": "value = a ÷ b", "test.a": "A"},
})


def _layer(kind: str, categories: tuple[tuple[str, str, str], ...] = ()) -> Layer:
    return Layer(
        name=f"test_{kind}", label="test.label", accepts=frozenset({"grids"}),
        columns=(Column("v", "float", "test.v"),), aggregate=lambda *_: None,  # type: ignore[arg-type, return-value]
        legend=Legend("v", kind, "test.legend", note="test.note", categories=categories),  # type: ignore[arg-type]
    )


def _features(*values: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"v": v}} for v in values]}


def _legend_text(layer: Layer, features: dict[str, Any], lang: str = "zh") -> str:
    style = layer_style.style_of(layer, features, lang)
    return json.dumps(layer_legend.legend(layer, style, lang).to_plotly_json(), ensure_ascii=False, default=lambda c: c.to_plotly_json())


def test_each_legend_kind_reads_as_its_scale_with_the_formula() -> None:
    count = _legend_text(_layer("count"), _features(0, 3, 12, None))
    assert all(label in count for label in ("测试值", "0", "1–3", "10–12", "不公开（少于 5）或无数据", "值 = 甲 ÷ 乙"))
    rate = _legend_text(_layer("rate"), _features(12.5, 80.0), "en")
    assert "linear-gradient" in rate and "0 %" in rate and "100 %" in rate and "value = a ÷ b" in rate
    assert "Withheld" not in rate  # every grid has a value
    hotspots = registry.get("complaint_hotspots")
    bins = _legend_text(hotspots, {"features": [{"properties": {"gi_bin": 0}}]})
    assert all(text(key, "zh") in bins for _v, key, _c in hotspots.legend.categories)  # all 7 bins, hot and cold
    assert "#d62f27" in bins and "#4575b5" in bins
    emerging = registry.get("emerging_hotspots")
    patterns = _legend_text(emerging, {"features": [{"properties": {"pattern": "new_hot_spot"}}, {"properties": {"pattern": "no_pattern"}}]})
    assert "新增的热点" in patterns and "无显著模式" in patterns and "持续的热点" not in patterns  # only those on the map
    style = layer_style.style_of(_layer("category", (("a", "test.a", "#111111"),)), _features("a"), "en")
    hideout = layer_style.hideout(_layer("category"), style, "en", class_name="x", labels={"missing": "—"})
    assert hideout["values"] == ["a"] and hideout["valueLabels"] == ["A"] and hideout["colors"] == ["#111111"]
    assert hideout["columns"] == [["v", "value"]] and hideout["title"] == "Test value"


@pytest.mark.browser
def test_a_planner_previews_a_grid_and_downloads_it_in_chromium(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
        seed_hazards(conn)
    planner = make_users(db_url)["guihua"]
    ARTIFACTS.mkdir(exist_ok=True)
    env = {"GRIDGOV_DATABASE_URL": db_url, "GRIDGOV_SECRET_KEY": session_secret(), "GRIDGOV_TILE_URL": "",
           "GRIDGOV_API_PORT": str(API_PORT)}
    with serving(env, ARTIFACTS / "serve_export.log") as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 850}, accept_downloads=True)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        requested: list[str] = []
        page.on("request", lambda r: requested.append(r.url))

        page.goto(url + "login")
        sign_in(page, planner)
        expect(page).to_have_url(url + "export")
        expect(page.locator("header h1")).to_have_text("数据导出")
        layers = page.locator("#export-layer")
        for layer in export.exportable():
            expect(layers).to_contain_text(text(layer.label, "zh"))
        expect(page.locator("#export-ogc-url")).to_have_text(f"http://127.0.0.1:{API_PORT}/")
        polygons = page.locator("path.export-polygon")
        expect(polygons).to_have_count(len(GRIDS))
        expect(page.locator(".gg-layer-legend")).to_contain_text("特殊群体户数")
        page.screenshot(path=str(ARTIFACTS / "export_page.png"))

        page.get_by_text("安全隐患", exact=True).click()
        expect(page.locator("#export-status")).to_have_text(f"预览：安全隐患 · {len(GRIDS)} 个网格")
        expect(page.locator(".gg-layer-legend")).to_contain_text("逾期未整改隐患")
        page.locator("#export-grids").click()
        page.get_by_text("G01 东区一网格").click()
        page.keyboard.press("Escape")
        expect(page.locator("#export-status")).to_have_text("预览：安全隐患 · 1 个网格")
        expect(polygons).to_have_count(1)
        expect(page.locator("#export-geojson")).to_have_attribute("formaction", "/data/hazards.geojson?grid=G01")

        polygons.first.click()  # the grid's numbers
        popup = page.locator(".gg-popup")
        expect(popup).to_contain_text("东区一网格")
        expect(popup).to_contain_text("隐患数")
        # G01's 3 hazards: a count below 5, withheld from a planner (layers.suppression) and shown as "—"
        expect(popup.locator("tr", has_text="隐患数").first.locator("td")).to_have_text("—")
        page.mouse.move(200, 800)  # off the map: the hover tooltip goes, the popup stays
        expect(page.locator(".leaflet-tooltip")).to_have_count(0)
        expect(popup).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "export_grid.png"))

        with page.expect_download() as info:
            page.locator("#export-geojson").click()
        download = info.value
        assert download.suggested_filename == "安全隐患_hazards_G01.geojson"
        saved = ARTIFACTS / "export_download.geojson"
        download.save_as(saved)
        doc = assert_rfc7946(saved.read_text(encoding="utf-8"))
        assert [f["properties"]["grid_code"] for f in doc["features"]] == ["G01"]
        assert doc["features"][0]["properties"]["hazards"] is None  # 3: withheld, as in the preview

        page.get_by_text("English").click()
        expect(page.locator("header h1")).to_have_text("Data export")
        expect(page.locator("#export-layer")).to_contain_text("Safety hazards")
        expect(page.locator("#export-status")).to_have_text(f"Preview: Special groups · {len(GRIDS)} grids")
        expect(page.locator(".gg-layer-legend")).to_contain_text("per 100 = special-group households")
        expect(polygons).to_have_count(len(GRIDS))
        page.screenshot(path=str(ARTIFACTS / "export_page_en.png"))
        assert errors == []
        assert [u for u in requested if u.startswith("http") and not u.startswith(url)] == []  # offline
    with psycopg.connect(db_url) as conn:
        (event,) = [e for e in audit.recent(conn) if e.action == audit.EXPORT]
    assert event.username == planner.username and event.detail["grids"] == ["G01"]
