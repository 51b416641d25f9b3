"""The grid leader's page (/grid) through its real endpoints on a real database, and once in a phone-sized Chromium.

The seeded community (tests/seed_sql.py) gets names, phones, complaints,
hazards and one earlier visit here. leader1 leads G01, whose households due
visits are H01 (overdue: no visit last period) and H02 (due: visited last
period); H06 in G02 is due too, and must never reach leader1.
Crafted requests are what a curious grid leader could send to
/_dash-update-component by hand.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dash
import psycopg
import pytest
from auth_client import User, make_users, running_app, session_secret, signed_in
from flask.testing import FlaskClient
from playwright.sync_api import Page, Response, expect
from seed_sql import seed_small_community
from served_app import chromium, serving

from gridgov import audit
from gridgov.rls import grid_reader_transaction
from gridgov.settings import CommunitySettings

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ZONE = ZoneInfo(CommunitySettings().timezone)
UPDATE = "/_dash-update-component"
OPEN_COMPLAINTS = ["pending", "in_progress"]
OPEN_HAZARDS = ["open", "in_progress"]
ALL_VISITS = "due"  # the visits list's filter showing every household due this period
# what leader1 must never receive: G02's and G03's codes, names, households, tickets and hazards
OTHERS = ("G02", "G03", "东区二网格", "东区三网格", "H06", "王六", "13900000006", "T-G02", "Z-G02")


def _today() -> date:
    return CommunitySettings().clock().today()  # the suite's pinned community clock (conftest)


def seed_grid_work(db_url: str) -> None:
    """Names and phones, complaints and hazards in G01 and G02, and a visit to H02 last period."""
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
        names = {"H01": "张一", "H02": "李二", "H04": "赵四", "H06": "王六"}
        for hid, name in names.items():
            conn.execute("UPDATE households SET head_name = %s, phone = %s WHERE household_id = %s",
                         [name, f"139000000{hid[1:]}", hid])
        run = conn.execute("SELECT id FROM load_runs").fetchone()
        assert run is not None
        now = CommunitySettings().clock().now()
        # ticket, grid, hours ago, responded, resolved
        for i, (ticket, grid, responded, resolved) in enumerate(
            [("T-G01-1", "G01", False, None), ("T-G01-2", "G01", True, None), ("T-G01-3", "G01", True, True),
             ("T-G02-1", "G02", False, None)], start=1
        ):
            conn.execute(
                "INSERT INTO complaints (ticket_id, received_at, category, content, address, responded_at, resolved_at,"
                " resolved, geocoded_by, geom, grid_code, load_run_id, source_row)"
                " SELECT %s, %s, '噪音扰民', %s, b.address, %s, %s, %s, 'gazetteer', b.geom, b.grid_code, %s, %s"
                " FROM buildings b WHERE b.grid_code = %s ORDER BY b.building_id LIMIT 1",
                [ticket, now - timedelta(days=i), f"{ticket} 夜间施工噪音", now - timedelta(days=i) if responded else None,
                 now if resolved else None, resolved, run[0], i, grid],
            )
        for i, (hazard, grid, status, deadline) in enumerate(
            [("Z-G01-1", "G01", "open", _today() - timedelta(days=3)), ("Z-G01-2", "G01", "closed", _today()),
             ("Z-G02-1", "G02", "open", _today() + timedelta(days=9))], start=1
        ):
            conn.execute(
                "INSERT INTO hazards (hazard_id, found_at, type, severity, status, deadline, address, geocoded_by, geom,"
                " grid_code, load_run_id, source_row)"
                " SELECT %s, %s, '消防通道堵塞', 'high', %s, %s, b.address, 'gazetteer', b.geom, b.grid_code, %s, %s"
                " FROM buildings b WHERE b.grid_code = %s ORDER BY b.building_id DESC LIMIT 1",
                [hazard, now - timedelta(days=10), status, deadline, run[0], i, grid],
            )
        last_period = datetime.combine(_today().replace(day=1) - timedelta(days=5), time(10), tzinfo=ZONE)
        conn.execute(
            "INSERT INTO visits (visit_id, household_id, visited_at, visitor, grid_code, load_run_id, source_row)"
            " VALUES ('V-H02', 'H02', %s, '网格员1', 'G01', %s, 1)",
            [last_period, run[0]],
        )


@pytest.fixture
def app(db_url: str) -> Iterator[dash.Dash]:
    seed_grid_work(db_url)
    with running_app(db_url) as built:
        yield built



def body(
    outputs: list[str], inputs: list[tuple[str, str, Any]], state: list[tuple[str, str, Any]] | None = None
) -> dict[str, Any]:
    """What Dash's renderer POSTs for a callback with these outputs (`id.prop`), inputs and state."""
    specs = [dict(zip(("id", "property"), o.split("."), strict=True)) for o in outputs]
    return {
        "output": outputs[0] if len(outputs) == 1 else ".." + "...".join(outputs) + "..",
        "outputs": specs[0] if len(outputs) == 1 else specs,
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state or []],
    }


