"""Records of the demo community and the small helpers every dataset uses."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

import _demo_text as txt
import numpy as np

Rng = np.random.Generator
Row = list[str]

# The day the committed geodata/demo is made as of (the tests pin the community's clock there); `make demo`
# and the Docker image make the community as of the day they run instead.
REFERENCE_AS_OF = dt.date(2026, 10, 31)
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


def months_back(day: dt.date, k: int) -> dt.date:
    """The day k calendar months before `day`: the same day of the month, cut to the shorter month's length;
    from the last day of a month, the last day of the earlier month (so month ends map onto month ends)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - k, 12)
    length = calendar.monthrange(year, month0 + 1)[1]
    month_end = day.day == calendar.monthrange(day.year, day.month)[1]
    return dt.date(year, month0 + 1, length if month_end else min(day.day, length))


def next_month(month: dt.date) -> dt.date:
    """The first day of the month after `month`."""
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """The demo's year of records: the 12 months ending on the day `as_of`, that day included.

    Made as of a month's last day the year is 12 calendar months (as of 2026-10-31: 2025-11-01 .. 2026-10-31);
    as of any other day it starts mid-month, and the current calendar month is partial, up to as_of.
    """

    as_of: dt.date

    @property
    def start(self) -> dt.datetime:
        """The first moment of the year: midnight after the day 12 months before as_of."""
        first = months_back(self.as_of, 12) + dt.timedelta(days=1)
        return dt.datetime(first.year, first.month, first.day)

    @property
    def cutoff(self) -> dt.datetime:
        """The last second of as_of: the exports are "as of" the end of that day."""
        return dt.datetime.combine(self.as_of, dt.time(23, 59, 59))

    @property
    def whole_months(self) -> bool:
        """Whether the year is whole calendar months (as_of is the last day of its month)."""
        return (self.as_of + dt.timedelta(days=1)).day == 1

    @property
    def months(self) -> list[dt.date]:
        """The first days of the calendar months the year touches, oldest first (12, or 13 with two partial)."""
        month, out = self.start.date().replace(day=1), []
        while month <= self.as_of:
            out.append(month)
            month = next_month(month)
        return out

    def days_of(self, month: dt.date) -> tuple[dt.date, dt.date]:
        """The first and the last day of `month` (its first day) inside the year."""
        return max(month, self.start.date()), min(next_month(month) - dt.timedelta(days=1), self.as_of)

    def share_of(self, month: dt.date) -> float:
        """The fraction of `month`'s days inside the year: 1.0 for a whole month."""
        first, last = self.days_of(month)
        return ((last - first).days + 1) / (next_month(month) - month).days

    def windows(self, n: int) -> list[tuple[dt.date, dt.date]]:
        """The last n month-long stretches ending on as_of, oldest first, as (first day, last day): the last n
        calendar months when as_of is a month's last day, else e.g. 02-16 .. 03-15 and so on back."""
        return [(months_back(self.as_of, k + 1) + dt.timedelta(days=1), months_back(self.as_of, k))
                for k in range(n - 1, -1, -1)]

    def random_day(self, rng: Rng, first: dt.date | None = None, last: dt.date | None = None) -> dt.date:
        """A day from `first` to `last` (both included), by default of the whole year."""
        first = self.start.date() if first is None else first
        last = self.as_of if last is None else last
        return first + dt.timedelta(days=int(rng.integers((last - first).days + 1)))


REFERENCE = Period(REFERENCE_AS_OF)
START = REFERENCE.start  # 2025-11-01 00:00:00 (bench/make_city.py spans the same year)
CUTOFF = REFERENCE.cutoff  # 2026-10-31 23:59:59


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
