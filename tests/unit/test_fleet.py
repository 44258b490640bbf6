"""Fleet status on the seven real CelesTrak snapshots of 2025-11-14 to 2025-11-20.

The 2025-11-20 snapshot is the current one (epochs of 2025-11-19) and the six earlier
days its history. Expected figures come from the data: 70 satellites on station
(70 at operating altitude on 2025-11-19; docs/engine.md, "Accuracy"), 14 of the 2025-233 launch
climbing at 4 to 5 km/day, the rest parked below the shell.
"""

import dataclasses
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from constops import elements
from constops.fleet import (
    FleetThresholds,
    drag_alt_rate_km_per_day,
    fleet_status,
    launch_id,
    raan_clusters,
    status_counts,
)
from tests.support.data import snapshot_bytes

AT = datetime(2025, 11, 20, tzinfo=timezone.utc)
DAYS = [f"2025-11-{day}" for day in range(14, 21)]


@pytest.fixture(scope="module")
def snapshots():
    """The element sets of each day's TLE snapshot, oldest first."""
    return [elements.parse(snapshot_bytes(f"qianfan_{day}.tle")) for day in DAYS]


@pytest.fixture(scope="module")
def statuses(snapshots):
    """{norad: status} of 2025-11-20 with the six earlier days as history (newest first)."""
    return {s.norad_cat_id: s for s in fleet_status(snapshots[-1], AT, snapshots[-2::-1])}


def by_launch(statuses, launch):
    return [s for s in statuses.values() if s.launch == launch]


def test_status_counts_with_history(statuses):
    assert status_counts(statuses.values()) == {
        "operational": 70, "raising": 14, "manoeuvring": 0, "decaying": 0, "stranded": 24, "stale": 0,
    }


def test_status_counts_per_launch(statuses):
    per_launch = {launch: Counter(s.status for s in by_launch(statuses, launch))
                  for launch in {s.launch for s in statuses.values()}}
    assert per_launch == {
        "2024-140": {"operational": 17, "stranded": 1},
        "2024-185": {"operational": 3, "stranded": 15},
        "2024-232": {"operational": 16, "stranded": 2},
        "2025-016": {"operational": 18},
        "2025-046": {"operational": 16, "stranded": 2},
        "2025-233": {"raising": 14, "stranded": 4},
    }


def test_most_of_the_newest_launch_is_raising_at_kilometres_a_day(statuses):
    newest = by_launch(statuses, "2025-233")
    assert len(newest) == 18
    assert {s.norad_cat_id for s in newest} == set(range(66033, 66051))
    raising = [s for s in newest if s.status == "raising"]
    assert len(raising) == 14
    assert all(3.5 < s.alt_rate_km_per_day < 5.5 for s in raising)
    assert all(830 < s.mean_alt_km < 850 for s in raising)


def test_satellites_on_station_hold_their_altitude(statuses):
    on_station = [s for s in statuses.values() if s.status == "operational"]
    assert all(1068.0 <= s.mean_alt_km <= 1073.0 for s in on_station)
    assert all(abs(s.alt_rate_km_per_day) < 0.02 for s in on_station)
    assert all(88.9 < s.inclination_deg < 89.1 for s in on_station)


def test_stranded_satellites_decay_only_slowly(statuses):
    stranded = [s for s in statuses.values() if s.status == "stranded"]
    assert all(s.mean_alt_km < 1058.0 for s in stranded)
    assert all(abs(s.alt_rate_km_per_day) < 0.02 for s in stranded)


def test_fields_of_one_satellite(statuses):
    qianfan_1 = statuses[60379]
    assert qianfan_1.object_name == "QIANFAN-1"
    assert qianfan_1.launch == "2024-140"
    assert qianfan_1.plane_id == "2024-140/P1"
    assert qianfan_1.perigee_alt_km < qianfan_1.mean_alt_km < qianfan_1.apogee_alt_km
    assert qianfan_1.mean_alt_km == pytest.approx(1068.68, abs=0.05)
    assert 0 < qianfan_1.epoch_age_days < 1


def test_plane_of_a_launch_whose_18_satellites_all_reached_the_shell(statuses):
    assert {s.plane_id for s in by_launch(statuses, "2025-016")} == {"2025-016/P1"}


def test_stranded_satellite_drifts_out_of_its_launch_plane(statuses):
    """QIANFAN-7 stayed near 800 km: faster J2 precession put it 5 deg behind the other 17."""
    launch = by_launch(statuses, "2024-140")
    planes = Counter(s.plane_id for s in launch)
    assert planes == {"2024-140/P1": 17, "2024-140/P2": 1}
    qianfan_7 = statuses[60385]
    assert qianfan_7.plane_id == "2024-140/P2" and qianfan_7.status == "stranded"
    main_raan = [s.ra_of_asc_node_deg for s in launch if s.plane_id == "2024-140/P1"]
    assert min(main_raan) - qianfan_7.ra_of_asc_node_deg > 4.5


