"""Attacks on the dashboard's sessions (issue 12, finding 5) and on the wall's device sign-in.

Finding 5: after `POST /logout` a copied cookie still read names and phones,
and every request re-issued it with a new 12-hour lifetime. Each test sends
the attack (a copy of the cookie, replayed from another client) or a variant
(after a password change, a disabled or removed account, past the idle or the
absolute lifetime) and asserts the refusal. The wall device: a long-lived
sign-in that opens the wall and nothing else, and ends when revoked. Time is
moved by ageing the session records, never by sleeping.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import dash
import psycopg
import pytest
from api_client import basic_status
from auth_client import User, callback, login, running_app, signed_in
from click.testing import CliRunner
from download_client import csrf_token
from flask.testing import FlaskClient
from psycopg_pool import ConnectionPool
from seed_sql import COMMUNITY
from test_dashboard_wall import wall_request

from api.auth import Verifier
from dashboard import pages
from dashboard.web import data_urls
from gridgov import accounts, audit, devices, sessions
from gridgov.cli import main
from layers import registry

COOKIE = "gridgov_session"
PERSONAL = "/data/special_groups/detail.json"  # names and phones of the leader's households


def _copy(app: dash.Dash, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of `client`'s session cookie (what an attacker lifted)."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    thief = app.server.test_client()
    thief.set_cookie(COOKIE, cookie.value)
    return thief


def _sid(app: dash.Dash, client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    data = app.server.session_interface.get_signing_serializer(app.server).loads(cookie.value)  # type: ignore[attr-defined]
    return str(data["sid"])


def _refused(client: FlaskClient) -> None:
    """Everything a signed-out browser is refused: data (401), a callback (401), a page (to the sign-in form)."""
    assert client.get(PERSONAL).status_code == 401
    router = callback("page.children", [("url", "pathname", "/grid")])
    assert client.post("/_dash-update-component", json=router).status_code == 401
    page = client.get("/grid")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")


def _age(db_url: str, hours: float) -> None:
    """Move every session and device this many hours into the past, as if that much time had gone by."""
    with psycopg.connect(db_url) as conn:
        shift = timedelta(hours=hours)
        conn.execute(
            "UPDATE sessions SET created_at = created_at - %(s)s, last_seen = last_seen - %(s)s,"
            " idle_expires_at = idle_expires_at - %(s)s, expires_at = expires_at - %(s)s",
            {"s": shift},
        )
        conn.execute("UPDATE wall_devices SET created_at = created_at - %(s)s, expires_at = expires_at - %(s)s", {"s": shift})


def _events(db_url: str, username: str | None = None) -> list[audit.Event]:
    with psycopg.connect(db_url) as conn:
        return audit.recent(conn, limit=1000, username=username)


# ---- finding 5: a copied cookie outlives logout ----


def test_a_copied_cookie_is_refused_once_its_session_signs_out(app: dash.Dash, users: dict[str, User]) -> None:
    leader = signed_in(app, users["leader1"])
    thief = _copy(app, leader)
    assert thief.get(PERSONAL).status_code == 200  # the copy works while the session does
    leader.post("/logout", data={"csrf_token": csrf_token(leader, "/grid")})
    _refused(thief)  # the original attack: the copy read names and phones after logout
    _refused(leader)


def test_a_cookie_kept_from_before_signing_out_cannot_sign_the_browser_back_in(
    app: dash.Dash, users: dict[str, User]
) -> None:
    leader = signed_in(app, users["leader1"])
    kept = leader.get_cookie(COOKIE)
    assert kept is not None
    leader.post("/logout", data={"csrf_token": csrf_token(leader, "/grid")})
    leader.set_cookie(COOKIE, kept.value)  # variant: the same browser puts the old cookie back
    _refused(leader)


def test_signing_in_again_ends_the_session_the_browser_had(app: dash.Dash, users: dict[str, User]) -> None:
    client = signed_in(app, users["leader1"])
    before = _copy(app, client)
    other = users["leader23"]
    form = {"csrf_token": csrf_token(client, "/grid"), "username": other.username, "password": other.password}
    assert client.post("/login", data=form).status_code == 302
    assert client.get("/data/special_groups.json").get_json()["features"][0]["id"] == "G02"
    _refused(before)


@pytest.mark.parametrize(
    "end",
    [
        lambda conn: accounts.set_password(conn, "leader1", "a brand new password"),
        lambda conn: conn.execute("UPDATE users SET disabled = true WHERE username = 'leader1'"),
        lambda conn: conn.execute("UPDATE users SET password_hash = 'x' WHERE username = 'leader1'"),  # by hand
        lambda conn: accounts.remove(conn, "leader1"),
    ],
    ids=["new password", "disabled", "password changed by hand", "removed"],
)
def test_a_copied_cookie_dies_with_a_password_change_or_the_account(
    app: dash.Dash, users: dict[str, User], db_url: str, end: Any
) -> None:
    thief = _copy(app, signed_in(app, users["leader1"]))
    assert thief.get(PERSONAL).status_code == 200
    with psycopg.connect(db_url) as conn:
        end(conn)
    _refused(thief)


def test_a_new_password_through_the_cli_ends_every_session_of_the_account(
    app: dash.Dash, users: dict[str, User], db_url: str, tmp_path: Path
) -> None:
    phone, laptop = signed_in(app, users["leader1"]), signed_in(app, users["leader1"])
    other = signed_in(app, users["leader23"])
    result = CliRunner().invoke(
        main, ["user", "passwd", "leader1", "--password-stdin"], input="a brand new password\n",
        env={"GRIDGOV_DATABASE_URL": db_url, "GRIDGOV_HOME": str(tmp_path)},
    )
    assert result.exit_code == 0, result.output
    _refused(phone)
    _refused(laptop)
    assert other.get("/data/special_groups.json").status_code == 200  # someone else's session goes on


def test_the_record_keeps_only_a_hash_of_the_cookies_id(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    client = signed_in(app, users["leader1"])
    sid = _sid(app, client)
    with psycopg.connect(db_url) as conn:
        rows = conn.execute("SELECT sessions::text FROM sessions").fetchall()
        assert len(rows) == 1 and sid not in rows[0][0]
        assert sessions.lookup(conn, sid) is not None  # the id is what names it


def test_an_idle_session_ends_after_the_idle_lifetime(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    thief = _copy(app, signed_in(app, users["leader1"]))
    _age(db_url, 11.5)  # used half an hour before the idle lifetime (12 h) runs out: still good
    assert thief.get(PERSONAL).status_code == 200
    _age(db_url, 12.5)  # then left unused for longer than it
    _refused(thief)


def test_use_never_extends_a_session_past_its_absolute_lifetime(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    client = signed_in(app, users["leader1"])
    thief = _copy(app, client)
    # used all along (once every 20 minutes), for the 24 hours of session_max_hours: the idle expiry moves, the end not
    for _ in range(24 * 3 + 3):
        _age(db_url, 1 / 3)
        if thief.get(PERSONAL).status_code != 200:
            break
    else:
        pytest.fail("a session kept in use outlived its absolute lifetime")
    with psycopg.connect(db_url) as conn:
        row = conn.execute("SELECT now() - created_at FROM sessions WHERE username = 'leader1'").fetchone()
    assert row is not None and timedelta(hours=23.5) <= row[0] <= timedelta(hours=24.5)
    _refused(thief)


def test_the_cookie_is_never_reissued_beyond_the_sessions_absolute_expiry(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    client = signed_in(app, users["leader1"])
    with psycopg.connect(db_url) as conn:  # twenty minutes left of the absolute lifetime
        conn.execute(
            "UPDATE sessions SET expires_at = now() + interval '20 minutes',"
            " idle_expires_at = now() + interval '20 minutes', last_seen = now() - interval '2 minutes'"
        )
        (ends,) = conn.execute("SELECT expires_at FROM sessions").fetchone() or (None,)
    response = client.get(PERSONAL)
    assert response.status_code == 200
    set_cookie = response.headers.get("Set-Cookie", "")
    found = re.search(r"Expires=([^;]+)", set_cookie)
    assert found, set_cookie
    assert parsedate_to_datetime(found.group(1)) <= ends.replace(microsecond=0) + timedelta(seconds=1)
    with psycopg.connect(db_url) as conn:
        (idle_end,) = conn.execute("SELECT idle_expires_at FROM sessions").fetchone() or (None,)
    assert idle_end <= ends  # the use moved the idle expiry up to the absolute one, not past it


def test_the_cookie_of_a_new_session_lasts_the_idle_lifetime_not_a_fixed_twelve_hours(
    db_url: str, users: dict[str, User]
) -> None:
    with running_app(db_url, session_hours=1.0, session_max_hours=2.0) as built:
        client = built.server.test_client()
        response = login(client, users["shuji"].username, users["shuji"].password)
        found = re.search(r"Expires=([^;]+)", response.headers["Set-Cookie"])
        assert found
        left = parsedate_to_datetime(found.group(1)) - datetime.now(UTC)
        assert timedelta(minutes=55) < left <= timedelta(hours=1, minutes=1)


# ---- the wall's device sign-in ----


def _cli(db_url: str, tmp_path: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["wall-device", *args], env={"GRIDGOV_DATABASE_URL": db_url, "GRIDGOV_HOME": str(tmp_path)})
    assert result.exit_code == 0, result.output
    return result.output


def _device(db_url: str, tmp_path: Path, name: str = "lobby") -> str:
    """Make a wall device through the CLI; the path of its sign-in URL."""
    found = re.search(r"https?://\S+(/wall/device/\S+)", _cli(db_url, tmp_path, "add", name, "--community", COMMUNITY))
    assert found
    return found.group(1)


def _wall_screen(app: dash.Dash, url: str) -> FlaskClient:
    screen = app.server.test_client()
    response = screen.get(url)
    assert response.status_code == 302 and response.headers["Location"] == "/wall", response.get_data(as_text=True)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    return screen


def _shows_the_wall(screen: FlaskClient) -> None:
    assert screen.get("/wall").status_code == 200
    router = screen.post("/_dash-update-component", json=callback("page.children", [("url", "pathname", "/wall")]))
    assert router.status_code == 200, router.get_data(as_text=True)[-300:]
    refresh = screen.post("/_dash-update-component", json=wall_request())
    assert refresh.status_code == 200, refresh.get_data(as_text=True)[-300:]
    for shapes in (data_urls.OUTLINES, data_urls.LABEL_POINTS):
        assert screen.get(shapes).status_code == 200, shapes


def _other_callbacks(app: dash.Dash) -> list[dict[str, Any]]:
    """A request body for every server callback but the router and the wall's own, all inputs empty."""
    bodies = []
    for output, spec in app.callback_map.items():
        if output in ("page.children",) or "wall-" in output or "callback" not in spec:  # (browser-only ones: 404)
            continue
        inputs = [{**i, "value": None} for i in spec["inputs"]]
        state = [{**s, "value": None} for s in spec["state"]]
        outputs: Any = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in output.strip(".").split("...")]
        bodies.append({
            "output": output, "outputs": outputs if output.startswith("..") else outputs[0], "inputs": inputs,
            "changedPropIds": [f"{i['id']}.{i['property']}" for i in spec["inputs"]], "state": state,
        })
    assert bodies, "the app has no callback besides the wall's"
    return bodies


