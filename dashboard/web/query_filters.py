"""The filters of a data URL's query string, parsed and checked on the server.

    ?grid=G01&grid=G02 (or grid=G01,G02)  from=2024-03-01  to=2024-03-31
    category=fire_lane (repeat)  status=open (repeat)  as_of=2024-03-15  period=week|month

Anything else, or a value that does not parse, is a 400 (InputError); what the
viewer may see of them is decided afterwards by the registry's `scope`.
"""

from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict

from gridgov.errors import InputError
from layers.registry import Filters

PARAMETERS = ("grid", "from", "to", "category", "status", "as_of", "period")
MAX_VALUES = 500  # more grids or categories than a district has is a mistake, not a question


def _many(args: MultiDict[str, str], name: str) -> tuple[str, ...]:
    values = [v.strip() for raw in args.getlist(name) for v in raw.split(",")]
    values = [v for v in values if v]
    if len(values) > MAX_VALUES:
        raise InputError(f"too many values for {name} (at most {MAX_VALUES})")
    return tuple(dict.fromkeys(values))


def _day(args: MultiDict[str, str], name: str) -> date | None:
    values = args.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise InputError(f"{name} is given more than once")
    try:
        return date.fromisoformat(values[0])
    except ValueError:
        raise InputError(f"{name} must be a date as YYYY-MM-DD, not {values[0]!r}") from None


def parse(args: MultiDict[str, str]) -> Filters:
    """Filters from a query string; an InputError naming the parameter that is wrong."""
    unknown = sorted(set(args) - set(PARAMETERS))
    if unknown:
        raise InputError(f"unknown parameter {', '.join(unknown)}; parameters: {', '.join(PARAMETERS)}")
    period = args.get("period", "month")
    if period not in ("week", "month"):
        raise InputError(f"period must be week or month, not {period!r}")
    return Filters(
        grids=_many(args, "grid"),
        start=_day(args, "from"),
        end=_day(args, "to"),
        categories=_many(args, "category"),
        statuses=_many(args, "status"),
        as_of=_day(args, "as_of"),
        period="week" if period == "week" else "month",
    )
