"""The contact plan: which antenna tracks which satellite, from when to when, planned by CP-SAT.

Given the usable intervals of a day (:mod:`constops.usable_intervals`) and a station's
antennas (:class:`~constops.antennas.AntennaSpec`), the plan assigns intervals to antennas:

* an antenna tracks one satellite at a time, and between two contacts it needs at least
  the slew from the first's end direction to the next's start direction at the mount's
  rates, plus the retarget time;
* a contact lasts at least ``min_contact_s`` and lies within one usable interval;
* a link counts from ``handover_overlap_s`` after its antenna starts tracking, so a handover
  that keeps the service is make-before-break: the next satellite is tracked on another
  antenna at least that long before the previous one is dropped.

The objective, in order: the share of the day with at least one link, then with two, then
the total link time (weighted by the constellations' priorities), then fewer contacts (each
contact after the first of a link is a handover). The orders are exact: each level's weight
exceeds everything below it.

The day is planned in windows (``window_min``), each model seeing ``lookahead_min`` beyond
its window so that decisions at its end see the passes to come; the contacts that start
within the window are kept and fixed, and the next window starts from them. A model
chooses among fixed contact options (:func:`_options`: each usable interval from its first
second or one or four longest slews later, to its end or as long before it), so the slew
between any two options is exact, computed from their end and start directions, and the
model is purely Boolean: per antenna a no-overlap and the pairs closer than their slew
excluded; coverage counted on the segments between the instants where links begin or end,
a segment counting for an option that covers it whole. A greedy plan is the complete first
solution, so a window always has one. Every contact of the result satisfies every rule
(:func:`violations` says which do not, and is what the tests check).

CP-SAT runs on one thread under its deterministic time limit, so the same inputs give the
same plan on every machine and every run; the status (OPTIMAL when every window was solved
to optimality, GREEDY when one kept the greedy plan) and
the largest relative gap of a window's objective are kept with the plan.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from .antennas import AntennaSpec
from .constants import SECONDS_PER_DAY
from .usable_intervals import UsableInterval

#: Resolution (s) of the occupancy count that limits the candidates in view.
_OCCUPANCY_BIN_S = 10


@dataclass(frozen=True)
class ContactRules:
    """The rules of :func:`plan_contacts`, in seconds (see ``[contact_plan]``)."""

    min_contact_s: int
    handover_overlap_s: int
    window_s: int
    lookahead_s: int
    deterministic_time_limit: float
    candidates_in_view: int

    @classmethod
    def from_settings(cls, settings) -> ContactRules:
        """Return the rules of ``Settings.contact_plan``."""
        c = settings.contact_plan
        return cls(c.min_contact_s, c.handover_overlap_s, c.window_min * 60, c.lookahead_min * 60,
                   c.deterministic_time_limit, c.candidates_in_view)


@dataclass(frozen=True)
class Contact:
    """Antenna ``antenna`` (0-based) tracks the satellite of ``interval`` over the whole
    seconds ``[start_s, end_s]`` of the day."""

    antenna: int
    interval: UsableInterval
    start_s: int
    end_s: int

    @property
    def start_look(self) -> tuple[float, float]:
        """Return (azimuth_deg, elevation_deg) at the contact's start."""
        return self.interval.look_at(self.start_s)

    @property
    def end_look(self) -> tuple[float, float]:
        """Return (azimuth_deg, elevation_deg) at the contact's end."""
        return self.interval.look_at(self.end_s)


@dataclass(frozen=True)
class ContactPlan:
    """The day's contacts in time order, and how the solver did."""

    contacts: tuple[Contact, ...]
    #: OPTIMAL if every window was solved to optimality, GREEDY if the solver's limit ran out
    #: before it found a plan in some window (that window keeps the greedy plan), else FEASIBLE.
    status: str
    #: Largest relative gap of a window's objective (0 when optimal).
    gap: float
    windows: int
    #: Wall time of the solves, s.
    solve_s: float


