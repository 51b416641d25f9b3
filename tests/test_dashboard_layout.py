"""The page the dashboard builds, checked on its component tree (no browser)."""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dash
import dash_leaflet as dl
import psycopg
import pytest
from auth_client import app_settings, sign_in_request
from click.testing import CliRunner
from dash.development.base_component import Component
from seed_sql import COMMUNITY, seed_small_community

from dashboard import pages
from dashboard.app import create_app
from gridgov import accounts
from gridgov.cli import main
from gridgov.errors import Forbidden


@pytest.fixture
def make_app(db_url: str) -> Iterator[Any]:
    """Build apps on the test database, with a signed-in secretary to look at them, and close their pools afterwards."""
    apps: list[dash.Dash] = []
    with psycopg.connect(db_url) as conn:
        # the secretary of the small community, whose grids are not loaded yet (each test loads them or not)
        conn.execute("INSERT INTO users (username, password_hash, role, communities) VALUES (%s, %s, 'secretary', %s)",
                     ["shuji", accounts.hash_password(secrets.token_urlsafe(16)), [COMMUNITY]])

    def make(**settings: Any) -> dash.Dash:
        app = create_app(app_settings(db_url, **settings), db_url)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.server.extensions["gridgov.pool"].close()


def _page(app: dash.Dash, path: str = "/") -> Component:
    """The page at `path` as the router builds it for the signed-in secretary, at each page load afresh."""
    with app.server.test_request_context(path):
        with app.server.extensions["gridgov.pool"].connection() as conn:
            account = accounts.get(conn, "shuji")
        assert account is not None
        sign_in_request(app, account)
        page: Component = pages.render(path)
    return page


def _find(page: Component, kind: type[Component]) -> list[Any]:
    return [c for _, c in page._traverse_with_paths() if isinstance(c, kind)]


def _text(node: Any) -> str:
    if isinstance(node, Component):
        return _text(getattr(node, "children", None))
    if isinstance(node, list | tuple):
        return " ".join(_text(child) for child in node)
    return "" if node is None else str(node)


def test_no_tile_layer_when_tile_url_is_empty(make_app: Any, db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
    page = _page(make_app(tile_url=""))
    assert _find(page, dl.TileLayer) == []
    geojson = _find(page, dl.GeoJSON)
    assert [g.id for g in geojson] == ["grid-layer", "building-layer"]
    assert len(geojson[0].data["features"]) == 3
    assert geojson[0].hideout["thresholds"] == [0, 1, 2, 3]  # max 3 special-group households
    (leaflet_map,) = _find(page, dl.Map)
    (south, west), (north, east) = leaflet_map.bounds
    assert (south, west, north, east) == pytest.approx((39.92, 116.5, 39.925, 116.515))


def test_tile_layer_uses_the_configured_url(make_app: Any, db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
    url = "http://tiles.invalid/{z}/{x}/{y}.png"
    page = _page(make_app(tile_url=url, tile_attribution="本地底图"))
    (tiles,) = _find(page, dl.TileLayer)
    assert tiles.url == url
    assert tiles.attribution == "本地底图"


def test_page_reads_fresh_data_at_each_load(make_app: Any, db_url: str) -> None:
    app = make_app()
    # the secretary's community has no grid loaded yet: said plainly, not shown as an empty map of everything
    with pytest.raises(Forbidden, match=f"no grid of {COMMUNITY} is loaded"):
        _page(app)
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
    text = _text(_page(app))
    assert "尚未导入网格数据" not in text
    assert "幸福里社区" in text
    assert "特殊群体户数" in text


def test_serve_fails_clearly_without_a_database(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    result = CliRunner().invoke(
        main,
        ["serve", "--port", "0"],
        env={"GRIDGOV_DATABASE_URL": f"postgresql://nobody@127.0.0.1:{dead}/none", "GRIDGOV_HOME": str(tmp_path)},
    )
    assert result.exit_code == 4, result.output
    assert "cannot reach the database" in result.output
