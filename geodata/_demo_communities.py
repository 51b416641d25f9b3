"""The demo's street and its two communities: what differs from one community to the other.

The demo is one street (街道) with two communities, so a street officer has more than one community to
rank and a secretary has another community not to see. The first, 甘露园南里社区, is the demo as it always
was (its grids, ids and records unchanged); the second, 晨光里社区, lies east of it, smaller, with its own
grids, households, work orders, hazards and visits, and a boundary drawn as offices draw them (etl's grid
check repairs and reports it): each shared edge digitised twice with small slips, and a park in no grid.
The names of the second community and its compounds are invented.
"""

from __future__ import annotations

from dataclasses import dataclass

STREET = "八里庄街道"
STREET_CODE = "110105018"


@dataclass(frozen=True)
class Community:
    """Everything one community of the demo is made from; ids start where the community before ended."""

    name: str
    code: str  # 社区代码; its grids are {code}-001 ..
    stream: int  # 0: the first community's random streams as they always were; else a stream of its own
    columns: int  # grid columns of its lattice (two rows)
    compounds: tuple[str, ...]
    compound_of_column: tuple[str, ...]
    fake_compounds: tuple[str, ...]  # in no gazetteer: the unknown compounds of deliberately bad rows
    buildings_per_grid: tuple[int, ...]  # per grid -001 .. (north row west to east, then south row)
    special_share: tuple[float, ...]  # share of households in special groups, per grid
    households: int
    bad_households: dict[str, int]
    facility_counts: dict[str, int]
    facility_crs: dict[str, int]  # sums to the facilities' count
    complaints: int
    unmatched: int  # addresses no building matches, placed by the coordinates they give
    no_location: int  # neither: deliberately bad
    clusters: tuple[tuple[str, int, tuple[int, ...]], ...]  # (category, grid index, extra tickets per month)
    response_slowness: tuple[float, ...]  # per grid
    visit_rate: tuple[float, ...]  # per grid: how reliably due visits happen
    hazards: int
    ebike_grid: int  # the grid with most indoor e-bike charging
    vague_addresses: tuple[str, ...]  # work orders that say where only vaguely (no building)
    first_building: int = 1
    first_household: int = 1
    first_facility: int = 1
    first_hazard: int = 1
    ticket_offset: int = 0  # added to the daily sequence of its work orders' numbers

    @property
    def grids(self) -> int:
        return 2 * self.columns


FIRST = Community(
    name="甘露园南里社区", code="110105018013", stream=0, columns=5,
    compounds=("甘露园南里一区", "甘露园南里二区", "甘露园中里"),
    compound_of_column=("甘露园南里一区", "甘露园南里一区", "甘露园南里二区", "甘露园南里二区", "甘露园中里"),
    fake_compounds=("甘露园南里九区", "甘露园南里五区", "甘露园北里三区", "甘露园东里"),
    buildings_per_grid=(4, 4, 4, 4, 5, 3, 4, 4, 4, 4),
    special_share=(0.10, 0.14, 0.12, 0.16, 0.20, 0.38, 0.34, 0.18, 0.10, 0.26),
    households=3000,
    bad_households={"unknown_compound": 12, "unknown_building": 12, "blank_address": 12, "bad_checksum": 12,
                    "zero_members": 12},
    facility_counts={"消防栓": 36, "监控": 25, "燃气调压箱": 10, "AED": 8, "微型消防站": 6, "养老驿站": 5,
                     "党群服务站": 4, "卫生服务站": 3, "学校": 3},
    facility_crs={"wgs84": 70, "gcj02": 20, "bd09": 10},
    complaints=2000, unmatched=60, no_location=20,
    # rising clusters for the emerging-hot-spot analysis (extra tickets in each of the final month-long stretches)
    clusters=(("噪音扰民", 2, (6, 12, 20, 30)), ("停车管理", 5, (8, 16, 26))),
    response_slowness=(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.8, 1.0, 1.2),
    visit_rate=(0.92, 0.88, 0.90, 0.85, 0.80, 0.86, 0.78, 0.90, 0.84, 0.95),
    hazards=200, ebike_grid=7,
    vague_addresses=("", "甘露园附近", "小区门口", "不详", "朝阳区甘露园一带"),
)

SECOND = Community(
    name="晨光里社区", code="110105018014", stream=2, columns=3,
    compounds=("晨光里一区", "晨光里二区", "晨光东里"),
    compound_of_column=("晨光里一区", "晨光里二区", "晨光东里"),
    fake_compounds=("晨光里七区", "晨光西里"),
    buildings_per_grid=(3, 4, 3, 4, 3, 3),
    special_share=(0.12, 0.30, 0.15, 0.22, 0.10, 0.18),
    households=1500,
    bad_households={"unknown_compound": 6, "unknown_building": 6, "blank_address": 6, "bad_checksum": 6,
                    "zero_members": 6},
    facility_counts={"消防栓": 14, "监控": 10, "燃气调压箱": 4, "AED": 3, "微型消防站": 3, "养老驿站": 2,
                     "党群服务站": 2, "卫生服务站": 1, "学校": 1},
    facility_crs={"wgs84": 28, "gcj02": 8, "bd09": 4},
    complaints=900, unmatched=25, no_location=10,
    clusters=(("环境卫生", 4, (4, 8, 14)),),
    response_slowness=(1.0, 1.3, 1.0, 1.0, 1.0, 1.6),
    visit_rate=(0.90, 0.82, 0.88, 0.75, 0.93, 0.86),
    hazards=90, ebike_grid=1,
    vague_addresses=("", "晨光里附近", "小区门口", "不详", "朝阳区晨光里一带"),
    first_building=41, first_household=3001, first_facility=101, first_hazard=201, ticket_offset=50_000,
)

COMMUNITIES = (FIRST, SECOND)
