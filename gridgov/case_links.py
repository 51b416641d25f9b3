"""A unit's single-case link (吹哨报到): `/unit/<token>`, the one case it was called in on, with no account.

When a case is escalated, each unit called in gets a link: a random token,
of which only a SHA-256 is kept (table `case_links`, migration 021; hashed as
gridgov.credentials, as for wall devices and API tokens), naming the case and the unit.
The escalating person is shown the link once, with the unit's contact, to send
it. The link is the unit's credential for that case only: it shows the case and
lets the unit acknowledge (报到) and report, as events by Source.UNIT with
`unit` = the link's unit, and reaches nothing else. It expires after
settings.dashboard.unit_link_days (on the community's clock, as the events'
times are) and can be revoked at once. Making, revoking and every use (and every
refused token) are written to the audit table under `unit:NAME` (a colon is in
no username). The functions take a connection and leave committing to the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

from gridgov import audit, credentials
from gridgov.clock import Clock
from gridgov.errors import InputError

AUDIT_PREFIX = "unit:"
MADE = "case_link_made"
USED = "case_link_used"
REVOKED = "case_link_revoked"
REFUSED = "case_link_refused"
MAX_TOKEN = 200  # longer is no token of ours; kept out of the hash and the audit table


@dataclass(frozen=True)
class Link:
    """A valid link as its page sees it (never its token)."""

    case_id: str
    unit: str
    created_by: str
    created_at: datetime
    expires_at: datetime

    @property
    def audit_name(self) -> str:
        """Who acts through the link, in the audit table."""
        return AUDIT_PREFIX + self.unit


def make(
    conn: psycopg.Connection, case_id: str, unit: str, *, clock: Clock, lifetime: timedelta, by: str
) -> str:
    """A new link for `unit` on `case_id` (which must have called the unit in); its token, to be shown once."""
    called = conn.execute(
        "SELECT 1 FROM case_escalations WHERE case_id = %s AND unit = %s", [case_id, unit]
    ).fetchone()
    if called is None:
        raise InputError(f"{unit} was not called in on case {case_id}: no link is made")
    token = credentials.new_token()
    expires = clock.now() + lifetime
    conn.execute(
        "INSERT INTO case_links (token_hash, case_id, unit, created_by, created_at, expires_at)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        [credentials.digest(token), case_id, unit, by, clock.now(), expires],
    )
    audit.record(conn, username=AUDIT_PREFIX + unit, action=MADE,
                 detail={"case_id": case_id, "by": by, "expires_at": expires.isoformat()})
    return token


def issue(
    conn: psycopg.Connection, case_id: str, units: Sequence[str], *, clock: Clock, lifetime: timedelta, by: str
) -> dict[str, str]:
    """A link for each unit of an escalation just appended to the case: unit -> token."""
    return {unit: make(conn, case_id, unit, clock=clock, lifetime=lifetime, by=by) for unit in units}


def by_token(conn: psycopg.Connection, token: str, *, clock: Clock, ip: str | None = None) -> Link | None:
    """The link whose token this is while it is neither revoked nor expired; else None (audited either way)."""
    row = None
    if 0 < len(token) <= MAX_TOKEN:
        row = conn.execute(
            "SELECT case_id, unit, created_by, created_at, expires_at FROM case_links"
            " WHERE token_hash = %s AND revoked_at IS NULL AND expires_at > %s",
            [credentials.digest(token), clock.now()],
        ).fetchone()
    if row is None:
        audit.record(conn, username=AUDIT_PREFIX, action=REFUSED, detail={"reason": "unknown, revoked or expired"}, ip=ip)
        return None
    return Link(*row)


def used(conn: psycopg.Connection, link: Link, what: str, *, ip: str | None = None) -> None:
    """Write one use of the link (`what`: view, acknowledge, report) to the audit table."""
    audit.record(conn, username=link.audit_name, action=USED, detail={"case_id": link.case_id, "what": what}, ip=ip)


def revoke(conn: psycopg.Connection, case_id: str, unit: str, *, clock: Clock, by: str) -> int:
    """Revoke every live link of `unit` on `case_id` at once; how many (InputError when there was none)."""
    done = conn.execute(
        "UPDATE case_links SET revoked_at = %s WHERE case_id = %s AND unit = %s AND revoked_at IS NULL",
        [clock.now(), case_id, unit],
    ).rowcount
    if not done:
        raise InputError(f"there is no link of {unit} on case {case_id} that is not revoked already")
    audit.record(conn, username=AUDIT_PREFIX + unit, action=REVOKED, detail={"case_id": case_id, "by": by})
    return done


def links_of(conn: psycopg.Connection, case_id: str) -> list[tuple[str, datetime, datetime | None]]:
    """The links made on a case: (unit, expires_at, revoked_at), newest first (never a token)."""
    rows = conn.execute(
        "SELECT unit, expires_at, revoked_at FROM case_links WHERE case_id = %s ORDER BY created_at DESC, unit",
        [case_id],
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


@dataclass(frozen=True)
class UnitCase:
    """What a unit sees of the case its link names: where, what kind of problem, why it was called, and its own part.

    Not the resident's words (the case's description may name them or give a phone) nor any person: the escalating
    person writes in the reason what the unit must know to act.
    """

    case_id: str
    category: str | None
    address: str | None
    grid_name: str | None
    state: str
    received_at: datetime
    deadline: object  # a date or None
    reason: str
    escalated_at: datetime
    ack_due_at: datetime
    acknowledged_at: datetime | None
    reported_at: datetime | None
    reports: tuple[tuple[datetime, str], ...]  # this unit's reports: (when, note)


def case_for(conn: psycopg.Connection, link: Link) -> UnitCase | None:
    """The case of a valid link as its unit sees it (its latest call of the unit), or None."""
    row = conn.execute(
        "SELECT c.case_id, c.category, c.address, g.grid_name, c.state, c.received_at, c.deadline,"
        " e.reason, e.escalated_at, e.ack_due_at, e.acknowledged_at, e.reported_at"
        " FROM cases AS c JOIN case_escalations AS e USING (case_id) LEFT JOIN grids AS g ON g.grid_code = c.grid_code"
        " WHERE c.case_id = %s AND e.unit = %s ORDER BY e.seq DESC LIMIT 1",
        [link.case_id, link.unit],
    ).fetchone()
    if row is None:
        return None
    reports = conn.execute(
        "SELECT at, detail->>'note' FROM case_events WHERE case_id = %s AND source = 'unit' AND action = 'report'"
        " AND detail->>'unit' = %s ORDER BY seq",
        [link.case_id, link.unit],
    ).fetchall()
    (case, category, address, grid_name, state, received_at, deadline, reason, escalated_at, ack_due_at,
     acknowledged_at, reported_at) = row
    return UnitCase(case, category, address, grid_name, state, received_at, deadline, reason, escalated_at, ack_due_at,
                    acknowledged_at, reported_at, tuple((r[0], r[1] or "") for r in reports))
