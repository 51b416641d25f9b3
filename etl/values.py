"""Cell values as offices write them: dates, booleans, satisfaction, groups, ID numbers.

Each parser takes the raw text of one cell and returns the typed value, None
for an empty cell, or raises ValueError with a message a clerk can act on once
the column's name is put in front of it ("members must be a whole number …").
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from gridgov import groups, vocabulary

_EXCEL_EPOCH = datetime(1899, 12, 30)


def clean(raw: object) -> str | None:
    """Half-width, trimmed text; None for an empty cell."""
    if raw is None:
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    return text or None


_DATE_FORMS = [
    # 2024-03-05 14:30, 2024/3/5, 2024.3.5 14:30:05.123, 2024年3月5日14时30分, 2024-03-05T14:30:00+08:00
    re.compile(
        r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
        r"(?:[ T]*(\d{1,2})[:：时](\d{1,2})分?(?:[:：]?(\d{1,2})(?:\.\d+)?秒?)?)?"
        r"(Z|[+-]\d{2}:?\d{2})?$"
    ),
    re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?()$"),
]


def parse_datetime(raw: object, zone: ZoneInfo) -> datetime | None:
    """2024-03-05 14:30, 2024/3/5, 2024年3月5日, 20240305 or an Excel serial → aware datetime in `zone`.

    Offices write wall-clock times of their community (`zone`, settings.timezone);
    a time with an explicit offset is the same instant on the community's clock."""
    text = clean(raw)
    if text is None:
        return None
    for form in _DATE_FORMS:
        m = form.match(text)
        if m:
            y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups()[:6])
            try:
                if not m.group(7):
                    return datetime(y, mo, d, h, mi, s, tzinfo=zone)
                offset = datetime.strptime(m.group(7).replace("Z", "+0000").replace(":", ""), "%z").tzinfo
                return datetime(y, mo, d, h, mi, s, tzinfo=offset).astimezone(zone)
            except ValueError:
                raise ValueError(f"is not a real date: {text}") from None
    try:
        serial = float(text)
    except ValueError:
        raise ValueError(f"is not a date: {text}") from None
    if 20000 <= serial <= 80000:  # Excel serial days: 1954 … 2119
        # Excel keeps times as fractions of a day: round to the second they stand for
        return (_EXCEL_EPOCH + timedelta(seconds=round(serial * 86400))).replace(tzinfo=zone)
    raise ValueError(f"is not a date: {text}")


def parse_date(raw: object, zone: ZoneInfo) -> date | None:
    """A calendar date in any of the forms parse_datetime accepts."""
    dt = parse_datetime(raw, zone)
    return dt.date() if dt else None


def parse_bool(raw: object) -> bool | None:
    """是/否, true/false, 1/0 → bool; empty → None (unknown)."""
    text = clean(raw)
    if text is None:
        return None
    low = text.lower().removesuffix(".0")  # Excel writes 1 as 1.0
    if low in vocabulary.YES_WORDS:
        return True
    if low in vocabulary.NO_WORDS:
        return False
    raise ValueError(f"is not yes/no (是/否): {text}")


def parse_satisfaction(raw: object) -> str | None:
    """满意/基本满意/不满意, 是/否 or a 1–5 score (5 satisfied, 4 basically, ≤3 dissatisfied)."""
    text = clean(raw)
    if text is None:
        return None
    key = text.removesuffix(".0")
    if key in vocabulary.SATISFACTION_WORDS:
        return vocabulary.SATISFACTION_WORDS[key]
    raise ValueError(f"has an unknown satisfaction value: {text} (expected 满意/基本满意/不满意, 是/否 or 1-5)")


