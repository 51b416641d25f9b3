"""Write the SYNTHETIC demo street 八里庄街道, two communities (甘露园南里社区, 晨光里社区), as of a day: their year
of records ends that day.

    .venv/bin/python geodata/make_demo.py [--as-of YYYY-MM-DD] [--out DIR]

--as-of defaults to the community's today (gridgov's clock: GRIDGOV_TIMEZONE, pinned
by GRIDGOV_NOW), --out to
$GRIDGOV_HOME/demo (.gridgov/demo): `make demo` and the Docker image make the demo
as of the day they run and load that. The committed copy, geodata/demo, is made
as of 2026-10-31 (REFERENCE_AS_OF), the day the tests pin the community's clock to:

    .venv/bin/python geodata/make_demo.py --as-of 2026-10-31 --out geodata/demo

Grids, buildings, households and facilities are the same whatever the day; work
orders, hazards and visits cover the 12 months ending on as-of (_demo_model.Period).
The two communities are described in _demo_communities.py; each file holds the first's
rows, then the second's, and the first's are what the demo was before it had a second.
Deterministic: one fixed seed, one random stream per dataset and community, sorted output, and
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

import _demo_boundary as drawn
import _demo_geo as geo
import _demo_text as txt
import numpy as np
from _demo_communities import COMMUNITIES, FIRST, SECOND, STREET, STREET_CODE, Community
from _demo_events import make_complaints, make_hazards, make_visits
from _demo_model import REFERENCE_AS_OF, Building, Household, Period, Rng, Row, Table, fmt_coord
from _demo_readme import readme

from gridgov.settings import CommunitySettings

SEED = 20251101
STREAMS = {"grids": 1, "buildings": 2, "households": 3, "facilities": 4, "complaints": 5, "hazards": 6, "visits": 7}

COMMITTED = Path(__file__).resolve().parent / "demo"  # made as of REFERENCE_AS_OF only
FLATS_PER_BUILDING = 4 * 18 * 4  # units x floors x doors
PARK_GRID = 4  # the second community's grid -005 has a park in no grid (a hole)


@dataclass
class Part:
    """One community of the demo: its grids (indexed 0.. within it), buildings, households and tables."""

    community: Community
    grids: list[geo.Grid]
    buildings: list[Building]
    households: list[Household]
    tables: list[Table]


@dataclass
class Demo:
    period: Period
    parts: list[Part]
    tables: list[Table]  # each file: the communities' rows one after the other

    @property
    def grids(self) -> list[geo.Grid]:
        return [g for p in self.parts for g in p.grids]

    @property
    def buildings(self) -> list[Building]:
        return [b for p in self.parts for b in p.buildings]

    @property
    def households(self) -> list[Household]:
        return [h for p in self.parts for h in p.households]


def rng_for(dataset: str, community: Community = FIRST) -> Rng:
    """An independent stream per dataset and community, so changing one leaves the others as they were."""
    key = [SEED, STREAMS[dataset]] + ([community.stream] if community.stream else [])
    return np.random.default_rng(key)


def _leaders(rng: Rng, n: int, taken: Sequence[str] = ()) -> list[str]:
    leaders: list[str] = []
    while len(leaders) < n:
        name = txt.person_name(rng)
        if name not in leaders and name not in taken:
            leaders.append(name)
    return leaders


def _cells(columns: int) -> list[tuple[int, int]]:
    """(row, column) of each grid, numbered north row first, west to east."""
    return [(r, c) for r in range(geo.ROWS - 1, -1, -1) for c in range(columns)]


def _grid(c: Community, k: int, column: int, leader: str, ring: tuple[geo.Coord, ...],
          holes: tuple[tuple[geo.Coord, ...], ...] = ()) -> geo.Grid:
    return geo.Grid(index=k, code=f"{c.code}-{k + 1:03d}", name=f"第{txt.cn_count(k + 1)}网格", leader=leader,
                    compound=c.compound_of_column[column], ring=ring, holes=holes)


def make_grids(rng: Rng) -> tuple[list[geo.Grid], list[list[geo.Coord]]]:
    """The first community's ten grids from a jittered 5 x 2 lattice (which the second's continues eastwards)."""
    v = geo.lattice(rng)
    leaders = _leaders(rng, FIRST.grids)
    grids = [_grid(FIRST, k, c, leaders[k], geo.cell_ring(v, c, r)) for k, (r, c) in enumerate(_cells(FIRST.columns))]
    geo.check_tiling([g.shape for g in grids], geo.outline(v))
    return grids, v


def make_drawn_grids(rng: Rng, west: list[geo.Coord], taken: Sequence[str]) -> list[geo.Grid]:
    """The second community's grids east of the first, drawn as offices draw them (_demo_boundary)."""
    v = drawn.east_lattice(rng, west, SECOND.columns)
    leaders = _leaders(rng, SECOND.grids, taken)
    grids: list[geo.Grid] = []
    for k, (r, c) in enumerate(_cells(SECOND.columns)):
        ring = drawn.drawn_ring(rng, v, c, r)
        grids.append(_grid(SECOND, k, c, leaders[k], ring, (drawn.park(rng, ring),) if k == PARK_GRID else ()))
    return grids