def plan_contacts(intervals: Sequence[UsableInterval], spec: AntennaSpec, rules: ContactRules,
                  weights: dict[str, int] | None = None, day_s: int = int(SECONDS_PER_DAY)) -> ContactPlan:
    """Return the contact plan of a day (``day_s`` seconds) for ``spec.count`` antennas over
    ``intervals``; ``weights`` gives each constellation id's link-time weight (default 1)."""
    weights = weights or {}
    committed: list[Contact] = []
    used: set[int] = set()
    statuses, gaps, solve_s, window_start, windows = [], [], 0.0, 0, 0
    while window_start < day_s:
        window_end = min(window_start + rules.window_s, day_s)
        horizon = min(window_end + rules.lookahead_s, day_s)
        free = _candidates(intervals, used, window_start, horizon, rules)
        fixed = [c for c in committed if c.end_s > window_start - spec.max_slew_s()]
        started = time.perf_counter()
        window = _Window(free, fixed, spec, rules, weights, window_start, horizon)
        contacts, status, gap = window.solve()
        solve_s += time.perf_counter() - started
        kept = [c for c in contacts if c.start_s < window_end]
        committed += kept
        used.update(id(c.interval) for c in kept)
        statuses.append(status)
        gaps.append(gap)
        window_start, windows = window_end, windows + 1
    status = ("GREEDY" if "GREEDY" in statuses else "OPTIMAL" if all(s == "OPTIMAL" for s in statuses)
              else "FEASIBLE")
    return ContactPlan(tuple(sorted(committed, key=_order)), status, max(gaps, default=0.0), windows, solve_s)


def violations(contacts: Sequence[Contact], spec: AntennaSpec, rules: ContactRules) -> list[str]:
    """Return a description of every broken rule of a plan (empty: none): a contact outside
    its interval or shorter than the minimum, a satellite on two antennas at once, and two
    contacts of one antenna closer than the slew between them."""
    problems = []
    for c in contacts:
        if not c.interval.start_s <= c.start_s < c.end_s <= c.interval.end_s:
            problems.append(f"{_name(c)} lies outside its usable interval")
        if c.end_s - c.start_s < rules.min_contact_s:
            problems.append(f"{_name(c)} lasts {c.end_s - c.start_s} s, under {rules.min_contact_s} s")
    for k in range(spec.count):
        on_k = sorted((c for c in contacts if c.antenna == k), key=_order)
        for before, after in zip(on_k, on_k[1:]):
            need = float(spec.slew_s(*before.end_look, *after.start_look))
            if after.start_s - before.end_s < need:
                problems.append(f"{_name(after)} starts {after.start_s - before.end_s} s after {_name(before)} "
                                f"ends; the slew takes {need:.1f} s")
    by_satellite: dict[int, list[Contact]] = {}
    for c in contacts:
        by_satellite.setdefault(c.interval.norad_cat_id, []).append(c)
    for same in by_satellite.values():
        same.sort(key=_order)
        problems += [f"{_name(b)} overlaps {_name(a)}" for a, b in zip(same, same[1:]) if b.start_s <= a.end_s]
    return problems


def _order(c: Contact) -> tuple[int, int]:
    return c.start_s, c.antenna


def _name(c: Contact) -> str:
    return f"contact of {c.interval.norad_cat_id} on antenna {c.antenna + 1} at {c.start_s}-{c.end_s} s"


