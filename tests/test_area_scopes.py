"""Accounts scoped to communities and streets (gridgov.areas) on a street of two communities (tests/street_seed.py).

Each community's secretary sees only their community, by every route a browser or a crafted request can take:
the layers' data URLs, the grids' shapes, the case API's list, one case and its events, the queue's action,
and the database underneath (row-level security). The street officer sees both communities, ranks them on
/street and opens one community's wall, never a community outside the street. Bad scopes get clear messages.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import dash
import geobuf
import psycopg
import pytest
from auth_client import User, callback, running_app, sign_in_request, signed_in
from click.testing import CliRunner
from flask.testing import FlaskClient
from street_seed import COMMUNITY, OTHER, STREET, seed_street
from test_dashboard_wall import wall_request
from test_queue import act, listed, said, work_order

from dashboard.street import page as street_page
from dashboard.web import data_urls
from gridgov import accounts, areas, devices
from gridgov.access import Role
from gridgov.cli import main
from gridgov.errors import InputError
from gridgov.rls import grid_reader_transaction

MINE = {"G01", "G02", "G03"}
THEIRS = {"G11", "G12"}
SCOPES: dict[str, dict[str, Any]] = {
    "shuji_a": {"role": "secretary", "communities": [COMMUNITY]},
    "shuji_b": {"role": "secretary", "communities": [OTHER]},
    "jiedao": {"role": "street_officer", "street": STREET},
    "guihua_jd": {"role": "planner", "street": STREET},
    "leader1": {"role": "grid_leader", "grids": ["G01"]},
}


@pytest.fixture
def street(db_url: str) -> Iterator[tuple[dash.Dash, dict[str, User]]]:
    """The dashboard on the two-community street, with one account per scope."""
    with psycopg.connect(db_url) as conn:
        seed_street(conn)
        made = {}
        for name, scope in SCOPES.items():
            password = secrets.token_urlsafe(16)
            accounts.add(conn, name, password=password, **scope)
            made[name] = User(name, scope["role"], tuple(scope.get("grids", ())), password)
    with running_app(db_url) as app:
        yield app, made


def _grids(client: FlaskClient, layer: str = "special_groups") -> set[str]:
    reply = client.get(f"/data/{layer}.json")
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return {f["properties"]["grid_code"] for f in reply.get_json()["features"]}


def _cases(client: FlaskClient) -> dict[str, str]:
    """case id -> grid of every case the case API lists for the session."""
    reply = client.get("/api/v1/cases?limit=200")
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return {c["case_id"]: c["grid_code"] for c in reply.get_json()["cases"]}


def test_each_secretary_sees_only_their_community_by_every_route(street: tuple[dash.Dash, dict[str, User]]) -> None:
    app, users = street
    a, b = signed_in(app, users["shuji_a"]), signed_in(app, users["shuji_b"])
    for layer in ("special_groups", "complaints", "hazards"):
        assert _grids(a, layer) == MINE
        assert _grids(b, layer) == THEIRS
    # a crafted request for the other community's grid is refused, not answered empty
    assert a.get("/data/special_groups.json?grid=G11").status_code == 403
    assert b.get("/data/hazards/detail.json?grid=G01").status_code == 403
    # the grids' shapes (geobuf) hold only their own: the response is far smaller than both communities'
    assert a.get("/data/hazards/detail.json").status_code == 200
    hazards = {f["properties"]["grid_code"] for f in a.get("/data/hazards/detail.json").get_json()["features"]}
    assert hazards <= MINE and hazards
    # cases: the list, one case, and an event on the other's case
    mine, theirs = _cases(a), _cases(b)
    assert set(mine.values()) <= MINE and set(theirs.values()) <= THEIRS and mine and theirs
    other_case = next(iter(theirs))
    assert a.get(f"/api/v1/cases/{other_case}").status_code == 404
    csrf = a.get("/api/v1/session").get_json()["csrf_token"]
    written = a.post(f"/api/v1/cases/{other_case}/events", json={"action": "note", "note": "越权"},
                     headers={"X-CSRF-Token": csrf})
    assert written.status_code == 404
    assert "越权" not in str(b.get(f"/api/v1/cases/{other_case}").get_json())
    # on their own case the secretary acts, and may not move it into the other community
    own_case = next(c for c, grid in mine.items() if grid == "G01")
    assert a.post(f"/api/v1/cases/{own_case}/events", json={"action": "note", "note": "已联系"},
                  headers={"X-CSRF-Token": csrf}).status_code == 201
    moved = a.post(f"/api/v1/cases/{own_case}/events", json={"action": "reassign", "grid_code": "G11"},
                   headers={"X-CSRF-Token": csrf})
    assert moved.status_code == 403
    assert _cases(a)[own_case] == "G01"


def test_row_level_security_holds_a_secretarys_area_underneath(street: tuple[dash.Dash, dict[str, User]],
                                                               db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        secretary = accounts.get(conn, "shuji_a")
        assert secretary is not None
        codes = areas.grids_of(conn, secretary.area)
        assert set(codes) == MINE
        with grid_reader_transaction(conn, codes) as scoped:
            seen = {r[0] for r in scoped.execute("SELECT DISTINCT grid_code FROM households")}
            hazards = {r[0] for r in scoped.execute("SELECT hazard_id FROM hazards")}
    assert seen == MINE
    assert hazards == {"HZ-01"}


def test_the_street_officer_sees_both_ranks_them_and_opens_one(street: tuple[dash.Dash, dict[str, User]]) -> None:
    app, users = street
    officer = signed_in(app, users["jiedao"])
    assert _grids(officer) == MINE | THEIRS
    assert set(_cases(officer).values()) <= MINE | THEIRS
    # the ranking: 和平里 has two overdue hazards, 幸福里 one
    ranked = _ranking(app, users["jiedao"])
    assert [r.name for r in ranked] == [OTHER, COMMUNITY]
    assert ranked[0].hazards_overdue == 2 and ranked[1].hazards_overdue == 1
    page = str(_page(officer, "/street"))
    assert page.index(OTHER) < page.index(COMMUNITY) and "/street/open/" in page
    # opening a community narrows the session to it; coming back to /street widens it again
    opened = officer.get(f"/street/open/{OTHER}")
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/wall")
    assert _grids(officer) == THEIRS
    assert "返回" + STREET in str(_page(officer, "/wall"))  # the way back, on every page's bar
    assert officer.get("/data/special_groups.json?grid=G01").status_code == 403
    missing = officer.get("/street/open/不存在社区")
    assert missing.status_code == 404, missing.get_data(as_text=True)
    _page(officer, "/street")
    assert _grids(officer) == MINE | THEIRS


def _ranking(app: dash.Dash, user: User) -> list[Any]:
    with app.server.test_request_context("/street"):
        with app.server.extensions["gridgov.pool"].connection() as conn:
            account = accounts.get(conn, user.username)
        assert account is not None
        sign_in_request(app, account)
        return street_page.ranking(account)


def _page(client: FlaskClient, path: str) -> Any:
    """Build `path` through the router callback, as the browser's page load does."""
    reply = client.post("/_dash-update-component", json={
        "output": "page.children", "outputs": {"id": "page", "property": "children"},
        "inputs": [{"id": "url", "property": "pathname", "value": path}], "changedPropIds": ["url.pathname"],
        "state": [],
    })
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return reply.get_json()


