"""The loading rules one by one: files refused whole, corrections, the table geocoder, and the cell parsers."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import psycopg
import pytest
from community import CLOCK
from conftest import fresh_database

from etl import values
from etl.datasets import DATASETS
from etl.folder import plan
from etl.geocoders import TableGeocoder, from_setting
from etl.gridproblems import GridRules
from etl.load import load_file
from etl.quarantine import rows
from etl.readers import detect_encoding
from gridgov.coords import wgs84_to_gcj02
from gridgov.errors import InputError, SetupError

FIXTURES = Path(__file__).resolve().parent / "fixtures"
COMMUNITY = FIXTURES / "community"
MESSY = FIXTURES / "messy"
BAD = FIXTURES / "messy_bad"
BAD_GRIDS: dict[str, dict[str, Any]] = json.loads((BAD / "expected_bad.json").read_text(encoding="utf-8"))
TZ = ZoneInfo("Asia/Shanghai")
# The contract's vocabularies (hazards 等级 and 状态); end to end they are exercised by the messy hazards_log.xlsx.
SEVERITY = {"一般": "low", "较大": "medium", "重大": "high"}
STATUS = {"待整改": "open", "整改中": "in_progress", "已整改": "closed"}
TABLES = ("load_runs", "grids", "buildings", "households", "facilities", "complaints", "hazards", "visits",
          "quarantine")


def load_community(conn: psycopg.Connection) -> None:
    todo, _ = plan(COMMUNITY)
    for s in todo:
        load_file(conn, s.path, s.dataset, mapping=s.mapping, clock=CLOCK)
    conn.commit()


def snapshot(conn: psycopg.Connection) -> dict[str, list[tuple[Any, ...]]]:
    return {t: conn.execute(f"SELECT xmin::text, * FROM {t} ORDER BY 2").fetchall() for t in TABLES}


# -- files refused whole -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def community_url(server_url: str, template_db: str) -> Iterator[str]:
    """One database with the community fixture loaded, for the tests whose loads must change nothing."""
    with fresh_database(server_url, template_db, f"gridgov_rules_{os.getpid()}") as url:
        with psycopg.connect(url) as c:
            load_community(c)
        yield url


@pytest.fixture
def cconn(community_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(community_url) as c:
        yield c
        c.rollback()


def refused(conn: psycopg.Connection, path: Path, dataset: str, *, grid_rules: GridRules | None = None) -> str:
    """Load a file that must be refused whole; the error's message, once checked that no row changed."""
    before = snapshot(conn)
    conn.commit()
    with pytest.raises(InputError) as info:
        load_file(conn, path, DATASETS[dataset], grid_rules=grid_rules, clock=CLOCK)
    conn.rollback()
    assert snapshot(conn) == before
    assert before["grids"] and before["households"]  # 'before' is not empty: nothing was lost either
    return str(info.value)


@pytest.mark.parametrize(("name", "words"), [
    ("grids_overlap.geojson", ["grids T-001 and T-002 overlap by"]),
    ("grids_gap.geojson", ["gap of", "between the grids of 测试社区"]),
    ("grids_bowtie.geojson", ["feature 2 (grid T-002) is not a valid polygon: Self-intersection around"]),
])
def test_bad_grid_file_is_refused_whole_saying_what_and_where(
    cconn: psycopg.Connection, name: str, words: list[str]
) -> None:
    # --strict: any problem refuses the file (by default the gap is a warning and the bow-tie is repaired:
    # tests/test_etl_boundaries.py)
    message = refused(cconn, BAD / name, "grids", grid_rules=STRICT)
    assert message.startswith(f"{name}: the grids do not tile their community; nothing was loaded")
    for w in words:
        assert w in message
    where = BAD_GRIDS[name]
    numbers = [float(n) for n in re.findall(r"\d{2,3}\.\d+", message)]
    assert any(abs(n - where["lon"]) < 2e-4 for n in numbers), message
    assert any(abs(n - where["lat"]) < 2e-4 for n in numbers), message


STRICT = GridRules(strict=True)
_LOCATION = re.compile(r"(\d{2,3}\.\d{6}), (\d{1,2}\.\d{6})")


@pytest.mark.parametrize("name", [
    "grids_overlap.geojson",
    "grids_gap.geojson",
    "grids_bowtie.geojson",
])
def test_bad_grid_location_is_lon_lat_with_6_decimals(cconn: psycopg.Connection, name: str) -> None:
    message = refused(cconn, BAD / name, "grids", grid_rules=STRICT)
    where = BAD_GRIDS[name]
    found = [(float(x), float(y)) for x, y in _LOCATION.findall(message)]
    assert any(abs(x - where["lon"]) < 2e-4 and abs(y - where["lat"]) < 2e-4 for x, y in found), message