def make_buildings(rng: Rng, grids: list[geo.Grid], c: Community = FIRST) -> list[Building]:
    """Buildings clustered by compound, numbered 1..N per compound from north to south."""
    spots: dict[str, list[tuple[int, float, float]]] = {name: [] for name in c.compounds}
    for g in grids:
        for lon, lat in geo.sample_points(rng, g, c.buildings_per_grid[g.index], min_sep_m=35.0):
            spots[g.compound].append((g.index, lon, lat))
    buildings: list[Building] = []
    for compound in c.compounds:
        for number, (gi, lon, lat) in enumerate(sorted(spots[compound], key=lambda s: (-s[2], s[1])), start=1):
            buildings.append(Building(f"B{c.first_building + len(buildings):03d}", compound, number, gi, lon, lat))
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


def make_households(rng: Rng, buildings: list[Building], c: Community = FIRST) -> list[Household]:
    """About 75 flats per building, ids in random order over buildings, then a few rows spoilt on purpose."""
    weights = rng.uniform(0.7, 1.3, len(buildings))
    counts = np.floor(weights / weights.sum() * c.households).astype(int)
    counts[np.argsort(-weights, kind="stable")[: c.households - int(counts.sum())]] += 1
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
        h = Household(f"H{c.first_household + k:06d}", *flats[int(i)])
        if rng.random() < c.special_share[h.building.grid]:
            h.groups = txt.special_groups(rng)
            h.groups_text = txt.join_groups(rng, h.groups)
        age_min, age_max = _head_age(h.groups)
        h.name = txt.person_name(rng)
        h.id_number = txt.id_number(rng, age_min=age_min, age_max=age_max, used=used_ids)
        h.phone = txt.phone(rng, used_phones)
        h.members = _members(rng, h.groups)
        h.style = 1 + int(rng.choice(8, p=txt.ADDRESS_STYLE_WEIGHTS))
        compound = h.building.compound
        if rng.random() < 0.07:  # about 5% of all rows: only compounds with a section numeral (二区) are rewritten
            compound = txt.ARABIC_COMPOUND.get(compound, compound)
        h.address = txt.flat_address(rng, h.style, compound, h.building.number, h.unit, h.room)
        households.append(h)
    _spoil_households(rng, households, buildings, c)
    return households


def _spoil_households(rng: Rng, households: list[Household], buildings: list[Building], c: Community) -> None:
    """Give c.bad_households[kind] distinct rows exactly one defect each."""
    top = {name: max(b.number for b in buildings if b.compound == name) for name in c.compounds}
    picks = [int(i) for i in rng.permutation(len(households))]
    for kind, n in c.bad_households.items():
        for i in picks[:n]:
            h = households[i]
            h.bad = kind
            b = h.building
            if kind == "unknown_compound":
                h.address = txt.flat_address(rng, h.style, txt.pick(rng, c.fake_compounds), b.number, h.unit, h.room)
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
             f"compound written with an Arabic numeral (甘露园南里1区, 晨光里2区): {arabic}",
             f"households with any special group: {sum(1 for h in households if h.groups)}"]
    return Table("households.csv", header, rows, encoding="gbk",
                 bad=dict(Counter(h.bad for h in households if h.bad)), notes=notes)


def make_facilities(rng: Rng, grids: list[geo.Grid], buildings: list[Building], c: Community = FIRST) -> Table:
    """Facilities at points well inside grids, 70/20/10 given as wgs84/gcj02/bd09."""
    crs_list = [name for name, n in c.facility_crs.items() for _ in range(n)]
    crs_list = [crs_list[int(i)] for i in rng.permutation(len(crs_list))]
    rows: list[Row] = []
    seen: Counter[str] = Counter()
    for kind, n in c.facility_counts.items():
        for i in range(n):
            g = grids[int(rng.integers(len(grids)))]
            (lon, lat), = geo.sample_points(rng, g, 1)
            geo.check_points([(lon, lat)], grids)
            label = ("幼儿园", "小学", "中学")[i % 3] if kind == "学校" else kind
            seen[g.compound + label] += 1
            k = seen[g.compound + label]  # numbered per compound: 消防栓07, or 养老驿站2 for a second one
            name = g.compound + label + (f"{k:02d}" if kind in ("消防栓", "监控") else str(k) if k > 1 else "")
            address = "" if rng.random() < 0.3 else _near_building(lon, lat, [b for b in buildings if b.grid == g.index])
            crs = crs_list[len(rows)]
            x, y = geo.convert(lon, lat, crs)
            rows.append([f"F{c.first_facility + len(rows):03d}", name, kind, address, fmt_coord(x), fmt_coord(y), crs])
    return Table("facilities.csv", ["设施编号", "名称", "类型", "地址", "经度", "纬度", "坐标系"], rows,
                 notes=[f"坐标系: {', '.join(f'{name} {n}' for name, n in c.facility_crs.items())}"])


