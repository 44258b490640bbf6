"""Which UTC days the pipeline can compute, and the message for one it cannot."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ..errors import DayOutOfRangeError
from ..timescale import as_utc, parse_day


def computable_range(first_day: date, now: datetime, horizon_days: int = 2) -> tuple[date, date]:
    """Return (first, last): the days that can be computed at ``now``, both included. The
    last is the end of the planning horizon (``[pipeline] horizon_days`` after today, UTC;
    tomorrow at least): the days today's elements plan."""
    return first_day, as_utc(now).date() + timedelta(days=max(1, horizon_days))


def check_day(text: str | date, first_day: date, now: datetime, horizon_days: int = 2) -> date:
    """Return the day named by ``text`` (``YYYY-MM-DD`` or a date) when the pipeline can
    compute it at ``now`` with a planning horizon of ``horizon_days``; DayOutOfRangeError
    says why not and what is accepted."""
    first, last = computable_range(first_day, now, horizon_days)
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
            f"day {day.isoformat()} lies beyond the planning horizon ({(last - as_utc(now).date()).days} days ahead, "
            f"[pipeline] horizon_days): its passes cannot be predicted from today's elements to the accuracy "
            f"the pipeline promises; {accepted}", day=day, first=first, last=last)
    return day
