"""Finding 7 and its class: data leaving the server without an audit row.

The attack: `/data/*.pbf`, the export page's preview callback and
`gridgov export` wrote nothing to the audit table. The class: every path by
which de-identified or personal data leaves the server. Each path is taken
here and must leave one row saying who, what (the layer, the grids) and the
filters' values; a request that is refused before the data leaves leaves none.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dash
import psycopg
import pytest
from auth_client import User, callback, running_app, signed_in
from click.testing import CliRunner
from download_client import download
from seed_sql import seed_small_community
from test_dashboard_export import preview_request, seed_hazards

from gridgov import audit
from gridgov.cli import main
from layers.cli import operator


@pytest.fixture
def app(db_url: str) -> Iterator[dash.Dash]:
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
        seed_hazards(conn)
    with running_app(db_url) as built:
        yield built


def events(db_url: str, *actions: str) -> list[audit.Event]:
    with psycopg.connect(db_url) as conn:
        return [e for e in reversed(audit.recent(conn, limit=1000)) if e.action in actions]


def test_the_maps_geobuf_of_a_planner_is_audited_with_its_filters(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    client = signed_in(app, users["guihua"])
    assert client.get("/data/hazards.pbf?grid=G01&from=2026-01-01&category=电动车违规充电").status_code == 200
    (event,) = events(db_url, audit.VIEW_DEIDENTIFIED)
    assert event.username == "guihua" and event.ip == "127.0.0.1"
    assert event.detail["layer"] == "hazards" and event.detail["via"] == "/data/hazards.pbf"
    assert event.detail["grids"] == ["G01"] and event.detail["features"] == 1
    assert event.detail["query"] == {"grid": ["G01"], "from": "2026-01-01", "category": ["电动车违规充电"]}
    # variant: a layer over the whole area (hot spots), no filters
    assert client.get("/data/complaint_hotspots.pbf").status_code == 200
    last = events(db_url, audit.VIEW_DEIDENTIFIED)[-1]
    assert last.detail["layer"] == "complaint_hotspots" and last.detail["query"] == {} and last.detail["grids"] == []
    assert events(db_url, audit.EXPORT) == []  # a map's feed is a view, not a download


def test_the_preview_callback_is_audited(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    client = signed_in(app, users["guihua"])
    response = client.post("/_dash-update-component", json=preview_request("hazards", ["G01", "G02"], "2026-01-01", "2026-02-28"))
    assert response.status_code == 200
    (event,) = events(db_url, audit.VIEW_DEIDENTIFIED)
    assert event.username == "guihua" and event.detail["via"] == "/_dash-update-component"
    assert event.detail["query"] == {"grid": ["G01", "G02"], "from": "2026-01-01", "to": "2026-02-28"}
    assert event.detail["filters"] == ["grids", "window"]
    # variant: the preview of bad picks computes nothing and records nothing
    client.post("/_dash-update-component", json=preview_request("hazards", ["G99"]))
    assert len(events(db_url, audit.VIEW_DEIDENTIFIED)) == 1


def test_downloads_and_the_planners_json_are_audited_as_exports_with_the_filters(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    client = signed_in(app, users["guihua"])
    assert download(client, "/data/hazards.gpkg?grid=G02&status=open").status_code == 200
    assert client.get("/data/special_groups.json?grid=G01").status_code == 200
    gpkg, as_json = events(db_url, audit.EXPORT)
    assert gpkg.username == as_json.username == "guihua"
    assert gpkg.detail["format"] == "gpkg" and gpkg.detail["bytes"] > 0
    assert gpkg.detail["query"] == {"grid": ["G02"], "status": ["open"]}
    assert as_json.detail["layer"] == "special_groups" and as_json.detail["query"] == {"grid": ["G01"]}
    assert as_json.detail["via"] == "/data/special_groups.json"


def test_personal_details_are_audited_with_the_filters(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    client = signed_in(app, users["leader1"])
    body = callback("complaint-list.children", [("grid-select", "value", "G01"), ("complaint-status", "value", ["pending"])])
    body["output"] = "..complaint-list.children...complaint-layer.data.."
    body["outputs"] = [{"id": "complaint-list", "property": "children"}, {"id": "complaint-layer", "property": "data"}]
    assert client.post("/_dash-update-component", json=body).status_code == 200
    (event,) = events(db_url, audit.VIEW_PERSONAL)
    assert event.username == "leader1" and event.detail["layer"] == "complaints"
    assert event.detail["query"] == {"grid": ["G01"], "status": ["pending"]}
    # a secretary's per-grid numbers carry neither personal columns nor a planner's de-identified layer
    secretary = signed_in(app, users["shuji"])
    assert secretary.get("/data/hazards.pbf").status_code == 200
    assert events(db_url, audit.VIEW_DEIDENTIFIED, audit.EXPORT) == []


def test_gridgov_export_on_the_command_line_is_audited(db_url: str, tmp_path: Path) -> None:
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
        seed_hazards(conn)
    out = tmp_path / "hazards.gpkg"
    result = CliRunner().invoke(
        main, ["export", "hazards", "--grid", "G01", "--from", "2026-01-01", "-o", str(out)],
        env={"GRIDGOV_DATABASE_URL": db_url},
    )
    assert result.exit_code == 0, result.output
    (event,) = events(db_url, audit.EXPORT)
    assert event.username == operator() and event.ip is None
    assert event.detail["via"] == "cli" and event.detail["format"] == "gpkg" and event.detail["file"] == str(out.resolve())
    assert event.detail["query"] == {"grid": ["G01"], "from": "2026-01-01"}
    # variant: an export refused (an unknown grid) writes no file and no row
    failed = CliRunner().invoke(
        main, ["export", "hazards", "--grid", "G99", "-o", str(tmp_path / "no.geojson")], env={"GRIDGOV_DATABASE_URL": db_url}
    )
    assert failed.exit_code != 0 and not (tmp_path / "no.geojson").exists()
    assert len(events(db_url, audit.EXPORT)) == 1
