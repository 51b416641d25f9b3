"""Complaint hot spots (热点分析): Getis-Ord Gi* on the complaints per grid, as ArcGIS reports it.

Gi* is esda's `G_Local(star=True)` with binary weights (transform "B": each
neighbour and the grid itself weigh 1), whose z-score is ArcGIS's Gi* z-score.
The weights are queen contiguity from the grid polygons in the database
(`contiguity`), found once per version of the grids and kept in the table
grid_neighbours (layers.contiguity). Per grid:

- gi_z: the z-score (analytic, uncorrected);
- gi_p: the two-sided permutation p-value, 2 x esda's folded pseudo p-value
  (conditional randomisation, settings.hotspot_permutations, fixed
  settings.hotspot_seed), capped at 1; uncorrected;
- gi_bin: -3..3 as ArcGIS's Gi_Bin, positive hot, negative cold, with the
  Benjamini-Hochberg false discovery rate applied to gi_p over all grids: 3 when
  the BH-adjusted p <= 0.01, 2 when <= 0.05, 1 when <= 0.10, else 0; the sign is
  that of gi_z. With 999 permutations the smallest p is 0.002, so BH over many
  grids needs several hot grids before any is significant: raise
  hotspot_permutations for large study areas.

The statistic always runs over every grid in the database (the study area), so
a grid leader's own grid gets the same value as on the secretary's map; the
filters' grids only choose which rows are returned. When no grid's count differs
from the others (e.g. no complaints), or there are fewer than 3 grids, nothing
can cluster: z 0, p 1, bin 0; likewise for a grid whose neighbourhood is every
grid (its z is 0 / 0).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

import numpy as np
import pandas as pd
import psycopg
from esda.getisord import G_Local
from libpysal.weights import W
from libpysal.weights.util import fill_diagonal
from scipy import sparse
from scipy.stats import false_discovery_control

from gridgov import i18n
from gridgov.settings import LayerSettings
from layers import _queries
from layers.complaints import FILTERS, READS, counts
from layers.contiguity import neighbours as stored_neighbours
from layers.registry import Column, Filters, Layer, Legend, register
from layers.suppression import Rule

MIN_GRIDS = 3

# (value, key of its name, colour): ArcGIS's hot spot renderer, cold blue to hot red
BINS = (
    ("-3", "complaint_hotspots.bin-3", "#4575b5"),
    ("-2", "complaint_hotspots.bin-2", "#849eba"),
    ("-1", "complaint_hotspots.bin-1", "#c0ccbe"),
    ("0", "complaint_hotspots.bin0", "#ffffbf"),
    ("1", "complaint_hotspots.bin1", "#fab984"),
    ("2", "complaint_hotspots.bin2", "#ed7551"),
    ("3", "complaint_hotspots.bin3", "#d62f27"),
)


def contiguity(conn: psycopg.Connection, grid_codes: Sequence[str]) -> W:
    """Queen contiguity between the grids `grid_codes` (ids = grid codes, in that order), from PostGIS.

    Two grids are neighbours when their polygons share an edge or a corner, within 1 m; an island is joined
    to its nearest grid (layers.contiguity, which keeps them in the database until the grids change).
    `grid_codes` is normally every grid; of a part of them, a grid whose neighbours are all outside the part
    is joined to its nearest grid in the part.
    """
    codes = list(grid_codes)
    wanted = set(codes)
    neighbours: dict[str, set[str]] = {code: set() for code in codes}
    for a, b in stored_neighbours(conn):
        if a in wanted and b in wanted:
            neighbours[a].add(b)
            neighbours[b].add(a)
    islands = [code for code, near in neighbours.items() if not near] if len(codes) > 1 else []
    if islands:
        for a, b in conn.execute(_queries.load("hotspots_nearest"), {"codes": codes, "islands": islands}):
            neighbours[a].add(b)
            neighbours[b].add(a)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns about islands and disconnected components
        return W({code: sorted(neighbours[code]) for code in codes}, id_order=codes)


def star(w: W) -> W:
    """w with each grid its own neighbour (weight 1), as Gi* weighs it: build once, pass to gi_star many times."""
    return fill_diagonal(w, 1.0)


def fdr_bins(z: np.ndarray, p: np.ndarray) -> np.ndarray:
    """ArcGIS's Gi_Bin with the Benjamini-Hochberg FDR: ±3, ±2, ±1 at BH-adjusted p <= .01, .05, .10, else 0."""
    z = np.asarray(z, dtype=float)
    p = np.asarray(p, dtype=float)
    if p.size == 0:
        return np.zeros(0, dtype=int)
    q = false_discovery_control(p, method="bh")
    level = np.select([q <= 0.01, q <= 0.05, q <= 0.10], [3, 2, 1], 0)
    return (np.sign(z) * level).astype(int)


