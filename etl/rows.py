"""Each dataset's rows, a chunk at a time: typed columns, and the first reason a row fails (or none).

The checks run in the order a clerk reads the row, and a row keeps the first
failure, so its reason names the first thing to fix.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from zoneinfo import ZoneInfo

import pandas as pd

from etl import address, frame, values
from gridgov.vocabulary import HAZARD_SEVERITY_WORDS, HAZARD_STATUS_WORDS


class Rows:
    """A chunk of one dataset: read cells by canonical name, collect typed columns and reasons."""

    def __init__(self, df: pd.DataFrame, zone: ZoneInfo) -> None:
        self.df = df
        # the community's time zone: offices write its wall-clock times
        self.datetimes = partial(frame.datetimes, zone=zone)
        self.dates = partial(frame.dates, zone=zone)
        self.out = pd.DataFrame(index=df.index)
        self.reason = pd.Series([None] * len(df), index=df.index, dtype="object")

    def text(self, name: str) -> pd.Series:
        if name in self.df:
            return frame.text(self.df[name])
        return pd.Series([None] * len(self.df), index=self.df.index, dtype="str")

    def fail(self, errors: pd.Series) -> None:
        """Rows with a message get it as their reason, unless an earlier check already failed them."""
        self.reason = self.reason.where(self.reason.notna(), errors)

    def keep(self, name: str, values_: pd.Series) -> pd.Series:
        self.out[name] = values_
        return values_

    def need(self, name: str) -> pd.Series:
        s = self.text(name)
        self.fail(pd.Series(f"{name} is empty", index=s.index).where(s.isna()))
        return self.keep(name, s)

    def plain(self, name: str) -> pd.Series:
        return self.keep(name, self.text(name))

    def parsed(self, name: str, parser: Callable[[pd.Series], frame.Parsed], *, required: bool = False) -> pd.Series:
        s = self.text(name)
        if required:
            self.fail(pd.Series(f"{name} is empty", index=s.index).where(s.isna()))
        v, e = parser(s)
        self.fail(frame.with_name(name, e))
        return self.keep(name, v)

    def mapped(self, name: str, scalar: Callable[[str], object], *, column: str | None = None) -> pd.Series:
        """A low-cardinality column: the scalar parser runs once per distinct value."""
        v, e = frame.by_unique(self.text(name), scalar)  # type: ignore[arg-type]
        self.fail(frame.with_name(name, e))
        return self.keep(column or name, v)

    def coordinates(self) -> None:
        lon = self.parsed("lon", frame.floats)
        lat = self.parsed("lat", frame.floats)
        self.fail(pd.Series("only one of lon/lat is given", index=lon.index).where(lon.isna() != lat.isna()))
        crs, e = frame.by_unique(self.text("crs"), values.parse_crs)
        self.fail(frame.with_name("crs", e))
        self.out["crs"] = crs.where(crs.notna(), "wgs84")

    def location(self) -> None:
        """Where the row is: given coordinates, and the gazetteer key of its address."""
        self.coordinates()
        self.match_key()

    def match_key(self) -> None:
        self.out["match_key"] = address.building_keys(self.out["address"]) if "address" in self.out else None


def _enum(mapping: dict[str, str]) -> Callable[[str], object]:
    return lambda raw: values.parse_enum(raw, mapping)


def grids(df: pd.DataFrame, zone: ZoneInfo) -> Rows:
    r = Rows(df, zone)
    r.need("grid_code")
    name = r.plain("grid_name")
    r.out["grid_name"] = name.where(name.notna(), r.out["grid_code"])
    r.need("community_name")
    r.plain("leader")
    for column in ("street_name", "street_code", "community_code"):  # optional: etl.gridnames checks they agree
        r.plain(column)
    return r


def buildings(df: pd.DataFrame, zone: ZoneInfo) -> Rows:
    r = Rows(df, zone)
    r.need("building_id")
    r.need("address")
    r.location()
    no_key = r.out["address"].notna() & r.out["match_key"].isna()
    r.fail(("no building number in address: " + r.out["address"].astype("object").fillna("")).where(no_key))
    return r


def households(df: pd.DataFrame, zone: ZoneInfo) -> Rows:
    r = Rows(df, zone)
    r.need("household_id")
    r.need("address")
    r.plain("head_name")
    r.parsed("id_number", frame.id_numbers)
    r.parsed("phone", frame.phones)
    r.parsed("members", frame.positive_ints)
    r.mapped("groups", values.parse_groups)
    r.location()
    return r


def facilities(df: pd.DataFrame, zone: ZoneInfo) -> Rows:
    r = Rows(df, zone)
    r.need("facility_id")
    for name in ("name", "type", "address"):
        r.plain(name)
    r.location()
    return r


def complaints(df: pd.DataFrame, zone: ZoneInfo) -> Rows:
    r = Rows(df, zone)
    r.need("ticket_id")
    r.parsed("received_at", r.datetimes, required=True)
    for name in ("category", "content", "address"):
        r.plain(name)
    r.parsed("responded_at", r.datetimes)
    r.parsed("resolved_at", r.datetimes)
    r.mapped("resolved", values.parse_bool)
    r.mapped("satisfied", values.parse_satisfaction, column="satisfaction")
    r.location()
    return r


def hazards(df: pd.DataFrame, zone: ZoneInfo) -> Rows:
    r = Rows(df, zone)
    r.need("hazard_id")
    r.parsed("found_at", r.datetimes, required=True)
    r.plain("type")
    r.mapped("severity", _enum(HAZARD_SEVERITY_WORDS))
    r.mapped("status", _enum(HAZARD_STATUS_WORDS))
    r.parsed("deadline", r.dates)
    r.parsed("closed_at", r.datetimes)
    r.plain("address")
    r.location()
    return r


def visits(df: pd.DataFrame, zone: ZoneInfo) -> Rows:
    r = Rows(df, zone)
    r.need("visit_id")
    r.need("household_id")
    r.parsed("visited_at", r.datetimes, required=True)
    r.plain("visitor")
    r.plain("notes")
    return r
