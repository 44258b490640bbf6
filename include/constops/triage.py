"""Record triage of one GP answer: every record loaded, flagged, or set aside with its reason.

One bad record never costs the other satellites their day. :func:`triage_answer` reads
an answer (:func:`constops.elements.read_records` sets aside the records that cannot be
propagated), then, over the whole answer, sets aside

- ``future_epoch``: an epoch more than ``max_future_epoch_h`` after the answer was
  acquired (no element set is fitted to observations not yet made);
- ``duplicate``: a second record of a NORAD id; the newest epoch is kept (then the
  highest element-set number, then the first given), the others are set aside,

and flags the unusual but valid ones (:mod:`constops.flags`). Whether the answer as a
whole is acceptable (the share set aside, the object count) is
:func:`constops.validation.check_payload`'s decision.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import elements
from .constants import SECONDS_PER_HOUR
from .elements import ElementSet, SetAside
from .flags import Flag, FlagThresholds, flags_of

#: How many NORAD ids and names a message quotes per rule.
EXAMPLES_PER_RULE = 3


@dataclass(frozen=True)
class Account:
    """What became of an answer's records, in counts and names: what operators are told."""

    record_count: int
    loaded_count: int
    set_aside: list[SetAside]
    flags: list[Flag]

    @property
    def unusable_count(self) -> int:
        """Return the records set aside because they cannot be propagated. Duplicates do not
        count: an answer with several element sets per object (a Space-Track ``gp_history``
        file) is whole, its newest kept."""
        return sum(s.rule != "duplicate" for s in self.set_aside)

    @property
    def set_aside_percent(self) -> float:
        """Return :attr:`unusable_count` as a share of the answer's records, in percent."""
        return 100.0 * self.unusable_count / self.record_count if self.record_count else 0.0

    @property
    def flagged_count(self) -> int:
        """Return the loaded element sets with at least one flag."""
        return len({f.norad_cat_id for f in self.flags})

    def set_aside_by_rule(self) -> dict[str, int]:
        """Return {rule: records set aside by it}, most frequent first."""
        return dict(Counter(s.rule for s in self.set_aside).most_common())

    def flagged_by_rule(self) -> dict[str, int]:
        """Return {rule: element sets flagged by it}, most frequent first."""
        return dict(Counter(f.rule for f in self.flags).most_common())

    def describe(self) -> str:
        """Return the one-line account an operator reads: records loaded, flagged by rule, and
        set aside by rule with the first NORAD ids and names of each."""
        text = f"{self.record_count} records: {self.loaded_count} loaded"
        if self.flags:
            text += f" ({self.flagged_count} flagged: {_counts(self.flagged_by_rule())})"
        if self.set_aside:
            parts = []
            for rule, count in self.set_aside_by_rule().items():
                quoted = [s for s in self.set_aside if s.rule == rule][:EXAMPLES_PER_RULE]
                more = ", ..." if count > len(quoted) else ""
                parts.append(f"{rule} {count}: " + ", ".join(_who(s) for s in quoted) + more)
            text += f", {len(self.set_aside)} set aside ({'; '.join(parts)})"
        return text

    def summary(self) -> dict:
        """Return the account as JSON-able counts (for run summaries and XCom), with its text."""
        return {
            "records": self.record_count, "loaded": self.loaded_count,
            "flagged": self.flagged_count, "flagged_by_rule": self.flagged_by_rule(),
            "set_aside": len(self.set_aside), "set_aside_by_rule": self.set_aside_by_rule(),
            "set_aside_first": [_who(s) for s in self.set_aside[:10]], "text": self.describe(),
        }


@dataclass(frozen=True)
class Triage:
    """One answer's records sorted out: the element sets to load, those set aside, the flags."""

    source: str
    record_count: int
    element_sets: list[ElementSet]
    set_aside: list[SetAside]
    flags: list[Flag]

    def account(self) -> Account:
        """Return what became of the records (see :class:`Account`)."""
        return Account(self.record_count, len(self.element_sets), self.set_aside, self.flags)


