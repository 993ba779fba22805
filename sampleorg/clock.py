"""Working time: when people of a team commit, review and merge (weekdays, 09:00-18:00 local)."""
from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

__all__ = ["TeamClock", "log_uniform", "midnight", "stamp", "weekdays"]

WORK_START = 9
WORK_END = 18


def midnight(day: date) -> datetime:
    """00:00 UTC of `day`."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def weekdays(start: date, end: date) -> Iterator[date]:
    """Monday to Friday dates in [start, end)."""
    day = start
    while day < end:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


def log_uniform(rng: random.Random, low: float, high: float) -> float:
    """A draw between low and high, uniform on a log scale (most values near the low end)."""
    if low <= 0:
        return rng.uniform(low, high)
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def stamp(moment: datetime, tz: timezone = UTC) -> str:
    """ISO 8601 with an offset, whole seconds: `Z` for UTC, else the offset of `tz`."""
    local = moment.astimezone(tz).replace(microsecond=0)
    text = local.isoformat()
    return text.replace("+00:00", "Z")


@dataclass(frozen=True)
class TeamClock:
    """Working hours of a team in its time zone; every datetime in and out is aware (UTC)."""

    tz: timezone

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def is_working(self, moment: datetime) -> bool:
        local = self.local(moment)
        return local.weekday() < 5 and WORK_START <= local.hour < WORK_END

    def day_start(self, day: date) -> datetime:
        """09:00 local on `day`, in UTC."""
        return datetime.combine(day, time(WORK_START), tzinfo=self.tz).astimezone(UTC)

    def at(self, day: date, rng: random.Random) -> datetime:
        """A random working moment on `day` (a weekday), whole seconds."""
        seconds = rng.randrange((WORK_END - WORK_START) * 3600)
        return self.day_start(day) + timedelta(seconds=seconds)

    def next_working(self, moment: datetime, rng: random.Random | None = None) -> datetime:
        """`moment` if it is working time, else the next working morning (plus up to 2 h)."""
        if self.is_working(moment):
            return moment
        local = self.local(moment)
        day = local.date() if local.hour < WORK_START else local.date() + timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        jitter = timedelta(seconds=rng.randrange(7200)) if rng is not None else timedelta(0)
        return self.day_start(day) + jitter