def test_a_wall_device_opens_the_wall_and_its_data_and_is_audited(
    app: dash.Dash, users: dict[str, User], db_url: str, tmp_path: Path
) -> None:
    url = _device(db_url, tmp_path)
    screen = _wall_screen(app, url)
    _shows_the_wall(screen)
    actions = [(e.username, e.action) for e in _events(db_url, "wall:lobby")]
    assert actions == [("wall:lobby", audit.LOGIN), ("wall:lobby", devices.ADDED)]  # newest first
    with psycopg.connect(db_url) as conn:
        (stored,) = conn.execute("SELECT token_hash FROM wall_devices").fetchone() or (None,)
    token = url.rsplit("/", 1)[1]
    assert stored == devices.token_hash(token) and token.encode() not in bytes(stored)


def test_a_wall_device_is_refused_everything_but_the_wall(
    app: dash.Dash, users: dict[str, User], db_url: str, tmp_path: Path
) -> None:
    screen = _wall_screen(app, _device(db_url, tmp_path))
    for path in pages.PAGES:
        if path == "/wall":
            continue
        response = screen.get(path)
        assert response.status_code == 403 or response.headers.get("Location") == "/wall", path
        router = callback("page.children", [("url", "pathname", path)])
        assert screen.post("/_dash-update-component", json=router).status_code == 403, path
    for layer in registry.available():
        for url in (f"/data/{layer.name}.json", f"/data/{layer.name}.pbf", f"/data/{layer.name}/detail.json",
                    f"/data/{layer.name}.geojson", f"/data/{layer.name}.gpkg"):
            assert screen.get(url).status_code == 403, url
            assert screen.post(url).status_code in (403, 405), url
    for body in _other_callbacks(app):
        response = screen.post("/_dash-update-component", json=body)
        assert response.status_code in (400, 401, 403), (body["output"], response.status_code)


