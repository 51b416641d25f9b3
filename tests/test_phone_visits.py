"""The grid leader's visits on a phone: a visit from the household's row, the list longest-unvisited first, one
meaning of 待访 for the tile and the filter, and undoing one's own visit within 24 hours (an event, audited).

The community is tests/test_dashboard_grid.py's, with more households of G01 due visits (tests/seed_sql.py:
H01, H02, H03 and H05 live in G01, H06 in G02), and their last visits spread out so the list has an order:
H03 never visited, H01 100 days ago, H02 last period (both overdue or due), H05 earlier this period
(visited). The clock is the suite's pinned community clock; a later one is another app (or server) started
with `now` moved, as the suite moves time everywhere. Crafted requests are what a curious grid leader could
send to /_dash-update-component by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import dash
import psycopg
import pytest
from auth_client import User, make_users, running_app, signed_in
from community import CLOCK
from playwright.sync_api import expect
from psycopg.types.json import Jsonb
from served_app import chromium, serving
from test_dashboard_grid import (
    OTHERS,
    PHONE,
    UPDATE,
    ZONE,
    act_call,
    answer,
    counters,
    events,
    items,
    save_call,
    seed_grid_work,
    serve_env,
    sign_in_to_grid,
    texts,
    undo_call,
    visits_call,
)

from gridgov.rls import grid_reader_transaction

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TODAY = CLOCK.today()
ORDER = ["H03", "H01", "H02", "H05"]  # longest without a visit first, never visited first of all
FILTERS = ("not_yet_visited", "overdue", "visited", "due")


def seed_phone_visits(db_url: str) -> None:
    """tests/test_dashboard_grid.py's community, with H03 and H05 due visits too and the visits above."""
    seed_grid_work(db_url)
    with psycopg.connect(db_url) as conn:
        conn.execute("UPDATE households SET groups = '{disabled}', head_name = '孙三' WHERE household_id = 'H03'")
        conn.execute("UPDATE households SET groups = '{low_income}', head_name = '钱五' WHERE household_id = 'H05'")
        run = conn.execute("SELECT min(id) FROM load_runs").fetchone()
        assert run is not None
        for visit, household, day in (("V-H01", "H01", TODAY - timedelta(days=100)), ("V-H05", "H05", TODAY.replace(day=2))):
            conn.execute(
                "INSERT INTO visits (visit_id, household_id, visited_at, visitor, grid_code, load_run_id, source_row)"
                " VALUES (%s, %s, %s, '网格员1', 'G01', %s, 1)",
                [visit, household, datetime.combine(day, time(10), tzinfo=ZONE), run[0]],
            )


@pytest.fixture
def app(db_url: str) -> Iterator[dash.Dash]:
    seed_phone_visits(db_url)
    with running_app(db_url) as built:
        yield built


def listed(client: Any, shown: str = "due") -> list[tuple[str, str]]:
    """The visits list's rows (household, status) in the order shown, for the filter `shown`."""
    tree = answer(client, visits_call(statuses=shown))["visit-list"]["children"]
    return [(h, p["data-status"]) for h, p in items(tree, "household").items()]


def buttons(tree: Any) -> list[Any]:
    """The ids of the buttons in a Dash component tree."""
    found: list[Any] = []
    if isinstance(tree, dict):
        props = tree.get("props", {})
        if tree.get("type") == "Button":
            found.append(props.get("id"))
        found.extend(buttons(props.get("children")))
    elif isinstance(tree, list):
        for item in tree:
            found.extend(buttons(item))
    return found


