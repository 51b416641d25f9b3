"""The community's clock: the one "now" and "today" every date-dependent computation asks.

A community lives on its own calendar (settings.timezone): its day, week and
month start at local midnight, whatever the server's time zone. Windows,
due and overdue visits, late work orders, hazard deadlines, the wall's "this
week" and the ETL's "not in the future" all take their date from here, so
they agree with each other, and so one setting (settings.now) can pin the
clock for tests, for a demo made for a given day, or to replay a past day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Clock:
    """The time in the community's zone: the machine's, or a fixed instant when `fixed` is set."""

    zone: ZoneInfo
    fixed: datetime | None = None  # aware; None: the machine's clock

    def now(self) -> datetime:
        """Now, as an aware date-time in the community's zone."""
        return self.fixed.astimezone(self.zone) if self.fixed else datetime.now(self.zone)

    def today(self) -> date:
        """The community's date now: "as of today" answers change at its midnight."""
        return self.now().date()

    def week_start(self, day: date | None = None) -> date:
        """Monday of the ISO week holding `day` (today by default)."""
        day = day or self.today()
        return day - timedelta(days=day.weekday())

    def month_start(self, day: date | None = None) -> date:
        """The first day of the month holding `day` (today by default)."""
        return (day or self.today()).replace(day=1)

    def local(self, naive: datetime) -> datetime:
        """A wall-clock time as offices write it (no zone) placed in the community's zone."""
        return naive.replace(tzinfo=self.zone)


def make_clock(timezone: str, now: datetime | None = None) -> Clock:
    """The clock of a community in `timezone`; `now` pins it (a naive `now` is read as community time)."""
    zone = ZoneInfo(timezone)
    if now is not None and now.tzinfo is None:
        now = now.replace(tzinfo=zone)
    return Clock(zone, now)