def test_a_wall_devices_token_is_no_password_for_the_form_or_the_ogc_api(
    app: dash.Dash, users: dict[str, User], db_url: str, tmp_path: Path
) -> None:
    token = _device(db_url, tmp_path).rsplit("/", 1)[1]
    for username in ("wall:lobby", "lobby"):
        assert login(app.server.test_client(), username, token).status_code == 401
    with ConnectionPool(db_url, min_size=1, max_size=2) as pool:
        verifier = Verifier(pool, cache_seconds=0)
        for username in ("wall:lobby", "lobby"):
            assert basic_status(verifier, username, token) == 401
    failed = [e for e in _events(db_url) if e.action == audit.LOGIN_FAILED]
    assert len(failed) == 4 and {e.detail["reason"] for e in failed} == {"wrong"}


def test_revoking_a_wall_device_ends_its_session_at_once(
    app: dash.Dash, users: dict[str, User], db_url: str, tmp_path: Path
) -> None:
    url = _device(db_url, tmp_path)
    screen = _wall_screen(app, url)
    copy = _copy(app, screen)
    _shows_the_wall(copy)
    assert "revoked wall device lobby" in _cli(db_url, tmp_path, "revoke", "lobby")
    for client in (screen, copy):
        assert client.post("/_dash-update-component", json=wall_request()).status_code == 401
        page = client.get("/wall")
        assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    assert app.server.test_client().get(url).status_code == 401  # and the URL signs in no more
    assert [e.action for e in _events(db_url, "wall:lobby")][:2] == [devices.REVOKED, audit.LOGIN]
    failed = [e for e in _events(db_url) if e.action == audit.LOGIN_FAILED]
    assert failed and failed[0].detail == {"reason": "wrong", "via": "wall_device"}
    assert "revoked" in _cli(db_url, tmp_path, "list")
    assert _cli(db_url, tmp_path, "add", "lobby", "--community", COMMUNITY)  # the name can be given to a new device


def test_a_wall_device_outlives_a_persons_session_but_not_its_own_lifetime(
    app: dash.Dash, users: dict[str, User], db_url: str, tmp_path: Path
) -> None:
    screen = _wall_screen(app, _device(db_url, tmp_path))
    secretary = signed_in(app, users["shuji"])
    _age(db_url, 30 * 24)  # a month with the screen off over weekends: not a request
    _shows_the_wall(screen)
    assert secretary.get("/wall").status_code == 302  # a person's sign-in is long over
    _age(db_url, 340 * 24)  # past the device's 365 days
    page = screen.get("/wall")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")


def test_a_wrong_or_expired_device_url_signs_nothing_in(
    app: dash.Dash, users: dict[str, User], db_url: str, tmp_path: Path
) -> None:
    url = _device(db_url, tmp_path)
    wrong = app.server.test_client()
    assert wrong.get(url + "x").status_code == 401
    assert wrong.get("/wall").status_code == 302
    with psycopg.connect(db_url) as conn:
        conn.execute("UPDATE wall_devices SET expires_at = now() - interval '1 second', created_at = now() - interval '1 day'")
    assert app.server.test_client().get(url).status_code == 401
