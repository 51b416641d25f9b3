"""The committed synthetic demo community (geodata/demo) is reproducible and well-formed, and the generator,
made as of another day, gives a community whose year of records ends on that day."""

from __future__ import annotations

import csv
import importlib
import io
import json
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import combinations
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import shapely
from shapely.geometry import Point, Polygon, shape

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "geodata"))
from _demo_geo import metres_per_degree

REPO = Path(__file__).resolve().parents[1]
GENERATOR = REPO / "geodata" / "make_demo.py"
DEMO = REPO / "geodata" / "demo"
DEMO_AS_OF = "2026-10-31"  # the day the committed copy is made as of
ADDRESS_DEFECTS = ("unknown_compound", "unknown_building", "blank_address")
HOUSEHOLD_HEADER = ["户编号", "居住地址", "户主姓名", "身份证号", "联系电话", "家庭人口", "人员类别"]


def read_rows(name: str, encoding: str = "utf-8-sig", folder: Path = DEMO) -> list[dict[str, str]]:
    with (folder / name).open(encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def grid_features() -> list[dict[str, Any]]:
    doc = json.loads((DEMO / "grids.geojson").read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    return list(doc["features"])


def grid_polygons(community: str | None = None) -> list[Polygon]:
    """The grids of one community (社区名称), or of the whole street."""
    return [shape(f["geometry"]) for f in grid_features() if community in (None, f["properties"]["社区名称"])]


def in_metres(poly: Polygon) -> Polygon:
    kx, ky = metres_per_degree(39.9245)
    return shapely.transform(poly, lambda xy: xy * [kx, ky])


def generator() -> ModuleType:
    """geodata/make_demo.py as a module (it imports its helpers from its own folder)."""
    sys.path.insert(0, str(GENERATOR.parent))
    try:
        return importlib.import_module("make_demo")
    finally:
        sys.path.remove(str(GENERATOR.parent))


_CN = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ADDRESS = re.compile(r"((?:甘露园|晨光)[东南西北中]?里(?:[一二三四五六七八九\d]区)?)([一二三四五六七八九十两\d]+)(?:号楼|栋|幢|座|#|-)")


def _numeral(text: str) -> int:
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN[tens] if tens else 1) * 10 + (_CN[ones] if ones else 0)
    return int("".join(str(_CN[c]) for c in text))


def compound_and_building(address: str) -> tuple[str, int] | None:
    """A deliberately small reading of the demo's spellings, independent of etl.address."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", address))
    text = re.sub(r"^(?:北京市)?(?:朝阳区)?", "", text)
    m = _ADDRESS.match(text)
    if not m:
        return None
    compound = re.sub(r"\d", lambda d: "零一二三四五六七八九"[int(d.group())], m.group(1))
    return compound, _numeral(m.group(2))


@pytest.fixture(scope="module")
def truth() -> dict[str, str]:
    """Household id -> the defect the generator gave it ("" for a good row)."""
    return {h.hid: h.bad for h in generator().build_demo(date.fromisoformat(DEMO_AS_OF)).households}


def test_generator_reproduces_the_committed_files_byte_for_byte(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(GENERATOR), "--as-of", DEMO_AS_OF, "--out", str(tmp_path)], check=True,
                   cwd=REPO, capture_output=True)
    committed = sorted(p.name for p in DEMO.iterdir() if p.is_file())
    assert committed == sorted(p.name for p in tmp_path.iterdir())
    for name in committed:
        assert (tmp_path / name).read_bytes() == (DEMO / name).read_bytes(), (
            f"{name}: rerun geodata/make_demo.py --as-of {DEMO_AS_OF} --out geodata/demo")


def test_every_grid_carries_its_street_and_community_codes() -> None:
    found = {(f["properties"]["社区名称"], f["properties"]["社区代码"], f["properties"]["街道"], f["properties"]["街道代码"])
             for f in grid_features()}
    assert found == {("甘露园南里社区", "110105018013", "八里庄街道", "110105018"),
                     ("晨光里社区", "110105018014", "八里庄街道", "110105018")}
    assert all(f["properties"]["网格编码"].startswith(f["properties"]["社区代码"] + "-") for f in grid_features())


def test_the_first_communitys_grids_tile_it_without_gaps_or_overlaps() -> None:
    cells = grid_polygons("甘露园南里社区")
    assert len(cells) == 10
    assert all(c.is_valid and c.exterior.is_ccw for c in cells)
    union = shapely.union_all(cells)
    assert union.geom_type == "Polygon" and not union.interiors  # one piece, no holes: no gaps
    assert union.area == pytest.approx(sum(c.area for c in cells), rel=1e-12)
    for a, b in combinations(cells, 2):
        assert a.intersection(b).area == 0.0


def test_the_second_community_is_drawn_as_offices_draw_it() -> None:
    """Six grids whose shared edges were digitised twice: slivers of overlap small enough for the load to repair
    (under 500 m² and 1% of a grid), one of them with a park in no grid; none of it inside the first community."""
    cells = [in_metres(c) for c in grid_polygons("晨光里社区")]
    first = in_metres(shapely.union_all(grid_polygons("甘露园南里社区")))
    assert len(cells) == 6 and all(c.is_valid for c in cells)
    assert sum(len(c.interiors) for c in cells) == 1  # the park
    slivers = [p.area for a, b in combinations([*cells, first], 2) for p in shapely.get_parts(a.intersection(b))
               if p.area > 0]
    assert slivers and max(slivers) < min(500.0, 0.01 * min(c.area for c in cells))
    assert shapely.union_all(cells).intersection(first).area < 0.002 * first.area


def test_every_building_is_inside_exactly_one_grid() -> None:
    cells = grid_polygons()
    for row in read_rows("buildings.csv"):
        p = Point(float(row["经度"]), float(row["纬度"]))
        assert sum(c.contains(p) for c in cells) == 1, row


def test_households_are_gbk_not_utf8() -> None:
    raw = (DEMO / "households.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    header = next(csv.reader(io.StringIO(raw.decode("gbk"))))
    assert header == HOUSEHOLD_HEADER


def test_good_households_name_a_gazetteer_building_and_bad_ones_do_not(truth: dict[str, str]) -> None:
    gazetteer = {compound_and_building(r["楼栋地址"]) for r in read_rows("buildings.csv")}
    assert None not in gazetteer and len(gazetteer) == len(read_rows("buildings.csv"))
    rows = read_rows("households.csv", encoding="gbk")
    assert [r["户编号"] for r in rows] == sorted(truth)
    unresolved: Counter[str] = Counter()
    for r in rows:
        bad = truth[r["户编号"]]
        if compound_and_building(r["居住地址"]) not in gazetteer:
            unresolved[bad] += 1
        elif bad in ADDRESS_DEFECTS:
            pytest.fail(f"spoilt address resolves: {r}")
    spoilt = Counter(bad for bad in truth.values() if bad in ADDRESS_DEFECTS)
    assert set(spoilt) == set(ADDRESS_DEFECTS) and all(n >= 5 for n in spoilt.values())
    assert unresolved == spoilt  # no good row is among the unresolved


def test_visits_name_only_good_households(truth: dict[str, str]) -> None:
    good = {hid for hid, bad in truth.items() if not bad}
    assert {r["户编号"] for r in read_rows("visits.csv")} <= good


# --- the demo made as of another day (`make demo` and the Docker image make it as of the day they run) ---

# as-of day -> the first day of its year of records
AS_OF = {
    "2027-03-15": "2026-03-16",  # mid-month: the first and the current month are partial
    "2028-02-29": "2027-03-01",  # a leap day, the last of its month: 12 calendar months
    "2030-01-01": "2029-01-02",  # the first of a month: one day of it has passed
}


@dataclass(frozen=True)
class Dated:
    as_of: date
    first_day: date
    folder: Path
    due: frozenset[str]  # households due a visit every month (六必访), deliberately bad rows left out


@pytest.fixture(scope="module", params=sorted(AS_OF))
def dated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Dated:
    make_demo = generator()
    as_of = date.fromisoformat(request.param)
    folder = tmp_path_factory.mktemp(f"demo-{request.param}")
    demo = make_demo.build_demo(as_of)
    make_demo.write_demo(demo, folder)
    due = frozenset(h.hid for h in demo.households if not h.bad and set(h.groups) & set(make_demo.txt.VISIT_DUE))
    return Dated(as_of, date.fromisoformat(AS_OF[request.param]), folder, due)


def _times(d: Dated, name: str, *columns: str) -> list[datetime]:
    return [datetime.fromisoformat(r[c]) for r in read_rows(name, folder=d.folder) for c in columns if r[c]]


def test_dated_demo_is_the_year_ending_on_as_of(dated: Dated) -> None:
    """Nothing after the end of as_of nor before its year; each source's newest record is a few days old."""
    first, end = datetime.combine(dated.first_day, datetime.min.time()), datetime.combine(dated.as_of, datetime.max.time())
    newest_age = {"complaints.csv": 1, "visits.csv": 3, "hazards.csv": 7}  # days; visits are on working days
    for name, columns in (("complaints.csv", ("受理时间", "响应时间", "办结时间")),
                          ("hazards.csv", ("发现时间", "整改完成时间")), ("visits.csv", ("走访时间",))):
        times = _times(dated, name, *columns)
        assert first <= min(times) and max(times) <= end, name
        assert min(_times(dated, name, columns[0])).date() - dated.first_day <= timedelta(days=3), name
        assert dated.as_of - max(_times(dated, name, columns[0])).date() <= timedelta(days=newest_age[name]), name


def test_dated_demo_complaints_this_week_some_still_open(dated: Dated) -> None:
    rows = read_rows("complaints.csv", folder=dated.folder)
    recent = [r for r in rows if dated.as_of - date.fromisoformat(r["受理时间"][:10]) < timedelta(days=7)]
    assert len(recent) >= 20  # about 5 a day
    assert any(not r["办结时间"] for r in recent) and any(r["办结时间"] for r in recent)
    month = [r for r in rows if dated.as_of - date.fromisoformat(r["受理时间"][:10]) < timedelta(days=30)]
    assert sum(1 for r in month if r["满意度"]) >= 50  # the wall's 30-day rates have a base


def test_dated_demo_hazards_some_overdue_some_not_yet(dated: Dated) -> None:
    still_open = [r for r in read_rows("hazards.csv", folder=dated.folder) if r["状态"] != "已整改"]
    overdue = [r for r in still_open if date.fromisoformat(r["整改期限"]) < dated.as_of]
    assert overdue and len(overdue) < len(still_open)


def test_dated_demo_visits_few_overdue(dated: Dated) -> None:
    """As the visits layer counts: due this month, visited in it up to as_of, overdue when last month had none."""
    this_month = dated.as_of.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    visited: dict[bool, set[str]] = {True: set(), False: set()}
    for r in read_rows("visits.csv", folder=dated.folder):
        day = date.fromisoformat(r["走访时间"][:10])
        if day >= last_month:
            visited[day >= this_month].add(r["户编号"])
    still_due = dated.due - visited[True]
    overdue = still_due - visited[False]
    assert len(dated.due) > 300
    assert visited[True] & dated.due and still_due  # the month is under way (as of its 1st: a few visits)
    assert len(overdue) < 0.25 * len(dated.due)


def test_dated_demo_clusters_rise_up_to_as_of(dated: Dated) -> None:
    """The README's rising clusters (噪音扰民 in grid 013-003, 停车管理 in 013-006, and in the second community
    环境卫生 in 014-005) rise over the last months before as_of."""
    cells = {f["properties"]["网格编码"]: shape(f["geometry"]) for f in
             json.loads((dated.folder / "grids.geojson").read_text(encoding="utf-8"))["features"]}
    grid_of = {compound_and_building(r["楼栋地址"]): next(code for code, c in cells.items()
                                                           if c.contains(Point(float(r["经度"]), float(r["纬度"]))))
               for r in read_rows("buildings.csv", folder=dated.folder)}
    rows = read_rows("complaints.csv", folder=dated.folder)
    for category, grid in (("噪音扰民", "110105018013-003"), ("停车管理", "110105018013-006"),
                           ("环境卫生", "110105018014-005")):
        per_30_days = [0] * 5  # newest first
        for r in rows:
            k = (dated.as_of - date.fromisoformat(r["受理时间"][:10])).days // 30
            if r["诉求类别"] == category and k < 5 and grid_of.get(compound_and_building(r["诉求地址"])) == grid:
                per_30_days[k] += 1
        assert per_30_days[0] > per_30_days[1] > per_30_days[2] > per_30_days[4], (category, per_30_days)
