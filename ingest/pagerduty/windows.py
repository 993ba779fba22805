"""Date windows for PagerDuty's incident list: `since`/`until` may span at most 6 months (we
use 180 days), and offset + limit may not pass 10,000, so a window holding more is halved."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

__all__ = ["MAX_SPAN", "windows", "halves"]

MAX_SPAN = timedelta(days=180)


def windows(start: datetime, end: datetime, span: timedelta = MAX_SPAN) -> Iterator[tuple[datetime, datetime]]:
    """[start, end) cut into consecutive windows of at most `span`, oldest first."""
    while start < end:
        stop = min(start + span, end)
        yield start, stop
        start = stop


def halves(start: datetime, end: datetime) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
    middle = start + (end - start) / 2
    return (start, middle), (middle, end)
