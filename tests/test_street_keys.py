"""Every fact row carries its grid's street key (street_code, migration 033): the column a distributed PostgreSQL
would shard by. After `gridgov load` of the demo street, after the case loop and the field's visits, after a grid
file moves a community to another street and a case is reassigned across streets, no row's key differs from its
grid's (a case's rows: from their case's grid); a grid file without a street gives '' everywhere. And no table
with a grid (or reached through a case) can be added without the key."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from community import CLOCK
from photo_samples import png

from gridgov import case_links, case_store, photos, units, visits
from gridgov.access import Role
from gridgov.accounts import Account
from gridgov.case_store import Opening
from gridgov.cases import Event, Kind, Source
from gridgov.cli import main
from gridgov.rls import grid_reader_transaction

DEMO = Path(__file__).resolve().parents[1] / "geodata" / "demo"
STREET_CODE, STREET_NAME = "110105018", "八里庄街道"  # the demo's street
SECOND = "晨光里社区"  # the demo's second community, moved to another street below
OTHER_CODE, OTHER_NAME = "110105017", "十里堡街道"
WEEK = timedelta(days=7)  # a unit's link lasts
# tables with a grid that are shared by every street (reference tables in docs/SCALING.md), not sharded
REFERENCE = {"grids", "grid_neighbours"}

# the tables that carry a grid, and those reached through a case, as the catalog lists them
_WITH_COLUMN = """
SELECT c.table_name FROM information_schema.columns AS c
JOIN information_schema.tables AS t USING (table_schema, table_name)
WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.column_name = %s
ORDER BY 1
"""
# the rule, spelt out: the grid file's street code, else its street name, else ''
_GRID_KEY = "coalesce(nullif(g.street_code, ''), nullif(g.street_name, ''), '')"


def tables_with(conn: psycopg.Connection, column: str) -> list[str]:
    return [r[0] for r in conn.execute(_WITH_COLUMN, [column])]


def wrong_keys(conn: psycopg.Connection) -> dict[str, int]:
    """Per table that carries the key, how many rows have a key other than their grid's (or their case's grid's)."""
    wrong: dict[str, int] = {}
    for table in sorted(set(tables_with(conn, "grid_code")) - REFERENCE):
        wrong[table] = conn.execute(  # table: a name from the catalog
            f"SELECT count(*) FROM {table} AS t LEFT JOIN grids AS g ON g.grid_code = t.grid_code"
            f" WHERE t.street_code IS DISTINCT FROM {_GRID_KEY}"
        ).fetchone()[0]  # type: ignore[index]
    for table in sorted(set(tables_with(conn, "case_id")) - {"cases"}):
        wrong[table] = conn.execute(
            f"SELECT count(*) FROM {table} AS t JOIN cases AS c USING (case_id)"
            f" LEFT JOIN grids AS g ON g.grid_code = c.grid_code WHERE t.street_code IS DISTINCT FROM {_GRID_KEY}"
        ).fetchone()[0]  # type: ignore[index]
    return wrong


def keys_of(conn: psycopg.Connection, table: str) -> dict[str, int]:
    return dict(conn.execute(f"SELECT street_code, count(*) FROM {table} GROUP BY 1").fetchall())  # type: ignore[arg-type]


def case_keys(conn: psycopg.Connection, table: str, case_id: str) -> list[str]:
    """The distinct street keys of one case's rows in `table`."""
    return conn.execute(f"SELECT array_agg(DISTINCT street_code) FROM {table} WHERE case_id = %s",
                        [case_id]).fetchone()[0]  # type: ignore[index]


def gridgov_load(url: str, path: Path) -> None:
    result = CliRunner().invoke(main, ["load", str(path)], env={"GRIDGOV_DATABASE_URL": url})
    assert result.exit_code == 0, result.output


def demo_copy(folder: Path, change: Any) -> Path:
    """The demo's files in `folder`, its grid file's features' properties changed by `change`."""
    shutil.copytree(DEMO, folder)
    path = folder / "grids.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    for feature in doc["features"]:
        change(feature["properties"])
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return folder


def ev(action: str, source: Source, actor: str, **detail: object) -> Event:
    return Event(action, source, CLOCK.now(), actor, detail)


