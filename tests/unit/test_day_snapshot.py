"""A day's snapshot: fresh enough or refused, one per day's results, recorded with its age;
the stations and region the day was computed for; satellites whose SGP4 fails mid-day.
Run on SQLite and on a real PostgreSQL database."""

from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest
from sqlalchemy import select

from constops import errors, snapshots
from constops.day import assignment, ingest
from constops.day import fleet_status as day_fleet
from constops.day import gateway_passes as day_passes
from constops.day.computable import check_day
from constops.elements import read_records
from constops.errors import DayOutOfRangeError, SnapshotTooOldError
from constops.propagation import propagation_failures
from constops.reporting import schema
from constops.reporting.store import count_rows
from constops.settings import load_settings
from tests.support.data import SNAPSHOTS, decaying_copy, snapshot_bytes
from tests.support.days import compute_whole_day

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)


def test_a_day_far_from_its_only_snapshot_is_refused_with_what_to_do(store):
    engine, archive = store
    snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2026-04-15.tle", "qianfan")
    with pytest.raises(SnapshotTooOldError) as caught:
        ingest.ingest_day(engine, archive, load_settings(), "qianfan", date(2026, 5, 31), NOW, fetch=None)
    message = str(caught.value)
    # Median epoch 2026-04-14 13:27:45 UTC: 46.44 days before 2026-05-31.
    assert "qianfan 2026-05-31: the archive snapshot 1 (acquired 2026-04-14 14:46 UTC" in message
    assert "element sets 46.4 days from the day's start, beyond the limit of 3 days" in message
    # The facts, for the Airflow layer to say what to do (tests/dags/test_real_feed.py).
    assert "make " not in message and "tle_ingest" not in message
    error = caught.value
    assert (error.constellation_id, error.day, error.snapshot_id, error.limit_days, error.needed_days) == (
        "qianfan", date(2026, 5, 31), 1, 3.0, 46.5)
    assert error.age_days == pytest.approx(46.44, abs=0.01)
    assert count_rows(engine, schema.day_snapshots) == 0  # nothing assigned, nothing computed


def test_an_override_computes_the_day_and_is_recorded_with_its_age(store):
    engine, archive = store
    snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2026-04-15.tle", "qianfan")
    summary = ingest.ingest_day(engine, archive, load_settings(), "qianfan", date(2026, 5, 31), NOW,
                               fetch=None, max_age_days=50)
    assert (summary["age_override"], summary["max_age_days"]) == (True, 50.0)
    assert summary["snapshot_age_days"] == pytest.approx(46.439, abs=1e-3)
    with engine.connect() as conn:
        row = conn.execute(select(schema.day_snapshots)).one()
    assert (row.age_override, row.max_age_days) == (True, 50.0) and row.snapshot_age_days == pytest.approx(46.439, abs=1e-3)


def test_a_fresh_day_records_its_age_and_the_account_of_its_records(store):
    engine, archive = store
    snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2026-08-31.xml", "qianfan")
    summary = ingest.ingest_day(engine, archive, load_settings(), "qianfan", date(2026, 9, 1), NOW, fetch=None)
    assert summary["age_override"] is False and 0.5 < summary["snapshot_age_days"] < 3.0
    assert summary["records"]["loaded"] == 238 and summary["records"]["flagged_by_rule"]["extreme_bstar"] == 16
    assert count_rows(engine, schema.flagged_element_sets, rule="large_mean_motion_dot") == 16


def test_a_load_refuses_a_snapshot_the_day_no_longer_has(store):
    engine, archive = store
    settings = load_settings()
    first = snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-19.tle", "qianfan")
    second = snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-20.tle", "qianfan")
    day = date(2025, 11, 19)
    assert ingest.ingest_day(engine, archive, settings, "qianfan", day, NOW, fetch=None)["snapshot_id"] == first.snapshot_id
    resolved = assignment.resolve_day_snapshot(engine, settings, "qianfan", day)["snapshot_id"]
    day_fleet.compute_fleet_day(engine, settings, "qianfan", day, resolved)
    block = day_passes.passes_block(engine, settings, "qianfan", day, resolved)
    # A tle_ingest rerun in hindsight reassigns the day meanwhile.
    assignment.assign_day(engine, "qianfan", day, second.snapshot_id, "nearest")
    with pytest.raises(errors.SnapshotSupersededError, match="computed the day from snapshot 1, but the day is now "
                                                               "assigned snapshot 2"):
        day_passes.load_passes_day(engine, settings, "qianfan", day, resolved, [block])
    with pytest.raises(errors.SnapshotSupersededError):
        day_fleet.compute_fleet_day(engine, settings, "qianfan", day, resolved)
    assert count_rows(engine, schema.gateway_passes) == count_rows(engine, schema.gateway_daily) == 0


