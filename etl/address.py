"""Turn the many spellings of one Chinese flat address into one key.

甘露园南里二区3号楼2单元501, 朝阳区甘露园南里二区3栋2门501室, 甘露园南里二区三号楼二单元五零一
and 甘露园南里二区3#2-501 all become compound 甘露园南里2区, building 3, unit 2, room 501.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

_DIGIT = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
_UNIT = {"十": 10, "百": 100, "千": 1000}
_NUMERAL_RUN = re.compile(r"[零〇○一二两三四五六七八九十百千]+")

_BEIJING_DISTRICTS = ["东城区", "西城区", "朝阳区", "丰台区", "石景山区", "海淀区", "门头沟区", "房山区", "通州区", "顺义区", "昌平区", "大兴区", "怀柔区", "平谷区", "密云区", "延庆区"]
_PREFIXES = [
    re.compile(r"^中国"),
    re.compile(r"^(?:北京|天津|上海|重庆)市?"),
    re.compile(r"^[\u4e00-\u9fff]{2,7}?(?:省|自治区)"),
    re.compile(r"^[\u4e00-\u9fff]{2,4}?市(?!场)"),
    re.compile("^(?:" + "|".join(_BEIJING_DISTRICTS) + ")"),
    re.compile(r"^[\u4e00-\u9fff]{2,5}?街道(?:办事处)?"),
]
_DISTRICT_AFTER_CITY = re.compile(r"^[\u4e00-\u9fff]{1,4}?(?:区|县)")
# Names that end in 区 but are places inside a district, not districts.
_NOT_DISTRICT = ("小区", "社区", "园区", "校区", "厂区", "片区", "营区", "矿区", "街区", "景区", "院区")

# compound, then building number, then unit, then room, in the written forms offices use;
# the compound is everything before the first number that is marked as a building
_SPLIT = re.compile(r"^(.+?)(\d+)(?:号楼|栋|幢|座|#|楼(?!\d*层)|号(?=\d+(?:单元|门|-))|-(?=\d))")
_UNIT_RE = re.compile(r"^\s*(\d+)\s*(?:单元|门|-)")
_ROOM_RE = re.compile(r"^\s*(\d+)\s*(?:室|号|户)?\s*$")


def chinese_to_int(text: str) -> int:
    """十二 → 12, 二十三 → 23, 一百零一 → 101, 五零一 → 501 (digit by digit when no 十/百/千)."""
    if not any(ch in _UNIT for ch in text):
        return int("".join(str(_DIGIT[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in _DIGIT:
            current = _DIGIT[ch]
        else:
            total += (current or 1) * _UNIT[ch]
            current = 0
    return total + current


def _numerals(m: re.Match[str]) -> str:
    return _numeral_digits(m.group(0))


@functools.lru_cache(maxsize=4096)
def _numeral_digits(run: str) -> str:
    """A run of Chinese numerals in digits; the same few runs (二, 十二, 三十五) come up again and again."""
    return str(chinese_to_int(run))


def canonical_text(text: str) -> str:
    """Full-width to half-width, no white space, Chinese numerals to digits."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return _NUMERAL_RUN.sub(_numerals, text)


_DIGITS_ONLY = str.maketrans({k: str(v) for k, v in _DIGIT.items()})
_HAS_UNIT = re.compile(r"[十百千]")


def canonical_series(s: pd.Series) -> pd.Series:
    """canonical_text for a column of addresses at once."""
    out = s.astype("str").str.normalize("NFKC").str.replace(r"\s+", "", regex=True)
    # Numerals without 十/百/千 (五零一, 三号楼) convert digit by digit: a plain character
    # translation. Only the rest needs the positional reading of chinese_to_int.
    positional = out.str.contains(_HAS_UNIT, na=False)
    if positional.any():
        out = out.where(~positional, out.where(positional).str.replace(_NUMERAL_RUN, _numerals, regex=True))
    return out.where(positional, out.str.translate(_DIGITS_ONLY))


@functools.lru_cache(maxsize=65536)
def strip_prefix(text: str) -> str:
    """Drop an optional country/province/city/district/street prefix from a compound name."""
    city_seen = False
    for i, pattern in enumerate(_PREFIXES):
        m = pattern.match(text)
        if m and m.end() < len(text):
            text = text[m.end():]
            if i in (1, 3):
                city_seen = True
            if i in (1, 2, 3) and city_seen:
                d = _DISTRICT_AFTER_CITY.match(text)
                # a district follows a city; keep it if what remains has no room for a compound
                if d and not d.group(0).endswith(_NOT_DISTRICT) and len(text) - d.end() >= 2:
                    text = text[d.end():]
    return text


