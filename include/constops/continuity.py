"""What a contact plan gives the service: continuity, outages, handovers, and the upper bound.

A contact's link counts over ``[start_s + handover_overlap_s, end_s)`` (s of the day): the
antenna needs the overlap to establish it, as the planner assumes (:mod:`constops.contact_plan`).
The upper bound is the share of the day in which some usable interval could carry a link
counted the same way: no plan, whatever its antennas, does better.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .constants import SECONDS_PER_DAY
from .contact_plan import Contact, ContactPlan
from .keep_out import CAUSES
from .timescale import true_runs
from .usable_intervals import KeepOut, UsableInterval


@dataclass(frozen=True)
class Continuity:
    """A plan's figures over its day; percentages of the day's seconds."""

    percent_day_one_link: float
    percent_day_two_links: float
    percent_day_usable: float
    #: Longest run of seconds without a link, s.
    longest_outage_s: int
    #: Link time summed over the antennas, s.
    link_s: int
    contacts: int
    handovers: int
    #: Satellite-seconds above the antenna mask lost to each keep-out cause, s.
    keep_out_s: dict[str, int]


def links_per_second(contacts: Sequence[Contact], overlap_s: int, day_s: int = int(SECONDS_PER_DAY)) -> np.ndarray:
    """Return the number of links (int array, one per second of the day) the contacts carry."""
    links = np.zeros(day_s + 1, dtype=np.int32)
    for c in contacts:
        links[c.start_s + overlap_s:c.end_s] += 1
    return links[:day_s]


def handover_from(contacts: Sequence[Contact], overlap_s: int) -> list[int | None]:
    """Return, for each contact, the NORAD id of the satellite it takes over make-before-break
    (another antenna's contact, begun earlier, still up when this one's link begins and
    dropped before this one ends; the first to drop), or None."""
    taken = []
    for c in contacts:
        begins = c.start_s + overlap_s
        previous = [p for p in contacts if p.antenna != c.antenna and p.start_s < c.start_s
                    and begins < p.end_s <= c.end_s]
        taken.append(min(previous, key=lambda p: p.end_s).interval.norad_cat_id if previous else None)
    return taken


def continuity(plan: ContactPlan, usable: Sequence[UsableInterval], keep_outs: Sequence[KeepOut],
               overlap_s: int, day_s: int = int(SECONDS_PER_DAY)) -> Continuity:
    """Return the continuity figures of ``plan`` over the day's ``usable`` intervals and ``keep_outs``."""
    links = links_per_second(plan.contacts, overlap_s, day_s)
    bound = np.zeros(day_s + 1, dtype=bool)
    for i in usable:
        bound[i.start_s + overlap_s:i.end_s] = True
    return Continuity(
        percent_day_one_link=100.0 * float((links >= 1).mean()),
        percent_day_two_links=100.0 * float((links >= 2).mean()),
        percent_day_usable=100.0 * float(bound[:day_s].mean()),
        longest_outage_s=longest_run(links == 0),
        link_s=int(links.sum()),
        contacts=len(plan.contacts),
        handovers=sum(1 for n in handover_from(plan.contacts, overlap_s) if n is not None),
        keep_out_s={cause: sum(k.end_s - k.start_s for k in keep_outs if k.cause == cause) for cause in CAUSES},
    )


def longest_run(mask: np.ndarray) -> int:
    """Return the length of the longest run of True values of a boolean array (0 if none)."""
    return max((stop - first for first, stop in true_runs(mask)), default=0)
