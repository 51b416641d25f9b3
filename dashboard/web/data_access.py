"""How a request reaches the data: through the registry, on a connection scoped to the viewer, with an audit row.

Every data URL and Dash callback asks for layer data through these functions,
with the Viewer of the signed-in session (dashboard.web.session), as the
access policy (gridgov.access) scopes it. For a role that sees its own grids
only (a grid leader) the queries run in a transaction as the
row-level-security role (gridgov.rls), so even a bug in a callback cannot
return another grid's rows, and so do those of a secretary, street officer or
wall screen, for the grids of their area (gridgov.areas); others use the app's
own connection. A detail
view of a layer with personal data (any detail column in the policy's
PERSONAL_COLUMNS: household-level rows, names, phones, complaint text) is
written to the audit table before it is returned, and so is every
de-identified answer (a planner's): as an export when it is a download, as a
view when it feeds a map or the preview (the map's geobuf, the preview
callback). Each row says who, the layer, the grids and the filters
(layers.audit_detail).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

import geobuf
import psycopg
from flask import copy_current_request_context, request

from dashboard.web.appctx import pool, settings
from dashboard.web.session import current_viewer, require_account
from gridgov import access, audit
from gridgov.access import Access, Role, Scope
from gridgov.rls import grid_reader_transaction
from layers import answers, audit_detail, export, freshness, outlines, registry, work_orders
from layers.basemap import Bounds
from layers.registry import Filters, Layer, Viewer

T = TypeVar("T")
GEOBUF_DECIMALS = 7  # as the GeoJSON (RFC 7946 §11.2)

@contextmanager
def viewer_connection(viewer: Viewer) -> Iterator[psycopg.Connection]:
    """A pooled connection in one transaction; for a viewer limited to some grids (a grid leader, an account's
    area), one that sees only those grids' rows."""
    with pool().connection() as conn:
        if viewer.grid_codes:
            unplaced = access.decide(viewer.role, access.UNPLACED_CASES).allowed
            with grid_reader_transaction(conn, viewer.grid_codes, unplaced=unplaced):
                yield conn
        else:
            with conn.transaction():
                yield conn


def _audit(action: str, detail: dict[str, Any], conn: psycopg.Connection | None = None) -> None:
    """One audit row for this request's account, on `conn` (in its transaction) or on a connection of its own."""
    if conn is not None:
        audit.record(conn, username=require_account().username, action=action, detail=detail, ip=request.remote_addr)
        return
    with pool().connection() as own:
        _audit(action, detail, own)


def aggregates(asks: Sequence[tuple[str, Filters]], *, downloaded: bool = False) -> list[dict[str, Any]]:
    """Per-grid features of several (layer, filters) the session may see, in order, at one read of the stamp.

    One connection (and one for those computed over the whole area) and one stamp for all: a request
    asking for three layers makes three round trips to the database, not eighteen, when they are cached.
    A de-identified answer is audited in the transaction that read it: an export when `downloaded`, else a view.
    """
    viewer = current_viewer()
    scoped = [(layer := registry.get(name), registry.scope(layer, viewer, filters)) for name, filters in asks]
    results: list[dict[str, Any]] = [{} for _ in asks]
    # a neighbourhood statistic (Gi*) needs every grid's counts: it runs on the app's connection, and the
    # registry has already narrowed what comes back to the viewer's grids; so does a de-identified answer,
    # audited in the transaction that read it (which the row-level-security role could not write)
    def apps(layer: Layer) -> bool:
        return layer.whole_area or access.decide(viewer.role, access.layer(layer.name)).scope is Scope.DEIDENTIFIED

    for on_apps in (False, True):
        wanted = [i for i, (layer, _) in enumerate(scoped) if apps(layer) is on_apps]
        if not wanted:
            continue
        with viewer_connection(Viewer(Role.SECRETARY) if on_apps else viewer) as conn:
            at = answers.stamp(conn)
            for i in wanted:
                layer, filters = scoped[i]
                if access.decide(viewer.role, access.layer(layer.name)).scope is Scope.DEIDENTIFIED:
                    results[i] = export.planner_geojson(conn, layer.name, filters, settings().layers, at=at)
                    action = audit.EXPORT if downloaded else audit.VIEW_DEIDENTIFIED
                    more = {"format": "geojson"} if downloaded else {}
                    features = len(results[i].get("features", []))
                    _audit(action, audit_detail.detail(layer.name, filters, request.path, features=features, **more), conn)
                else:
                    results[i] = registry.aggregate(conn, layer.name, viewer, filters, settings().layers, at=at)
    return results