def test_stations_and_region_are_rows_to_join_to(store):
    engine, archive = store
    settings = load_settings()
    snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-20.tle", "qianfan")
    day = date(2025, 11, 20)
    ingest.ingest_day(engine, archive, settings, "qianfan", day, NOW, fetch=None)
    day_fleet.compute_fleet_day(engine, settings, "qianfan", day)
    compute_whole_day("coverage", engine, settings, "qianfan", day)
    compute_whole_day("passes", engine, settings, "qianfan", day)
    akkol = settings.stations[0]
    with engine.connect() as conn:
        (station,) = conn.execute(select(schema.stations)).all()
        (region,) = conn.execute(select(schema.regions)).all()
        cells = conn.execute(select(schema.coverage_daily.c.n_cells).limit(1)).scalar()
        joined = conn.execute(select(schema.gateway_daily.c.pass_count, schema.stations.c.lat_deg).join(
            schema.stations, schema.stations.c.station_id == schema.gateway_daily.c.station_id)).all()
    assert (station.station_id, station.lat_deg, station.lon_deg, station.alt_m, station.min_elevation_deg) == (
        akkol.station_id, akkol.lat_deg, akkol.lon_deg, akkol.alt_m, akkol.min_elevation_deg)
    assert (region.region_id, region.cell_size_deg, region.n_cells, region.masks_deg) == (
        settings.region_id, settings.cell_size_deg, cells, "10,25,40")
    assert len(joined) == 1 and joined[0].lat_deg == akkol.lat_deg


def test_a_satellite_that_decays_mid_day_loses_only_its_samples_after_the_failure():
    (decaying,) = read_records(decaying_copy(99001, 16.0, 0.2)).element_sets
    start = decaying.epoch.replace(minute=0, second=0, microsecond=0)
    (failure,) = propagation_failures([decaying], start, start + timedelta(days=1), 30.0)
    assert failure.error_code == 6 and "decayed" in failure.error_message
    # The first failing second, checked directly against SGP4 on both sides of it.
    from constops.timescale import julian

    sat = decaying.satrec()
    assert sat.sgp4(*julian(failure.first_error_at))[0] == 6
    assert sat.sgp4(*julian(failure.first_error_at - timedelta(seconds=1)))[0] == 0
    lost_s = (start + timedelta(days=1) - failure.first_error_at).total_seconds()
    assert failure.percent_of_day_lost == pytest.approx(100 * lost_s / 86400)
    healthy = read_records(snapshot_bytes("qianfan_2025-11-20.json")).element_sets
    assert propagation_failures(healthy, start, start + timedelta(days=1), 30.0) == []


@pytest.mark.parametrize("text, says", [
    ("2020-01-01", "day 2020-01-01 is before the pipeline's first day 2025-11-01"),
    ("2025-13-01", "day '2025-13-01' is not an ISO date YYYY-MM-DD"),
    ("tomorrow", "day 'tomorrow' is not an ISO date"),
    ("2026-12-05", "day 2026-12-05 lies beyond the planning horizon (2 days ahead"),
])
def test_days_the_pipeline_cannot_compute_are_refused_naming_what_is_accepted(text, says):
    with pytest.raises(DayOutOfRangeError) as caught:
        check_day(text, date(2025, 11, 1), NOW)
    assert says in str(caught.value)
    assert "accepted: a UTC day YYYY-MM-DD from 2025-11-01 to 2026-12-04" in str(caught.value)
    assert check_day("2026-12-04", date(2025, 11, 1), NOW) == date(2026, 12, 4)


def test_the_engines_compute_everyone_else_and_the_decaying_satellite_until_it_fails():
    from constops.coverage import CellGrid, count_in_view
    from constops.passes import find_passes
    from constops.timescale import TimeGrid

    settings = load_settings()
    healthy = read_records(snapshot_bytes("qianfan_2025-11-20.json")).element_sets[:24]
    (decaying,) = read_records(decaying_copy(99001, 15.9, 0.08)).element_sets
    start = decaying.epoch.replace(minute=0, second=0, microsecond=0)  # it re-enters 15.6 h later
    end = start + timedelta(days=1)
    (failure,) = propagation_failures([decaying], start, end, 60.0)

    akkol = settings.stations[0]
    alone = find_passes(healthy, akkol, start, end, 10.0)
    mixed = find_passes(healthy + [decaying], akkol, start, end, 10.0)
    assert [p for p in mixed if p.norad_cat_id != 99001] == alone
    assert all(p.los < failure.first_error_at for p in mixed if p.norad_cat_id == 99001)

    grid = CellGrid.for_region(settings.region, 2.0)
    times = TimeGrid.covering(start, end, 60.0)
    base, base_usable = count_in_view(healthy, grid, [10.0], times)
    with_it, usable = count_in_view(healthy + [decaying], grid, [10.0], times)
    extra = with_it["all", "direct"][10.0].astype(int) - base["all", "direct"][10.0].astype(int)
    failed_from = int(np.ceil((failure.first_error_at - start).total_seconds() / 60.0))
    assert extra.min() == 0 and extra[:failed_from].sum() > 0  # seen before it re-enters ...
    assert extra[failed_from:].sum() == 0  # ... and never after
    assert usable["all"] == base_usable["all"] == 24  # it does not count as propagating all day
