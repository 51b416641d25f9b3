"""Accounts and signed-in clients for the dashboard tests: real accounts in the test database, real sign-in.

Passwords and the session secret are made at random per test run; nothing
secret is written in the repository.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, NamedTuple

import dash
import psycopg
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from dashboard.app import create_app
from dashboard.web.session import sign_in
from gridgov import accounts, areas, sessions
from gridgov.accounts import Account
from gridgov.settings import ApiSettings, DashboardSettings, DatabaseSettings, EtlSettings, LayerSettings, Settings


class User(NamedTuple):
    username: str
    role: str
    grids: tuple[str, ...]
    password: str


def session_secret() -> str:
    """A random session secret for one test app."""
    return secrets.token_urlsafe(48)


# one account per role; the leaders split the seeded grids G01 | G02, G03
ROLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("shuji", "secretary", ()),
    ("leader1", "grid_leader", ("G01",)),
    ("leader23", "grid_leader", ("G02", "G03")),
    ("guihua", "planner", ()),
    ("admin", "admin", ()),
)


def make_users(db_url: str) -> dict[str, User]:
    """Create one account per role in the database (grids must be seeded first); by username."""
    made = {}
    with psycopg.connect(db_url) as conn:
        every = tuple(community for _, community in areas.communities(conn))
        for username, role, grids in ROLES:
            password = secrets.token_urlsafe(16)
            communities = every if role == "secretary" else ()  # the secretary of every community seeded
            accounts.add(conn, username, role=role, password=password, grids=grids, communities=communities)
            made[username] = User(username, role, grids, password)
    return made


def csrf_of(html: str) -> str:
    """The CSRF token of a page's form."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the form"
    return found.group(1)


def login(client: FlaskClient, username: str, password: str) -> TestResponse:
    """Sign in through the form, as a browser would (GET the form, POST it with its token)."""
    form = client.get("/login")
    return client.post(
        "/login", data={"csrf_token": csrf_of(form.get_data(as_text=True)), "username": username, "password": password}
    )


def callback(output: str, inputs: list[tuple[str, str, Any]]) -> dict[str, Any]:
    """The body Dash's renderer POSTs to /_dash-update-component for one output (`id.prop`)."""
    out_id, out_prop = output.split(".")
    return {
        "output": output,
        "outputs": {"id": out_id, "property": out_prop},
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [f"{i}.{p}" for i, p, _ in inputs],
        "state": [],
    }


_PARTS: dict[str, Any] = {
    "database": DatabaseSettings, "etl": EtlSettings, "layers": LayerSettings, "dashboard": DashboardSettings, "api": ApiSettings,
}


def app_settings(db_url: str, **overrides: Any) -> Settings:
    """Settings for an app on the test database with a random session key; each override goes to every part that has it."""
    values: dict[str, dict[str, Any]] = {"database": {"database_url": db_url}, "dashboard": {"secret_key": session_secret()}}
    for key, value in overrides.items():
        owners = [name for name, part in _PARTS.items() if key in part.model_fields]
        if not owners:
            raise TypeError(f"no setting {key}")
        for name in owners:
            values.setdefault(name, {})[key] = value
    return Settings(**{name: part(**values.get(name, {})) for name, part in _PARTS.items()})


@contextmanager
def running_app(db_url: str, **settings: Any) -> Iterator[dash.Dash]:
    """The dashboard app on the test database with a random session secret (and `settings`); its pool closed after."""
    built = create_app(app_settings(db_url, **settings), db_url)
    try:
        yield built
    finally:
        built.server.extensions["gridgov.pool"].close()


def signed_in(app: dash.Dash, user: User) -> FlaskClient:
    """A test client of `app` signed in as `user` through the form."""
    client = app.server.test_client()
    assert login(client, user.username, user.password).status_code == 302
    return client


def sign_in_request(app: dash.Dash, account: Account) -> None:
    """Sign the test request being handled (a test_request_context) in as `account`, with a real session record."""
    with app.server.extensions["gridgov.pool"].connection() as conn:
        hour = timedelta(hours=1)
        started = sessions.start_for_account(conn, account, idle=hour, lifetime=hour, ip=None, user_agent=None)
    sign_in(account, started)
