"""The grid leader's cases on the phone (/cases) through the real endpoints on a real PostGIS, and in a phone-sized
Chromium: the list most urgent first, respond → photo → resolve with the history, raising a case on the map, and
nothing of another grid's case for anyone but its own leader (crafted callbacks and URLs get a 404, write nothing).

The community is tests/seed_sql.py's: leader1 leads G01, leader23 G02 and G03.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import dash
import psycopg
import pytest
from auth_client import User, make_users, session_secret, signed_in
from case_pages import add_photo
from community import CLOCK
from flask.testing import FlaskClient
from photo_samples import metadata, phone_jpeg
from playwright.sync_api import Page, expect
from seed_sql import GRIDS, SIZE, seed_small_community
from served_app import chromium, serving

from gridgov import audit, case_links, case_store
from gridgov.case_field import CASE_ACTION
from gridgov.case_store import Opening
from gridgov.cases import Kind, Source

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
UPDATE = "/_dash-update-component"
G01 = next(g for g in GRIDS if g.code == "G01")
INSIDE_G01 = {"lon": G01.west + SIZE / 2, "lat": G01.south + SIZE / 2}


def opened(db_url: str, grid: str, days_ago: float, kind: Kind = Kind.WORK_ORDER, category: str = "噪音扰民") -> str:
    """A case received `days_ago` in `grid` (a work order from the intake API, else raised in the field)."""
    clock = replace(CLOCK, fixed=CLOCK.now() - timedelta(days=days_ago))
    with psycopg.connect(db_url, autocommit=True) as conn:
        return case_store.open_case(
            conn, Opening(kind, category=category, description=f"{category} {grid}", address=f"{grid} 1号楼", grid_code=grid),
            source=Source.INTAKE if kind is Kind.WORK_ORDER else Source.FIELD, actor="12345", clock=clock,
        )


def callback(app: dash.Dash, output: str, inputs: list[dict[str, Any]], state: list[dict[str, Any]],
             changed: str) -> dict[str, Any]:
    """The body Dash's renderer POSTs for the callback whose output names `output`."""
    key = next(k for k in app.callback_map if output in k)
    outputs = key.strip(".").split("...") if key.startswith("..") else [key]
    specs = [dict(zip(("id", "property"), o.rsplit(".", 1), strict=True)) for o in outputs]
    return {"output": key, "outputs": specs if len(specs) > 1 else specs[0], "inputs": inputs, "state": state,
            "changedPropIds": [changed]}


def prop(id_: Any, name: str, value: Any) -> dict[str, Any]:
    return {"id": id_, "property": name, "value": value}


def show_call(app: dash.Dash, search: str) -> dict[str, Any]:
    return callback(app, "cases-body.children", [prop("cases-url", "search", search), prop("cases-version", "data", "")],
                    [], "cases-url.search")


def act_call(app: dash.Dash, case_id: str, action: str, note: str = "", units: list[str] | None = None,
             reason: str = "") -> dict[str, Any]:
    pressed = {"action": action, "type": "case-act"}
    return callback(
        app, "cases-version.data",
        [[prop(pressed, "n_clicks", 1)]],
        [[prop({"type": f"case-{name}", "case": case_id}, key, value)]
         for name, key, value in (("current", "data", case_id), ("note", "value", note), ("units", "value", units or []),
                                  ("reason", "value", reason))],
        json.dumps(pressed, separators=(",", ":"), sort_keys=True) + ".n_clicks",
    )


def raise_post(app: dash.Dash, client: FlaskClient, point: Any, category: str = "占道经营",
               description: str = "人行道上摆摊", photos: list[tuple[str, bytes]] | None = None,
               csrf: str | None = None) -> Any:
    """上报 as the form's script sends it (assets/cases.js): the fields, the point and the photos chosen, in one
    multipart request with the CSRF token of the form the leader was shown."""
    token = csrf if csrf is not None else _csrf(post(client, show_call(app, "?raise=1")))
    fields: dict[str, Any] = {"csrf_token": token, "category": category, "address": "", "description": description}
    if point is not None:
        fields |= {"lon": str(point["lon"]), "lat": str(point["lat"])}
    fields["photo"] = [(io.BytesIO(data), name) for name, data in photos or []]
    return client.post("/data/cases/raise", data=fields, content_type="multipart/form-data")


def post(client: FlaskClient, body: dict[str, Any], status: int = 200) -> str:
    """The callback's answer as text (what reaches the browser)."""
    response = client.post(UPDATE, json=body)
    assert response.status_code == status, response.get_data(as_text=True)[-600:]
    return response.get_data(as_text=True)


