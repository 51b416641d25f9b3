"""The secretary's case queue (/queue, dashboard/queue/): filters and pages the shared list, and each action is one
event by the secretary through the store, audited; a case reassigned leaves the first leader's view at once; bad
input is a message or a 400; any other role is refused and a crafted callback writes nothing. In Chromium: the
secretary filters, places an unplaced case, reassigns one and verifies a resolved one with the resident's answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dash
import psycopg
import pytest
from auth_client import User, callback, make_users, session_secret, signed_in
from case_pages import choose, pick
from community import CLOCK
from dash_body import dash_body
from flask.testing import FlaskClient
from playwright.sync_api import expect
from seed_sql import seed_small_community
from served_app import chromium, serving
from test_dashboard_browser import sign_in

from gridgov import audit, case_store, units
from gridgov.case_queries import CaseFilter, list_cases
from gridgov.case_store import Opening
from gridgov.cases import Event, Kind, Source
from gridgov.rls import grid_reader_transaction

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ACTION_OUTPUTS = ["queue-message.children", "queue-version.data", "queue-links.children", "queue-note.value"]
FIELDS = ("queue-grid", "queue-lon", "queue-lat", "queue-satisfaction", "queue-note", "queue-units", "queue-reason")
INSIDE_G02 = (116.5075, 39.9225)  # the seeded grids are 0.005° squares from 116.500, 39.920 (tests/seed_sql.py)


def work_order(conn: psycopg.Connection, grid: str | None, category: str = "噪音扰民") -> str:
    opening = Opening(Kind.WORK_ORDER, category=category, description="楼下噪音", address="幸福里", grid_code=grid)
    return case_store.open_case(conn, opening, source=Source.INTAKE, actor="12345", clock=CLOCK)


def resolved(conn: psycopg.Connection, grid: str = "G01") -> str:
    case_id = work_order(conn, grid)
    with grid_reader_transaction(conn, [grid]):
        case_store.append(conn, case_id, Event("resolve", Source.FIELD, CLOCK.now(), "leader1", {"note": "已处理"}))
    return case_id


@pytest.fixture
def cases(app: dash.Dash, db_url: str) -> Iterator[dict[str, str]]:
    """An unplaced work order, one in G01, one resolved in G01, and a unit that takes any category."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        made = {"unplaced": work_order(conn, None, "占道经营"), "g01": work_order(conn, "G01"), "resolved": resolved(conn)}
        units.add(conn, "街道城管科", kind="street_department", contact="李科长 010-8888", by="admin")
    yield made


def act(client: FlaskClient, case_id: Any, action: Any, **fields: Any) -> Any:
    """Press the queue's button for `action` on `case_id` with the form's fields."""
    state = [("queue-selected", "data", case_id), ("queue-action", "value", action)]
    state += [(f, "value", fields.get(f.removeprefix("queue-"))) for f in FIELDS]
    state += [("queue-deadline", "date", fields.get("deadline")), ("queue-version", "data", 0)]
    return client.post("/_dash-update-component", json=dash_body(ACTION_OUTPUTS, [("queue-do", "n_clicks", 1)], state))


def said(response: Any) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[-500:]
    return json.dumps(response.get_json()["response"]["queue-message"], ensure_ascii=False)


def listed(client: FlaskClient, flags: list[str] | None = None, grid: str | None = None, page: int = 0) -> list[str]:
    body = dash_body(
        ["queue-list.children", "queue-page-label.children", "queue-prev.disabled", "queue-next.disabled"],
        [("queue-f-grid", "value", grid), ("queue-f-category", "value", None), ("queue-f-state", "value", []),
         ("queue-f-flags", "value", flags or []), ("queue-page", "data", page), ("queue-version", "data", 0)],
    )
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[-500:]
    return [c["props"]["data-case"] for c in _walk(response.get_json()) if "data-case" in c.get("props", {})]


