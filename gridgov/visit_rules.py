"""The visit rules (六必访): which special groups are due a visit, and how often. Data the administrator edits
(table visit_rules, migration 005), on /admin; each change audited.

A household is due in every period (week, month or quarter, on the
community's calendar) if any of its groups has a rule; in two groups, the
shortest period wins (layers/sql/visits_households.sql). A rule's group is a
key of gridgov.groups.SPECIAL_GROUPS, as households.groups holds them. A
change is seen by the next request: the table's data version moves with it
(migration 021). The functions take a connection and leave committing to the
caller.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from gridgov import audit
from gridgov.errors import InputError
from gridgov.groups import SPECIAL_GROUPS

PERIODS = ("week", "month", "quarter")  # the table's CHECK
SET = "visit_rule_set"
REMOVED = "visit_rule_removed"


@dataclass(frozen=True)
class Rule:
    """One group's rule."""

    group_key: str
    every: str
    label: str


def list_rules(conn: psycopg.Connection) -> list[Rule]:
    """Every rule, in the legend's order of the groups."""
    rows = conn.execute("SELECT group_key, every, label FROM visit_rules").fetchall()
    order = list(SPECIAL_GROUPS)
    return sorted((Rule(*r) for r in rows), key=lambda r: order.index(r.group_key) if r.group_key in order else len(order))


def set_rule(conn: psycopg.Connection, group_key: str, every: str, *, by: str) -> Rule:
    """Make the group due a visit every `every` (a new rule, or the group's rule changed)."""
    if group_key not in SPECIAL_GROUPS:
        raise InputError(f"no special group {group_key[:40]!r}; groups: {', '.join(SPECIAL_GROUPS)}")
    if every not in PERIODS:
        raise InputError(f"a visit rule's period is one of {', '.join(PERIODS)}, not {every[:20]!r}")
    label = SPECIAL_GROUPS[group_key]
    with conn.transaction():
        was = conn.execute("SELECT every FROM visit_rules WHERE group_key = %s", [group_key]).fetchone()
        conn.execute(
            "INSERT INTO visit_rules (group_key, every, label) VALUES (%s, %s, %s)"
            " ON CONFLICT (group_key) DO UPDATE SET every = excluded.every, label = excluded.label",
            [group_key, every, label],
        )
        audit.record(conn, username=by, action=SET,
                     detail={"group_key": group_key, "every": every, "was": was[0] if was else None})
    return Rule(group_key, every, label)


def remove_rule(conn: psycopg.Connection, group_key: str, *, by: str) -> None:
    """The group is no longer due visits; an InputError if it had no rule."""
    with conn.transaction():
        if not conn.execute("DELETE FROM visit_rules WHERE group_key = %s", [group_key]).rowcount:
            raise InputError(f"the group {group_key[:40]!r} has no visit rule")
        audit.record(conn, username=by, action=REMOVED, detail={"group_key": group_key})