def leader(grid: str) -> Account:
    return Account("leader1", Role.GRID_LEADER, (grid,), False, datetime(2026, 1, 1, tzinfo=UTC), "tag")


def worked_case(conn: psycopg.Connection, grid: str) -> str:
    """A work order placed in `grid`, responded to in the field, escalated to a unit (with its link), with a photo."""
    if units.get(conn, "街道城管科") is None:
        units.add(conn, "街道城管科", kind="street_department", contact="李科长 010-8888", ack_hours=4, by="admin")
    case_id = case_store.open_case(conn, Opening(Kind.WORK_ORDER, category="噪音扰民", description="夜间施工噪音"),
                                   source=Source.INTAKE, actor="12345", clock=CLOCK)
    case_store.append(conn, case_id, ev("assign", Source.SECRETARY, "shuji", grid_code=grid))
    with grid_reader_transaction(conn, [grid]):
        case_store.append(conn, case_id, ev("respond", Source.FIELD, "leader1"))
        photos.store(conn, case_id, photos.clean(png()), source=Source.FIELD, actor="leader1", clock=CLOCK)
    case_store.append(conn, case_id, ev("escalate", Source.SECRETARY, "shuji", units=["街道城管科"],
                                        reason="夜间施工未办许可"))
    case_links.issue(conn, case_id, ["街道城管科"], clock=CLOCK, lifetime=WEEK, by="shuji")
    return case_id


def field_visit(conn: psycopg.Connection, community: str) -> str:
    """A visit recorded and undone by a grid leader of `community`, to a household due visits; the visit's id."""
    row = conn.execute(
        "SELECT h.household_id, h.grid_code FROM households AS h JOIN grids AS g USING (grid_code)"
        " WHERE g.community_name = %s AND h.groups && (SELECT array_agg(group_key) FROM visit_rules)"
        " ORDER BY 1 LIMIT 1", [community]).fetchone()
    assert row is not None
    household, grid = row
    with grid_reader_transaction(conn, [grid]):
        visit = visits.record(conn, CLOCK, leader(grid), household, CLOCK.today(), "在家")
    with grid_reader_transaction(conn, [grid]):
        assert isinstance(visits.undo(conn, CLOCK, leader(grid), visit.visit_id), visits.Undone)
    return visit.visit_id


def file_case_noted(conn: psycopg.Connection, community: str) -> str:
    """A work order of the office's file in `community`, noted on in the field (its row and import event are made
    by this first action, migration 025's open_file_case): its case."""
    row = conn.execute("SELECT min(ticket_id), min(grid_code) FROM complaints WHERE grid_code ="
                       " (SELECT min(grid_code) FROM grids WHERE community_name = %s)", [community]).fetchone()
    assert row is not None and row[0] is not None
    case_id = case_store.file_case_id(Kind.WORK_ORDER, row[0])
    with grid_reader_transaction(conn, [row[1]]):
        case_store.append(conn, case_id, ev("note", Source.FIELD, "leader2", note="已电话联系"))
    assert [e.action for e in case_store.events_of(conn, case_id)] == ["import", "note"]
    return case_id


def first_grid(conn: psycopg.Connection, community: str) -> str:
    row = conn.execute("SELECT min(grid_code) FROM grids WHERE community_name = %s", [community]).fetchone()
    assert row is not None and row[0] is not None
    return str(row[0])


def test_every_table_with_a_grid_or_a_case_carries_the_street_key(conn: psycopg.Connection) -> None:
    with_grid = set(tables_with(conn, "grid_code")) - REFERENCE
    assert {"buildings", "households", "facilities", "complaints", "hazards", "visits", "visit_undos",
            "cases"} <= with_grid
    through_case = set(tables_with(conn, "case_id"))
    assert {"case_events", "case_escalations", "case_photos", "case_links"} <= through_case
    keyed: dict[str, str] = {r[0]: r[1] for r in conn.execute(
        "SELECT table_name, is_nullable FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND column_name = 'street_code'")}
    assert {t: keyed.get(t) for t in with_grid | through_case} == {t: "NO" for t in with_grid | through_case}
    # the load writes the key itself: no row trigger slows its bulk writes (COPY batches only without one)
    row_triggers = conn.execute(
        "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal AND tgtype & 1 = 1"
        " AND tgrelid::regclass::text = ANY (%s)",
        [["buildings", "households", "facilities", "complaints", "hazards", "visits"]]).fetchall()
    assert row_triggers == []


