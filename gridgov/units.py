"""Units called in on a case (吹哨报到): street departments, the police station, the property company, utilities,
驻区单位. They are data the administrator edits (table `units`, migration 021), like visit_rules and case_deadlines.

A unit has a kind, a contact (a person and a phone, shown to whoever escalates
so they can send the unit its link), the case categories it takes (none: any)
and the hours within which it must acknowledge (报到) a call; all but its name can be changed. A unit is never
deleted: its name is on escalations and events; it is disabled, and a disabled
unit can no longer be called in (gridgov.case_store checks `active`). Adding,
changing and disabling are written to the audit table with who did it. The functions
take a connection and leave committing to the caller.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from gridgov import audit
from gridgov.errors import InputError

KINDS = ("street_department", "police", "property", "utility", "resident_unit", "other")  # the table's CHECK
ADDED = "unit_added"
CHANGED = "unit_changed"
DISABLED = "unit_disabled"
MAX_NAME = 100  # the table's CHECK
MAX_CONTACT = 200
MAX_CATEGORY = 100
MAX_CATEGORIES = 50
MAX_ACK_HOURS = 24 * 30  # a month: a longer wait is no 报到
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Unit:
    """A unit as the admin and the escalating person see it."""

    name: str
    kind: str
    contact: str | None
    categories: tuple[str, ...]  # () : any category
    ack_hours: float
    active: bool
    created_at: datetime

    def takes(self, category: str | None) -> bool:
        """Whether the unit takes cases of `category` (a unit with no categories takes any)."""
        return not self.categories or category in self.categories


def _unit(row: Any) -> Unit:
    name, kind, contact, categories, ack_hours, active, created_at = row
    return Unit(name, kind, contact, tuple(categories or ()), float(ack_hours), bool(active), created_at)


_COLUMNS = "name, kind, contact, categories, ack_hours, active, created_at"


def _text(value: str, what: str, most: int) -> str:
    cleaned = value.strip()
    if _CONTROL.search(cleaned):
        raise InputError(f"a unit's {what} may not contain control characters")
    if len(cleaned) > most:
        raise InputError(f"a unit's {what} is at most {most} characters, not {len(cleaned)}")
    return cleaned


def check(name: str, kind: str, contact: str | None, categories: Sequence[str], ack_hours: float) -> tuple[
    str, str | None, tuple[str, ...]
]:
    """The cleaned name, contact and categories of a unit to add; an InputError saying what is wrong."""
    cleaned = _text(name, "name", MAX_NAME)
    if not cleaned:
        raise InputError("a unit needs a name")
    if kind not in KINDS:
        raise InputError(f"a unit's kind is one of {', '.join(KINDS)}, not {kind[:40]!r}")
    if not 0 < ack_hours <= MAX_ACK_HOURS:
        raise InputError(f"a unit's hours to acknowledge are more than 0 and at most {MAX_ACK_HOURS}")
    cats = tuple(dict.fromkeys(c for c in (_text(c, "category", MAX_CATEGORY) for c in categories) if c))
    if len(cats) > MAX_CATEGORIES:
        raise InputError(f"a unit takes at most {MAX_CATEGORIES} categories")
    return cleaned, (_text(contact, "contact", MAX_CONTACT) or None) if contact else None, cats


def add(
    conn: psycopg.Connection, name: str, *, kind: str, contact: str | None = None, categories: Sequence[str] = (),
    ack_hours: float = 24, by: str,
) -> Unit:
    """Add a unit; an InputError for a bad field or a name already taken (a disabled unit's too)."""
    name, contact, cats = check(name, kind, contact, categories, ack_hours)
    with conn.transaction():
        row = conn.execute(
            f"INSERT INTO units (name, kind, contact, categories, ack_hours) VALUES (%s, %s, %s, %s, %s)"
            f" ON CONFLICT (name) DO NOTHING RETURNING {_COLUMNS}",
            [name, kind, contact, list(cats), ack_hours],
        ).fetchone()
        if row is None:
            raise InputError(f"there is already a unit called {name!r}")
        unit = _unit(row)
        audit.record(conn, username=by, action=ADDED, detail={
            "unit": name, "kind": kind, "contact": contact, "categories": list(cats), "ack_hours": ack_hours,
        })
    return unit


def update(
    conn: psycopg.Connection, name: str, *, kind: str | None = None, contact: str | None, categories: Sequence[str],
    ack_hours: float | None = None, by: str,
) -> Unit:
    """Change a unit's contact and categories (and its kind and hours when given); an InputError if there is none."""
    found = get(conn, name.strip())
    if found is None:
        raise InputError(f"there is no unit called {name.strip()[:MAX_NAME]!r}")
    kind = kind or found.kind
    hours = found.ack_hours if ack_hours is None else ack_hours
    _, contact, cats = check(found.name, kind, contact, categories, hours)
    with conn.transaction():
        row = conn.execute(
            f"UPDATE units SET kind = %s, contact = %s, categories = %s, ack_hours = %s WHERE name = %s"
            f" RETURNING {_COLUMNS}",
            [kind, contact, list(cats), hours, found.name],
        ).fetchone()
        assert row is not None
        audit.record(conn, username=by, action=CHANGED, detail={
            "unit": found.name, "kind": kind, "contact": contact, "categories": list(cats), "ack_hours": hours,
        })
    return _unit(row)


def disable(conn: psycopg.Connection, name: str, *, by: str) -> None:
    """Disable a unit: it can no longer be called in (its past escalations stay); InputError if none is active."""
    with conn.transaction():
        done = conn.execute("UPDATE units SET active = false WHERE name = %s AND active", [name]).rowcount
        if not done:
            raise InputError(f"there is no active unit called {name[:MAX_NAME]!r}")
        audit.record(conn, username=by, action=DISABLED, detail={"unit": name})


def list_units(conn: psycopg.Connection, *, active_only: bool = False) -> list[Unit]:
    """Every unit (the active ones only, if asked), by name."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM units WHERE active OR NOT %s ORDER BY name", [active_only]
    ).fetchall()
    return [_unit(r) for r in rows]


def for_category(conn: psycopg.Connection, category: str | None) -> list[Unit]:
    """The active units that take cases of `category`, by name."""
    return [u for u in list_units(conn, active_only=True) if u.takes(category)]


def get(conn: psycopg.Connection, name: str) -> Unit | None:
    """The unit called `name`, or None."""
    row = conn.execute(f"SELECT {_COLUMNS} FROM units WHERE name = %s", [name]).fetchone()
    return _unit(row) if row else None
