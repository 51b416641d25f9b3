"""Issue 13's "Done when", end to end on one served app (`gridgov serve`, real PostGIS, headless Chromium): a
resident's request filed through Open311 is followed to a verified closure by the people in the loop, on a phone
and on the wall, with every step stored, scoped, audited and counted in the rates.

The community is tests/test_dashboard_wall.py's (tests/seed_sql.py's grids, and office-file work orders whose rates
are known), with case_api_server.seed_loop's deadline rule, unit (物业公司) and tokens. leader1 leads G01, leader23
G02 and G03 (tests/auth_client.py). The leader and the unit use a phone-sized page, the secretary and the wall a
desktop one. The wall's expected rates are the complaints layer's, asked of the database before and after (not
written here), and shown as the wall writes them. Every wait is on what a page shows; the clock is the suite's.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from auth_client import User, make_users, session_secret
from case_api_server import CATEGORY, UNIT, Client, seed_loop
from case_pages import add_photo, choose, pick
from community import CLOCK, LAYER_SETTINGS
from playwright.sync_api import Browser, Page, expect
from seed_sql import GRIDS, SIZE
from served_app import chromium, serving
from test_dashboard_browser import sign_in
from test_dashboard_wall import seed_wall

from dashboard.wall.numbers import RATE_DAYS
from gridgov import audit
from gridgov.access import Role
from gridgov.case_queries import MAX_PAGE, CaseFilter, list_cases
from gridgov.i18n import text
from gridgov.rls import grid_reader_transaction
from layers import community, registry
from layers.registry import Filters, Viewer

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
REFRESH_SECONDS = 3  # the wall's refresh, short for the test (GRIDGOV_WALL_REFRESH_SECONDS)
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
                         "has_touch": True}
DESK: dict[str, Any] = {"viewport": {"width": 1366, "height": 900}}
WALL: dict[str, Any] = {"viewport": {"width": 1920, "height": 1080}}
INTAKE = "token:intake-system"  # the intake token's name in events and the audit (case_api_server.seed_loop)
RATES = ("response", "resolution", "satisfaction")
WORDS = "楼上夜间装修噪音，影响休息"  # the resident's words: never shown to another grid's leader or a unit
NOT_YOURS = "没有这个案件，或它已不在您的网格内。"
# a refresh in flight when the change is stored, the one that finds the wall's data changed (the wall is built
# again in a thread meanwhile: dashboard.wall.content), and the one that shows it
REFRESHES_TO_SHOW_RATES = 3
REFRESHES_TO_DROP_A_UNIT = 2  # in flight, then the next: the case panel is read afresh (dashboard.wall.cases)

# the wall's refreshes, counted in the page: #wall-updated names the time of each
COUNT_REFRESHES = """() => {
    window.ggRefreshes = 0;
    new MutationObserver(() => { window.ggRefreshes += 1; })
        .observe(document.getElementById('wall-updated'), {childList: true, characterData: true, subtree: true});
}"""


def file_request(url: str, key: str, grid: str, order_no: str) -> str:
    """A request filed through Open311 at the middle of `grid`, as the 12345 platform files one: its case id."""
    g = next(g for g in GRIDS if g.code == grid)
    reply = Client(url).post("/open311/v2/requests.json", form={
        "api_key": key, "service_code": CATEGORY, "description": WORDS, "lat": str(g.south + SIZE / 2),
        "long": str(g.west + SIZE / 2), "attribute[order_no]": order_no,
    })
    assert reply.status == 200, reply.body
    return str(reply.body[0]["service_request_id"])


def followed(url: str, key: str, case_id: str) -> tuple[str, str]:
    """The request's status and status notes as its filer follows it (GET requests/<id>.json)."""
    shown = Client(url).get(f"/open311/v2/requests/{case_id}.json?api_key={key}").body[0]
    return shown["status"], shown["status_notes"]


