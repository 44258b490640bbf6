"""Which UTC days the pipeline can compute, and the message for one it cannot."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ..errors import DayOutOfRangeError
from ..timescale import as_utc, parse_day


def computable_range(first_day: date, now: datetime) -> tuple[date, date]:
    """Return (first, last): the days that can be computed at ``now``, both included. The
    last is tomorrow (UTC): an operator may plan the next day's passes from today's elements."""
    return first_day, as_utc(now).date() + timedelta(days=1)


def check_day(text: str | date, first_day: date, now: datetime) -> date:
    """Return the day named by ``text`` (``YYYY-MM-DD`` or a date) when the pipeline can
    compute it at ``now``; DayOutOfRangeError says why not and what is accepted."""
    first, last = computable_range(first_day, now)
    accepted = f"accepted: a UTC day YYYY-MM-DD from {first.isoformat()} to {last.isoformat()}"
    try:
        day = text if isinstance(text, date) else parse_day(text)
    except ValueError as exc:
        raise DayOutOfRangeError(f"{exc}; {accepted}", first=first, last=last) from None
    if day < first:
        raise DayOutOfRangeError(
            f"day {day.isoformat()} is before the pipeline's first day {first.isoformat()} "
            f"([pipeline] first_day): no element sets of it are archived; {accepted}", day=day, first=first, last=last)
    if day > last:
        raise DayOutOfRangeError(
            f"day {day.isoformat()} lies more than a day ahead: its passes cannot be predicted from "
            f"today's elements to the accuracy the pipeline promises; {accepted}", day=day, first=first, last=last)
    return day
