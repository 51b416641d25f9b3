"""Finding 9 and its class (the dashboard's side): bad input answered with a 500, or with the database's words.

The attacks: a NUL byte in a category or a username, `as_of=9999-12-31`, a
100,000-deep JSON body and unknown component-suite paths gave 500s, and a
failed sign-in with a NUL username was not audited. The class: any input the
server does not expect. Each is sent here, with variants in other parameters
and routes; the answer must be a 400 or 404 (or the route's own refusal) with
a short message, and no answer may carry a traceback, SQL or a database's
message. An error nobody expected is a 500 with a fixed message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dash
import psycopg
import pytest
from auth_client import User, callback, csrf_of, make_users, running_app, signed_in
from click.testing import CliRunner
from seed_sql import seed_small_community
from test_dashboard_export import preview_request

from gridgov import audit
from gridgov.cli import main

LEAKS = ("Traceback", "SELECT", "psycopg", "0x00", "File \"", "Error loading dependency", "registered_paths")


def short(response: Any, *statuses: int) -> str:
    """The answer's text, after checking its status and that it leaks nothing."""
    body = response.get_data(as_text=True)
    assert response.status_code in statuses, (response.status_code, body[:300])
    assert len(body) < 2_000 and not [leak for leak in LEAKS if leak in body], body[:300]
    return body


def test_a_nul_byte_in_a_filter_is_a_400(app: dash.Dash, users: dict[str, User]) -> None:
    secretary = signed_in(app, users["shuji"])
    for url in (
        "/data/hazards.json?category=a%00b",  # the original
        "/data/hazards.json?grid=G0%001",
        "/data/hazards.pbf?status=op%00en",
        "/data/hazards/detail.json?category=%00",
        "/data/hazards.json?from=2026-01-01%00",
        "/data/hazards.json?gr%00id=G01",
    ):
        short(secretary.get(url), 400)
    planner = signed_in(app, users["guihua"])
    for request in (preview_request("hazards", [], cats=["a\x00b"]), preview_request("hazards", ["G\x0001"])):
        short(planner.post("/_dash-update-component", json=request), 400)


def test_a_nul_byte_anywhere_in_a_callback_is_a_400(app: dash.Dash, users: dict[str, User]) -> None:
    leader = signed_in(app, users["leader1"])
    save = callback("visit-message.children", [("visit-save", "n_clicks", 1)])
    save["state"] = [
        {"id": "visit-household", "property": "value", "value": "H01\x00"},
        {"id": "visit-date", "property": "date", "value": "2026-10-30"},
        {"id": "visit-notes", "property": "value", "value": "ok"},
    ]
    short(leader.post("/_dash-update-component", json=save), 400)
    short(leader.post("/_dash-update-component", json=callback("page.children", [("url", "pathname", "/grid\x00")])), 400)


def test_a_failed_sign_in_with_a_nul_username_is_refused_and_audited(app: dash.Dash, db_url: str) -> None:
    client = app.server.test_client()
    for username in ("ad\x00min", "\x00"):
        form = client.get("/login").get_data(as_text=True)
        response = client.post("/login", data={"csrf_token": csrf_of(form), "username": username, "password": "x"})
        short(response, 400, 401)
    with psycopg.connect(db_url) as conn:
        failed = [e for e in audit.recent(conn) if e.action == audit.LOGIN_FAILED]
    assert len(failed) == 2 and all("\x00" not in e.username for e in failed)


def test_dates_past_the_calendars_end_are_a_400(app: dash.Dash, users: dict[str, User]) -> None:
    client = signed_in(app, users["shuji"])
    for url in ("/data/complaints.json?as_of=9999-12-31", "/data/emerging_hotspots.json?as_of=9999-12-31",
                "/data/visits.json?as_of=0001-01-01", "/data/complaints.json?as_of=99999-01-01"):
        short(client.get(url), 400)


def test_malformed_callbacks_are_a_400_or_404(app: dash.Dash, users: dict[str, User]) -> None:
    client = signed_in(app, users["shuji"])
    deep = "[" * 100_000 + "]" * 100_000  # the original: RecursionError, a 500
    short(client.post("/_dash-update-component", data=deep, content_type="application/json"), 400)
    short(client.post("/_dash-update-component", data='{"a":' * 5_000 + "1" + "}" * 5_000, content_type="application/json"), 400)
    short(client.post("/_dash-update-component", json=[1]), 400)
    short(client.post("/_dash-update-component", json={"inputs": []}), 400)
    short(client.post("/_dash-update-component", json={"output": "page.children", "inputs": "x"}), 400)
    unknown = {"output": "nope.x", "outputs": {"id": "nope", "property": "x"}, "inputs": [], "changedPropIds": []}
    short(client.post("/_dash-update-component", json=unknown), 404)
    # a callback that runs in the browser only (the leader's map points) has no server side: a 404, not a 500
    browser_only = {"output": "point-layer.data", "outputs": {"id": "point-layer", "property": "data"}, "inputs": [],
                    "changedPropIds": []}
    assert "callback" not in app.callback_map["point-layer.data"]
    short(client.post("/_dash-update-component", json=browser_only), 404)
    short(client.post("/_dash-update-component", data=b"\xff\xfe", content_type="application/json"), 400)


def test_unknown_component_bundles_are_a_404(app: dash.Dash, users: dict[str, User]) -> None:
    client = signed_in(app, users["shuji"])
    for path in (
        "/_dash-component-suites/nope/x.js",  # the original: an unregistered library
        "/_dash-component-suites/dash/nope.js",
        "/_dash-component-suites/dash/../../etc/passwd",
        "/_dash-component-suites/dash/dcc/%00.js",
    ):
        short(client.get(path), 404)


def test_an_unexpected_error_is_a_500_that_says_nothing_more(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
    with running_app(db_url) as app:

        @app.server.get("/data/test-broken.json")
        def broken() -> str:  # a stand-in for a bug
            raise RuntimeError('SELECT secret FROM households WHERE id_number = "110105..."')

        client = signed_in(app, make_users(db_url)["shuji"])
        body = short(client.get("/data/test-broken.json"), 500)
        assert "secret" not in body and "households" not in body
        assert client.get("/data/test-broken.json").get_json() == {"error": "internal error (logged on the server)"}


@pytest.mark.parametrize(
    "args",
    [["--as-of", "9999-12-31"], ["--to", "9999-12-31"], ["--from", "9000-01-01"], ["--as-of", "0001-01-01"]],
)
def test_gridgov_export_refuses_dates_at_the_calendars_ends_with_a_message(
    db_url: str, tmp_path: Path, args: list[str]
) -> None:
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
    out = tmp_path / "x.geojson"
    result = CliRunner().invoke(main, ["export", "visits", "-o", str(out), *args], env={"GRIDGOV_DATABASE_URL": db_url})
    assert result.exit_code == 2, result.output
    assert "out of range" in result.output and "Traceback" not in result.output
    assert not out.exists()