@pytest.mark.parametrize(("name", "dataset"), [("households_utf16.csv", "households"),
                                               ("complaints_random.csv", "complaints")])
def test_undecidable_encoding_is_a_clear_error_and_changes_nothing(
    cconn: psycopg.Connection, name: str, dataset: str
) -> None:
    message = refused(cconn, BAD / name, dataset)
    assert message.startswith(f"{name}: cannot tell the text encoding: it is neither UTF-8 nor GBK/GB18030")


def test_encoding_detected_from_bytes_not_name(tmp_path: Path) -> None:
    text = "户编号,地址\nH1,测试小区一区1号楼\n"
    for enc, expected in [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("utf-16", "utf-16")]:
        path = tmp_path / f"households_{enc}_named_gbk.csv"
        path.write_bytes(text.encode(enc))
        assert detect_encoding(path) == expected


# -- corrections -------------------------------------------------------------------------------------------------
def test_corrected_file_updates_exactly_the_changed_rows(conn: psycopg.Connection, tmp_path: Path) -> None:
    for name in ("grids_a.gpkg", "buildings.csv", "buildings_points.geojson", "households_custom.csv"):
        todo, _ = plan(MESSY / name)
        load_file(conn, todo[0].path, todo[0].dataset, mapping=todo[0].mapping, clock=CLOCK)
    conn.commit()
    assert [r.raw["HH编码"] for r in rows(conn, source_file="households_custom.csv")] == ["K03"]
    before: dict[str, str] = dict(conn.execute("SELECT household_id, xmin::text FROM households").fetchall())

    folder = tmp_path / "corrected"
    folder.mkdir()
    shutil.copy(MESSY / "households_custom.csv.columns.json", folder)
    text = (MESSY / "households_custom.csv").read_text(encoding="utf-8")
    text = text.replace("K02,测试小区二区1号楼1单元102,葛二,2,", "K02,测试小区二区1号楼1单元102,葛二,3,")  # members
    text = text.replace(",12345,", ",13600136001,")  # the clerk fixes K03's phone
    (folder / "households_custom.csv").write_text(text, encoding="utf-8")
    todo, _ = plan(folder / "households_custom.csv")
    result = load_file(conn, todo[0].path, todo[0].dataset, mapping=todo[0].mapping, clock=CLOCK)
    conn.commit()

    assert (result.inserted, result.updated, result.unchanged, sum(result.quarantined.values())) == (1, 1, 2, 0)
    after: dict[str, str] = dict(conn.execute("SELECT household_id, xmin::text FROM households").fetchall())
    assert set(after) == {*before, "K03"}
    assert {k for k in before if after[k] != before[k]} == {"K02"}
    assert conn.execute("SELECT members FROM households WHERE household_id = 'K02'").fetchone() == (3,)
    assert conn.execute("SELECT phone, grid_code FROM households WHERE household_id = 'K03'").fetchone() == (
        "13600136001", "T-001")
    assert rows(conn, source_file="households_custom.csv") == []  # the fixed row left quarantine


def test_mapping_file_naming_an_unknown_field_is_refused(tmp_path: Path) -> None:
    shutil.copy(MESSY / "households_custom.csv", tmp_path)
    (tmp_path / "households_custom.csv.columns.json").write_text('{"HH编码": "household_no"}', encoding="utf-8")
    with pytest.raises(InputError, match="'household_no' is not a households column"):
        plan(tmp_path)


