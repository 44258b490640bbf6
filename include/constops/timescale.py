"""UTC days and sample grids in the two-part Julian dates that SGP4 takes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import numpy as np
from sgp4.api import jday

from .constants import SECONDS_PER_DAY


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Return the UTC window [day 00:00, day+1 00:00) as timezone-aware datetimes."""
    start = datetime.combine(day, time(0), tzinfo=timezone.utc)
    return start, start + timedelta(days=1)


def parse_day(text: str) -> date:
    """Return the date in an ISO ``YYYY-MM-DD`` string (a timestamp's date part is accepted)."""
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        raise ValueError(f"day {text!r} is not an ISO date YYYY-MM-DD") from None


def as_utc(moment: datetime) -> datetime:
    """Return the aware datetime ``moment`` in UTC.

    The library's one rule for naive datetimes: refused (ValueError naming the value), as
    a time without a zone is ambiguous. The two places where a missing zone is known to
    mean UTC say so themselves: values read back from the reporting database
    (``reporting.store.utc``: SQLite keeps no zone) and ISO text of the pipeline's clock
    (``clock.parse_utc``)."""
    if moment.tzinfo is None:
        raise ValueError(f"{moment.isoformat()} has no time zone: give an aware datetime (UTC)")
    return moment.astimezone(timezone.utc)


def julian(moment: datetime) -> tuple[float, float]:
    """Return (jd, fraction): two floats whose sum is the Julian date of a UTC instant."""
    m = as_utc(moment)
    return jday(m.year, m.month, m.day, m.hour, m.minute, m.second + m.microsecond * 1e-6)


@dataclass(frozen=True)
class TimeGrid:
    """``count`` instants ``start + k * step_s`` (k = 0 .. count-1), UTC."""

    start: datetime
    step_s: float
    count: int

    @classmethod
    def covering(cls, start: datetime, end: datetime, step_s: float) -> TimeGrid:
        """Return the grid from ``start`` in ``step_s`` steps with every instant before ``end``."""
        span_s = (as_utc(end) - as_utc(start)).total_seconds()
        return cls(as_utc(start), float(step_s), int(np.ceil(span_s / step_s - 1e-9)))

    @property
    def offsets_s(self) -> np.ndarray:
        """Return the seconds from ``start`` of every instant, shape (count,)."""
        return np.arange(self.count) * self.step_s

    def julian(self) -> tuple[np.ndarray, np.ndarray]:
        """Return (jd, fraction) arrays of every instant, each of shape (count,)."""
        return self.julian_at(self.offsets_s)

    def julian_at(self, offsets_s) -> tuple[np.ndarray, np.ndarray]:
        """Return (jd, fraction) arrays, of the shape of ``offsets_s``, of the instants
        ``offsets_s`` seconds after ``start`` (any offsets, not only the grid's): the start's
        Julian date split as :func:`julian` does, with the offsets added to the fraction."""
        jd0, fr0 = julian(self.start)
        offsets_s = np.asarray(offsets_s, dtype=float)
        return np.full(offsets_s.shape, jd0), fr0 + offsets_s / SECONDS_PER_DAY

    def instant(self, offset_s: float) -> datetime:
        """Return the UTC datetime ``offset_s`` seconds after ``start``."""
        return self.start + timedelta(seconds=float(offset_s))


def true_runs(mask) -> list[tuple[int, int]]:
    """Return the ``[first, stop)`` index ranges of the runs of True samples of a boolean
    array (of a time grid's samples, say), in order."""
    edges = np.diff(np.concatenate([[0], np.asarray(mask).astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()))
