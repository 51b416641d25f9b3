"""A question's records broken down by grid, category and status: what a narrowed question is checked and answered from.

A planner's question choosing some categories or statuses is checked against
every other choice it could be subtracted from (layers.export.divided_grids):
for that, the layer's counts of each atom (one category × one status) of each
grid under the question's other filters (`atoms`). The complaint layers and
hazards count them in one query grouped by grid, category and status
(`_ATOM_QUERIES`); any other layer is asked once per category × status.

The breakdown is kept (layers.answers) for the question less its choice of
categories and statuses, so a planner trying one choice after another reads the
records once. And it already holds the narrowed question's per-grid counts: the
sum of its chosen atoms. For the complaints layer the answer is made of them
(`per_grid`), rates included, instead of a second read of the city's work
orders; a test checks it against the layer's own query.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql

from gridgov.settings import LayerSettings
from gridgov.vocabulary import COMPLAINT_STATUSES, HAZARD_SEVERITIES, HAZARD_STATUSES
from layers import _queries, answers, complaints, emerging, hazards, rates, registry
from layers.registry import Filters, Layer

# What a layer's `categories` filter matches: the table and column its values come from. The complaint
# layers filter on the complaint's category, hazards on the hazard's type, facilities on the ledger's type.
CATEGORY_SOURCES: dict[str, tuple[str, str]] = {
    "complaints": ("complaints", "category"),
    "complaint_hotspots": ("complaints", "category"),
    "emerging_hotspots": ("complaints", "category"),
    "complaint_density": ("complaints", "category"),
    "hazards": ("hazards", "type"),
    "facilities": ("facilities", "type"),
}
# What a layer's `statuses` filter can name, by the table its categories come from.
STATUS_VALUES: dict[str, tuple[str, ...]] = {"complaints": tuple(COMPLAINT_STATUSES), "hazards": tuple(HAZARD_STATUSES)}

Atom = tuple[str | None, str | None]  # (category, status) of some records; None: those no filter value names


def categories(conn: psycopg.Connection, layer: Layer) -> list[str]:
    """Every distinct value of the layer's category in the data, in order (none when it takes no category).

    Kept until its table changes: without an index on the column it is a read of the whole table (0.3–0.7 s
    for a city's work orders), asked for the choices a planner picks from and again by the check."""
    source = CATEGORY_SOURCES.get(layer.name)
    if "categories" not in layer.accepts or source is None:
        return []
    table, column = source
    query = sql.SQL("SELECT DISTINCT {col} FROM {table} WHERE {col} IS NOT NULL ORDER BY 1").format(
        col=sql.Identifier(column), table=sql.Identifier(table)
    )
    return answers.cached(
        conn, ("categories", table, column), lambda: [str(row[0]) for row in conn.execute(query)], reads=frozenset({table})
    )


def chosen(keys: list[Atom], filters: Filters) -> frozenset[Atom]:
    """The atoms a question takes: those of its categories and statuses (every one where it names none)."""
    return frozenset(
        key for key in keys
        if (not filters.categories or key[0] in filters.categories)
        and (not filters.statuses or key[1] in filters.statuses)
    )


def atoms(
    conn: psycopg.Connection, layer: Layer, filters: Filters, settings: LayerSettings, *, asked: bool = False
) -> tuple[list[Atom], pd.DataFrame]:
    """Every atom a question can name, in order, and the layer's counts of each atom of each grid under the
    question's other filters: a frame indexed by grid_code and atom (its place in the list), one row per atom of
    some records in a grid. From the layer's atom query (kept for the question less its categories and
    statuses: treat it as read-only), or (`asked`, or a layer without one) by asking the layer once per
    category × status."""
    query = None if asked else _ATOM_QUERIES.get(layer.name)
    if query is None:
        return _atoms(conn, layer, filters, settings, None)
    others = replace(filters, categories=(), statuses=())
    key = ("atoms", layer.name, others, registry.today(settings), settings.model_dump_json())
    return answers.cached(
        conn, key, lambda: _atoms(conn, layer, others, settings, query),
        fresh_for=registry.clock_bound(layer.name, others), reads=layer.reads,
    )


def from_query(layer: Layer) -> bool:
    """Whether the layer's atoms are counted by one query (`_ATOM_QUERIES`) rather than asked of the layer."""
    return layer.name in _ATOM_QUERIES


def _atoms(
    conn: psycopg.Connection, layer: Layer, filters: Filters, settings: LayerSettings, query: AtomQuery | None
) -> tuple[list[Atom], pd.DataFrame]:
    named: list[str | None] = [*categories(conn, layer), None]
    source = CATEGORY_SOURCES.get(layer.name, ("", ""))[0]
    statuses: list[str | None] = [*(STATUS_VALUES.get(source, ()) if "statuses" in layer.accepts else ()), None]
    keys = [(c, s) for c in named for s in statuses]
    names = list(layer.suppress.counts)
    if query is None:
        each = _asked_atoms(conn, layer, filters, settings, named, statuses)
        table = pd.concat(each.values(), keys=range(len(keys)), names=["atom"]).reset_index()
        table = table.groupby(["grid_code", "atom"], sort=False)[names].sum().astype("float64")
    else:
        records, values = query(filters, settings)
        table = records.counted(conn, names, values, named[:-1], statuses[:-1])
    return keys, table[(table != 0).any(axis=1)]


def _asked_atoms(
    conn: psycopg.Connection,
    layer: Layer,
    filters: Filters,
    settings: LayerSettings,
    categories: list[str | None],
    statuses: list[str | None],
) -> dict[Atom, pd.DataFrame]:
    """Each atom's counts per grid, the layer asked once per category × status (a None atom: its "all" less
    the named ones beside it). For a layer without an atom query: 45 questions for a city's complaints."""
    count = layer.counts or layer.aggregate
    names = list(layer.suppress.counts)

    def ask(categories: tuple[str, ...], statuses: tuple[str, ...]) -> pd.DataFrame:
        asked = replace(filters, categories=categories, statuses=statuses)
        return count(conn, asked, settings)[names].astype("float64").fillna(0.0)

    # the counts of every combination a filter can name, None standing for "all", and then each atom of
    # them: a None atom is its "all" less the named ones beside it
    asked = {
        (c, s): ask(() if c is None else (c,), () if s is None else (s,)) for c in categories for s in statuses
    }
    out: dict[Atom, pd.DataFrame] = {}
    for c in categories:
        for s in statuses:
            atom = asked[(c, s)]
            if s is None:
                atom = atom - sum((asked[(c, t)] for t in statuses if t is not None), start=0.0 * atom)
            if c is None:
                named = [d for d in categories if d is not None]
                atom = atom - sum((asked[(d, s)] for d in named), start=0.0 * atom)
                if s is None:
                    atom = atom + sum((asked[(d, t)] for d in named for t in statuses if t is not None), start=0.0 * atom)
            out[(c, s)] = atom
    return out


# The atoms in one query: the records a layer counts, grouped by grid, category and status, each group counted
# as the layer's own query counts a grid (complaints_per_grid.sql, layers.hazards); a test checks
# them against the layer asked per category × status (`atoms(asked=True)`), which serves a layer not listed here.
@dataclass(frozen=True)
class _Records:
    """What an atom query counts: the records (`records()`, SQL text whose rows are named `alias`), the column
    of their category, and how each count of a group is counted. A count of one status (`by_status`, named as
    the status) need not be: in a group of one status it is the group's `total` or 0."""

    records: Callable[[], str]
    alias: str
    category: str
    total: str
    by_status: tuple[str, ...]
    counts: Mapping[str, sql.Composable]

    def query(self, names: list[str]) -> sql.Composed:
        """The counts `names` per grid_code and atom, each column as one array.

        A record's atom is its place among the atoms (`_atoms`' keys): its category's among
        %(atom_categories)s, or the place after them (none of them: a null category, one not in the list),
        times the places of statuses, plus its status's among %(atom_statuses)s (or the place after them)."""
        atom = sql.SQL(
            "(coalesce(array_position(%(atom_categories)s::text[], {a}.{category}),"
            " cardinality(%(atom_categories)s::text[]) + 1) - 1) * (cardinality(%(atom_statuses)s::text[]) + 1)"
            " + coalesce(array_position(%(atom_statuses)s::text[], {a}.status), cardinality(%(atom_statuses)s::text[]) + 1) - 1"
        ).format(a=sql.Identifier(self.alias), category=sql.Identifier(self.category))
        return sql.SQL(
            "WITH {a} AS ({records}) SELECT array_agg(g.grid_code), array_agg(g.atom), {arrays}"
            " FROM (SELECT {a}.grid_code, {atom} AS atom, {counts} FROM {a} GROUP BY 1, 2) AS g"
        ).format(
            a=sql.Identifier(self.alias),
            records=sql.SQL(self.records()),  # type: ignore[arg-type]  # the layer module's query text
            atom=atom,
            arrays=sql.SQL(", ").join(sql.SQL("array_agg(g.{})").format(sql.Identifier(n)) for n in names),
            counts=sql.SQL(", ").join(sql.SQL("{} AS {}").format(self.counts[n], sql.Identifier(n)) for n in names),
        )

    def counted(
        self, conn: psycopg.Connection, names: list[str], values: dict[str, Any],
        categories: list[str | None], statuses: list[str | None],
    ) -> pd.DataFrame:
        """The counts `names` of each atom of each grid (indexed by grid_code and atom, as `_atoms` gives them),
        the atoms those of `categories` × `statuses` and one more of each (`query`).

        A city's 3,300 grids × 8 categories × 6 statuses are counted in memory (~35 MB of groups, which with the
        default work_mem spilt to disk), without compiling the counts (JIT made the query 1.6 times slower), by
        the server's parallel workers where it has them (`_PARALLEL`), and come as one row of arrays: 90,000 rows
        of fifteen values each cost more to read than to count. A count of one of the statuses is not counted in
        SQL: it is its atom's total, or 0."""
        of_status = {n: statuses.index(n) for n in names if n in self.by_status and n in statuses}
        counted = [n for n in names if n not in of_status]
        asked = {**values, "atom_categories": categories, "atom_statuses": statuses}
        with conn.transaction():  # the settings end with the transaction (the caller's, when there is one)
            conn.execute(
                "SELECT set_config('work_mem', %s, true), set_config('jit', 'off', true),"
                " set_config('parallel_setup_cost', %s, true), set_config('parallel_tuple_cost', %s, true)",
                [f"{_ATOM_WORK_MEM_MB}MB", *_PARALLEL],
            )
            row = conn.execute(self.query(counted), asked).fetchone()
        grids, atoms, *arrays = row if row and row[0] is not None else (None,) * (len(counted) + 2)
        table = pd.DataFrame(
            {n: np.asarray(a or (), dtype="float64") for n, a in zip(counted, arrays, strict=True)},
            index=pd.MultiIndex.from_arrays(
                [pd.array(grids or (), dtype="string"), np.asarray(atoms or (), dtype="int64")], names=["grid_code", "atom"]
            ),
        )
        status = table.index.get_level_values("atom").to_numpy() % (len(statuses) + 1)
        for name, place in of_status.items():
            table[name] = np.where(status == place, table[self.total].to_numpy(), 0.0)
        return table[names]


_ATOM_WORK_MEM_MB = 64
# The planner prices handing each worker's partial groups to the leader (~100,000 rows each for a city) above
# what counting in parallel saves, and counts in one process; in parallel the city's breakdown took 2.5 s
# against 4.0 s (median of six, on a busy machine). The records are parallel safe (migration 023's functions).
_PARALLEL = ("0", "0")  # parallel_setup_cost, parallel_tuple_cost, for this query only
_COMPLAINTS = _Records(
    lambda: _queries.load("complaints_filtered"), "c", "category", "complaints", ("pending", "in_progress"),
    {
        "complaints": sql.SQL("count(*)"),
        **{st: sql.SQL("count(*) FILTER (WHERE c.status = {})").format(sql.Literal(st)) for st in ("pending", "in_progress")},
        "responded_in_time": sql.SQL("count(*) FILTER (WHERE c.in_time)"),
        "response_known": sql.SQL("count(c.in_time)"),
        "response_unknown": sql.SQL("count(*) - count(c.in_time)"),
        "resolved": sql.SQL("count(*) FILTER (WHERE c.resolved)"),
        "outcome_known": sql.SQL("count(c.resolved)"),
        "outcome_unknown": sql.SQL("count(*) - count(c.resolved)"),
        **{
            rating: sql.SQL("count(*) FILTER (WHERE c.satisfaction = {})").format(sql.Literal(rating))
            for rating in ("satisfied", "basically_satisfied", "dissatisfied")
        },
        "rated": sql.SQL("count(c.satisfaction)"),
        "unrated": sql.SQL("count(*) - count(c.satisfaction)"),
    },
)
_HAZARDS = _Records(
    lambda: hazards._HAZARDS, "z", "type", "hazards", tuple(HAZARD_STATUSES),
    {
        "hazards": sql.SQL("count(*)"),
        **{st: sql.SQL("count(*) FILTER (WHERE z.status = {})").format(sql.Literal(st)) for st in HAZARD_STATUSES},
        **{
            f"{st}_{sv}": sql.SQL("count(*) FILTER (WHERE z.status = {} AND z.severity = {})").format(
                sql.Literal(st), sql.Literal(sv)
            )
            for st in HAZARD_STATUSES
            for sv in HAZARD_SEVERITIES
        },
        "overdue": sql.SQL("count(z.days_overdue)"),
    },
)
# a layer -> the records its atoms are counted of, and the query's values, for a question's other filters
AtomQuery = Callable[[Filters, LayerSettings], tuple[_Records, dict[str, Any]]]


def _complaint_atoms(filters: Filters, settings: LayerSettings) -> tuple[_Records, dict[str, Any]]:
    return _COMPLAINTS, complaints.params(replace(filters, categories=(), statuses=()), settings)


def _emerging_atoms(filters: Filters, settings: LayerSettings) -> tuple[_Records, dict[str, Any]]:
    start, end = emerging.window(filters, settings)  # the cube's window, as the layer counts it
    return _complaint_atoms(replace(filters, start=start, end=end), settings)


def _hazard_atoms(filters: Filters, settings: LayerSettings) -> tuple[_Records, dict[str, Any]]:
    return _HAZARDS, hazards.params(replace(filters, categories=(), statuses=()), settings)


_ATOM_QUERIES: dict[str, AtomQuery] = {
    "complaints": _complaint_atoms,
    "complaint_hotspots": _complaint_atoms,
    "complaint_density": _complaint_atoms,
    "emerging_hotspots": _emerging_atoms,
    "hazards": _hazard_atoms,
}


def per_grid(
    layer: Layer, filters: Filters, settings: LayerSettings, breakdown: tuple[list[Atom], pd.DataFrame],
    grids: pd.Index, households: pd.DataFrame | None,
) -> pd.DataFrame | None:
    """The layer's per-grid answer to `filters` (as layer.aggregate gives it) made of its breakdown (`atoms`)
    for the grids `grids`, or None when the layer's answer is not a sum of atoms (a hot spot's Gi*, a density).
    `households`: the households of each grid (layers.suppression.context), for a rate per 100 households."""
    if layer.name != "complaints" or households is None:
        return None
    keys, table = breakdown
    taken = [a for a, key in enumerate(keys) if key in chosen(keys, filters)]
    rows = table[table.index.get_level_values("atom").isin(taken)]
    counted = rows.groupby(level="grid_code").sum().reindex(grids, fill_value=0.0).astype("int64")
    counted["households"] = households["households"].reindex(grids)
    per_100 = rates.Definition("per_100_households", ("complaints",), "households")  # as complaints_per_grid.sql
    out = rates.with_rates(counted, (per_100, *rates.COMPLAINT_RATES), settings)
    return out[[c.name for c in layer.columns]]
