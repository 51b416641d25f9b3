"""The administrator's work in real headless Chromium on the served dashboard: a grid leader added on /admin signs
in with the password shown once, is signed out at once when disabled, and the audit trail shows it all in the
community's time with the zone named."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from auth_client import User, make_users, session_secret
from case_pages import choose
from playwright.sync_api import Browser, Page, expect
from seed_sql import seed_small_community
from served_app import chromium, serving
from test_dashboard_browser import sign_in

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def _signed_in(browser: Browser, url: str, user: User) -> Page:
    """A browser of its own (no cookie shared with the others) signed in as `user`."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(url + "login")
    sign_in(page, user)
    return page


@pytest.mark.browser
def test_the_admin_adds_and_disables_a_grid_leader_in_chromium(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
    admin: User = make_users(db_url)["admin"]
    env = {"GRIDGOV_DATABASE_URL": db_url, "GRIDGOV_SECRET_KEY": session_secret(), "GRIDGOV_TILE_URL": ""}
    ARTIFACTS.mkdir(exist_ok=True)
    with serving(env, ARTIFACTS / "serve_admin.log") as url, chromium() as browser:
        page = _signed_in(browser, url, admin)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        expect(page).to_have_url(url + "admin")

        page.locator("#admin-acct-name").fill("wang")
        choose(page, "admin-acct-role", "网格员")
        choose(page, "admin-acct-add-grids", "G02 东区二网格")
        page.keyboard.press("Escape")
        page.locator("#admin-acct-add").click()
        message = page.locator("#admin-acct-message")
        expect(message).to_contain_text("已新建 wang（网格员）")
        expect(message).to_contain_text("只显示这一次")
        password = page.locator("#admin-acct-message .gg-once-password").inner_text()
        expect(page.locator(".gg-accounts")).to_contain_text("wang")

        leader = _signed_in(browser, url, User("wang", "grid_leader", ("G02",), password))
        expect(leader).to_have_url(url + "grid")
        expect(leader.locator("path.grid-polygon")).to_have_count(1)  # G02, and only G02

        choose(page, "admin-acct-pick", "wang")
        page.locator("#admin-acct-disable").click()
        expect(message).to_contain_text("已停用 wang")
        leader.reload()
        expect(leader).to_have_url(url + "login?next=%2Fgrid")  # refused at once, not at the session's end

        page.reload()
        trail = page.locator(".gg-audit")
        expect(trail.locator("th").first).to_have_text("时间（Asia/Shanghai，UTC+08:00）")
        page.locator("#admin-audit-user").fill("admin")
        page.locator("#admin-audit-user").press("Enter")
        expect(trail).to_contain_text("新建账号")
        expect(trail).to_contain_text("停用账号")
        expect(trail).to_contain_text("账号: wang")
        page.screenshot(path=str(ARTIFACTS / "admin_page.png"), full_page=True)
        assert password not in page.content()  # shown once: gone with the page that showed it
        assert errors == []