@dataclass(frozen=True)
class Address:
    """A parsed address: compound plus building, and the flat within it when given."""

    compound: str
    building: int
    unit: int | None = None
    room: int | None = None

    @property
    def building_key(self) -> str:
        """What the gazetteer is matched on: compound + building number."""
        return f"{self.compound}|{self.building}"

    @property
    def flat_key(self) -> str:
        """One key per flat."""
        return f"{self.building_key}|{self.unit or ''}|{self.room or ''}"


class AddressError(ValueError):
    """An address that cannot be parsed; the message says why, for the clerk."""


def parse(raw: str) -> Address:
    """Parse one free-text address; raise AddressError with a reason when it has no compound + building."""
    if raw is None or not str(raw).strip():
        raise AddressError("address is empty")
    text = canonical_text(str(raw))
    m = _SPLIT.match(text)
    if not m:
        raise AddressError(f"no building number in address: {raw}")
    compound = strip_prefix(m.group(1))
    building = int(m.group(2))
    rest = text[m.end():]
    unit = room = None
    u = _UNIT_RE.match(rest)
    if u:
        unit = int(u.group(1))
        rest = rest[u.end():]
    r = _ROOM_RE.match(rest)
    if r:
        room = int(r.group(1))
    elif rest and unit is None:
        # 3-2-501 after the building dash: unit and room without markers
        parts = re.fullmatch(r"(\d+)-(\d+)", rest)
        if parts:
            unit, room = int(parts.group(1)), int(parts.group(2))
    return Address(compound=compound, building=building, unit=unit, room=room)


def building_key(raw: str) -> str | None:
    """The gazetteer key of an address, or None when it cannot be parsed."""
    try:
        return parse(raw).building_key
    except AddressError:
        return None


def building_keys(s: pd.Series) -> pd.Series:
    """building_key for a column of addresses at once (missing where there is no compound + building).

    Each distinct address is read once, in one pass (canonical_text, then the split into
    compound and building number): a column repeats many addresses, complaints above all."""
    s = s.astype("str")
    codes, uniques = pd.factorize(s)
    found = _PARTS.parts(uniques.tolist())
    parts = pd.DataFrame(
        {0: [p[0] if p else None for p in found], 1: [p[1] if p else None for p in found]}, dtype="str"
    )
    number = pd.to_numeric(parts[1], errors="coerce").astype("Int64").astype("str")
    keys = (parts[0] + "|" + number).where(parts[1].notna())
    return pd.Series(keys.array.take(codes, allow_fill=True), index=s.index)


class _PartsCache:
    """_building_parts of the addresses of earlier chunks: work orders name the same buildings again
    and again. Where addresses do not repeat (one per household) it soon stops keeping them, so it
    costs neither time nor memory there."""

    LIMIT = 150_000  # addresses kept at most
    TRIAL = 100_000  # addresses kept before looking whether they come again

    def __init__(self) -> None:
        self.known: dict[str, tuple[str, str] | None] = {}
        self.keeping = True

    def parts(self, addresses: list[str]) -> list[tuple[str, str] | None]:
        known, out, hits = self.known, [], 0
        keep = self.keeping and len(known) < self.LIMIT
        for a in addresses:
            p = known.get(a, _UNKNOWN)
            if p is _UNKNOWN:
                p = _building_parts(a)
                if keep:
                    known[a] = p
            else:
                hits += 1
            out.append(p)
        if self.keeping and len(known) >= self.TRIAL and hits * 10 < len(addresses):
            self.keeping = False  # fewer than one address in ten came again: not worth keeping
            known.clear()
        return out  # type: ignore[return-value]


_UNKNOWN = object()
_PARTS = _PartsCache()


# _DIGITS_ONLY as a string indexed by code point: str.translate looks characters up faster in it
_DIGITS_TABLE = "".join(chr(i).translate(_DIGITS_ONLY) for i in range(0xA000))


def _building_parts(raw: str) -> tuple[str, str] | None:
    """The compound (prefix stripped) and the building number's digits of one address, as
    canonical_series, str.extract(_SPLIT) and strip_prefix make them for a column; None when
    the address has no compound + building."""
    text = "".join(unicodedata.normalize("NFKC", raw).split())  # str.split() splits at what \s matches
    if "十" in text or "百" in text or "千" in text:  # _HAS_UNIT
        text = _NUMERAL_RUN.sub(_numerals, text)
    else:
        text = text.translate(_DIGITS_TABLE)
    m = _SPLIT.search(text)
    return (strip_prefix(m.group(1)), m.group(2)) if m else None
