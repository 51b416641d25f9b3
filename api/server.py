"""The OGC API – Features endpoint (tipg) over the `open_data` schema, for QGIS and other GIS clients.

At start, and every `refresh_seconds` after, the layers are published into
`open_data` with the owner's connection (`api.publish`). tipg itself
connects as the reader role, which may read that schema and nothing else, and
lists only its tables: no functions, no other schema. The reader's password is
never stored in the repository: it is derived from the owner's password (an
HMAC), or, when the owner's URL has none, made at random once and kept in
GRIDGOV_HOME/open_data_reader.json (mode 600); the role gets only its SCRAM
verifier.

Every request but `/healthz` needs HTTP Basic credentials of an active planner
or secretary account, and every feature request is audited as an export
(`api.auth`, on a small pool of owner connections of its own).

What a request may ask is bounded before tipg builds its SQL (`api.params`,
`api.cql`: the filter is comparisons of published properties with values, no
function call), its failures answer without the database's words
(`api.errors`), and its HTML pages are our escaped templates with every
asset served from here (`api.html`). Only OGC API – Features is served, not
tipg's vector tiles: QGIS reads the features, and the tiles were one more
unbounded query (their `limit` had no maximum) and HTML of tipg's.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import psycopg
from fastapi import FastAPI, Request
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool
from starlette.middleware.cors import CORSMiddleware
from tipg.collections import register_collection_catalog
from tipg.database import close_db_connection, connect_to_db
from tipg.factory import OGCFeaturesFactory
from tipg.settings import DatabaseSettings, PostgresSettings

from api import errors, html, params
from api.auth import BasicAuthMiddleware, Verifier
from api.publish import READER, SCHEMA, Published, publish
from gridgov.database import connect
from gridgov.i18n import text
from gridgov.settings import Settings
from layers.export import describe, exportable

TITLE = "gridgov 开放数据 open data: de-identified per-grid layers"
_LABEL = b"gridgov open_data reader"
log = logging.getLogger(__name__)


def reader_password(owner_url: str, home: Path) -> str:
    """The reader role's password: derived from the owner's, else random and kept under `home`."""
    owner = conninfo_to_dict(owner_url).get("password")
    if owner:
        digest = hmac.new(str(owner).encode(), _LABEL, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")
    path = home / "open_data_reader.json"
    if path.exists():
        return str(json.loads(path.read_text())["password"])
    home.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"password": password}, f)
    return password


def reader_url(owner_url: str, password: str) -> str:
    """The owner's database and server, as the reader role."""
    info = conninfo_to_dict(owner_url)
    host, port, dbname = str(info.get("host") or ""), str(info.get("port") or "5432"), str(info.get("dbname") or "")
    extra = {k: str(v) for k, v in info.items() if k in ("sslmode", "sslrootcert")}
    if host.startswith("/"):  # a Unix socket directory
        extra["host"] = host
        server = ""
    else:
        server = f"{host or '127.0.0.1'}:{port}"
        if ":" in host:  # an IPv6 address
            server = f"[{host}]:{port}"
    query = f"?{urlencode(extra)}" if extra else ""
    return f"postgresql://{READER}:{quote(password, safe='')}@{server}/{quote(dbname, safe='')}{query}"


def scram_verifier(password: str, iterations: int = 4096) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (so the password itself never reaches the server)."""
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    stored = hashlib.sha256(hmac.new(salted, b"Client Key", hashlib.sha256).digest()).digest()
    server = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    b64 = base64.b64encode
    return f"SCRAM-SHA-256${iterations}:{b64(salt).decode()}${b64(stored).decode()}:{b64(server).decode()}"


def ensure_login(conn: psycopg.Connection, url: str, password: str) -> None:
    """Give the reader role `password` unless it already logs in with it."""
    try:
        psycopg.connect(url, connect_timeout=10).close()
        return
    except psycopg.OperationalError:
        pass
    conn.execute(
        sql.SQL("ALTER ROLE {} WITH LOGIN PASSWORD {}").format(sql.Identifier(READER), sql.Literal(scram_verifier(password)))
    )
    conn.commit()


def prepare(owner_url: str, settings: Settings) -> tuple[str, Published]:
    """Publish the layers and make sure the reader logs in; the reader's URL and what was published."""
    password = reader_password(owner_url, settings.database.home)
    url = reader_url(owner_url, password)
    with connect(owner_url) as conn:
        done = publish(conn, settings.layers)
        conn.commit()
        ensure_login(conn, url, password)
    for name, error in done.failed.items():
        log.warning("layer %s was not published: %s", name, error)
    return url, done


