"""How old a snapshot is for a day, and whether it is fresh enough to compute that day.

A snapshot's age for day D is the time from its median element-set epoch to the start
of D, in days (negative when the epochs lie after D's start, as in a hindsight choice).
The median, not the newest epoch, so that one freshly re-issued satellite does not make
a week-old answer look new. A day is computed only when ``|age| <= max_snapshot_age_days``
(settings ``[ingest]``, default 3).

Why 3 days (``benchmarks/snapshot_age.py`` on the seven daily Qianfan answers of
2025-11-14..20, Akkol at 10 deg, passes matched to those from the answer of the next
day): for the satellites on station, the 95th percentile of the AOS error stays at or
under 0.4 s up to an age of 3 days (worst 2.6 s); from 4 days on, 3% of the passes are
missed or invented, and the satellites off station (orbit raising, stranded) are off by
17 minutes at the 95th percentile (18 minutes at 5 days). Those off-station satellites
already err by 4 minutes at the 95th percentile at an age of 1 day: no age limit makes
manoeuvring satellites predictable, the limit bounds how much of the fleet goes wrong.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import date, datetime

from .constants import SECONDS_PER_DAY
from .timescale import day_bounds


def median_epoch(epochs: Iterable[datetime]) -> datetime:
    """Return the median of element-set epochs (aware UTC); the lower middle of an even count."""
    return statistics.median_low(sorted(epochs))


def age_days(epoch: datetime, day: date) -> float:
    """Return the age of elements of ``epoch`` at the start of ``day``, in days (negative:
    the epoch lies after the day's start)."""
    start, _ = day_bounds(day)
    return (start - epoch).total_seconds() / SECONDS_PER_DAY


def is_fresh(age: float, max_age_days: float) -> bool:
    """Return True when a snapshot of age ``age`` days may compute a day."""
    return abs(age) <= max_age_days
