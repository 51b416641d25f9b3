"""How old the data is (数据截至) on every page, and key figures that say why they have no value.

The wall's fixture (test_dashboard_wall.seed_wall) dates every record from the
suite's pinned community clock: the newest work order is Monday 00:10 of this
week, the newest visit today 00:01, the newest hazard found 20 days ago.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import dash
import psycopg
import pytest
from auth_client import User, callback, make_users, running_app, signed_in
from test_dashboard_wall import _text, _walk, seed_wall, tiles_of, wall_update

from gridgov.settings import CommunitySettings

CLOCK = CommunitySettings().clock()


def _age_parts(tree: Any) -> tuple[list[str], list[str]]:
    """The line's sources and its warnings, as shown."""
    sources = [_text(c) for c in _walk(tree) if c["props"].get("className") == "gg-age-source"]
    warnings = [_text(c) for c in _walk(tree) if c["props"].get("className") == "gg-age-stale"]
    return sources, warnings


def _md(t: datetime) -> str:
    return f"{t.month}月{t.day}日 {t:%H:%M}"


@pytest.fixture
def seeded(db_url: str) -> dict[str, User]:
    seed_wall(db_url)
    return make_users(db_url)


@pytest.fixture
def app(db_url: str, seeded: dict[str, User]) -> Iterator[dash.Dash]:
    with running_app(db_url) as built:
        yield built


def test_the_wall_shows_the_newest_record_of_each_source_and_warns_of_old_ones(
    app: dash.Dash, seeded: dict[str, User]
) -> None:
    shown = wall_update(signed_in(app, seeded["shuji"]))
    today = CLOCK.today()
    monday = CLOCK.week_start()
    found = CLOCK.now() - timedelta(days=20)
    sources, warnings = _age_parts(shown["wall-age"]["children"])
    assert "数据截至" in _text(shown["wall-age"]["children"])
    assert sources == [f"工单 {monday.month}月{monday.day}日 00:10", f"隐患 {_md(found)}", f"走访 {today.month}月{today.day}日 00:01"]
    days_since_monday = (CLOCK.now() - datetime.combine(monday, datetime.min.time(), CLOCK.zone)).days
    expected = ["隐患数据已 20 天未更新（超过 3 天）"]
    if days_since_monday > 3:  # the pinned day is a Saturday: Monday's order is five days old
        expected.insert(0, f"工单数据已 {days_since_monday} 天未更新（超过 3 天）")
    assert warnings == expected


def test_a_fresh_source_raises_no_warning_and_the_limit_is_a_setting(db_url: str, seeded: dict[str, User]) -> None:
    with running_app(db_url, stale_days=30) as app:
        shown = wall_update(signed_in(app, seeded["shuji"]))
    assert _age_parts(shown["wall-age"]["children"])[1] == []


def test_every_role_sees_the_data_age_of_the_community_not_of_its_grid(app: dash.Dash, seeded: dict[str, User]) -> None:
    # leader23's grids have no visit at all: the line still dates the visits file by the community's newest
    today = CLOCK.today()
    for user, path in (("leader23", "/grid"), ("guihua", "/export"), ("admin", "/admin")):
        page = signed_in(app, seeded[user]).post(
            "/_dash-update-component", json=callback("page.children", [("url", "pathname", path)])
        )
        assert page.status_code == 200, user
        (line,) = [c for c in _walk(page.get_json()) if c["props"].get("id") == "data-age"]
        sources, _ = _age_parts(line)
        assert f"走访 {today.month}月{today.day}日 00:01" in sources, user


def test_a_source_never_loaded_is_named(db_url: str, seeded: dict[str, User]) -> None:
    with psycopg.connect(db_url) as conn:
        conn.execute("DELETE FROM hazards")
    with running_app(db_url) as app:
        shown = wall_update(signed_in(app, seeded["shuji"]))
    sources, warnings = _age_parts(shown["wall-age"]["children"])
    assert "隐患：无数据" in sources and "尚未导入隐患数据" in warnings


def test_a_rate_without_work_orders_in_its_window_says_why(db_url: str, seeded: dict[str, User]) -> None:
    with psycopg.connect(db_url) as conn:
        conn.execute("DELETE FROM complaints WHERE received_at > %s", [CLOCK.now() - timedelta(days=40)])
    with running_app(db_url) as app:
        tiles = tiles_of(wall_update(signed_in(app, seeded["shuji"]))["wall-kpis"]["children"])
    for key in ("response", "resolution", "satisfaction"):
        assert tiles[key] == ("—", "近30天无工单"), key


def test_a_rate_whose_base_is_missing_names_what_is_missing(db_url: str, seeded: dict[str, User]) -> None:
    # the month's work orders are all still open and nobody was asked about satisfaction
    with psycopg.connect(db_url) as conn:
        conn.execute("UPDATE complaints SET resolved = NULL, resolved_at = NULL, satisfaction = NULL")
    with running_app(db_url) as app:
        client = signed_in(app, seeded["shuji"])
        tiles = tiles_of(wall_update(client)["wall-kpis"]["children"])
        client.get("/language/en")
        english = tiles_of(wall_update(client)["wall-kpis"]["children"])
    assert tiles["resolution"] == ("—", "近30天无已办结工单")
    assert tiles["satisfaction"] == ("—", "近30天无满意度回访")
    assert tiles["response"][0] == "75.0%"  # its base is there: the rate is shown as before
    assert english["satisfaction"] == ("—", "no satisfaction asked in the last 30 days")
