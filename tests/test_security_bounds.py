"""Finding 1 and its class: unbounded work from one request. Every size a user chooses is bounded on the server.

The attack: `/data/emerging_hotspots.json?from=0001-01-01` as the secretary ran
63 s and held 12.6 GB; the export page's preview callback reached the same
code. The class: any request whose cost grows with a size the user picks
(window, periods, grids, categories, dates, body, nesting, query string) or
that could run without end (a slow statement). Each is sent here and must be
refused with a short 4xx message before anything is computed, or stopped by
the statement timeout with a 503.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import dash
import psycopg
import pytest
from auth_client import User, callback, make_users, running_app, signed_in
from download_client import download
from seed_sql import seed_small_community
from test_dashboard_export import preview_request, seed_hazards

from dashboard.web import data_access
from dashboard.web.request_limits import MAX_JSON_DEPTH, MAX_QUERY_BYTES
from gridgov import audit
from gridgov.access import Role
from gridgov.rls import grid_reader_transaction
from layers.registry import Viewer

GENEROUS_SECONDS = 20  # "answers instead of running for a minute", not a speed test


@pytest.fixture
def app(db_url: str) -> Iterator[dash.Dash]:
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
        seed_hazards(conn)
    with running_app(db_url, max_filter_grids=50, max_body_bytes=256 * 1024, statement_timeout_seconds=1) as built:
        yield built


def deidentified_reads(db_url: str) -> list[audit.Event]:
    """The audit rows written after a de-identified layer was computed: none means nothing was computed."""
    with psycopg.connect(db_url) as conn:
        return [e for e in audit.recent(conn, limit=1000) if e.action in (audit.VIEW_DEIDENTIFIED, audit.EXPORT)]


def refused(response: Any, status: int, words: str) -> None:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    message = response.get_json()["error"]
    assert words in message and len(message) < 300, message


def test_the_original_attack_a_window_of_centuries_is_refused_at_once(app: dash.Dash, users: dict[str, User]) -> None:
    client = signed_in(app, users["shuji"])
    started = time.monotonic()
    refused(client.get("/data/emerging_hotspots.json?from=0001-01-01"), 400, "at most 60 months")
    assert time.monotonic() - started < GENEROUS_SECONDS
    # variants: by week, the map's geobuf, a far end instead of a far start, a grid leader
    refused(client.get("/data/emerging_hotspots.pbf?from=0001-01-01&period=week"), 400, "at most 104 weeks")
    refused(client.get("/data/emerging_hotspots.json?from=2000-01-01&to=2056-01-01"), 400, "at most 60 months")
    leader = signed_in(app, users["leader1"])
    refused(leader.get("/data/emerging_hotspots.json?from=0001-01-01"), 400, "at most 60 months")


def test_the_preview_callback_refuses_the_same_window_before_computing(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    client = signed_in(app, users["guihua"])
    for start, period_words in (("0001-01-01", "at most 60 months"), ("1990-01-01", "at most 60 months")):
        started = time.monotonic()
        response = client.post("/_dash-update-component", json=preview_request("emerging_hotspots", [], start, None))
        assert time.monotonic() - started < GENEROUS_SECONDS
        out = response.get_json()["response"]
        assert period_words in out["export-error"]["children"]
        assert out["export-geojson"]["disabled"] is True and out["export-gpkg"]["disabled"] is True
    # the download of the same window
    refused(download(client, "/data/emerging_hotspots.geojson?from=0001-01-01"), 400, "at most 60 months")
    assert deidentified_reads(db_url) == []  # nothing was computed, so nothing was handed out


def test_grids_categories_and_statuses_are_counted_and_each_value_bounded(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    client = signed_in(app, users["shuji"])
    many_grids = ",".join(f"G{i:04d}" for i in range(51))  # over max_filter_grids (50 here)
    refused(client.get(f"/data/hazards.json?grid={many_grids}"), 400, "too many values for grid")
    repeated = "&".join(f"grid=G{i:04d}" for i in range(51))  # the same, as repeated parameters
    refused(client.get(f"/data/hazards.pbf?{repeated}"), 400, "too many values for grid")
    many_categories = ",".join(f"c{i}" for i in range(501))
    refused(client.get(f"/data/hazards.json?category={many_categories}"), 400, "too many values for category")
    many_statuses = "&".join(f"status=s{i}" for i in range(501))
    refused(client.get(f"/data/hazards.json?{many_statuses}"), 400, "too many values for status")
    refused(client.get(f"/data/hazards.json?category={'火' * 201}"), 400, "at most 200 characters")
    planner = signed_in(app, users["guihua"])
    grids = [f"G{i:04d}" for i in range(51)]
    out = planner.post("/_dash-update-component", json=preview_request("hazards", grids)).get_json()["response"]
    assert "too many values for grid" in out["export-error"]["children"]
    out = planner.post("/_dash-update-component", json=preview_request("hazards", [], cats=[f"c{i}" for i in range(501)]))
    assert "too many values for category" in out.get_json()["response"]["export-error"]["children"]
    assert deidentified_reads(db_url) == []


def test_dates_far_ahead_or_far_back_are_refused(app: dash.Dash, users: dict[str, User]) -> None:
    client = signed_in(app, users["shuji"])
    # as_of=9999-12-31 was a 500 (date arithmetic past the calendar's end); variants on other layers and ends
    for url in (
        "/data/complaints.json?as_of=9999-12-31",
        "/data/emerging_hotspots.json?as_of=9999-12-31",
        "/data/hazards.json?as_of=2100-01-01",
        "/data/complaints.json?to=9999-12-31",
        "/data/hazards.pbf?from=9999-12-31",
    ):
        refused(client.get(url), 400, "too far ahead")
    refused(client.get("/data/visits.json?as_of=0001-01-01"), 400, "too far back")
    assert client.get("/data/complaints.json?as_of=2026-10-31").status_code == 200
    assert client.get("/data/hazards.json?from=2000-01-01").status_code == 200  # a long window of stored rows is fine


def test_a_body_over_the_limit_is_a_413_unread(app: dash.Dash, users: dict[str, User]) -> None:
    client = signed_in(app, users["shuji"])
    big = callback("page.children", [("url", "pathname", "/wall" + "x" * 300_000)])
    response = client.post("/_dash-update-component", data=json.dumps(big), content_type="application/json")
    refused(response, 413, "too large")
    anonymous = app.server.test_client()  # the sign-in form: a page, so a short page, not JSON
    page = anonymous.post("/login", data={"username": "x" * 300_000, "password": "y"})
    assert page.status_code == 413 and "Traceback" not in page.get_data(as_text=True)


def test_deep_json_and_long_query_strings_are_refused(app: dash.Dash, users: dict[str, User]) -> None:
    client = signed_in(app, users["shuji"])
    deep = "[" * 100_000 + "]" * 100_000  # was a 500 (RecursionError)
    refused(client.post("/_dash-update-component", data=deep, content_type="application/json"), 400, "not JSON")
    nested: Any = "/wall"
    for _ in range(MAX_JSON_DEPTH):
        nested = [nested]
    body = callback("page.children", [("url", "pathname", nested)])  # valid JSON, a real callback, too deep
    refused(client.post("/_dash-update-component", json=body), 400, f"more than {MAX_JSON_DEPTH} levels")
    refused(client.post("/_dash-update-component", data="{", content_type="application/json"), 400, "not JSON")
    long_query = "grid=" + "G" * (MAX_QUERY_BYTES + 1)
    refused(client.get(f"/data/hazards.json?{long_query}"), 414, "query string")


def test_every_dashboard_connection_has_a_statement_timeout_also_as_a_grid_leader(app: dash.Dash) -> None:
    pool = app.server.extensions["gridgov.pool"]
    with pool.connection() as conn:
        assert conn.execute("SHOW statement_timeout").fetchone() == ("1s",)
        conn.commit()
        with grid_reader_transaction(conn, ["G01"]):
            assert conn.execute("SELECT current_user, current_setting('statement_timeout')").fetchone()[1] == "1s"
    with (
        app.server.test_request_context("/data/hazards.json"),
        data_access.viewer_connection(Viewer(Role.SECRETARY)) as conn,
        pytest.raises(psycopg.errors.QueryCanceled),
    ):
        conn.execute("SELECT pg_sleep(5)")


def test_a_statement_stopped_by_the_timeout_answers_503_with_no_sql(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
    with running_app(db_url, statement_timeout_seconds=0.2) as app:

        @app.server.get("/data/test-slow.json")
        def slow() -> str:  # a stand-in for a query that runs too long
            with data_access.viewer_connection(Viewer(Role.SECRETARY)) as conn:
                conn.execute("SELECT pg_sleep(3)")
            return "{}"

        client = signed_in(app, make_users(db_url)["shuji"])
        response = client.get("/data/test-slow.json")
        refused(response, 503, "longer than 0.2 s")
        assert "pg_sleep" not in response.get_data(as_text=True) and "SELECT" not in response.get_data(as_text=True)
