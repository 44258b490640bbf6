"""Plausibility limits on a whole GP payload, beyond each record's own validity.

A payload can be well-formed and still wrong: element sets dated in the future, a
payload whose newest element set is weeks old (a stale cache), or far fewer objects
than the previous snapshot of the group (a truncated or filtered answer). Each limit
is a setting (``[ingest]`` in the settings file); a payload beyond one is rejected
with an ElementsError that says which limit and by how much.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .elements import ElementSet, ElementsError


@dataclass(frozen=True)
class PayloadLimits:
    """Limits of an acceptable payload (see the module docstring)."""

    #: Largest body read from CelesTrak; a larger one is cut there, archived and rejected.
    max_body_bytes: int = 20_000_000
    #: Element-set epochs may lie at most this far after the acquisition time (clock skew).
    max_future_epoch_h: float = 6.0
    #: The newest epoch of a payload may be at most this old at acquisition.
    stale_after_days: float = 7.0
    #: At most this share of the previous snapshot's objects may vanish at once.
    max_count_drop_percent: float = 20.0


def check_payload(
    element_sets: Sequence[ElementSet],
    acquired_at: datetime,
    previous_count: int | None,
    limits: PayloadLimits,
    source: str,
) -> None:
    """Raise ElementsError naming ``source`` and the limit when the payload is implausible."""
    future = [s for s in element_sets if s.epoch > acquired_at + timedelta(hours=limits.max_future_epoch_h)]
    if future:
        first = min(future, key=lambda s: s.epoch)
        raise ElementsError(
            f"{source}: {len(future)} element set(s) have epochs in the future, more than "
            f"{limits.max_future_epoch_h:g} h after acquisition at {acquired_at:%Y-%m-%d %H:%M} UTC "
            f"(e.g. NORAD {first.norad_cat_id} at {first.epoch:%Y-%m-%d %H:%M} UTC)")
    newest = max(s.epoch for s in element_sets)
    if acquired_at - newest > timedelta(days=limits.stale_after_days):
        raise ElementsError(
            f"{source}: stale payload: its newest epoch {newest:%Y-%m-%d %H:%M} UTC is "
            f"{(acquired_at - newest).total_seconds() / 86400:.1f} days before acquisition "
            f"(limit {limits.stale_after_days:g} days)")
    if previous_count:
        drop_percent = 100.0 * (previous_count - len(element_sets)) / previous_count
        if drop_percent > limits.max_count_drop_percent:
            raise ElementsError(
                f"{source}: object count dropped from {previous_count} to {len(element_sets)} "
                f"({drop_percent:.0f}%, limit {limits.max_count_drop_percent:g}%)")