def state_and_events(db_url: str, case_id: str) -> tuple[str, list[tuple[str, str, str]]]:
    with psycopg.connect(db_url) as conn:
        row = conn.execute("SELECT state FROM cases WHERE case_id = %s", [case_id]).fetchone()
        assert row is not None
        return row[0], [(e.action, e.source.value, e.actor) for e in case_store.events_of(conn, case_id)]


def audited(db_url: str) -> list[tuple[str, str, str]]:
    with psycopg.connect(db_url) as conn:
        rows = audit.recent(conn, limit=100)
    return [(e.username, e.detail["case_id"], e.detail["action"]) for e in reversed(rows) if e.action == CASE_ACTION]


def test_a_leader_lists_their_grids_open_cases_overdue_first_and_nothing_of_other_grids(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    fresh = opened(db_url, "G01", 0.01)  # to be answered within 2 hours: not yet late
    late = opened(db_url, "G01", 6)  # no answer for 6 days: overdue
    calm = opened(db_url, "G01", 1, Kind.RAISED, "占道经营")  # 7 days to resolve
    theirs = opened(db_url, "G02", 6)
    listed = post(signed_in(app, users["leader1"]), show_call(app, ""))
    order = re.findall(r'"data-case":\s*"(K[0-9a-f]+)"', listed)
    assert order == [late, fresh, calm]
    assert theirs not in listed and "G02" not in listed
    assert re.search(r'"data-overdue":\s*"1"', listed) and "已逾期" in listed and "6天" in listed
    assert "占道经营" in listed and "G01 1号楼" in listed
    their_list = post(signed_in(app, users["leader23"]), show_call(app, ""))
    assert theirs in their_list and late not in their_list


def test_respond_then_resolve_with_a_note_each_one_event_audited(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    case_id = opened(db_url, "G01", 0.5)
    client = signed_in(app, users["leader1"])
    view = post(client, show_call(app, f"?case={case_id}"))
    assert "响应" in view and "办结" in view and "吹哨" in view and "立案" in view
    assert "已响应。" in post(client, act_call(app, case_id, "respond"))
    assert "需要填写说明" in post(client, act_call(app, case_id, "resolve"))  # 办结 needs a note: said, not written
    assert "已办结" in post(client, act_call(app, case_id, "resolve", note="已协调施工方停工"))
    state, events = state_and_events(db_url, case_id)
    assert state == "resolved"
    assert events[-2:] == [("respond", "field", "leader1"), ("resolve", "field", "leader1")]
    assert audited(db_url) == [("leader1", case_id, "respond"), ("leader1", case_id, "resolve")]
    # once resolved, responding again is refused in words naming what is still possible
    refused = post(client, act_call(app, case_id, "respond"))
    assert "现在不能响应" in refused and "备注" in refused
    history = post(client, show_call(app, f"?case={case_id}"))
    assert "已协调施工方停工" in history and "leader1（网格员）" in history and "12345（接诉平台）" in history


def test_escalating_names_units_that_take_the_category_and_a_reason(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        conn.execute("INSERT INTO units (name, kind, contact, categories) VALUES ('城管中队', 'street_department',"
                     " '王队 13800000000', '{占道经营}'), ('供电所', 'utility', NULL, '{停电}')")
    case_id = opened(db_url, "G01", 1, Kind.RAISED, "占道经营")
    client = signed_in(app, users["leader1"])
    view = post(client, show_call(app, f"?case={case_id}"))
    assert "城管中队" in view and "供电所" not in view
    assert "至少一个单位" in post(client, act_call(app, case_id, "escalate", units=["城管中队"]))
    escalated = post(client, act_call(app, case_id, "escalate", units=["城管中队"], reason="需执法"))
    assert "已吹哨" in escalated
    # the unit's link, shown to the leader this once (Dash escapes '/' in its JSON: read it back first)
    link = re.search(r"/unit/([A-Za-z0-9_-]+)", json.dumps(json.loads(escalated), ensure_ascii=False))
    assert link is not None
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT unit, reason FROM case_escalations").fetchall() == [("城管中队", "需执法")]
        assert case_links.by_token(conn, link.group(1), clock=CLOCK) is not None
    assert "待报到 1 个单位" in post(client, show_call(app, ""))


def test_a_crafted_callback_for_another_grids_case_gets_nothing_and_writes_nothing(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    theirs = opened(db_url, "G02", 1)
    client = signed_in(app, users["leader1"])
    for action, note in (("respond", ""), ("resolve", "办好了"), ("note", "看看")):
        answer = post(client, act_call(app, theirs, action, note=note), status=404)
        assert theirs not in answer and "G02" not in answer
    shown = post(client, show_call(app, f"?case={theirs}"))
    assert "没有这个案件" in shown and "噪音扰民" not in shown and "G02" not in shown
    assert state_and_events(db_url, theirs) == ("assigned", [("open", "intake", "12345"), ("assign", "intake", "12345")])
    assert audited(db_url) == []
    post(client, act_call(app, "not a case id!", "respond"), status=400)
    post(signed_in(app, users["shuji"]), act_call(app, theirs, "respond"), status=403)  # the secretary has /queue


def _csrf(view: str) -> str:
    found = re.search(r'"data-csrf":\s*"([^"]+)"', view)
    assert found
    return found.group(1)


def test_a_photo_is_stored_stripped_and_served_only_to_who_may_see_the_case(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    case_id = opened(db_url, "G01", 1)
    leader = signed_in(app, users["leader1"])
    token = _csrf(post(leader, show_call(app, f"?case={case_id}")))
    url = f"/data/cases/{case_id}/photos"

    def send(client: FlaskClient, data: bytes, name: str = "IMG_0001.jpg", csrf: str = token) -> Any:
        return client.post(url, data={"csrf_token": csrf, "photo": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")

    assert send(leader, phone_jpeg(), csrf="wrong").status_code == 403
    refused = send(leader, b"GIF89a" + b"\0" * 64, name="photo.jpg")  # the name says JPEG, the bytes do not
    assert refused.status_code == 400 and refused.get_json()["message"] == "只能上传 JPEG 或 PNG 照片。"
    big = send(leader, b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024))
    assert big.status_code == 400 and "10 MB" in big.get_json()["message"]
    saved = send(leader, phone_jpeg())
    assert saved.status_code == 200, saved.get_data(as_text=True)
    photo_id = saved.get_json()["photo_id"]
    served = leader.get(f"/data/cases/photo/{photo_id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Cache-Control"] == "private, no-store"
    tags, _ = metadata(served.data)
    assert tags == {} and b"PhoneMaker" not in served.data and b"Model X 12" not in served.data
    assert signed_in(app, users["shuji"]).get(f"/data/cases/photo/{photo_id}").status_code == 200
    for other in ("leader23", "guihua"):
        answer = signed_in(app, users[other]).get(f"/data/cases/photo/{photo_id}")
        assert answer.status_code == 404 and answer.data[:3] != b"\xff\xd8\xff", other
    assert signed_in(app, users["admin"]).get(f"/data/cases/photo/{photo_id}").status_code in (403, 404)
    # another grid's leader cannot add one either
    other = signed_in(app, users["leader23"])
    assert other.post(url, data={"csrf_token": "x"}, content_type="multipart/form-data").status_code == 403
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT count(*) FROM case_photos").fetchone() == (1,)
    assert state_and_events(db_url, case_id)[1][-1] == ("photo", "field", "leader1")
    assert f"photo\\u002f{photo_id}" in post(leader, show_call(app, f"?case={case_id}"))  # in its history, shown
    assert audited(db_url) == [("leader1", case_id, "photo")]
    with psycopg.connect(db_url) as conn:  # each photo shown is a view of personal data: who, which case, which
        views = [(e.username, e.detail["case_id"], e.detail["photo_id"]) for e in audit.recent(conn, limit=100)
                 if e.action == audit.VIEW_PERSONAL and "photo_id" in e.detail]
    assert sorted(views) == [("leader1", case_id, photo_id), ("shuji", case_id, photo_id)]  # not the refused


def test_raising_a_case_places_it_in_the_leaders_grid_and_refuses_a_point_outside(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    client = signed_in(app, users["leader1"])
    outside = raise_post(app, client, {"lon": INSIDE_G01["lon"] + SIZE, "lat": INSIDE_G01["lat"]})  # in G02
    assert "不在您负责的网格内" in outside.get_json()["message"]
    assert "请填写情况描述" in raise_post(app, client, INSIDE_G01, description=" ").get_json()["message"]
    answer = raise_post(app, client, INSIDE_G01).get_json()["search"]
    case_id = re.search(r"\?case=(K[0-9a-f]+)&notice=raised", answer)
    assert case_id, answer
    with psycopg.connect(db_url) as conn:
        row = conn.execute("SELECT kind, grid_code, state, category FROM cases WHERE case_id = %s", [case_id.group(1)]).fetchone()
        assert row == ("raised", "G01", "assigned", "占道经营")
        assert conn.execute("SELECT count(*) FROM cases").fetchone() == (1,)
    assert state_and_events(db_url, case_id.group(1))[1] == [("open", "field", "leader1")]
    assert audited(db_url) == [("leader1", case_id.group(1), "open")]


def sign_in_on(page: Page, address: str, user: User) -> None:
    """Open `address` and sign in on the form it leads to."""
    page.goto(address)
    for name, value in (("username", user.username), ("password", user.password)):
        page.locator(f"input[name={name}]").fill(value)
    page.locator("button[type=submit]").click()


@pytest.mark.browser
def test_a_leader_works_a_case_on_a_phone_and_another_leader_sees_none_of_it(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
    users = make_users(db_url)
    late = opened(db_url, "G01", 6)
    case_id = opened(db_url, "G01", 0.05, category="楼道堆物")
    theirs = opened(db_url, "G02", 1, category="井盖缺失")
    ARTIFACTS.mkdir(exist_ok=True)
    env = {"GRIDGOV_DATABASE_URL": db_url, "GRIDGOV_SECRET_KEY": session_secret(), "GRIDGOV_TILE_URL": ""}
    with serving(env, ARTIFACTS / "serve_cases.log") as url, chromium() as browser:
        context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                      has_touch=True, permissions=["geolocation"],
                                      geolocation={"latitude": INSIDE_G01["lat"], "longitude": INSIDE_G01["lon"]})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        sign_in_on(page, url + "cases", users["leader1"])
        expect(page).to_have_url(url + "cases")
        expect(page.locator("header h1")).to_have_text("我的案件")
        rows = page.locator("li.gg-case")
        expect(rows).to_have_count(2)
        expect(rows.first).to_have_attribute("data-case", late)  # overdue first
        expect(rows.first).to_contain_text("已逾期")
        page.screenshot(path=str(ARTIFACTS / "cases_phone_list.png"))

        # three taps: the case, 响应, 办结 (with its note); a photo on the way
        page.locator(f"li[data-case={case_id}] a").click()
        expect(page.locator(".gg-case-name")).to_have_text("楼道堆物")
        page.locator("[data-action=respond]").click()
        expect(page.locator(".gg-case-message")).to_have_text("已响应。")
        expect(page.locator("[data-state]")).to_have_attribute("data-state", "responded")
        photo_url = add_photo(page)
        page.locator(".gg-case-note").fill("已清理楼道")
        page.locator("[data-action=resolve]").click()
        expect(page.locator("[data-state]")).to_have_attribute("data-state", "resolved")
        history = page.locator("li.gg-event")
        expect(history).to_have_count(5)
        assert [history.nth(i).get_attribute("data-action") for i in range(5)] == [
            "open", "assign", "respond", "photo", "resolve"]
        expect(history.nth(4)).to_contain_text("已清理楼道")
        expect(history.nth(4)).to_contain_text("leader1（网格员）")
        page.screenshot(path=str(ARTIFACTS / "cases_phone_resolved.png"), full_page=True)
        small = page.evaluate(
            "() => [...document.querySelectorAll('.gg-cases-page button, .gg-cases-page a')]"
            ".filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44).map(e => e.outerHTML)")
        assert small == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        # raise a case: tap the map (no tiles: the grids are drawn as vectors), describe it, report it
        page.locator(".gg-case-back").click()
        page.locator(".gg-case-raise").click()
        page.locator("#raise-category").fill("占道经营")
        page.locator("#raise-locate").click()  # the phone's position
        expect(page.locator("#raise-where")).to_have_text(f"已选位置 {INSIDE_G01['lat']:.5f}, {INSIDE_G01['lon']:.5f}")
        box = page.locator("#raise-map").bounding_box()
        assert box
        # or a tap on the map, a little off its middle (it is fitted to G01, so still in G01)
        page.locator("#raise-map").click(position={"x": box["width"] / 2 + 40, "y": box["height"] / 2 + 30})
        expect(page.locator("#raise-where")).not_to_have_text(f"已选位置 {INSIDE_G01['lat']:.5f}, {INSIDE_G01['lon']:.5f}")
        page.locator("#raise-description").fill("人行道上摆摊")
        page.locator("#raise-save").click()
        expect(page.locator(".gg-case-message")).to_have_text("已上报，可继续添加照片。")
        expect(page.locator(".gg-case-name")).to_have_text("占道经营")
        page.screenshot(path=str(ARTIFACTS / "cases_phone_raised.png"))
        assert errors == []  # a CSP violation would be one

        # another grid's leader: none of it in the list, and the case's view and photo are refused
        other = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
        sign_in_on(other, url + "cases", users["leader23"])
        expect(other.locator("li.gg-case")).to_have_count(1)
        expect(other.locator("li.gg-case")).to_have_attribute("data-case", theirs)
        other.goto(url + f"cases?case={case_id}")
        expect(other.locator(".gg-list-empty")).to_have_text("没有这个案件，或它已不在您的网格内。")
        assert photo_url and other.request.get(url + photo_url.lstrip("/")).status == 404
        assert case_id not in other.content() and "楼道堆物" not in other.content()