def test_a_loaded_street_its_case_loop_and_a_move_to_another_street_keep_every_row_on_its_grids_street(
    db_url: str, tmp_path: Path
) -> None:
    gridgov_load(db_url, DEMO)
    with psycopg.connect(db_url, autocommit=True) as conn:
        first, second = first_grid(conn, "甘露园南里社区"), first_grid(conn, SECOND)
        stays = worked_case(conn, first)  # stays in the first community's street
        moves_with_grid = worked_case(conn, second)  # its grid is moved to another street by the next grid file
        field_visit(conn, SECOND)
        from_file = file_case_noted(conn, SECOND)
        for table in ("households", "complaints", "hazards", "visits", "buildings", "facilities", "cases",
                      "case_events", "case_photos", "case_escalations", "case_links", "visit_undos"):
            assert set(keys_of(conn, table)) == {STREET_CODE}, table
        assert not any(wrong_keys(conn).values()), wrong_keys(conn)

    # the office's next grid file puts the second community in another street
    def move(properties: dict[str, Any]) -> None:
        if properties["社区名称"] == SECOND:
            properties["街道"], properties["街道代码"] = OTHER_NAME, OTHER_CODE

    gridgov_load(db_url, demo_copy(tmp_path / "moved", move) / "grids.geojson")
    with psycopg.connect(db_url, autocommit=True) as conn:
        assert not any(wrong_keys(conn).values()), wrong_keys(conn)
        moved = conn.execute(
            "SELECT count(*) FROM households AS h JOIN grids AS g USING (grid_code) WHERE g.community_name = %s"
            " AND h.street_code = %s", [SECOND, OTHER_CODE]).fetchone()[0]  # type: ignore[index]
        assert moved > 0
        assert keys_of(conn, "visit_undos") == {OTHER_CODE: 1}
        for table in ("cases", "case_events", "case_photos", "case_escalations", "case_links"):
            assert case_keys(conn, table, moves_with_grid) == [OTHER_CODE], table
        assert case_keys(conn, "case_events", from_file) == [OTHER_CODE]

        # the secretary reassigns the first case to a grid of the other street: all its rows go with it
        case_store.append(conn, stays, ev("reassign", Source.SECRETARY, "shuji", grid_code=second))
        with grid_reader_transaction(conn, [second]):
            case_store.append(conn, stays, ev("resolve", Source.FIELD, "leader2", note="已协调停工"))
        for table in ("cases", "case_events", "case_photos", "case_escalations", "case_links"):
            assert case_keys(conn, table, stays) == [OTHER_CODE], table
        assert not any(wrong_keys(conn).values()), wrong_keys(conn)
        # the history itself is still untouchable
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute("UPDATE case_events SET street_code = 'x', actor = 'y' WHERE case_id = %s", [stays])


@pytest.mark.parametrize(("dropped", "key"), [(("街道", "街道代码"), ""), (("街道代码",), STREET_NAME)])
def test_a_grid_file_without_a_street_code_keys_rows_by_name_or_with_nothing(
    db_url: str, tmp_path: Path, dropped: tuple[str, ...], key: str
) -> None:
    def drop(properties: dict[str, Any]) -> None:
        for column in dropped:
            del properties[column]

    gridgov_load(db_url, demo_copy(tmp_path / "demo", drop))
    with psycopg.connect(db_url, autocommit=True) as conn:
        case_id = worked_case(conn, first_grid(conn, SECOND))
        field_visit(conn, SECOND)
        unplaced = case_store.open_case(conn, Opening(Kind.WORK_ORDER, category="噪音扰民"), source=Source.INTAKE,
                                        actor="12345", clock=CLOCK)
        for table in ("households", "complaints", "hazards", "visits", "buildings", "facilities", "visit_undos",
                      "case_photos", "case_escalations", "case_links"):
            assert set(keys_of(conn, table)) == {key}, table
        for table in ("cases", "case_events"):  # the case not placed yet is keyed '', as a grid without a street
            for case, its_key in ((case_id, key), (unplaced, "")):
                assert case_keys(conn, table, case) == [its_key], table
        assert not any(wrong_keys(conn).values()), wrong_keys(conn)