def _near_building(lon: float, lat: float, buildings: list[Building]) -> str:
    """Free text such as 甘露园中里5号楼东侧 relative to the nearest of `buildings`."""
    x, y = geo.to_xy(lon, lat)
    nearest = min(buildings, key=lambda b: math.dist((x, y), geo.to_xy(b.lon, b.lat)))
    bx, by = geo.to_xy(nearest.lon, nearest.lat)
    side = ("东" if x > bx else "西") if abs(x - bx) > abs(y - by) else ("北" if y > by else "南")
    return f"{nearest.compound}{nearest.number}号楼{side}侧"


def _part(period: Period, c: Community, grids: list[geo.Grid], first_visit: int) -> Part:
    """One community's records, drawn from its own random streams."""
    buildings = make_buildings(rng_for("buildings", c), grids, c)
    households = make_households(rng_for("households", c), buildings, c)
    gazetteer = Table("buildings.csv", ["楼栋编号", "楼栋地址", "经度", "纬度", "坐标系"],
                      [[b.bid, b.address, fmt_coord(b.lon), fmt_coord(b.lat), "wgs84"] for b in buildings])
    tables = [
        gazetteer,
        household_table(households),
        make_facilities(rng_for("facilities", c), grids, buildings, c),
        make_complaints(rng_for("complaints", c), period, grids, buildings, households, c),
        make_hazards(rng_for("hazards", c), period, grids, buildings, c),
        make_visits(rng_for("visits", c), period, grids, households, c, first_id=first_visit),
    ]
    return Part(c, grids, buildings, households, tables)


def _merged(parts: list[Part]) -> list[Table]:
    """Each file as a street's office hands it over: the communities' rows one after the other."""
    merged: list[Table] = []
    for tables in zip(*(p.tables for p in parts), strict=True):
        first = tables[0]
        bad: Counter[str] = Counter()
        for t in tables:
            bad.update(t.bad)
        notes = [f"{p.community.name}: {note}" for p, t in zip(parts, tables, strict=True) for note in t.notes]
        merged.append(Table(first.name, first.header, [r for t in tables for r in t.rows], first.encoding,
                            dict(bad), notes))
    return merged


def build_demo(as_of: dt.date) -> Demo:
    """Every dataset in memory, the events of the 12 months ending on `as_of`; no files touched, no clock read."""
    period = Period(as_of)
    grids, lattice = make_grids(rng_for("grids"))
    first = _part(period, FIRST, grids, 1)
    east = make_drawn_grids(rng_for("grids", SECOND), lattice[-1], [g.leader for g in grids])
    second = _part(period, SECOND, east, first_visit=len(first.tables[-1].rows) + 1)
    drawn.check_drawn([g.shape_m for g in grids + east])
    geo.check_points([(b.lon, b.lat) for b in first.buildings + second.buildings], grids + east)
    return Demo(period, [first, second], _merged([first, second]))


def grids_geojson(demo: Demo) -> str:
    """RFC 7946 FeatureCollection, one feature per line, no crs member; each grid with its community and street."""
    features = [
        json.dumps({"type": "Feature",
                    "properties": {"网格编码": g.code, "网格名称": g.name, "社区名称": p.community.name,
                                   "社区代码": p.community.code, "街道": STREET, "街道代码": STREET_CODE,
                                   "网格员": g.leader},
                    "geometry": {"type": "Polygon", "coordinates": [[list(q) for q in ring]
                                                                    for ring in (g.ring, *g.holes)]}},
                   ensure_ascii=False)
        for p in demo.parts for g in p.grids
    ]
    return '{"type": "FeatureCollection", "features": [\n' + ",\n".join(features) + "\n]}\n"


def write_demo(demo: Demo, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "grids.geojson").write_text(grids_geojson(demo), encoding="utf-8", newline="\n")
    for t in demo.tables:
        with (out / t.name).open("w", encoding=t.encoding, newline="") as f:
            writer = csv.writer(f, lineterminator="\r\n")
            writer.writerow(t.header)
            writer.writerows(t.rows)
    (out / "README.md").write_text(readme(demo, SEED), encoding="utf-8", newline="\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the synthetic demo street (two communities) as of a day.")
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
    names = ", ".join(c.name for c in COMMUNITIES)
    print(f"{STREET}: {names} (synthetic) as of {as_of}: {demo.period.start.date()} .. {as_of} in {args.out}")
    print(f"grids.geojson: {len(demo.grids)} rows, 0 bad")
    for t in demo.tables:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(t.bad.items()))
        print(f"{t.name}: {len(t.rows)} rows, {sum(t.bad.values())} bad" + (f" ({kinds})" if kinds else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
