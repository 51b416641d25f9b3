"""Units called in on a case (吹哨报到) are data: added, listed and disabled by the administrator, from the command
line and on /admin, every change audited; a disabled unit can no longer be called in (gridgov/units.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dash
import psycopg
import pytest
from auth_client import User, callback, signed_in
from click.testing import CliRunner
from community import CLOCK
from dash_body import dash_body
from seed_sql import seed_small_community

from gridgov import audit, case_store, units
from gridgov.case_store import Opening
from gridgov.cases import Event, Kind, Source
from gridgov.cli import main
from gridgov.errors import InputError


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db_url, autocommit=True) as c:
        seed_small_community(c)
        yield c


def test_a_unit_is_added_listed_offered_for_its_categories_and_disabled(conn: psycopg.Connection) -> None:
    units.add(conn, "东区派出所", kind="police", contact="张警官 010-1234", categories=["治安", "噪音扰民"],
              ack_hours=4, by="admin")
    units.add(conn, "街道城管科", kind="street_department", by="admin")  # no categories: takes any
    assert [(u.name, u.categories, u.ack_hours) for u in units.list_units(conn)] == [
        ("东区派出所", ("治安", "噪音扰民"), 4.0), ("街道城管科", (), 24.0),
    ]
    assert [u.name for u in units.for_category(conn, "噪音扰民")] == ["东区派出所", "街道城管科"]
    assert [u.name for u in units.for_category(conn, "占道经营")] == ["街道城管科"]

    units.disable(conn, "东区派出所", by="admin")
    assert [u.name for u in units.for_category(conn, "噪音扰民")] == ["街道城管科"]
    assert [u.active for u in units.list_units(conn)] == [False, True]  # kept: its past escalations name it
    # a disabled unit is no longer called in
    case_id = case_store.open_case(conn, Opening(Kind.WORK_ORDER, category="噪音扰民", grid_code="G01"),
                                   source=Source.INTAKE, actor="12345", clock=CLOCK)
    with pytest.raises(InputError, match="no active unit"):
        case_store.append(conn, case_id, Event("escalate", Source.SECRETARY, CLOCK.now(), "shuji",
                                               {"units": ["东区派出所"], "reason": "需民警到场"}))
    trail = [(e.action, e.username, e.detail["unit"]) for e in audit.recent(conn) if e.action.startswith("unit_")]
    assert trail == [("unit_disabled", "admin", "东区派出所"), ("unit_added", "admin", "街道城管科"),
                     ("unit_added", "admin", "东区派出所")]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "  "}, "needs a name"),
        ({"name": "x" * 101}, "at most 100"),
        ({"kind": "army"}, "kind is one of"),
        ({"ack_hours": 0}, "more than 0"),
        ({"ack_hours": 10_000}, "at most"),
        ({"contact": "a\x00b"}, "control characters"),
    ],
)
def test_a_bad_unit_is_refused_with_what_is_wrong(conn: psycopg.Connection, fields: dict[str, Any], message: str) -> None:
    wanted: dict[str, Any] = {"name": "物业公司", "kind": "property", "ack_hours": 24} | fields
    with pytest.raises(InputError, match=message):
        units.add(conn, wanted.pop("name"), by="admin", **wanted)
    assert units.list_units(conn) == []


def test_a_name_is_taken_once_and_disabling_twice_says_so(conn: psycopg.Connection) -> None:
    units.add(conn, "物业公司", kind="property", by="admin")
    with pytest.raises(InputError, match="already a unit"):
        units.add(conn, "物业公司", kind="other", by="admin")
    units.disable(conn, "物业公司", by="admin")
    with pytest.raises(InputError, match="no active unit"):
        units.disable(conn, "物业公司", by="admin")


def test_the_command_line_adds_lists_and_disables_units(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDGOV_DATABASE_URL", db_url)
    runner = CliRunner()
    added = runner.invoke(main, ["unit", "add", "自来水公司", "--kind", "utility", "--contact", "王工 010-5678",
                                 "--categories", "供水,管道", "--ack-hours", "6"])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(main, ["unit", "list"])
    assert "自来水公司\tutility\t6 h\t供水,管道\t王工 010-5678" in listed.output
    assert runner.invoke(main, ["unit", "disable", "自来水公司"]).exit_code == 0
    assert "(disabled)" in runner.invoke(main, ["unit", "list"]).output
    again = runner.invoke(main, ["unit", "disable", "自来水公司"])
    assert again.exit_code != 0 and "no active unit" in again.output
    bad = runner.invoke(main, ["unit", "add", "x", "--kind", "army"])
    assert bad.exit_code != 0
    with psycopg.connect(db_url) as conn:
        assert {e.action for e in audit.recent(conn)} >= {"unit_added", "unit_disabled"}


def _admin_change(client: Any, trigger: str, **state: Any) -> Any:
    fields = {"admin-unit-name": None, "admin-unit-kind": None, "admin-unit-contact": None,
              "admin-unit-categories": None, "admin-unit-ack-hours": 24, "admin-unit-disable": None} | state
    button = {"add": "admin-unit-add", "update": "admin-unit-update"}.get(trigger, "admin-unit-disable-do")
    body = dash_body(
        ["admin-unit-message.children", "admin-units.children", "admin-unit-disable.options"],
        [(b, "n_clicks", int(b == button)) for b in ("admin-unit-add", "admin-unit-update", "admin-unit-disable-do")],
        [(key, "value", value) for key, value in fields.items()],
        changed=f"{button}.n_clicks",
    )
    return client.post("/_dash-update-component", json=body)


def test_the_admin_page_adds_and_disables_units_and_no_one_else_can(
    app: dash.Dash, users: dict[str, User], db_url: str
) -> None:
    admin = signed_in(app, users["admin"])
    page = admin.post("/_dash-update-component", json=callback("page.children", [("url", "pathname", "/admin")]))
    assert page.status_code == 200 and "吹哨报到单位" in page.get_data(as_text=True)
    added = _admin_change(admin, "add", **{"admin-unit-name": "物业公司", "admin-unit-kind": "property",
                                           "admin-unit-categories": "环境卫生，停车管理", "admin-unit-ack-hours": 12})
    assert added.status_code == 200, added.get_data(as_text=True)
    assert "已添加单位 物业公司" in added.get_data(as_text=True)
    refused = _admin_change(admin, "add", **{"admin-unit-name": "物业公司", "admin-unit-kind": "property"})
    assert refused.status_code == 200 and "already a unit" in refused.get_data(as_text=True)  # said on the page
    for username in ("shuji", "leader1", "guihua"):
        crafted = _admin_change(signed_in(app, users[username]), "disable", **{"admin-unit-disable": "物业公司"})
        assert crafted.status_code == 403, username
    assert _admin_change(app.server.test_client(), "disable", **{"admin-unit-disable": "物业公司"}).status_code == 401
    with psycopg.connect(db_url) as conn:
        (unit,) = units.list_units(conn)
        assert (unit.categories, unit.ack_hours, unit.active) == (("环境卫生", "停车管理"), 12.0, True)
    disabled = _admin_change(admin, "disable", **{"admin-unit-disable": "物业公司"})
    assert disabled.status_code == 200 and "已停用单位 物业公司" in disabled.get_data(as_text=True)
    with psycopg.connect(db_url) as conn:
        assert [u.active for u in units.list_units(conn)] == [False]
        assert [(e.action, e.username) for e in audit.recent(conn) if e.action.startswith("unit_")] == [
            ("unit_disabled", "admin"), ("unit_added", "admin"),
        ]