def visits_call(grid: Any = None, statuses: Any = ALL_VISITS, version: Any = "") -> dict[str, Any]:
    return body(["visit-list.children", "visit-household.options", "visit-status.options"],
                [("grid-select", "value", grid), ("visit-status", "value", statuses), ("grid-version", "data", version)])


def complaints_call(grid: Any = None, statuses: Any = OPEN_COMPLAINTS) -> dict[str, Any]:
    return body(["complaint-list.children", "complaint-layer.data"],
                [("grid-select", "value", grid), ("complaint-status", "value", statuses)])


def hazards_call(grid: Any = None, statuses: Any = OPEN_HAZARDS) -> dict[str, Any]:
    return body(["hazard-list.children", "hazard-layer.data"],
                [("grid-select", "value", grid), ("hazard-status", "value", statuses)])


def counts_call(grid: Any = None, version: Any = "") -> dict[str, Any]:
    return body(["grid-counts.children"], [("grid-select", "value", grid), ("grid-version", "data", version)])


def households_call(grid: Any = None) -> dict[str, Any]:
    return body(["household-layer.data"], [("grid-select", "value", grid)])


def pick_call(grid: Any) -> dict[str, Any]:
    return body(["grid-select.value"], [("grid-layer", "clickData", {"type": "Feature", "properties": {"grid_code": grid}})])


ACT_OUTPUTS = ["visit-sheet.className", "visit-household.value", "visit-error.children", "visit-message.children",
               "grid-version.data", "visit-notes.value"]


def _prop_id(id_: Any, prop: str) -> str:
    return (json.dumps(id_, sort_keys=True, separators=(",", ":")) if isinstance(id_, dict) else id_) + "." + prop


def act_call(
    trigger: Any, *, rows: tuple[str, ...] = (), undos: tuple[tuple[Any, str], ...] = (),
    household: Any = None, day: Any = None, notes: Any = "", clicks: int = 1,
) -> dict[str, Any]:
    """The visit buttons' callback as the renderer POSTs it: `trigger` (an id) was tapped; the page holds the row
    buttons of `rows` (households) and the undo buttons of `undos` ((visit, place)), and the form's values."""
    def clicked(id_: Any) -> int | None:
        return clicks if id_ == trigger else None

    opens = [{"type": "visit-open", "household": h} for h in rows]
    undo_ids = [{"type": "visit-undo", "visit": v, "place": place} for v, place in undos]
    request = body(ACT_OUTPUTS, [("visit-save", "n_clicks", None)],
                   [("visit-household", "value", household), ("visit-date", "date", day), ("visit-notes", "value", notes)])
    request["inputs"] = [
        [{"id": i, "property": "n_clicks", "value": clicked(i)} for i in opens],
        *({"id": i, "property": "n_clicks", "value": clicked(i)} for i in ("visit-new", "visit-cancel", "visit-save")),
        [{"id": i, "property": "n_clicks", "value": clicked(i)} for i in undo_ids],
    ]
    request["changedPropIds"] = [_prop_id(trigger, "n_clicks")]
    return request


def save_call(household: Any, day: Any, notes: Any = "", clicks: int = 1) -> dict[str, Any]:
    return act_call("visit-save", household=household, day=day, notes=notes, clicks=clicks)


def undo_call(visit: Any, place: str = "row") -> dict[str, Any]:
    button = {"type": "visit-undo", "visit": visit, "place": place}
    return act_call(button, undos=((visit, place),))


def answer(client: FlaskClient, request: dict[str, Any]) -> dict[str, Any]:
    response = client.post(UPDATE, json=request)
    assert response.status_code == 200, response.get_data(as_text=True)[-800:]
    value: dict[str, Any] = response.get_json()["response"]
    return value


