"""Each layer says which tables it reads (Layer.reads), and a kept answer is dropped only when one of those
changes (layers.answers): so the list must be right. On the demo community, emptying any other table leaves
every answer of the layer as it was, and emptying one it lists changes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
from community import CLOCK, LAYER_SETTINGS

from etl.folder import plan
from etl.load import load_file
from gridgov.access import Role
from layers import registry
from layers.registry import Filters, Viewer

DEMO = Path(__file__).resolve().parents[1] / "geodata" / "demo"
TABLES = ("grids", "buildings", "households", "facilities", "complaints", "hazards", "visits", "visit_rules")
SECRETARY = Viewer(Role.SECRETARY)


def every_answer(conn: psycopg.Connection) -> dict[str, str]:
    def plain(answer: dict[str, Any]) -> str:
        return json.dumps(answer, sort_keys=True, ensure_ascii=False)

    return {layer.name: plain(registry.aggregate(conn, layer.name, SECRETARY, Filters(), settings=LAYER_SETTINGS)) for layer in registry.available()}


def test_a_layer_reads_exactly_the_tables_it_says(conn: psycopg.Connection) -> None:
    for src in plan(DEMO)[0]:
        load_file(conn, src.path, src.dataset, clock=CLOCK)
    before = every_answer(conn)
    for table in TABLES:
        with conn.transaction(force_rollback=True):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, f"the demo has no {table}"  # type: ignore[index]
            # visits name their household (a foreign key): emptying households empties visits too, and every
            # layer that reads visits reads households as well
            # (cases name their grid, and the cases' history refuses TRUNCATE: empty here, it is let go for this test)
            conn.execute("ALTER TABLE case_events DISABLE TRIGGER case_events_no_truncate")
            conn.execute(f"TRUNCATE {table} CASCADE")
            after = every_answer(conn)  # this transaction changed the data: computed afresh, kept for nobody
        for layer in registry.available():
            assert layer.reads is not None, f"{layer.name} does not say which tables it reads"
            changed = after[layer.name] != before[layer.name]
            assert changed == (table in layer.reads), (
                f"{layer.name}: emptying {table} {'changed' if changed else 'did not change'} its answer, "
                f"but its reads are {sorted(layer.reads)}"
            )
    assert every_answer(conn) == before  # all rolled back: the kept answers are the ones from before
