"""The case loop benchmark's exactly-once checks: what the clients were told against what the database holds.

- Every event a leader was answered 2xx for is exactly one row of case_events
  (its marker, on its case, with its action); every event refused (4xx) is
  none; no stored event carries a marker that was not sent; no event went
  unanswered and no answer was a 5xx.
- Every order number the intake was answered 200 for is exactly one case,
  and every answer for that number named that case (a repeat, or two filings
  at once, made no second case); an order number never accepted made none;
  the audit holds one row per filing answered, one of them "new" per case.
- Each case touched is still the fold of its events: its `events` count is
  its number of stored events, numbered 1..n without a gap.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

import psycopg
from _case_loop_clients import Action, Filing

from gridgov.intake import FILED


def events(conn: psycopg.Connection, run: str, actions: Sequence[Action]) -> list[tuple[bool, str]]:
    """(passed, what) for the leaders' events."""
    stored = conn.execute(
        "SELECT detail->>'note', case_id, action FROM case_events WHERE detail->>'note' LIKE %s",
        [f"bench {run}:%"],
    ).fetchall()
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for marker, case_id, action in stored:
        found[marker].append((case_id, action))
    accepted = [a for a in actions if 200 <= a.status < 300]
    refused = [a for a in actions if 400 <= a.status < 500]
    unanswered = [a for a in actions if a.status == 0]
    failed = [a for a in actions if a.status >= 500]
    once = sum(found.get(a.marker) == [(a.case_id, a.action)] for a in accepted)
    lost = sum(not found.get(a.marker) for a in accepted)
    doubled = sum(len(found.get(a.marker, ())) > 1 for a in accepted)
    stored_refused = sum(bool(found.get(a.marker)) for a in refused)
    sent = {a.marker for a in actions}
    strays = sum(len(rows) for marker, rows in found.items() if marker not in sent)
    statuses = ", ".join(f"{code}: {n:,}" for code, n in sorted(Counter(a.status for a in refused).items()))
    return [
        (
            once == len(accepted) and not lost and not doubled,
            f"events: {len(accepted):,} accepted (2xx), {once:,} stored exactly once, {lost} lost, {doubled} doubled",
        ),
        (
            stored_refused == 0,
            f"events: {len(refused):,} refused ({statuses or 'none'}), {stored_refused} of them stored",
        ),
        (not unanswered and not failed, f"events: {len(unanswered)} without an answer, {len(failed)} answered 5xx"),
        (strays == 0, f"events: {strays} stored events carry a marker no client sent"),
    ]


def filings(conn: psycopg.Connection, run: str, sent: Sequence[Filing]) -> list[tuple[bool, str]]:
    """(passed, what) for the intake's requests."""
    cases: dict[str, list[str]] = defaultdict(list)
    for order_no, case_id in conn.execute(
        "SELECT source_id, case_id FROM cases WHERE kind = 'work_order' AND source_id LIKE %s", [f"BENCH-{run}-%"]
    ):
        cases[order_no].append(case_id)
    opened: dict[str, int] = dict(
        conn.execute(
            "SELECT c.source_id, count(*) FROM cases AS c JOIN case_events AS e USING (case_id)"
            " WHERE c.source_id LIKE %s AND e.action = 'open' GROUP BY 1",
            [f"BENCH-{run}-%"],
        ).fetchall()
    )
    audited = conn.execute(
        "SELECT count(*), count(*) FILTER (WHERE a.detail->>'new' = 'true'),"
        " count(DISTINCT c.case_id) FILTER (WHERE a.detail->>'new' = 'true')"
        " FROM audit AS a JOIN cases AS c ON c.case_id = a.detail->>'case_id'"
        " WHERE a.action = %s AND c.source_id LIKE %s",
        [FILED, f"BENCH-{run}-%"],
    ).fetchone() or (0, 0, 0)
    answers: dict[str, set[str]] = defaultdict(set)
    for f in sent:
        if f.status == 200 and f.case_id:
            answers[f.order_no].add(f.case_id)
    accepted = set(answers)
    never = {f.order_no for f in sent} - accepted
    one_case = sum(len(cases.get(o, ())) == 1 and answers[o] == set(cases[o]) and opened.get(o) == 1 for o in accepted)
    repeats = [f for f in sent if f.repeat]
    repeat_same = sum(f.status == 200 and f.case_id in cases.get(f.order_no, ()) for f in repeats)
    extra = sum(len(found) for o, found in cases.items() if o not in accepted)  # never answered 200, or not sent
    unplaced = sum(1 for f in sent if f.status == 200 and f.notice and "place it by hand" in f.notice)
    bad = Counter(f.status for f in sent if f.status != 200)
    return [
        (
            one_case == len(accepted),
            f"intake: {len(accepted):,} order numbers accepted, {one_case:,} of them exactly one case (with one open "
            "event) named by every answer",
        ),
        (
            repeat_same == len(repeats),
            f"intake: {len(repeats):,} filed again (a later retry, or the same order twice at once), {repeat_same:,} "
            "answered with the first filing's case",
        ),
        (
            audited[0] == sum(f.status == 200 for f in sent) and audited[1] == audited[2] == len(accepted),
            f"intake: {audited[0]:,} filings in the audit, {audited[1]:,} of them making a new case, for "
            f"{audited[2]:,} distinct cases",
        ),
        (
            extra == 0 and not bad,
            f"intake: {len(never)} order numbers never answered 200 ({dict(bad) or 'no other answers'}; 0: none "
            f"within the client's timeout), {extra} cases made for them; {unplaced:,} filings without a point accepted into the secretary's queue",
        ),
    ]


def folds(conn: psycopg.Connection, case_ids: Sequence[str]) -> list[tuple[bool, str]]:
    """(passed, what): each case's row counts its stored events, numbered without a gap."""
    row = conn.execute(
        "SELECT count(*), count(*) FILTER (WHERE c.events <> e.n OR e.n <> e.top)"
        " FROM cases AS c JOIN (SELECT case_id, count(*) AS n, max(seq) AS top FROM case_events"
        " WHERE case_id = ANY(%s) GROUP BY case_id) AS e USING (case_id)",
        [list(case_ids)],
    ).fetchone()
    checked, wrong = row if row else (0, 0)
    return [(wrong == 0, f"cases: {checked:,} touched, {wrong} whose events count or sequence disagrees")]
