"""Kept answers (layers.answers) on a real database: never older than the data once a change commits, one
computation for many askers, and the previous answer while a new one is made, where that is asked for."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from community import LAYER_SETTINGS
from seed_sql import seed_small_community

from gridgov.access import Role
from layers import answers, registry
from layers.registry import Filters, Viewer

SECRETARY = Viewer(Role.SECRETARY)
G03 = Filters(grids=("G03",))


@pytest.fixture(autouse=True)
def _forget() -> Iterator[None]:
    answers.clear()
    yield
    answers.clear()


def special(conn: psycopg.Connection) -> int:
    value = registry.aggregate(conn, "special_groups", SECRETARY, G03, settings=LAYER_SETTINGS)["features"][0]["properties"]["special_households"]
    return int(value)


def test_an_answer_computed_while_a_change_was_uncommitted_is_dropped_when_it_commits(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as reader, psycopg.connect(db_url) as writer:
        seed_small_community(reader)
        assert special(reader) == 0
        # the writer changes a household and has not committed: its statement has taken a new data version
        writer.execute("UPDATE households SET groups = '{disabled}' WHERE household_id = 'H09'")
        stamp = answers.stamp(reader)
        assert stamp.writers  # the reader sees a writer in progress
        assert special(reader) == 0  # computed now, without the change it cannot see yet
        assert special(reader) == 0  # and served again while the writer is still at work
        writer.commit()
        # no new version was taken at the commit: the answer is computed again because its writer has finished
        assert answers.stamp(reader).version == stamp.version
        assert special(reader) == 1


def test_a_connection_that_changed_the_data_gets_its_own_answer_and_nobody_else_does(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as other, psycopg.connect(db_url) as writer:
        seed_small_community(other)
        writer.execute("UPDATE households SET groups = '{disabled}' WHERE household_id = 'H09'")
        assert answers.stamp(writer).own_writes
        assert special(writer) == 1  # its own change, uncommitted
        assert special(other) == 0  # not kept for anyone else
        writer.rollback()
        assert special(other) == 0


def fake_stamp(version: int = 1) -> answers.Stamp:
    return answers.Stamp(("test", "", ""), version, frozenset())


def test_many_asking_the_same_question_at_once_wait_for_one_computation() -> None:
    calls = []

    def compute() -> str:
        calls.append(1)
        time.sleep(0.3)
        return "answer"

    got: list[str] = []
    threads = [
        threading.Thread(target=lambda: got.append(answers.remembered(fake_stamp(), "question", compute)))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == ["answer"] * 8
    assert len(calls) == 1


def test_an_answer_bound_to_the_clock_is_computed_again_after_its_time() -> None:
    values = iter(["first", "second"])
    assert answers.remembered(fake_stamp(), "clock", lambda: next(values), fresh_for=0.2) == "first"
    assert answers.remembered(fake_stamp(), "clock", lambda: next(values), fresh_for=0.2) == "first"
    time.sleep(0.3)
    assert answers.remembered(fake_stamp(), "clock", lambda: next(values), fresh_for=0.2) == "second"


def test_with_a_background_the_previous_answer_is_given_while_the_new_one_is_made() -> None:
    started = threading.Event()
    release = threading.Event()

    def in_thread(job: object) -> None:
        threading.Thread(target=job).start()  # type: ignore[arg-type]

    def slow_new() -> str:
        started.set()
        release.wait(5)
        return "new"

    assert answers.remembered(fake_stamp(1), "screen", lambda: "old", background=in_thread) == "old"
    # the data changed: the old answer comes back at once, and the new one is being made
    assert answers.remembered(fake_stamp(2), "screen", slow_new, background=in_thread) == "old"
    assert started.wait(5)
    assert answers.remembered(fake_stamp(2), "screen", slow_new, background=in_thread) == "old"  # still making it
    release.set()
    for _ in range(50):
        if answers.remembered(fake_stamp(2), "screen", slow_new, background=in_thread) == "new":
            break
        time.sleep(0.1)
    assert answers.remembered(fake_stamp(2), "screen", lambda: "unused") == "new"
    # without a background, a request never gets an answer from older data
    assert answers.remembered(fake_stamp(3), "screen", lambda: "newest") == "newest"


def test_a_change_drops_only_the_answers_that_read_its_table(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        seed_small_community(conn)
        hot = registry.aggregate(conn, "complaint_hotspots", SECRETARY, Filters(), settings=LAYER_SETTINGS)
        people = registry.aggregate(conn, "special_groups", SECRETARY, Filters(), settings=LAYER_SETTINGS)
        due = registry.aggregate(conn, "visits", SECRETARY, Filters(), settings=LAYER_SETTINGS)
        run = conn.execute("SELECT min(id) FROM load_runs").fetchone()[0]  # type: ignore[index]
        conn.execute(
            "INSERT INTO visits (visit_id, household_id, visited_at, visitor, grid_code, load_run_id, source_row)"
            " VALUES ('V-NEW', 'H02', now(), 'x', 'G01', %s, 1)",
            [run],
        )
        # a visit changes what reads visits, and nothing else is computed again
        assert registry.aggregate(conn, "complaint_hotspots", SECRETARY, Filters(), settings=LAYER_SETTINGS) is hot
        assert registry.aggregate(conn, "special_groups", SECRETARY, Filters(), settings=LAYER_SETTINGS) is people
        assert registry.aggregate(conn, "visits", SECRETARY, Filters(), settings=LAYER_SETTINGS) is not due


def features(n: int) -> dict[str, object]:
    return {"type": "FeatureCollection", "features": [{"id": str(i)} for i in range(n)]}


def test_every_community_wall_of_a_district_stays_kept_while_whole_city_answers_are_bounded() -> None:
    calls: list[str] = []

    def community(key: str) -> dict[str, object]:
        calls.append(key)
        return features(10)

    # 400 communities' walls of ~14 answers of 10 grids each (dashboard/wall/warmup.py MAX_AREAS): all still kept
    keys = [f"community {i} answer {j}" for i in range(400) for j in range(14)]
    for key in keys:
        answers.remembered(fake_stamp(), key, lambda key=key: community(key))
    for key in keys:
        answers.remembered(fake_stamp(), key, lambda key=key: community(key))
    assert len(calls) == len(keys)  # none computed twice
    # whole-city answers of 3,300 grids each, asked with ever new filters: the oldest kept go first
    for i in range(200):
        answers.remembered(fake_stamp(), f"city {i}", lambda: features(3300))
    kept = sum(answers._weight(entry.value) for entry in answers._entries.values())
    assert kept <= answers.MAX_WEIGHT
    assert answers.remembered(fake_stamp(), "city 199", lambda: "computed again") != "computed again"