def expected_rates(db_url: str) -> dict[str, tuple[str, str]]:
    """The three rates the wall must show now, from the complaints layer over the wall's window, as the wall
    writes them: each rate's value and the base it is counted over."""
    today = CLOCK.today()
    window = Filters(start=today - timedelta(days=RATE_DAYS - 1), end=today)
    with psycopg.connect(db_url) as conn:
        answer = registry.aggregate(conn, "complaints", Viewer(Role.SECRETARY), window, LAYER_SETTINGS)
    figures = community.complaints(answer, LAYER_SETTINGS)
    recent = text("wall_note_recent", "zh", days=RATE_DAYS)
    out = {}
    for key in RATES:
        rate = getattr(figures, key)
        assert rate.percent is not None, key  # the baseline has a base for each rate
        out[key] = (f"{rate.percent:.1f}%", text("wall_note_rate", "zh", window=recent, n=f"{rate.base:,}"))
    return out


def shows_rates(wall: Page, rates: dict[str, tuple[str, str]]) -> None:
    for key, (value, note) in rates.items():
        expect(wall.locator(f"[data-kpi={key}] .gg-wall-kpi-value")).to_have_text(value, timeout=30_000)
        expect(wall.locator(f"[data-kpi={key}] .gg-wall-kpi-note")).to_have_text(note)


def refreshes(wall: Page) -> int:
    return int(wall.evaluate("window.ggRefreshes"))


def stored(db_url: str, case_id: str) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str | None]]]:
    """The case's events in order (action, source, who), and its audit rows of actions (views left out) in order
    (who, what, which action)."""
    with psycopg.connect(db_url) as conn:
        events = conn.execute(
            "SELECT action, source, actor FROM case_events WHERE case_id = %s ORDER BY seq", [case_id]).fetchall()
        audited = conn.execute(
            "SELECT username, action, coalesce(detail->>'action', detail->>'what') FROM audit"
            " WHERE detail->>'case_id' = %s AND action NOT IN (%s, %s) ORDER BY id",
            [case_id, audit.VIEW_PERSONAL, audit.VIEW_DEIDENTIFIED]).fetchall()
    return [tuple(e) for e in events], [tuple(a) for a in audited]


def open_cases(db_url: str, grids: list[str]) -> set[str]:
    """The open cases a leader of `grids` has on their phone's list, asked of the database on their connection."""
    with psycopg.connect(db_url, autocommit=True) as conn, grid_reader_transaction(conn, grids):
        return {r["case_id"] for r in list_cases(conn, CaseFilter(open_only=True, limit=MAX_PAGE), CLOCK)}


def new_page(browser: Browser, errors: list[str], **context: Any) -> Page:
    """A page in a context of its own (its own cookies: a person's own device), its script errors collected."""
    page = browser.new_context(**context).new_page()
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    return page


def signed_in_page(browser: Browser, errors: list[str], url: str, user: User, **context: Any) -> Page:
    page = new_page(browser, errors, **context)
    page.goto(url)
    sign_in(page, user)
    expect(page).to_have_url(url)
    return page


def leader_opens(page: Page, url: str, case_id: str) -> None:
    """On the leader's list, tap the case."""
    page.goto(url + "cases")
    page.locator(f"li.gg-case[data-case='{case_id}'] a").click()
    expect(page.locator(f".gg-case-detail[data-case='{case_id}']")).to_be_visible()


