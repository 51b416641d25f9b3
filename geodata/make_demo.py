"""Write the SYNTHETIC demo community 甘露园南里社区 as of a day: its year of records ends that day.

    .venv/bin/python geodata/make_demo.py [--as-of YYYY-MM-DD] [--out DIR]

--as-of defaults to the community's today (gridgov's clock: GRIDGOV_TIMEZONE, pinned
by GRIDGOV_NOW), --out to
$GRIDGOV_HOME/demo (.gridgov/demo): `make demo` and the Docker image make the demo
as of the day they run and load that. The committed copy, geodata/demo, is made
as of 2026-10-31 (REFERENCE_AS_OF), the day the tests pin the community's clock to:

    .venv/bin/python geodata/make_demo.py --as-of 2026-10-31 --out geodata/demo

Grids, buildings, households and facilities are the same whatever the day; work
orders, hazards and visits cover the 12 months ending on as-of (_demo_model.Period).
Deterministic: one fixed seed, one random stream per dataset, sorted output, and
the only clock read in main() for the default day. The same --as-of writes
byte-identical files. Every person, name, ID number, phone number and text is
fictitious; see the README it writes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import _demo_geo as geo
import _demo_text as txt
import numpy as np
from _demo_events import make_complaints, make_hazards, make_visits
from _demo_model import BAD_LABELS, REFERENCE_AS_OF, Building, Household, Period, Rng, Row, Table, fmt_coord

from gridgov.settings import CommunitySettings

SEED = 20251101
STREAMS = {"grids": 1, "buildings": 2, "households": 3, "facilities": 4, "complaints": 5, "hazards": 6, "visits": 7}

COMMUNITY = "甘露园南里社区"
COMMITTED = Path(__file__).resolve().parent / "demo"  # made as of REFERENCE_AS_OF only
GRID_PREFIX = "110105018013"
COMPOUNDS = ("甘露园南里一区", "甘露园南里二区", "甘露园中里")
COMPOUND_OF_COLUMN = ("甘露园南里一区", "甘露园南里一区", "甘露园南里二区", "甘露园南里二区", "甘露园中里")
FAKE_COMPOUNDS = ("甘露园南里九区", "甘露园南里五区", "甘露园北里三区", "甘露园东里")
# Per grid -001 .. -010 (north row west to east, then south row): buildings, and the share of
# households in special groups (the contrast a choropleth should show).
BUILDINGS_PER_GRID = (4, 4, 4, 4, 5, 3, 4, 4, 4, 4)
SPECIAL_SHARE = (0.10, 0.14, 0.12, 0.16, 0.20, 0.38, 0.34, 0.18, 0.10, 0.26)

N_HOUSEHOLDS = 3000
FLATS_PER_BUILDING = 4 * 18 * 4  # units x floors x doors
BAD_HOUSEHOLDS = {"unknown_compound": 12, "unknown_building": 12, "blank_address": 12, "bad_checksum": 12,
                  "zero_members": 12}

FACILITY_COUNTS = {"消防栓": 36, "监控": 25, "燃气调压箱": 10, "AED": 8, "微型消防站": 6, "养老驿站": 5,
                   "党群服务站": 4, "卫生服务站": 3, "学校": 3}
FACILITY_CRS = {"wgs84": 70, "gcj02": 20, "bd09": 10}


@dataclass
class Demo:
    period: Period
    grids: list[geo.Grid]
    buildings: list[Building]
    households: list[Household]
    tables: list[Table]


def rng_for(dataset: str) -> Rng:
    """An independent stream per dataset, so changing one leaves the others as they were."""
    return np.random.default_rng([SEED, STREAMS[dataset]])


def make_grids(rng: Rng) -> list[geo.Grid]:
    """Ten grids from a jittered 5 x 2 lattice, numbered north row first, west to east."""
    v = geo.lattice(rng)
    grids: list[geo.Grid] = []
    leaders: list[str] = []
    while len(leaders) < geo.COLS * geo.ROWS:
        name = txt.person_name(rng)
        if name not in leaders:
            leaders.append(name)
    for k, (r, c) in enumerate((r, c) for r in range(geo.ROWS - 1, -1, -1) for c in range(geo.COLS)):
        grids.append(geo.Grid(index=k, code=f"{GRID_PREFIX}-{k + 1:03d}", name=f"第{txt.cn_count(k + 1)}网格",
                              leader=leaders[k], compound=COMPOUND_OF_COLUMN[c], ring=geo.cell_ring(v, c, r)))
    geo.check_tiling([g.shape for g in grids], geo.outline(v))
    return grids


def make_buildings(rng: Rng, grids: list[geo.Grid]) -> list[Building]:
    """Buildings clustered by compound, numbered 1..N per compound from north to south."""
    spots: dict[str, list[tuple[int, float, float]]] = {c: [] for c in COMPOUNDS}
    for g in grids:
        for lon, lat in geo.sample_points(rng, g, BUILDINGS_PER_GRID[g.index], min_sep_m=35.0):
            spots[g.compound].append((g.index, lon, lat))
    buildings: list[Building] = []
    for compound in COMPOUNDS:
        for number, (gi, lon, lat) in enumerate(sorted(spots[compound], key=lambda s: (-s[2], s[1])), start=1):
            buildings.append(Building(f"B{len(buildings) + 1:03d}", compound, number, gi, lon, lat))
    geo.check_points([(b.lon, b.lat) for b in buildings], grids)
    return buildings


def _head_age(groups: list[str]) -> tuple[int, int]:
    for label, ages in (("独居老人", (65, 93)), ("空巢老人", (62, 90)), ("留守儿童", (52, 75)),
                        ("失业人员", (25, 58)), ("流动人口", (20, 50))):
        if label in groups:
            return ages
    return 24, 88


def _members(rng: Rng, groups: list[str]) -> int:
    if "独居老人" in groups:
        return 1
    if "空巢老人" in groups:
        return 2 if rng.random() < 0.8 else 1
    if "留守儿童" in groups:
        return int(rng.integers(2, 5))
    return 1 + int(rng.choice(6, p=[0.20, 0.32, 0.26, 0.13, 0.06, 0.03]))


def make_households(rng: Rng, buildings: list[Building]) -> list[Household]:
    """About 75 flats per building, ids in random order over buildings, then a few rows spoilt on purpose."""
    weights = rng.uniform(0.7, 1.3, len(buildings))
    counts = np.floor(weights / weights.sum() * N_HOUSEHOLDS).astype(int)
    counts[np.argsort(-weights, kind="stable")[: N_HOUSEHOLDS - int(counts.sum())]] += 1
    flats: list[tuple[Building, int, int, int]] = []
    for b, n in zip(buildings, counts, strict=True):
        for idx in np.sort(rng.choice(FLATS_PER_BUILDING, size=int(n), replace=False)):
            unit, rest = divmod(int(idx), 72)
            floor, door = divmod(rest, 4)
            flats.append((b, unit + 1, floor + 1, door + 1))
    used_ids: dict[str, None] = {}
    used_phones: dict[str, None] = {}
    households: list[Household] = []
    for k, i in enumerate(rng.permutation(len(flats))):
        h = Household(f"H{k + 1:06d}", *flats[int(i)])
        if rng.random() < SPECIAL_SHARE[h.building.grid]:
            h.groups = txt.special_groups(rng)
            h.groups_text = txt.join_groups(rng, h.groups)
        age_min, age_max = _head_age(h.groups)
        h.name = txt.person_name(rng)
        h.id_number = txt.id_number(rng, age_min=age_min, age_max=age_max, used=used_ids)
        h.phone = txt.phone(rng, used_phones)
        h.members = _members(rng, h.groups)
        h.style = 1 + int(rng.choice(8, p=txt.ADDRESS_STYLE_WEIGHTS))
        compound = h.building.compound
        if rng.random() < 0.07:  # about 5% of all rows: only 南里一区/二区 have a numeral to rewrite
            compound = txt.ARABIC_COMPOUND.get(compound, compound)
        h.address = txt.flat_address(rng, h.style, compound, h.building.number, h.unit, h.room)
        households.append(h)
    _spoil_households(rng, households, buildings)
    return households


def _spoil_households(rng: Rng, households: list[Household], buildings: list[Building]) -> None:
    """Give BAD_HOUSEHOLDS[kind] distinct rows exactly one defect each."""
    top = {c: max(b.number for b in buildings if b.compound == c) for c in COMPOUNDS}
    picks = [int(i) for i in rng.permutation(len(households))]
    for kind, n in BAD_HOUSEHOLDS.items():
        for i in picks[:n]:
            h = households[i]
            h.bad = kind
            b = h.building
            if kind == "unknown_compound":
                h.address = txt.flat_address(rng, h.style, txt.pick(rng, FAKE_COMPOUNDS), b.number, h.unit, h.room)
            elif kind == "unknown_building":
                number = top[b.compound] + int(rng.integers(1, 12))
                h.address = txt.flat_address(rng, h.style, b.compound, number, h.unit, h.room)
            elif kind == "blank_address":
                h.address = " " if rng.random() < 0.3 else ""
            elif kind == "bad_checksum":
                h.id_number = txt.break_checksum(rng, h.id_number)
            else:
                h.members = 0
        picks = picks[n:]


def household_table(households: list[Household]) -> Table:
    rows = [[h.hid, h.address, h.name, h.id_number, h.phone, str(h.members), h.groups_text] for h in households]
    header = ["户编号", "居住地址", "户主姓名", "身份证号", "联系电话", "家庭人口", "人员类别"]
    styles = Counter(h.style for h in households)
    arabic = sum(1 for h in households if any(a in h.address for a in txt.ARABIC_COMPOUND.values()))
    spaced = sum(1 for h in households if h.address.strip() and " " in h.address)
    notes = ["居住地址 styles: 1 C3号楼2单元501, 2 北京市朝阳区C3号楼2单元501, 3 朝阳区C3栋2门501室, "
             "4 C三号楼二(两)单元五零一, 5 C3#2-501, 6 C3-2-501, 7 C３号楼２单元５０１, 8 C3幢2单元501号 or C3座2单元501",
             f"rows per style 1-8: {', '.join(f'{s}: {styles[s]}' for s in range(1, 9))}",
             f"addresses with stray spaces (inside or around): {spaced}",
             f"compound written with an Arabic numeral (甘露园南里1区/2区): {arabic}",
             f"households with any special group: {sum(1 for h in households if h.groups)}"]
    return Table("households.csv", header, rows, encoding="gbk",
                 bad=dict(Counter(h.bad for h in households if h.bad)), notes=notes)


def make_facilities(rng: Rng, grids: list[geo.Grid], buildings: list[Building]) -> Table:
    """Facilities at points well inside grids, 70/20/10 given as wgs84/gcj02/bd09."""
    crs = [c for c, n in FACILITY_CRS.items() for _ in range(n)]
    crs = [crs[int(i)] for i in rng.permutation(len(crs))]
    rows: list[Row] = []
    seen: Counter[str] = Counter()
    for kind, n in FACILITY_COUNTS.items():
        for i in range(n):
            g = grids[int(rng.integers(len(grids)))]
            (lon, lat), = geo.sample_points(rng, g, 1)
            geo.check_points([(lon, lat)], grids)
            label = ("幼儿园", "小学", "中学")[i % 3] if kind == "学校" else kind
            seen[g.compound + label] += 1
            k = seen[g.compound + label]  # numbered per compound: 消防栓07, or 养老驿站2 for a second one
            name = g.compound + label + (f"{k:02d}" if kind in ("消防栓", "监控") else str(k) if k > 1 else "")
            address = "" if rng.random() < 0.3 else _near_building(lon, lat, [b for b in buildings if b.grid == g.index])
            c = crs[len(rows)]
            x, y = geo.convert(lon, lat, c)
            rows.append([f"F{len(rows) + 1:03d}", name, kind, address, fmt_coord(x), fmt_coord(y), c])
    return Table("facilities.csv", ["设施编号", "名称", "类型", "地址", "经度", "纬度", "坐标系"], rows,
                 notes=[f"坐标系: {', '.join(f'{c} {n}' for c, n in FACILITY_CRS.items())}"])


def _near_building(lon: float, lat: float, buildings: list[Building]) -> str:
    """Free text such as 甘露园中里5号楼东侧 relative to the nearest of `buildings`."""
    x, y = geo.to_xy(lon, lat)
    nearest = min(buildings, key=lambda b: math.dist((x, y), geo.to_xy(b.lon, b.lat)))
    bx, by = geo.to_xy(nearest.lon, nearest.lat)
    side = ("东" if x > bx else "西") if abs(x - bx) > abs(y - by) else ("北" if y > by else "南")
    return f"{nearest.compound}{nearest.number}号楼{side}侧"


def build_demo(as_of: dt.date) -> Demo:
    """Every dataset in memory, the events of the 12 months ending on `as_of`; no files touched, no clock read."""
    period = Period(as_of)
    grids = make_grids(rng_for("grids"))
    buildings = make_buildings(rng_for("buildings"), grids)
    households = make_households(rng_for("households"), buildings)
    gazetteer = Table("buildings.csv", ["楼栋编号", "楼栋地址", "经度", "纬度", "坐标系"],
                      [[b.bid, b.address, fmt_coord(b.lon), fmt_coord(b.lat), "wgs84"] for b in buildings])
    tables = [
        gazetteer,
        household_table(households),
        make_facilities(rng_for("facilities"), grids, buildings),
        make_complaints(rng_for("complaints"), period, grids, buildings, households),
        make_hazards(rng_for("hazards"), period, grids, buildings),
        make_visits(rng_for("visits"), period, grids, households),
    ]
    return Demo(period, grids, buildings, households, tables)


def grids_geojson(grids: list[geo.Grid]) -> str:
    """RFC 7946 FeatureCollection, one feature per line, no crs member."""
    features = [
        json.dumps({"type": "Feature",
                    "properties": {"网格编码": g.code, "网格名称": g.name, "社区名称": COMMUNITY, "网格员": g.leader},
                    "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in g.ring]]}}, ensure_ascii=False)
        for g in grids
    ]
    return '{"type": "FeatureCollection", "features": [\n' + ",\n".join(features) + "\n]}\n"


def readme(demo: Demo) -> str:
    """The folder's README: synthetic-data notice, files, counts, bad rows and planted patterns."""
    total_bad: Counter[str] = Counter()
    for t in demo.tables:
        total_bad.update(t.bad)
    as_of, start = demo.period.as_of, demo.period.start.date()
    lines = [
        f"# {COMMUNITY}: SYNTHETIC demo data as of {as_of}", "",
        "**Everything in this folder is synthetic.** It was generated by `geodata/make_demo.py` "
        f"(seed {SEED}). The people, names, ID numbers, phone numbers, complaint texts and visit notes are "
        "fictitious; ID numbers are random digits with a valid GB 11643 check character, phone numbers are random "
        "digits behind common mobile prefixes. Any resemblance to real persons is coincidental. The location "
        f"(甘露园, 朝阳区, around {geo.LON0}, {geo.LAT0} WGS-84) is real; the grids, buildings and all records are "
        "invented.", "",
        f"Made as of {as_of}: the work orders, hazards and visits are the 12 months {start} .. {as_of}, with "
        "responses, outcomes, hazard statuses and visits as known at the end of that day; the grids, buildings, "
        "households and facilities are the same whatever the day. `make demo` and the Docker image make the "
        "community as of the day they run (into `$GRIDGOV_HOME/demo`, by default `.gridgov/demo`) and load that, so "
        f"the demo looks current on any day. The copy committed in `geodata/demo` is made as of {REFERENCE_AS_OF}, "
        "the day the tests pin the community's clock to.", "",
        "Regenerate (byte-identical output for the same day): "
        f"`.venv/bin/python geodata/make_demo.py --as-of {as_of} --out DIR` from the repository root.", "",
        "| file | encoding | rows | deliberately bad rows |", "|---|---|---|---|",
        f"| grids.geojson | UTF-8 (RFC 7946, WGS-84) | {len(demo.grids)} | 0 |",
    ]
    for t in demo.tables:
        enc = "GBK" if t.encoding == "gbk" else "UTF-8 with BOM"
        lines.append(f"| {t.name} | {enc}, CRLF | {len(t.rows)} | {sum(t.bad.values())} |")
    lines += ["", "## Deliberately bad rows (each should end in quarantine)", "",
              "| file | kind | rows |", "|---|---|---|"]
    for t in demo.tables:
        lines += [f"| {t.name} | {BAD_LABELS[k]} | {n} |" for k, n in sorted(t.bad.items())]
    lines += ["", "## What else is in the files", ""]
    for t in demo.tables:
        lines += [f"- {t.name}: {note}" for note in t.notes]
    lines += ["", "## Per grid", "",
              "Counted from where the generator put each household; `loadable` leaves out the deliberately bad "
              "rows, so it is what the map should show.", "",
              "| 网格编码 | 网格名称 | 网格员 | compound | buildings | households | loadable | "
              "loadable with special groups |",
              "|---|---|---|---|---|---|---|---|"]
    for g in demo.grids:
        hs = [h for h in demo.households if h.building.grid == g.index]
        good = [h for h in hs if not h.bad]
        special = sum(1 for h in good if h.groups)
        nb = sum(1 for b in demo.buildings if b.grid == g.index)
        lines.append(f"| {g.code} | {g.name} | {g.leader} | {g.compound} | {nb} | {len(hs)} | {len(good)} | "
                     f"{special} ({special / len(good):.0%}) |")
    return "\n".join(lines) + "\n"