# -- the optional table geocoder -------------------------------------------------------------------------------
def test_table_geocoder_places_an_address_the_gazetteer_does_not_know(conn: psycopg.Connection, tmp_path: Path) -> None:
    load_community(conn)
    glon, glat = (float(v[0]) for v in wgs84_to_gcj02(np.array([116.5015]), np.array([39.9207])))
    table = tmp_path / "geocoded.csv"
    table.write_bytes(f"地址,经度,纬度,坐标系\n测试社区居委会平房,{glon:.7f},{glat:.7f},高德\n".encode("gbk"))
    geocoder = from_setting(f"table:{table}")
    assert isinstance(geocoder, TableGeocoder)
    households = tmp_path / "households_extra.csv"
    households.write_text(
        "户编号,地址\nN1,测试社区居委会平房\nN2,测试小区九区1号楼1单元101\nN3,测试小区二区2号楼1单元101\n", encoding="utf-8"
    )
    result = load_file(conn, households, DATASETS["households"], geocoder=geocoder, clock=CLOCK)
    assert (result.inserted, sum(result.quarantined.values())) == (2, 1)
    placed = {r[0]: r[1:] for r in conn.execute(
        "SELECT household_id, grid_code, geocoded_by, round(ST_X(geom)::numeric, 6), round(ST_Y(geom)::numeric, 6) "
        "FROM households WHERE household_id LIKE 'N%'")}
    assert placed["N1"][:2] == ("T-002", "geocoder (table)")
    assert (float(placed["N1"][2]), float(placed["N1"][3])) == pytest.approx((116.5015, 39.9207), abs=2e-6)
    assert placed["N3"][1] == "gazetteer"  # the gazetteer is asked first
    assert [r.reason for r in rows(conn, source_file="households_extra.csv")] == [
        "address matched no building: 测试小区九区1号楼1单元101"
    ]


def test_geocoder_setting() -> None:
    assert from_setting("") is None
    with pytest.raises(SetupError, match="does not exist"):
        from_setting("table:/nonexistent/geocoded.csv")
    with pytest.raises(SetupError, match="unknown geocoder"):
        from_setting("no-such-plugin")


# -- cell values -------------------------------------------------------------------------------------------------
def _at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=TZ)


@pytest.mark.parametrize(("raw", "expected"), [
    ("2024-03-05 14:30", _at(2024, 3, 5, 14, 30)),
    ("2024-03-05 14:30:15", _at(2024, 3, 5, 14, 30, 15)),
    ("2024-03-05T14:30:00", _at(2024, 3, 5, 14, 30)),
    ("2024/3/5", _at(2024, 3, 5)),
    ("2024/03/05 9:05", _at(2024, 3, 5, 9, 5)),
    ("2024.3.5", _at(2024, 3, 5)),
    ("2024年3月5日", _at(2024, 3, 5)),
    ("2024年3月5日 14:30", _at(2024, 3, 5, 14, 30)),
    ("２０２４年３月５日", _at(2024, 3, 5)),  # full-width digits
    ("20240305", _at(2024, 3, 5)),
    ("202403051430", _at(2024, 3, 5, 14, 30)),
    ("45356", _at(2024, 3, 5)),  # an Excel serial day number
    ("45356.6041666667", _at(2024, 3, 5, 14, 30)),
    ("45356.5", _at(2024, 3, 5, 12)),
    (" 2024-03-05 ", _at(2024, 3, 5)),
    ("", None),
    (None, None),
    ("2024年3月5日 14时30分", _at(2024, 3, 5, 14, 30)),
    ("2024年3月5日14:30", _at(2024, 3, 5, 14, 30)),
])
def test_parse_datetime(raw: str | None, expected: datetime | None) -> None:
    got = values.parse_datetime(raw, TZ)
    if expected is None or got is None:
        assert got is expected
    else:  # an Excel serial in a CSV carries ~15 digits: 14:30 comes back within microseconds
        assert abs(got - expected) < timedelta(milliseconds=1)
        assert got.utcoffset() == _at(2024, 1, 1).utcoffset()  # local time, Asia/Shanghai


