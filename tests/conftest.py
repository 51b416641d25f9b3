"""Test databases: disposable PostGIS databases on the project's own local cluster.

The cluster is the one `gridgov db start` runs (or GRIDGOV_DATABASE_URL's
server); each test that asks for `db_url` gets a fresh database cloned from a
migrated template, dropped afterwards (pytest-postgresql's DatabaseJanitor).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dash
import psycopg
import pytest
from auth_client import User, make_users, running_app
from pytest_postgresql.janitor import DatabaseJanitor
from seed_sql import seed_small_community

from gridgov import migrations
from gridgov.database import resolve_url
from gridgov.settings import DatabaseSettings

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# The community's clock, pinned for the whole suite and every server it starts (they inherit the
# environment): no test depends on the day it runs. The demo in geodata/demo was made as of this day
# (geodata/make_demo.py --as-of 2026-10-31), so the suite sees it as a live community.
DEMO_AS_OF = "2026-10-31"
os.environ["GRIDGOV_NOW"] = f"{DEMO_AS_OF}T21:00:00"


def _with_db(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname))


@pytest.fixture(scope="session")
def server_url() -> str:
    """URL of the server the tests use (the local cluster, started if needed)."""
    settings = DatabaseSettings(home=Path(os.environ.get("GRIDGOV_HOME", REPO / ".gridgov")))
    return resolve_url(settings)


def _janitor(server_url: str, dbname: str, template: str | None = None) -> DatabaseJanitor:
    parts = urlsplit(server_url)
    return DatabaseJanitor(
        user=parts.username or "postgres",
        password=parts.password,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        dbname=dbname,
        template_dbname=template,
    )


@pytest.fixture(scope="session")
def template_db(server_url: str) -> Iterator[str]:
    """A migrated template database, made once per test session."""
    name = f"gridgov_tmpl_{os.getpid()}"
    janitor = _janitor(server_url, name)
    janitor.init()
    try:
        with psycopg.connect(_with_db(server_url, name)) as conn:
            migrations.upgrade(conn)
        yield name
    finally:
        janitor.drop()


@contextmanager
def fresh_database(server_url: str, template_db: str, name: str) -> Iterator[str]:
    """A migrated, empty database cloned from the template, dropped when the block ends."""
    janitor = _janitor(server_url, name, template=template_db)
    janitor.init()
    try:
        yield _with_db(server_url, name)
    finally:
        janitor.drop()


@pytest.fixture
def db_url(server_url: str, template_db: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, migrated, empty database for one test."""
    with fresh_database(server_url, template_db, f"gridgov_t_{os.getpid()}_{abs(hash(request.node.nodeid)) % 10**8}") as url:
        yield url


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg.Connection]:
    """A connection to the fresh database of this test."""
    with psycopg.connect(db_url) as c:
        yield c


@pytest.fixture
def app(db_url: str) -> Iterator[dash.Dash]:
    """The dashboard on a fresh database holding the small community of tests/seed_sql.py (a module may override it)."""
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
    with running_app(db_url) as built:
        yield built


@pytest.fixture
def users(app: dash.Dash, db_url: str) -> dict[str, User]:
    """One account per role (tests/auth_client.py ROLES) on the app's database, by username."""
    return make_users(db_url)