def undo_rows(db_url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(db_url) as conn:
        return conn.execute("SELECT visit_id, grid_code, undone_by FROM visit_undos ORDER BY undone_at").fetchall()


def test_the_list_puts_the_longest_unvisited_first_and_each_row_records_its_own_visit(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    client = signed_in(app, users["leader1"])
    assert listed(client) == [("H03", "overdue"), ("H01", "overdue"), ("H02", "due"), ("H05", "visited")]
    # 待访 by default: the households still to visit, in the same order, each with its own record button
    todo = answer(client, visits_call(statuses=None))["visit-list"]["children"]
    assert list(items(todo, "household")) == ["H03", "H01", "H02"]
    assert buttons(todo) == [{"type": "visit-open", "household": h} for h in ("H03", "H01", "H02")]

    # the row's button opens the form with its household picked: no scrolling back to a dropdown
    row = {"type": "visit-open", "household": "H01"}
    opened = answer(client, act_call(row, rows=("H03", "H01", "H02")))
    assert opened["visit-sheet"]["className"] == "gg-sheet gg-sheet-open"
    assert opened["visit-household"]["value"] == "H01" and opened["visit-error"]["children"] == ""
    cancelled = answer(client, act_call("visit-cancel"))
    assert cancelled["visit-sheet"]["className"] == "gg-sheet"
    # a button drawn again (n_clicks None) is no tap: nothing happens
    assert client.post(UPDATE, json=act_call(row, rows=("H01",), clicks=0)).status_code == 204

    saved = answer(client, save_call("H01", TODAY.isoformat(), "老人身体良好"))
    assert saved["visit-sheet"]["className"] == "gg-sheet"
    assert texts(saved["visit-message"]["children"])[0] == f"已记录 H01 张一 于 {TODAY.isoformat()} 的走访。"
    # H01, visited now, moves to the end; the others keep their order
    assert [h for h, _ in listed(client)] == ["H03", "H02", "H05", "H01"]


def test_the_tile_of_each_visit_count_is_the_number_of_rows_its_filter_shows(
    app: dash.Dash, users: dict[str, User]
) -> None:
    client = signed_in(app, users["leader1"])

    def agree() -> dict[str, int]:
        tiles = counters(client)
        for shown in FILTERS:
            response = answer(client, visits_call(statuses=shown))
            rows = items(response["visit-list"]["children"], "household")
            labels = {o["value"]: o["label"] for o in response["visit-status"]["options"]}
            assert len(rows) == tiles[shown], shown  # 待访's tile is the number of rows 待访 shows, and so on
            assert labels[shown].endswith(f" {tiles[shown]}"), labels
        return {shown: tiles[shown] for shown in FILTERS}

    assert agree() == {"not_yet_visited": 3, "overdue": 2, "visited": 1, "due": 4}
    answer(client, save_call("H03", TODAY.isoformat()))
    assert agree() == {"not_yet_visited": 2, "overdue": 1, "visited": 2, "due": 4}
    # the 待访 tile's tap shows 待访
    tile = {"type": "visit-tile", "filter": "not_yet_visited"}
    request = {
        "output": "visit-status.value", "outputs": {"id": "visit-status", "property": "value"},
        "inputs": [[{"id": {"type": "visit-tile", "filter": f}, "property": "n_clicks", "value": 1 if f == tile["filter"] else 0}
                    for f in FILTERS]],
        "changedPropIds": ['{"filter":"not_yet_visited","type":"visit-tile"}.n_clicks'], "state": [],
    }
    assert answer(client, request)["visit-status"]["value"] == "not_yet_visited"


def test_a_leader_undoes_their_own_visit_within_24_hours_and_it_is_kept_and_audited(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    client = signed_in(app, users["leader1"])
    before = counters(client)
    saved = answer(client, save_call("H01", TODAY.isoformat(), "走访"))
    visit_id = saved["grid-version"]["data"]
    # the message offers the undo, and so does the row (under 已访)
    assert {"type": "visit-undo", "visit": visit_id, "place": "message"} in buttons(saved["visit-message"]["children"])
    visited = answer(client, visits_call(statuses="visited"))["visit-list"]["children"]
    assert {"type": "visit-undo", "visit": visit_id, "place": "row"} in buttons(visited)
    assert counters(client)["visited"] == before["visited"] + 1

    undone = answer(client, undo_call(visit_id))
    assert texts(undone["visit-message"]["children"]) == [f"已撤销 H01 张一 于 {TODAY.isoformat()} 的走访。"]
    assert undone["grid-version"]["data"] == f"undo:{visit_id}"
    assert counters(client) == before  # the numbers and the list are as before the visit
    assert dict(listed(client))["H01"] == "overdue"
    # nothing is lost: the visit stays, the undo is a row of its own, and the audit says who undid which visit
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT visitor FROM visits WHERE visit_id = %s", [visit_id]).fetchone() == ("leader1",)
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("DELETE FROM visit_undos")
    assert undo_rows(db_url) == [(visit_id, "G01", "leader1")]
    (event,) = events(db_url, "undo_visit")
    assert event.username == "leader1" and event.detail["visit_id"] == visit_id and event.detail["household_id"] == "H01"
    assert event.detail["grid"] == "G01"
    # once is enough
    again = answer(client, undo_call(visit_id, "message"))
    assert texts(again["visit-message"]["children"]) == ["这条走访已经撤销。"] and "grid-version" not in again

    # 23 hours on, the leader's next visit can still be undone; 24 hours on it cannot, with the reason
    second = answer(client, save_call("H02", TODAY.isoformat()))["grid-version"]["data"]
    recorded = CLOCK.now()
    with running_app(db_url, now=(recorded + timedelta(hours=23, minutes=59)).replace(tzinfo=None)) as later:
        late_client = signed_in(later, users["leader1"])
        assert {"type": "visit-undo", "visit": second, "place": "row"} in buttons(
            answer(late_client, visits_call(statuses="due"))["visit-list"]["children"])
    with running_app(db_url, now=(recorded + timedelta(hours=24)).replace(tzinfo=None)) as later:
        late_client = signed_in(later, users["leader1"])
        assert not [b for b in buttons(answer(late_client, visits_call(statuses="due"))["visit-list"]["children"])
                    if b["type"] == "visit-undo"]
        refused = answer(late_client, undo_call(second))
        assert texts(refused["visit-message"]["children"]) == [
            f"这条走访记录于 {recorded:%Y-%m-%d %H:%M}，已超过 24 小时，不能再撤销。"
        ]
        assert "grid-version" not in refused
    assert undo_rows(db_url) == [(visit_id, "G01", "leader1")]
    assert len(events(db_url, "undo_visit")) == 1


def test_a_crafted_undo_of_another_leaders_or_another_grids_visit_is_refused(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    leader1 = signed_in(app, users["leader1"])
    mine = answer(leader1, save_call("H01", TODAY.isoformat()))["grid-version"]["data"]
    # a visit to H02 recorded on the dashboard a moment ago by another leader of G01
    with psycopg.connect(db_url) as conn:
        conn.execute(
            "INSERT INTO visits (visit_id, household_id, visited_at, visitor, grid_code, extra, load_run_id, source_row)"
            " VALUES ('W-other', 'H02', %s, 'leader9', 'G01', %s, dashboard_visit_run('leader9', repeat('b', 64)), 1)",
            [CLOCK.now(), Jsonb({"recorded_via": "dashboard", "recorded_at": CLOCK.now().isoformat()})],
        )

    def refusal(client: Any, visit: Any) -> str:
        response = answer(client, undo_call(visit))
        assert "grid-version" not in response  # nothing undone, nothing to refresh
        (words,) = texts(response["visit-message"]["children"])
        return words

    assert refusal(leader1, "W-other") == "这条走访不是您记录的，只能撤销您本人记录的走访。"
    assert refusal(leader1, "V-H02") == "这条走访来自导入的文件，不能在这里撤销。"
    assert refusal(leader1, "W-nothing") == "找不到这条走访，或它不在您负责的网格内，无法撤销。"
    # the leader of G02 and G03 cannot reach G01's visit: the same answer as for no visit at all, nothing of it sent
    other = signed_in(app, users["leader23"])
    response = other.post(UPDATE, json=undo_call(mine))
    assert response.status_code == 200 and "找不到这条走访" in response.get_data(as_text=True)
    assert not [w for w in ("H01", "张一", "G01") if w in response.get_data(as_text=True)]
    # other roles have no such callback's page at all; nobody signed in is a 401; a malformed id a 400
    for name in ("shuji", "guihua", "admin"):
        assert signed_in(app, users[name]).post(UPDATE, json=undo_call(mine)).status_code == 403, name
    assert app.server.test_client().post(UPDATE, json=undo_call(mine)).status_code == 401
    for bad in (undo_call(["W1"]), undo_call(""), undo_call("W" * 101), undo_call(12)):
        assert leader1.post(UPDATE, json=bad).status_code == 400, bad["changedPropIds"]
    assert leader1.post(UPDATE, json=undo_call({"x": 1})).status_code == 204  # no button Dash knows: nothing happens
    assert undo_rows(db_url) == [] and events(db_url, "undo_visit") == []
    english = signed_in(app, users["leader1"])
    english.get("/language/en")
    assert refusal(english, "W-other") == "This visit was recorded by someone else; you may undo only visits you recorded."


def test_the_database_lets_a_leader_undo_only_their_own_recent_visit_in_their_grids(db_url: str) -> None:
    seed_phone_visits(db_url)
    now = CLOCK.now()
    insert = "INSERT INTO visit_undos (visit_id, grid_code, undone_by, undone_at, recorded_at) VALUES (%s, %s, %s, %s, %s)"
    with psycopg.connect(db_url) as conn:
        for visit, household, grid in (("W-1", "H01", "G01"), ("W-6", "H06", "G02")):
            conn.execute(
                "INSERT INTO visits (visit_id, household_id, visited_at, visitor, grid_code, extra, load_run_id,"
                " source_row) VALUES (%s, %s, %s, 'leader1', %s, %s, dashboard_visit_run('leader1', repeat('a', 64)), 1)",
                [visit, household, now, grid, Jsonb({"recorded_at": now.isoformat()})],
            )
        conn.commit()
        refused = (
            ("W-6", "G02", "leader1", now, now),  # another grid's
            ("W-6", "G01", "leader1", now, now),  # another grid's, claiming this grid
            ("W-1", "G01", "leader23", now, now),  # another leader's
            ("W-1", "G01", "leader1", now + timedelta(hours=24), now),  # 24 hours on
            ("W-1", "G01", "leader1", now, now - timedelta(hours=1)),  # a recording time of its own making
            ("V-H01", "G01", "网格员1", now, now),  # loaded from a file: no recording time
        )
        for values in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege), grid_reader_transaction(conn, ["G01"]):
                conn.execute(insert, list(values))
        with grid_reader_transaction(conn, ["G01"]):
            conn.execute(insert, ["W-1", "G01", "leader1", now + timedelta(hours=23), now])
        with grid_reader_transaction(conn, ["G02", "G03"]):  # another grid's leader does not see the undo
            assert conn.execute("SELECT count(*) FROM visit_undos").fetchone() == (0,)
        for change in ("UPDATE visit_undos SET undone_by = 'x'", "DELETE FROM visit_undos", "TRUNCATE visit_undos"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"), conn.transaction():
                conn.execute(change)
        assert conn.execute("SELECT visit_id, undone_by FROM visit_undos").fetchall() == [("W-1", "leader1")]


# what a finger taps on the grid page: buttons, links, form fields and choices, the map's controls and clusters
# (not what takes no taps, such as the dropdown's own focus helper, nor the map's one-line attribution)
TAPPABLE = (
    "button, a[href], select, textarea, summary, [role=button], input:not([type=hidden]):not([type=radio])"
    ":not([type=checkbox]), label:has(input[type=radio]), label:has(input[type=checkbox]), .gg-cluster"
)
SMALL = """(selector) => Array.from(document.querySelectorAll(selector))
    .filter(e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
                   return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.pointerEvents !== 'none'
                          && !e.closest('.leaflet-control-attribution'); })
    .map(e => [e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 20), e.getBoundingClientRect().height])
    .filter(([_, h]) => h < 44)"""


@pytest.mark.browser
def test_a_grid_leader_on_a_phone_records_from_a_row_and_undoes_it(db_url: str) -> None:
    seed_phone_visits(db_url)
    leader = make_users(db_url)["leader1"]
    ARTIFACTS.mkdir(exist_ok=True)
    env = serve_env(db_url)
    with chromium() as browser:
        with serving(env, ARTIFACTS / "serve_phone_visits.log") as url:
            page = browser.new_context(**PHONE).new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            sign_in_to_grid(page, url, leader)
            rows = page.locator(".gg-section-visits li[data-household]")
            todo = page.locator(".gg-count[data-count=not_yet_visited] .gg-count-value")
            # 待访: the tile's number is the number of rows the list shows, longest without a visit first
            expect(todo).to_have_text("3")
            expect(rows).to_have_count(3)
            assert [rows.nth(i).get_attribute("data-household") for i in range(3)] == ["H03", "H01", "H02"]
            expect(page.locator("#visit-status")).to_contain_text("待访 3")

            # the legend says what each mark means; the points of one building spread out on a tap
            legend = page.locator(".gg-point-legend")
            expect(legend).to_be_visible()
            expect(legend.locator(".gg-legend-row")).to_have_count(4)
            expect(legend).to_contain_text("特殊群体住户")
            expect(legend).to_contain_text("点按展开")
            expect(page.locator("path.grid-polygon")).to_have_count(1)
            # B001: H01, H02, H03 and two work orders; B002: H04, H05 and a hazard
            cluster = page.locator(".gg-cluster").filter(has=page.locator(".gg-swatch-complaint"))
            expect(cluster).to_have_text("5")
            expect(page.locator(".gg-cluster")).to_have_count(2)
            expect(page.locator("path.household-point")).to_have_count(0)
            cluster.tap()
            expect(page.locator("path.household-point")).to_have_count(3)  # H01-H03, spread on legs around B001
            expect(page.locator("path.complaint-point")).to_have_count(2)
            page.screenshot(path=str(ARTIFACTS / "phone_visits_spread.png"))

            # every button, link and choice is at least 44 px high
            assert (small := page.evaluate(SMALL, TAPPABLE)) == [], small

            # record from H01's row: the sheet opens with H01 picked and today's date, in Chinese
            rows.filter(has_text="张一").get_by_role("button", name="记录走访").tap()
            sheet = page.locator("#visit-sheet")
            expect(sheet).to_be_visible()
            expect(sheet.locator("#visit-household")).to_contain_text("H01")
            sheet.locator("#visit-date").click()
            calendar = page.locator("table, [role=grid]").filter(has_text="一").first
            expect(calendar).to_contain_text("日")
            expect(calendar).not_to_contain_text("Mo")
            page.screenshot(path=str(ARTIFACTS / "phone_visits_calendar.png"))
            page.keyboard.press("Escape")
            assert (small := page.evaluate(SMALL, TAPPABLE)) == [], small
            page.screenshot(path=str(ARTIFACTS / "phone_visits_sheet.png"))
            sheet.locator("#visit-notes").fill("身体良好")
            sheet.get_by_role("button", name="保存走访").tap()
            expect(sheet).to_be_hidden()
            message = page.locator("#visit-message")
            expect(message).to_contain_text(f"已记录 H01 张一 于 {TODAY.isoformat()} 的走访。")
            expect(todo).to_have_text("2")
            expect(rows).to_have_count(2)

            # undo it at once, from the message
            message.get_by_role("button", name="撤销走访").tap()
            expect(message).to_contain_text(f"已撤销 H01 张一 于 {TODAY.isoformat()} 的走访。")
            expect(todo).to_have_text("3")
            expect(rows).to_have_count(3)

            # record it again, and see it among the visited with its undo button
            rows.filter(has_text="张一").get_by_role("button", name="记录走访").tap()
            sheet.get_by_role("button", name="保存走访").tap()
            expect(message).to_contain_text("已记录 H01")
            page.locator(".gg-count[data-count=visited]").tap()
            expect(page.locator("li[data-household=H01]").get_by_role("button", name="撤销走访")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "phone_visits_visited.png"))
            assert (small := page.evaluate(SMALL, TAPPABLE)) == [], small
            assert not [o for o in OTHERS if o in page.content()]
            assert errors == []

        # 25 hours later the undo is gone from the row
        later = (CLOCK.now() + timedelta(hours=25)).replace(tzinfo=None).isoformat(timespec="seconds")
        with serving({**env, "GRIDGOV_NOW": later}, ARTIFACTS / "serve_phone_visits_later.log") as url:
            page = browser.new_context(**PHONE).new_page()
            sign_in_to_grid(page, url, leader)
            page.locator(".gg-count[data-count=due]").tap()
            h01 = page.locator("li[data-household=H01]")
            expect(h01).to_be_visible()
            expect(h01.get_by_role("button", name="撤销走访")).to_have_count(0)
