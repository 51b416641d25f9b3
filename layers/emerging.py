"""Emerging hot spots (未诉先办): where complaints cluster more and more, seen before the next call.

A space-time cube of the complaints of the filters: every grid by every period
(calendar week from Monday, or month, in the community's time zone; Filters.period)
of the window. The window defaults to the 12 months up to as_of (today when
unset): by month the 12 calendar months ending with as_of's month, by week the 52
weeks ending with as_of's week; a given start or end replaces that default. The
first and last periods may be partial; Gi* compares grids within one period, so
a partial period is not biased, only thinner.

Per period, Gi* over every grid (layers.hotspots.gi_star: binary queen
contiguity, permutations, BH FDR; seed hotspot_seed + the period's index), then
per grid a Mann-Kendall test of its z-score series (alpha MK_ALPHA; the numbers
of pymannkendall.original_test, computed for all grids at once by
`mann_kendall`), and a pattern (ANALYTICS.md, after ArcGIS's Emerging Hot Spot
Analysis; "hot" = a positive bin, "90 %" of all periods):

- intensifying / persistent / diminishing: hot in >= 90 % of the periods
  including the final one, with a significant rising / no / falling trend;
- new: hot in the final period only;
- consecutive: one unbroken run of >= 2 hot periods ending in the final one,
  never hot before it, hot in < 90 %;
- oscillating: hot in the final period, cold in an earlier one, hot in < 90 %
  (tested after new and consecutive, which win when both apply);
- sporadic: hot in the final period, on and off before, never cold, hot in < 90 %;
- historical: not hot in the final period, hot in >= 90 % of the others;
- the same eight for cold spots (cold = a negative bin; "intensifying" means the
  z-scores fall); otherwise no_pattern.

early_warning: the pattern is a new, consecutive or intensifying hot spot, or,
while the grid is not hot in the final period, its z-scores rise significantly
(ANALYTICS.md) or its share of the study area's complaints does (Mann-Kendall on
complaints in the grid / complaints in all grids, per period; periods without
any complaint skipped). The share trend is our addition: Gi* smooths a grid with
its neighbours, and where a neighbourhood covers much of the study area (the
demo's 10 grids in two rows: a grid and the one across the lane have the same
neighbourhood, hence the same z) one grid's surge lifts the z of several and no
single z rises significantly. ArcGIS's space-time cube likewise reports a
Mann-Kendall trend per location; we take the share rather than the count so
that a rise common to every grid (heating in winter) flags none. Either way a
grid becoming a hot spot is flagged before it is one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pandas as pd
import psycopg
from scipy.stats import norm

from gridgov.errors import InputError
from gridgov.settings import Settings
from layers.complaints import FILTERS, over_complaints, params, today
from layers.hotspots import contiguity, gi_star, star
from layers.registry import Access, Column, Filters, Layer, Legend, Role, register

MK_ALPHA = 0.05
KINDS = {  # kind: (zh of the hot spot, en, colour of hot, colour of cold)
    "new": ("新增的", "New", "#fdd0a2", "#c6dbef"),
    "consecutive": ("连续的", "Consecutive", "#fdae6b", "#9ecae1"),
    "intensifying": ("加强的", "Intensifying", "#e6550d", "#3182bd"),
    "persistent": ("持续的", "Persistent", "#fd8d3c", "#6baed6"),
    "diminishing": ("逐渐减少的", "Diminishing", "#fdbe85", "#bdd7e7"),
    "sporadic": ("分散的", "Sporadic", "#fee6ce", "#deebf7"),
    "oscillating": ("振荡的", "Oscillating", "#f5c4b0", "#c7d3e8"),
    "historical": ("历史", "Historical", "#d9b8a7", "#b3bfd1"),
}
PATTERNS: tuple[tuple[str, str, str, str], ...] = (
    *(
        (f"{kind}_{side}_spot", f"{zh}{side_zh}", f"{en} {side} spot", hot if side == "hot" else cold)
        for side, side_zh in (("hot", "热点"), ("cold", "冷点"))
        for kind, (zh, en, hot, cold) in KINDS.items()
    ),
    ("no_pattern", "无显著模式", "No pattern detected", "#f0f0f0"),
)
EARLY = frozenset({"new_hot_spot", "consecutive_hot_spot", "intensifying_hot_spot"})


def window(filters: Filters, settings: Settings) -> tuple[date, date]:
    """The first and last day of the cube: the filters' window, by default the 12 months up to as_of."""
    end = filters.end or today(filters, settings)
    if filters.start:
        start = filters.start
    elif filters.period == "week":
        start = period_start(end, "week") - timedelta(weeks=51)
    else:
        months = end.year * 12 + end.month - 1 - 11
        start = date(months // 12, months % 12 + 1, 1)
    if start > end:
        raise InputError(f"the time window starts ({start}) after it ends ({end})")
    return start, end


def period_start(day: date, period: str) -> date:
    """The first day of the week (Monday) or month holding `day`."""
    return day - timedelta(days=day.weekday()) if period == "week" else day.replace(day=1)


def periods(start: date, end: date, period: str) -> list[date]:
    """The first day of every period from the one holding `start` to the one holding `end`."""
    out = [period_start(start, period)]
    while True:
        day = out[-1]
        following = day + timedelta(weeks=1) if period == "week" else (day + timedelta(days=32)).replace(day=1)
        if following > end:
            return out
        out.append(following)


def classify(bins: Sequence[int], trend: int) -> str:
    """The pattern of a grid's per-period bins (oldest first) and its Mann-Kendall trend (+1, 0, -1)."""
    signs = np.sign(np.asarray(bins, dtype=int))
    for side, name in ((1, "hot"), (-1, "cold")):
        kind = _kind(signs * side, trend * side)
        if kind:
            return f"{kind}_{name}_spot"
    return "no_pattern"


def _kind(signs: np.ndarray, trend: int) -> str | None:
    """The kind of hot spot, `signs` being +1 hot, -1 cold, 0 neither, per period (cold spots: negated)."""
    n = signs.size
    hot = signs > 0
    k = int(hot.sum())
    if n == 0:
        return None
    if not hot[-1]:
        return "historical" if n > 1 and 10 * int(hot[:-1].sum()) >= 9 * (n - 1) else None
    if 10 * k >= 9 * n:
        return "intensifying" if trend > 0 else "diminishing" if trend < 0 else "persistent"
    if k == 1:
        return "new"
    run = n - int(np.flatnonzero(~hot)[-1]) - 1  # the unbroken run of hot periods ending in the final one
    if run == k:
        return "consecutive"
    if (signs[:-1] < 0).any():
        return "oscillating"
    return "sporadic"


def mann_kendall(series: np.ndarray, chunk: int = 512) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mann-Kendall test of every row of `series` (NaN skipped): tau, z, p and direction (+1, -1; 0: not significant).

    The numbers of pymannkendall.original_test (S with the tie-corrected variance
    and the continuity correction), for all grids at once: a loop over 3,300 grids
    calling pymannkendall took seconds. A row with fewer than 3 values has no trend.
    """
    x = np.atleast_2d(np.asarray(series, dtype=float))
    out = [_mann_kendall(x[i : i + chunk]) for i in range(0, len(x), chunk)] or [_mann_kendall(x)]
    tau, z, p = (np.concatenate(parts) for parts in zip(*out, strict=True))
    critical = norm.ppf(1 - MK_ALPHA / 2)
    direction = np.where(np.abs(z) > critical, np.sign(z), 0).astype(int)
    return tau, z, p, direction


def _mann_kendall(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    valid = ~np.isnan(x)
    n = valid.sum(axis=1).astype(float)
    later = np.triu(np.ones((x.shape[1], x.shape[1]), dtype=bool), k=1)  # pairs (i, j) with i before j
    pairs = valid[:, :, None] & valid[:, None, :] & later
    with np.errstate(invalid="ignore"):
        s = np.where(pairs, np.sign(x[:, None, :] - x[:, :, None]), 0).sum(axis=(1, 2))
        ties = ((x[:, :, None] == x[:, None, :]) & valid[:, None, :]).sum(axis=2)  # size of each value's tie group
        var = (n * (n - 1) * (2 * n + 5) - np.where(valid, (ties - 1) * (2 * ties + 5), 0).sum(axis=1)) / 18
        z = np.where(var > 0, (s - np.sign(s)) / np.sqrt(np.where(var > 0, var, 1)), 0.0)
        tau = np.where(n >= 2, s / np.maximum(0.5 * n * (n - 1), 1), 0.0)
    few = n < 3
    z[few], tau[few] = 0.0, 0.0
    return tau, z, 2 * norm.sf(np.abs(z))


def shares(counts: np.ndarray) -> np.ndarray:
    """Each grid's share of all grids' complaints per period (columns); NaN in a period without complaints."""
    totals = counts.sum(axis=0)
    return np.divide(counts, totals, out=np.full(counts.shape, np.nan), where=totals > 0)


def early_warning(pattern: str, rising: bool, last_bin: int) -> bool:
    """New, consecutive or intensifying hot spot, or significantly rising while not hot in the final period."""
    return pattern in EARLY or (rising and last_bin <= 0)


def cube(conn: psycopg.Connection, filters: Filters, settings: Settings) -> tuple[list[str], list[date], np.ndarray]:
    """Every grid code, the periods' first days, and the complaints per grid (rows) and period (columns)."""
    start, end = window(filters, settings)
    steps = periods(start, end, filters.period)
    codes = [code for (code,) in conn.execute("SELECT grid_code FROM grids ORDER BY grid_code")]
    counts = np.zeros((len(codes), len(steps)))
    row = {code: i for i, code in enumerate(codes)}
    col = {day: t for t, day in enumerate(steps)}
    query = over_complaints("hotspots_cube")
    values = {**params(replace(filters, grids=(), start=start, end=end), settings), "period": filters.period}
    for code, day, n in conn.execute(query, values):
        if code in row:  # a work order placed in a grid since removed from the grid table has no row to count in
            counts[row[code], col[day]] = n
    return codes, steps, counts


def _aggregate(conn: psycopg.Connection, filters: Filters, settings: Settings) -> pd.DataFrame:
    codes, steps, counts = cube(conn, filters, settings)
    w = star(contiguity(conn, codes))  # built once for every period
    z = np.zeros(counts.shape)
    bins = np.zeros(counts.shape, dtype=int)
    for t in range(len(steps)):
        z[:, t], _, bins[:, t] = gi_star(counts[:, t], w, settings.hotspot_permutations, settings.hotspot_seed + t)
    tau, mk_z, mk_p, direction = mann_kendall(z)
    _, share_z, share_p, share_direction = mann_kendall(shares(counts))
    rows = []
    for i in range(len(codes)):
        pattern = classify(bins[i], int(direction[i]))
        rising = bool(direction[i] > 0 or share_direction[i] > 0)
        rows.append(
            {
                "pattern": pattern,
                "early_warning": early_warning(pattern, rising, int(bins[i, -1])),
                "mk_tau": float(tau[i]),
                "mk_z": float(mk_z[i]),
                "mk_p": float(mk_p[i]),
                "share_trend_z": float(share_z[i]),
                "share_trend_p": float(share_p[i]),
                "periods": len(steps),
                "hot_periods": int((bins[i] > 0).sum()),
                "cold_periods": int((bins[i] < 0).sum()),
                "last_gi_z": float(z[i, -1]),
                "last_gi_bin": int(bins[i, -1]),
                "bin_series": ",".join(str(b) for b in bins[i]),
                "complaints": int(counts[i].sum()),
            }
        )
    out = pd.DataFrame(rows, index=pd.Index(codes, dtype="string", name="grid_code"))
    return out[out.index.isin(filters.grids)] if filters.grids else out


LAYER = register(
    Layer(
        name="emerging_hotspots",
        label_zh="未诉先办",
        label_en="Emerging hot spots",
        accepts=FILTERS | {"as_of", "period"},
        columns=(
            Column("pattern", "str", "时空模式", "pattern (new_hot_spot … historical_cold_spot, no_pattern)"),
            Column("early_warning", "int", "预警", "early warning (true/false): becoming a hot spot"),
            Column("mk_tau", "float", "趋势 Kendall τ", "Mann-Kendall tau of the Gi* z-scores"),
            Column("mk_z", "float", "趋势 z 得分", "Mann-Kendall z"),
            Column("mk_p", "float", "趋势 p 值", "Mann-Kendall p-value"),
            Column("share_trend_z", "float", "诉求占比趋势 z 得分", "Mann-Kendall z of the grid's share of complaints"),
            Column("share_trend_p", "float", "诉求占比趋势 p 值", "Mann-Kendall p of the grid's share of complaints"),
            Column("periods", "int", "时段数", "periods in the window"),
            Column("hot_periods", "int", "热点时段数", "periods as a hot spot"),
            Column("cold_periods", "int", "冷点时段数", "periods as a cold spot"),
            Column("last_gi_z", "float", "最近时段 Gi* z 得分", "Gi* z-score of the final period"),
            Column("last_gi_bin", "int", "最近时段置信分级", "Gi* bin of the final period (−3…3)"),
            Column("bin_series", "str", "各时段置信分级", "Gi* bin per period, oldest first, comma-separated"),
            Column("complaints", "int", "诉求数", "complaints in the window"),
        ),
        aggregate=_aggregate,
        legend=Legend(
            property="pattern",
            kind="category",
            title_zh="新兴时空热点",
            title_en="Emerging hot spots",
            note_zh=(
                "按周或月统计各网格诉求数，逐时段计算 Getis-Ord Gi*（FDR 校正），再对各网格的 z 得分序列做 "
                f"Mann-Kendall 趋势检验（α = {MK_ALPHA}）；分类同 ArcGIS 新兴时空热点分析。"
                "预警：新增、连续或加强的热点，或尚未成为热点、但 z 得分或本网格诉求占比显著上升的网格。"
                "默认时段为截至当日的 12 个月。"
            ),
            note_en=(
                "Complaints per grid per week or month; Getis-Ord Gi* in every period (FDR-corrected), then a "
                f"Mann-Kendall trend test (alpha = {MK_ALPHA}) of each grid's z-scores; patterns as ArcGIS's "
                "Emerging Hot Spot Analysis. Early warning: a new, consecutive or intensifying hot spot, or a grid not yet "
                "hot whose z-scores or share of complaints rise significantly. Default window: the 12 months up to today."
            ),
            categories=PATTERNS,
        ),
        whole_area=True,
        access={Role.SECRETARY: Access.AGGREGATE, Role.PLANNER: Access.AGGREGATE, Role.GRID_LEADER: Access.AGGREGATE},
        reads=frozenset({"complaints", "grids"}),
    )
)