@pytest.mark.parametrize(("raw", "message"), [
    ("2024-02-30", "is not a real date: 2024-02-30"),
    ("2024-13-01", "is not a real date: 2024-13-01"),
    ("上周五", "is not a date: 上周五"),
    ("12345", "is not a date: 12345"),  # too small for an Excel serial of this century
    ("3/5/2024", "is not a date: 3/5/2024"),  # month/day/year is ambiguous: refused, not guessed
])
def test_parse_datetime_refuses(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        values.parse_datetime(raw, TZ)


def test_parse_date() -> None:
    assert values.parse_date("2024年3月8日", TZ) == date(2024, 3, 8)
    assert values.parse_date("45359", TZ) == date(2024, 3, 8)
    assert values.parse_date("", TZ) is None


def test_times_are_read_on_the_communitys_clock() -> None:
    """A community elsewhere (settings.timezone) reads its wall-clock times, and explicit offsets, in its own zone."""
    berlin = ZoneInfo("Europe/Berlin")
    assert values.parse_datetime("2024-03-05 14:30", berlin) == datetime(2024, 3, 5, 14, 30, tzinfo=berlin)
    assert values.parse_datetime("2024-03-05T14:30:00+08:00", berlin) == datetime(2024, 3, 5, 7, 30, tzinfo=berlin)


@pytest.mark.parametrize(("raw", "expected"), [
    ("是", True), ("否", False), ("true", True), ("FALSE", False), ("True", True), ("1", True), ("0", False),
    ("１", True), ("已解决", True), ("未解决", False), ("", None), (None, None),
])
def test_parse_bool(raw: str | None, expected: bool | None) -> None:
    assert values.parse_bool(raw) is expected


def test_parse_bool_refuses() -> None:
    with pytest.raises(ValueError, match="is not yes/no"):
        values.parse_bool("待定")


@pytest.mark.parametrize(("raw", "expected"), [
    ("满意", "satisfied"), ("非常满意", "satisfied"), ("基本满意", "basically_satisfied"), ("比较满意", "basically_satisfied"),
    ("不满意", "dissatisfied"), ("非常不满意", "dissatisfied"), ("是", "satisfied"), ("否", "dissatisfied"),
    ("5", "satisfied"), ("4", "basically_satisfied"), ("3", "dissatisfied"), ("2", "dissatisfied"), ("1", "dissatisfied"),
    ("5.0", "satisfied"), ("４", "basically_satisfied"), (" 满意 ", "satisfied"), ("", None),
])
def test_parse_satisfaction(raw: str, expected: str | None) -> None:
    assert values.parse_satisfaction(raw) == expected


@pytest.mark.parametrize("raw", ["还行", "6", "0", "一般"])
def test_parse_satisfaction_refuses(raw: str) -> None:
    with pytest.raises(ValueError, match="unknown satisfaction value"):
        values.parse_satisfaction(raw)


@pytest.mark.parametrize("raw", [
    "独居老人、低保", "独居老人；低保", "独居老人;低保", "独居老人,低保", "独居老人，低保户", "独居老人/低保", "独居老人 低保",
    "独居老人　低保", " 独居老人 、 低保 ", "独居老人、、低保", "elderly_alone;low_income", "独居老人\n低保",
])
def test_parse_groups_any_separator(raw: str) -> None:
    assert values.parse_groups(raw) == ["elderly_alone", "low_income"]


def test_parse_groups_vocabulary() -> None:
    assert values.parse_groups("") == []
    assert values.parse_groups("低保户、低保") == ["low_income"]  # two labels of one group
    every = "独居老人 空巢老人 残疾人 低保户 特困人员 失业人员 刑释解教 社区矫正 流动人口 重点帮扶 军烈属 大病家庭 留守儿童"
    assert len(values.parse_groups(every)) == 13
    assert values.parse_groups("下岗失业/刑满释放/优抚对象/重病/特困") == [
        "extreme_poverty", "military_family", "released_prisoner", "serious_illness", "unemployed"]
    with pytest.raises(ValueError, match="unknown special group: 外星人"):
        values.parse_groups("独居老人、外星人")


def _id(body: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def test_parse_id_number() -> None:
    good = _id("11010519491231002")
    assert good.endswith("X")
    assert values.parse_id_number(good) == good
    assert values.parse_id_number(good.lower()) == good
    assert values.parse_id_number(good.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})) == good
    other = _id("11010519800101123")
    assert values.parse_id_number(other) == other
    assert values.parse_id_number("") is None
    wrong = other[:17] + ("0" if other[17] != "0" else "1")
    with pytest.raises(ValueError, match=re.escape("checksum fails (GB 11643)")):
        values.parse_id_number(wrong)
    for short in (other[:17], other + "1", "11010519800101123A"):
        with pytest.raises(ValueError, match="must be 18 characters"):
            values.parse_id_number(short)


@pytest.mark.parametrize(("raw", "expected"), [
    ("13800138000", "13800138000"), ("138 0013 8000", "13800138000"), ("138-0013-8000", "13800138000"),
    ("+86 139-0013-9000", "13900139000"), ("１３８００１３８０００", "13800138000"), ("010-65123456", "01065123456"),
    ("(010)6512 3456", "01065123456"), ("65123456", "65123456"), ("", None),
])
def test_parse_phone(raw: str, expected: str | None) -> None:
    assert values.parse_phone(raw) == expected


@pytest.mark.parametrize("raw", ["1380013800", "12345", "23800138000", "电话", "138001380001"])
def test_parse_phone_refuses(raw: str) -> None:
    with pytest.raises(ValueError, match="is not a mobile or landline number"):
        values.parse_phone(raw)


