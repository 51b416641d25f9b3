"""The wall read from across the room: every text at least 24 px at 1920×1080 (18 px at 1366×768), measured in
Chromium on the demo for a secretary and for a wall screen's own sign-in; the legend beside the map, never over a
grid; the ranked grids outlined and numbered on the map; and the hot-spot layers in plain words, calm when no grid
is significant.

The size test walks every text node of the page a person could see (not hidden by display or visibility, with a
box of its own inside the window), on every layer of the playlist, with a grid's pop-up and the legend's "?" open and
the stale-data notice shown, and prints each text below the size with its size.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import dash
import psycopg
import pytest
from auth_client import User, make_users, running_app, session_secret, signed_in
from community import CLOCK
from playwright.sync_api import BrowserContext, Page, expect
from seed_sql import seed_small_community
from served_app import chromium, serving
from test_dashboard_wall import _text, _walk, wall_update
from test_export import load_demo
from test_layers_hotspots import add_complaints, seed_lattice

from dashboard.wall import spots
from gridgov import accounts, areas, case_store, devices, units
from gridgov.case_store import Opening
from gridgov.cases import Event, Kind, Source
from layers import registry

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SCREENS = ((1920, 1080, 24.0), (1366, 768, 18.0))  # width, height, the smallest type allowed
PLAYLIST = ("特殊群体", "热点分析", "未诉先办", "安全隐患")  # the default playlist's titles
STATISTICS = ("Gi*", "Getis", "Mann-Kendall", "z 得分", "p 值", "FDR")  # behind the "?", never on the legend's face

# The visible text nodes of the page: each one's text, computed size and element (a JS expression, shared below).
VISIBLE_TEXTS = """(() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent.trim();
        const element = node.parentElement;
        if (!text || !element || !element.checkVisibility({checkVisibilityCSS: true, visibilityProperty: true})) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const box = range.getBoundingClientRect();
        if (box.width <= 0 || box.height <= 0) continue;
        if (box.right <= 0 || box.bottom <= 0 || box.left >= innerWidth || box.top >= innerHeight) continue;
        out.push({text: text.slice(0, 60), px: parseFloat(getComputedStyle(element).fontSize), element: element});
    }
    return out;
})()"""
# Every visible text node: its text, computed size, and which part of the wall it is in (the first of PARTS its
# element lies in). Run in the page; `stale` shows the stale-data notice for the measurement (and hides it after).
MEASURE = """([parts, stale]) => {
    const notice = document.getElementById("wall-stale");
    const before = [notice.className, notice.textContent];
    if (stale) { notice.className = "gg-wall-stale gg-wall-stale-on"; notice.textContent = stale; }
    const out = """ + VISIBLE_TEXTS + """.map(({text, px, element}) =>
        ({text: text, px: px, part: parts.find((selector) => element.closest(selector)) || ""}));
    if (stale) { [notice.className, notice.textContent] = before; }
    return out;
}"""
PARTS = [
    ".gg-wall-label-rank", ".gg-wall-label-box", ".gg-wall-popup", ".gg-wall-explain", ".gg-wall-notice",
    ".gg-wall-legend", ".gg-wall-step", ".gg-wall-stale-on", ".gg-wall-clock", ".gg-wall-kpi-note", ".gg-wall-reason",
    ".gg-wall-formula", ".gg-wall-await", ".gg-wall-case-figure", ".gg-wall-order", ".gg-userbar", ".gg-wall-age",
    ".leaflet-control-attribution",
]


def measure(page: Page, least: float, *, stale: str = "") -> list[dict[str, Any]]:
    """The visible texts; fails naming every one smaller than `least` px."""
    texts: list[dict[str, Any]] = page.evaluate(MEASURE, [PARTS, stale])
    small = [f"{t['px']:.1f}px {t['part'] or '(page)'}: {t['text']}" for t in texts if t["px"] < least]
    assert not small, f"{len(small)} texts below {least} px:\n" + "\n".join(small)
    return texts


def boxes_meet(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and a["y"] < b["y"] + b["height"] and (
        b["y"] < a["y"] + a["height"]
    )


def escalate(conn: psycopg.Connection, grid_code: str, *names: str) -> None:
    """A work order in `grid_code` escalated to `names` (added as units) five hours ago: units awaited on the wall."""
    for name in names:
        units.add(conn, name, kind="street_department", contact="值班室", ack_hours=4, by="admin")
    case_id = case_store.open_case(
        conn, Opening(Kind.WORK_ORDER, category="噪音扰民", description="夜间施工", address="", grid_code=grid_code),
        source=Source.INTAKE, actor="12345", clock=CLOCK,
    )
    event = Event("escalate", Source.SECRETARY, CLOCK.now() - timedelta(hours=5), "shuji", {"units": list(names), "reason": "到场"})
    case_store.append(conn, case_id, event)


@pytest.fixture
def demo_wall(db_url: str) -> tuple[str, User, str]:
    """The demo, a secretary of its first community, a wall device of every community (its sign-in path)."""
    load_demo(db_url)
    password = secrets.token_urlsafe(16)
    with psycopg.connect(db_url, autocommit=True) as conn:
        every = [community for _, community in areas.communities(conn)]
        accounts.add(conn, "shuji", role="secretary", password=password, communities=every[:1])
        (grid,) = conn.execute("SELECT min(grid_code) FROM grids WHERE community_name = %s", [every[0]]).fetchone() or ("",)
        escalate(conn, grid, "街道城管科", "燃气公司")
        token = devices.add(conn, "lobby", lifetime=timedelta(days=1), by="admin", communities=every)
    return db_url, User("shuji", "secretary", (), password), f"wall/device/{token}"


def the_layers(page: Page, least: float, tag: str) -> set[str]:
    """Every layer of the playlist in turn (and the first again), measured; the parts of the wall whose text was seen.

    Each layer is measured as soon as it is shown: on the second, with a grid's pop-up open; on the hot spots, with
    the legend's "?" open (the next rotation closes both)."""
    seen: set[str] = set()
    title = page.locator("#wall-layer-title")
    first = PLAYLIST.index(title.inner_text())
    for i in range(len(PLAYLIST) + 1):
        name = PLAYLIST[(first + i) % len(PLAYLIST)]
        expect(title).to_have_text(name, timeout=30_000)
        expect(page.locator(".gg-wall-step-on")).to_have_text(name)
        if i == 1:
            grid = page.locator("path.grid-polygon").first.bounding_box()
            assert grid
            page.mouse.click(grid["x"] + grid["width"] / 2, grid["y"] + grid["height"] / 2)
            expect(page.locator(".gg-wall-popup")).to_be_visible()
        if name == PLAYLIST[1]:  # how the hot spots are computed, at the same size
            page.locator(".gg-wall-explain-toggle").click()
            expect(page.locator(".gg-wall-explain")).to_be_visible()
        seen |= {t["part"] for t in measure(page, least)}
        page.screenshot(path=str(ARTIFACTS / f"wall_readable_{tag}_{i}.png"))
    return seen


