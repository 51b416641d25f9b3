"""The special groups (特殊群体) a household can belong to: canonical keys and their Chinese names.

The ETL maps the labels offices write onto these keys; the layers count them. Their
names in other languages are in the catalogue (gridgov.catalogue, keys `group_<key>`).
"""

from __future__ import annotations

# key -> the name the community office uses; the order is the legend's
SPECIAL_GROUPS: dict[str, str] = {
    "elderly_alone": "独居老人",
    "empty_nest": "空巢老人",
    "disabled": "残疾人",
    "low_income": "低保户",
    "extreme_poverty": "特困人员",
    "unemployed": "失业人员",
    "floating": "流动人口",
    "key_assistance": "重点帮扶",
    "released_prisoner": "刑满释放人员",
    "community_correction": "社区矫正人员",
    "military_family": "军烈属",
    "serious_illness": "大病家庭",
    "left_behind_child": "留守儿童",
}
