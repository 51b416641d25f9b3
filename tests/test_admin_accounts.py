"""The administrator's account work on /admin and `gridgov user`: add (first password shown once), disable, enable,
reset the password (shown once), change role and grids, end sessions; each audited with the admin's name, none
possible for another role (gridgov/account_changes.py, dashboard/admin/accounts.py)."""

from __future__ import annotations

from pathlib import Path

import dash
import psycopg
import pytest
from admin_forms import ACCOUNT_BUTTONS, account_change, shown_once
from auth_client import User, login
from auth_client import signed_in as signed_in_user
from click.testing import CliRunner
from flask.testing import FlaskClient
from seed_sql import COMMUNITY, seed_small_community

from gridgov import account_changes, accounts, audit
from gridgov.cli import main
from gridgov.errors import InputError

DATA = "/data/special_groups.json"  # the per-grid numbers a grid leader sees of their own grids


def _sign_in(app: dash.Dash, username: str, password: str) -> FlaskClient | None:
    client = app.server.test_client()
    return client if login(client, username, password).status_code == 302 else None


def _grids_seen(client: FlaskClient) -> list[str]:
    answer = client.get(DATA)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return sorted(f["id"] for f in answer.get_json()["features"])


def _message(response: object) -> str:
    return str(response.get_data(as_text=True))  # type: ignore[attr-defined]


def _trail(db_url: str) -> list[tuple[str, str, str]]:
    with psycopg.connect(db_url) as conn:
        return [(e.username, e.action, e.detail.get("account", "")) for e in audit.recent(conn, limit=500)
                if e.action in account_changes.ACTIONS][::-1]