def ranks_on_the_map(page: Page) -> None:
    """The ranking's grids outlined on the map, each labelled with its place and name as the panel lists them."""
    rows = page.locator(".gg-wall-rank-row")
    expect(rows.first).to_be_visible()
    listed = {(r.locator(".gg-wall-rank-pos").inner_text(), r.locator(".gg-wall-rank-name").inner_text()) for r in rows.all()}
    assert listed, "the demo has grids that need attention"
    expect(page.locator("path.gg-wall-ranked")).to_have_count(len(listed))
    labels = page.locator(".gg-wall-label-name:has(.gg-wall-label-rank)")
    expect(labels).to_have_count(len(listed))
    on_map = set()
    for label in labels.all():
        rank = label.locator(".gg-wall-label-rank")
        expect(rank).to_be_visible()  # the place at least, where the grid's name would cover a neighbour's label
        on_map.add((rank.inner_text(), label.locator(".gg-wall-label-text").text_content()))
    assert on_map == listed


def legend_beside_the_map(page: Page) -> None:
    """The legend, and the column it is in, lie outside the map's pane: no grid can be under them."""
    legend, key = page.locator(".gg-wall-legend").bounding_box(), page.locator(".gg-wall-key").bounding_box()
    pane = page.locator("#wall-map").bounding_box()
    assert legend and key and pane
    assert not boxes_meet(legend, pane) and not boxes_meet(key, pane), (legend, key, pane)


