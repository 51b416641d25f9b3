"""Write a SYNTHETIC city-scale dataset for the ETL benchmark (bench/etl_bench.py).

    .venv/bin/python bench/make_city.py [--out bench/out/city] [--households 1000000] [--complaints 1000000]
                                        [--buildings 100000] [--grids-x 60] [--grids-y 55]

The defaults are city scale: 3,300 grids in ~340 communities of 34 streets (街道, 10 communities each) over Beijing (26 km x 26 km around lon 116.40,
lat 39.90; real-like boundaries from geodata/boundaries.py, ~520 vertices each), ~3,600 compounds, 100,000 buildings, 1,000,000 households, 1,000,000 12345 work orders.
The files follow the data contract exactly like a real office export, in the formats of the demo
(geodata/make_demo.py, whose vocabularies and address spellings are reused): grids.geojson, buildings.csv
(UTF-8 with BOM), households.csv (GBK), complaints.csv (UTF-8 with BOM). For the baseline of the benchmark,
baseline/ holds the same households and work orders already geocoded (WGS-84 lon/lat, English columns),
plus expected.json with the counts the generator knows.

Deterministic: one fixed seed, one random stream per dataset, no clock; running it twice writes
byte-identical files. Vectorised with numpy: about 55 s and 2.4 GB peak at city scale (2 CPUs).
Every person, name, ID number, phone number and text is fictitious; see the README it writes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import _city_geo as geo
import _city_text as ctext  # puts geodata/ on sys.path for the demo's modules
import _demo_text as txt
import numpy as np
import numpy.typing as npt
import shapely
from _demo_model import BAD_LABELS, CUTOFF, DAY_HOURS, NIGHT_HOURS, START

Rng = np.random.Generator
Strs = npt.NDArray[np.object_]
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

SEED = 20251201
STREAMS = {"grids": 1, "buildings": 2, "households": 3, "complaints": 5}
DEFAULTS = {"households": 1_000_000, "complaints": 1_000_000, "buildings": 100_000, "grids_x": 60, "grids_y": 55}

FLATS = (4, 18, 4)  # units x floors x doors of every building, as the demo
EXTRA_COMPOUNDS = 3  # a community has as many compounds as grids, plus 0..2

# Households: one in 500 rows of each kind is spoilt on purpose (1% in all).
BAD_SHARE = 0.002
BAD_HOUSEHOLDS = ("unknown_compound", "unknown_building", "blank_address", "bad_checksum", "zero_members")
ADDRESS_DEFECTS = ("unknown_compound", "unknown_building", "blank_address")  # no point for the baseline
SPECIAL_SHARE = (0.08, 0.32)  # per grid, drawn uniformly: ~20% of households in special groups
ARABIC_SHARE = 0.07  # a sectioned compound written 甘露园南里2区 instead of 甘露园南里二区
# Head-of-household ages and members, as geodata/make_demo.py (_head_age, _members); first match wins.
HEAD_AGES = (("独居老人", (65, 93)), ("空巢老人", (62, 90)), ("留守儿童", (52, 75)), ("失业人员", (25, 58)),
             ("流动人口", (20, 50)))
DEFAULT_AGES = (24, 88)

# Complaints: categories and heating months as geodata/_demo_events.py.
CATEGORY_WEIGHTS = {"噪音扰民": 0.15, "物业管理": 0.20, "环境卫生": 0.14, "停车管理": 0.13, "供暖": 0.14,
                    "违章建设": 0.06, "邻里纠纷": 0.08, "市政设施": 0.10}
HEATING_MONTHS = (11, 12, 1, 2, 3)
UNMATCHED_SHARE = 0.03  # address names no building, gcj02 经度/纬度 given
NO_LOCATION_SHARE = 0.01  # vague address, no coordinates: deliberately bad
VAGUE_ADDRESSES = ("", "小区门口", "不详", "{stem}附近", "朝阳区{stem}一带")
SLOW_GRIDS = 0.10  # share of grids whose first response comes 1.2-1.8 times slower



@dataclass
class Table:
    """One output file as columns of text; counts for the README."""

    name: str
    header: list[str]
    columns: list[Sequence[str]]
    encoding: str = "utf-8-sig"
    bad: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    released: int = -1

    @property
    def rows(self) -> int:
        return self.released if self.released >= 0 else len(self.columns[0])

    def release(self) -> None:
        """Drop the text once written; keep the counts."""
        self.released, self.columns = self.rows, []


@dataclass
class City:
    grids: geo.Grids
    grid_codes: Strs
    grid_names: Strs
    leaders: Strs
    community_names: list[str]
    # compounds
    compound_names: list[str]
    compound_arabic: list[str]
    compound_base: list[str]
    # buildings, in building-id order
    b_cell: Ints
    b_compound: Ints
    b_number: Ints
    b_lon: Floats
    b_lat: Floats


def rng_for(dataset: str) -> Rng:
    """An independent stream per dataset, so changing one leaves the others as they were."""
    return np.random.default_rng([SEED, STREAMS[dataset]])


def split_evenly(rng: Rng, total: int, n: int, low: float, high: float) -> Ints:
    """total items over n bins with weights uniform(low, high): floor, then the remainder to the heaviest."""
    weights = rng.uniform(low, high, n)
    counts = np.floor(weights / weights.sum() * total).astype(np.int64)
    counts[np.argsort(-weights, kind="stable")[: total - int(counts.sum())]] += 1
    return counts


def fmt_coords(values: Floats) -> Strs:
    return np.array([f"{v:.7f}" for v in values.tolist()], dtype=object)


def fmt_times(seconds: Ints, missing: npt.NDArray[np.bool_] | None = None) -> Strs:
    """Seconds after START as 'YYYY-MM-DD HH:MM:SS' ('' where missing)."""
    stamps = np.datetime64(START, "s") + seconds.astype("m8[s]")
    text = np.char.replace(np.datetime_as_string(stamps, unit="s"), "T", " ").astype(object)
    if missing is not None:
        text[missing] = ""
    return text


# ---------------------------------------------------------------------------------------------- grids


def make_grids(rng: Rng, nx: int, ny: int) -> tuple[geo.Grids, Strs, Strs, Strs]:
    """Real-like grids (geodata/boundaries.py) with codes, names (第三网格) and unique leaders."""
    grids = geo.make_grids(rng, nx, ny)
    pool = list(dict.fromkeys(ctext.person_names(rng, 3 * len(grids)).tolist()))
    geo.require(len(pool) >= len(grids), "not enough distinct leader names")
    return grids, grids.codes, grids.names, np.array(pool[: len(grids)], dtype=object)


# ------------------------------------------------------------------------------------------ buildings


def make_city(nx: int, ny: int, n_buildings: int) -> City:
    """Grids, then buildings on a jittered sub-lattice inside each grid, grouped into compounds per community."""
    grids, codes, names, leaders = make_grids(rng_for("grids"), nx, ny)
    rng = rng_for("buildings")
    g = len(grids)
    per_grid = split_evenly(rng, n_buildings, g, 0.6, 1.4)
    lon, lat, cell = geo.sample_in_grids(rng, grids, per_grid)

    # Compounds: per community, k-means over its buildings (a compound may straddle a grid edge, as in life).
    x, y = geo.to_xy(lon, lat)
    community = grids.community[cell]
    grids_per_community = np.bincount(grids.community, minlength=grids.n_communities)
    bases = iter(ctext.base_names(rng))
    compound = np.empty(len(cell), dtype=np.int64)
    compound_names: list[str] = []
    compound_arabic: list[str] = []
    compound_base: list[str] = []
    community_names: list[str] = []
    for c in range(grids.n_communities):
        idx = np.flatnonzero(community == c)
        k = min(len(idx), int(grids_per_community[c]) + int(rng.integers(0, EXTRA_COMPOUNDS)))
        pts = np.stack([x[idx], y[idx]], axis=1)
        centres = pts[rng.choice(len(idx), k, replace=False)]
        for _ in range(5):
            label = np.argmin(((pts[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)
            for j in range(k):
                members = label == j
                if members.any():
                    centres[j] = pts[members].mean(axis=0)
        label = np.argmin(((pts[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)
        used = np.unique(label)
        rank = np.lexsort((centres[used, 0], -centres[used, 1]))  # compounds north to south, west to east
        relabel = np.empty(k, dtype=np.int64)
        relabel[used[rank]] = np.arange(len(used)) + len(compound_names)
        compound[idx] = relabel[label]
        first = None
        while len(compound_names) < int(relabel[used].max()) + 1:
            try:
                base = next(bases)
            except StopIteration:
                raise RuntimeError("ran out of compound names: fewer grids, or more stems in _city_text") from None
            first = first or base
            left = int(relabel[used].max()) + 1 - len(compound_names)
            sections = min(left, 1 + int(rng.choice(len(ctext.SECTIONS_P), p=ctext.SECTIONS_P)))
            for s in range(1, sections + 1):
                compound_names.append(base if sections == 1 else f"{base}{txt.cn_count(s)}区")
                compound_arabic.append(base if sections == 1 else f"{base}{s}区")
                compound_base.append(base)
        community_names.append(f"{first}社区")
    canon = [ctext.canonical(n) for n in compound_names]
    geo.require(len(set(canon)) == len(canon), "two compounds share a canonical name")
    geo.require(len(set(community_names)) == len(community_names), "two communities share a name")

    # Building numbers 1..n per compound from north to south, then west to east; ids in that order.
    order = np.lexsort((lon, -lat, compound))
    cell, compound, lon, lat = cell[order], compound[order], lon[order], lat[order]
    starts = np.r_[0, np.flatnonzero(np.diff(compound)) + 1]
    sizes = np.diff(np.r_[starts, len(compound)])
    number = np.arange(len(compound)) - np.repeat(starts, sizes) + 1
    return City(grids, codes, names, leaders, community_names, compound_names, compound_arabic, compound_base,
                cell, compound, number.astype(np.int64), lon, lat)


def street_names(city: City) -> list[str]:
    """One name per street (街道), in street order: the place name (stem) of the first of its communities whose
    stem no earlier street took, e.g. 望京街道; no random draw, so the other files stay as they were."""
    names: list[str] = []
    for street in range(city.grids.n_streets):
        members = range(street * geo.COMMUNITIES_PER_STREET,
                        min((street + 1) * geo.COMMUNITIES_PER_STREET, city.grids.n_communities))
        stems = [city.community_names[c][:2] + "街道" for c in members]
        names.append(next((n for n in stems if n not in names), f"第{ctext.cn_number(street + 1)}街道"))
    geo.require(len(set(names)) == len(names), "two streets share a name")
    return names


def grids_geojson(city: City) -> str:
    """RFC 7946 FeatureCollection, one feature per line, no crs member (as the demo); each grid with its community
    and street, and their codes (the grid code's own: {street code}{community number}-{grid number})."""
    features = []
    streets = street_names(city)
    for i, polygon in enumerate(city.grids.polygons.tolist()):
        rings = [np.asarray(polygon.exterior.coords).tolist(), *(np.asarray(h.coords).tolist() for h in polygon.interiors)]
        community = int(city.grids.community[i])
        code = str(city.grid_codes[i])
        features.append(json.dumps(
            {"type": "Feature",
             "properties": {"网格编码": code, "网格名称": city.grid_names[i],
                            "社区名称": city.community_names[community], "社区代码": code.split("-")[0],
                            "街道": streets[community // geo.COMMUNITIES_PER_STREET], "街道代码": code[:9],
                            "网格员": city.leaders[i]},
             "geometry": {"type": "Polygon", "coordinates": rings}}, ensure_ascii=False))
    return '{"type": "FeatureCollection", "features": [\n' + ",\n".join(features) + "\n]}\n"


def buildings_table(city: City) -> Table:
    n = len(city.b_cell)
    names = np.array(city.compound_names, dtype=object)[city.b_compound]
    tab = ctext.Tables(int(city.b_number.max()) + 1)
    return Table("buildings.csv", ["楼栋编号", "楼栋地址", "经度", "纬度", "坐标系"], [
        [f"B{i + 1:06d}" for i in range(n)],
        ("北京市朝阳区" + names + tab.num[city.b_number] + "号楼").tolist(),
        fmt_coords(city.b_lon).tolist(), fmt_coords(city.b_lat).tolist(), ["wgs84"] * n,
    ], notes=[f"compounds: {len(city.compound_names)} (unique names), buildings per compound: "
              f"{np.bincount(city.b_compound).min()}-{int(city.b_number.max())}"])


# ----------------------------------------------------------------------------------------- households


@dataclass
class Households:
    table: Table
    points: Table
    building: Ints  # building index per household
    bad: Strs  # "" or a key of BAD_HOUSEHOLDS


def _label_mask(labels: Ints, label: str) -> npt.NDArray[np.bool_]:
    return (labels == ctext.GROUP_LABELS.index(label)).any(axis=1)


def make_households(rng: Rng, city: City, n: int) -> Households:
    """Households spread over the buildings' flats, in random id order, then 1% spoilt on purpose."""
    n_b = len(city.b_cell)
    n_flats = FLATS[0] * FLATS[1] * FLATS[2]
    per_building = split_evenly(rng, n, n_b, 0.7, 1.3)
    geo.require(per_building.max() <= 0.9 * n_flats, f"more than {int(0.9 * n_flats)} households in a building; "
                "give more --buildings")
    building = np.repeat(np.arange(n_b), per_building)
    keys = ctext._unique_draw(lambda i: building[i] * n_flats + rng.integers(0, n_flats, len(i)), n)
    perm = rng.permutation(n)
    building, flat = building[perm], (keys % n_flats)[perm]
    unit, rest = np.divmod(flat, FLATS[1] * FLATS[2])
    floor, door = np.divmod(rest, FLATS[2])
    unit, room = unit + 1, (floor + 1) * 100 + door + 1
    cell = city.b_cell[building]

    share = rng.uniform(*SPECIAL_SHARE, len(city.grids))
    special = rng.random(n) < share[cell]
    labels = np.full((n, 3), -1, dtype=np.int64)
    groups = np.full(n, "", dtype=object)
    labels[special], groups[special] = ctext.special_groups(rng, int(special.sum()))
    age_min, age_max = np.full(n, DEFAULT_AGES[0]), np.full(n, DEFAULT_AGES[1])
    for label, (lo, hi) in reversed(HEAD_AGES):
        has = _label_mask(labels, label)
        age_min[has], age_max[has] = lo, hi
    names = ctext.person_names(rng, n)
    ids = ctext.id_numbers(rng, age_min, age_max)
    phones = ctext.phones(rng, n)
    members = 1 + rng.choice(6, size=n, p=[0.20, 0.32, 0.26, 0.13, 0.06, 0.03])
    child = rng.integers(2, 5, n)
    couple = np.where(rng.random(n) < 0.8, 2, 1)
    for label, value in (("留守儿童", child), ("空巢老人", couple), ("独居老人", np.ones(n, dtype=np.int64))):
        has = _label_mask(labels, label)
        members[has] = value[has]

    style = 1 + rng.choice(8, size=n, p=txt.ADDRESS_STYLE_WEIGHTS)
    comp = city.b_compound[building]
    names_arr = np.array(city.compound_names, dtype=object)
    arabic_arr = np.array(city.compound_arabic, dtype=object)
    arabic = (rng.random(n) < ARABIC_SHARE) & (arabic_arr[comp] != names_arr[comp])
    compound_text = np.where(arabic, arabic_arr[comp], names_arr[comp])
    number = city.b_number[building]
    tab = ctext.Tables(max(int(number.max()) + 13, FLATS[1] * 100 + FLATS[2] + 1))
    address = ctext.flat_addresses(rng, tab, style, compound_text, number, unit, room)

    # Spoil distinct rows, one defect each.
    bad = np.full(n, "", dtype=object)
    picks = rng.permutation(n)
    n_bad = max(1, round(n * BAD_SHARE))
    canon = {ctext.canonical(c) for c in city.compound_names}
    top = np.bincount(city.b_compound, weights=None, minlength=len(city.compound_names))  # = highest number
    for k, kind in enumerate(BAD_HOUSEHOLDS):
        i = np.sort(picks[k * n_bad:(k + 1) * n_bad])
        bad[i] = kind
        if kind == "unknown_compound":  # the household's own base name with a section it does not have
            base = np.array(city.compound_base, dtype=object)[comp[i]]
            fake = base + tab.cn[rng.choice(np.array(ctext.FAKE_SECTIONS), len(i))] + "区"
            geo.require(not canon & {ctext.canonical(f) for f in fake.tolist()}, "a fake compound exists")
            address[i] = ctext.flat_addresses(rng, tab, style[i], fake, number[i], unit[i], room[i])
        elif kind == "unknown_building":
            wrong = top[comp[i]] + rng.integers(1, 12, len(i))
            address[i] = ctext.flat_addresses(rng, tab, style[i], compound_text[i], wrong, unit[i], room[i])
        elif kind == "blank_address":
            address[i] = np.where(rng.random(len(i)) < 0.3, " ", "").astype(object)
        elif kind == "bad_checksum":
            ids[i] = ctext.break_checksums(rng, ids[i])
        else:
            members[i] = 0

    hid = np.array([f"H{k + 1:07d}" for k in range(n)], dtype=object)
    members_text = tab.num[members]
    counts = np.bincount(style, minlength=9)[1:]
    spaced = sum(1 for a in address.tolist() if a.strip() and " " in a)
    notes = ["居住地址 styles: 1 C3号楼2单元501, 2 北京市朝阳区C3号楼2单元501, 3 朝阳区C3栋2门501室, "
             "4 C三号楼二(两)单元五零一, 5 C3#2-501, 6 C3-2-501, 7 C３号楼２单元５０１, 8 C3幢2单元501号 or C3座2单元501",
             f"rows per style 1-8: {', '.join(f'{s + 1}: {c}' for s, c in enumerate(counts.tolist()))}",
             f"addresses with stray spaces (inside or around): {spaced}",
             f"compound written with an Arabic section numeral (甘露园南里2区): {int(arabic.sum())}",
             f"households with any special group: {int(special.sum())}"]
    table = Table("households.csv", ["户编号", "居住地址", "户主姓名", "身份证号", "联系电话", "家庭人口", "人员类别"],
                  [hid.tolist(), address.tolist(), names.tolist(), ids.tolist(), phones.tolist(),
                   members_text.tolist(), groups.tolist()], encoding="gbk",
                  bad={kind: n_bad for kind in BAD_HOUSEHOLDS}, notes=notes)
    keep = ~np.isin(bad, ADDRESS_DEFECTS)
    points = Table("households_points.csv",
                   ["household_id", "lon", "lat", "address", "head_name", "id_number", "phone", "members", "groups"],
                   [hid[keep].tolist(), fmt_coords(city.b_lon[building[keep]]).tolist(),
                    fmt_coords(city.b_lat[building[keep]]).tolist(), address[keep].tolist(), names[keep].tolist(),
                    ids[keep].tolist(), phones[keep].tolist(), members_text[keep].tolist(), groups[keep].tolist()],
                   encoding="utf-8")
    return Households(table, points, building, bad)


# ----------------------------------------------------------------------------------------- complaints


def _pick_weighted(rng: Rng, n: int, weights: Floats) -> Ints:
    return rng.choice(len(weights), size=n, p=weights / weights.sum())


def _content(rng: Rng, category: Strs, number: Ints) -> Strs:
    """Work-order texts from the demo's templates (txt.complaint_text), sometimes naming a fictitious 王某."""
    n = len(category)
    room = (rng.integers(1, 19, n) * 100 + rng.integers(1, 5, n)).tolist()
    surname = np.array(list(txt.SURNAMES), dtype=object)[rng.integers(0, len(txt.SURNAMES), n)].tolist()
    pick = rng.random(n)
    out = np.empty(n, dtype=object)
    for cat, templates in txt.COMPLAINT_TEXTS.items():
        i = np.flatnonzero(category == cat)
        t = np.floor(pick[i] * len(templates)).astype(np.int64).tolist()
        nums = number[i].tolist()
        out[i] = [templates[k].format(b=nums[j], r=room[ii], s=surname[ii])
                  for j, (ii, k) in enumerate(zip(i.tolist(), t, strict=True))]
    return out


def make_complaints(rng: Rng, city: City, households: Households, n: int) -> tuple[Table, Table]:
    """A year of work orders: building-level addresses, 3% placed by gcj02 coordinates, 1% unplaceable."""
    n_unmatched = round(n * UNMATCHED_SHARE)
    n_vague = round(n * NO_LOCATION_SHARE)
    n_matched = n - n_unmatched - n_vague
    kind = np.concatenate([np.zeros(n_matched, np.int64), np.ones(n_unmatched, np.int64),
                           np.full(n_vague, 2, np.int64)])  # 0 building, 1 coordinates, 2 no location
    per_building = np.bincount(households.building, minlength=len(city.b_cell)).astype(float)
    building = np.full(n, -1, dtype=np.int64)
    building[kind == 0] = _pick_weighted(rng, n_matched, per_building)
    building[kind == 1] = rng.integers(0, len(city.b_cell), n_unmatched)

    # When: a day of the year, then a time of day by category.
    days = (CUTOFF - START).days + 1
    day = rng.integers(0, days, n)
    month = ((np.datetime64(START.date(), "D") + day.astype("m8[D]")).astype("M8[M]").astype(np.int64) % 12) + 1
    cats = np.array(list(CATEGORY_WEIGHTS), dtype=object)
    w_all = np.array(list(CATEGORY_WEIGHTS.values()))
    w_off = np.where(cats == "供暖", 0.0, w_all)
    category = np.where(np.isin(month, HEATING_MONTHS), cats[_pick_weighted(rng, n, w_all)],
                        cats[_pick_weighted(rng, n, w_off)])
    unmatched_cats = np.array(list(txt.UNMATCHED_TEXTS), dtype=object)
    odd = kind > 0
    category[odd] = unmatched_cats[rng.integers(0, len(unmatched_cats), int(odd.sum()))]
    noise = category == "噪音扰民"
    hour = np.where(noise, _pick_weighted(rng, n, NIGHT_HOURS + DAY_HOURS), _pick_weighted(rng, n, DAY_HOURS))
    received = day * 86400 + hour * 3600 + rng.integers(0, 60, n) * 60 + rng.integers(0, 60, n)

    # Where: building addresses; coordinates for the unmatched ones; vague text for the rest.
    tab = ctext.Tables(int(city.b_number.max()) + 1)
    names_arr = np.array(city.compound_names, dtype=object)
    arabic_arr = np.array(city.compound_arabic, dtype=object)
    address = np.full(n, "", dtype=object)
    content = np.full(n, "", dtype=object)
    i0 = np.flatnonzero(kind == 0)
    comp = city.b_compound[building[i0]]
    use_arabic = rng.random(len(i0)) < 0.05
    compound_text = np.where(use_arabic, arabic_arr[comp], names_arr[comp])
    address[i0] = ctext.building_addresses(rng, tab, compound_text, city.b_number[building[i0]])
    content[i0] = _content(rng, category[i0], city.b_number[building[i0]])
    i1 = np.flatnonzero(kind == 1)
    cell1 = city.b_cell[building[i1]]
    true_lon, true_lat = np.zeros(n), np.zeros(n)
    true_lon[i0], true_lat[i0] = city.b_lon[building[i0]], city.b_lat[building[i0]]
    true_lon[i1], true_lat[i1] = geo.random_points(rng, city.grids, cell1)
    places = np.array(txt.UNMATCHED_PLACES, dtype=object)
    address[i1] = names_arr[city.b_compound[building[i1]]] + places[rng.integers(0, len(places), len(i1))]
    content[i1] = [txt.UNMATCHED_TEXTS[c].format(p=p) for c, p in zip(category[i1].tolist(), address[i1].tolist(),
                                                                       strict=True)]
    glon, glat = geo.to_gcj02(true_lon[i1], true_lat[i1])
    lon_text, lat_text, crs_text = (np.full(n, "", dtype=object) for _ in range(3))
    lon_text[i1], lat_text[i1], crs_text[i1] = fmt_coords(glon), fmt_coords(glat), "gcj02"
    i2 = np.flatnonzero(kind == 2)
    stems = np.array(ctext.STEMS, dtype=object)[rng.integers(0, len(ctext.STEMS), len(i2))].tolist()
    vague = rng.integers(0, len(VAGUE_ADDRESSES), len(i2)).tolist()
    address[i2] = [VAGUE_ADDRESSES[v].format(stem=s) for v, s in zip(vague, stems, strict=True)]
    content[i2] = [txt.UNMATCHED_TEXTS[c].format(p="小区内") for c in category[i2].tolist()]

    # Outcome as known at CUTOFF (as _demo_events._outcome), slower in a few grids.
    slow_grid = np.where(rng.random(len(city.grids)) < SLOW_GRIDS, rng.uniform(1.2, 1.8, len(city.grids)), 1.0)
    cell = np.where(building >= 0, city.b_cell[np.maximum(building, 0)], -1)
    slow = np.where(cell >= 0, slow_grid[np.maximum(cell, 0)], 1.0)
    minutes = np.clip(rng.lognormal(np.log(75.0), 0.75, n) * slow, 10.0, 360.0)
    end = int((CUTOFF - START).total_seconds())
    responded = received + np.round(np.round(minutes, 1) * 60).astype(np.int64)
    no_response = (rng.random(n) < 0.03) | (responded > end)
    closed = np.where(no_response, received, responded) + np.floor(rng.uniform(4.0, 240.0, n) * 3600).astype(np.int64)
    open_ = (closed > end) | (rng.random(n) < 0.02)
    resolved = np.array(["是", "否", ""], dtype=object)[rng.choice(3, size=n, p=[0.82, 0.13, 0.05])]
    sat_p = {"是": [0.65, 0.20, 0.05, 0.10], "否": [0.05, 0.15, 0.65, 0.15], "": [0.05, 0.05, 0.05, 0.85]}
    sat_labels = np.array(["满意", "基本满意", "不满意", ""], dtype=object)
    draw = rng.random(n)
    satisfied = np.empty(n, dtype=object)
    for value, p in sat_p.items():
        i = resolved == value
        satisfied[i] = sat_labels[np.minimum(np.searchsorted(np.cumsum(p), draw[i], side="right"), 3)]
    resolved[open_], satisfied[open_] = "", ""

    # Ticket ids: a city-wide daily sequence, increasing within the day in time order.
    order = np.lexsort((np.arange(n), received))
    day_sorted = received[order] // 86400
    step = rng.integers(1, 41, n)
    total = np.cumsum(step)
    starts = np.r_[0, np.flatnonzero(np.diff(day_sorted)) + 1]
    before = np.repeat(np.r_[0, total[starts[1:] - 1]], np.diff(np.r_[starts, n]))
    seq = total - before
    day_text = [f"{START.date() + dt.timedelta(days=d):%Y%m%d}" for d in range(days)]
    ticket = np.array([f"GD{day_text[d]}{s:06d}" for d, s in zip(day_sorted.tolist(), seq.tolist(), strict=True)],
                      dtype=object)

    cols = {
        "ticket": ticket, "received": fmt_times(received[order]), "category": category[order],
        "content": content[order], "address": address[order],
        "responded": fmt_times(responded[order], no_response[order]),
        "closed": fmt_times(closed[order], open_[order]), "resolved": resolved[order],
        "satisfied": satisfied[order], "lon": lon_text[order], "lat": lat_text[order], "crs": crs_text[order],
    }
    table = Table("complaints.csv", ["工单编号", "受理时间", "诉求类别", "诉求内容", "诉求地址", "响应时间", "办结时间",
                                     "是否解决", "满意度", "经度", "纬度", "坐标系"],
                  [cols[k].tolist() for k in cols], bad={"no_location": n_vague},
                  notes=[f"address matches no building but 经度/纬度 given (gcj02): {n_unmatched}",
                         f"grids whose first response is 1.2-1.8 times slower: {int((slow_grid > 1).sum())}"])
    keep = kind[order] < 2
    points = Table("complaints_points.csv",
                   ["ticket_id", "lon", "lat", "received_at", "category", "content", "address", "responded_at",
                    "resolved_at", "resolved", "satisfied"],
                   [cols["ticket"][keep].tolist(), fmt_coords(true_lon[order][keep]).tolist(),
                    fmt_coords(true_lat[order][keep]).tolist()]
                   + [cols[k][keep].tolist() for k in ("received", "category", "content", "address", "responded",
                                                        "closed", "resolved", "satisfied")],
                   encoding="utf-8")
    return table, points


# -------------------------------------------------------------------------------------------- writing


def write_table(t: Table, path: Path, *, crlf: bool = True) -> None:
    with path.open("w", encoding=t.encoding, newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n" if crlf else "\n")
        writer.writerow(t.header)
        writer.writerows(zip(*t.columns, strict=True))


def readme(args: argparse.Namespace, city: City, tables: list[Table]) -> str:
    west, south, east, north = shapely.total_bounds(city.grids.polygons)
    cmd = ("`.venv/bin/python bench/make_city.py --out <this folder> "
           f"--households {args.households} --complaints {args.complaints} --buildings {args.buildings} "
           f"--grids-x {args.grids_x} --grids-y {args.grids_y}`")
    lines = [
        "# Synthetic city: benchmark data for gridgov load", "",
        "**Everything in this folder is synthetic.** It was generated by `bench/make_city.py` "
        f"(seed {SEED}) with {cmd}, from the repository root; rerunning that writes byte-identical files. "
        "The people, names, ID numbers, phone numbers and complaint texts are fictitious; ID numbers are random "
        "digits with a valid GB 11643 check character, phone numbers are random digits behind common mobile "
        "prefixes. Any resemblance to real persons is coincidental. The area "
        f"(lon {west:.2f}-{east:.2f}, lat {south:.2f}-{north:.2f}, WGS-84) is in Beijing; the grids, "
        "communities, compounds, buildings and all records are invented.", "",
        f"Grids: {len(city.grids)} (real-like boundaries of geodata/boundaries.py, about "
        f"{geo.VERTICES_PER_GRID} vertices each, neighbours overlapping and missing each other in slivers) in "
        f"{city.grids.n_communities} communities of {city.grids.n_streets} streets (街道, "
        f"{geo.COMMUNITIES_PER_STREET} communities each; grids.geojson has 街道, 街道代码, 社区代码); "
        f"compounds: {len(city.compound_names)}; "
        f"buildings: {len(city.b_cell)}.", "",
        "| file | encoding | rows | deliberately bad rows |", "|---|---|---|---|",
        f"| grids.geojson | UTF-8 (RFC 7946, WGS-84) | {len(city.grids)} | 0 |",
    ]
    for t in tables:
        enc = "GBK" if t.encoding == "gbk" else "UTF-8 with BOM"
        lines.append(f"| {t.name} | {enc}, CRLF | {t.rows} | {sum(t.bad.values())} |")
    lines += ["", "## Deliberately bad rows (each should end in quarantine)", "",
              "| file | kind | rows |", "|---|---|---|"]
    for t in tables:
        lines += [f"| {t.name} | {BAD_LABELS[k]} | {n} |" for k, n in sorted(t.bad.items())]
    lines += ["", "## What else is in the files", ""]
    for t in tables:
        lines += [f"- {t.name}: {note}" for note in t.notes]
    lines += ["", "## baseline/ (not loaded by `gridgov load`: a subfolder)", "",
              "- `households_points.csv`, `complaints_points.csv`: the same records already geocoded (UTF-8, "
              "English columns, `lon`/`lat` WGS-84: the true building point, or for work orders given by gcj02 "
              "coordinates the true point). Rows a geocoder could not place are left out: households whose "
              f"address is spoilt ({', '.join(ADDRESS_DEFECTS)}) and work orders without a location. "
              "Rows with a bad ID checksum or 0 members are kept: the baseline does not validate.",
              "- `expected.json`: the counts the generator knows, for the benchmark's checks."]
    return "\n".join(lines) + "\n"


def expected(args: argparse.Namespace, city: City, tables: list[Table], points: list[Table]) -> str:
    files: dict[str, dict[str, object]] = {"grids.geojson": {"rows": len(city.grids), "bad": {}}}
    for t in tables:
        files[t.name] = {"rows": t.rows, "bad": dict(sorted(t.bad.items())), "loadable": t.rows - sum(t.bad.values())}
    doc = {
        "generator": "bench/make_city.py", "seed": SEED,
        "args": {k: getattr(args, k) for k in DEFAULTS},
        "communities": city.grids.n_communities, "streets": city.grids.n_streets,
        "compounds": len(city.compound_names),
        "boundaries": f"real-like, geodata/boundaries.py, about {geo.VERTICES_PER_GRID} vertices per grid",
        "files": files, "baseline": {p.name: p.rows for p in points},
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def generate(args: argparse.Namespace) -> None:
    out: Path = args.out
    (out / "baseline").mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()

    def step(what: str) -> None:
        print(f"  {time.perf_counter() - t0:6.1f} s  {what}", file=sys.stderr, flush=True)

    city = make_city(args.grids_x, args.grids_y, args.buildings)
    (out / "grids.geojson").write_text(grids_geojson(city), encoding="utf-8", newline="\n")
    buildings = buildings_table(city)
    write_table(buildings, out / "buildings.csv")
    step(f"grids ({len(city.grids)}) and buildings ({buildings.rows})")

    hh = make_households(rng_for("households"), city, args.households)
    step("households generated")
    write_table(hh.table, out / "households.csv")
    write_table(hh.points, out / "baseline" / "households_points.csv", crlf=False)
    step("households written")
    tables, points = [buildings, hh.table], [hh.points]
    hh.table.release()
    hh.points.release()

    complaints, c_points = make_complaints(rng_for("complaints"), city, hh, args.complaints)
    step("complaints generated")
    write_table(complaints, out / "complaints.csv")
    write_table(c_points, out / "baseline" / "complaints_points.csv", crlf=False)
    complaints.release()
    c_points.release()
    step("complaints written")
    tables.append(complaints)
    points.append(c_points)
    (out / "README.md").write_text(readme(args, city, tables), encoding="utf-8", newline="\n")
    (out / "baseline" / "expected.json").write_text(expected(args, city, tables, points), encoding="utf-8",
                                                     newline="\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the synthetic city-scale benchmark dataset.")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "city")
    parser.add_argument("--households", type=int, default=DEFAULTS["households"])
    parser.add_argument("--complaints", type=int, default=DEFAULTS["complaints"])
    parser.add_argument("--buildings", type=int, default=DEFAULTS["buildings"])
    parser.add_argument("--grids-x", type=int, default=DEFAULTS["grids_x"])
    parser.add_argument("--grids-y", type=int, default=DEFAULTS["grids_y"])
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    generate(args)
    print(f"wrote {args.out} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