def _candidates(intervals, used, window_start, horizon, rules: ContactRules) -> list[UsableInterval]:
    """Return the intervals a window may plan: unused, starting before ``horizon``, with a
    contact's length left after ``window_start``; at most ``candidates_in_view`` at any
    moment, the longest first."""
    open_ = [i for i in intervals if id(i) not in used and i.start_s < horizon
             and i.end_s - max(i.start_s, window_start) >= rules.min_contact_s]
    bins = np.zeros((horizon - window_start) // _OCCUPANCY_BIN_S + 2, dtype=np.int32)
    kept = []
    for i in sorted(open_, key=lambda i: (-(i.end_s - max(i.start_s, window_start)), i.start_s, i.norad_cat_id)):
        first = (max(i.start_s, window_start) - window_start) // _OCCUPANCY_BIN_S
        stop = (min(i.end_s, horizon) - window_start) // _OCCUPANCY_BIN_S + 1
        if bins[first:stop].max(initial=0) < rules.candidates_in_view:
            bins[first:stop] += 1
            kept.append(i)
    return sorted(kept, key=lambda i: (i.start_s, i.norad_cat_id))


class _Window:
    """One window's CP-SAT model: a choice among contact options of the free candidates,
    after the contacts fixed by earlier windows."""

    def __init__(self, free, fixed, spec: AntennaSpec, rules: ContactRules, weights, start_s: int, horizon_s: int):
        self.free, self.fixed, self.spec, self.rules = free, fixed, spec, rules
        self.weights, self.start_s, self.horizon_s = weights, start_s, horizon_s
        self.options = [o for n, i in enumerate(free) for o in _options(n, i, start_s, spec, rules)]

    def solve(self) -> tuple[list[Contact], str, float]:
        """Return (the window's contacts, CP-SAT's status name, relative gap)."""
        if not self.options:
            return [], "OPTIMAL", 0.0
        model = cp_model.CpModel()
        count = self.spec.count
        on = [[model.new_bool_var(f"p{m}_{k}") for k in range(count)] for m in range(len(self.options))]
        chosen = [sum(row) for row in on]
        for n in range(len(self.free)):  # one contact per usable interval
            model.add_at_most_one(v for m, o in enumerate(self.options) if o.candidate == n for v in on[m])
        self._one_satellite_per_antenna(model, on)
        coverage_one, coverage_two, reached = self._coverage(model, chosen)
        weight = [self.weights.get(self.free[o.candidate].constellation_id, 1) for o in self.options]
        link_time = sum(w * (o.end_s - o.start_s) * c for w, o, c in zip(weight, self.options, chosen))
        contacts = sum(chosen)
        most_contacts = len(self.free)
        most_link = sum(w * (self.free[n].end_s - max(self.free[n].start_s, self.start_s))
                        for n, w in {o.candidate: w for o, w in zip(self.options, weight)}.items())
        w_link = most_contacts + 1
        w_two = w_link * most_link + most_contacts + 1
        w_one = w_two * (self.horizon_s - self.start_s) + w_link * most_link + most_contacts + 1
        model.maximize(w_one * coverage_one + w_two * coverage_two + w_link * link_time - contacts)
        greedy = self._greedy()  # a complete first solution: the limit then always leaves a plan
        for m, row in enumerate(on):
            for k in range(count):
                model.add_hint(row[k], greedy.get(m) == k)
        for variable, needed, fixed_links, covering in reached:
            model.add_hint(variable, fixed_links + sum(m in greedy for m in covering) >= needed)
        solver = cp_model.CpSolver()
        solver.parameters.max_deterministic_time = self.rules.deterministic_time_limit
        solver.parameters.num_workers = 1  # one thread: deterministic under a deterministic limit
        # Presolve spent the whole limit on windows of 800 options before any search; without
        # it, 2025-11-20 reached the upper bound of one-link time (93.85 %) in 2 units.
        solver.parameters.cp_model_presolve = False
        solver.parameters.random_seed = 0
        code = solver.solve(model)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # the limit ran out first: keep the greedy plan
            return [Contact(k, self.free[self.options[m].candidate], self.options[m].start_s, self.options[m].end_s)
                    for m, k in greedy.items()], "GREEDY", 1.0
        planned = [Contact(k, self.free[o.candidate], o.start_s, o.end_s)
                   for o, row in zip(self.options, on) for k in range(count) if solver.value(row[k])]
        bound, value = solver.best_objective_bound, solver.objective_value
        gap = 0.0 if code == cp_model.OPTIMAL else abs(bound - value) / max(1.0, abs(bound))
        return planned, solver.status_name(code), gap

    def _greedy(self) -> dict[int, int]:
        """Return a feasible choice (option index -> antenna): in time order, each
        candidate's longest option on the first antenna free for it (slew included)."""
        last: list[Contact | None] = [None] * self.spec.count
        for c in sorted(self.fixed, key=_order):
            last[c.antenna] = c
        choice, taken = {}, set()
        longest = sorted(range(len(self.options)), key=lambda m: (self.options[m].start_s, -(self.options[m].end_s - self.options[m].start_s)))
        for m in longest:
            o = self.options[m]
            if o.candidate in taken:
                continue
            for k, previous in enumerate(last):
                if previous is None or o.start_s - previous.end_s >= self.spec.slew_s(*previous.end_look, *o.start_look):
                    choice[m], last[k] = k, Contact(k, self.free[o.candidate], o.start_s, o.end_s)
                    taken.add(o.candidate)
                    break
        return choice

    def _one_satellite_per_antenna(self, model, on):
        """On each antenna, no two options overlapping in time, and none starting sooner
        after another's end than the exact slew between them (also after a fixed contact)."""
        spec, most = self.spec, self.spec.max_slew_s()
        for k in range(spec.count):
            fixed = [model.new_fixed_size_interval_var(c.start_s, c.end_s - c.start_s + 1, f"f{k}_{m}")
                     for m, c in enumerate(self.fixed) if c.antenna == k]
            model.add_no_overlap([model.new_optional_fixed_size_interval_var(
                o.start_s, o.end_s - o.start_s + 1, on[m][k], f"i{m}_{k}") for m, o in enumerate(self.options)] + fixed)
        by_start = sorted(range(len(self.options)), key=lambda m: self.options[m].start_s)
        starts = np.array([self.options[m].start_s for m in by_start])
        for m, o in enumerate(self.options):
            lo, hi = np.searchsorted(starts, o.end_s + 1), np.searchsorted(starts, o.end_s + most, side="right")
            for after in by_start[lo:hi]:
                q = self.options[after]
                if q.candidate != o.candidate and q.start_s - o.end_s < spec.slew_s(*o.end_look, *q.start_look):
                    for k in range(spec.count):
                        model.add_bool_or([~on[m][k], ~on[after][k]])
        for c in self.fixed:
            for m, q in enumerate(self.options):
                if c.end_s < q.start_s < c.end_s + most and q.start_s - c.end_s < spec.slew_s(*c.end_look, *q.start_look):
                    model.add(on[m][c.antenna] == 0)

    def _coverage(self, model, chosen):
        """Return (seconds with one link or more, with two or more) of the window's horizon,
        counted on the segments between the instants where links begin or end, and the
        segments' Booleans as (variable, links needed, fixed links, covering option indices)."""
        overlap = self.rules.handover_overlap_s
        lo, hi = self.start_s, self.horizon_s
        served = [(o.start_s + overlap, o.end_s) for o in self.options]
        fixed_served = [(c.start_s + overlap, c.end_s) for c in self.fixed]
        cuts = sorted({lo, hi} | {min(max(t, lo), hi) for pair in served + fixed_served for t in pair})
        totals, reached = {1: [], 2: []}, []
        for g0, g1 in zip(cuts, cuts[1:]):
            fixed_links = sum(1 for a, b in fixed_served if a <= g0 and b >= g1)
            covering = [m for m, (a, b) in enumerate(served) if a <= g0 and b >= g1]
            for needed, terms in totals.items():
                value = _at_least(model, needed, fixed_links, [chosen[m] for m in covering], g0)
                if not isinstance(value, int):
                    reached.append((value, needed, fixed_links, covering))
                terms.append((g1 - g0) * value)
        return sum(totals[1]), sum(totals[2]), reached


@dataclass(frozen=True)
class _Option:
    """A contact the model may choose: candidate ``candidate`` over ``[start_s, end_s]``."""

    candidate: int
    start_s: int
    end_s: int
    start_look: tuple[float, float]
    end_look: tuple[float, float]


def _options(n: int, interval: UsableInterval, window_start: int, spec: AntennaSpec, rules: ContactRules):
    """Return the contacts the model may choose for a usable interval: from its first usable
    second in the window, or one or four longest slews later, to its end, or one or four
    longest slews before it; each at least ``min_contact_s`` long. Trimming by a slew lets
    an antenna free itself for a rising satellite, or take one that another has just left."""
    trim = int(np.ceil(spec.max_slew_s()))
    first = max(interval.start_s, window_start)
    starts = sorted({first + t for t in (0, trim, 4 * trim) if first + t <= interval.end_s})
    ends = sorted({interval.end_s - t for t in (0, trim, 4 * trim) if interval.end_s - t >= first})
    return [_Option(n, s, e, interval.look_at(s), interval.look_at(e))
            for s in starts for e in ends if e - s >= rules.min_contact_s]


def _at_least(model, links_needed: int, fixed_links: int, links: list, tag: int):
    """Return 1, 0 or a Boolean that can be 1 only when ``fixed_links`` plus the true
    ``links`` reach ``links_needed``."""
    if fixed_links >= links_needed:
        return 1
    if fixed_links + len(links) < links_needed:
        return 0
    reached = model.new_bool_var(f"y{links_needed}_{tag}")
    model.add(links_needed * reached <= fixed_links + sum(links))
    return reached


