"""The filters of a data URL's query string, parsed, checked and bounded on the server.

    ?grid=G01&grid=G02 (or grid=G01,G02)  from=2024-03-01  to=2024-03-31
    category=fire_lane (repeat)  status=open (repeat)  as_of=2024-03-15  period=week|month

Anything else, or a value that does not parse, is a 400 (InputError) before
anything is computed; what the viewer may see of them is decided afterwards by
the registry's `scope`. Every data URL, every download and the export page's
callbacks go through `parse`, so each size a user chooses is bounded here, in
one place:

- at most `max_filter_grids` grids (GRIDGOV_MAX_FILTER_GRIDS), MAX_VALUES
  categories and MAX_VALUES statuses, each value at most MAX_LENGTH characters
  and free of control characters (a NUL byte never reaches the database);
- every date (from, to, as_of) within the layers' calendar bounds
  (registry.calendar_bounds: GRIDGOV_FILTER_YEARS either side of today's year,
  as `gridgov export` is held to), so no computation reaches the ends of the
  calendar, where date arithmetic fails.
  A window may start as early as one likes: the layers' work grows with the
  records in the window, which the data bounds, not with its length; the one
  layer whose work grows with the window's length, the emerging hot spots,
  bounds its number of periods (GRIDGOV_EMERGING_MAX_WEEKS / _MONTHS,
  layers.emerging), which also bounds the memory its permutations take.
"""

from __future__ import annotations

import re
from datetime import date

from flask import request
from werkzeug.datastructures import MultiDict

from dashboard.web.appctx import settings
from gridgov.errors import InputError
from gridgov.settings import DashboardSettings, LayerSettings
from layers import registry
from layers.registry import Filters

PARAMETERS = ("grid", "from", "to", "category", "status", "as_of", "period")
MAX_VALUES = 500  # categories or statuses: the vocabularies hold tens; more is a mistake, not a question
MAX_LENGTH = 200  # characters of one grid code, category or status
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _many(args: MultiDict[str, str], name: str, most: int) -> tuple[str, ...]:
    values = [v.strip() for raw in args.getlist(name) for v in raw.split(",")]
    values = [v for v in values if v]
    if len(values) > most:
        raise InputError(f"too many values for {name}: {len(values):,} (at most {most:,})")
    for value in values:
        if _CONTROL.search(value):
            raise InputError(f"a {name} may not contain control characters (such as NUL)")
        if len(value) > MAX_LENGTH:
            raise InputError(f"a {name} is at most {MAX_LENGTH} characters, not {len(value):,}")
    return tuple(dict.fromkeys(values))


def _day(args: MultiDict[str, str], name: str, latest: date, earliest: date | None = None) -> date | None:
    values = args.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise InputError(f"{name} is given more than once")
    try:
        day = date.fromisoformat(values[0])
    except ValueError:
        raise InputError(f"{name} must be a date as YYYY-MM-DD, not {values[0][:40]!r}") from None
    if day > latest:
        raise InputError(f"{name} {day} is too far ahead: the latest date accepted is {latest}")
    if earliest is not None and day < earliest:
        raise InputError(f"{name} {day} is too far back: the earliest date accepted is {earliest}")
    return day


def parse(args: MultiDict[str, str], limits: DashboardSettings, layers: LayerSettings) -> Filters:
    """Filters from a query string; an InputError naming the parameter that is wrong or out of bounds."""
    unknown = sorted(set(args) - set(PARAMETERS))
    if unknown:
        named = ", ".join(name[:40] for name in unknown[:5]) + (", …" if len(unknown) > 5 else "")
        raise InputError(f"unknown parameter {named}; parameters: {', '.join(PARAMETERS)}")
    period = args.get("period", "month")
    if period not in ("week", "month"):
        raise InputError(f"period must be week or month, not {period[:40]!r}")
    earliest, latest = registry.calendar_bounds(layers)
    return Filters(
        grids=_many(args, "grid", limits.max_filter_grids),
        start=_day(args, "from", latest),
        end=_day(args, "to", latest),
        categories=_many(args, "category", MAX_VALUES),
        statuses=_many(args, "status", MAX_VALUES),
        as_of=_day(args, "as_of", latest, earliest),
        period="week" if period == "week" else "month",
    )


def parse_for_app(args: MultiDict[str, str]) -> Filters:
    """`parse` with the app's limits and the community's today (for a request being answered)."""
    config = settings()
    return parse(args, config.dashboard, config.layers)


def from_request() -> Filters:
    """The Filters of this request's query string."""
    return parse_for_app(request.args)
