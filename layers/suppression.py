"""One rule for every count a planner sees: no count from 1 to 4 is published, nor can be worked out again.

Each layer declares, as data (`Rule`), which of its columns are counts, which
counts add up to others (`Sum`: due = visited + not_yet_visited; or a total that
holds its parts and more, such as complaints ⊇ pending + in_progress), and which
values are computed from counts (rates). Per grid (one row of a layer):

- **primary**: a count from 1 to SUPPRESS_BELOW − 1 is withheld (null). A 0 is
  withheld too (it would say of every household of a grid that it is not in a
  group), but nothing below relies on it: the complements are chosen as if every
  0 were published, since a 0 may follow from published counts (due 10, visited
  10) and a 0 in one question is a published count in another.
- **complementary**: the part a total holds beyond its listed parts (its
  remainder, e.g. the closed complaints) is never published. While a small count
  (published column or remainder) can still be worked out from the row's
  published counts through its sums (solved as linear equations, not only by
  one subtraction), one more count is withheld: a count of a sum holding it,
  parts before totals, in the order the layer lists them, and a count another
  layer publishes for the same question (`shared`) only when nothing else will
  do. Which counts are withheld depends only on which counts are small, never on
  their values, so two questions whose rows differ by counts of 0 or ≥ 5
  withhold the same cells.
- **derived**: a value computed from a withheld count (a rate, a maximum), or
  from a count below 5 of the grid that the layer does not carry (`CONTEXT`: the
  households a per-100 rate divides by), is withheld.

Two questions that differ by a category or status (all categories: 13; all but
one: 12) are answered so that their difference is never 1 to 4: `pool` groups,
per grid, the categories (× statuses) that hold a small count together with the
fewest others needed to make every count of the group 0 or ≥ 5, and a grid's
row is published only for a choice that takes the whole group or none of it
(`splits`). Every published row is then a sum of groups and of single
categories whose counts are 0 or ≥ 5, so no sum or difference of such rows,
however many are asked, is a count from 1 to 4.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import psycopg

SUPPRESS_BELOW = 5

# Counts of a grid a rule may name among a derived value's inputs though the layer has no such column, and
# the query giving them per grid (`context`): a per-100 rate and its count give the households back.
CONTEXT = {
    "households": "SELECT grid_code, count(*) AS households FROM households"
    " WHERE cardinality(%(grids)s::text[]) = 0 OR grid_code = ANY (%(grids)s::text[]) GROUP BY grid_code",
}


def small(value: Any) -> bool:
    """Whether a count is one that is never published: from 1 to SUPPRESS_BELOW − 1."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return False
    return 1 <= float(value) < SUPPRESS_BELOW


@dataclass(frozen=True)
class Sum:
    """total = the sum of parts (exact), or, not exact, total = parts + a remainder the layer does not publish."""

    total: str
    parts: tuple[str, ...]
    exact: bool = True

    @property
    def remainder(self) -> str | None:
        """The name of the unpublished rest of the total (None when the sum is exact)."""
        return None if self.exact else f"{self.total} - ({' + '.join(self.parts)})"


