"""One `gridgov serve` on a seeded database for the case API and Open311 tests, and a small HTTP client for it.

The community is tests/seed_sql.py's (grids G01–G03, 500 m squares), with one
account per role (tests/auth_client.py), the category 噪音扰民 given a
deadline rule (so Open311 offers it as a service), the unit 物业公司 and
tokens of each scope. The client speaks plain HTTP (urllib) with a cookie
jar, as a browser or a system would.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from auth_client import User, csrf_of, make_users, session_secret
from conftest import REPO, fresh_database
from seed_sql import seed_small_community
from served_app import serving

from gridgov import tokens

ARTIFACTS = REPO / "tests" / "artifacts"
CATEGORY = "噪音扰民"
UNIT = "物业公司"


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


class Client:
    """HTTP against the served app, keeping cookies (a browser's session) between requests."""

    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        self.base = base.rstrip("/")
        self.headers = headers or {}
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def call(self, method: str, path: str, *, form: dict[str, str] | None = None, body: Any = None,
             headers: dict[str, str] | None = None, raw: bytes | None = None) -> Reply:
        data, sent = raw, {**self.headers, **(headers or {})}
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif body is not None:
            data = json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=sent)
        try:
            with self.opener.open(request, timeout=30) as response:
                status, payload, got = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            status, payload, got = error.code, error.read(), dict(error.headers)
        text = payload.decode()
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = text
        return Reply(status, parsed, got)

    def get(self, path: str, **kw: Any) -> Reply:
        return self.call("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Reply:
        return self.call("POST", path, **kw)

    def sign_in(self, user: User) -> str:
        """Sign in through the form; the session's CSRF token for the API."""
        form = self.get("/login").body
        assert self.post("/login", form={"csrf_token": csrf_of(form), "username": user.username,
                                         "password": user.password}).status == 200  # followed to the landing page
        session = self.get("/api/v1/session")
        assert session.status == 200, session.body
        return str(session.body["csrf_token"])


@dataclass
class Served:
    url: str
    db_url: str
    users: dict[str, User]
    tokens: dict[str, str]  # by scope: intake, unit, read, and "revoked"

    def client(self, headers: dict[str, str] | None = None) -> Client:
        return Client(self.url, headers)

    def system(self, scope: str) -> Client:
        return Client(self.url, {"Authorization": f"Bearer {self.tokens[scope]}"})


def seed_loop(conn: psycopg.Connection) -> dict[str, str]:
    """On a seeded community: CATEGORY's deadline rule, the unit UNIT and the tokens; each token by scope
    (`<scope>-system`; the unit's for UNIT), and "revoked" (old-intake, revoked)."""
    conn.execute("INSERT INTO case_deadlines (kind, category, respond_hours, resolve_days)"
                 " VALUES ('work_order', %s, 2, 3)", [CATEGORY])
    conn.execute("INSERT INTO units (name, kind, contact) VALUES (%s, 'property', '王经理 010-1234')", [UNIT])
    made = {scope: tokens.add(conn, f"{scope}-system", scope=scope, unit=UNIT if scope == "unit" else None,
                              by="pytest") for scope in tokens.SCOPE_ROLES}
    made["revoked"] = tokens.add(conn, "old-intake", scope="intake", by="pytest")
    tokens.revoke(conn, "old-intake", by="pytest")
    return made


@pytest.fixture(scope="module", name="served")
def served_fixture(server_url: str, template_db: str, request: pytest.FixtureRequest) -> Iterator[Served]:
    name = f"gridgov_caseapi_{request.module.__name__[5:]}_{os.getpid()}"
    with fresh_database(server_url, template_db, name) as url:
        with psycopg.connect(url) as conn:
            seed_small_community(conn)
            made = seed_loop(conn)
        users = make_users(url)
        env = {"GRIDGOV_DATABASE_URL": url, "GRIDGOV_SECRET_KEY": session_secret(), "GRIDGOV_TILE_URL": ""}
        with serving(env, ARTIFACTS / f"serve_{request.module.__name__}.log") as base:
            yield Served(base, url, users, made)
