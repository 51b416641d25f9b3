"""The fuzzy gazetteer match: narrow on purpose, because one character is often another place."""

from __future__ import annotations

import pytest

from etl.address import building_key
from etl.fuzzy import _decide, _Gazetteer, _identity, _plain

GAZETTEER = {
    "B1": "北京市丰台区方庄苑西里二区34号楼",
    "B2": "翠微路幸福家园小区5号楼",
    "B3": "甘露园南里二区3号楼",
    "B4": "甘露园南里二区4号楼",
    "B5": "金色家园甲区5号楼",
}


@pytest.fixture(scope="module")
def gazetteer() -> _Gazetteer:
    return _Gazetteer.from_rows((bid, str(building_key(address)), address) for bid, address in GAZETTEER.items())


def decide(g: _Gazetteer, address: str) -> tuple[str | None, str]:
    key = building_key(address)
    assert key is not None
    return _decide(g, key)


@pytest.mark.parametrize(("address", "building"), [
    ("翠微路幸福佳园小区5号楼2单元201", "B2"),  # 佳园 sounds like 家园: a typist's homophone
    ("翠微路幸福家园5号楼", "B2"),  # 小区 left out
    ("方庄苑西里小区二区34号楼", "B1"),  # 小区 put in
])
def test_typos_and_generic_words_are_forgiven(gazetteer: _Gazetteer, address: str, building: str) -> None:
    found, note = decide(gazetteer, address)
    assert found == building
    assert note.startswith("gazetteer (fuzzy")


@pytest.mark.parametrize("address", [
    "杨庄苑西里二区34号楼",  # 杨庄 is not 方庄: another place, one character apart
    "方庄苑西里九区34号楼",  # 九区 is not 二区
    "方庄苑东里二区34号楼",  # 东里 is not 西里
    "金色家园乙区5号楼",  # 乙区 is not 甲区
])
def test_a_different_place_is_never_taken(gazetteer: _Gazetteer, address: str) -> None:
    found, reason = decide(gazetteer, address)
    assert found is None
    assert reason.startswith("address matched no building: {address}")


def test_a_known_compound_without_the_building_says_which_it_has(gazetteer: _Gazetteer) -> None:
    found, reason = decide(gazetteer, "甘露园南里二区9号楼1单元101")
    assert found is None
    assert reason == "address matched no building: {address}; that compound has no building 9 (its buildings: 3–4)"


def test_generic_words_are_dropped_for_comparison_only() -> None:
    assert _plain("甘露园南里小区二区") == _plain("甘露园南里二区")
    assert _identity("甘露园南里2区") != _identity("甘露园南里9区")
