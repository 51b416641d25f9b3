"""The real `gridgov api` on a free port, for the OGC API's security tests, with plain HTTP helpers.

A small seeded community in a database of the module's own, a planner to sign in with, and the server as
`make demo` runs it (publishing at start, never again: `--refresh 0`, so a test may change open_data).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from conftest import fresh_database
from seed_sql import seed_small_community
from served_app import free_port, stop

from api.publish import SCHEMA
from gridgov import accounts

REPO = Path(__file__).resolve().parents[1]
PLANNER = ("guihua", "planner password 1")


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: str


@dataclass(frozen=True)
class Api:
    base: str
    db_url: str
    log: Path

    def get(self, path: str, auth: tuple[str, str] | None = PLANNER, timeout: float = 60) -> Reply:
        """GET `path` (with its query string, already encoded); any status is an answer, not an exception."""
        req = urllib.request.Request(self.base + path)
        if auth:
            req.add_header("Authorization", "Basic " + base64.b64encode(":".join(auth).encode()).decode())
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return Reply(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as err:
            return Reply(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read().decode("utf-8", "replace"))

    def collections(self) -> list[str]:
        """The ids of the collections served."""
        return [c["id"] for c in json.loads(self.get("/collections?f=json").body)["collections"]]


def _wait(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gridgov api did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.3)


@contextmanager
def running_api(db_url: str, log: Path) -> Iterator[str]:
    """`gridgov api` on a free port against `db_url`, as `make demo` runs it; its base URL; stopped after."""
    port = free_port()
    env = {**os.environ, "GRIDGOV_DATABASE_URL": db_url, "GRIDGOV_HOME": str(REPO / ".gridgov")}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from gridgov.cli import main; main()", "api", "--port", str(port), "--refresh", "0"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, proc, log)
        yield base
    finally:
        stop(proc)


@contextmanager
def serving_api(server_url: str, template_db: str, name: str, log: Path) -> Iterator[Api]:
    """A fresh database with the small community and a planner, and `gridgov api` serving it."""
    with fresh_database(server_url, template_db, f"{name}_{os.getpid()}") as url:
        with psycopg.connect(url) as conn:
            seed_small_community(conn)
            accounts.add(conn, PLANNER[0], role="planner", password=PLANNER[1])
        with running_api(url, log) as base:
            yield Api(base, url, log)

def text_columns(conn: psycopg.Connection) -> dict[str, list[str]]:
    """The text columns of each published table."""
    rows = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = %s AND data_type = 'text' ORDER BY table_name, ordinal_position",
        [SCHEMA],
    ).fetchall()
    out: dict[str, list[str]] = {}
    for table, column in rows:
        out.setdefault(table, []).append(column)
    return out
