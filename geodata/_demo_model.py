"""Records of the demo community and the small helpers every dataset uses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import _demo_text as txt
import numpy as np

Rng = np.random.Generator
Row = list[str]

START = dt.datetime(2025, 11, 1)
CUTOFF = dt.datetime(2026, 10, 31, 23, 59, 59)  # the exports are "as of" the end of the demo year
MONTHS = [dt.date(2025 + (10 + m) // 12, (10 + m) % 12 + 1, 1) for m in range(12)]  # 2025-11 .. 2026-10
DAY_HOURS = np.array([1, .5, .3, .2, .2, .3, 1, 3, 6, 8, 8, 7, 6, 6, 7, 7, 6, 6, 6, 6, 5, 4, 3, 2], dtype=float)
NIGHT_HOURS = np.array([4, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 6, 6], dtype=float)
WORK_HOURS = np.array([0] * 8 + [1] * 10 + [0] * 6, dtype=float)  # 08:00-17:59


@dataclass(frozen=True)
class Building:
    bid: str
    compound: str
    number: int
    grid: int
    lon: float
    lat: float

    @property
    def address(self) -> str:
        return f"北京市朝阳区{self.compound}{self.number}号楼"


@dataclass
class Household:
    hid: str
    building: Building
    unit: int
    floor: int
    door: int
    style: int = 1
    address: str = ""
    name: str = ""
    id_number: str = ""
    phone: str = ""
    members: int = 1
    groups: list[str] = field(default_factory=list)
    groups_text: str = ""
    bad: str = ""  # "" for a good row, else a key of BAD_HOUSEHOLDS

    @property
    def room(self) -> int:
        return self.floor * 100 + self.door


@dataclass
class Table:
    """One output file: its rows as written plus counts for the README."""

    name: str
    header: Row
    rows: list[Row]
    encoding: str = "utf-8-sig"
    bad: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def fmt_time(t: dt.datetime | None) -> str:
    return "" if t is None else f"{t:%Y-%m-%d %H:%M:%S}"


def fmt_coord(v: float) -> str:
    return f"{v:.7f}"


def random_time(rng: Rng, day: dt.date, hours: np.ndarray) -> dt.datetime:
    """A moment on `day`, the hour drawn from the weights `hours`."""
    hour = int(rng.choice(24, p=hours / hours.sum()))
    return dt.datetime(day.year, day.month, day.day, hour, int(rng.integers(60)), int(rng.integers(60)))


def random_day(rng: Rng, month: dt.date | None = None) -> dt.date:
    """A day of the given month, or of the whole demo year."""
    if month is None:
        return START.date() + dt.timedelta(days=int(rng.integers((CUTOFF - START).days + 1)))
    nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return month + dt.timedelta(days=int(rng.integers((nxt - month).days)))


def weighted_pick(rng: Rng, weights: dict[str, float]) -> str:
    keys = list(weights)
    p = np.array([weights[k] for k in keys])
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def building_address(rng: Rng, b: Building) -> str:
    """Building-level address in style 1/2/3; the compound sometimes with an Arabic numeral."""
    style = 1 + int(rng.choice(3, p=txt.BUILDING_STYLE_WEIGHTS))
    compound = txt.ARABIC_COMPOUND.get(b.compound, b.compound) if rng.random() < 0.05 else b.compound
    return txt.building_address(rng, style, compound, b.number)


# What each kind of deliberately bad row is, as the generated READMEs say it (shared with bench/make_city.py).
BAD_LABELS = {
    "unknown_compound": "居住地址 names a compound not in the gazetteer (e.g. 甘露园南里九区)",
    "unknown_building": "居住地址 names a building number the compound does not have",
    "blank_address": "居住地址 empty or blank",
    "bad_checksum": "身份证号 with a wrong GB 11643 check character",
    "zero_members": "家庭人口 = 0",
    "no_location": "诉求地址 matches no building and no coordinates are given",
}
