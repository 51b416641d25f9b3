"""Scored fuzzy matching of addresses the gazetteer did not know exactly.

Only an unambiguous best candidate is taken. Numbers and directions are who a
compound is (二区 is not 九区, 南里 is not 北里), so candidates must share them
exactly; the score only forgives the rest (a typo, a missing 小区).
"""

from __future__ import annotations

import re
from collections import defaultdict

import psycopg
from rapidfuzz import fuzz

MIN_SCORE = 85.0  # out of 100
MIN_MARGIN = 8.0  # the best must beat the runner-up by this much
_IDENTITY = re.compile(r"\d+|[东南西北中上下前后]")


def _identity(compound: str) -> tuple[str, ...]:
    return tuple(_IDENTITY.findall(compound))


def match(conn: psycopg.Connection) -> None:
    """Match staged rows with a parsed but unknown compound + building to a gazetteer building, or record why not."""
    keys = [r[0] for r in conn.execute(
        "SELECT DISTINCT match_key FROM stage WHERE reason IS NULL AND lon IS NULL AND match_key IS NOT NULL"
    )]
    if not keys:
        return
    index: dict[tuple[str, tuple[str, ...]], list[tuple[str, str]]] = defaultdict(list)
    nearby: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for building_id, key in conn.execute("SELECT building_id, match_key FROM buildings ORDER BY building_id"):
        compound, number = key.rsplit("|", 1)
        index[(number, _identity(compound))].append((compound, building_id))
        nearby[number].append((compound, building_id))
    decided: list[tuple[str, str | None, str | None]] = []  # match_key, building_id, note or reason
    for key in keys:
        compound, number = key.rsplit("|", 1)
        scored = sorted(
            ((fuzz.ratio(compound, c), c, bid) for c, bid in index.get((number, _identity(compound)), [])),
            reverse=True,
        )
        if scored and scored[0][0] >= MIN_SCORE and (len(scored) == 1 or scored[0][0] - scored[1][0] >= MIN_MARGIN):
            score, c, bid = scored[0]
            decided.append((key, bid, f"gazetteer (fuzzy {score:.0f}: {c}{number}号楼)"))
            continue
        if scored and scored[0][0] >= MIN_SCORE:
            tied = ", ".join(f"{c}{number}号楼 ({s:.0f})" for s, c, _ in scored[:3])
            decided.append((key, None, f"address matches several buildings equally well: {{address}}; candidates: {tied}"))
            continue
        pool = scored or sorted(((fuzz.ratio(compound, c), c, bid) for c, bid in nearby.get(number, [])), reverse=True)
        closest = ", ".join(f"{c}{number}号楼 ({s:.0f})" for s, c, _ in pool[:3] if s >= 50)
        reason = "address matched no building: {address}" + (f"; closest: {closest}" if closest else "")
        decided.append((key, None, reason))
    conn.execute("CREATE TEMP TABLE fuzzy (match_key text, building_id text, note text) ON COMMIT DROP")
    with conn.cursor().copy("COPY fuzzy FROM STDIN") as cp:
        for row in decided:
            cp.write_row(row)
    conn.execute(
        "UPDATE stage s SET lon = ST_X(b.geom), lat = ST_Y(b.geom), building_id = b.building_id, "
        "grid_code = b.grid_code, geocoded_by = f.note "
        "FROM fuzzy f JOIN buildings b USING (building_id) "
        "WHERE s.reason IS NULL AND s.lon IS NULL AND s.match_key = f.match_key"
    )
    # Rows left for the optional geocoder keep their reason until it has had its turn.
    conn.execute(
        "UPDATE stage s SET unmatched = replace(f.note, '{address}', s.address) FROM fuzzy f "
        "WHERE s.reason IS NULL AND s.lon IS NULL AND f.building_id IS NULL AND s.match_key = f.match_key"
    )
    conn.execute("DROP TABLE fuzzy")
