"""Finding 11 of issue 12: the OGC API's HTML loads nothing from another host.

tipg's pages loaded Bootstrap, jQuery and Leaflet from public CDNs and map tiles from OpenStreetMap: on a
government intranet they break, and elsewhere they tell a third party who is looking. Every `src` and
`href` of every HTML page is on the API's own host, the assets it names are served (with Leaflet's
licence), and the Content-Security-Policy lets a page load from nowhere else.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from ogc_server import Api, serving_api

from api.html import CONTENT_SECURITY_POLICY
from api.publish import SCHEMA

REPO = Path(__file__).resolve().parents[1]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in ("src", "href", "action", "srcset", "poster", "data") and v]


def urls(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.urls


@pytest.fixture(scope="module")
def api(server_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with serving_api(server_url, template_db, "gridgov_sec_assets", tmp_path_factory.mktemp("assets") / "api.log") as served:
        yield served


def pages(api: Api) -> list[str]:
    collection = f"{SCHEMA}.special_groups"
    first = json.loads(api.get(f"/collections/{collection}/items?f=geojson&limit=1").body)["features"][0]["id"]
    return ["/?f=html", "/conformance?f=html", "/collections?f=html", "/api.html",
            f"/collections/{collection}?f=html", f"/collections/{collection}/queryables?f=html",
            f"/collections/{collection}/items?f=html&limit=2", f"/collections/{collection}/items/{first}?f=html"]


def test_no_page_names_another_host(api: Api) -> None:
    own = urllib.parse.urlsplit(api.base).netloc
    seen = set()
    for path in pages(api):
        body = api.get(path).body
        assert "cdn" not in body.lower() and "openstreetmap" not in body.lower() and "unpkg" not in body.lower(), path
        for url in urls(body):
            parts = urllib.parse.urlsplit(url)
            assert parts.scheme in ("", "http") and parts.netloc in ("", own), (path, url)
            seen.add(parts.path)
    assert {"/static/leaflet/leaflet.js", "/static/leaflet/leaflet.css", "/static/map.js", "/static/ogc.css"} <= seen


def test_the_assets_are_served_by_the_api(api: Api) -> None:
    for path, kind in (("/static/leaflet/leaflet.js", "javascript"), ("/static/leaflet/leaflet.css", "text/css"),
                       ("/static/leaflet/images/layers.png", "image/png"), ("/static/map.js", "javascript"),
                       ("/static/ogc.css", "text/css"), ("/static/favicon.svg", "image/svg+xml")):
        reply = api.get(path, auth=None)  # no data in them: served without signing in
        assert reply.status == 200 and kind in reply.headers["content-type"], path
    assert "BSD 2-Clause" in (REPO / "api/static/leaflet/LICENSE").read_text()
    assert api.get("/static/../server.py", auth=None).status == 404
    assert api.get("/collections?f=html", auth=None).status == 401  # the rest still needs a sign-in


def test_the_content_security_policy_allows_only_this_server(api: Api) -> None:
    for path in pages(api):
        headers = api.get(path).headers
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert headers["x-content-type-options"] == "nosniff"
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY and "http" not in CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "default-src 'none'" in CONTENT_SECURITY_POLICY
    # no Swagger or ReDoc page pulling their scripts from a CDN
    assert api.get("/redoc").status == 404
    assert "swagger" not in api.get("/api.html").body.lower()
