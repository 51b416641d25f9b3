"""Accounts (gridgov user …), password hashes, and row-level security for grid leaders, on a real PostGIS."""

from __future__ import annotations

import secrets
import stat
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from community import LAYER_SETTINGS
from seed_sql import COMMUNITY, seed_small_community

from gridgov import accounts
from gridgov.access import Role
from gridgov.cli import main
from gridgov.errors import Forbidden, InputError
from gridgov.rls import grid_reader_transaction
from gridgov.settings import LayerSettings
from layers import registry, special_groups
from layers.registry import Filters, Viewer


def _cli(db_url: str, home: Path, args: list[str], stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, args, input=stdin, env={"GRIDGOV_DATABASE_URL": db_url, "GRIDGOV_HOME": str(home)}
    )
    return result.exit_code, result.output


def test_user_add_list_remove_through_the_cli(conn: psycopg.Connection, db_url: str, tmp_path: Path) -> None:
    seed_small_community(conn)
    password = secrets.token_urlsafe(16)
    code, out = _cli(db_url, tmp_path, ["user", "add", "wang", "--role", "grid_leader", "--grid", "G01", "--grid", "G02",
                                        "--password-stdin"], stdin=password + "\n")
    assert code == 0, out
    assert password not in out
    # the interactive way: asked twice, echoed never
    code, out = _cli(db_url, tmp_path, ["user", "add", "li", "--role", "secretary", "--community", COMMUNITY],
                     stdin=f"{password}\n{password}\n")
    assert code == 0, out
    assert password not in out

    code, out = _cli(db_url, tmp_path, ["user", "list"])
    assert code == 0, out
    lines = {line.split()[0]: line.split() for line in out.splitlines()}
    assert lines["wang"][1:3] == ["grid_leader", "G01,G02"]
    assert lines["li"][1] == "secretary"

    assert accounts.authenticate(conn, "wang", password) is not None
    code, out = _cli(db_url, tmp_path, ["user", "remove", "wang"])
    assert code == 0, out
    assert accounts.authenticate(conn, "wang", password) is None
    code, out = _cli(db_url, tmp_path, ["user", "list"])
    assert "wang" not in out and "li" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "grid_leader"], "at least one grid"),
        (["--role", "grid_leader", "--grid", "G09"], "no grid G09"),
        (["--role", "planner", "--grid", "G01"], "only a grid leader"),
    ],
)
def test_user_add_refuses_what_would_make_a_useless_account(
    conn: psycopg.Connection, db_url: str, tmp_path: Path, args: list[str], message: str
) -> None:
    seed_small_community(conn)
    code, out = _cli(db_url, tmp_path, ["user", "add", "zhao", *args, "--password-stdin"], stdin="a-long-password\n")
    assert code == InputError.exit_code
    assert message in out
    assert accounts.get(conn, "zhao") is None


def test_user_add_refuses_a_taken_name_and_a_short_password(conn: psycopg.Connection, db_url: str, tmp_path: Path) -> None:
    code, out = _cli(db_url, tmp_path, ["user", "add", "li", "--role", "planner", "--password-stdin"], stdin="short\n")
    assert code == InputError.exit_code and "at least 10 characters" in out
    assert _cli(db_url, tmp_path, ["user", "add", "li", "--role", "planner", "--password-stdin"], stdin="long enough pw\n")[0] == 0
    code, out = _cli(db_url, tmp_path, ["user", "add", "li", "--role", "admin", "--password-stdin"], stdin="another long one\n")
    assert code == InputError.exit_code and "already a user 'li'" in out
    code, out = _cli(db_url, tmp_path, ["user", "remove", "nobody"])
    assert code == InputError.exit_code and "no user 'nobody'" in out


def test_only_an_argon2_hash_of_the_password_is_stored(conn: psycopg.Connection) -> None:
    password = secrets.token_urlsafe(16)
    accounts.add(conn, "li", role="planner", password=password)
    (stored,) = conn.execute("SELECT password_hash FROM users WHERE username = 'li'").fetchone() or ()
    assert stored.startswith("$argon2id$")
    assert password not in stored
    assert accounts.authenticate(conn, "li", password) is not None
    assert accounts.authenticate(conn, "li", password + "x") is None
    assert accounts.authenticate(conn, "nobody", password) is None
    conn.execute("UPDATE users SET disabled = true WHERE username = 'li'")
    assert accounts.authenticate(conn, "li", password) is None


def test_a_new_password_changes_the_session_tag(conn: psycopg.Connection, db_url: str, tmp_path: Path) -> None:
    accounts.add(conn, "li", role="planner", password="the first password")
    conn.commit()
    before = accounts.get(conn, "li")
    code, out = _cli(db_url, tmp_path, ["user", "passwd", "li", "--password-stdin"], stdin="the second password\n")
    assert code == 0, out
    after = accounts.get(conn, "li")
    assert before and after and before.session_tag != after.session_tag
    assert accounts.authenticate(conn, "li", "the first password") is None
    assert accounts.authenticate(conn, "li", "the second password") is not None


