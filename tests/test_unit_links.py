"""A unit's single-case link (/unit/<token>, gridgov/case_links.py, dashboard/unit/page.py): it shows that one case
without the resident's words, lets the unit acknowledge (报到) and report as its own events, starts no session,
refuses forged posts, and an unknown, revoked or expired token is a 404; every use is audited. The wall's
waiting list drops a unit at the next refresh after its 报到 (in Chromium too)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import dash
import psycopg
import pytest
from auth_client import User, make_users, session_secret, signed_in
from click.testing import CliRunner
from community import CLOCK
from dash_body import dash_body
from flask.testing import FlaskClient
from playwright.sync_api import expect
from seed_sql import seed_small_community
from served_app import chromium, serving
from test_dashboard_browser import sign_in

from dashboard.wall import content
from dashboard.wall import page as wall_page
from gridgov import audit, case_links, case_store, units
from gridgov.case_store import Opening
from gridgov.cases import Event, Kind, Source
from gridgov.cli import main

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DESCRIPTION = "王小明 13800000000 反映楼下夜间施工噪音"  # the resident's words: never on a unit's page
ADDRESS = "幸福里1号楼"
REASON = "夜间施工未办许可，请城管到场"
WEEK = timedelta(days=7)


def escalated(conn: psycopg.Connection, *names: str, clock: Any = CLOCK) -> tuple[str, dict[str, str]]:
    """A work order in G01 escalated by the secretary to `names` (added as units): its id and each unit's token."""
    for name in names:
        if units.get(conn, name) is None:
            units.add(conn, name, kind="street_department", contact="李科长 010-8888", ack_hours=4, by="admin")
    case_id = case_store.open_case(
        conn, Opening(Kind.WORK_ORDER, category="噪音扰民", description=DESCRIPTION, address=ADDRESS, grid_code="G01"),
        source=Source.INTAKE, actor="12345", clock=CLOCK,
    )
    case_store.append(conn, case_id, Event("escalate", Source.SECRETARY, CLOCK.now(), "shuji",
                                           {"units": list(names), "reason": REASON}))
    return case_id, case_links.issue(conn, case_id, names, clock=clock, lifetime=WEEK, by="shuji")


def nonce_of(page: str) -> str:
    found = re.search(r'name="nonce" value="([^"]+)"', page)
    assert found, "no nonce in the form"
    return found.group(1)


def post(client: FlaskClient, token: str, action: str, note: str = "", **headers: str) -> Any:
    page = client.get(f"/unit/{token}").get_data(as_text=True)
    return client.post(f"/unit/{token}", data={"nonce": nonce_of(page), "action": action, "note": note}, headers=headers)


