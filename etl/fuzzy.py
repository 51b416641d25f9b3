"""Scored fuzzy matching of compound names the gazetteer does not know exactly.

In Chinese place names one character is often a different place (方庄 is not
杨庄), so the match is narrow on purpose and takes only an unambiguous best
candidate with the same building number and the same numbers, directions and
ordinals (二区 is not 九区, 南里 is not 北里, 甲区 is not 乙区), whose name is the same
once generic words are dropped (甘露园南里小区二区 → 甘露园南里二区, score 100) or
sounds the same, a typist's homophone (幸福佳园 → 幸福家园, score 95, by pinyin).
A compound the gazetteer knows, without the building asked for, is never moved
to another compound.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import psycopg
from rapidfuzz import fuzz

SAME_NAME, SAME_SOUND = 100.0, 95.0
_IDENTITY = re.compile(r"\d+|[东南西北中上下前后甲乙丙丁]")
_GENERIC = re.compile(r"小区|社区|住宅区|家属院|宿舍区?|公寓")


def _identity(compound: str) -> tuple[str, ...]:
    return tuple(_IDENTITY.findall(compound))


def _plain(compound: str) -> str:
    return _GENERIC.sub("", compound)


@functools.lru_cache(maxsize=65536)
def _sound(name: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin  # its phrase dictionary takes a quarter of a second to import

    return tuple(lazy_pinyin(name))


def _score(asked: str, known: str) -> float:
    """100 for the same name but generic words, 95 for a homophone, else a spelling similarity below both."""
    a, k = _plain(asked), _plain(known)
    if a == k:
        return SAME_NAME
    if len(a) == len(k) and _sound(a) == _sound(k):
        return SAME_SOUND
    return min(float(fuzz.ratio(a, k)), SAME_SOUND - 1)


def _ranges(numbers: list[int]) -> str:
    """1, 2, 3, 5 → '1–3, 5'."""
    out: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(f"{start}–{prev}" if prev > start else str(start))
        if n is not None:
            start = prev = n
    return ", ".join(out)


@dataclass
class _Gazetteer:
    numbers: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    # (building number, identity) -> [(compound, building_id, address)]
    index: dict[tuple[str, tuple[str, ...]], list[tuple[str, str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @classmethod
    def load(cls, conn: psycopg.Connection) -> _Gazetteer:
        return cls.from_rows(conn.execute("SELECT building_id, match_key, address FROM buildings ORDER BY building_id"))

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, str]]) -> _Gazetteer:
        """From (building id, match key, address) rows."""
        g = cls()
        for building_id, key, address in rows:
            compound, number = key.rsplit("|", 1)
            g.numbers[compound].append(int(number))
            g.index[(number, _identity(compound))].append((compound, building_id, address))
        for nums in g.numbers.values():
            nums.sort()
        return g


def _decide(g: _Gazetteer, key: str) -> tuple[str | None, str]:
    """(building_id, note) for a match, or (None, reason with {address} left to fill)."""
    compound, number = key.rsplit("|", 1)
    pool = g.index.get((number, _identity(compound)), [])
    if compound in g.numbers:
        same = [(a, bid) for c, bid, a in pool if c == compound]
        if len(same) > 1:  # the gazetteer lists this building twice
            listed = "; ".join(f"{a} ({bid})" for a, bid in same[:3])
            return None, "address matches several buildings equally well: {address}; candidates: " + listed
        return None, (
            "address matched no building: {address}; "
            f"that compound has no building {number} (its buildings: {_ranges(g.numbers[compound])})"
        )
    scored = sorted(((_score(compound, c), a, bid) for c, bid, a in pool), key=lambda t: (-t[0], t[1]))
    good = [t for t in scored if t[0] >= SAME_SOUND]
    if len(good) == 1 or (good and good[0][0] > good[1][0]):
        score, address, bid = good[0]
        return bid, f"gazetteer (fuzzy {score:.0f}: {address})"
    if good:
        tied = "; ".join(f"{a} ({s:.0f})" for s, a, _ in good[:3])
        return None, "address matches several buildings equally well: {address}; candidates: " + tied
    near = "; ".join(f"{a} ({s:.0f})" for s, a, _ in scored[:3] if s >= 60)
    return None, "address matched no building: {address}" + (f"; closest: {near}" if near else "")


class FuzzyMatcher:
    """Fuzzy matching for one load: the gazetteer is read once, when the first unknown name needs it."""

    def __init__(self) -> None:
        self._gazetteer: _Gazetteer | None = None

    def match(self, conn: psycopg.Connection) -> None:
        keys = [r[0] for r in conn.execute(
            "SELECT DISTINCT match_key FROM stage WHERE reason IS NULL AND lon IS NULL AND match_key IS NOT NULL"
        )]
        if not keys:
            return
        if self._gazetteer is None:
            self._gazetteer = _Gazetteer.load(conn)
        _apply(conn, [(key, *_decide(self._gazetteer, key)) for key in keys])


def _apply(conn: psycopg.Connection, decided: list[tuple[str, str | None, str]]) -> None:
    """Give staged rows the building fuzzy matching found, or keep why it found none."""
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
