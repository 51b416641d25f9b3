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
- **statistics**: a value computed from every grid's exact counts (the Gi*
  z-score and p-value of a hot spot, a trend's z and p) is never published: a
  grid's z-score is an affine function of its neighbourhood's counts, so the z-scores
  of a map give the counts back, small ones included. Only the classification
  made of them (hot spot, 95 % confidence; an emerging pattern) is.

Two questions that differ by a category or status (all categories: 13; all but
one: 12) are answered so that their difference is never 1 to 4: `pooled` groups,
per grid, the categories (× statuses) that hold a small count together with the
fewest others needed to make every count of the group 0 or ≥ 5, and a grid's
row is published only for a choice that takes the whole group or none of it
(layers.export.divided_grids). Every published row is then a sum of groups and of single
categories whose counts are 0 or ≥ 5, so no sum or difference of such rows,
however many are asked, is a count from 1 to 4.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

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
    # values computed from every grid's exact counts (a Gi* z-score, a p-value, a trend's): with enough of them
    # the counts the rule withholds can be solved for, so none is published; the classes made of them are
    statistics: frozenset[str] = frozenset()

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
        if self.statistics & (known | set(self.derived)):
            raise ValueError("a statistic is never published: it cannot be a count or a value derived from one")

    def cells(self) -> tuple[str, ...]:
        """The counts, then the remainders of the sums that are not exact: the unknowns of the sums."""
        return (*self.counts, *(s.remainder for s in self.sums if s.remainder))

    def items(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """Each count and the values withheld with it (those computed from it)."""
        for count in self.counts:
            yield count, tuple(v for v, inputs in self.derived.items() if count in inputs)


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
    """The rule for one pattern of small counts (kept: a layer's thousands of grids share a few hundred patterns).

    `also`: the zeros, and the small or zero counts of CONTEXT, withheld with what is derived from them after the
    complements are chosen, so that no protection rests on them.
    """
    cells = rule.cells()
    remainders = set(cells[len(rule.counts) :])
    unknown = set((smalls & set(rule.counts)) | missing) | remainders
    forms = np.array([form for name, form in _forms(rule) if name in smalls]).reshape(-1, len(cells))
    sums = _sums(rule)
    while (exposed := np.flatnonzero(sums.determined(unknown, forms))).size:
        unknown.add(_complement(sums, unknown, forms[exposed[0]]))
    withheld = (unknown - remainders) | (also & set(rule.counts))
    withheld |= {v for v, inputs in rule.derived.items() if set(inputs) & (unknown | also)}
    return frozenset(withheld)


@dataclass(frozen=True)
class _Sums:
    """A rule's sums as linear equations over its cells (`_equations`), for telling what can be worked out."""

    rule: Rule
    cells: tuple[str, ...]
    equations: np.ndarray
    # the free directions (`free`) of each set of unknowns asked about: patterns share most of them
    known: dict[frozenset[str], np.ndarray] = field(default_factory=dict, compare=False)

    def determined(self, unknown: set[str], forms: np.ndarray) -> np.ndarray:
        """Per count (a row of `forms`, over the cells): whether it follows from the published counts through the
        sums, i.e. stays put whichever way the unknown counts can move with every sum still holding (it is in
        the row space of the sums over the unknowns)."""
        return np.asarray(np.abs(forms @ self.free(frozenset(unknown)).T).max(axis=1, initial=0.0) <= _SOLVED)

    def free(self, unknown: frozenset[str]) -> np.ndarray:
        """The directions the unknown counts can move in together with every sum still holding: an orthonormal
        basis of the null space of the sums over the unknowns, as rows over all the cells."""
        if (kept := self.known.get(unknown)) is not None:
            return kept
        columns = [j for j, c in enumerate(self.cells) if c in unknown]
        matrix = self.equations[:, columns]
        if matrix.size:
            _, values, rows = np.linalg.svd(matrix)
            rank = int(np.count_nonzero(values > values.max(initial=0.0) * max(matrix.shape) * np.finfo(float).eps))
            basis = rows[rank:]  # the null space, of the rank numpy.linalg.matrix_rank would count
        else:
            basis = np.eye(len(columns))
        free = np.zeros((len(basis), len(self.cells)))
        free[:, columns] = basis
        if len(self.known) >= _KEPT_FREE:
            self.known.clear()
        self.known[unknown] = free
        return free


_KEPT_FREE = 8192  # sets of unknowns whose free directions are kept, per rule (each at most 22 × 22 numbers)


@cache
def _sums(rule: Rule) -> _Sums:
    return _Sums(rule, rule.cells(), _equations(rule))


_SOLVED = 1e-9  # |a free direction · a count| at most this: the count does not move (the sums are of 0 and ±1)


def _complement(sums: _Sums, unknown: set[str], form: np.ndarray) -> str:
    """The next count to withhold so that `form` can no longer be worked out (one that helps, if one alone does)."""
    rule = sums.rule
    support = {sums.cells[j] for j in np.flatnonzero(form)}
    near = [c for s in rule.sums if support & {s.total, *s.parts, s.remainder} for c in (*s.parts, s.total)]
    order = list(dict.fromkeys([*near, *rule.counts]))
    candidates = sorted((c for c in order if c not in unknown), key=lambda c: c in rule.shared)
    for c in candidates:
        if not sums.determined(unknown | {c}, form[np.newaxis])[0]:
            return c
    return candidates[0]  # none alone: withhold the first and look again


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

    `context` holds the CONTEXT counts the rule's derived values read, indexed like `frame`. The rule's
    statistics are withheld in every row.
    """
    frame = frame.assign(**{s: np.nan for s in rule.statistics if s in frame.columns})
    if not rule.counts:
        return frame
    columns = [*rule.counts, *rule.derived]
    patterns, of_row = _patterns(rule, frame, context)
    each = np.array([[c in w for c in columns] for w in (_withheld(rule, *p) for p in patterns)], dtype=bool)
    withheld = each.reshape(len(patterns), len(columns))[of_row]
    out = frame.copy()
    for j, column in enumerate(columns):
        out[column] = out[column].mask(withheld[:, j])
    return out


Pattern = tuple[frozenset[str], frozenset[str], frozenset[str]]  # small sizes, missing counts, zeros and context


def _patterns(rule: Rule, frame: pd.DataFrame, context: pd.DataFrame | None) -> tuple[list[Pattern], np.ndarray]:
    """What Rule.withheld reads of each row (`frame`'s rows, with `context`'s counts of the same grid), found for
    every row at once: the distinct patterns, and which one each row has. A city's 3,300 grids share a few
    hundred, each solved once (`_withheld`)."""
    sizes = size_table(rule, frame)
    names = list(sizes.columns)
    values = sizes.to_numpy()
    counts = values[:, : len(rule.counts)]  # the first sizes are the counts themselves (_forms)
    outside = [c for inputs in rule.derived.values() for c in dict.fromkeys(inputs) if c not in names]
    given = [
        context[c].reindex(frame.index).to_numpy(dtype=float, na_value=np.nan)
        if context is not None and c in context.columns else np.full(len(frame), np.nan)
        for c in outside
    ]
    flags = np.column_stack([
        smalls(values), np.isnan(counts), counts == 0, *((smalls(v) | (v == 0)) for v in given)
    ]).astype(bool)
    found, of_row = np.unique(flags, axis=0, return_inverse=True)
    parts = np.cumsum([len(names), len(rule.counts), len(rule.counts)])
    also = [*rule.counts, *outside]

    def named(row: np.ndarray, of: Sequence[str]) -> frozenset[str]:
        return frozenset(c for c, flagged in zip(of, row, strict=True) if flagged)

    patterns = [
        (named(row[: parts[0]], names), named(row[parts[0] : parts[1]], rule.counts), named(row[parts[1] :], also))
        for row in found
    ]
    return patterns, np.asarray(of_row).reshape(len(frame))


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


def pooled(sizes: np.ndarray) -> np.ndarray:
    """`pool` of one grid's atoms, a row of sizes each (columns as Rule.sizes names them): which are in the group."""
    in_group = np.asarray(smalls(sizes).any(axis=1), dtype=bool)
    stuck = np.zeros(sizes.shape[1], dtype=bool)
    while True:
        short = np.flatnonzero(~stuck & smalls(sizes[in_group].sum(axis=0)))
        if not short.size:
            return in_group
        cell = sizes[:, short[0]]
        others = ~in_group & (cell > 0)
        if not others.any():
            stuck[short[0]] = True
            continue
        in_group[np.argmin(np.where(others, cell, np.inf))] = True  # the least, the first of equals


def size_table(rule: Rule, counts: pd.DataFrame) -> pd.DataFrame:
    """Rule.sizes of every row of `counts` (the rule's counts as columns) at once: a column per count the
    row holds, named and ordered as Rule.sizes names them."""
    cells = counts[list(rule.counts)].to_numpy(dtype=float, na_value=np.nan)
    columns = {c: j for j, c in enumerate(rule.counts)}
    remainders = [
        cells[:, columns[s.total]] - sum((cells[:, columns[p]] for p in s.parts), start=np.zeros(len(cells)))
        for s in rule.sums if s.remainder
    ]
    full = np.column_stack([cells, *remainders]) if remainders else cells
    forms = _forms(rule)
    sizes = full @ np.stack([form for _, form in forms]).T
    sizes[np.isnan(full).any(axis=1)] = np.nan  # a row missing a count holds no size, as in Rule.sizes
    return pd.DataFrame(sizes, index=counts.index, columns=[name for name, _ in forms])


def holds_small(sizes: pd.DataFrame) -> np.ndarray:
    """Per row of a size_table: whether it holds a count from 1 to SUPPRESS_BELOW − 1."""
    return np.asarray(smalls(sizes.to_numpy()).any(axis=1))


def smalls(values: np.ndarray) -> np.ndarray:
    """`small` of each value of an array."""
    return np.asarray((values >= 1) & (values < SUPPRESS_BELOW))