@pytest.mark.browser
def test_a_request_filed_through_open311_is_followed_to_a_verified_closure_by_the_people_in_the_loop(
    db_url: str,
) -> None:
    seed_wall(db_url)
    with psycopg.connect(db_url) as conn:
        keys = seed_loop(conn)
    users = make_users(db_url)
    ARTIFACTS.mkdir(exist_ok=True)
    env = {"GRIDGOV_DATABASE_URL": db_url, "GRIDGOV_SECRET_KEY": session_secret(), "GRIDGOV_TILE_URL": "",
           "GRIDGOV_WALL_REFRESH_SECONDS": str(REFRESH_SECONDS)}
    with serving(env, ARTIFACTS / "serve_case_loop.log") as url, chromium() as browser:
        errors: list[str] = []
        # the wall before anything is filed: the office files' rates
        wall = new_page(browser, errors, **WALL)
        wall.goto(url + "login")
        sign_in(wall, users["shuji"])
        expect(wall).to_have_url(url + "wall")  # the secretary's landing page
        before = expected_rates(db_url)
        shows_rates(wall, before)
        wall.evaluate(COUNT_REFRESHES)

        # 1. filed through Open311 inside G01 (and one inside G02): each reaches its own grid's leader only
        case_id = file_request(url, keys["intake"], "G01", "E2E-1")
        theirs = file_request(url, keys["intake"], "G02", "E2E-2")
        assert followed(url, keys["intake"], case_id) == ("open", "assigned")
        leader = signed_in_page(browser, errors, url + "cases", users["leader1"], **PHONE)
        expect(leader.locator(f"li.gg-case[data-case='{case_id}']")).to_contain_text(CATEGORY)
        # beside it, the open office-file cases of their grid (known only from the file): none of G02's
        mine, others = open_cases(db_url, ["G01"]), open_cases(db_url, ["G02", "G03"])
        assert case_id in mine and theirs not in mine and theirs in others and case_id not in others
        expect(leader.locator("li.gg-case")).to_have_count(len(mine))
        other = signed_in_page(browser, errors, url + "cases", users["leader23"], **PHONE)
        expect(other.locator("li.gg-case")).to_have_count(len(others))
        expect(other.locator(f"li.gg-case[data-case='{theirs}']")).to_have_count(1)

        # 2. the leader opens it, responds, adds a photo from the phone's gallery and resolves it with a note
        leader.locator(f"li.gg-case[data-case='{case_id}'] a").click()
        expect(leader.locator(".gg-case-text")).to_have_text(WORDS)
        leader.locator("[data-action=respond]").click()
        expect(leader.locator("[data-state]")).to_have_attribute("data-state", "responded")
        photo_url = add_photo(leader)  # a phone's JPEG, with where and with what it was taken
        leader.locator(".gg-case-note").fill("已与施工方约定晚八点后停工")
        leader.locator("[data-action=resolve]").click()
        expect(leader.locator("[data-state]")).to_have_attribute("data-state", "resolved")
        expect(leader.locator("li.gg-event").last).to_contain_text("已与施工方约定晚八点后停工")
        leader.screenshot(path=str(ARTIFACTS / "case_loop_resolved.png"), full_page=True)

        # 3. the secretary finds it resolved in the queue and verifies it with the resident's answer
        desk = signed_in_page(browser, errors, url + "queue", users["shuji"], **DESK)
        choose(desk, "queue-f-state", "已办结")
        desk.keyboard.press("Escape")
        row = desk.locator(f".gg-queue-row[data-case='{case_id}']")
        expect(row).to_have_attribute("data-state", "resolved")
        expect(desk.locator(".gg-queue-row:not([data-state='resolved'])")).to_have_count(0)
        pick(desk, case_id)
        choose(desk, "queue-action", "核实")
        desk.locator("#queue-satisfaction").get_by_text("满意", exact=True).click()
        verified_at = refreshes(wall)
        desk.locator("#queue-do").click()
        expect(desk.locator("#queue-message")).to_have_text("已核实。")
        expect(desk.locator("#queue-detail-state")).to_have_text("已核实")
        expect(desk.locator("#queue-detail .gg-queue-event[data-action=verify]")).to_contain_text("满意")
        assert followed(url, keys["intake"], case_id) == ("closed", "verified")  # the filer sees it closed

        # 4. the wall's three rates now count it, as the definitions say, within the refreshes it takes
        after = expected_rates(db_url)
        assert all(after[key] != before[key] for key in RATES), (before, after)
        shows_rates(wall, after)
        assert refreshes(wall) - verified_at <= REFRESHES_TO_SHOW_RATES
        wall.screenshot(path=str(ARTIFACTS / "case_loop_wall_rates.png"))

        # 5. a second request, escalated by the leader: the unit's link, 报到 on a phone, gone from the wall
        called = file_request(url, keys["intake"], "G01", "E2E-3")
        leader_opens(leader, url, called)
        leader.locator(".gg-case-unit", has_text=UNIT).click()
        leader.locator(".gg-case-reason").fill("管道在物业范围，请物业到场")
        leader.locator(".gg-button-escalate").click()
        expect(leader.locator(".gg-case-message")).to_contain_text("已吹哨")
        link = leader.locator(".gg-case-message code.gg-unit-link").inner_text()
        assert link.startswith(url + "unit/")
        awaited = wall.locator(f".gg-wall-await[data-unit='{UNIT}']")
        expect(awaited).to_contain_text(f"东区一网格 · {CATEGORY}", timeout=30_000)
        unit = new_page(browser, errors, **PHONE)  # the unit has no account: the link is all it needs
        unit.goto(link)
        expect(unit.locator(".gg-unit-case")).to_contain_text("管道在物业范围，请物业到场")
        expect(unit.locator("body")).not_to_contain_text(WORDS)
        acknowledged = refreshes(wall)
        unit.locator("#unit-acknowledge").click()
        expect(unit.locator("[role=status]")).to_have_text("已报到，谢谢。")
        expect(awaited).to_have_count(0, timeout=30_000)
        assert refreshes(wall) - acknowledged <= REFRESHES_TO_DROP_A_UNIT
        unit.screenshot(path=str(ARTIFACTS / "case_loop_unit.png"))

        # 6. another grid's leader gets none of either case by any address that names it
        api = Client(url)
        csrf = api.sign_in(users["leader23"])
        for case in (case_id, called):
            shown = api.get(f"/api/v1/cases/{case}")
            assert shown.status in (403, 404) and WORDS not in str(shown.body)
            written = api.post(f"/api/v1/cases/{case}/events", body={"action": "note", "note": "看看"},
                               headers={"X-CSRF-Token": csrf})
            assert written.status in (403, 404) and WORDS not in str(written.body)
            other.goto(url + f"cases?case={case}")
            expect(other.locator(".gg-list-empty")).to_have_text(NOT_YOURS)
            assert WORDS not in other.content() and UNIT not in other.content()
        fetched = other.request.get(url + photo_url.lstrip("/"))
        assert fetched.status in (403, 404) and fetched.body()[:3] != b"\xff\xd8\xff"
        # the unit link's path: a case id there is no link, and the link holds its one case and its unit's two
        # actions, nothing else
        gone = other.goto(url + f"unit/{case_id}")
        assert gone is not None and gone.status == 404
        other.goto(link + f"?case={case_id}")
        expect(other.locator(".gg-unit-case")).to_contain_text("管道在物业范围，请物业到场")
        assert WORDS not in other.content() and "已与施工方约定" not in other.content()
        nonce = other.locator("input[name=nonce]").first.get_attribute("value")
        assert nonce
        forged = other.request.post(link, form={"nonce": nonce, "action": "resolve", "note": "办完了"})
        assert forged.status == 400
        assert errors == []

    # 7. each step is exactly the events expected, from its source, and audited
    leader1 = users["leader1"].username
    secretary = users["shuji"].username
    assert stored(db_url, case_id) == (
        [("open", "intake", INTAKE), ("assign", "intake", INTAKE), ("respond", "field", leader1),
         ("photo", "field", leader1), ("resolve", "field", leader1), ("verify", "secretary", secretary)],
        [(INTAKE, "open311_request", None), (leader1, "case_action", "respond"), (leader1, "case_action", "photo"),
         (leader1, "case_action", "resolve"), (secretary, "case_action", "verify")],
    )
    unit_name = f"unit:{UNIT}"
    assert stored(db_url, called) == (
        [("open", "intake", INTAKE), ("assign", "intake", INTAKE), ("escalate", "field", leader1),
         ("acknowledge", "unit", UNIT)],
        [(INTAKE, "open311_request", None), (leader1, "case_action", "escalate"), (unit_name, "case_link_made", None),
         (unit_name, "case_link_used", "view"), (unit_name, "case_link_used", "acknowledge"),
         (unit_name, "case_link_used", "view"),  # the page the unit is sent back to after 报到
         (unit_name, "case_link_used", "view")],  # the other leader holding the link
    )
    assert stored(db_url, theirs) == ([("open", "intake", INTAKE), ("assign", "intake", INTAKE)],
                                      [(INTAKE, "open311_request", None)])
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT state, satisfaction FROM cases WHERE case_id = %s",
                            [case_id]).fetchone() == ("verified", "satisfied")
        details: dict[str, dict[str, Any]] = dict(conn.execute(
            "SELECT action, detail FROM case_events WHERE case_id = %s AND action IN ('photo', 'resolve', 'verify')",
            [case_id]).fetchall())
    assert photo_url.endswith("/" + details["photo"]["photo_id"])  # the photo shown is the one stored
    assert details["resolve"]["note"] == "已与施工方约定晚八点后停工"
    assert details["verify"]["satisfaction"] == "satisfied"
