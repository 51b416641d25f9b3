"""The one sign-in check, for the dashboard's form and the OGC API's HTTP Basic alike.

A sign-in is refused when its username has failed too often lately (the
throttle: MAX_FAILURES failed sign-ins within FAILURE_WINDOW_MINUTES, counted
on the audit table's `login_failed` rows, so both front-ends share one limit),
and otherwise when the password is wrong or the account disabled
(gridgov.accounts.authenticate). Every refusal is written to the audit table
as a failed sign-in with its reason ("throttled" or "wrong") and, when given,
the front-end it came through (`via`). What to key the throttle on is decided
in `_failures` alone, so counting per username and client address means
changing that one function. The caller commits, and records a successful
sign-in itself where it starts a session (the API checks on every request
and records none).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import psycopg

from gridgov import accounts, audit
from gridgov.accounts import Account

MAX_FAILURES = 10
FAILURE_WINDOW_MINUTES = 15


class Refusal(StrEnum):
    """Why a sign-in was refused, as the audit row's `reason` says."""

    THROTTLED = "throttled"  # too many failures lately: refused before the password is looked at
    WRONG = "wrong"  # wrong password, unknown username or disabled account: the caller cannot tell which


@dataclass(frozen=True)
class Attempt:
    """One try at signing in: what was typed, from where, and through which front-end (None: the dashboard's form)."""

    username: str
    password: str
    ip: str | None
    via: str | None = None


def _failures(conn: psycopg.Connection, attempt: Attempt) -> int:
    """The failures that count toward the attempt's limit: its username's within the window."""
    return audit.count_since(conn, username=attempt.username, action=audit.LOGIN_FAILED, minutes=FAILURE_WINDOW_MINUTES)


def _refuse(conn: psycopg.Connection, attempt: Attempt, reason: Refusal) -> Refusal:
    detail: dict[str, Any] = {"reason": reason.value}
    if attempt.via is not None:
        detail["via"] = attempt.via
    audit.record(conn, username=attempt.username, action=audit.LOGIN_FAILED, detail=detail, ip=attempt.ip)
    return reason


def check(conn: psycopg.Connection, attempt: Attempt) -> Account | Refusal:
    """The account, or why it was refused (audited on `conn`, which the caller commits)."""
    if _failures(conn, attempt) >= MAX_FAILURES:
        return _refuse(conn, attempt, Refusal.THROTTLED)
    found = accounts.authenticate(conn, attempt.username, attempt.password)
    if found is None:
        return _refuse(conn, attempt, Refusal.WRONG)
    return found
