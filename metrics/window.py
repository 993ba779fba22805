"""Reporting windows: [since, until) of UTC midnights, and their query parameters."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["Window", "default_window", "week_start", "GROUPINGS"]

GROUPINGS = ("org", "team", "service", "repo")


@dataclass(frozen=True)
class Window:
    """A reporting window: `since` included, `until` excluded, both UTC midnights."""

    since: date
    until: date

    def __post_init__(self) -> None:
        if self.until <= self.since:
            raise ValueError(f"empty window: until {self.until} is not after since {self.since}")

    @property
    def days(self) -> int:
        return (self.until - self.since).days

    @property
    def weeks(self) -> float:
        return self.days / 7

    def bounds(self) -> tuple[datetime, datetime]:
        """The window's start and end as UTC datetimes."""
        return (datetime.combine(self.since, time(), UTC),
                datetime.combine(self.until, time(), UTC))

    def previous(self) -> Window:
        """The period of equal length just before this one."""
        return Window(self.since - timedelta(days=self.days), self.since)


def default_window(today: date | None = None, days: int = 90) -> tuple[date, date]:
    """The `days` days ending today (today included): (since, until) with until exclusive."""
    today = today or datetime.now(UTC).date()
    until = today + timedelta(days=1)
    return until - timedelta(days=days), until


def week_start(moment: datetime, tz: ZoneInfo) -> date:
    """The Monday, in time zone `tz`, of the week holding `moment`."""
    local = moment.astimezone(tz).date()
    return local - timedelta(days=local.weekday())