def aggregate(name: str, filters: Filters, *, download: bool = False) -> dict[str, Any]:
    """The layer's per-grid features the session may see (a planner's de-identified, audited; downloaded, an export)."""
    (result,) = aggregates([(name, filters)], downloaded=download)  # Forbidden before any query runs
    return result


def detail(name: str, filters: Filters) -> dict[str, Any]:
    """The layer's detail features the session may see; audited when they carry personal data."""
    viewer = current_viewer()
    layer = registry.get(name)
    scoped = registry.scope(layer, viewer, filters, level=Access.DETAIL)
    with viewer_connection(viewer) as conn:
        result = registry.detail(conn, name, viewer, scoped, settings().layers)
    if layer.personal():
        # recorded before the rows leave; if this fails the request fails and nothing is shown
        _audit(audit.VIEW_PERSONAL, audit_detail.detail(name, scoped, request.path, features=len(result.get("features", []))))
    return result


def _in_thread(job: Callable[[], object]) -> None:
    """Run `job` in a thread of its own, in a copy of this request's context (its session, its settings)."""
    threading.Thread(target=copy_current_request_context(job), name="gridgov-refresh", daemon=True).start()


def remembered(
    key: Hashable,
    compute: Callable[[], T],
    *,
    reads: answers.Reads,
    fresh_for: float | None = None,
    meanwhile_older: bool = False,
) -> T:
    """compute() (which gets its data through this module), kept for `key` until a table of `reads` changes.

    With `meanwhile_older`, a request finding only an answer from older data gets that one at once, while a
    thread computes the new one (for screens that refresh themselves: the next refresh shows it).
    The stamp is taken on a connection given back before compute runs: compute's own queries take
    connections from the same pool, and holding one meanwhile could leave them all waiting on each other.
    """
    with viewer_connection(current_viewer()) as conn:
        at = answers.stamp(conn)
    background = _in_thread if meanwhile_older else None
    return answers.remembered(at, key, compute, fresh_for=fresh_for, background=background, reads=reads)


class Encoded(NamedTuple):
    """A map's features as geobuf, and the ETag that names this version of them."""

    body: bytes
    etag: str


def grid_shapes(kind: str) -> Encoded:
    """The session's grids as geobuf: their outlines ("outlines") or a point inside each ("labels")."""
    viewer = current_viewer()
    read = {"outlines": outlines.outlines, "labels": outlines.label_points}[kind]
    with viewer_connection(viewer) as conn:
        at = answers.stamp(conn)

        def encode() -> Encoded:
            body = geobuf.encode(read(conn, viewer), GEOBUF_DECIMALS)
            return Encoded(body, hashlib.sha256(body).hexdigest()[:32])

        return answers.remembered(at, ("geobuf", kind, viewer), encode, reads=outlines.READS)


def newest_records() -> dict[str, datetime | None]:
    """The newest record of each source (layers.freshness), kept until one of their tables changes.

    Any signed-in role may see it: it dates the office's files, not any grid's rows, so it is read on the
    app's connection (a grid leader's quiet grid would otherwise look out of date).
    """
    require_account()
    with viewer_connection(Viewer(Role.SECRETARY)) as conn:
        at = answers.stamp(conn)
        return answers.remembered(at, ("freshness",), lambda: freshness.newest(conn), reads=freshness.READS)


def grid_extent() -> Bounds | None:
    """The extent of the grids the session may see."""
    viewer = current_viewer()
    with viewer_connection(viewer) as conn:
        return outlines.extent(conn, viewer)


def latest_work_orders(limit: int) -> list[work_orders.WorkOrder]:
    """The newest `limit` work orders the session may see (when, category, grid: nothing else), newest first."""
    with viewer_connection(current_viewer()) as conn:
        return work_orders.latest(conn, limit)


def grid_choices() -> list[tuple[str, str]]:
    """(grid_code, grid_name) of every grid the session may see, by code."""
    viewer = current_viewer()
    with viewer_connection(viewer) as conn:
        return export.grid_choices(conn, viewer.grid_codes)


def category_choices(layer: Layer) -> list[str]:
    """The values the layer's category filter can match in the data the session may see."""
    with viewer_connection(current_viewer()) as conn:
        return export.category_choices(conn, layer)


def reads_of(names: Sequence[str], *tables: str) -> answers.Reads:
    """The tables the layers `names` read, and `tables`: what an answer built from them reads (None: any)."""
    union = set(tables)
    for name in names:
        reads = registry.get(name).reads
        if reads is None:
            return None
        union |= reads
    return frozenset(union)