def test_the_link_shows_its_case_acknowledges_and_reports_without_any_session(app: dash.Dash, db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        case_id, tokens = escalated(conn, "街道城管科")
    token = tokens["街道城管科"]
    client = app.server.test_client()
    shown = client.get(f"/unit/{token}")
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200
    for fact in ("噪音扰民", ADDRESS, "东区一网格", REASON, "尚未报到"):
        assert fact in page
    assert "王小明" not in page and "13800000000" not in page  # the resident's words stay out
    assert "Set-Cookie" not in shown.headers  # no session is started, none is needed
    assert shown.headers["Referrer-Policy"] == "no-referrer" and "script-src" in shown.headers["Content-Security-Policy"]

    done = post(client, token, "acknowledge")
    assert done.status_code == 303 and "Set-Cookie" not in done.headers
    assert "已报到，谢谢" in client.get(done.headers["Location"]).get_data(as_text=True)
    assert post(client, token, "acknowledge").status_code == 303  # again: nothing more is written
    assert post(client, token, "report", "已责令停工，明早复查").status_code == 303
    empty = post(client, token, "report", "   ")
    assert empty.status_code == 400 and "请填写做了什么" in empty.get_data(as_text=True)
    with psycopg.connect(db_url) as conn:
        _, events = case_store.read(conn, case_id)
        by_unit = [(e.action, e.source, e.actor, e.detail.get("unit"), e.detail.get("note")) for e in events[-2:]]
        assert by_unit == [("acknowledge", Source.UNIT, "街道城管科", "街道城管科", None),
                           ("report", Source.UNIT, "街道城管科", "街道城管科", "已责令停工，明早复查")]
        assert [e.action for e in events].count("acknowledge") == 1
        uses = [e.detail["what"] for e in audit.recent(conn, username="unit:街道城管科") if e.action == case_links.USED]
        assert set(uses) == {"view", "acknowledge", "report"}
        assert any(e.action == case_links.MADE for e in audit.recent(conn, username="unit:街道城管科"))
    assert "已责令停工，明早复查" in client.get(f"/unit/{token}").get_data(as_text=True)


def test_forged_posts_are_refused_and_write_nothing(app: dash.Dash, db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        case_id, tokens = escalated(conn, "派出所")
    token = tokens["派出所"]
    client = app.server.test_client()
    assert client.post(f"/unit/{token}", data={"action": "acknowledge"}).status_code == 400  # no nonce
    assert client.post(f"/unit/{token}", data={"action": "acknowledge", "nonce": "forged"}).status_code == 400
    with psycopg.connect(db_url, autocommit=True) as conn:
        _, other_tokens = escalated(conn, "派出所")
    other = nonce_of(client.get(f"/unit/{other_tokens['派出所']}").get_data(as_text=True))
    assert client.post(f"/unit/{token}", data={"action": "acknowledge", "nonce": other}).status_code == 400  # another link's
    assert post(client, token, "acknowledge", **{"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert post(client, token, "resolve").status_code == 400  # a unit acknowledges and reports, nothing else
    with psycopg.connect(db_url) as conn:
        _, events = case_store.read(conn, case_id)
    assert [e.action for e in events] == ["open", "assign", "escalate"]


def test_an_unknown_revoked_or_expired_link_is_a_404_and_reaches_nothing_else(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        case_id, tokens = escalated(conn, "物业公司", "供电公司")
        _, old = escalated(conn, "燃气公司", clock=replace(CLOCK, fixed=CLOCK.now() - WEEK - timedelta(hours=1)))
        case_links.revoke(conn, case_id, "供电公司", clock=CLOCK, by="shuji")
    client = app.server.test_client()
    for token in ("nope", "x" * 500, old["燃气公司"], tokens["供电公司"]):
        gone = client.get(f"/unit/{token}")
        assert gone.status_code == 404 and "此链接无效、已过期或已被撤销" in gone.get_data(as_text=True), token
        refused = client.post(f"/unit/{token}", data={"action": "acknowledge", "nonce": "x"})
        assert refused.status_code == 404
    # the live link is no sign-in: every other page still wants one
    live = tokens["物业公司"]
    assert client.get(f"/unit/{live}").status_code == 200
    for path in ("/queue", "/wall", "/cases"):
        assert client.get(path).status_code == 302  # to the sign-in page
    assert client.get(f"/unit/{live}/../queue").status_code in (302, 404)
    with psycopg.connect(db_url) as conn:
        refusals = [e for e in audit.recent(conn, username="unit:") if e.action == case_links.REFUSED]
        assert len(refusals) == 8
        _, events = case_store.read(conn, case_id)
        assert [e.action for e in events] == ["open", "assign", "escalate"]


def test_the_command_line_revokes_a_units_link_at_once(app: dash.Dash, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        case_id, tokens = escalated(conn, "物业公司")
    client = app.server.test_client()
    assert client.get(f"/unit/{tokens['物业公司']}").status_code == 200
    monkeypatch.setenv("GRIDGOV_DATABASE_URL", db_url)
    done = CliRunner().invoke(main, ["unit", "revoke-link", case_id, "物业公司"])
    assert done.exit_code == 0, done.output
    assert client.get(f"/unit/{tokens['物业公司']}").status_code == 404
    again = CliRunner().invoke(main, ["unit", "revoke-link", case_id, "物业公司"])
    assert again.exit_code != 0 and "already" in again.output
    with psycopg.connect(db_url) as conn:
        trail = [e.action for e in audit.recent(conn, username="unit:物业公司")]
        assert trail == [case_links.REVOKED, case_links.USED, case_links.MADE]


def wall_waiting(client: FlaskClient) -> list[str]:
    """The units the wall's case panel lists as awaited, after one refresh."""
    outputs = [f"{i}.{p}" for i, p in (*content.FILLED, wall_page.FAILED)]
    body = dash_body(outputs, [("wall-refresh", "n_intervals", 1), ("wall-rotate", "n_intervals", 0)],
                     [("wall-map-key", "data", None)])
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    return re.findall(r'"data-unit": ?"([^"]+)"', response.get_data(as_text=True))


def test_the_walls_waiting_list_drops_a_unit_at_the_refresh_after_its_acknowledgement(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        _, tokens = escalated(conn, "街道城管科", "派出所")
    secretary = signed_in(app, users["shuji"])
    assert wall_waiting(secretary) == ["派出所", "街道城管科"]
    post(app.server.test_client(), tokens["派出所"], "acknowledge")
    assert wall_waiting(secretary) == ["街道城管科"]


@pytest.mark.browser
def test_in_chromium_a_unit_acknowledges_and_the_wall_drops_it_at_the_next_refresh(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        seed_small_community(conn)
        _, tokens = escalated(conn, "街道城管科")
        _, old = escalated(conn, "燃气公司", clock=replace(CLOCK, fixed=CLOCK.now() - WEEK - timedelta(hours=1)))
    secretary = make_users(db_url)["shuji"]
    ARTIFACTS.mkdir(exist_ok=True)
    env = {"GRIDGOV_DATABASE_URL": db_url, "GRIDGOV_SECRET_KEY": session_secret(), "GRIDGOV_WALL_REFRESH_SECONDS": "2"}
    with serving(env, ARTIFACTS / "serve_unit_links.log") as url, chromium() as browser:
        wall = browser.new_page(viewport={"width": 1920, "height": 1080})
        wall.goto(url + "login")
        sign_in(wall, secretary)
        expect(wall).to_have_url(url + "wall")
        awaited = wall.locator(".gg-wall-await[data-unit]")
        expect(awaited).to_have_count(2)
        expect(wall.locator("[data-unit='街道城管科']")).to_contain_text("已等")
        wall.screenshot(path=str(ARTIFACTS / "wall_cases_waiting.png"))

        phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()  # the unit: no account
        phone.goto(url + "unit/" + tokens["街道城管科"])
        expect(phone.locator(".gg-unit-case")).to_contain_text(REASON)
        phone.locator("#unit-acknowledge").click()
        expect(phone.locator("[role=status]")).to_have_text("已报到，谢谢。")
        expect(phone.locator(".gg-unit-ack")).to_have_attribute("data-acknowledged", "yes")
        phone.screenshot(path=str(ARTIFACTS / "unit_acknowledged.png"))
        assert phone.context.cookies() == []  # the link started no session

        expect(wall.locator("[data-unit='街道城管科']")).to_have_count(0, timeout=15_000)  # the next refresh
        expect(awaited).to_have_count(1)  # the expired link's unit is still awaited: it cannot acknowledge
        expired = phone.goto(url + "unit/" + old["燃气公司"])
        assert expired is not None and expired.status == 404
        expect(phone.locator(".gg-message")).to_have_text("此链接无效、已过期或已被撤销。请联系派单的社区。")
