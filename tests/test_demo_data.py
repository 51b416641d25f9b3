"""The committed synthetic demo community (geodata/demo) is reproducible and well-formed."""

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
from itertools import combinations
from pathlib import Path

import pytest
import shapely
from shapely.geometry import Point, Polygon, shape

REPO = Path(__file__).resolve().parents[1]
GENERATOR = REPO / "geodata" / "make_demo.py"
DEMO = REPO / "geodata" / "demo"
ADDRESS_DEFECTS = ("unknown_compound", "unknown_building", "blank_address")
HOUSEHOLD_HEADER = ["户编号", "居住地址", "户主姓名", "身份证号", "联系电话", "家庭人口", "人员类别"]


def read_rows(name: str, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    with (DEMO / name).open(encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def grid_polygons() -> list[Polygon]:
    doc = json.loads((DEMO / "grids.geojson").read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    return [shape(f["geometry"]) for f in doc["features"]]


_CN = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ADDRESS = re.compile(r"(甘露园[东南西北中]里(?:[一二三四五六七八九\d]区)?)([一二三四五六七八九十两\d]+)(?:号楼|栋|幢|座|#|-)")


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
    sys.path.insert(0, str(GENERATOR.parent))
    try:
        make_demo = importlib.import_module("make_demo")
    finally:
        sys.path.remove(str(GENERATOR.parent))
    return {h.hid: h.bad for h in make_demo.build_demo().households}


def test_generator_reproduces_the_committed_files_byte_for_byte(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(tmp_path)], check=True, cwd=REPO,
                   capture_output=True)
    committed = sorted(p.name for p in DEMO.iterdir() if p.is_file())
    assert committed == sorted(p.name for p in tmp_path.iterdir())
    for name in committed:
        assert (tmp_path / name).read_bytes() == (DEMO / name).read_bytes(), f"{name}: rerun geodata/make_demo.py"


def test_grids_tile_the_community_without_gaps_or_overlaps() -> None:
    cells = grid_polygons()
    assert len(cells) == 10
    assert all(c.is_valid and c.exterior.is_ccw for c in cells)
    union = shapely.union_all(cells)
    assert union.geom_type == "Polygon" and not union.interiors  # one piece, no holes: no gaps
    assert union.area == pytest.approx(sum(c.area for c in cells), rel=1e-12)
    for a, b in combinations(cells, 2):
        assert a.intersection(b).area == 0.0


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
