"""Limits of a whole GP answer, beyond each record's own validity; and the age limit of a day's snapshot.

A payload can be well-formed and still wrong as a whole: one whose newest element set is
weeks old (a stale cache), one that lost many of the previous snapshot's objects (a
truncated or filtered answer), one where too many records had to be set aside (a broken
answer, rather than a few odd satellites). Each limit is a setting (``[ingest]`` in the
settings file, documented in docs/operators.md with its default and why); a payload beyond one
is archived, recorded as rejected, and the ingest fails with an ElementsError that says
which limit and by how much, with the triage's account of the records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .constants import SECONDS_PER_DAY
from .defaults import default
from .errors import ElementsError
from .triage import Triage


@dataclass(frozen=True)
class PayloadLimits:
    """Limits of an acceptable answer and of a day's snapshot (see the module docstring)."""

    #: Largest body read from CelesTrak; a larger one is cut there, archived and rejected.
    max_body_bytes: int = default("ingest", "max_body_bytes")
    #: A record whose epoch lies more than this after the acquisition time is set aside, h.
    max_future_epoch_h: float = default("ingest", "max_future_epoch_h")
    #: The newest epoch of a payload may be at most this old at acquisition, days.
    stale_after_days: float = default("ingest", "stale_after_days")
    #: At most this share of the previous snapshot's objects may vanish at once, percent.
    max_count_drop_percent: float = default("ingest", "max_count_drop_percent")
    #: An answer with more than this share of its records set aside as unusable (duplicates
    #: apart) is rejected whole, percent.
    max_set_aside_percent: float = default("ingest", "max_set_aside_percent")
    #: A day is computed only from a snapshot whose median epoch is at most this far from
    #: the day's start, days (see constops.freshness).
    max_snapshot_age_days: float = default("ingest", "max_snapshot_age_days")

    def __post_init__(self):
        if isinstance(self.max_body_bytes, bool) or not isinstance(self.max_body_bytes, int):
            raise ValueError(f"[ingest] max_body_bytes={self.max_body_bytes!r} must be a whole number of bytes")
        for name, value in vars(self).items():
            if not (isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0):
                raise ValueError(f"[ingest] {name}={value!r} must be a number >= 0")


def check_payload(triage: Triage, acquired_at: datetime, previous_count: int | None, limits: PayloadLimits) -> None:
    """Raise ElementsError naming the answer, the limit and the triage when the answer as a
    whole is implausible; return None when it may be loaded."""
    source, loaded, account = triage.source, triage.element_sets, triage.account()

    def reject(why: str):
        raise ElementsError(f"{source}: {why}; {account.describe()}")

    if account.set_aside_percent > limits.max_set_aside_percent:
        reject(f"{account.unusable_count} of {triage.record_count} records ({account.set_aside_percent:.0f}%) "
               f"cannot be propagated and are set aside, more than the limit of {limits.max_set_aside_percent:g}%")
    if not loaded:
        reject("no record can be loaded")
    newest = max(s.epoch for s in loaded)
    if acquired_at - newest > timedelta(days=limits.stale_after_days):
        reject(f"stale payload: its newest epoch {newest:%Y-%m-%d %H:%M} UTC is "
               f"{(acquired_at - newest).total_seconds() / SECONDS_PER_DAY:.1f} days before acquisition "
               f"(limit {limits.stale_after_days:g} days)")
    if previous_count:
        drop_percent = 100.0 * (previous_count - len(loaded)) / previous_count
        if drop_percent > limits.max_count_drop_percent:
            reject(f"object count dropped from {previous_count} to {len(loaded)} "
                   f"({drop_percent:.0f}%, limit {limits.max_count_drop_percent:g}%)")