def gi_star(counts: np.ndarray, w: W, permutations: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gi* z-score, two-sided permutation p-value and FDR-corrected bin of each grid (in w.id_order).

    `w` is binary contiguity, without (esda adds it) or with (`star`) each grid as its own neighbour.
    """
    z, p, bins = gi_star_periods(np.asarray(counts, dtype=float)[:, None], w, permutations, seed)
    return z[:, 0], p[:, 0], bins[:, 0]


def gi_star_periods(
    counts: np.ndarray, w: W, permutations: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """gi_star of every column of `counts` (grids x periods), each with the same permutations (`seed`).

    Each column's numbers are esda's `G_Local(column, w, transform="B", star=True, permutations=permutations,
    seed=seed)`: the analytic z of esda's formula, and its conditional randomisation (for grid i, its
    neighbours' counts replaced by those of random other grids, the same draws for every grid and every
    period, as esda draws them) counted here for all grids and periods at once (`_larger`) instead of in
    esda's loop over grids: a quarter of a second per period at 3,300 grids, 26 s for two years of weeks.
    Counts that are not whole numbers go to esda itself, column by column.
    """
    y = np.asarray(counts, dtype=float)
    n, periods = y.shape
    z, p, bins = np.zeros(y.shape), np.ones(y.shape), np.zeros(y.shape, dtype=int)
    live = np.ptp(y, axis=0) > 0 if n >= MIN_GRIDS else np.zeros(periods, dtype=bool)  # else nothing to compare
    if not live.any():
        return z, p, bins
    if not np.array_equal(y[:, live], np.round(y[:, live])):
        for t in np.flatnonzero(live):
            z[:, t], p[:, t] = _esda(y[:, t], w, permutations, seed)
    else:
        others = _binary(w)
        z[:, live] = _z(y[:, live], others)
        p[:, live] = _permutation_p(y[:, live], others, permutations, seed)
    # a grid whose neighbourhood is the whole study area has no z (0 / 0): nothing to compare it with
    undefined = ~np.isfinite(z)
    z[undefined], p[undefined] = 0.0, 1.0
    for t in np.flatnonzero(live):
        bins[:, t] = fdr_bins(z[:, t], p[:, t])
    return z, p, bins


def _esda(y: np.ndarray, w: W, permutations: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # esda's notice about its future default alternative; islands
        g = G_Local(
            y, w, transform="B", star=True, permutations=permutations, seed=seed, n_jobs=1, keep_simulations=False
        )
    return np.asarray(g.Zs, dtype=float), np.minimum(1.0, 2.0 * np.asarray(g.p_sim, dtype=float))


def _binary(w: W) -> sparse.csr_matrix:
    """w's neighbours (in w.id_order) as a 0/1 matrix without the diagonal."""
    others = sparse.csr_matrix(w.sparse, dtype=float, copy=True)
    others.setdiag(0)
    others.eliminate_zeros()
    others.data[:] = 1.0
    others.sort_indices()
    return others


def _z(y: np.ndarray, others: sparse.csr_matrix) -> np.ndarray:
    """Gi* z of each column of y (whole numbers): esda's G_Local.calc for star=True, step by step."""
    n = y.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = (others @ y + y) / y.sum(axis=0)
        empirical_mean = y.sum(axis=0) / n
        mean_of_squares = (y**2).sum(axis=0) / n
        empirical_variance = mean_of_squares - empirical_mean**2
        cardinality = np.asarray(others.sum(axis=1)).reshape(-1, 1) + 1.0
        expected_value = cardinality / n
        expected_variance = cardinality * (n - cardinality)
        expected_variance /= n - 1
        expected_variance *= 1 / n**2
        expected_variance = expected_variance * (empirical_variance / (empirical_mean**2))
        return np.asarray((statistic - expected_value) / np.sqrt(expected_variance))