def test_only_the_street_officer_opens_the_street(street: tuple[dash.Dash, dict[str, User]]) -> None:
    app, users = street
    for name in ("shuji_a", "leader1", "guihua_jd"):
        client = signed_in(app, users[name])
        assert client.post("/_dash-update-component", json={
            "output": "page.children", "outputs": {"id": "page", "property": "children"},
            "inputs": [{"id": "url", "property": "pathname", "value": "/street"}], "changedPropIds": ["url.pathname"],
            "state": [],
        }).status_code == 403
        assert client.get(f"/street/open/{OTHER}").status_code == 403
    # a secretary cannot narrow themselves into another community through the officer's route
    a = signed_in(app, users["shuji_a"])
    a.get(f"/street/open/{OTHER}")
    assert _grids(a) == MINE


def test_a_street_planner_takes_only_the_streets_grids(street: tuple[dash.Dash, dict[str, User]], db_url: str) -> None:
    app, users = street
    with psycopg.connect(db_url) as conn:  # G12 belongs to a neighbouring street
        conn.execute("UPDATE grids SET street_name = '东华门街道' WHERE grid_code = 'G12'")
    planner, officer = signed_in(app, users["guihua_jd"]), signed_in(app, users["jiedao"])
    assert _grids(planner, "complaints") == MINE | {"G11"}
    assert _grids(officer) == MINE | {"G11"}
    assert planner.get("/data/complaints.json?grid=G12").status_code == 403
    assert "G12" not in _cases(officer).values()


@pytest.mark.parametrize(("scope", "message"), [
    ({"role": "secretary"}, "needs at least one community"),
    ({"role": "secretary", "communities": ["没有这个社区"]}, "no community '没有这个社区' is loaded"),
    ({"role": "street_officer"}, "needs a street"),
    ({"role": "street_officer", "street": "别的街道"}, "no street '别的街道' is loaded"),
    ({"role": "grid_leader", "grids": ["G01"], "communities": [COMMUNITY]}, "not tied to communities"),
    ({"role": "admin", "street": STREET}, "not tied to a street"),
])
def test_a_scope_that_does_not_fit_is_refused_clearly(db_url: str, scope: dict[str, Any], message: str) -> None:
    with psycopg.connect(db_url) as conn:
        seed_street(conn)
        with pytest.raises(InputError, match=message):
            accounts.add(conn, "x", password="a-long-password", **scope)


