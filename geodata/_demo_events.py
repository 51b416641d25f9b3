"""Event tables of the demo community: 12345 work orders, hazard inspections, visits.

Each covers the year of a Period: the 12 months ending on its day as_of, as known at the end of that day.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

import _demo_geo as geo
import _demo_text as txt
import numpy as np
from _demo_communities import FIRST, Community
from _demo_model import (
    DAY_HOURS,
    NIGHT_HOURS,
    REFERENCE,
    WORK_HOURS,
    Building,
    Household,
    Period,
    Rng,
    Row,
    Table,
    building_address,
    fmt_coord,
    fmt_time,
    random_time,
    weighted_pick,
)

CATEGORY_WEIGHTS = {"噪音扰民": 0.15, "物业管理": 0.20, "环境卫生": 0.14, "停车管理": 0.13, "供暖": 0.14,
                    "违章建设": 0.06, "邻里纠纷": 0.08, "市政设施": 0.10}
HEATING_MONTHS = (11, 12, 1, 2, 3)
# Each community's counts, rising clusters (extra tickets in each of the final month-long stretches up to as_of;
# calendar months when as_of ends a month), slow grids and visit rates: _demo_communities.
HAZARD_WEIGHTS = {"消防通道堵塞": 0.25, "电动车违规充电": 0.30, "燃气隐患": 0.12, "高空坠物": 0.13, "违章搭建": 0.20}


def make_complaints(rng: Rng, period: Period, grids: list[geo.Grid], buildings: list[Building],
                    households: list[Household], c: Community = FIRST) -> Table:
    """12345 work orders: a seasonal background, two rising clusters, some placed by coordinates, a few unplaceable."""
    per_building = Counter(h.building.bid for h in households)
    bw = np.array([per_building[b.bid] for b in buildings], dtype=float)
    # (received, category, address, content, lon, lat, crs, grid index or -1)
    raw: list[tuple[dt.datetime, str, str, str, str, str, str, int]] = []

    def add(b: Building, category: str, day: dt.date, hours: np.ndarray) -> None:
        text = txt.complaint_text(rng, category, b.number)
        raw.append((random_time(rng, day, hours), category, building_address(rng, b), text, "", "", "", b.grid))

    n_background = c.complaints - c.unmatched - c.no_location - sum(sum(extra) for _, _, extra in c.clusters)
    for _ in range(n_background):
        day = period.random_day(rng)
        weights = {k: w for k, w in CATEGORY_WEIGHTS.items() if k != "供暖" or day.month in HEATING_MONTHS}
        category = weighted_pick(rng, weights)
        add(buildings[int(rng.choice(len(buildings), p=bw / bw.sum()))], category, day,
            NIGHT_HOURS + DAY_HOURS if category == "噪音扰民" else DAY_HOURS)
    cluster_notes = []
    for category, gi, extra in c.clusters:
        local = [b for b in buildings if b.grid == gi][: 2 if category == "噪音扰民" else None]
        windows = period.windows(len(extra))
        for (first, last), n in zip(windows, extra, strict=True):
            for _ in range(n):
                add(local[int(rng.integers(len(local)))], category, period.random_day(rng, first, last),
                    NIGHT_HOURS if category == "噪音扰民" else DAY_HOURS)
        where = f"grid {grids[gi].code} (buildings {', '.join(b.bid for b in local)})"
        since = (f"{windows[0][0]:%Y-%m}" if period.whole_months
                 else f"{windows[0][0]} (months counted back from {period.as_of})")
        cluster_notes.append(f"{category} rising in {where}: extra tickets per month from {since} = {list(extra)}")
    for _ in range(c.unmatched):
        g = grids[int(rng.integers(len(grids)))]
        (lon, lat), = geo.sample_points(rng, g, 1)
        geo.check_points([(lon, lat)], grids)
        x, y = geo.convert(lon, lat, "gcj02")
        category = txt.pick(rng, tuple(txt.UNMATCHED_TEXTS))
        place = g.compound + txt.pick(rng, txt.UNMATCHED_PLACES)
        raw.append((random_time(rng, period.random_day(rng), DAY_HOURS), category, place,
                    txt.UNMATCHED_TEXTS[category].format(p=place), fmt_coord(x), fmt_coord(y), "gcj02", g.index))
    for _ in range(c.no_location):
        category = txt.pick(rng, tuple(txt.UNMATCHED_TEXTS))
        raw.append((random_time(rng, period.random_day(rng), DAY_HOURS), category, txt.pick(rng, c.vague_addresses),
                    txt.UNMATCHED_TEXTS[category].format(p="小区内"), "", "", "", -1))
    raw.sort(key=lambda r: r[0])
    rows: list[Row] = []
    seq, day = 0, period.start.date()
    # The ticket's number names its day in the reference year (the draws are offsets from the year's start): the
    # same work order keeps its number whatever day the demo is made for, so loading a later day's demo updates
    # the orders an earlier one loaded instead of adding them again.
    shift = REFERENCE.start - period.start
    for received, category, address, text, lon_s, lat_s, crs, gi in raw:
        # A city-wide daily sequence: increasing within the day, gaps for other communities' calls.
        seq, day = (seq if received.date() == day else 0) + int(rng.integers(1, 400)), received.date()
        slow = c.response_slowness[gi] if gi >= 0 else 1.0
        rows.append([f"GD{received + shift:%Y%m%d}{c.ticket_offset + seq:05d}", fmt_time(received), category, text, address,
                     *_outcome(rng, received, slow, period.cutoff), lon_s, lat_s, crs])
    header = ["工单编号", "受理时间", "诉求类别", "诉求内容", "诉求地址", "响应时间", "办结时间", "是否解决", "满意度",
              "经度", "纬度", "坐标系"]
    notes = [f"address matches no building but 经度/纬度 given (gcj02): {c.unmatched}", *cluster_notes]
    return Table("complaints.csv", header, rows, bad={"no_location": c.no_location}, notes=notes)


def _outcome(rng: Rng, received: dt.datetime, slow: float, cutoff: dt.datetime) -> list[str]:
    """响应时间, 办结时间, 是否解决, 满意度 as known at `cutoff`: later ones still pending."""
    minutes = float(np.clip(rng.lognormal(math.log(75.0), 0.75) * slow, 10.0, 360.0))
    responded = None if rng.random() < 0.03 else received + dt.timedelta(minutes=round(minutes, 1))
    if responded is not None and responded > cutoff:
        responded = None
    closed = (responded or received) + dt.timedelta(hours=float(rng.uniform(4.0, 240.0)))
    if closed > cutoff or rng.random() < 0.02:
        return [fmt_time(responded), "", "", ""]
    resolved = str(rng.choice(["是", "否", ""], p=[0.82, 0.13, 0.05]))
    p = {"是": [0.65, 0.20, 0.05, 0.10], "否": [0.05, 0.15, 0.65, 0.15], "": [0.05, 0.05, 0.05, 0.85]}[resolved]
    satisfied = str(rng.choice(["满意", "基本满意", "不满意", ""], p=p))
    return [fmt_time(responded), fmt_time(closed.replace(microsecond=0)), resolved, satisfied]


def make_hazards(rng: Rng, period: Period, grids: list[geo.Grid], buildings: list[Building],
                 c: Community = FIRST) -> Table:
    """Inspection log: mostly 一般, older ones mostly closed, some overdue at as_of, the newest not yet due; 30%
    placed by WGS-84 point only."""
    raw: list[tuple[dt.datetime, Row]] = []
    for _ in range(c.hazards):
        kind = weighted_pick(rng, HAZARD_WEIGHTS)
        w = np.array([4.0 if kind == "电动车违规充电" and b.grid == c.ebike_grid else 1.0 for b in buildings])
        b = buildings[int(rng.choice(len(buildings), p=w / w.sum()))]
        found = random_time(rng, period.random_day(rng), WORK_HOURS)
        level = str(rng.choice(["一般", "较大", "重大"], p=[0.80, 0.15, 0.05]))
        deadline = found.date() + dt.timedelta(days=int(rng.integers(7, 31)))
        overdue_possible = deadline < period.as_of
        p = [0.03, 0.07, 0.90] if overdue_possible else [0.25, 0.40, 0.35]
        status = str(rng.choice(["待整改", "整改中", "已整改"], p=p))
        closed = ""
        if status == "已整改":
            # Closed on a working hour, mostly before the deadline, sometimes a few days late.
            day = found.date() + dt.timedelta(days=int(rng.integers(0, (deadline - found.date()).days + 6)))
            done = max(random_time(rng, day, WORK_HOURS), found + dt.timedelta(hours=2))
            if done > period.cutoff:
                status = "整改中"
            else:
                closed = fmt_time(done)
        address, lon_s, lat_s, crs = building_address(rng, b), "", "", ""
        if rng.random() < 0.30:
            (lon, lat), = geo.sample_points(rng, grids[b.grid], 1)
            geo.check_points([(lon, lat)], grids)
            address, lon_s, lat_s, crs = "", fmt_coord(lon), fmt_coord(lat), "wgs84"
        raw.append((found, [fmt_time(found), kind, level, status, f"{deadline:%Y-%m-%d}", closed, address,
                            lon_s, lat_s, crs]))
    raw.sort(key=lambda r: r[0])
    rows = [[f"YH{c.first_hazard + i:04d}", *r] for i, (_, r) in enumerate(raw)]
    overdue = sum(1 for r in rows if r[4] != "已整改" and r[5] < f"{period.as_of:%Y-%m-%d}")
    header = ["隐患编号", "发现时间", "隐患类型", "等级", "状态", "整改期限", "整改完成时间", "地址",
              "经度", "纬度", "坐标系"]
    return Table("hazards.csv", header, rows, notes=[f"not closed and past 整改期限 at {period.as_of}: {overdue}",
                                                      f"placed by 经度/纬度 only: {sum(1 for r in rows if r[8])}"])


def make_visits(rng: Rng, period: Period, grids: list[geo.Grid], households: list[Household],
                c: Community = FIRST, *, first_id: int = 1) -> Table:
    """A year of visits to good households: monthly-due groups in most months, the rest now and then.

    In a partial month (the current one, up to as_of, and the first one) a household is visited with the
    month's chance times the share of its days inside the year: as of the 10th of a 30-day month about 30% of
    the households due are visited, the rest still due, and overdue only those also missed in the month before.
    """
    raw: list[tuple[dt.datetime, str, str, str]] = []
    due_months = visited_due = 0
    for h in households:
        if h.bad:
            continue
        due = any(g in txt.VISIT_DUE for g in h.groups)
        p = c.visit_rate[h.building.grid] if due else 0.04
        for month in period.months:
            first, last = period.days_of(month)
            share = period.share_of(month)
            hit = bool(rng.random() < p * share)
            if share == 1.0:  # the README's visit rate counts whole months only
                due_months += due
                visited_due += due and hit
            if hit:
                day = period.random_day(rng, first, last)
                while day.weekday() >= 5 and rng.random() > 0.15:  # mostly on working days
                    day = period.random_day(rng, first, last)
                raw.append((random_time(rng, day, WORK_HOURS), h.hid, grids[h.building.grid].leader,
                            txt.pick(rng, txt.VISIT_NOTES)))
    raw.sort()
    rows = [[f"V{first_id + i:06d}", hid, fmt_time(t), who, note] for i, (t, hid, who, note) in enumerate(raw)]
    partial = ", ".join(f"{m:%Y-%m}" for m in period.months if period.share_of(m) < 1.0)
    partial = f" in whole months (not the partial {partial})" if partial else ""
    notes = [f"household-months due (六必访 groups){partial}: {due_months}, visited: {visited_due}"
             f" ({visited_due / max(due_months, 1):.1%})"]
    return Table("visits.csv", ["走访编号", "户编号", "走访时间", "走访人", "情况记录"], rows, notes=notes)
