"""The address normaliser: every spelling of one flat gives one key; different flats never collide."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.address import Address, AddressError, chinese_to_int, parse

COMPOUNDS = ["甘露园南里二区", "甘露园中里", "八里庄北里", "十里堡东里", "团结湖", "红庙北里", "百子湾家园", "延静里"]
PREFIXES = ["", "北京市", "北京市朝阳区", "朝阳区", "北京朝阳区", "中国北京市朝阳区"]
_CN = "零一二三四五六七八九"


def cn_count(n: int, *, two: str = "二") -> str:
    """A counting numeral: 3 → 三, 12 → 十二, 23 → 二十三."""
    if n < 10:
        return two if n == 2 else _CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN[tens]) + "十" + (_CN[ones] if ones else "")


def cn_digits(n: int) -> str:
    """Digit by digit: 501 → 五零一."""
    return "".join(_CN[int(d)] for d in str(n))


def fullwidth(text: str) -> str:
    return text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})


def render(style: int, c: str, b: int, u: int, r: int) -> str:
    return [
        f"{c}{b}号楼{u}单元{r}",
        f"{c}{b}栋{u}门{r}室",
        f"{c}{cn_count(b)}号楼{cn_count(u, two='两')}单元{cn_digits(r)}",
        f"{c}{b}#{u}-{r}",
        f"{c}{b}-{u}-{r}",
        fullwidth(f"{c}{b}号楼{u}单元{r}"),
        f"{c}{b}幢{u}单元{r}号",
        f"{c}{b}座{u}单元{r}",
        f"{c} {b}号楼 {u}单元 {r}",
        f"{c}{cn_count(b)}栋{u}门{r}室",
    ][style]


flats = st.tuples(
    st.sampled_from(COMPOUNDS),
    st.integers(1, 99),
    st.integers(1, 9),
    st.integers(1, 33).flatmap(lambda floor: st.integers(1, 4).map(lambda door: floor * 100 + door)),
)


@given(flat=flats, style=st.integers(0, 9), prefix=st.sampled_from(PREFIXES))
def test_every_spelling_of_a_flat_gives_the_same_key(flat: tuple[str, int, int, int], style: int, prefix: str) -> None:
    c, b, u, r = flat
    reference = parse(render(0, c, b, u, r))
    assert parse(prefix + render(style, c, b, u, r)).flat_key == reference.flat_key
    assert (reference.building, reference.unit, reference.room) == (b, u, r)


@given(a=flats, b=flats, sa=st.integers(0, 9), sb=st.integers(0, 9))
def test_different_flats_never_collide(a: tuple[str, int, int, int], b: tuple[str, int, int, int], sa: int, sb: int) -> None:
    ka, kb = parse(render(sa, *a)).flat_key, parse(render(sb, *b)).flat_key
    assert (ka == kb) == (a == b)


@pytest.mark.parametrize(
    ("text", "value"),
    [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("两", 2), ("一百零一", 101), ("五零一", 501), ("一二零三", 1203)],
)
def test_chinese_numerals(text: str, value: int) -> None:
    assert chinese_to_int(text) == value


def test_compound_numerals_are_one_spelling() -> None:
    assert parse("甘露园南里2区3号楼").building_key == parse("北京市朝阳区甘露园南里二区3号楼").building_key


def test_district_like_compound_names_are_kept() -> None:
    # 小区 ends in 区 but is not a district: it stays part of the compound
    assert parse("北京市测试小区二区1号楼") == Address("测试小区2区", 1)


@pytest.mark.parametrize(("text", "why"), [("", "address is empty"), ("甘露园南里二区北门", "no building number")])
def test_unparseable_addresses_say_why(text: str, why: str) -> None:
    with pytest.raises(AddressError, match=why):
        parse(text)


@given(st.lists(st.sampled_from(["甘露园", "南里", "二区", "十二", "二十三", "两", "五零一", "3", "号楼", "单元", "室", " ", "３", "#", "-", "百子湾", "一百零一"]), max_size=8).map("".join))
def test_a_column_of_addresses_normalises_as_each_one_does(text: str) -> None:
    import pandas as pd

    from etl.address import building_key, building_keys, canonical_series, canonical_text

    series = pd.Series([text, None], dtype=object)
    assert canonical_series(series)[0] == canonical_text(text)
    vector = building_keys(series)[0]
    assert (None if pd.isna(vector) else vector) == building_key(text)