def texts(tree: Any) -> list[str]:
    """Every string in a Dash component tree, in order (what the page shows)."""
    if isinstance(tree, str):
        return [tree]
    if isinstance(tree, dict):
        if "props" in tree:
            return texts(tree["props"].get("children"))
        return []
    if isinstance(tree, list):
        return [s for item in tree for s in texts(item)]
    return []


def items(tree: Any, attribute: str) -> dict[str, Any]:
    """The list items carrying `data-<attribute>` in a Dash component tree, by that attribute's value."""
    found: dict[str, Any] = {}
    if isinstance(tree, dict):
        props = tree.get("props", {})
        if f"data-{attribute}" in props:
            found[props[f"data-{attribute}"]] = props
        found.update(items(props.get("children"), attribute))
    elif isinstance(tree, list):
        for item in tree:
            found.update(items(item, attribute))
    return found


def counters(client: FlaskClient, grid: Any = None) -> dict[str, int]:
    tree = answer(client, counts_call(grid))["grid-counts"]["children"]
    return {key: int(texts(props["children"])[0]) for key, props in items(tree, "count").items()}


def visit_rows(db_url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(db_url) as conn:
        return conn.execute(
            "SELECT v.visit_id, v.household_id, v.grid_code, v.visitor, v.notes, v.visited_at, v.source_row,"
            " r.dataset, r.source_file, r.loaded_by FROM visits v JOIN load_runs r ON r.id = v.load_run_id"
            " WHERE v.visit_id <> 'V-H02' ORDER BY v.visited_at"
        ).fetchall()


def events(db_url: str, action: str) -> list[audit.Event]:
    with psycopg.connect(db_url) as conn:
        return [e for e in audit.recent(conn, limit=1000) if e.action == action]


def test_a_leader_gets_their_grids_work_with_names_and_phones_and_nothing_of_other_grids(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    client = signed_in(app, users["leader1"])
    page = client.post(UPDATE, json=body(["page.children"], [("url", "pathname", "/grid")]))
    assert page.status_code == 200
    shown = page.get_data(as_text=True)
    assert "我的网格" in shown and "东区一网格" in shown and "本期走访名单" in shown
    assert not [o for o in OTHERS if o in shown]

    visits = answer(client, visits_call())
    households = items(visits["visit-list"]["children"], "household")
    assert {h: p["data-status"] for h, p in households.items()} == {"H01": "overdue", "H02": "due"}
    listed = texts(visits["visit-list"]["children"])
    assert {"张一", "13900000001", "李二", "13900000002", "逾期", "待访"} <= set(listed)
    assert [o["value"] for o in visits["visit-household"]["options"]] == ["H01", "H02"]
    assert [o["label"] for o in visits["visit-status"]["options"]] == ["待访 2", "逾期未访 1", "已访 0", "本期应访 2"]

    complaints = answer(client, complaints_call())
    assert list(items(complaints["complaint-list"]["children"], "ticket")) == ["T-G01-2", "T-G01-1"]
    assert sorted(f["id"] for f in complaints["complaint-layer"]["data"]["features"]) == ["T-G01-1", "T-G01-2"]
    everything = answer(client, complaints_call(statuses=["pending", "in_progress", "resolved"]))
    assert len(everything["complaint-layer"]["data"]["features"]) == 3

    hazards = answer(client, hazards_call())
    (late,) = items(hazards["hazard-list"]["children"], "hazard").values()
    assert late["data-hazard"] == "Z-G01-1" and "逾期 3 天" in texts(late["children"])[-2]
    assert [f["id"] for f in answer(client, hazards_call(statuses=["closed"]))["hazard-layer"]["data"]["features"]] == [
        "Z-G01-2"
    ]
    points = answer(client, households_call())["household-layer"]["data"]["features"]
    assert sorted(f["id"] for f in points) == ["H01", "H02", "H04"]

    assert counters(client) == {
        "due": 2, "visited": 0, "not_yet_visited": 2, "overdue": 1, "open_complaints": 2, "open_hazards": 1,
        "overdue_hazards": 1,
    }
    everything_sent = json.dumps([visits, complaints, everything, hazards, points], ensure_ascii=False)
    assert not [o for o in OTHERS if o in everything_sent]
    # every view of names, phones or complaint text is audited; hazards carry none
    viewed = {(e.detail["layer"], tuple(e.detail["grids"])) for e in events(db_url, audit.VIEW_PERSONAL)}
    assert viewed == {("visits", ("G01",)), ("complaints", ("G01",)), ("special_groups", ("G01",))}


def test_crafted_callbacks_for_another_grid_are_403_and_bad_values_400(app: dash.Dash, users: dict[str, User]) -> None:
    client = signed_in(app, users["leader1"])
    for request in (visits_call("G02"), complaints_call("G02"), hazards_call("G02"), counts_call("G02"),
                    households_call("G02"), pick_call("G02"), visits_call("G03"), counts_call("G03")):
        response = client.post(UPDATE, json=request)
        assert response.status_code == 403, (request["output"], response.get_data(as_text=True))
        assert not [o for o in ("H06", "王六", "T-G02", "Z-G02", "东区二网格") if o in response.get_data(as_text=True)]
    for request in (visits_call(["G01", "G02"]), complaints_call({"grid": "G02"}), hazards_call(None, ["open", "gone"]),
                    complaints_call(None, "pending"), visits_call(None, [1]), visits_call(None, "gone")):
        assert client.post(UPDATE, json=request).status_code == 400, request
    assert answer(client, pick_call("G01"))["grid-select"]["value"] == "G01"  # a click on their own grid picks it
    # the other leader's own grids work for them, G01 does not
    other = signed_in(app, users["leader23"])
    page = other.post(UPDATE, json=body(["page.children"], [("url", "pathname", "/grid")])).get_data(as_text=True)
    assert "东区二网格" in page and "东区三网格" in page and "G01" not in page and "东区一网格" not in page
    assert texts(answer(other, counts_call())["grid-counts"]["children"])[0] == "东区二网格、东区三网格"
    assert set(items(answer(other, visits_call("G02"))["visit-list"]["children"], "household")) == {"H06"}
    assert other.post(UPDATE, json=visits_call("G01")).status_code == 403
    # other roles have no grid leader's page: their crafted callbacks are refused too
    for name in ("shuji", "guihua", "admin"):
        someone = signed_in(app, users[name])
        for request in (visits_call(), hazards_call(), counts_call(), save_call("H01", _today().isoformat())):
            assert someone.post(UPDATE, json=request).status_code == 403, (name, request["output"])
    anonymous = app.server.test_client()
    assert anonymous.post(UPDATE, json=visits_call()).status_code == 401


def test_recording_a_visit_writes_one_row_and_the_numbers_follow_at_once(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    client = signed_in(app, users["leader1"])
    assert counters(client)["visited"] == 0  # computed and cached before the visit
    saved = answer(client, save_call("H01", _today().isoformat(), "  老人身体良好，已提醒冬季用电安全。 "))
    message = texts(saved["visit-message"]["children"])
    assert message == [f"已记录 H01 张一 于 {_today().isoformat()} 的走访。", "撤销走访"]
    assert saved["visit-notes"]["value"] == "" and saved["visit-household"]["value"] is None
    assert saved["visit-sheet"]["className"] == "gg-sheet"  # the sheet closes

    ((visit_id, household, grid, visitor, notes, visited_at, source_row, dataset, source_file, loaded_by),) = visit_rows(db_url)
    assert visit_id == saved["grid-version"]["data"] and visit_id.startswith("W") and len(visit_id) == 33
    assert (household, grid, visitor, notes, source_row) == ("H01", "G01", "leader1", "老人身体良好，已提醒冬季用电安全。", 1)
    assert (dataset, source_file, loaded_by) == ("visits", "dashboard", "leader1")
    assert visited_at.astimezone(ZONE).date() == _today()
    (event,) = events(db_url, "record_visit")
    assert event.username == "leader1" and event.detail["visit_id"] == visit_id and event.detail["grid"] == "G01"

    # the page asks again with the new version: the list, the picker and the numbers are fresh
    after = answer(client, visits_call(version=visit_id))
    assert {h: p["data-status"] for h, p in items(after["visit-list"]["children"], "household").items()} == {
        "H01": "visited", "H02": "due"
    }
    assert f"最近走访 {_today().isoformat()}" in " ".join(texts(after["visit-list"]["children"]))
    numbers = counters(client)
    assert (numbers["due"], numbers["visited"], numbers["not_yet_visited"], numbers["overdue"]) == (2, 1, 1, 0)
    only_visited = answer(client, visits_call(statuses="visited"))
    assert list(items(only_visited["visit-list"]["children"], "household")) == ["H01"]

    # an earlier day is kept as that day (noon, community time)
    answer(client, save_call("H02", (_today() - timedelta(days=1)).isoformat()))
    earlier = visit_rows(db_url)[0]
    assert earlier[1] == "H02" and earlier[5].astimezone(ZONE) == datetime.combine(
        _today() - timedelta(days=1), time(12), tzinfo=ZONE
    )
    assert earlier[4] is None  # no notes given


def test_a_crafted_visit_for_another_grids_household_is_403_and_writes_nothing(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    client = signed_in(app, users["leader1"])
    today = _today().isoformat()
    for household in ("H06", "H09", "H99"):  # another grid's, another grid's not due, no such household
        response = client.post(UPDATE, json=save_call(household, today, "crafted"))
        assert response.status_code == 403, household
        assert "王六" not in response.get_data(as_text=True)
    assert client.post(UPDATE, json=save_call("H03", today)).status_code == 400  # theirs, but due no visits
    for bad in (save_call(["H01"], today), save_call("H01", 20240101), save_call("H01", today, {"x": 1})):
        assert client.post(UPDATE, json=bad).status_code == 400
    assert visit_rows(db_url) == []
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT count(*) FROM load_runs WHERE source_file = 'dashboard'").fetchone() == (0,)
    assert events(db_url, "record_visit") == []


def test_bad_input_is_refused_with_a_message_the_leader_can_act_on(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    client = signed_in(app, users["leader1"])
    today = _today()

    def message(request: dict[str, Any]) -> str:
        response = answer(client, request)
        assert "grid-version" not in response  # nothing recorded, nothing to refresh
        (words,) = texts(response["visit-error"]["children"])
        return words

    assert message(save_call("H01", (today + timedelta(days=1)).isoformat())) == f"走访日期不能晚于今天（{today}）。"
    assert message(save_call(None, today.isoformat())) == "请选择要记录走访的住户。"
    assert message(save_call("", today.isoformat())) == "请选择要记录走访的住户。"
    assert message(save_call("H01", None)) == "请选择走访日期。"
    assert message(save_call("H01", "23/11/2026")) == "走访日期无法识别，请按 年-月-日 选择。"
    assert message(save_call("H01", (today - timedelta(days=400)).isoformat())).startswith("走访日期不能早于")
    assert message(save_call("H01", today.isoformat(), "很" * 501)) == "情况记录最多 500 字，现在有 501 字。"
    assert visit_rows(db_url) == []
    client.get("/language/en")
    assert message(save_call("H01", (today + timedelta(days=2)).isoformat())) == (
        f"The date of a visit cannot be after today ({today})."
    )
    english = answer(client, visits_call())
    assert {"overdue", "due", "张一"} <= set(texts(english["visit-list"]["children"]))


def test_the_database_refuses_a_visit_naming_another_grids_household_whatever_grid_it_claims(
    conn: psycopg.Connection,
) -> None:
    seed_small_community(conn)
    insert = (
        "INSERT INTO visits (visit_id, household_id, visited_at, grid_code, load_run_id, source_row)"
        " VALUES (%s, %s, now(), %s, dashboard_visit_run('leader1', repeat('a', 64)), 1)"
    )
    with grid_reader_transaction(conn, ["G01"]):
        conn.execute(insert, ["W1", "H01", "G01"])
    for household, grid in (("H06", "G01"), ("H01", "G02"), ("H06", "G02")):
        with pytest.raises(psycopg.errors.InsufficientPrivilege), grid_reader_transaction(conn, ["G01"]):
            conn.execute(insert, ["W2", household, grid])
    # the reader makes a load run only through the function, never by hand
    with pytest.raises(psycopg.errors.InsufficientPrivilege), grid_reader_transaction(conn, ["G01"]):
        conn.execute("INSERT INTO load_runs (dataset, source_file, sha256, loaded_by) VALUES ('x', 'y', 'z', 'w')")
    assert conn.execute("SELECT visit_id, grid_code FROM visits").fetchall() == [("W1", "G01")]
    assert conn.execute("SELECT dataset, source_file, loaded_by FROM load_runs WHERE source_file = 'dashboard'").fetchall() == [
        ("visits", "dashboard", "leader1")
    ]


# a phone as the grid leader holds it, for the browser tests of /grid
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
                         "has_touch": True}


def serve_env(db_url: str) -> dict[str, str]:
    """What `gridgov serve` needs to run on the test database, with no tiles."""
    return {"GRIDGOV_DATABASE_URL": db_url, "GRIDGOV_SECRET_KEY": session_secret(), "GRIDGOV_TILE_URL": ""}


def sign_in_to_grid(page: Page, url: str, user: User) -> None:
    """Open /grid, sign in through the form as `user`, and land on /grid."""
    page.goto(url + "grid")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(user.password)
    page.locator("button[type=submit]").click()
    expect(page).to_have_url(url + "grid")


def _dash_bodies(responses: list[Response]) -> str:
    return "\n".join(r.text() for r in responses if r.ok and r.status != 204 and r.request.method == "POST")


@pytest.mark.browser
def test_a_grid_leader_records_a_visit_on_a_phone(db_url: str) -> None:
    seed_grid_work(db_url)
    leader = make_users(db_url)["leader1"]
    ARTIFACTS.mkdir(exist_ok=True)
    with serving(serve_env(db_url), ARTIFACTS / "serve_grid.log") as url, chromium() as browser:
        page = browser.new_context(**PHONE).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        responses: list[Response] = []
        page.on("response", lambda r: responses.append(r) if r.url.startswith(url) else None)

        sign_in_to_grid(page, url, leader)
        expect(page.locator("header h1")).to_have_text("我的网格")
        expect(page.locator("path.grid-polygon")).to_have_count(1)  # G01, and nothing else was sent
        # one cluster per building: H01, H02 and two work orders at B001; H04 and a hazard at B002
        expect(page.locator(".gg-cluster")).to_have_count(2)
        visits = page.locator(".gg-section-visits li[data-household]")
        expect(visits).to_have_count(2)
        h01 = page.locator("li[data-household=H01]")
        expect(h01).to_have_attribute("data-status", "overdue")
        expect(h01).to_contain_text("张一")
        expect(h01.locator("a.gg-phone")).to_have_attribute("href", "tel:13900000001")
        expect(page.locator("li[data-ticket]")).to_have_count(2)
        expect(page.locator("li[data-hazard]")).to_have_count(1)
        visited = page.locator(".gg-count[data-count=visited] .gg-count-value")
        expect(visited).to_have_text("0")
        # on a phone the panel follows the map, nothing sticks out sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        map_box, side_box = page.locator(".gg-grid-mapbox").bounding_box(), page.locator(".gg-grid-side").bounding_box()
        assert map_box and side_box and side_box["y"] >= map_box["y"] + map_box["height"] - 1
        page.screenshot(path=str(ARTIFACTS / "grid_phone.png"))

        # the polygon's tooltip gives its numbers, and a click on it picks it
        page.locator("path.grid-polygon").hover()
        expect(page.locator(".leaflet-tooltip")).to_contain_text("东区一网格")
        expect(page.locator(".gg-grid-select")).to_contain_text("我负责的全部网格")
        page.locator("path.grid-polygon").click()
        expect(page.locator(".gg-grid-select")).to_contain_text("G01 东区一网格")
        expect(page.locator(".gg-counts-title")).to_have_text("东区一网格")

        # zoomed out, the points of one building gather into clusters
        for _ in range(3):
            page.locator(".leaflet-control-zoom-out").click()
        expect(page.locator(".gg-cluster").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "grid_phone_clusters.png"))
        for _ in range(3):
            page.locator(".leaflet-control-zoom-in").click()
        expect(page.locator(".gg-cluster")).to_have_count(2)

        # record a visit to H01 from its row: the form opens with H01 picked; keep today's date, write a note, save
        h01.get_by_role("button", name="记录走访").click()
        form = page.locator("#visit-sheet")
        expect(form.locator("#visit-household")).to_contain_text("H01")
        page.locator("#visit-notes").fill("身体良好")
        page.locator("#visit-save").click()
        expect(page.locator(".gg-form-ok")).to_have_text(f"已记录 H01 张一 于 {_today().isoformat()} 的走访。")
        expect(h01).to_have_count(0)  # no longer 待访
        page.locator(".gg-count[data-count=visited]").click()
        expect(h01).to_have_attribute("data-status", "visited")
        expect(h01).to_contain_text("已访")
        expect(visited).to_have_text("1")
        expect(page.locator(".gg-count[data-count=overdue] .gg-count-value")).to_have_text("0")
        page.locator(".gg-section-visits").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "grid_phone_recorded.png"))

        assert len(visit_rows(db_url)) == 1

        sent = page.content() + _dash_bodies(responses)
        assert not [o for o in OTHERS if o in sent]
        assert errors == []