def on_every_screen(context: BrowserContext, url: str, tag: str) -> None:
    """At each size of SCREENS, the wall opened afresh: nothing too small on any layer (nor in a pop-up, the "?", the
    stale notice), the legend beside the map, the ranks on it."""
    for width, height, least in SCREENS:
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url + "wall")
        expect(page.locator("path.grid-polygon").first).to_be_visible()
        legend_beside_the_map(page)
        ranks_on_the_map(page)
        parts = the_layers(page, least, f"{tag}_{width}")
        parts |= {t["part"] for t in measure(page, least, stale="数据未能更新 · 最后成功更新于 21:00:00")}
        expected = {".gg-wall-label-rank", ".gg-wall-label-box", ".gg-wall-popup", ".gg-wall-legend", ".gg-wall-explain",
                    ".gg-wall-step", ".gg-wall-clock", ".gg-wall-kpi-note", ".gg-wall-reason", ".gg-wall-formula",
                    ".gg-wall-await", ".gg-wall-case-figure", ".gg-wall-order", ".gg-wall-stale-on"}
        assert expected <= parts, f"never measured: {expected - parts}"
        page.close()


@pytest.mark.browser
def test_every_text_on_the_wall_reads_from_across_the_room(demo_wall: tuple[str, User, str]) -> None:
    db_url, secretary, device_path = demo_wall
    ARTIFACTS.mkdir(exist_ok=True)
    env = {"GRIDGOV_DATABASE_URL": db_url, "GRIDGOV_SECRET_KEY": session_secret(), "GRIDGOV_WALL_ROTATE_SECONDS": "4"}
    with serving(env, ARTIFACTS / "serve_wall_readable.log") as url, chromium() as browser:
        person = browser.new_context()
        page = person.new_page()
        page.goto(url + "login")
        page.locator("input[name=username]").fill(secretary.username)
        page.locator("input[name=password]").fill(secretary.password)
        page.locator("button[type=submit]").click()
        expect(page).to_have_url(url + "wall")
        on_every_screen(person, url, "secretary")
        screen = browser.new_context()
        signing_in = screen.new_page()
        signing_in.goto(url + device_path)
        expect(signing_in).to_have_url(url + "wall")
        on_every_screen(screen, url, "device")


# -- the hot-spot layers' words and colours (the wall's callback) ---------------------------------------------------


def layer_on_the_wall(app: dash.Dash, user: User, turn: int, lang: str = "zh") -> tuple[dict[str, Any], list[Any]]:
    """The grid layer's hideout and the legend of the playlist's layer at `turn`."""
    client = signed_in(app, user)
    if lang != "zh":
        client.get(f"/language/{lang}")
    shown = wall_update(client, n_rotate=turn)
    return shown["wall-grid-layer"]["hideout"], shown["wall-legend"]["children"]


def face_and_explanation(legend: list[Any]) -> tuple[str, str]:
    """The legend's face (title, notice, rows) and what its "?" explains."""
    explained = " ".join(_text(c) for c in _walk(legend) if c["props"].get("className") == "gg-wall-explain")
    face = " ".join(_text(c) for c in legend if c["props"].get("className") != "gg-wall-explain-box")
    return face, explained


@pytest.fixture
def calm(db_url: str) -> Iterator[tuple[dash.Dash, User]]:
    """The small community with no complaint at all: no grid can be significant."""
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
    with running_app(db_url) as app:
        yield app, make_users(db_url)["shuji"]


