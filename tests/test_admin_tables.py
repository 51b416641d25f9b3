"""The tables that are data, edited on /admin and taking effect: a visit rule changes which households are due
(待访), a case deadline changes what is overdue, a unit's contact and categories change, a wall device is made
(its URL shown once) and revoked; every change audited with the admin, none possible for another role
(dashboard/admin/tables.py, units.py, devices.py; gridgov/visit_rules.py, case_deadlines.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import dash
import psycopg
import pytest
from admin_forms import press, shown_once
from auth_client import User, signed_in
from community import CLOCK
from flask.testing import FlaskClient

from gridgov import audit, case_deadlines, case_queries, case_store, units, visit_rules
from gridgov.case_queries import CaseFilter
from gridgov.case_store import Opening
from gridgov.cases import Kind, Source
from gridgov.clock import Clock

RULES = (["admin-rule-message.children", "admin-rules.children"], ("admin-rule-set", "admin-rule-remove"))
DEADLINES = (["admin-deadline-message.children", "admin-deadlines.children"],
             ("admin-deadline-set", "admin-deadline-remove"))
DEVICES = (["admin-device-message.children", "admin-devices.children", "admin-device-revoke.options"],
           ("admin-device-add", "admin-device-revoke-do"))


def _rule(client: FlaskClient, button: str, group: Any, every: Any = "month") -> Any:
    outputs, buttons = RULES
    return press(client, outputs, buttons, button, [("admin-rule-group", "value", group),
                                                     ("admin-rule-every", "value", every)])


def _deadline(client: FlaskClient, button: str, kind: Any, category: Any, respond: Any = None, resolve: Any = None) -> Any:
    outputs, buttons = DEADLINES
    return press(client, outputs, buttons, button, [
        ("admin-deadline-kind", "value", kind), ("admin-deadline-category", "value", category),
        ("admin-deadline-respond", "value", respond), ("admin-deadline-resolve", "value", resolve)])


def _device(client: FlaskClient, button: str, **state: Any) -> Any:
    outputs, buttons = DEVICES
    fields = {"admin-device-name": None, "admin-device-communities": None, "admin-device-street": None,
              "admin-device-revoke": None} | state
    return press(client, outputs, buttons, button, [(k, "value", v) for k, v in fields.items()])


def _statuses(leader: FlaskClient) -> dict[str, str]:
    answer = leader.get("/data/visits/detail.json")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return {f["properties"]["household_id"]: f["properties"]["status"] for f in answer.get_json()["features"]}


def _said(answer: Any) -> str:
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return str(answer.get_data(as_text=True))


def test_a_visit_rule_changed_on_the_web_changes_who_is_due(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    admin = signed_in(app, users["admin"])
    leader = signed_in(app, users["leader1"])
    assert "H04" not in _statuses(leader)  # 空巢老人: no rule yet, so never due
    assert "已保存：空巢老人 每周走访" in _said(_rule(admin, "admin-rule-set", "empty_nest", "week"))
    assert _statuses(leader)["H04"] in ("due", "overdue")  # 待访 from the next request on
    assert "已删除 空巢老人 的走访规则" in _said(_rule(admin, "admin-rule-remove", "empty_nest"))
    assert "H04" not in _statuses(leader)
    for group, every, said in (("nobody", "week", "no special group"), ("empty_nest", "fortnight", "period is one of"),
                               ("empty_nest", 7, "must be text")):
        answer = _said(_rule(admin, "admin-rule-set", group, every))
        assert said in answer and "gg-form-error" in answer
    assert "流动人口" in _said(_rule(admin, "admin-rule-set", "floating", "month"))
    assert "has no visit rule" in _said(_rule(admin, "admin-rule-remove", "empty_nest"))
    with psycopg.connect(db_url) as conn:
        trail = [(e.username, e.action, e.detail["group_key"]) for e in audit.recent(conn)
                 if e.action.startswith("visit_rule")][::-1]
        assert ("floating", "month", "流动人口") in [(r.group_key, r.every, r.label) for r in visit_rules.list_rules(conn)]
    assert trail == [("admin", "visit_rule_set", "empty_nest"), ("admin", "visit_rule_removed", "empty_nest"),
                     ("admin", "visit_rule_set", "floating")]


def test_a_case_deadline_changed_on_the_web_changes_what_is_overdue(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    ten_days_ago = Clock(CLOCK.zone, CLOCK.now() - timedelta(days=10))
    with psycopg.connect(db_url) as conn:
        case_id = case_store.open_case(conn, Opening(Kind.WORK_ORDER, category="噪音扰民", grid_code="G01"),
                                       source=Source.INTAKE, actor="12345", clock=ten_days_ago)

    def overdue() -> bool:
        with psycopg.connect(db_url) as conn:
            (case,) = case_queries.list_cases(conn, CaseFilter(case_id=case_id), CLOCK)
            return bool(case["overdue"])

    assert overdue()  # the work orders' default: respond within 2 hours, resolve within 5 days
    admin = signed_in(app, users["admin"])
    assert "已保存" in _said(_deadline(admin, "admin-deadline-set", "work_order", "噪音扰民", respond=24 * 30, resolve=30))
    assert not overdue()
    assert "已删除" in _said(_deadline(admin, "admin-deadline-remove", "work_order", "噪音扰民"))
    assert overdue()
    for fields, said in (
        (("work_order", "*"), "cannot be removed"), (("army", "x", 1, 1), "kind is one of"),
        (("hazard", "x", None, None), "give hours to respond"), (("hazard", "x", -1, None), "more than 0"),
        (("hazard", "x", "many", None), "must be a number"), (("hazard", "", 1, None), "1–100 characters"),
    ):
        button = "admin-deadline-remove" if said == "cannot be removed" else "admin-deadline-set"
        answer = _said(_deadline(admin, button, *fields))
        assert said in answer and "gg-form-error" in answer, said
    with psycopg.connect(db_url) as conn:
        assert [d.category for d in case_deadlines.list_deadlines(conn)] == ["*", "*", "*"]
        trail = [(e.username, e.action) for e in audit.recent(conn) if e.action.startswith("case_deadline")][::-1]
    assert trail == [("admin", "case_deadline_set"), ("admin", "case_deadline_removed")]


def test_a_units_contact_and_categories_change_on_the_web(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        units.add(conn, "物业公司", kind="property", contact="张经理 010-1", by="admin")
    buttons = ("admin-unit-add", "admin-unit-update", "admin-unit-disable-do")
    outputs = ["admin-unit-message.children", "admin-units.children", "admin-unit-disable.options"]

    def change(name: str, contact: str, categories: str) -> str:
        return _said(press(signed_in(app, users["admin"]), outputs, buttons, "admin-unit-update", [
            ("admin-unit-name", "value", name), ("admin-unit-kind", "value", None),
            ("admin-unit-contact", "value", contact), ("admin-unit-categories", "value", categories),
            ("admin-unit-ack-hours", "value", 6), ("admin-unit-disable", "value", None)]))

    assert "已修改单位 物业公司" in change("物业公司", "李经理 010-2", "环境卫生，停车管理")
    assert "no unit called" in change("不存在", "x", "")
    with psycopg.connect(db_url) as conn:
        unit = units.get(conn, "物业公司")
        assert unit is not None and (unit.kind, unit.contact, unit.categories, unit.ack_hours) == (
            "property", "李经理 010-2", ("环境卫生", "停车管理"), 6.0)
        assert [e.username for e in audit.recent(conn) if e.action == units.CHANGED] == ["admin"]


def test_a_wall_device_made_on_the_web_signs_its_screen_in_once_and_revoking_ends_it(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    admin = signed_in(app, users["admin"])
    with psycopg.connect(db_url) as conn:
        (community,) = conn.execute("SELECT DISTINCT community_name FROM grids").fetchone() or ("",)
    made = _device(admin, "admin-device-add", **{"admin-device-name": "hall-1", "admin-device-communities": [community]})
    url = shown_once(made)
    assert "/wall/device/" in url
    screen = app.server.test_client()
    assert screen.get(url.split("localhost", 1)[1]).status_code == 302  # the screen signs in to /wall
    assert screen.get("/wall").status_code == 200
    assert "已吊销大屏设备 hall-1" in _said(_device(admin, "admin-device-revoke-do", **{"admin-device-revoke": "hall-1"}))
    assert screen.get("/wall").status_code == 302  # signed out at its next request
    again = _said(_device(admin, "admin-device-add", **{"admin-device-name": "bad name!"}))
    assert "gg-form-error" in again
    with psycopg.connect(db_url) as conn:
        trail = [(e.username, e.action, e.detail.get("by")) for e in audit.recent(conn)
                 if e.action.startswith("wall_device")][::-1]
        token = conn.execute("SELECT token_hash FROM wall_devices").fetchone()
    assert trail == [("wall:hall-1", "wall_device_added", "admin"), ("wall:hall-1", "wall_device_revoked", "admin")]
    assert token is not None and url.rsplit("/", 1)[1].encode() not in bytes(token[0])


@pytest.mark.parametrize("username", ["shuji", "leader1", "guihua"])
def test_no_other_role_edits_a_table_and_nothing_changes(
    app: dash.Dash, users: dict[str, User], db_url: str, username: str
) -> None:
    client = signed_in(app, users[username])
    with psycopg.connect(db_url) as conn:
        before = (visit_rules.list_rules(conn), case_deadlines.list_deadlines(conn), conn.execute(
            "SELECT count(*) FROM wall_devices").fetchone())
    assert _rule(client, "admin-rule-set", "empty_nest", "week").status_code == 403
    assert _rule(client, "admin-rule-remove", "low_income").status_code == 403
    assert _deadline(client, "admin-deadline-set", "work_order", "*", 100, 100).status_code == 403
    assert _device(client, "admin-device-add", **{"admin-device-name": "mine"}).status_code == 403
    with psycopg.connect(db_url) as conn:
        after = (visit_rules.list_rules(conn), case_deadlines.list_deadlines(conn), conn.execute(
            "SELECT count(*) FROM wall_devices").fetchone())
        assert after == before
        assert not [e for e in audit.recent(conn) if e.action.startswith(("visit_rule", "case_deadline", "wall_device"))]
