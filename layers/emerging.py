"""Emerging hot spots (未诉先办): where complaints cluster more and more, seen before the next call.

A space-time cube of the complaints of the filters: every grid by every period
(calendar week from Monday, or month, in the community's time zone; Filters.period)
of the window. The window defaults to the 12 months up to as_of (today when
unset): by month the 12 calendar months ending with as_of's month, by week the 52
weeks ending with as_of's week; a given start or end replaces that default. The
first and last periods may be partial; Gi* compares grids within one period, so
a partial period is not biased, only thinner.

Per period, Gi* over every grid (layers.hotspots.gi_star_periods: binary queen
contiguity, permutations, BH FDR; the same permutations, seed hotspot_seed, in
every period, so each period's numbers are esda's for that seed), then
per grid a Mann-Kendall test of its z-score series (alpha MK_ALPHA; the numbers
of pymannkendall.original_test, computed for all grids at once by
`mann_kendall`), and a pattern (docs/DEFINITIONS.md, after ArcGIS's Emerging Hot Spot
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
(docs/DEFINITIONS.md) or its share of the study area's complaints does (Mann-Kendall on
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

from gridgov import i18n
from gridgov.errors import InputError
from gridgov.settings import LayerSettings
from layers.complaints import FILTERS, READS, over_complaints, params, today
from layers.complaints import counts as complaint_counts
from layers.hotspots import contiguity, gi_star_periods
from layers.registry import Column, Filters, Layer, Legend, register
from layers.suppression import Rule

MK_ALPHA = 0.05
_CUBE_WORK_MEM_MB = 64  # for grouping the cube's bins: 3,300 grids x 104 weeks of bins take ~35 MB
KINDS = {  # kind: (colour of its hot spots, of its cold spots)
    "new": ("#fdd0a2", "#c6dbef"),
    "consecutive": ("#fdae6b", "#9ecae1"),
    "intensifying": ("#e6550d", "#3182bd"),
    "persistent": ("#fd8d3c", "#6baed6"),
    "diminishing": ("#fdbe85", "#bdd7e7"),
    "sporadic": ("#fee6ce", "#deebf7"),
    "oscillating": ("#f5c4b0", "#c7d3e8"),
    "historical": ("#d9b8a7", "#b3bfd1"),
}
PATTERNS: tuple[tuple[str, str, str], ...] = (  # (value, key of its name, colour)
    *(
        (f"{kind}_{side}_spot", f"emerging_hotspots.{kind}_{side}_spot", hot if side == "hot" else cold)
        for side in ("hot", "cold")
        for kind, (hot, cold) in KINDS.items()
    ),
    ("no_pattern", "emerging_hotspots.no_pattern", "#f0f0f0"),
)
EARLY = frozenset({"new_hot_spot", "consecutive_hot_spot", "intensifying_hot_spot"})


def window(filters: Filters, settings: LayerSettings) -> tuple[date, date]:
    """The first and last day of the cube: the filters' window, by default the 12 months up to as_of."""
    end = filters.end or today(filters, settings)
    if filters.start:
        start = filters.start
    elif filters.period == "week":
        last = period_start(end, "week")
        start = last - timedelta(weeks=min(51, (last - date.min).days // 7))  # date.min is a Monday
    else:
        months = max(12, end.year * 12 + end.month - 1 - 11)  # never before 1 January of year 1
        start = date(months // 12, months % 12 + 1, 1)
    if start > end:
        raise InputError(f"the time window starts ({start}) after it ends ({end})")
    most = settings.emerging_max_weeks if filters.period == "week" else settings.emerging_max_months
    spans = count_periods(start, end, filters.period)
    if spans > most:
        unit = "weeks" if filters.period == "week" else "months"
        raise InputError(
            f"the emerging hot spots of {start} to {end} would span {spans:,} {unit}; at most {most} {unit} are"
            f" analysed at once (GRIDGOV_EMERGING_MAX_{unit.upper()}): choose a later start or an earlier end"
        )
    return start, end


def count_periods(start: date, end: date, period: str) -> int:
    """How many weeks or months `periods(start, end, period)` holds, without listing them."""
    if period == "week":
        return (period_start(end, "week") - period_start(start, "week")).days // 7 + 1
    return (end.year - start.year) * 12 + end.month - start.month + 1


def period_start(day: date, period: str) -> date:
    """The first day of the week (Monday) or month holding `day`."""
    return day - timedelta(days=day.weekday()) if period == "week" else day.replace(day=1)


def periods(start: date, end: date, period: str) -> list[date]:
    """The first day of every period from the one holding `start` to the one holding `end`."""
    first = period_start(start, period)
    count = count_periods(start, end, period)
    if period == "week":
        return [first + timedelta(weeks=k) for k in range(count)]
    months = first.year * 12 + first.month - 1
    return [date((months + k) // 12, (months + k) % 12 + 1, 1) for k in range(count)]


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


def mann_kendall(series: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mann-Kendall test of every row of `series` (NaN skipped): tau, z, p and direction (+1, -1; 0: not significant).

    The numbers of pymannkendall.original_test (S with the tie-corrected variance
    and the continuity correction), for all grids at once: a loop over 3,300 grids
    calling pymannkendall took seconds. S is summed one lag at a time, so memory
    grows with grids x periods, not with the square of the periods (every pair of
    periods at once needed 44 GiB for a window of centuries). A row with fewer
    than 3 values has no trend.
    """
    x = np.atleast_2d(np.asarray(series, dtype=float))
    rows, width = x.shape
    valid = ~np.isnan(x)
    n = valid.sum(axis=1).astype(float)
    s = np.zeros(rows)
    for lag in range(1, width):  # the pairs (i, i + lag); NaN compares false both ways, so skipped pairs add 0
        later, earlier = x[:, lag:], x[:, :-lag]
        s += np.count_nonzero(later > earlier, axis=1) - np.count_nonzero(later < earlier, axis=1)
    var = _variance(x, n)
    defined = (n >= 3) & (var > 0)
    z = np.zeros(rows)
    z[defined] = (s - np.sign(s))[defined] / np.sqrt(var[defined])
    tau = np.where(n >= 3, s / np.maximum(0.5 * n * (n - 1), 1), 0.0)
    p = 2 * norm.sf(np.abs(z))
    critical = norm.ppf(1 - MK_ALPHA / 2)
    direction = np.where(np.abs(z) > critical, np.sign(z), 0).astype(int)
    return tau, z, p, direction


def _variance(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Var(S) of each row with the ties correction: (n(n-1)(2n+5) - sum over tie groups of t(t-1)(2t+5)) / 18."""
    rows, width = x.shape
    ordered = np.sort(x, axis=1)  # NaN last
    starts = np.ones(ordered.shape, dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]  # a new value begins a tie group (each NaN is its own)
    group = np.cumsum(starts, axis=1) - 1 + np.arange(rows)[:, None] * width
    t = np.bincount(group[~np.isnan(ordered)], minlength=rows * width).reshape(rows, width).astype(float)
    return (n * (n - 1) * (2 * n + 5) - (t * (t - 1) * (2 * t + 5)).sum(axis=1)) / 18


def shares(counts: np.ndarray) -> np.ndarray:
    """Each grid's share of all grids' complaints per period (columns); NaN in a period without complaints."""
    totals = counts.sum(axis=0)
    return np.divide(counts, totals, out=np.full(counts.shape, np.nan), where=totals > 0)


def early_warning(pattern: str, rising: bool, last_bin: int) -> bool:
    """New, consecutive or intensifying hot spot, or significantly rising while not hot in the final period."""
    return pattern in EARLY or (rising and last_bin <= 0)


def cube(conn: psycopg.Connection, filters: Filters, settings: LayerSettings) -> tuple[list[str], list[date], np.ndarray]:
    """Every grid code, the periods' first days, and the complaints per grid (rows) and period (columns)."""
    start, end = window(filters, settings)
    steps = periods(start, end, filters.period)
    query = over_complaints("hotspots_cube")
    values = {
        **params(replace(filters, grids=(), start=start, end=end), settings),
        "period": filters.period,
        "first": steps[0],
    }
    with conn.transaction():  # the setting ends with the transaction (the caller's, when there is one)
        # the bins fit in memory (at most grids x periods, bounded by the window's limit), whatever the
        # planner guesses from the row count: with the default 4 MB, grouping spilt to disk and took longer
        conn.execute("SELECT set_config('work_mem', %s, true)", [f"{_CUBE_WORK_MEM_MB}MB"])
        row = conn.cursor(binary=True).execute(query, values).fetchone()
    codes, grid, period, n = row if row else ([], [], [], [])
    counts = np.zeros((len(codes), len(steps)))
    counts[np.asarray(grid, dtype=np.intp), np.asarray(period, dtype=np.intp)] = np.asarray(n, dtype=float)
    return list(codes), steps, counts


def _counts(conn: psycopg.Connection, filters: Filters, settings: LayerSettings) -> pd.DataFrame:
    """The complaints of the cube's window per grid: the layer's `complaints`, without the statistics."""
    start, end = window(filters, settings)
    return complaint_counts(conn, replace(filters, start=start, end=end), settings)


def _aggregate(conn: psycopg.Connection, filters: Filters, settings: LayerSettings) -> pd.DataFrame:
    codes, steps, counts = cube(conn, filters, settings)
    z, _, bins = gi_star_periods(counts, contiguity(conn, codes), settings.hotspot_permutations, settings.hotspot_seed)
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


i18n.add({
    "zh": {
        "emerging_hotspots.label": "未诉先办",
        "emerging_hotspots.legend": "新兴时空热点",
        "emerging_hotspots.note": (
            "按周或月统计各网格诉求数，逐时段计算 Getis-Ord Gi*（FDR 校正），再对各网格的 z 得分序列做 "
            f"Mann-Kendall 趋势检验（α = {MK_ALPHA}）；分类同 ArcGIS 新兴时空热点分析。"
            "预警：新增、连续或加强的热点，或尚未成为热点、但 z 得分或本网格诉求占比显著上升的网格。"
            "默认时段为截至当日的 12 个月。"
        ),
        "emerging_hotspots.pattern": "时空模式",
        "emerging_hotspots.early_warning": "预警",
        "emerging_hotspots.mk_tau": "趋势 Kendall τ",
        "emerging_hotspots.mk_z": "趋势 z 得分",
        "emerging_hotspots.mk_p": "趋势 p 值",
        "emerging_hotspots.share_trend_z": "诉求占比趋势 z 得分",
        "emerging_hotspots.share_trend_p": "诉求占比趋势 p 值",
        "emerging_hotspots.periods": "时段数",
        "emerging_hotspots.hot_periods": "热点时段数",
        "emerging_hotspots.cold_periods": "冷点时段数",
        "emerging_hotspots.last_gi_z": "最近时段 Gi* z 得分",
        "emerging_hotspots.last_gi_bin": "最近时段置信分级",
        "emerging_hotspots.bin_series": "各时段置信分级",
        "emerging_hotspots.complaints": "诉求数",
        "emerging_hotspots.kind_new": "新增的",
        "emerging_hotspots.kind_consecutive": "连续的",
        "emerging_hotspots.kind_intensifying": "加强的",
        "emerging_hotspots.kind_persistent": "持续的",
        "emerging_hotspots.kind_diminishing": "逐渐减少的",
        "emerging_hotspots.kind_sporadic": "分散的",
        "emerging_hotspots.kind_oscillating": "振荡的",
        "emerging_hotspots.kind_historical": "历史",
        "emerging_hotspots.hot_spot": "{kind}热点",
        "emerging_hotspots.cold_spot": "{kind}冷点",
        "emerging_hotspots.no_pattern": "无显著模式",
    },
    "en": {
        "emerging_hotspots.label": "Emerging hot spots",
        "emerging_hotspots.legend": "Emerging hot spots",
        "emerging_hotspots.note": (
            "Complaints per grid per week or month; Getis-Ord Gi* in every period (FDR-corrected), then a "
            f"Mann-Kendall trend test (alpha = {MK_ALPHA}) of each grid's z-scores; patterns as ArcGIS's "
            "Emerging Hot Spot Analysis. Early warning: a new, consecutive or intensifying hot spot, or a grid not yet "
            "hot whose z-scores or share of complaints rise significantly. Default window: the 12 months up to today."
        ),
        "emerging_hotspots.pattern": "pattern (new_hot_spot … historical_cold_spot, no_pattern)",
        "emerging_hotspots.early_warning": "early warning (true/false): becoming a hot spot",
        "emerging_hotspots.mk_tau": "Mann-Kendall tau of the Gi* z-scores",
        "emerging_hotspots.mk_z": "Mann-Kendall z",
        "emerging_hotspots.mk_p": "Mann-Kendall p-value",
        "emerging_hotspots.share_trend_z": "Mann-Kendall z of the grid's share of complaints",
        "emerging_hotspots.share_trend_p": "Mann-Kendall p of the grid's share of complaints",
        "emerging_hotspots.periods": "periods in the window",
        "emerging_hotspots.hot_periods": "periods as a hot spot",
        "emerging_hotspots.cold_periods": "periods as a cold spot",
        "emerging_hotspots.last_gi_z": "Gi* z-score of the final period",
        "emerging_hotspots.last_gi_bin": "Gi* bin of the final period (−3…3)",
        "emerging_hotspots.bin_series": "Gi* bin per period, oldest first, comma-separated",
        "emerging_hotspots.complaints": "complaints in the window",
        "emerging_hotspots.kind_new": "New",
        "emerging_hotspots.kind_consecutive": "Consecutive",
        "emerging_hotspots.kind_intensifying": "Intensifying",
        "emerging_hotspots.kind_persistent": "Persistent",
        "emerging_hotspots.kind_diminishing": "Diminishing",
        "emerging_hotspots.kind_sporadic": "Sporadic",
        "emerging_hotspots.kind_oscillating": "Oscillating",
        "emerging_hotspots.kind_historical": "Historical",
        "emerging_hotspots.hot_spot": "{kind} hot spot",
        "emerging_hotspots.cold_spot": "{kind} cold spot",
        "emerging_hotspots.no_pattern": "No pattern detected",
    },
})
i18n.add({  # a pattern's name: its kind's on a hot or a cold spot
    lang: {
        f"emerging_hotspots.{kind}_{side}_spot": i18n.text(
            f"emerging_hotspots.{side}_spot", lang, kind=i18n.text(f"emerging_hotspots.kind_{kind}", lang)
        )
        for side in ("hot", "cold")
        for kind in KINDS
    }
    for lang in i18n.LANGUAGES
})

LAYER = register(
    Layer(
        name="emerging_hotspots",
        label="emerging_hotspots.label",
        accepts=FILTERS | {"as_of", "period"},
        columns=(
            Column("pattern", "str", "emerging_hotspots.pattern"),
            Column("early_warning", "int", "emerging_hotspots.early_warning"),
            Column("mk_tau", "float", "emerging_hotspots.mk_tau"),
            Column("mk_z", "float", "emerging_hotspots.mk_z"),
            Column("mk_p", "float", "emerging_hotspots.mk_p"),
            Column("share_trend_z", "float", "emerging_hotspots.share_trend_z"),
            Column("share_trend_p", "float", "emerging_hotspots.share_trend_p"),
            Column("periods", "int", "emerging_hotspots.periods"),
            Column("hot_periods", "int", "emerging_hotspots.hot_periods"),
            Column("cold_periods", "int", "emerging_hotspots.cold_periods"),
            Column("last_gi_z", "float", "emerging_hotspots.last_gi_z"),
            Column("last_gi_bin", "int", "emerging_hotspots.last_gi_bin"),
            Column("bin_series", "str", "emerging_hotspots.bin_series"),
            Column("complaints", "int", "emerging_hotspots.complaints"),
        ),
        aggregate=_aggregate,
        legend=Legend(
            property="pattern",
            kind="category",
            title="emerging_hotspots.legend",
            note="emerging_hotspots.note",
            categories=PATTERNS,
        ),
        # the complaints of the window per grid (the periods are counts of weeks or months, of no one); the
        # trends' and the last period's statistics are functions of every grid's exact counts: a planner gets
        # the pattern, the early warning and the bins only
        suppress=Rule(
            counts=("complaints",),
            shared=frozenset({"complaints"}),
            statistics=frozenset({"mk_tau", "mk_z", "mk_p", "share_trend_z", "share_trend_p", "last_gi_z"}),
        ),
        counts=_counts,
        whole_area=True,
        reads=READS,  # and grid_neighbours, derived from grids (layers.contiguity)
    )
)
