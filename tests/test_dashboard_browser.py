"""The served dashboard in real headless Chromium: grids drawn, legend and tooltips shown, no tiles needed."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from auth_client import User, make_users, session_secret
from playwright.sync_api import ConsoleMessage, Page, expect
from seed_sql import GRIDS, seed_small_community
from served_app import chromium, free_port, serving

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def sign_in(page: Page, user: User) -> None:
    """Fill in and send the sign-in form the browser is on."""
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(user.password)
    page.locator("button[type=submit]").click()


def _is_tile_failure(msg: ConsoleMessage, tiles_prefix: str) -> bool:
    return msg.location.get("url", "").startswith(tiles_prefix) and "net::ERR_CONNECTION_REFUSED" in msg.text


@pytest.mark.browser
def test_map_renders_grids_legend_and_tooltips_without_tiles(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
    users = make_users(db_url)
    ARTIFACTS.mkdir(exist_ok=True)
    # a tile server that is down: nothing listens on that port, as on a closed network
    tiles_prefix = f"http://127.0.0.1:{free_port()}/"
    env = {
        "GRIDGOV_DATABASE_URL": db_url,
        "GRIDGOV_SECRET_KEY": session_secret(),
        "GRIDGOV_TILE_URL": tiles_prefix + "{z}/{x}/{y}.png",
    }
    log = ARTIFACTS / "serve.log"
    with serving(env, log) as url:
        assert f"gridgov dashboard: {url}" in log.read_text()

        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            console_errors: list[str] = []
            page.on(
                "console",
                lambda m: (
                    console_errors.append(f"{m.text} @ {m.location.get('url')}")
                    if m.type == "error" and not _is_tile_failure(m, tiles_prefix)
                    else None
                ),
            )
            page.on("pageerror", lambda e: console_errors.append(f"page error: {e}"))
            requested: list[str] = []
            page.on("request", lambda r: requested.append(r.url))

            page.goto(url)  # signed out: the sign-in page first, then back to the map
            sign_in(page, users["shuji"])
            expect(page).to_have_url(url)
            polygons = page.locator("path.grid-polygon")
            expect(polygons).to_have_count(len(GRIDS))
            expect(page.locator("path.building-point")).to_have_count(4)

            legend = page.locator(".gg-legend")
            expect(legend).to_be_visible()
            expect(legend).to_contain_text("特殊群体户数")
            expect(page.locator("header h1")).to_contain_text("社区网格地图")

            # shaded by special-group households: 3, 1 and 0 give three different classes
            fills = polygons.evaluate_all("ps => ps.map(p => p.getAttribute('fill'))")
            assert len(set(fills)) == len(GRIDS), fills

            tooltip = page.locator(".leaflet-tooltip")
            # hover where a person would: the middle of each grid, west to east (hovering a polygon
            # brings it to the front, so its DOM position is no way to find it again)
            boxes = sorted((box for box in (p.bounding_box() for p in polygons.all()) if box), key=lambda b: b["x"])
            for grid, box in zip(sorted(GRIDS, key=lambda g: g.west), boxes, strict=True):
                page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                expect(tooltip).to_have_count(1)
                expect(tooltip).to_be_visible()
                expect(tooltip).to_contain_text(grid.name)
                expect(tooltip).to_contain_text(f"户数：{grid.households}")
                expect(tooltip).to_contain_text(f"特殊群体户数：{grid.special_households}")
                page.mouse.move(5, 5)
                expect(tooltip).to_have_count(0)  # Leaflet fades a closed tooltip out before removing it

            polygons.first.hover()
            expect(tooltip).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "dashboard_map.png"))

            assert console_errors == []
            # the tile layer was there and asked for tiles; the map above was drawn without them
            assert any(u.startswith(tiles_prefix) for u in requested)
            # offline: the page asks nothing of anyone but this server and the (dead) tile server
            outside = [u for u in requested if u.startswith("http") and not u.startswith((url, tiles_prefix))]
            assert outside == []
