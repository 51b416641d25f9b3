"""The closed word lists (gridgov.vocabulary) are the database's: its CHECK constraints allow exactly their codes.

Migrations are history and are never edited, so a code added to the vocabulary
without a migration (or the other way round) would fail only when a row is
written; these tests say so at once.
"""

from __future__ import annotations

import re

import psycopg
import pytest

from etl import values
from gridgov import vocabulary

# (table, column) -> the codes the vocabulary says it holds
CHECKED = {
    ("hazards", "severity"): set(vocabulary.HAZARD_SEVERITIES),
    ("hazards", "status"): set(vocabulary.HAZARD_STATUSES),
    ("complaints", "satisfaction"): set(vocabulary.SATISFACTION),
    ("visit_rules", "every"): set(vocabulary.VISIT_PERIODS),
}


def allowed(conn: psycopg.Connection, table: str, column: str) -> set[str]:
    """The words the CHECK constraint on table.column lets through, as PostgreSQL states the constraint."""
    rows = conn.execute(
        "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint AS c"
        " JOIN pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)"
        " WHERE c.contype = 'c' AND c.conrelid = %s::regclass AND a.attname = %s",
        [table, column],
    ).fetchall()
    assert len(rows) == 1, f"{table}.{column} should have one CHECK constraint, has {len(rows)}"
    return set(re.findall(r"'([^']*)'", rows[0][0]))


@pytest.mark.parametrize(("table", "column"), list(CHECKED))
def test_the_database_allows_exactly_the_vocabularys_codes(conn: psycopg.Connection, table: str, column: str) -> None:
    assert allowed(conn, table, column) == CHECKED[(table, column)]


def test_a_word_outside_the_vocabulary_is_refused_by_the_database(conn: psycopg.Connection) -> None:
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(
            "INSERT INTO hazards (hazard_id, found_at, severity, geocoded_by, geom, grid_code, load_run_id, source_row)"
            " VALUES ('Z1', now(), 'critical', 'coordinates', ST_SetSRID(ST_MakePoint(116.4, 39.9), 4326), 'G01', 1, 1)"
        )


@pytest.mark.parametrize(("words", "spellings"), [
    (vocabulary.HAZARD_SEVERITIES, vocabulary.HAZARD_SEVERITY_WORDS),
    (vocabulary.HAZARD_STATUSES, vocabulary.HAZARD_STATUS_WORDS),
    (vocabulary.SATISFACTION, vocabulary.SATISFACTION_WORDS),
])
def test_the_etl_reads_each_lists_words_and_only_its_codes(words: dict[str, str], spellings: dict[str, str]) -> None:
    assert {word: code for code, word in words.items()}.items() <= spellings.items()
    assert set(spellings.values()) == set(words)
    for code, word in words.items():
        assert values.parse_enum(word, spellings) == code
        assert values.parse_enum(code, spellings) == code


def test_yes_and_no_are_told_apart() -> None:
    assert not vocabulary.YES_WORDS & vocabulary.NO_WORDS
    assert {values.parse_bool(w) for w in vocabulary.YES_WORDS} == {True}
    assert {values.parse_bool(w) for w in vocabulary.NO_WORDS} == {False}