def test_the_cli_adds_scoped_accounts_and_lists_their_scope(db_url: str, tmp_path: Path) -> None:
    with psycopg.connect(db_url) as conn:
        seed_street(conn)
    env = {"GRIDGOV_DATABASE_URL": db_url, "GRIDGOV_HOME": str(tmp_path)}
    for args in (["shuji", "--role", "secretary", "--community", OTHER],
                 ["jiedao", "--role", "street_officer", "--street", STREET]):
        result = CliRunner().invoke(main, ["user", "add", *args, "--password-stdin"], input="a-long-password\n", env=env)
        assert result.exit_code == 0, result.output
    listed = CliRunner().invoke(main, ["user", "list"], env=env).output
    assert OTHER in listed and f"street:{STREET}" in listed
    refused = CliRunner().invoke(main, ["user", "add", "li", "--role", "street_officer", "--password-stdin"],
                                 input="a-long-password\n", env=env)
    assert refused.exit_code != 0 and "needs a street" in refused.output
    with psycopg.connect(db_url) as conn:
        officer = accounts.get(conn, "jiedao")
    assert officer is not None and officer.role is Role.STREET_OFFICER and officer.street == STREET


def test_a_wall_screen_shows_only_its_community(street: tuple[dash.Dash, dict[str, User]], db_url: str) -> None:
    app, _ = street
    with psycopg.connect(db_url) as conn:
        token = devices.add(conn, "hepingli", lifetime=timedelta(days=1), by="pytest", communities=[OTHER])
        with pytest.raises(InputError, match="shows one or more communities"):
            devices.add(conn, "nowhere", lifetime=timedelta(days=1), by="pytest")
    screen = app.server.test_client()
    assert screen.get(f"/wall/device/{token}").status_code == 302
    page = screen.post("/_dash-update-component", json=callback("page.children", [("url", "pathname", "/wall")]))
    refresh = screen.post("/_dash-update-component", json=wall_request())
    assert page.status_code == 200 and refresh.status_code == 200, refresh.get_data(as_text=True)[-300:]
    shown = page.get_data(as_text=True) + refresh.get_data(as_text=True)
    assert OTHER in shown and "和平一网格" in shown
    assert COMMUNITY not in shown and "东区一网格" not in shown
    labels = screen.get(data_urls.LABEL_POINTS)
    assert labels.status_code == 200
    assert "东区" not in str(geobuf.decode(labels.get_data())) and "和平" in str(geobuf.decode(labels.get_data()))


def test_hot_spots_are_computed_over_everything_and_shown_within_the_scope(
    street: tuple[dash.Dash, dict[str, User]], db_url: str
) -> None:
    app, users = street
    with psycopg.connect(db_url) as conn:  # work orders enough for the statistic to tell grids apart
        conn.execute(
            "INSERT INTO complaints (ticket_id, received_at, category, geocoded_by, geom, grid_code, load_run_id,"
            " source_row) SELECT 'X' || g.grid_code || n, now() - interval '2 days', '噪音扰民', 'gazetteer',"
            " ST_PointOnSurface(g.geom), g.grid_code, g.load_run_id, n"
            " FROM grids AS g, generate_series(1, CASE g.grid_code WHEN 'G03' THEN 12 WHEN 'G11' THEN 15 ELSE 1 END) AS n"
        )
    secretary, officer = signed_in(app, users["shuji_a"]), signed_in(app, users["jiedao"])

    def statistics(client: FlaskClient) -> dict[str, tuple[Any, Any]]:
        reply = client.get("/data/complaint_hotspots.json")
        assert reply.status_code == 200
        return {f["properties"]["grid_code"]: (f["properties"]["gi_z"], f["properties"]["gi_bin"])
                for f in reply.get_json()["features"]}

    mine, everyone = statistics(secretary), statistics(officer)
    assert set(mine) == MINE and set(everyone) == MINE | THEIRS
    # the secretary's grids carry the statistic of the whole street: G03's neighbour G11 (another community) counts
    assert mine == {code: everyone[code] for code in MINE}


def test_the_queue_holds_each_secretarys_cases_and_the_unplaced_ones(
    street: tuple[dash.Dash, dict[str, User]], db_url: str
) -> None:
    app, users = street
    with psycopg.connect(db_url, autocommit=True) as conn:
        unplaced, theirs = work_order(conn, None, "占道经营"), work_order(conn, "G11")
    a, b = signed_in(app, users["shuji_a"]), signed_in(app, users["shuji_b"])
    assert unplaced in listed(a) and unplaced in listed(b)  # no grid, so no area: both may place it
    assert theirs in listed(b) and theirs not in listed(a)
    # a crafted press of the queue's button on the other community's case: not found, nothing written
    refused = act(a, theirs, "note", note="越权备注")
    assert refused.status_code == 404
    # placing the unplaced case: into one's own area only
    assert act(a, unplaced, "assign", grid="G11").status_code in (400, 403)
    assert "G11" not in str(said(act(a, unplaced, "assign", grid="G01")))
    assert unplaced in listed(a) and unplaced not in listed(b)  # placed in 幸福里, so it left the other queue
    with psycopg.connect(db_url) as conn:
        notes = conn.execute("SELECT count(*) FROM case_events WHERE detail->>'note' = '越权备注'").fetchone()
    assert notes == (0,)
