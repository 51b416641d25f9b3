"""The datasets of the data contract: their columns, Chinese aliases and row parsers."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from etl import address, values

Row = dict[str, str | None]
Parsed = dict[str, Any]

SEVERITY = {"一般": "low", "较大": "medium", "重大": "high", "低": "low", "中": "medium", "高": "high"}
STATUS = {"待整改": "open", "未整改": "open", "整改中": "in_progress", "已整改": "closed", "已完成": "closed"}


@dataclass(frozen=True)
class Dataset:
    """One kind of source file and where its rows go."""

    name: str
    key: str  # the id column, unique per row
    fields: dict[str, tuple[str, ...]]  # canonical name -> Chinese aliases
    columns: tuple[str, ...]  # typed columns written to the table (besides geometry, grid and lineage)
    parse: Callable[[Row], Parsed]
    placement: Literal["polygon", "point", "household"]
    not_future: tuple[str, ...] = ()  # timestamps that cannot lie in the future

    @property
    def table(self) -> str:
        return self.name

    def lookup(self, mapping: dict[str, str] | None = None) -> dict[str, str]:
        """Normalised header -> canonical field: the contract's names and aliases, then a source's own mapping."""
        out: dict[str, str] = {}
        for canonical, aliases in self.fields.items():
            for alias in (canonical, *aliases):
                out[header_key(alias)] = canonical
        for header, canonical in (mapping or {}).items():
            if canonical not in self.fields:
                raise ValueError(f"{canonical!r} is not a {self.name} column; expected one of {', '.join(self.fields)}")
            out[header_key(header)] = canonical
        return out


def header_key(text: str) -> str:
    """Headers compare case- and whitespace-insensitively, full-width folded."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def _field(row: Row, name: str, parser: Callable[..., Any], *args: Any) -> Any:
    """Parse one cell; a failure names the column (e.g. "members must be a whole number …")."""
    try:
        return parser(row.get(name), *args)
    except ValueError as exc:
        raise ValueError(f"{name} {exc}") from None


def _need(row: Row, name: str) -> str:
    value = values.clean(row.get(name))
    if value is None:
        raise ValueError(f"{name} is empty")
    return value


def _required(row: Row, name: str, parser: Callable[..., Any]) -> Any:
    _need(row, name)
    return _field(row, name, parser)


def _coords(row: Row) -> Parsed:
    lon = _field(row, "lon", values.parse_float)
    lat = _field(row, "lat", values.parse_float)
    if (lon is None) != (lat is None):
        raise ValueError("only one of lon/lat is given")
    return {"lon": lon, "lat": lat, "crs": _field(row, "crs", values.parse_crs)}


def _match_key(row: Row) -> str | None:
    raw = values.clean(row.get("address"))
    return address.building_key(raw) if raw else None


def _parse_grid(row: Row) -> Parsed:
    return {
        "grid_code": _need(row, "grid_code"),
        "grid_name": values.clean(row.get("grid_name")) or _need(row, "grid_code"),
        "community_name": _need(row, "community_name"),
        "leader": values.clean(row.get("leader")),
    }


def _parse_building(row: Row) -> Parsed:
    raw = _need(row, "address")
    try:
        key = address.parse(raw).building_key
    except address.AddressError as exc:
        raise ValueError(str(exc)) from None
    return {"building_id": _need(row, "building_id"), "address": raw, "match_key": key, **_coords(row)}


def _parse_household(row: Row) -> Parsed:
    return {
        "household_id": _need(row, "household_id"),
        "address": _need(row, "address"),
        "head_name": values.clean(row.get("head_name")),
        "id_number": _field(row, "id_number", values.parse_id_number),
        "phone": _field(row, "phone", values.parse_phone),
        "members": _field(row, "members", values.parse_positive_int),
        "groups": _field(row, "groups", values.parse_groups),
        "match_key": _match_key(row),
        **_coords(row),
    }


def _parse_facility(row: Row) -> Parsed:
    return {
        "facility_id": _need(row, "facility_id"),
        "name": values.clean(row.get("name")),
        "type": values.clean(row.get("type")),
        "address": values.clean(row.get("address")),
        "match_key": _match_key(row),
        **_coords(row),
    }


def _parse_complaint(row: Row) -> Parsed:
    received = _required(row, "received_at", values.parse_datetime)
    return {
        "ticket_id": _need(row, "ticket_id"),
        "received_at": received,
        "category": values.clean(row.get("category")),
        "content": values.clean(row.get("content")),
        "address": values.clean(row.get("address")),
        "responded_at": _field(row, "responded_at", values.parse_datetime),
        "resolved_at": _field(row, "resolved_at", values.parse_datetime),
        "resolved": _field(row, "resolved", values.parse_bool),
        "satisfaction": _field(row, "satisfied", values.parse_satisfaction),
        "match_key": _match_key(row),
        **_coords(row),
    }


