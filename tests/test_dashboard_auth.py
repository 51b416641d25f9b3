"""Sign-in and authorisation of the dashboard, through its real HTTP endpoints on a real database.

Requests go through Flask's test client to the app create_app builds, so the
guard, the session cookie, the Dash dispatcher and the data URLs all run as
served. The crafted requests are the ones a curious grid leader could send by
hand: another grid in a data URL's query, or in a Dash callback's input.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import dash
import psycopg
import pytest
from auth_client import User, app_settings, callback, csrf_of, login, make_users, running_app, session_secret
from flask.testing import FlaskClient
from playwright.sync_api import expect
from seed_sql import seed_small_community
from served_app import chromium, serving

from dashboard import pages
from dashboard.app import create_app
from dashboard.web.secret import session_secret as app_secret
from gridgov import accounts, audit
from gridgov.access import LANDING, Access, Role
from gridgov.errors import SetupError
from gridgov.settings import CommunitySettings, DashboardSettings, DatabaseSettings, Settings
from layers import registry

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture
def app(db_url: str) -> Iterator[dash.Dash]:
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
    built = create_app(app_settings(db_url), db_url)
    yield built
    built.server.extensions["gridgov.pool"].close()


def client_of(app: dash.Dash) -> FlaskClient:
    return app.server.test_client()


def signed_in(app: dash.Dash, user: User) -> FlaskClient:
    client = client_of(app)
    response = login(client, user.username, user.password)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def _events(db_url: str, action: str) -> list[audit.Event]:
    with psycopg.connect(db_url) as conn:
        return [e for e in audit.recent(conn, limit=1000) if e.action == action]


def _data_urls() -> list[str]:
    return [url for layer in registry.available() for url in (f"/data/{layer.name}.json", f"/data/{layer.name}/detail.json")]


def _form_token(tree: Any) -> str | None:
    """The CSRF token in a Dash component tree (the sign-out form's hidden input)."""
    if isinstance(tree, dict):
        if tree.get("name") == "csrf_token":
            return str(tree["value"])
        values = tree.values()
    elif isinstance(tree, list):
        values = tree
    else:
        return None
    return next((t for t in map(_form_token, values) if t), None)


HOUSEHOLDS = callback("household-layer.data", [("grid-select", "value", None)])


def _households_for(grid: Any) -> dict[str, Any]:
    return callback("household-layer.data", [("grid-select", "value", grid)])


def test_anonymous_requests_reach_nothing_but_the_sign_in_page(app: dash.Dash) -> None:
    client = client_of(app)
    for path in pages.PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next=")
    for url in [*_data_urls(), "/data/special_groups.json?grid=G01", "/_dash-layout", "/_dash-dependencies"]:
        assert client.get(url).status_code == 401, url
    assert client.post("/_dash-update-component", json=HOUSEHOLDS).status_code == 401
    router = callback("page.children", [("url", "pathname", "/wall")])
    assert client.post("/_dash-update-component", json=router).status_code == 401
    form = client.get("/login")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and "用户名" in html and "密码" in html  # Chinese by default
    assert client.get("/assets/gridgov.css").status_code == 200  # the form's style, no data


def test_signing_in_lands_each_role_on_its_page_and_is_audited(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    landing = {"secretary": "/wall", "grid_leader": "/grid", "planner": "/export", "admin": "/admin"}
    for user in users.values():
        client = client_of(app)
        response = login(client, user.username, user.password)
        assert response.status_code == 302
        assert response.headers["Location"] == landing[user.role]
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert client.get(landing[user.role]).status_code == 200
    signed = {(e.username, e.detail["role"]) for e in _events(db_url, audit.LOGIN)}
    assert signed == {(u.username, u.role) for u in users.values()}
    assert all(e.ip == "127.0.0.1" for e in _events(db_url, audit.LOGIN))


def test_behind_a_proxy_the_audit_keeps_the_clients_address_and_only_then(
    users: dict[str, User], db_url: str
) -> None:
    forwarded = {"X-Forwarded-For": "203.0.113.7"}
    for hops, expected in ((0, "127.0.0.1"), (1, "203.0.113.7")):
        with running_app(db_url, proxy_hops=hops) as built:
            client = built.server.test_client()
            form = client.get("/login", headers=forwarded)
            token = csrf_of(form.get_data(as_text=True))
            user = users["shuji"]
            client.post(
                "/login", data={"csrf_token": token, "username": user.username, "password": user.password}, headers=forwarded
            )
        assert _events(db_url, audit.LOGIN)[0].ip == expected, hops  # newest first


def test_a_wrong_password_is_refused_and_audited(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    client = client_of(app)
    response = login(client, "leader1", users["leader1"].password + "x")
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/grid").status_code == 302  # still signed out
    assert login(client, "nobody", "whatever-it-is").status_code == 401
    failed = _events(db_url, audit.LOGIN_FAILED)
    assert sorted(e.username for e in failed) == ["leader1", "nobody"]
    assert _events(db_url, audit.LOGIN) == []


def test_sign_in_without_the_forms_token_is_refused(app: dash.Dash, users: dict[str, User]) -> None:
    client = client_of(app)
    client.get("/login")
    user = users["shuji"]
    response = client.post("/login", data={"username": user.username, "password": user.password})
    assert response.status_code == 400
    assert client.get("/wall").status_code == 302


def test_repeated_failures_lock_the_username_for_a_while(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    client = client_of(app)
    for _ in range(10):
        assert login(client, "shuji", "not-the-password").status_code == 401
    response = login(client, "shuji", users["shuji"].password)  # right, but too late
    assert response.status_code == 429
    assert client.get("/wall").status_code == 302
    assert _events(db_url, audit.LOGIN_FAILED)[0].detail == {"reason": "throttled"}
    assert login(client_of(app), "leader1", users["leader1"].password).status_code == 302  # others unaffected


def test_a_grid_leader_gets_their_grid_and_a_403_for_any_other(app: dash.Dash, users: dict[str, User]) -> None:
    client = signed_in(app, users["leader1"])
    own = client.get("/data/special_groups.json").get_json()
    assert [f["id"] for f in own["features"]] == ["G01"]
    detail = client.get("/data/special_groups/detail.json?grid=G01").get_json()
    assert sorted(f["id"] for f in detail["features"]) == ["H01", "H02", "H04"]
    # crafted: every data URL with another grid in its query
    for url in _data_urls():
        for grid in ("G02", "G01,G02"):
            response = client.get(f"{url}?grid={grid}")
            assert response.status_code == 403, (url, grid, response.get_data(as_text=True))
            assert "G02" in response.get_json()["error"] or "may not see" in response.get_json()["error"]


def test_a_crafted_dash_callback_for_another_grid_is_a_403(app: dash.Dash, users: dict[str, User]) -> None:
    client = signed_in(app, users["leader1"])
    assert client.get("/grid").status_code == 200
    own = client.post("/_dash-update-component", json=HOUSEHOLDS)
    assert own.status_code == 200
    features = own.get_json()["response"]["household-layer"]["data"]["features"]
    assert sorted(f["id"] for f in features) == ["H01", "H02", "H04"]
    for grid in ("G02", "G03", ["G01", "G02"], {"grid": "G02"}):
        response = client.post("/_dash-update-component", json=_households_for(grid))
        assert response.status_code in (400, 403), grid
        assert "H06" not in response.get_data(as_text=True)
    assert client.post("/_dash-update-component", json=_households_for("G02")).status_code == 403
    # another role's page, asked of the router directly
    for path in ("/wall", "/export", "/admin", "/"):
        router = callback("page.children", [("url", "pathname", path)])
        assert client.post("/_dash-update-component", json=router).status_code == 403, path


def test_a_leader_of_two_grids_sees_both_and_not_the_third(app: dash.Dash, users: dict[str, User]) -> None:
    client = signed_in(app, users["leader23"])
    grids = client.get("/data/special_groups.json").get_json()
    assert [f["id"] for f in grids["features"]] == ["G02", "G03"]
    assert client.get("/data/special_groups/detail.json?grid=G03").status_code == 200
    assert client.get("/data/special_groups/detail.json?grid=G01").status_code == 403
    response = client.post("/_dash-update-component", json=_households_for("G01"))
    assert response.status_code == 403


def test_pages_of_other_roles_are_403_and_the_root_sends_each_role_home(app: dash.Dash, users: dict[str, User]) -> None:
    for user in users.values():
        client = signed_in(app, user)
        for path, page in pages.PAGES.items():
            response = client.get(path)
            if user.role in page.roles:
                assert response.status_code == 200, (user.role, path)
                built = client.post("/_dash-update-component", json=callback("page.children", [("url", "pathname", path)]))
                assert built.status_code == 200, (user.role, path, built.get_data(as_text=True)[-500:])
            elif path == "/":
                assert response.status_code == 302 and response.headers["Location"] == LANDING[Role(user.role)]
            else:
                assert response.status_code == 403, (user.role, path)
        assert client.get("/no-such-page").status_code == 404


def test_what_each_role_may_see_follows_the_registry(app: dash.Dash, users: dict[str, User]) -> None:
    for username, role in (("shuji", Role.SECRETARY), ("guihua", Role.PLANNER)):
        client = signed_in(app, users[username])
        for layer in registry.available():
            access = layer.access.get(role, Access.NONE)
            agg = client.get(f"/data/{layer.name}.json")
            det = client.get(f"/data/{layer.name}/detail.json")
            assert agg.status_code == (200 if access >= Access.AGGREGATE else 403), (username, layer.name)
            assert det.status_code == (200 if access >= Access.DETAIL else 403), (username, layer.name)
    admin = signed_in(app, users["admin"])
    for url in _data_urls():
        assert admin.get(url).status_code == 403, url


def test_a_detail_view_of_personal_data_is_audited(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    client = signed_in(app, users["leader1"])
    assert client.get("/data/special_groups/detail.json").status_code == 200
    assert client.post("/_dash-update-component", json=_households_for("G01")).status_code == 200
    views = _events(db_url, audit.VIEW_PERSONAL)
    assert len(views) == 2
    for event in views:
        assert event.username == "leader1"
        assert event.detail["layer"] == "special_groups"
        assert event.detail["grids"] == ["G01"]
        assert event.detail["features"] == 3
    assert {e.detail["via"] for e in views} == {"/data/special_groups/detail.json", "/_dash-update-component"}
    # facilities are public places: no audit row for their points
    assert client.get("/data/facilities/detail.json").status_code == 200
    assert len(_events(db_url, audit.VIEW_PERSONAL)) == 2


def test_a_planners_download_is_de_identified_and_audited_as_an_export(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    client = signed_in(app, users["guihua"])
    response = client.get("/data/special_groups.json")
    assert response.status_code == 200
    by_grid = {f["properties"]["grid_code"]: f["properties"] for f in response.get_json()["features"]}
    assert by_grid["G01"]["special_households"] is None  # 3 households: below the threshold, withheld
    (event,) = _events(db_url, audit.EXPORT)
    assert event.username == "guihua" and event.detail["layer"] == "special_groups"


def test_bad_query_parameters_are_a_400_and_unknown_layers_a_404(app: dash.Dash, users: dict[str, User]) -> None:
    client = signed_in(app, users["shuji"])
    assert client.get("/data/special_groups.json?from=yesterday").status_code == 400
    assert client.get("/data/special_groups.json?gridd=G01").status_code == 400
    assert client.get("/data/no_such_layer.json").status_code == 404


def test_signing_out_needs_the_token_and_ends_the_session(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    client = signed_in(app, users["leader1"])
    assert client.post("/logout").status_code == 302  # no token: nothing happens
    assert client.get("/data/special_groups.json").status_code == 200
    page = client.post("/_dash-update-component", json=callback("page.children", [("url", "pathname", "/grid")]))
    token = _form_token(page.get_json())  # the sign-out button's form in the title bar
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/data/special_groups.json").status_code == 401
    assert [e.username for e in _events(db_url, audit.LOGOUT)] == ["leader1"]


def test_removing_an_account_or_changing_its_password_ends_its_sessions(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    leader = signed_in(app, users["leader1"])
    planner = signed_in(app, users["guihua"])
    with psycopg.connect(db_url) as conn:
        accounts.remove(conn, "leader1")
        accounts.set_password(conn, "guihua", "a brand new password")
    assert leader.get("/data/special_groups.json").status_code == 401
    assert planner.get("/data/special_groups.json").status_code == 401
    assert planner.get("/export").status_code == 302


def test_the_language_switch_turns_the_interface_to_english(app: dash.Dash, users: dict[str, User]) -> None:
    client = client_of(app)
    response = client.get("/language/en?next=/login", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html and "Username" in html and "Password" in html
    client.post("/login", data={"csrf_token": csrf_of(html), "username": "leader1", "password": users["leader1"].password})
    router = client.post("/_dash-update-component", json=callback("page.children", [("url", "pathname", "/grid")]))
    assert "My grids" in router.get_data(as_text=True)
    client.get("/language/zh", headers={"Referer": "http://localhost/grid"})
    router = client.post("/_dash-update-component", json=callback("page.children", [("url", "pathname", "/grid")]))
    assert "我的网格" in router.get_data(as_text=True)


def test_the_session_secret_is_required_except_for_the_local_demo(tmp_path: Path) -> None:
    with pytest.raises(SetupError, match="GRIDGOV_SECRET_KEY"):
        app_secret(Settings(database=DatabaseSettings(database_url="postgresql://x@127.0.0.1/db", home=tmp_path), dashboard=DashboardSettings(secret_key=None)))
    with pytest.raises(SetupError, match="too short"):
        app_secret(Settings(database=DatabaseSettings(database_url="postgresql://x@127.0.0.1/db"), dashboard=DashboardSettings(secret_key="short")))
    local = Settings(database=DatabaseSettings(database_url=None, home=tmp_path), dashboard=DashboardSettings(secret_key=None))  # the private cluster: a key is made once and kept
    first = app_secret(local)
    kept = tmp_path / "secret_key"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert app_secret(local) == first and len(first) >= 32


@pytest.mark.browser
def test_a_grid_leader_signs_in_in_chromium_and_sees_only_their_grid(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
    leader = make_users(db_url)["leader1"]
    env = {"GRIDGOV_DATABASE_URL": db_url, "GRIDGOV_SECRET_KEY": session_secret(), "GRIDGOV_TILE_URL": ""}
    with serving(env, ARTIFACTS / "serve_auth.log") as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))

        page.goto(url + "grid")
        expect(page).to_have_url(url + "login?next=%2Fgrid")
        expect(page.locator("h1")).to_have_text("社区网格治理平台")
        page.locator("input[name=username]").fill(leader.username)
        page.locator("input[name=password]").fill("not the password")
        page.locator("button[type=submit]").click()
        expect(page.locator(".gg-error")).to_have_text("用户名或密码不正确。")
        page.screenshot(path=str(ARTIFACTS / "login_failed.png"))

        page.locator("input[name=password]").fill(leader.password)
        page.locator("button[type=submit]").click()
        expect(page).to_have_url(url + "grid")
        expect(page.locator("header h1")).to_have_text("我的网格")
        expect(page.locator(".gg-user")).to_contain_text("leader1")
        expect(page.locator("path.grid-polygon")).to_have_count(1)  # G01 only
        # H01 and H02 share B001: one cluster; H04 at B002: a point
        expect(page.locator(".gg-cluster")).to_have_count(1)
        expect(page.locator("path.household-point")).to_have_count(1)
        page.screenshot(path=str(ARTIFACTS / "grid_leader.png"))

        # the same session, asking by hand for another grid: refused on the server
        assert page.request.get(url + "data/special_groups/detail.json?grid=G02").status == 403
        assert page.request.get(url + "data/special_groups/detail.json?grid=G01").status == 200

        # the session ends while the page is open (here its cookie goes): the next callback finds it gone, and
        # the browser is sent to sign in, then back to the page it was on
        page.context.clear_cookies()
        page.locator("#visit-status .gg-filter-box").nth(1).click()  # another filter than the one shown
        expect(page).to_have_url(url + "login?next=%2Fgrid")
        page.locator("input[name=username]").fill(leader.username)
        page.locator("input[name=password]").fill(leader.password)
        page.locator("button[type=submit]").click()
        expect(page).to_have_url(url + "grid")
        expect(page.locator("path.grid-polygon")).to_have_count(1)

        page.get_by_text("English").click()
        expect(page.locator("header h1")).to_have_text("My grids")
        page.locator("button.gg-logout").click()
        expect(page).to_have_url(url + "login")
        assert page.request.get(url + "data/special_groups.json").status == 401
        assert errors == []


def test_the_administrator_sees_the_accounts_and_the_audit_trail(app: dash.Dash, users: dict[str, User]) -> None:
    signed_in(app, users["leader1"]).get("/data/special_groups/detail.json")
    admin = signed_in(app, users["admin"])
    page = admin.post("/_dash-update-component", json=callback("page.children", [("url", "pathname", "/admin")]))
    assert page.status_code == 200
    shown = page.get_data(as_text=True)
    assert all(username in shown for username in users)
    assert "view_personal" in shown and "login" in shown
    assert all(u.password not in shown for u in users.values())


def test_a_grid_leaders_hot_spot_is_computed_over_the_whole_area(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    # complaints in every grid: a grid leader's Gi* must count the neighbours' too, which their
    # row-level-security connection cannot see; the answer must equal the secretary's for that grid
    with psycopg.connect(db_url) as conn:
        conn.execute(
            "INSERT INTO complaints (ticket_id, received_at, geocoded_by, geom, grid_code, load_run_id, source_row)"
            " SELECT g.grid_code || '-' || i, %s, 'wgs84', ST_Centroid(g.geom), g.grid_code,"
            " g.load_run_id, i FROM grids g, generate_series(1, CASE g.grid_code WHEN 'G01' THEN 2 ELSE 9 END) i",
            [CommunitySettings().clock().now() - timedelta(days=1)],
        )
    leader = signed_in(app, users["leader1"]).get("/data/complaint_hotspots.json")
    secretary = signed_in(app, users["shuji"]).get("/data/complaint_hotspots.json?grid=G01")
    assert leader.status_code == secretary.status_code == 200
    mine = leader.get_json()["features"]
    assert [f["id"] for f in mine] == ["G01"]
    assert mine[0]["properties"] == secretary.get_json()["features"][0]["properties"]
    assert mine[0]["properties"]["gi_z"] < 0  # G01 has fewer complaints than its neighbours