def _walk(tree: Any) -> Iterator[dict[str, Any]]:
    if isinstance(tree, dict):
        if "props" in tree:
            yield tree
        for value in tree.values():
            yield from _walk(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _walk(value)


def leaders_view(db_url: str, grids: list[str]) -> list[str]:
    """The open cases a grid leader's row-level-security list holds."""
    with psycopg.connect(db_url) as conn, grid_reader_transaction(conn, grids):
        return [r["case_id"] for r in list_cases(conn, CaseFilter(open_only=True), CLOCK)]


def events(db_url: str, case_id: str) -> list[Event]:
    with psycopg.connect(db_url) as conn:
        return case_store.events_of(conn, case_id)


def test_the_queue_filters_and_the_unplaced_wait_there(app: dash.Dash, users: dict[str, User], cases: dict[str, str]) -> None:
    client = signed_in(app, users["shuji"])
    assert set(listed(client)) == set(cases.values())
    assert listed(client, ["unplaced"]) == [cases["unplaced"]]
    assert set(listed(client, grid="G01")) == {cases["g01"], cases["resolved"]}
    assert listed(client, ["escalated"]) == []
    assert listed(client, page=1) == []  # three cases fit the first page


def test_placing_reassigning_and_verifying_are_events_by_the_secretary(
    app: dash.Dash, users: dict[str, User], cases: dict[str, str], db_url: str
) -> None:
    client = signed_in(app, users["shuji"])
    # place the unplaced case by hand: a grid is needed; a point must lie in the grid chosen
    assert "请选择网格" in said(act(client, cases["unplaced"], "assign"))
    assert "不在所选网格内" in said(act(client, cases["unplaced"], "assign", grid="G01", lon=INSIDE_G02[0], lat=INSIDE_G02[1]))
    assert "经纬度须同时填写" in said(act(client, cases["unplaced"], "assign", grid="G01", lon="116.5"))
    assert "已派至网格" in said(act(client, cases["unplaced"], "assign", lon=INSIDE_G02[0], lat=INSIDE_G02[1]))
    placed = events(db_url, cases["unplaced"])[-1]
    assert (placed.action, placed.source, placed.actor, placed.detail["grid_code"]) == ("assign", Source.SECRETARY, "shuji", "G02")
    assert listed(client, ["unplaced"]) == []

    # reassign: the case leaves the first leader's view at once and reaches the other's
    assert cases["g01"] in leaders_view(db_url, ["G01"])
    assert "已改派" in said(act(client, cases["g01"], "reassign", grid="G03"))
    assert cases["g01"] not in leaders_view(db_url, ["G01"])
    assert cases["g01"] in leaders_view(db_url, ["G02", "G03"])

    # verify with the resident's answer; a case not resolved cannot be verified: the message says what can be done
    refused = said(act(client, cases["g01"], "verify", satisfaction="satisfied"))
    assert "不能核实" in refused and "改派" in refused
    assert "已核实" in said(act(client, cases["resolved"], "verify", satisfaction="basically_satisfied"))
    with psycopg.connect(db_url) as conn:
        row, history = case_store.read(conn, cases["resolved"])
        assert (row["state"], row["satisfaction"]) == ("verified", "basically_satisfied")
        assert (history[-1].action, history[-1].source) == ("verify", Source.SECRETARY)
        trail = [e.detail["action"] for e in audit.recent(conn, username="shuji") if e.action == "case_action"]
        assert trail == ["verify", "reassign", "assign"]  # one audit row per event, none for refusals

    # reopen and close need a note
    assert "请填写说明" in said(act(client, cases["resolved"], "reopen", note=" "))
    assert "已重新办理" in said(act(client, cases["resolved"], "reopen", note="居民反映仍有噪音"))
    assert "已关闭" in said(act(client, cases["resolved"], "close", note="重复工单"))
    with psycopg.connect(db_url) as conn:
        assert case_store.read(conn, cases["resolved"])[0]["state"] == "closed"


def test_a_resolved_case_verified_with_no_answer_keeps_no_satisfaction(
    app: dash.Dash, users: dict[str, User], cases: dict[str, str], db_url: str
) -> None:
    said(act(signed_in(app, users["shuji"]), cases["resolved"], "verify", satisfaction="not_asked"))
    with psycopg.connect(db_url) as conn:
        row, history = case_store.read(conn, cases["resolved"])
    assert (row["state"], row["satisfaction"], history[-1].detail) == ("verified", None, {})


def test_escalating_shows_each_units_link_once_and_a_deadline_is_a_date_within_a_year(
    app: dash.Dash, users: dict[str, User], cases: dict[str, str], db_url: str
) -> None:
    client = signed_in(app, users["shuji"])
    assert "请至少选择一个单位" in said(act(client, cases["g01"], "escalate", reason="需到场"))
    assert "请填写吹哨原因" in said(act(client, cases["g01"], "escalate", units=["街道城管科"]))
    done = act(client, cases["g01"], "escalate", units=["街道城管科"], reason="占道施工，请城管到场")
    assert "已吹哨" in said(done)
    links = json.dumps(done.get_json()["response"]["queue-links"], ensure_ascii=False)
    assert "街道城管科" in links and "李科长 010-8888" in links
    (token,) = [part.split('"')[0] for part in links.split("/unit/")[1:]]
    assert "占道施工，请城管到场" in app.server.test_client().get(f"/unit/{token}").get_data(as_text=True)
    assert listed(client, ["escalated"]) == [cases["g01"]]
    # the link is not shown again with the case
    detail = client.post("/_dash-update-component", json=dash_body(
        ["queue-detail.children", "queue-action.options", "queue-action.value", "queue-units.options"],
        [("queue-selected", "data", cases["g01"]), ("queue-version", "data", 1)]))
    assert detail.status_code == 200 and token not in detail.get_data(as_text=True)
    assert "街道城管科：有效至" in detail.get_data(as_text=True)

    assert "请选择今天起一年内的日期" in said(act(client, cases["g01"], "set_deadline", deadline="2020-01-01"))
    assert "请选择今天起一年内的日期" in said(act(client, cases["g01"], "set_deadline", deadline="soon"))
    assert "已设定期限" in said(act(client, cases["g01"], "set_deadline", deadline=CLOCK.today().isoformat()))


@pytest.mark.parametrize(
    ("case", "action", "fields"),
    [
        ("Kdeadbeef", "note", {"note": "x"}),  # no case id of ours
        ("g01", "resolve", {"note": "x"}),  # not an action of the queue
        ("g01", "reassign", {"grid": "G99"}),  # no such grid
        ("g01", "reassign", {"grid": ["G01"]}),
        ("g01", "verify", {"satisfaction": "thrilled"}),
        ("g01", "escalate", {"units": "街道城管科", "reason": "x"}),
        ("g01", "escalate", {"units": ["没有这个单位"], "reason": "x"}),
        ("g01", "note", {"note": {"text": "x"}}),
    ],
)
def test_values_no_form_sends_are_a_400_and_write_nothing(
    app: dash.Dash, users: dict[str, User], cases: dict[str, str], db_url: str, case: str, action: str,
    fields: dict[str, Any],
) -> None:
    before = events(db_url, cases["g01"])
    response = act(signed_in(app, users["shuji"]), cases.get(case, case), action, **fields)
    assert response.status_code == 400, response.get_data(as_text=True)[-300:]
    assert events(db_url, cases["g01"]) == before


def test_no_other_role_opens_the_queue_and_a_crafted_callback_writes_nothing(
    app: dash.Dash, users: dict[str, User], cases: dict[str, str], db_url: str
) -> None:
    before = {c: events(db_url, c) for c in cases.values()}
    for username in ("leader1", "leader23", "guihua", "admin"):
        client = signed_in(app, users[username])
        assert client.get("/queue").status_code == 403, username
        router = client.post("/_dash-update-component", json=callback("page.children", [("url", "pathname", "/queue")]))
        assert router.status_code == 403, username
        assert act(client, cases["g01"], "reassign", grid="G02").status_code == 403, username
        assert act(client, cases["resolved"], "verify", satisfaction="satisfied").status_code == 403, username
        listing = client.post("/_dash-update-component", json=dash_body(
            ["queue-list.children", "queue-page-label.children", "queue-prev.disabled", "queue-next.disabled"],
            [("queue-f-grid", "value", None), ("queue-f-category", "value", None), ("queue-f-state", "value", []),
             ("queue-f-flags", "value", []), ("queue-page", "data", 0), ("queue-version", "data", 0)]))
        assert listing.status_code == 403 and "噪音扰民" not in listing.get_data(as_text=True)
    assert act(app.server.test_client(), cases["g01"], "reassign", grid="G02").status_code == 401
    assert {c: events(db_url, c) for c in cases.values()} == before
    assert leaders_view(db_url, ["G01"]) == [cases["g01"]]  # still where it was


# -- in Chromium --------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_in_chromium_the_secretary_filters_places_reassigns_and_verifies(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        seed_small_community(conn)
        unplaced, g01, done = work_order(conn, None, "占道经营"), work_order(conn, "G01"), resolved(conn)
    secretary = make_users(db_url)["shuji"]
    ARTIFACTS.mkdir(exist_ok=True)
    env = {"GRIDGOV_DATABASE_URL": db_url, "GRIDGOV_SECRET_KEY": session_secret()}
    with serving(env, ARTIFACTS / "serve_queue.log") as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url + "queue")
        sign_in(page, secretary)
        expect(page).to_have_url(url + "queue")
        rows = page.locator(".gg-queue-row")
        expect(rows).to_have_count(3)

        # filter: the unplaced only
        page.locator("#queue-f-flags").get_by_text("待分派（无法定位）").click()
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-case", unplaced)
        # place it by hand in 东区二网格
        pick(page, unplaced)
        choose(page, "queue-action", "派至网格")
        choose(page, "queue-grid", "东区二网格")
        page.locator("#queue-do").click()
        expect(page.locator("#queue-message")).to_have_text("已派至网格。")
        expect(rows).to_have_count(0)  # no longer waiting to be placed
        page.screenshot(path=str(ARTIFACTS / "queue_placed.png"))

        # reassign the G01 case to 东区三网格: leader1 no longer sees it
        page.locator("#queue-f-flags").get_by_text("待分派（无法定位）").click()
        expect(rows).to_have_count(3)
        assert g01 in leaders_view(db_url, ["G01"])
        pick(page, g01)
        choose(page, "queue-action", "改派")
        choose(page, "queue-grid", "东区三网格")
        page.locator("#queue-do").click()
        expect(page.locator("#queue-message")).to_have_text("已改派。")
        expect(page.locator(f".gg-queue-row[data-case='{g01}']")).to_have_attribute("data-grid", "G03")
        assert g01 not in leaders_view(db_url, ["G01"])

        # verify the resolved case with the resident's answer
        pick(page, done)
        choose(page, "queue-action", "核实")
        page.locator("#queue-satisfaction").get_by_text("基本满意").click()
        page.locator("#queue-do").click()
        expect(page.locator("#queue-message")).to_have_text("已核实。")
        expect(page.locator("#queue-detail-state")).to_have_text("已核实")
        expect(page.locator("#queue-detail .gg-queue-event[data-action=verify]")).to_contain_text("基本满意")
        page.screenshot(path=str(ARTIFACTS / "queue_verified.png"))
        assert errors == []
    with psycopg.connect(db_url) as conn:
        assert case_store.read(conn, done)[0]["satisfaction"] == "basically_satisfied"