@pytest.mark.parametrize(("raw", "expected"), [("1", 1), ("3.0", 3), ("３", 3), (" 2 ", 2), ("", None)])
def test_parse_positive_int(raw: str, expected: int | None) -> None:
    assert values.parse_positive_int(raw) == expected


@pytest.mark.parametrize(("raw", "message"), [
    ("0", "must be a whole number of at least 1: 0"),
    ("-1", "must be a whole number of at least 1: -1"),
    ("2.5", "must be a whole number of at least 1: 2.5"),
    ("三口", "is not a number: 三口"),
    ("inf", "is not a number: inf"),
    ("1e400", "is not a number: 1e400"),
    ("nan", "is not a number: nan"),
])
def test_parse_positive_int_refuses(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        values.parse_positive_int(raw)


def test_members_infinity_is_quarantined_not_a_crash(conn: psycopg.Connection, tmp_path: Path) -> None:
    path = tmp_path / "households_inf.csv"
    path.write_text("户编号,居住地址,家庭人口\nI1,测试小区一区1号楼1单元101,inf\n", encoding="utf-8")
    result = load_file(conn, path, DATASETS["households"], clock=CLOCK)  # used to raise OverflowError
    assert dict(result.quarantined) == {"members is not a number": 1}


@pytest.mark.parametrize(("raw", "expected"), [
    ("", "wgs84"), ("WGS84", "wgs84"), ("wgs-84", "wgs84"), ("EPSG:4326", "wgs84"), ("CGCS2000", "wgs84"),
    ("国家2000", "wgs84"), ("GCJ-02", "gcj02"), ("gcj02", "gcj02"), ("高德", "gcj02"), ("火星坐标", "gcj02"),
    ("BD-09", "bd09"), ("百度", "bd09"),
])
def test_parse_crs(raw: str, expected: str) -> None:
    assert values.parse_crs(raw) == expected


def test_parse_crs_refuses() -> None:
    with pytest.raises(ValueError, match="unknown coordinate system: UTM50"):
        values.parse_crs("UTM50")


@pytest.mark.parametrize(("raw", "vocabulary", "expected"), [
    ("一般", SEVERITY, "low"), ("较大", SEVERITY, "medium"), ("重大", SEVERITY, "high"), ("HIGH", SEVERITY, "high"),
    ("待整改", STATUS, "open"), ("整改中", STATUS, "in_progress"), ("已整改", STATUS, "closed"),
    ("closed", STATUS, "closed"), ("", STATUS, None),
])
def test_parse_enum(raw: str, vocabulary: dict[str, str], expected: str | None) -> None:
    assert values.parse_enum(raw, vocabulary) == expected


@pytest.mark.parametrize(("raw", "vocabulary"), [("特大", SEVERITY), ("已上报", STATUS)])
def test_parse_enum_refuses(raw: str, vocabulary: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=f"has an unknown value: {raw}"):
        values.parse_enum(raw, vocabulary)


def test_clean_folds_full_width() -> None:
    assert values.clean("　ＡＢＣ１２３　") == "ABC123"
    assert values.clean("   ") is None
    assert values.parse_float("１１６．５") == 116.5


def test_a_strip_between_grids_that_splits_the_community_is_a_gap(cconn: psycopg.Connection, tmp_path: Path) -> None:
    # two grids of one community, 0.0002° (about 17 m) apart: no hole, but not a tiling either
    def square(code: str, x0: float) -> dict[str, object]:
        ring = [[x0, 39.92], [x0 + 0.001, 39.92], [x0 + 0.001, 39.921], [x0, 39.921], [x0, 39.92]]
        return {"type": "Feature", "properties": {"网格编码": code, "社区": "条带社区"},
                "geometry": {"type": "Polygon", "coordinates": [ring]}}
    path = tmp_path / "grids_strip.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection",
                                "features": [square("S-001", 116.5), square("S-002", 116.5012)]}), encoding="utf-8")
    message = refused(cconn, path, "grids", grid_rules=STRICT)  # by default a warning (test_etl_boundaries.py)
    assert "the grids of 条带社区 form 2 separate pieces" in message
    assert _LOCATION.search(message)


def test_every_special_group_label_maps_to_a_group_the_layers_count() -> None:
    from etl import values
    from gridgov import groups
    from gridgov.i18n import CATALOGUE

    english = {key.removeprefix("group_") for key in CATALOGUE["en"] if key.startswith("group_")}
    assert set(values.SPECIAL_GROUPS.values()) == set(groups.SPECIAL_GROUPS) == english
    for key, name in groups.SPECIAL_GROUPS.items():
        assert values.parse_groups(name) == [key]
