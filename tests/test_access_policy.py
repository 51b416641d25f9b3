"""The access policy (gridgov.access) is the one source of who may see what, and every front-end follows it.

The README's table is the policy rendered, so the two cannot drift. The
dashboard (pages, data URLs, downloads) and the OGC API's sign-in are asked
for every role and compared with `decide`, through their real endpoints on a
real database; the database's row-level security, which cannot import the
policy, is compared with it too. The sign-in check and its limit are one:
failures through either front-end count toward both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import dash
import psycopg
import pytest
from api_client import basic_status
from auth_client import User, callback, login, signed_in
from community import CLOCK
from download_client import csrf_token
from psycopg_pool import ConnectionPool
from test_export import load_demo

from api.auth import Verifier
from dashboard import pages
from gridgov import access, audit, case_store, signin
from gridgov.access import LANDING, Access, Role, Scope, decide
from gridgov.case_store import Opening
from gridgov.cases import Kind, Source
from gridgov.rls import READER_ROLE, grid_reader_transaction
from layers import registry

README = Path(__file__).resolve().parents[1] / "README.md"
ALL_GRIDS = ["G01", "G02", "G03"]


def _readme_table() -> str:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"^\| resource \|.*?\n(?!\|)", text, re.M | re.S)
    assert found, "README.md has no table of the access policy (a header row starting `| resource |`)"
    return found.group(0)


def test_the_readmes_table_is_the_policy() -> None:
    assert _readme_table() == access.markdown(), "paste `python -c 'from gridgov import access; print(access.markdown())'`"


def test_the_policy_names_every_page_and_layer_and_nothing_else() -> None:
    assert set(access.PAGES) == set(pages.PAGES)
    assert set(access.LAYERS) == {layer.name for layer in registry.available()}
    assert set(LANDING) == set(Role) - access.SYSTEM_ROLES  # a system (a token) opens no page
    for role, path in LANDING.items():
        assert decide(role, access.page(path)).allowed, f"a {role} lands on {path}, which it may not open"
    assert decide(Role.SECRETARY, "layer:no_such_layer") == access.REFUSED  # what the policy does not name is refused


def test_a_grid_leader_is_never_shown_more_than_their_own_grids() -> None:
    for resource in access.RULES:
        for role in access.allowed_roles(resource):
            if access.own_grids_only(role):
                assert decide(role, resource).scope is Scope.OWN_GRIDS, (role, resource)


def test_a_layer_the_policy_does_not_name_is_refused_when_it_registers() -> None:
    with pytest.raises(ValueError, match="says nothing of who may see it"):
        registry.register(replace(registry.get("special_groups"), name="special_groups_copy"))


def test_personal_details_are_shown_only_as_personal_columns_allows() -> None:
    for layer in registry.available():
        if layer.personal():
            details = access.layer(layer.name, Access.DETAIL)
            for role in Role:
                if decide(role, details).allowed:
                    assert decide(role, details) == decide(role, access.PERSONAL), (role, layer.name)


def _expected(status_if_allowed: int, decision: access.Decision) -> int:
    return status_if_allowed if decision.allowed else 403


def test_every_role_opens_exactly_the_pages_the_policy_allows(app: dash.Dash, users: dict[str, User]) -> None:
    for user in users.values():
        role = Role(user.role)
        client = app.server.test_client()
        assert login(client, user.username, user.password).headers["Location"] == LANDING[role]
        for path in pages.PAGES:
            decision = decide(role, access.page(path))
            response = client.get(path)
            if not decision.allowed and path == "/":
                assert (response.status_code, response.headers["Location"]) == (302, LANDING[role]), role
            else:
                assert response.status_code == _expected(200, decision), (role, path)
            router = client.post("/_dash-update-component", json=callback("page.children", [("url", "pathname", path)]))
            assert router.status_code == _expected(200, decision), (role, path)


def test_every_roles_layer_data_follows_the_policy_in_level_and_scope(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    for user in users.values():
        role = Role(user.role)
        client = signed_in(app, user)
        personal_views = 0
        for layer in registry.available():
            numbers = decide(role, access.layer(layer.name))
            response = client.get(f"/data/{layer.name}.json")
            assert response.status_code == _expected(200, numbers), (role, layer.name)
            if numbers.allowed:
                grids = [f["properties"]["grid_code"] for f in response.get_json()["features"]]
                assert grids == (list(user.grids) if numbers.scope is Scope.OWN_GRIDS else ALL_GRIDS), (role, layer.name)
            details = decide(role, access.layer(layer.name, Access.DETAIL))
            response = client.get(f"/data/{layer.name}/detail.json")
            assert response.status_code == _expected(200, details), (role, layer.name)
            if details.allowed and details.scope is Scope.OWN_GRIDS:
                shown = {f["properties"]["grid_code"] for f in response.get_json()["features"]}
                assert shown <= set(user.grids), (role, layer.name)
            personal_views += details.allowed and layer.personal()
        with psycopg.connect(db_url) as conn:
            views = [e for e in audit.recent(conn, limit=1000, username=user.username) if e.action == audit.VIEW_PERSONAL]
        assert len(views) == personal_views, role  # every view of personal columns, and only those, audited
        # de-identified: a count below 5 is withheld (G01 has 3 special-group households); otherwise shown
        special = decide(role, access.layer("special_groups"))
        if special.allowed and special.scope is not Scope.OWN_GRIDS:
            features = client.get("/data/special_groups.json").get_json()["features"]
            by_grid = {f["properties"]["grid_code"]: f["properties"] for f in features}
            withheld = by_grid["G01"]["special_households"] is None
            assert withheld == (special.scope is Scope.DEIDENTIFIED), role
        download = client.post("/data/special_groups.geojson", data={"csrf_token": csrf_token(client, LANDING[role])})
        assert download.status_code == _expected(200, decide(role, access.DOWNLOADS)), role


@pytest.fixture
def api_sign_in(users: dict[str, User], db_url: str) -> Iterator[Verifier]:
    with ConnectionPool(db_url, min_size=1, max_size=2) as pool:
        yield Verifier(pool, cache_seconds=0)


def test_the_ogc_api_accepts_exactly_the_roles_the_policy_allows(
    users: dict[str, User], api_sign_in: Verifier
) -> None:
    for user in users.values():
        decision = decide(Role(user.role), access.api("ogc"))
        assert basic_status(api_sign_in, user.username, user.password) == _expected(200, decision)


def test_failed_sign_ins_through_either_front_end_count_toward_one_limit(
    app: dash.Dash, users: dict[str, User], api_sign_in: Verifier, db_url: str
) -> None:
    user = users["guihua"]
    half = signin.MAX_FAILURES // 2
    for _ in range(half):
        assert login(app.server.test_client(), user.username, "not the password").status_code == 401
    for _ in range(signin.MAX_FAILURES - half):
        assert basic_status(api_sign_in, user.username, "not the password") == 401
    # the right password, too late through either
    assert basic_status(api_sign_in, user.username, user.password) == 429
    assert login(app.server.test_client(), user.username, user.password).status_code == 429
    with psycopg.connect(db_url) as conn:
        failed = [e.detail for e in audit.recent(conn, username=user.username) if e.action == audit.LOGIN_FAILED]
    assert failed[:2] == [{"reason": "throttled"}, {"reason": "throttled", "via": "ogc_api"}]  # newest first
    assert failed.count({"reason": "wrong"}) == half
    assert failed.count({"reason": "wrong", "via": "ogc_api"}) == signin.MAX_FAILURES - half


def test_row_level_security_gives_a_grid_leader_the_tables_the_policy_scopes_to_own_grids(
    conn: psycopg.Connection, db_url: str
) -> None:
    load_demo(db_url)
    guarded = {
        r[0]
        for r in conn.execute(
            "SELECT c.relname FROM pg_policies AS p JOIN pg_class AS c ON c.relname = p.tablename"
            " WHERE p.schemaname = 'public' AND %s = ANY(p.roles) AND p.cmd IN ('SELECT', 'ALL') AND c.relrowsecurity",
            [READER_ROLE],
        )
    }
    assert guarded == access.OWN_GRID_TABLES | access.THROUGH_OWN_CASES | access.OWN_GRID_FIELD_EVENTS
    grids = [r[0] for r in conn.execute("SELECT grid_code FROM grids ORDER BY grid_code LIMIT 3")]
    conn.commit()
    for grid in grids:  # the demo has no cases of the loop yet: one in each of three grids, two of them the leader's
        case_store.open_case(conn, Opening(Kind.WORK_ORDER, grid_code=grid), source=Source.INTAKE, actor="t", clock=CLOCK)
    grids = grids[:2]
    counts = {
        table: dict(conn.execute(f"SELECT grid_code, count(*) FROM {table} GROUP BY 1").fetchall())
        for table in access.OWN_GRID_TABLES
    }
    own_events = conn.execute(
        "SELECT count(*) FROM case_events JOIN cases USING (case_id) WHERE grid_code = ANY(%s)", [grids]
    ).fetchone()[0]  # type: ignore[index]
    conn.commit()
    with grid_reader_transaction(conn, grids):
        for table in sorted(access.OWN_GRID_TABLES):
            seen = dict(conn.execute(f"SELECT grid_code, count(*) FROM {table} GROUP BY 1").fetchall())
            assert seen == {g: n for g, n in counts[table].items() if g in grids}, table
            assert seen, f"the demo has no {table} in {grids}: nothing was checked"
        events = {r[0] for r in conn.execute("SELECT DISTINCT c.grid_code FROM case_events JOIN cases c USING (case_id)")}
        assert events == set(grids)
        # the leader sees the events of their grids' cases (the file's work orders and hazards among them), no other
        assert conn.execute("SELECT count(*) FROM case_events").fetchone() == (own_events,)