def test_demo_accounts_make_one_working_account_per_role(conn: psycopg.Connection, db_url: str, tmp_path: Path) -> None:
    seed_small_community(conn)
    code, out = _cli(db_url, tmp_path, ["user", "demo-accounts"])
    assert code == 0, out
    kept = tmp_path / "demo-accounts.txt"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert kept.read_text(encoding="utf-8").strip() in out
    rows = [line.split() for line in out.splitlines() if line.startswith("  ") and "password" not in line]
    roles = {}
    for username, password, *_ in rows:
        account = accounts.authenticate(conn, username, password)
        assert account is not None, username
        roles[account.role.value] = account
    assert set(roles) == {"secretary", "grid_leader", "planner", "admin"}
    assert roles["grid_leader"].grids == ("G01",)
    # again: new passwords, the old ones stop working
    first = {r[0]: r[1] for r in rows}
    assert _cli(db_url, tmp_path, ["user", "demo-accounts"])[0] == 0
    assert all(accounts.authenticate(conn, u, p) is None for u, p in first.items())


def _households(conn: psycopg.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT household_id FROM households")}


def test_a_grid_leaders_transaction_reads_only_their_grids_rows(conn: psycopg.Connection) -> None:
    seed_small_community(conn)
    assert len(_households(conn)) == 10  # the app's own role is not restricted
    conn.commit()
    with grid_reader_transaction(conn, ["G01"]):
        # a raw SELECT with no WHERE at all: the policy does the filtering
        assert _households(conn) == {"H01", "H02", "H03", "H04", "H05"}
        (grid_codes,) = conn.execute("SELECT array_agg(DISTINCT grid_code) FROM households").fetchone() or ()
        assert grid_codes == ["G01"]
    with grid_reader_transaction(conn, ["G02", "G03"]):
        assert _households(conn) == {"H06", "H07", "H08", "H09", "H10"}
    # the role and the grids ended with the transaction
    assert len(_households(conn)) == 10


def test_a_layer_query_that_forgets_the_grid_still_cannot_leak_under_rls(conn: psycopg.Connection) -> None:
    seed_small_community(conn)
    conn.commit()
    # call the layer's detail function directly, skipping the registry's scope, as a buggy caller would
    assert special_groups.LAYER.detail is not None
    with grid_reader_transaction(conn, ["G01"]):
        leaked = special_groups.LAYER.detail(conn, Filters(), LayerSettings())
    assert {f["properties"]["grid_code"] for f in leaked["features"]} == {"G01"}


def test_without_grids_the_reader_role_sees_no_rows_and_no_raw_or_account_tables(conn: psycopg.Connection) -> None:
    seed_small_community(conn)
    conn.commit()
    with conn.transaction():
        conn.execute("SET LOCAL ROLE gridgov_grid_reader")  # the role, but no grids set
        assert _households(conn) == set()
    for table in ("quarantine", "users", "audit"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege), grid_reader_transaction(conn, ["G01"]):
            conn.execute(f"SELECT count(*) FROM {table}")


def test_a_grid_leader_may_record_a_visit_only_in_their_own_grid(conn: psycopg.Connection) -> None:
    seed_small_community(conn)
    conn.commit()
    insert = (
        "INSERT INTO visits (visit_id, household_id, visited_at, grid_code, load_run_id, source_row)"
        " VALUES (%s, %s, now(), %s, 1, 0)"
    )
    with grid_reader_transaction(conn, ["G01"]):
        conn.execute(insert, ["V1", "H01", "G01"])
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"), grid_reader_transaction(
        conn, ["G01"]
    ):
        conn.execute(insert, ["V2", "H06", "G02"])
    assert [r[0] for r in conn.execute("SELECT visit_id FROM visits")] == ["V1"]


def test_grid_codes_that_would_widen_the_setting_are_refused(conn: psycopg.Connection) -> None:
    for bad in ([], ["G01,G02"], [""]):
        with pytest.raises(ValueError), grid_reader_transaction(conn, bad):
            pass


def test_a_viewer_may_lead_several_grids_and_the_one_grid_form_still_works(conn: psycopg.Connection) -> None:
    seed_small_community(conn)
    one = Viewer(Role.GRID_LEADER, "G01")
    assert one.grid_codes == ("G01",) and one == Viewer(Role.GRID_LEADER, grid_codes=("G01",))
    two = Viewer(Role.GRID_LEADER, grid_codes=("G02", "G03"))
    assert two.grid_code == "G02"
    features = registry.aggregate(conn, "special_groups", two, Filters(), settings=LAYER_SETTINGS)["features"]
    assert [f["id"] for f in features] == ["G02", "G03"]
    assert [f["id"] for f in registry.aggregate(conn, "special_groups", two, Filters(grids=("G03",)), settings=LAYER_SETTINGS)["features"]] == ["G03"]
    with pytest.raises(Forbidden, match="G01"):
        registry.aggregate(conn, "special_groups", two, Filters(grids=("G01", "G02")), settings=LAYER_SETTINGS)
    with pytest.raises(ValueError):
        Viewer(Role.GRID_LEADER)
