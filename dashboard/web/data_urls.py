"""Data URLs: a layer's per-grid aggregate and its detail features as GeoJSON, for the signed-in session only.

    GET /data/<layer>.json          per-grid aggregate (a planner's is de-identified, and audited as an export)
    GET /data/<layer>.pbf           the same as geobuf, what the maps fetch (compact; a planner's audited as a view)
    GET /data/<layer>/detail.json   detail features (points), where the role has DETAIL access (audited when personal)
    POST /data/<layer>.geojson|.gpkg a planner's download, a file from the layers' exporter (dashboard.web.downloads)
    GET /data/grids/outlines.pbf    the shapes of the session's grids (geobuf), for maps coloured from numbers
    GET /data/grids/labels.pbf      a point inside each of them, where its label goes (geobuf)

The two grid shapes carry an ETag: a browser that has them already gets a 304
until the grids change.

Query parameters: see dashboard.web.query_filters (which bounds them). Anonymous requests never get
here (401 from dashboard.web.guard); what the session may see is decided by the
registry from the server-side Viewer: another grid, or a level the role does not
have, is a 403; an unknown layer a 404; a bad parameter a 400.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import geobuf
from flask import Flask, Response, request

from dashboard.web import data_access, downloads, query_filters
from layers import registry

PREFIX = "/data/"
OUTLINES = PREFIX + "grids/outlines.pbf"
LABEL_POINTS = PREFIX + "grids/labels.pbf"


def url(name: str, params: dict[str, Any] | None = None, fmt: str = "json") -> str:
    """The data URL of layer `name` in `fmt` (json, pbf, geojson, gpkg) with query parameters (lists repeat)."""
    query = urlencode({k: v for k, v in (params or {}).items() if v not in (None, "", [], ())}, doseq=True)
    return f"{PREFIX}{name}.{fmt}" + (f"?{query}" if query else "")


def _geojson(value: dict[str, Any]) -> Response:
    return Response(json.dumps(value, ensure_ascii=False, separators=(",", ":")), mimetype="application/geo+json")


def _unknown(name: str) -> Response | None:
    names = [layer.name for layer in registry.available()]
    if name in names:
        return None
    body = {"error": f"there is no layer {name!r}", "layers": names}
    return Response(json.dumps(body, ensure_ascii=False), status=404, mimetype="application/json")


def install(server: Flask) -> None:
    """Add the data routes to the Flask server."""

    @server.get(PREFIX + "<name>.json")
    def layer_aggregate(name: str) -> Response:
        missing = _unknown(name)
        if missing is not None:
            return missing
        return _geojson(data_access.aggregate(name, query_filters.from_request(), download=True))

    @server.get(PREFIX + "<name>.pbf")
    def layer_geobuf(name: str) -> Response:
        missing = _unknown(name)
        if missing is not None:
            return missing
        features = data_access.aggregate(name, query_filters.from_request())
        return Response(geobuf.encode(features, data_access.GEOBUF_DECIMALS), mimetype="application/x-protobuf")

    @server.get(PREFIX + "<name>/detail.json")
    def layer_detail(name: str) -> Response:
        missing = _unknown(name)
        if missing is not None:
            return missing
        return _geojson(data_access.detail(name, query_filters.from_request()))

    def shapes(kind: str) -> Response:
        encoded = data_access.grid_shapes(kind)
        if encoded.etag in request.if_none_match:
            response = Response(status=304)
        else:
            response = Response(encoded.body, mimetype="application/x-protobuf")
        response.set_etag(encoded.etag)
        response.headers["Cache-Control"] = "private, no-cache"  # kept by this browser only, asked again each time
        return response

    server.add_url_rule(OUTLINES, "grid_outlines", lambda: shapes("outlines"), methods=["GET"])
    server.add_url_rule(LABEL_POINTS, "grid_label_points", lambda: shapes("labels"), methods=["GET"])
    downloads.install(server)