def _parse_hazard(row: Row) -> Parsed:
    return {
        "hazard_id": _need(row, "hazard_id"),
        "found_at": _required(row, "found_at", values.parse_datetime),
        "type": values.clean(row.get("type")),
        "severity": _field(row, "severity", values.parse_enum, SEVERITY),
        "status": _field(row, "status", values.parse_enum, STATUS),
        "deadline": _field(row, "deadline", values.parse_date),
        "closed_at": _field(row, "closed_at", values.parse_datetime),
        "address": values.clean(row.get("address")),
        "match_key": _match_key(row),
        **_coords(row),
    }


def _parse_visit(row: Row) -> Parsed:
    return {
        "visit_id": _need(row, "visit_id"),
        "household_id": _need(row, "household_id"),
        "visited_at": _required(row, "visited_at", values.parse_datetime),
        "visitor": values.clean(row.get("visitor")),
        "notes": values.clean(row.get("notes")),
    }


_COORD_FIELDS: dict[str, tuple[str, ...]] = {"lon": ("经度", "longitude", "x"), "lat": ("纬度", "latitude", "y"),
                                             "crs": ("坐标系",)}

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset(
            "grids", "grid_code",
            {"grid_code": ("网格编码", "网格编号"), "grid_name": ("网格名称",),
             "community_name": ("社区", "社区名称"), "leader": ("网格员", "网格长")},
            ("grid_code", "grid_name", "community_name", "leader"), _parse_grid, "polygon",
        ),
        Dataset(
            "buildings", "building_id",
            {"building_id": ("楼栋编号",), "address": ("地址", "楼栋地址"), **_COORD_FIELDS},
            ("building_id", "address", "match_key"), _parse_building, "point",
        ),
        Dataset(
            "households", "household_id",
            {"household_id": ("户编号", "家庭编号"), "address": ("地址", "居住地址", "现住址", "详细地址"),
             "head_name": ("户主姓名", "姓名"), "id_number": ("身份证号", "公民身份号码"),
             "phone": ("联系电话", "手机号"), "members": ("人口数", "家庭人口"),
             "groups": ("人员类别", "特殊群体", "标签"), **_COORD_FIELDS},
            ("household_id", "address", "head_name", "id_number", "phone", "members", "groups"),
            _parse_household, "point",
        ),
        Dataset(
            "facilities", "facility_id",
            {"facility_id": ("设施编号",), "name": ("名称", "设施名称"), "type": ("类型", "设施类型"),
             "address": ("地址",), **_COORD_FIELDS},
            ("facility_id", "name", "type", "address"), _parse_facility, "point",
        ),
        Dataset(
            "complaints", "ticket_id",
            {"ticket_id": ("工单编号",), "received_at": ("受理时间", "来电时间"),
             "category": ("诉求类别", "问题分类"), "content": ("诉求内容",),
             "address": ("诉求地址", "事发地址"), "responded_at": ("响应时间",),
             "resolved_at": ("办结时间",), "resolved": ("是否解决",), "satisfied": ("是否满意", "满意度"),
             **_COORD_FIELDS},
            ("ticket_id", "received_at", "category", "content", "address", "responded_at", "resolved_at",
             "resolved", "satisfaction"),
            _parse_complaint, "point", ("received_at", "responded_at", "resolved_at"),
        ),
        Dataset(
            "hazards", "hazard_id",
            {"hazard_id": ("隐患编号",), "found_at": ("发现时间",), "type": ("隐患类型",), "severity": ("等级",),
             "status": ("状态",), "deadline": ("整改期限",), "closed_at": ("整改完成时间",),
             "address": ("地址",), **_COORD_FIELDS},
            ("hazard_id", "found_at", "type", "severity", "status", "deadline", "closed_at", "address"),
            _parse_hazard, "point", ("found_at", "closed_at"),
        ),
        Dataset(
            "visits", "visit_id",
            {"visit_id": ("走访编号",), "household_id": ("户编号",), "visited_at": ("走访时间",),
             "visitor": ("走访人",), "notes": ("情况记录",)},
            ("visit_id", "household_id", "visited_at", "visitor", "notes"), _parse_visit, "household",
            ("visited_at",),
        ),
    ]
}

# Load order: polygons first, then the gazetteer, then what is geocoded against it.
ORDER = ("grids", "buildings", "households", "facilities", "complaints", "hazards", "visits")


def dataset_for_file(filename: str) -> Dataset | None:
    """The dataset a file belongs to, by the start of its name (households_2024.csv → households)."""
    low = filename.lower()
    for name in sorted(DATASETS, key=len, reverse=True):
        if low.startswith(name):
            return DATASETS[name]
    return None


def map_headers(headers: list[str], lookup: dict[str, str]) -> tuple[dict[int, str], list[int]]:
    """Column index -> canonical field, and the indexes of columns the contract does not know (kept in extra)."""
    mapped: dict[int, str] = {}
    extra: list[int] = []
    for i, h in enumerate(headers):
        field = lookup.get(header_key(h))
        if field and field not in mapped.values():
            mapped[i] = field
        else:
            extra.append(i)
    return mapped, extra