def test_with_no_significant_grid_the_hot_spot_layers_say_so_in_words_and_draw_calmly(calm: tuple[dash.Dash, User]) -> None:
    app, secretary = calm
    for turn, layer, rows in ((1, "complaint_hotspots", ["热点", "不显著", "冷点"]), (2, "emerging_hotspots", ["无显著变化"])):
        hideout, legend = layer_on_the_wall(app, secretary, turn)
        assert hideout["property"] == registry.get(layer).legend.property
        colours = {hideout["categories"][str(v)] for v in hideout["values"].values()}
        assert colours == {spots.CALM}, layer  # every grid in the calm slate: no warm colour anywhere
        face, explained = face_and_explanation(legend)
        assert "暂无显著热点" in face
        labels = [_text(c) for c in _walk(legend) if c["props"].get("className") == "gg-wall-legend-label"]
        assert labels == rows
        assert not [s for s in STATISTICS if s in face], face  # the statistics are behind the "?"
        assert any(s in explained for s in STATISTICS), explained
        _, english = layer_on_the_wall(app, secretary, turn, "en")
        assert "No significant hot spots" in face_and_explanation(english)[0]


def test_a_cluster_of_complaints_is_drawn_as_hot_spots_in_plain_words(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        codes = seed_lattice(conn, 8, 8)
        for i, code in enumerate(codes):
            r, c = divmod(i, 8)
            add_complaints(conn, code, 30 if 1 <= r <= 3 and 1 <= c <= 3 else 2 + (r * 3 + c * 5) % 4, "2026-10-10 09:00+08")
        password = secrets.token_urlsafe(16)
        accounts.add(conn, "shuji", role="secretary", password=password, communities=["测试社区"])
        conn.commit()
    hot_colours = {color for value, _, color in registry.get("complaint_hotspots").legend.categories if int(value) > 0}
    with running_app(db_url) as app:
        hideout, legend = layer_on_the_wall(app, User("shuji", "secretary", (), password), 1)
    hot = {code for code, v in hideout["values"].items() if v > 0}
    assert "L22" in hot  # the middle of the cluster
    assert {hideout["categories"][str(hideout["values"][code])] for code in hot} <= hot_colours
    face, explained = face_and_explanation(legend)
    assert "暂无显著热点" not in face and "诉求热点" in face
    (hot_row,) = [c for c in _walk(legend) if c["props"].get("className") == "gg-wall-legend-row" and _text(c).strip() == "热点"]
    assert hot_row  # 热点 present, not dimmed
    assert not [s for s in STATISTICS if s in face] and "Getis-Ord Gi*" in explained


# -- the street officer's ranking, on a wall screen too ---------------------------------------------------------------

TEXTS = "() => " + VISIBLE_TEXTS + ".map(({text, px}) => ({text: text, px: px}))"


@pytest.mark.browser
def test_the_streets_ranking_reads_from_across_the_room(db_url: str) -> None:
    load_demo(db_url)
    password = secrets.token_urlsafe(16)
    with psycopg.connect(db_url, autocommit=True) as conn:
        (street,) = areas.streets(conn)
        accounts.add(conn, "jiedao", role="street_officer", password=password, street=street)
        communities = [name for _, name in areas.communities(conn, street)]
    env = {"GRIDGOV_DATABASE_URL": db_url, "GRIDGOV_SECRET_KEY": session_secret()}
    with serving(env, ARTIFACTS / "serve_street_readable.log") as url, chromium() as browser:
        page = browser.new_context().new_page()
        page.goto(url + "login")
        page.locator("input[name=username]").fill("jiedao")
        page.locator("input[name=password]").fill(password)
        page.locator("button[type=submit]").click()
        expect(page).to_have_url(url + "street")
        for width, height, least in SCREENS:
            page.set_viewport_size({"width": width, "height": height})
            page.goto(url + "street")
            expect(page.locator(".gg-street-row")).to_have_count(len(communities))
            texts: list[dict[str, Any]] = page.evaluate(TEXTS)
            assert any(t["text"] in communities for t in texts), "the communities were not measured"
            small = [f"{t['px']:.1f}px: {t['text']}" for t in texts if t["px"] < least]
            assert not small, f"{len(small)} texts below {least} px at {width}x{height}:\n" + "\n".join(small)