def triage_answer(
    payload: bytes,
    fmt: str | None,
    source: str,
    acquired_at: datetime,
    max_future_epoch_h: float,
    flag_thresholds: FlagThresholds = FlagThresholds(),
) -> Triage:
    """Return the triage of one answer acquired at ``acquired_at`` (aware UTC).

    Raises :class:`constops.errors.ElementsError` only for faults of the whole answer.
    """
    records = elements.read_records(payload, fmt, source=source)
    numbered = list(zip(_record_numbers(records), records.element_sets))
    latest = acquired_at + timedelta(hours=max_future_epoch_h)
    future = [(n, s) for n, s in numbered if s.epoch > latest]
    numbered = [(n, s) for n, s in numbered if s.epoch <= latest]
    kept, duplicates = _newest_per_norad(numbered)
    set_aside = sorted(
        records.set_aside
        + [_future(n, s, acquired_at, max_future_epoch_h) for n, s in future]
        + [_duplicate(n, s, kept_for) for n, s, kept_for in duplicates],
        key=lambda s: s.record_no,
    )
    kept_sets = [s for _, s in kept]
    flags = [flag for element_set in kept_sets for flag in flags_of(element_set, flag_thresholds)]
    return Triage(source, records.record_count, kept_sets, set_aside, flags)


def _record_numbers(records: elements.Records) -> list[int]:
    """Return the answer's record numbers (from 1) of ``records.element_sets``, in order."""
    aside = {s.record_no for s in records.set_aside}
    return [n for n in range(1, records.record_count + 1) if n not in aside]


def _newest_per_norad(numbered):
    """Return (kept, duplicates): one (record_no, element set) per NORAD id, the newest
    epoch first, then the highest element-set number, then the first given; and the others
    as (record_no, element set, the kept one), in answer order."""
    best: dict[int, tuple[int, ElementSet]] = {}
    for n, s in numbered:
        held = best.get(s.norad_cat_id)
        if held is None or (s.epoch, s.element_set_no) > (held[1].epoch, held[1].element_set_no):
            best[s.norad_cat_id] = (n, s)
    kept_numbers = {n for n, _ in best.values()}
    kept = [(n, s) for n, s in numbered if n in kept_numbers]
    duplicates = [(n, s, best[s.norad_cat_id]) for n, s in numbered if n not in kept_numbers]
    return kept, duplicates


def _future(record_no: int, s: ElementSet, acquired_at: datetime, max_future_epoch_h: float) -> SetAside:
    ahead_h = (s.epoch - acquired_at).total_seconds() / SECONDS_PER_HOUR
    return SetAside(record_no, s.norad_cat_id, s.object_name, "future_epoch", "EPOCH", s.epoch.isoformat(),
                    f"record {record_no} (NORAD {s.norad_cat_id}): epoch {s.epoch:%Y-%m-%d %H:%M} UTC is "
                    f"{ahead_h:.1f} h after the answer was acquired at {acquired_at:%Y-%m-%d %H:%M} UTC "
                    f"(limit {max_future_epoch_h:g} h)")


def _duplicate(record_no: int, s: ElementSet, kept_for: tuple[int, ElementSet]) -> SetAside:
    kept_no, kept = kept_for
    return SetAside(record_no, s.norad_cat_id, s.object_name, "duplicate", "EPOCH", s.epoch.isoformat(),
                    f"record {record_no} (NORAD {s.norad_cat_id}): a second element set of the object; "
                    f"record {kept_no} (epoch {kept.epoch:%Y-%m-%d %H:%M:%S} UTC) is kept")


def _who(s: SetAside) -> str:
    """Return "69087 QIANFAN-141" (or "record 12" when the record names no object)."""
    who = " ".join(str(part) for part in (s.norad_cat_id, s.object_name) if part not in (None, ""))
    return who or f"record {s.record_no}"


def _counts(by_rule: dict[str, int]) -> str:
    return ", ".join(f"{rule} {count}" for rule, count in by_rule.items())

