"""What-if constellations: how a synthetic Walker shell would cover a region.

The shells are ordinary element sets (:mod:`constops.walker`), propagated and
counted by the same code as the real constellation (:mod:`constops.propagation`,
:mod:`constops.coverage`), so a what-if figure and a daily figure are comparable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .coverage import CellGrid, region_coverage
from .walker import walker_delta


@dataclass(frozen=True)
class Shell:
    """A Walker shell ``inclination_deg: total/planes/phasing`` at ``altitude_km``, its planes'
    nodes spread over ``raan_spread_deg`` (360: delta, 180: star)."""

    total: int
    planes: int
    phasing: int
    altitude_km: float
    inclination_deg: float
    raan_spread_deg: float = 360.0

    @property
    def label(self) -> str:
        """Return the shell in Walker notation, e.g. ``delta 89:324/18/1 @1068 km``."""
        kind = {360.0: "delta", 180.0: "star"}.get(self.raan_spread_deg, f"{self.raan_spread_deg:g}deg")
        return f"{kind} {self.inclination_deg:g}:{self.total}/{self.planes}/{self.phasing} @{self.altitude_km:g} km"


def shell_coverage(
    shell: Shell, grid: CellGrid, masks_deg: Sequence[float], start: datetime, hours: float, step_s: float
) -> dict[float, dict[str, float]]:
    """Return the region figures of merit of ``shell`` for each mask over [start, start + hours)."""
    element_sets = walker_delta(shell.total, shell.planes, shell.phasing, shell.altitude_km,
                                shell.inclination_deg, start, raan_spread_deg=shell.raan_spread_deg)
    return region_coverage(element_sets, grid, masks_deg, start, start + timedelta(hours=hours), step_s)


def smallest_continuous(results: Iterable[tuple[Shell, dict[str, float]]]) -> tuple[Shell, dict[str, float]] | None:
    """Return the shell with the fewest satellites (then fewest planes) whose coverage has
    no gap anywhere in the region (every cell covered at every sample), or None."""
    continuous = [(shell, figures) for shell, figures in results if figures["max_gap_s"] == 0.0]
    return min(continuous, key=lambda item: (item[0].total, item[0].planes), default=None)
