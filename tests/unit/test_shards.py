"""Shards: blocks of satellites computed apart add up to exactly the unsplit result, and
partial results survive the trip through the work area bit for bit."""

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from constops import elements
from constops.archive import WorkArea
from constops.coverage import CellGrid, count_in_view
from constops.day.shard_plan import plan_blocks
from constops.partial_results import (
    add_counts,
    arrays_to_counts,
    arrays_to_pass_tables,
    counts_to_arrays,
    pass_tables_to_arrays,
)
from constops.pass_table import PassTable
from constops.passes import find_passes
from constops.settings import load_settings
from constops.timescale import TimeGrid
from tests.support.data import snapshot_bytes

START = datetime(2025, 11, 20, tzinfo=timezone.utc)
UNEVEN_BLOCKS = [(0, 1), (1, 30), (30, 77), (77, 108)]  # one of a single satellite


@pytest.fixture(scope="module")
def element_sets():
    return elements.parse(snapshot_bytes("qianfan_2025-11-20.json"))


@pytest.mark.parametrize("count, size", [(108, 2000), (108, 25), (15000, 2000), (7, 1), (2001, 2000), (0, 10)])
def test_blocks_cover_every_satellite_once_in_near_equal_blocks(count, size):
    blocks = plan_blocks(count, size)
    assert blocks[0][0] == 0 and blocks[-1][1] == count
    assert all(stop == next_first for (_, stop), (next_first, _) in zip(blocks, blocks[1:]))
    sizes = [stop - first for first, stop in blocks]
    assert max(sizes) <= max(size, 0) and max(sizes) - min(sizes) <= 1
    assert len(blocks) == max(1, -(-count // size))


def test_a_block_size_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1 satellite"):
        plan_blocks(108, 0)


def test_block_counts_add_up_to_the_unsplit_counts_exactly(element_sets):
    grid = CellGrid.for_region(load_settings().region, 1.0)
    times = TimeGrid.covering(START, START + timedelta(hours=6), 60)
    stations = load_settings().stations
    norad = np.array([s.norad_cat_id for s in element_sets])
    chosen = set(norad[::3].tolist())
    masks = (10.0, 25.0)

    def count(first, stop):
        subsets = {"all": np.ones(stop - first, bool), "some": np.isin(norad[first:stop], list(chosen))}
        return count_in_view(element_sets[first:stop], grid, masks, times, subsets, stations)

    whole_counts, whole_usable = count(0, len(element_sets))
    counts, usable = add_counts(arrays_to_counts(counts_to_arrays(*count(*b))) for b in UNEVEN_BLOCKS)
    assert usable == whole_usable == {"all": 108, "some": 36}
    assert counts.keys() == whole_counts.keys() == {(s, v) for s in ("all", "some") for v in ("direct", "bent_pipe")}
    for key, by_mask in whole_counts.items():
        for mask, expected in by_mask.items():
            assert counts[key][mask].dtype == np.uint16
            assert np.array_equal(counts[key][mask], expected), (key, mask)
    assert whole_counts["all", "direct"][10.0].sum() > 0


def test_block_passes_merge_into_the_unsplit_passes_exactly(element_sets):
    station = load_settings().stations[0]
    end = START + timedelta(hours=8)
    whole = find_passes(element_sets, station, START, end, 10.0)
    stored = [arrays_to_pass_tables(pass_tables_to_arrays(
        {"akkol": PassTable.from_passes(find_passes(element_sets[first:stop], station, START, end, 10.0))}))["akkol"]
        for first, stop in reversed(UNEVEN_BLOCKS)]  # merged in any order
    merged = PassTable.concat(stored).sorted()
    assert len(whole) >= 100
    assert merged.to_passes() == whole  # to the microsecond


def test_a_pass_table_carries_every_field_of_a_pass_and_a_window_exactly():
    from constops.passes import Pass

    moment = START + timedelta(microseconds=123457)
    window = Pass(39728, START, moment, START + timedelta(days=1), 29.46, 5.0, 195.6, 195.62, 195.62,
                  continuous=True, lowest_elevation_deg=29.4, azimuth_min_deg=195.6, azimuth_max_deg=195.62)
    ordinary = Pass(600001, moment, moment + timedelta(seconds=300.5), moment + timedelta(seconds=601),
                    0.1 + 0.2, 10.0, 1e-300, 90.0, 359.99999999999994)
    table = arrays_to_pass_tables(pass_tables_to_arrays({"akkol": PassTable.from_passes([window, ordinary])}))["akkol"]
    assert table.to_passes() == [window, ordinary]
    assert table.duration_s().tolist() == [window.duration_s, ordinary.duration_s]
    assert PassTable.concat([]).to_passes() == []
    with pytest.raises(ValueError, match="columns"):
        PassTable({"norad_cat_id": np.array([1])})


def test_work_area_stores_a_block_atomically_and_discards_a_run(tmp_path):
    area = WorkArea(f"file://{tmp_path}/work")
    counts = {("all", "direct"): {10.0: np.array([[0, 300], [2, 1]], dtype=np.uint16)}}
    uri = area.put("coverage/run_1/qianfan/0000000-0000108", counts_to_arrays(counts, {"all": 108}))
    assert uri.startswith("file://") and uri.endswith(".npz")
    assert [p.name for p in (tmp_path / "work/coverage/run_1/qianfan").iterdir()] == ["0000000-0000108.npz"]
    back, usable = arrays_to_counts(area.get(uri))
    assert usable == {"all": 108} and np.array_equal(back["all", "direct"][10.0], counts["all", "direct"][10.0])
    area.discard("coverage/run_1")
    assert not (tmp_path / "work/coverage/run_1").exists()
    area.discard("coverage/run_1")  # nothing left: no error


def test_counts_are_stored_in_one_byte_when_they_fit():
    small = {("all", "direct"): {25.0: np.full((4, 3), 255, dtype=np.uint16)}}
    large = {("all", "direct"): {25.0: np.full((4, 3), 256, dtype=np.uint16)}}
    assert counts_to_arrays(small, {})["counts|all|direct|25.0"].dtype == np.uint8
    assert counts_to_arrays(large, {})["counts|all|direct|25.0"].dtype == np.uint16


def test_blocks_of_different_subsets_do_not_add():
    a = {("all", "direct"): {10.0: np.zeros((1, 1), np.uint16)}}
    b = {("operational", "direct"): {10.0: np.zeros((1, 1), np.uint16)}}
    with pytest.raises(ValueError, match="different subsets"):
        add_counts([(a, {}), (b, {})])
    with pytest.raises(ValueError, match="no blocks"):
        add_counts([])


@pytest.mark.parametrize("count, slots, expected", [
    (108, 2, 1),      # Qianfan today: 0.27 s of work, under four task overheads
    (15000, 2, 3),    # finer than the slots: 3 x 12.5 s and the passes' shard even out on two slots
    (6000, 2, 1),     # 15 s of work: one shard, not two of 7.5 s
    (15000, 1, 2),    # one slot: as few shards as the largest block allows
    (30000, 16, 6),   # 75 s of work: six shards of 12.5 s, not 32
    (15000, 8, 3),    # 37.5 s of work makes three shards of at least 12 s, not eight
    (100000, 4, 10),  # never above 10,000 satellites a shard
])
def test_the_shard_count_follows_the_cost_model_and_the_slots(count, slots, expected):
    from constops.day.shard_plan import plan_shards, shard_count

    assert shard_count(count, 0.0025, 3.0, slots, 10000) == expected
    blocks = plan_shards(count, 0.0025, 3.0, slots, 10000)
    assert len(blocks) == expected and blocks[-1][1] == count
