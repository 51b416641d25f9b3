"""The datasets of the data contract: their columns, Chinese aliases, row parsers and placement."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

import pandas as pd

from etl import rows


@dataclass(frozen=True)
class Dataset:
    """One kind of source file and where its rows go."""

    name: str
    key: str  # the id column, unique per row
    fields: dict[str, tuple[str, ...]]  # canonical name -> Chinese aliases
    columns: tuple[str, ...]  # typed columns written to the table (besides geometry, grid and lineage)
    # a chunk with canonical column names, in the community's time zone → typed rows and reasons
    parse: Callable[[pd.DataFrame, ZoneInfo], rows.Rows]
    placement: Literal["polygon", "point", "household"]
    not_future: tuple[str, ...] = ()  # timestamps that cannot lie in the future

    @property
    def table(self) -> str:
        return self.name

    @property
    def geocodes(self) -> bool:
        """Rows located by their address against the building gazetteer."""
        return self.placement == "point" and self.name != "buildings"

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


_COORD_FIELDS: dict[str, tuple[str, ...]] = {"lon": ("经度", "longitude", "x"), "lat": ("纬度", "latitude", "y"),
                                             "crs": ("坐标系",)}

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset(
            "grids", "grid_code",
            {"grid_code": ("网格编码", "网格编号"), "grid_name": ("网格名称",),
             "community_name": ("社区", "社区名称"), "leader": ("网格员", "网格长"),
             # the street (街道) a community belongs to, and the file's stable codes where it has them
             "street_name": ("街道", "街道名称", "乡镇街道", "street"), "street_code": ("街道代码", "街道编码"),
             "community_code": ("社区代码", "社区编码")},
            ("grid_code", "grid_name", "community_name", "leader", "street_name", "street_code", "community_code"),
            rows.grids, "polygon",
        ),
        Dataset(
            "buildings", "building_id",
            {"building_id": ("楼栋编号",), "address": ("地址", "楼栋地址"), **_COORD_FIELDS},
            ("building_id", "address", "match_key"), rows.buildings, "point",
        ),
        Dataset(
            "households", "household_id",
            {"household_id": ("户编号", "家庭编号"), "address": ("地址", "居住地址", "现住址", "详细地址"),
             "head_name": ("户主姓名", "姓名"), "id_number": ("身份证号", "公民身份号码"),
             "phone": ("联系电话", "手机号"), "members": ("人口数", "家庭人口"),
             "groups": ("人员类别", "特殊群体", "标签"), **_COORD_FIELDS},
            ("household_id", "address", "head_name", "id_number", "phone", "members", "groups"),
            rows.households, "point",
        ),
        Dataset(
            "facilities", "facility_id",
            {"facility_id": ("设施编号",), "name": ("名称", "设施名称"), "type": ("类型", "设施类型"),
             "address": ("地址",), **_COORD_FIELDS},
            ("facility_id", "name", "type", "address"), rows.facilities, "point",
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
            rows.complaints, "point", ("received_at", "responded_at", "resolved_at"),
        ),
        Dataset(
            "hazards", "hazard_id",
            {"hazard_id": ("隐患编号",), "found_at": ("发现时间",), "type": ("隐患类型",), "severity": ("等级",),
             "status": ("状态",), "deadline": ("整改期限",), "closed_at": ("整改完成时间",),
             "address": ("地址",), **_COORD_FIELDS},
            ("hazard_id", "found_at", "type", "severity", "status", "deadline", "closed_at", "address"),
            rows.hazards, "point", ("found_at", "closed_at"),
        ),
        Dataset(
            "visits", "visit_id",
            {"visit_id": ("走访编号",), "household_id": ("户编号",), "visited_at": ("走访时间",),
             "visitor": ("走访人",), "notes": ("情况记录",)},
            ("visit_id", "household_id", "visited_at", "visitor", "notes"), rows.visits, "household",
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