def test_on_station_satellites_of_each_launch_share_one_plane_numbered_first(statuses):
    for launch in {"2024-140", "2024-185", "2024-232", "2025-016", "2025-046"}:
        on_station = {s.plane_id for s in by_launch(statuses, launch) if s.status == "operational"}
        assert on_station == {f"{launch}/P1"}


def test_a_satellite_with_old_elements_is_stale(snapshots):
    current = list(snapshots[-1])
    aged = dataclasses.replace(current[0], epoch=current[0].epoch - timedelta(days=4))
    current[0] = aged
    result = fleet_status(current, AT, snapshots[:-1])
    assert result[0].status == "stale"
    assert result[0].epoch_age_days > 4
    assert status_counts(result)["stale"] == 1
    assert status_counts(result)["operational"] == 69


def test_every_satellite_is_stale_a_week_later(snapshots):
    result = fleet_status(snapshots[-1], AT + timedelta(days=7), snapshots[:-1])
    assert status_counts(result)["stale"] == 108


def test_without_history_nothing_can_be_seen_raising(snapshots):
    """The GP fit's MEAN_MOTION_DOT models drag: the raising satellites show a slow descent."""
    result = fleet_status(snapshots[-1], AT)
    assert all(s.alt_rate_km_per_day is None for s in result)
    assert status_counts(result) == {
        "operational": 70, "raising": 0, "manoeuvring": 0, "decaying": 0, "stranded": 38, "stale": 0,
    }
    raising_2025_233 = [e for e in snapshots[-1] if e.norad_cat_id == 66033]
    assert -0.01 < drag_alt_rate_km_per_day(raising_2025_233[0]) < 0


def test_history_is_deduplicated_and_order_free(snapshots, statuses):
    repeated = list(snapshots[:-1]) + list(snapshots[:-1]) + [snapshots[-1]]
    result = fleet_status(snapshots[-1], AT, repeated[::-1])
    # Every satellite has a rate from the six days of history: none compares as None == None.
    assert sum(statuses[s.norad_cat_id].alt_rate_km_per_day is not None for s in result) == 108
    for status in result:
        expected = statuses[status.norad_cat_id].alt_rate_km_per_day
        assert status.alt_rate_km_per_day == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_history_shorter_than_the_minimum_span_gives_no_rate(snapshots):
    thresholds = FleetThresholds(min_rate_span_days=7.0, rate_window_days=7.0)
    result = fleet_status(snapshots[-1], AT, snapshots[:-1], thresholds)
    assert all(s.alt_rate_km_per_day is None for s in result)


def test_fast_descent_below_the_shell_is_decaying(snapshots):
    """A synthetic history 2 days earlier and 10 km higher: 5 km/day of descent."""
    current = [e for e in snapshots[-1] if e.norad_cat_id == 60385]  # QIANFAN-7, 800 km
    a_km = current[0].semi_major_axis_km
    earlier = dataclasses.replace(
        current[0], epoch=current[0].epoch - timedelta(days=2),
        mean_motion_rev_per_day=current[0].mean_motion_rev_per_day * (a_km / (a_km + 10.0)) ** 1.5,
    )
    [status] = fleet_status(current, AT, [[earlier]])
    assert status.alt_rate_km_per_day == pytest.approx(-5.0, abs=0.05)
    assert status.status == "decaying"


def test_thresholds_change_the_band(snapshots):
    wide = FleetThresholds(shell_tolerance_km=20.0)
    counts = status_counts(fleet_status(snapshots[-1], AT, snapshots[:-1], wide))
    assert counts["operational"] == 71  # QIANFAN-36, parked at 1051.8 km


def test_invalid_inputs_raise(snapshots):
    with pytest.raises(ValueError, match="at="):
        fleet_status(snapshots[-1], datetime(2025, 11, 20))
    with pytest.raises(ValueError, match="NORAD 60379"):
        fleet_status([snapshots[-1][0], snapshots[-1][0]], AT)
    with pytest.raises(ValueError, match="shell_tolerance_km"):
        FleetThresholds(shell_tolerance_km=0)


def test_launch_id():
    assert launch_id("2024-140A") == "2024-140"
    assert launch_id("2025-233T") == "2025-233"
    assert launch_id("") == "unknown"


def test_raan_clusters_wrap_around_the_circle():
    raans = [359.8, 0.1, 0.3, 120.0, 120.4, 240.0]
    clusters = raan_clusters(raans, 0.5)
    assert sorted(sorted(raans[i] for i in c) for c in clusters) == [
        [0.1, 0.3, 359.8], [120.0, 120.4], [240.0],
    ]
    assert raan_clusters([10.0, 10.2], 0.5) == [[0, 1]]
    assert raan_clusters([], 0.5) == []
