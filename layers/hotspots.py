"""Complaint hot spots (热点分析): Getis-Ord Gi* on the complaints per grid, as ArcGIS reports it.

Gi* is esda's `G_Local(star=True)` with binary weights (transform "B": each
neighbour and the grid itself weigh 1), whose z-score is ArcGIS's Gi* z-score.
The weights are queen contiguity from the grid polygons in the database
(`contiguity`). Per grid:

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

import numpy as np
import pandas as pd
import psycopg
from esda.getisord import G_Local
from libpysal.weights import W
from libpysal.weights.util import fill_diagonal
from scipy.stats import false_discovery_control

from gridgov.settings import Settings
from layers import _queries
from layers.complaints import FILTERS, counts
from layers.registry import Access, Column, Filters, Layer, Legend, Role, register

TOLERANCE_M = 1.0  # grids this close count as touching: slivers and gaps from digitising
_PAD_DEG = 2e-5  # bounding-box padding for the index, > TOLERANCE_M at any latitude below ~60 degrees
MIN_GRIDS = 3

# (value, zh, en, colour): ArcGIS's hot spot renderer, cold blue to hot red
BINS = (
    ("-3", "冷点（99%置信度）", "Cold spot, 99% confidence", "#4575b5"),
    ("-2", "冷点（95%置信度）", "Cold spot, 95% confidence", "#849eba"),
    ("-1", "冷点（90%置信度）", "Cold spot, 90% confidence", "#c0ccbe"),
    ("0", "不显著", "Not significant", "#ffffbf"),
    ("1", "热点（90%置信度）", "Hot spot, 90% confidence", "#fab984"),
    ("2", "热点（95%置信度）", "Hot spot, 95% confidence", "#ed7551"),
    ("3", "热点（99%置信度）", "Hot spot, 99% confidence", "#d62f27"),
)


def contiguity(conn: psycopg.Connection, grid_codes: Sequence[str]) -> W:
    """Queen contiguity between the grids `grid_codes` (ids = grid codes, in that order), from PostGIS.

    Two grids are neighbours when their polygons share an edge or a corner,
    within TOLERANCE_M metres. A grid with no such neighbour (an island: a
    detached block, or a gap wider than the tolerance) is joined to the nearest
    grid, both ways, so its Gi* still compares a neighbourhood and not its own
    count alone; only a study area of one grid keeps an island.
    """
    codes = list(grid_codes)
    neighbours: dict[str, set[str]] = {code: set() for code in codes}
    pairs = conn.execute(
        _queries.load("hotspots_contiguity"), {"codes": codes, "tolerance": TOLERANCE_M, "pad": _PAD_DEG}
    ).fetchall()
    for a, b in pairs:
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
    y = np.asarray(counts, dtype=float)
    if y.size < MIN_GRIDS or np.ptp(y) == 0:  # nothing to compare: no grid differs from the mean
        return np.zeros(y.size), np.ones(y.size), np.zeros(y.size, dtype=int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # esda's notice about its future default alternative; islands
        g = G_Local(
            y, w, transform="B", star=True, permutations=permutations, seed=seed, n_jobs=1, keep_simulations=False
        )
    z = np.asarray(g.Zs, dtype=float)
    p = np.minimum(1.0, 2.0 * np.asarray(g.p_sim, dtype=float))
    # a grid whose neighbourhood is the whole study area has no z (0 / 0): nothing to compare it with
    undefined = ~np.isfinite(z)
    z[undefined], p[undefined] = 0.0, 1.0
    return z, p, fdr_bins(z, p)


def _aggregate(conn: psycopg.Connection, filters: Filters, settings: Settings) -> pd.DataFrame:
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


LAYER = register(
    Layer(
        name="complaint_hotspots",
        label_zh="热点分析",
        label_en="Complaint hot spots",
        accepts=FILTERS,
        columns=(
            Column("gi_z", "float", "Gi* z 得分", "Gi* z-score"),
            Column("gi_p", "float", "p 值（置换检验，未校正）", "p-value (permutation, uncorrected)"),
            Column("gi_bin", "int", "置信区间分级", "confidence bin −3…3 (FDR-corrected)"),
            Column("complaints", "int", "诉求数", "complaints"),
        ),
        aggregate=_aggregate,
        legend=Legend(
            property="gi_bin",
            kind="bin",
            title_zh="诉求热点（Getis-Ord Gi*）",
            title_en="Complaint hot spots (Getis-Ord Gi*)",
            note_zh=(
                "各网格诉求数的 Getis-Ord Gi*：邻接（共边或共点）网格及本网格为邻域；"
                "p 值由置换检验得出（固定随机种子）；置信分级经 Benjamini-Hochberg 错误发现率（FDR）校正，与 ArcGIS 一致。"
            ),
            note_en=(
                "Getis-Ord Gi* of complaints per grid; neighbourhood: the grid and the grids sharing an edge or corner; "
                "p-values from permutations (fixed seed); confidence bins corrected for the false discovery rate "
                "(Benjamini-Hochberg), as ArcGIS does."
            ),
            categories=BINS,
        ),
        whole_area=True,
        access={Role.SECRETARY: Access.AGGREGATE, Role.PLANNER: Access.AGGREGATE, Role.GRID_LEADER: Access.AGGREGATE},
        reads=frozenset({"complaints", "grids"}),
    )
)