def catalog_settings() -> DatabaseSettings:
    """What tipg lists: the tables of open_data, and no function of any schema."""
    return DatabaseSettings(
        schemas=[SCHEMA], application_schema="pg_temp", tables=None, exclude_tables=None,
        exclude_table_schemas=None, functions=[], exclude_functions=None, exclude_function_schemas=[SCHEMA],
        only_spatial_tables=True,
    )


async def load_catalog(app: FastAPI) -> None:
    """(Re)read the collections tipg serves, titled and described as their layers."""
    await register_collection_catalog(app, db_settings=catalog_settings())
    layers = {layer.name: layer for layer in exportable()}
    for collection in app.state.collection_catalog["collections"].values():
        layer = layers.get(collection.table)
        if layer:
            collection.title = f"{text(layer.label, 'zh')} {text(layer.label, 'en')}"
            collection.description = describe(layer)


async def _refresh_every(app: FastAPI, seconds: float, owner_url: str, settings: Settings) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await asyncio.to_thread(prepare, owner_url, settings)
            await load_catalog(app)
        except Exception:  # keep serving what was published last
            log.exception("refreshing the open_data layers failed")


class _Features(OGCFeaturesFactory):
    """tipg's OGC API – Features endpoints, with every value put into a link's path escaped first.

    A feature's id is its grid code, which is data: one with a "/" made starlette refuse to build the
    item's link, and the whole page answered 500. Escaped, it is a link like any other.
    """

    def url_for(self, request: Request, name: str, **path_params: Any) -> str:
        return super().url_for(request, name, **{k: quote(str(v), safe="") for k, v in path_params.items()})


def create_app(owner_url: str, settings: Settings, refresh_seconds: float = 600) -> FastAPI:
    """The tipg app: publishes at start (and every `refresh_seconds`, 0 = never), serves open_data as the reader
    to signed-in planners and the secretary (HTTP Basic, checked and audited with the owner's connection)."""
    accounts_pool = ConnectionPool(owner_url, min_size=1, max_size=4, open=False, name="gridgov-api-accounts")

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url, _ = await asyncio.to_thread(prepare, owner_url, settings)
        await asyncio.to_thread(accounts_pool.open, wait=True, timeout=30)
        await connect_to_db(app, schemas=[SCHEMA], tipg_schema="pg_temp", settings=PostgresSettings.model_validate({"database_url": url}))
        await load_catalog(app)
        task = asyncio.create_task(_refresh_every(app, refresh_seconds, owner_url, settings)) if refresh_seconds else None
        try:
            yield
        finally:
            if task:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await close_db_connection(app)
            await asyncio.to_thread(accounts_pool.close)

    app = FastAPI(title=TITLE, openapi_url="/api", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.include_router(_Features(title=TITLE, templates=html.templates).router)
    html.install(app, TITLE)
    params.override(app)
    app.add_middleware(params.BoundsMiddleware)  # inside the sign-in: the audit records the query as sent
    app.add_middleware(BasicAuthMiddleware, verifier=Verifier(accounts_pool))  # inside CORS: a 401 carries its headers
    app.add_middleware(html.SecurityHeadersMiddleware)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET"], allow_headers=["*"])
    errors.install(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"ping": "pong!"}

    return app