def test_the_admin_runs_a_grid_leaders_account_on_the_web(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    admin = signed_in_user(app, users["admin"])
    added = account_change(admin, "admin-acct-add", name="wang", role="grid_leader", add_grids=["G01"])
    assert added.status_code == 200 and "已新建 wang" in _message(added)
    first = shown_once(added)
    leader = _sign_in(app, "wang", first)
    assert leader is not None and _grids_seen(leader) == ["G01"]

    # disabled: the very next request is refused; enabled: the same password signs in again
    assert "已停用 wang" in _message(account_change(admin, "admin-acct-disable", pick="wang"))
    assert leader.get(DATA).status_code == 401
    assert _sign_in(app, "wang", first) is None
    assert "已启用 wang" in _message(account_change(admin, "admin-acct-enable", pick="wang"))
    leader = _sign_in(app, "wang", first)
    assert leader is not None

    # a new grid set is what the leader sees at their next request, in the same session
    changed = account_change(admin, "admin-acct-set-role", pick="wang", new_role="grid_leader", set_grids=["G02", "G03"])
    assert "G02, G03" in _message(changed)
    assert _grids_seen(leader) == ["G02", "G03"]

    # sessions ended: signed out, though the password still works
    assert "已结束 wang 的 1 个会话" in _message(account_change(admin, "admin-acct-end", pick="wang"))
    assert leader.get(DATA).status_code == 401

    # a reset: a new password shown once, the old one refused
    reset = account_change(admin, "admin-acct-reset", pick="wang")
    second = shown_once(reset)
    assert second != first
    assert _sign_in(app, "wang", first) is None
    assert _sign_in(app, "wang", second) is not None

    assert _trail(db_url) == [
        ("admin", "account_added", "wang"), ("admin", "account_disabled", "wang"), ("admin", "account_enabled", "wang"),
        ("admin", "account_role_changed", "wang"), ("admin", "sessions_ended", "wang"), ("admin", "password_reset", "wang"),
    ]
    with psycopg.connect(db_url) as conn:
        stored = conn.execute("SELECT password_hash FROM users WHERE username = 'wang'").fetchone()
        trail = conn.execute("SELECT string_agg(detail::text || coalesce(ip, ''), ' ') FROM audit").fetchone()
    assert stored is not None and second not in stored[0] and stored[0].startswith("$argon2id$")
    assert trail is not None and first not in trail[0] and second not in trail[0]  # never a password in the trail


def test_a_role_change_moves_the_account_to_the_new_roles_pages(app: dash.Dash, users: dict[str, User]) -> None:
    admin = signed_in_user(app, users["admin"])
    leader = signed_in_user(app, users["leader1"])
    assert leader.get("/grid").status_code == 200
    answer = account_change(admin, "admin-acct-set-role", pick="leader1", new_role="planner")
    assert "规划人员" in _message(answer)
    assert leader.get("/grid").status_code == 403  # the role is read afresh at every request
    assert leader.get("/export").status_code == 200
    assert len(leader.get(DATA).get_json()["features"]) == 3  # a planner's view: every grid, de-identified


@pytest.mark.parametrize(
    ("button", "fields", "said"),
    [
        ("admin-acct-add", {"name": "x y", "role": "planner"}, "a username is"),
        ("admin-acct-add", {"name": "li", "role": "grid_leader"}, "needs at least one grid"),
        ("admin-acct-add", {"name": "li", "role": "grid_leader", "add_grids": ["G99"]}, "no grid G99"),
        ("admin-acct-add", {"name": "li", "role": "planner", "add_grids": ["G01"]}, "not scoped by grids"),
        ("admin-acct-add", {"name": "li", "role": "king"}, "unknown role"),
        ("admin-acct-add", {"name": "leader1", "role": "planner"}, "already a user"),
        ("admin-acct-disable", {}, "请先选择账号"),
        ("admin-acct-disable", {"pick": "nobody"}, "there is no user"),
        ("admin-acct-enable", {"pick": "leader1"}, "enabled already"),
        ("admin-acct-disable", {"pick": "admin"}, "last enabled administrator"),
        ("admin-acct-set-role", {"pick": "admin", "new_role": "planner"}, "last enabled administrator"),
        ("admin-acct-add", {"name": ["a"], "role": "planner"}, "must be text"),
        ("admin-acct-add", {"name": "li", "role": "grid_leader", "add_grids": [1]}, "list of texts"),
    ],
)
def test_a_bad_change_is_said_on_the_page_and_changes_nothing(
    app: dash.Dash, users: dict[str, User], db_url: str, button: str, fields: dict[str, object], said: str
) -> None:
    with psycopg.connect(db_url) as conn:
        before = accounts.list_accounts(conn)
    answer = account_change(signed_in_user(app, users["admin"]), button, **fields)
    assert answer.status_code == 200 and said in _message(answer) and "gg-form-error" in _message(answer)
    with psycopg.connect(db_url) as conn:
        assert accounts.list_accounts(conn) == before
        assert not [e for e in audit.recent(conn) if e.action in account_changes.ACTIONS]


def test_no_other_role_may_change_an_account_and_nothing_changes(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    with psycopg.connect(db_url) as conn:
        before = accounts.list_accounts(conn)
    for username in ("shuji", "leader1", "guihua"):
        crafted = signed_in_user(app, users[username])
        for button in ACCOUNT_BUTTONS:
            answer = account_change(crafted, button, name="mole", role="admin", pick="leader23", new_role="admin")
            assert answer.status_code == 403, (username, button)
        assert "mole" not in crafted.get("/admin").get_data(as_text=True)
        assert crafted.get("/admin").status_code == 403
    assert account_change(app.server.test_client(), "admin-acct-add", name="mole", role="admin").status_code == 401
    with psycopg.connect(db_url) as conn:
        assert accounts.list_accounts(conn) == before
        assert not [e for e in audit.recent(conn) if e.action in account_changes.ACTIONS]


def _cli(db_url: str, home: Path, args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, env={"GRIDGOV_DATABASE_URL": db_url, "GRIDGOV_HOME": str(home)})
    return result.exit_code, result.output


def test_the_command_line_makes_the_same_changes_with_clear_refusals(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with psycopg.connect(db_url) as conn:
        seed_small_community(conn)
        account_changes.add(conn, "zhao", role="grid_leader", scope={"grids": ["G01"]}, by="test")
    assert _cli(db_url, tmp_path, ["user", "set-grids", "zhao", "--grid", "G02", "--grid", "G03"]) == (
        0, "zhao is now grid_leader of G02, G03\n")
    assert _cli(db_url, tmp_path, ["user", "disable", "zhao"])[0] == 0
    code, out = _cli(db_url, tmp_path, ["user", "disable", "zhao"])
    assert code != 0 and "disabled already" in out
    assert _cli(db_url, tmp_path, ["user", "enable", "zhao"])[0] == 0
    assert _cli(db_url, tmp_path, ["user", "end-sessions", "zhao"]) == (0, "ended 0 session(s) of zhao\n")
    code, out = _cli(db_url, tmp_path, ["user", "set-role", "zhao", "--role", "planner"])
    assert code == 0 and "zhao is now planner" in out
    code, out = _cli(db_url, tmp_path, ["user", "set-grids", "zhao", "--grid", "G01"])
    assert code != 0 and "no grid leader" in out
    code, out = _cli(db_url, tmp_path, ["user", "set-role", "zhao", "--role", "grid_leader"])
    assert code != 0 and "at least one grid" in out
    code, out = _cli(db_url, tmp_path, ["user", "enable", "nobody"])
    assert code != 0 and "no user 'nobody'" in out
    with psycopg.connect(db_url) as conn:
        found = accounts.get(conn, "zhao")
        assert found is not None and (found.role.value, found.grids, found.disabled) == ("planner", (), False)
        actions = [e.action for e in audit.recent(conn) if e.detail.get("account") == "zhao"][::-1]
    assert actions == ["account_added", "account_role_changed", "account_disabled", "account_enabled",
                       "sessions_ended", "account_role_changed"]


def test_the_kernel_refuses_a_scope_field_no_role_has() -> None:
    assert set(account_changes.FIELDS) >= {f for fields in account_changes.SCOPE_FIELDS.values() for f in fields}
    with pytest.raises(InputError, match="unknown role"):
        account_changes.role_of(["admin"])


def test_a_secretarys_communities_are_her_scope_on_the_web(app: dash.Dash, users: dict[str, User], db_url: str) -> None:
    admin = signed_in_user(app, users["admin"])
    added = account_change(admin, "admin-acct-add", name="li", role="secretary", add_communities=[COMMUNITY])
    assert "已新建 li" in _message(added)
    secretary = _sign_in(app, "li", shown_once(added))
    assert secretary is not None and len(secretary.get(DATA).get_json()["features"]) == 3
    refused = account_change(admin, "admin-acct-add", name="zhou", role="street_officer")
    assert "needs a street" in _message(refused)
    refused = account_change(admin, "admin-acct-set-role", pick="li", new_role="secretary", set_communities=["别的社区"])
    assert "no community '别的社区'" in _message(refused)
    with psycopg.connect(db_url) as conn:
        found = accounts.get(conn, "li")
        assert found is not None and found.communities == (COMMUNITY,)
    # the leader becomes a secretary: the grids go, the communities come, in one change
    moved = account_change(admin, "admin-acct-set-role", pick="leader1", new_role="secretary", set_communities=[COMMUNITY],
                           set_grids=["G01"])
    assert "not scoped by grids" in _message(moved)
    moved = account_change(admin, "admin-acct-set-role", pick="leader1", new_role="secretary", set_communities=[COMMUNITY])
    assert f"范围：{COMMUNITY}" in _message(moved)
    with psycopg.connect(db_url) as conn:
        found = accounts.get(conn, "leader1")
        assert found is not None and (found.grids, found.communities) == ((), (COMMUNITY,))