SPECIAL_GROUPS: dict[str, str] = {
    **{name: key for key, name in groups.SPECIAL_GROUPS.items()},
    "独居老人": "elderly_alone", "空巢老人": "empty_nest", "残疾人": "disabled",
    "低保户": "low_income", "低保": "low_income", "特困人员": "extreme_poverty", "特困": "extreme_poverty",
    "失业人员": "unemployed", "下岗失业": "unemployed", "刑释解教": "released_prisoner",
    "刑满释放": "released_prisoner", "社区矫正": "community_correction", "流动人口": "floating",
    "重点帮扶": "key_assistance", "军烈属": "military_family", "优抚对象": "military_family",
    "大病家庭": "serious_illness", "重病": "serious_illness", "留守儿童": "left_behind_child",
}
_CANONICAL_GROUPS = set(groups.SPECIAL_GROUPS)
_GROUP_SEPARATORS = re.compile(r"[;；,，、/\s]+")


def parse_groups(raw: object) -> list[str]:
    """Special-group labels in any separator → sorted canonical keys."""
    text = clean(raw)
    if text is None:
        return []
    found: set[str] = set()
    for label in _GROUP_SEPARATORS.split(text):
        if not label:
            continue
        key = SPECIAL_GROUPS.get(label) or (label if label in _CANONICAL_GROUPS else None)
        if key is None:
            raise ValueError(f"has an unknown special group: {label}")
        found.add(key)
    return sorted(found)


def parse_positive_int(raw: object) -> int | None:
    """A whole number ≥ 1 (Excel may write 3 as 3.0)."""
    text = clean(raw)
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"is not a number: {text}") from None
    if not math.isfinite(value):
        raise ValueError(f"is not a number: {text}")
    if value != int(value) or value < 1:
        raise ValueError(f"must be a whole number of at least 1: {text}")
    return int(value)


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def parse_id_number(raw: object) -> str | None:
    """An 18-character resident ID whose last character is the GB 11643 check character."""
    text = clean(raw)
    if text is None:
        return None
    text = text.upper()
    if not re.fullmatch(r"\d{17}[\dX]", text):
        raise ValueError("must be 18 characters: 17 digits and a digit or X")
    total = sum(int(d) * w for d, w in zip(text[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != text[17]:
        raise ValueError("checksum fails (GB 11643): check for a mistyped digit")
    return text


def parse_phone(raw: object) -> str | None:
    """A mainland mobile (11 digits from 1) or a landline with optional area code."""
    text = clean(raw)
    if text is None:
        return None
    digits = re.sub(r"[\s\-()（）]", "", text).removeprefix("+86").removesuffix(".0")
    if re.fullmatch(r"1[3-9]\d{9}", digits) or re.fullmatch(r"0\d{2,3}\d{7,8}|\d{7,8}", digits):
        return digits
    raise ValueError(f"is not a mobile or landline number: {text}")


def parse_float(raw: object) -> float | None:
    """A decimal number such as a longitude."""
    text = clean(raw)
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"is not a number: {text}") from None


_CRS = {"wgs84": "wgs84", "wgs-84": "wgs84", "epsg:4326": "wgs84", "4326": "wgs84", "gps": "wgs84",
        "cgcs2000": "wgs84", "epsg:4490": "wgs84", "4490": "wgs84", "国家2000": "wgs84",
        "gcj02": "gcj02", "gcj-02": "gcj02", "火星坐标": "gcj02", "高德": "gcj02", "腾讯": "gcj02",
        "bd09": "bd09", "bd-09": "bd09", "百度": "bd09"}


def parse_crs(raw: object) -> str:
    """wgs84 (default; CGCS2000 is treated as WGS-84), gcj02 or bd09."""
    text = clean(raw)
    if text is None:
        return "wgs84"
    key = text.lower().replace(" ", "")
    if key in _CRS:
        return _CRS[key]
    raise ValueError(f"has an unknown coordinate system: {text} (expected wgs84, cgcs2000, gcj02 or bd09)")


def parse_enum(raw: object, mapping: dict[str, str]) -> str | None:
    """A value from a fixed vocabulary given in Chinese or as the canonical key."""
    text = clean(raw)
    if text is None:
        return None
    if text in mapping:
        return mapping[text]
    if text.lower() in mapping.values():
        return text.lower()
    raise ValueError(f"has an unknown value: {text} (expected one of {'/'.join(mapping)})")
