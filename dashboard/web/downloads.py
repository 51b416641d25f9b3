"""A planner's downloads: a layer's de-identified per-grid features as a real file, written by the layers' exporter.

    POST /data/<layer>.geojson   GeoJSON, RFC 7946 (layers.export)
    POST /data/<layer>.gpkg      GeoPackage

A download is a POST carrying the session's CSRF token (form field
`csrf_token`, as the export page's download buttons send it): a link or a
page of another site cannot make a signed-in planner download, or be audited
for, an export. A GET is a 405, a POST without the token a 403, both before
anything is read. Query parameters as every data URL
(dashboard.web.query_filters), checked on the server: one the layer does not
take, an unknown grid or a bad date is a 400 naming it. Only a signed-in
planner may download (403 for every other role; 401 for anonymous requests,
from dashboard.web.guard, as for any /data/ URL). The audit row (gridgov.audit
EXPORT: who, the layer, the grids, the filters, the format and size) is
written in the same transaction that reads the data, before the file leaves;
the file is written to a private temporary folder, unlinked, and streamed from
the open handle.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import IO

from flask import Flask, Response, request, send_file

from dashboard.web import data_access, query_filters
from dashboard.web.appctx import settings
from dashboard.web.http_errors import answer
from dashboard.web.session import csrf_ok, current_viewer, require_account
from gridgov import access, audit
from gridgov.errors import Forbidden
from gridgov.i18n import text
from layers import audit_detail, export, registry
from layers.registry import Filters, Layer, Viewer

PREFIX = "/data/"
MIMETYPES = {"geojson": "application/geo+json", "gpkg": "application/geopackage+sqlite3"}
_UNSAFE = re.compile(r"[^\w.-]+")  # \w keeps Chinese characters; anything else a file system may refuse becomes _


def filename(layer: Layer, filters: Filters, fmt: str) -> str:
    """The file's name: the layer in Chinese and by name, the grids (up to three) and the time window."""
    parts = [text(layer.label, "zh"), layer.name]
    if filters.grids:
        parts.append("-".join(filters.grids) if len(filters.grids) <= 3 else f"{len(filters.grids)}grids")
    if filters.start or filters.end:
        parts.append(f"{filters.start or ''}--{filters.end or ''}")
    return _UNSAFE.sub("_", "_".join(parts)).strip("_") + f".{fmt}"


def _written(username: str, viewer: Viewer, name: str, filters: Filters, fmt: str) -> IO[bytes]:
    """The export as an open file whose name is already gone; audited in the same transaction that read it."""
    with tempfile.TemporaryDirectory(prefix="gridgov-export-") as folder:
        path = Path(folder) / f"export.{fmt}"
        with data_access.viewer_connection(viewer) as conn:
            export.export(conn, name, filters, path, settings().layers, fmt)
            detail = audit_detail.detail(name, filters, request.path, format=fmt, bytes=path.stat().st_size)
            audit.record(conn, username=username, action=audit.EXPORT, detail=detail, ip=request.remote_addr)
        handle = path.open("rb")  # kept open: the folder goes, the bytes stay until the response is sent
    return handle


def download(name: str, fmt: str) -> Response:
    """The layer `name` as a `fmt` file, for the signed-in planner who sent the session's CSRF token."""
    if request.method != "POST":
        response = answer(405, "a download is a POST with the session's CSRF token: use the export page's buttons")
        response.headers["Allow"] = "POST"
        return response
    account = require_account()
    if not csrf_ok(request.form.get("csrf_token")):
        return answer(403, "the download lacks this session's CSRF token: use the export page's buttons")
    viewer = current_viewer()  # Forbidden for an administrator
    if not access.decide(viewer.role, access.DOWNLOADS).allowed:
        raise Forbidden(f"a {viewer.role.value} may not download exports; planners do")
    layers = {layer.name: layer for layer in export.exportable()}
    if name not in layers:
        return answer(404, f"there is no layer {name!r} to export; layers: {', '.join(layers)}")
    # the planner's area (a street, or everything): other grids refused, none asked for means all of the area's;
    # then read on the app's connection, which writes the audit row in the transaction that read the data
    filters = registry.scope(layers[name], viewer, query_filters.from_request())
    handle = _written(account.username, Viewer(viewer.role), name, filters, fmt)
    response = send_file(
        handle,
        mimetype=MIMETYPES[fmt],
        as_attachment=True,
        download_name=filename(layers[name], filters, fmt),
        conditional=False,
        etag=False,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def install(server: Flask) -> None:
    """Add the download routes (beside the data URLs, so the guard treats them as data: 401 when signed out).

    They take GET too, only to answer it with a 405 that says what to do instead.
    """

    @server.route(PREFIX + "<name>.geojson", methods=["GET", "POST"])
    def layer_geojson(name: str) -> Response:
        return download(name, "geojson")

    @server.route(PREFIX + "<name>.gpkg", methods=["GET", "POST"])
    def layer_gpkg(name: str) -> Response:
        return download(name, "gpkg")