@dataclass(frozen=True)
class Rule:
    """What of a layer's per-grid row is a count, how its counts add up, and what is computed from them."""

    counts: tuple[str, ...] = ()
    sums: tuple[Sum, ...] = ()
    # a value -> the counts it is computed from (counts of the layer, or of CONTEXT)
    derived: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    # counts another layer publishes for the same question: withheld as a complement only as a last resort
    shared: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        known = set(self.counts)
        for s in self.sums:
            if not {s.total, *s.parts} <= known:
                raise ValueError(f"sum {s.total} = {' + '.join(s.parts)} names a column that is not a count")
        for value, inputs in self.derived.items():
            if value in known or not set(inputs) <= known | set(CONTEXT):
                raise ValueError(f"derived value {value}: its inputs must be counts, and it must not be one")
        if not self.shared <= known:
            raise ValueError("a shared column must be a count")

    def cells(self) -> tuple[str, ...]:
        """The counts, then the remainders of the sums that are not exact: the unknowns of the sums."""
        return (*self.counts, *(s.remainder for s in self.sums if s.remainder))

    def items(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """Each count and the values withheld with it (those computed from it)."""
        for count in self.counts:
            yield count, tuple(v for v, inputs in self.derived.items() if count in inputs)

    def sizes(self, row: Mapping[str, Any]) -> dict[str, float]:
        """Every count the row holds, published or not (nan where the row has no value): each cell, and each
        sum of some of the parts of a sum (rated less the satisfied is the basically and the dissatisfied)."""
        cells = {c: _number(row.get(c)) for c in self.counts}
        for s in self.sums:
            if s.remainder:
                cells[s.remainder] = cells[s.total] - sum(cells[p] for p in s.parts)
        forms = _forms(self)
        values = np.stack([form for _, form in forms]) @ np.array([cells[c] for c in self.cells()])
        return {name: float(v) for (name, _), v in zip(forms, values, strict=True)}

    def withheld(self, row: Mapping[str, Any]) -> frozenset[str]:
        """The columns of one row to withhold: small counts, their complements, and what is derived from them."""
        sizes = self.sizes(row)
        smalls = frozenset(c for c, v in sizes.items() if small(v))
        missing = frozenset(c for c in self.counts if math.isnan(sizes[c]))
        zeros = frozenset(c for c in self.counts if sizes[c] == 0)
        context = frozenset(
            c for inputs in self.derived.values() for c in inputs if c not in sizes and (small(row.get(c)) or row.get(c) == 0)
        )
        return _withheld(self, smalls, missing, zeros | context)


def _number(value: Any) -> float:
    if value is None or value is pd.NA:
        return math.nan
    return float(value)


@cache
def _forms(rule: Rule) -> tuple[tuple[str, np.ndarray], ...]:
    """Each count a row holds, as a vector over the rule's cells: the cells, then sums of some parts of a sum."""
    cells = rule.cells()
    out: dict[bytes, tuple[str, np.ndarray]] = {}
    for j, c in enumerate(cells):
        form = np.zeros(len(cells))
        form[j] = 1
        out[form.tobytes()] = (c, form)
    for s in rule.sums:
        members = [*s.parts, *((s.remainder,) if s.remainder else ())]
        for k in range(2, len(members)):
            for some in itertools.combinations(members, k):
                form = np.zeros(len(cells))
                form[[cells.index(m) for m in some]] = 1
                out.setdefault(form.tobytes(), (" + ".join(some), form))
    return tuple(out.values())


@cache
def _withheld(rule: Rule, smalls: frozenset[str], missing: frozenset[str], also: frozenset[str]) -> frozenset[str]:
    """The rule for one pattern of small counts (kept: a layer's thousands of grids share a handful of patterns).

    `also`: the zeros, and the small or zero counts of CONTEXT, withheld with what is derived from them after the
    complements are chosen, so that no protection rests on them.
    """
    remainders = {c for c in rule.cells() if c not in rule.counts}
    unknown = set((smalls & set(rule.counts)) | missing) | remainders
    forms = [(name, form) for name, form in _forms(rule) if name in smalls]
    while exposed := [(name, form) for name, form in forms if _determined(rule, unknown, form)]:
        unknown.add(_complement(rule, unknown, exposed[0][1]))
    withheld = (unknown - remainders) | (also & set(rule.counts))
    withheld |= {v for v, inputs in rule.derived.items() if set(inputs) & (unknown | also)}
    return frozenset(withheld)


def _complement(rule: Rule, unknown: set[str], form: np.ndarray) -> str:
    """The next count to withhold so that `form` can no longer be worked out (one that helps, if one alone does)."""
    support = {rule.cells()[j] for j in np.flatnonzero(form)}
    near = [c for s in rule.sums if support & {s.total, *s.parts, s.remainder} for c in (*s.parts, s.total)]
    order = list(dict.fromkeys([*near, *rule.counts]))
    candidates = sorted((c for c in order if c not in unknown), key=lambda c: c in rule.shared)
    for c in candidates:
        if not _determined(rule, unknown | {c}, form):
            return c
    return candidates[0]  # none alone: withhold the first and look again


def _determined(rule: Rule, unknown: set[str], form: np.ndarray) -> bool:
    """Whether the count `form` follows from the published counts through the sums (is in their row space)."""
    columns = [j for j, c in enumerate(rule.cells()) if c in unknown]
    wanted = form[columns]
    if not wanted.any():
        return True
    matrix = _equations(rule)[:, columns]
    return bool(np.linalg.matrix_rank(np.vstack([matrix, wanted])) == np.linalg.matrix_rank(matrix))


@cache
def _equations(rule: Rule) -> np.ndarray:
    """One row per sum: +1 for the total, −1 for each part and the remainder, over the rule's cells."""
    cells = rule.cells()
    rows = np.zeros((len(rule.sums), len(cells)))
    for i, s in enumerate(rule.sums):
        rows[i, cells.index(s.total)] = 1
        for p in (*s.parts, *((s.remainder,) if s.remainder else ())):
            rows[i, cells.index(p)] -= 1
    return rows


def apply(frame: pd.DataFrame, rule: Rule, context: pd.DataFrame | None = None) -> pd.DataFrame:
    """`frame` (one row per grid, indexed by grid code) with the withheld values of each row set to null.

    `context` holds the CONTEXT counts the rule's derived values read, indexed like `frame`.
    """
    if not rule.counts:
        return frame
    columns = [*rule.counts, *rule.derived]
    rows = frame[columns]
    if context is not None:
        rows = rows.join(context.reindex(rows.index))
    withheld = [rule.withheld({str(k): v for k, v in row.items()}) for row in rows.to_dict("records")]
    out = frame.copy()
    for column in columns:
        out[column] = out[column].mask(np.array([column in w for w in withheld], dtype=bool))
    return out


def context(conn: psycopg.Connection, rule: Rule, grids: Sequence[str]) -> pd.DataFrame | None:
    """The CONTEXT counts the rule reads, per grid (None when it reads none)."""
    names = sorted({c for inputs in rule.derived.values() for c in inputs if c in CONTEXT and c not in rule.counts})
    if not names:
        return None
    out = pd.DataFrame(index=pd.Index([], dtype="string", name="grid_code"))
    for name in names:
        rows = conn.execute(CONTEXT[name], {"grids": list(grids)}).fetchall()
        series = pd.Series({str(code): n for code, n in rows}, name=name, dtype="float64")
        out = out.join(series, how="outer")
    return out


def pool(atoms: Mapping[Hashable, Mapping[str, Any]], rule: Rule) -> frozenset[Hashable]:
    """For one grid: the categories (keys of `atoms`, each with its row of counts) whose counts go together.

    The group holds every category with a small count (a cell from 1 to 4), and then, while a cell of the
    group's sum is still from 1 to 4, the category adding the least to that cell; a cell no other category
    adds to stays small, and is withheld in every answer that holds the group by the row rule.
    """
    cells = {key: rule.sizes(row) for key, row in atoms.items()}
    names = [name for name, _ in _forms(rule)]
    group = [key for key, values in cells.items() if any(small(v) for v in values.values())]
    stuck: set[str] = set()
    while True:
        total = {c: sum(cells[key][c] for key in group) for c in names}
        short = [c for c in names if c not in stuck and small(total[c])]
        if not short:
            return frozenset(group)
        cell = short[0]
        others = [key for key in cells if key not in group and cells[key][cell] > 0]
        if not others:
            stuck.add(cell)
            continue
        group.append(min(others, key=lambda key: cells[key][cell]))


def splits(group: frozenset[Hashable], chosen: frozenset[Hashable]) -> bool:
    """Whether a question taking the categories `chosen` takes part of `group` but not all of it."""
    return bool(group & chosen) and not group <= chosen