def write_demo(demo: Demo, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "grids.geojson").write_text(grids_geojson(demo.grids), encoding="utf-8", newline="\n")
    for t in demo.tables:
        with (out / t.name).open("w", encoding=t.encoding, newline="") as f:
            writer = csv.writer(f, lineterminator="\r\n")
            writer.writerow(t.header)
            writer.writerows(t.rows)
    (out / "README.md").write_text(readme(demo), encoding="utf-8", newline="\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the synthetic demo community as of a day.")
    parser.add_argument("--as-of", dest="as_of", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
                        help="the last day of its year of records (default: the community's today: GRIDGOV_TIMEZONE,"
                             " pinned by GRIDGOV_NOW)")
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("GRIDGOV_HOME") or ".gridgov") / "demo",
                        help="the folder to write (default: $GRIDGOV_HOME/demo, .gridgov/demo)")
    args = parser.parse_args(argv)
    # the community's clock (gridgov.clock), as the load that follows will judge "in the future" by
    as_of: dt.date = args.as_of or CommunitySettings().clock().today()
    if args.out.resolve() == COMMITTED and as_of != REFERENCE_AS_OF:
        parser.error(f"{COMMITTED} is the committed copy the tests use, made as of {REFERENCE_AS_OF}: "
                     f"add --as-of {REFERENCE_AS_OF}, or write elsewhere")
    demo = build_demo(as_of)
    write_demo(demo, args.out)
    print(f"{COMMUNITY} (synthetic) as of {as_of}: {demo.period.start.date()} .. {as_of} in {args.out}")
    print(f"grids.geojson: {len(demo.grids)} rows, 0 bad")
    for t in demo.tables:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(t.bad.items()))
        print(f"{t.name}: {len(t.rows)} rows, {sum(t.bad.values())} bad" + (f" ({kinds})" if kinds else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