@lru_cache(maxsize=8)
def _permuted_ids(n: int, draws: int, permutations: int, seed: int) -> np.ndarray:
    """esda's random draws (esda.crand.vec_permutations): per permutation, `draws` of the n - 1 other grids."""
    state = np.random.RandomState(seed)  # esda seeds numpy's global legacy generator: the same stream
    ids = np.empty((permutations, draws), dtype=np.int64)
    for k in range(permutations):
        ids[k] = state.choice(n - 1, size=draws, replace=False)
    ids.setflags(write=False)
    return ids


def _permutation_p(y: np.ndarray, others: sparse.csr_matrix, permutations: int, seed: int) -> np.ndarray:
    """Two-sided p of each grid and column: 2 x esda's folded pseudo p-value, capped at 1 (y: whole numbers)."""
    larger = _larger(y, others, permutations, seed)
    folded = np.where(permutations - larger < larger, permutations - larger, larger)
    p_sim = ((folded + 1) / (permutations + 1)).astype(np.float32)  # esda keeps its p-values as float32
    return np.minimum(1.0, 2.0 * p_sim.astype(float))


def _larger(y: np.ndarray, others: sparse.csr_matrix, permutations: int, seed: int) -> np.ndarray:
    """How many permutations give grid i in period t a Gi* at least its own (esda's `larger`), all at once.

    esda's draw for grid i and permutation r: its k-th neighbour (k < its number of neighbours c_i) is
    the grid ids[r, k] among the other grids, i.e. ids[r, k] + 1 when ids[r, k] >= i; its Gi* exceeds the
    observed one exactly when that sum of counts does the sum of its real neighbours' counts (whole
    numbers: the self count and the total are the same on both sides). Per permutation, the sums of every
    grid and period are one matrix product: (grids x draws, which draws grid i uses and which of them move
    up) @ (draws x periods, the drawn grids' counts); for a few periods, the running total of the drawn
    counts up to c_i plus (grids x draws, the moved draws) @ (their differences) is quicker.
    """
    n, periods = y.shape
    cardinality = np.diff(others.indptr)
    draws = int(cardinality.max())
    larger = np.zeros((n, periods), dtype=np.int64)
    islands = cardinality == 0  # esda gives a grid without neighbours a permuted Gi* of 0
    larger[islands] = np.where(y[islands] <= 0, permutations, 0)
    if draws == 0:
        return larger
    ids = _permuted_ids(n, draws, permutations, seed)
    # float32 sums whole numbers exactly below 2**24; beyond that, float64
    dtype = np.float32 if np.abs(y).max() * (draws + 1) < 2**24 else np.float64
    counts = y.astype(dtype)
    observed = (others @ y).astype(dtype)
    used = np.arange(draws)[None, :] < cardinality[:, None]  # grids x draws: the draws grid i uses
    grid = np.arange(n)[:, None]
    few = periods < 2 * draws
    chunk = max(1, min(permutations, 4_000_000 // (n * max(periods, 2 * draws))))  # a few MB at a time
    for first in range(0, permutations, chunk):
        drawn = ids[first : first + chunk]  # chunk x draws
        moved = (drawn[:, None, :] >= grid[None]) & used[None]  # chunk x grids x draws
        low, high = counts[drawn], counts[drawn + 1]  # chunk x draws x periods
        if few:
            running = np.concatenate([np.zeros((len(drawn), 1, periods), dtype), np.cumsum(low, axis=1)], axis=1)
            sums = running[:, cardinality, :] + moved.astype(dtype) @ (high - low)
        else:
            pick = np.concatenate([used[None] & ~moved, moved], axis=2).astype(dtype)
            sums = pick @ np.concatenate([low, high], axis=1)
        larger[~islands] += (sums >= observed).sum(axis=0)[~islands]
    return larger


def _aggregate(conn: psycopg.Connection, filters: Filters, settings: LayerSettings) -> pd.DataFrame:
    table = counts(conn, replace(filters, grids=()), settings)  # Gi* compares every grid
    codes = list(table.index)
    z, p, bins = gi_star(
        table["complaints"].to_numpy(), contiguity(conn, codes), settings.hotspot_permutations, settings.hotspot_seed
    )
    out = pd.DataFrame(
        {"gi_z": z, "gi_p": p, "gi_bin": bins, "complaints": table["complaints"].to_numpy()},
        index=pd.Index(codes, dtype="string", name="grid_code"),
    )
    return out[out.index.isin(filters.grids)] if filters.grids else out


i18n.add({
    "zh": {
        "complaint_hotspots.label": "热点分析",
        "complaint_hotspots.legend": "诉求热点（Getis-Ord Gi*）",
        "complaint_hotspots.note": (
            "各网格诉求数的 Getis-Ord Gi*：邻接（共边或共点）网格及本网格为邻域；"
            "p 值由置换检验得出（固定随机种子）；置信分级经 Benjamini-Hochberg 错误发现率（FDR）校正，与 ArcGIS 一致。"
        ),
        "complaint_hotspots.gi_z": "Gi* z 得分",
        "complaint_hotspots.gi_p": "p 值（置换检验，未校正）",
        "complaint_hotspots.gi_bin": "置信区间分级",
        "complaint_hotspots.complaints": "诉求数",
        "complaint_hotspots.bin-3": "冷点（99%置信度）",
        "complaint_hotspots.bin-2": "冷点（95%置信度）",
        "complaint_hotspots.bin-1": "冷点（90%置信度）",
        "complaint_hotspots.bin0": "不显著",
        "complaint_hotspots.bin1": "热点（90%置信度）",
        "complaint_hotspots.bin2": "热点（95%置信度）",
        "complaint_hotspots.bin3": "热点（99%置信度）",
    },
    "en": {
        "complaint_hotspots.label": "Complaint hot spots",
        "complaint_hotspots.legend": "Complaint hot spots (Getis-Ord Gi*)",
        "complaint_hotspots.note": (
            "Getis-Ord Gi* of complaints per grid; neighbourhood: the grid and the grids sharing an edge or corner; "
            "p-values from permutations (fixed seed); confidence bins corrected for the false discovery rate "
            "(Benjamini-Hochberg), as ArcGIS does."
        ),
        "complaint_hotspots.gi_z": "Gi* z-score",
        "complaint_hotspots.gi_p": "p-value (permutation, uncorrected)",
        "complaint_hotspots.gi_bin": "confidence bin −3…3 (FDR-corrected)",
        "complaint_hotspots.complaints": "complaints",
        "complaint_hotspots.bin-3": "Cold spot, 99% confidence",
        "complaint_hotspots.bin-2": "Cold spot, 95% confidence",
        "complaint_hotspots.bin-1": "Cold spot, 90% confidence",
        "complaint_hotspots.bin0": "Not significant",
        "complaint_hotspots.bin1": "Hot spot, 90% confidence",
        "complaint_hotspots.bin2": "Hot spot, 95% confidence",
        "complaint_hotspots.bin3": "Hot spot, 99% confidence",
    },
})

LAYER = register(
    Layer(
        name="complaint_hotspots",
        label="complaint_hotspots.label",
        accepts=FILTERS,
        columns=(
            Column("gi_z", "float", "complaint_hotspots.gi_z"),
            Column("gi_p", "float", "complaint_hotspots.gi_p"),
            Column("gi_bin", "int", "complaint_hotspots.gi_bin"),
            Column("complaints", "int", "complaint_hotspots.complaints"),
        ),
        aggregate=_aggregate,
        legend=Legend(
            property="gi_bin",
            kind="bin",
            title="complaint_hotspots.legend",
            note="complaint_hotspots.note",
            categories=BINS,
        ),
        # the complaints per grid, as the complaints layer counts them (which publishes them too); z and p are
        # functions of every grid's exact counts: a planner gets the bin only
        suppress=Rule(counts=("complaints",), shared=frozenset({"complaints"}), statistics=frozenset({"gi_z", "gi_p"})),
        counts=counts,
        whole_area=True,
        reads=READS,  # and grid_neighbours, derived from grids (layers.contiguity)
    )
)
