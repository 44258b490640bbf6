"""The coarse screen: satellites are propagated finely only where they may see the region,
and nothing it leaves out changes a count, a usable satellite or a propagation failure.

References: the same engine with the screen off (``screen_every=None``, every sample
propagated and tested), on real CelesTrak answers with their oddities (Qianfan's
BSTAR of -3.4 and manoeuvring satellites of 2026-08-31, Kuiper's orbit raising, the
KazSat GEO satellites) and a satellite made to re-enter mid-day. Tolerance: none, the
counts are integers and must be equal."""

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from constops import elements
from constops.coverage import CellGrid, _near, count_in_view
from constops.propagation import propagation_failures
from constops.screening import SCREEN_EVERY, Target, may_fail, screen
from constops.settings import load_settings
from constops.timescale import TimeGrid, day_bounds
from tests.support.data import REPO, decaying_copy

ANSWERS = {
    "qianfan_2026-08-31": ("qianfan/qianfan_2026-08-31.tle", date(2026, 8, 31)),
    "kuiper_2026-05-30": ("kuiper/kuiper_2026-05-30.tle", date(2026, 5, 30)),
    "kazsat_2026-05-30": ("kazsat/kazsat_2026-05-30.tle", date(2026, 5, 30)),
}


def _answer(name: str):
    path, day = ANSWERS[name]
    return elements.parse((REPO / "data" / "snapshots" / path).read_bytes()), day


@pytest.fixture(scope="module")
def settings():
    return load_settings()


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_screened_counts_equal_the_counts_of_every_sample(settings, name):
    element_sets, day = _answer(name)
    (decaying,) = elements.parse(decaying_copy(99001, 15.9, 0.08))
    element_sets = element_sets + [replace(decaying, epoch=day_bounds(day)[0])]  # it re-enters in the day
    grid = CellGrid.for_region(settings.region, settings.cell_size_deg)
    times = TimeGrid.covering(*day_bounds(day), settings.coverage_step_s)
    norad = np.array([s.norad_cat_id for s in element_sets])
    subsets = {"all": np.ones(len(norad), bool), "every_third": norad % 3 == 0}

    def count(every):
        return count_in_view(element_sets, grid, settings.masks_deg, times, subsets, settings.stations,
                             chunk=100, screen_every=every)

    screened, screened_usable = count(SCREEN_EVERY)
    every_sample, usable = count(None)
    assert screened_usable == usable and usable["all"] == len(element_sets) - 1  # the re-entry does not count
    assert screened.keys() == every_sample.keys()
    for key, by_mask in every_sample.items():
        for mask, expected in by_mask.items():
            assert np.array_equal(screened[key][mask], expected), (name, key, mask)
    assert every_sample["all", "bent_pipe"][settings.masks_deg[0]].sum() > 0
    start, end = day_bounds(day)
    failures = propagation_failures(element_sets, start, end, settings.coverage_step_s)
    assert failures == propagation_failures(element_sets, start, end, settings.coverage_step_s, screen_every=None)
    assert [f.norad_cat_id for f in failures] == [99001]


def test_the_screen_keeps_every_sample_near_the_region_and_few_others(settings):
    element_sets, day = _answer("qianfan_2026-08-31")
    grid = CellGrid.for_region(settings.region, settings.cell_size_deg)
    times = TimeGrid.covering(*day_bounds(day), settings.coverage_step_s)
    jd, fraction = times.julian()
    satrecs = [s.satrec() for s in element_sets]
    found = screen(satrecs, jd, fraction, Target(grid.centre_unit, grid.radius_rad, min(settings.masks_deg)))
    from constops.propagation import ecef_positions_km, satrec_array

    r_km, _ = ecef_positions_km(satrec_array(element_sets), jd, fraction)
    near = _near(r_km.reshape(-1, 3), grid, min(settings.masks_deg)).reshape(len(satrecs), -1)
    kept = np.zeros_like(near)
    for i, samples in enumerate(found.samples):
        kept[i, samples] = True
    assert near.any() and not (near & ~kept).any()  # nothing that can see a cell is left out
    share = kept.sum() / kept.size
    assert share < 0.3, f"the screen kept {share:.0%} of the samples"  # Kazakhstan is a small part of the sky
    assert not found.full.any()


def test_a_satellite_that_may_fail_is_propagated_at_every_sample(settings):
    (decaying,) = elements.parse(decaying_copy(99001, 15.9, 0.08))
    (low,) = elements.parse(decaying_copy(99002, 15.75, 0.0001))  # 300 km: clears the surface all day
    start = decaying.epoch.replace(minute=0, second=0, microsecond=0)
    jd, fraction = TimeGrid.covering(start, start + timedelta(days=1), 30.0).julian()
    assert may_fail([decaying.satrec(), low.satrec()], jd, fraction).tolist() == [True, False]
    assert may_fail([low.satrec()], jd, fraction, every=None).tolist() == [True]
