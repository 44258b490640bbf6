"""What the operations pages and the report show, checked against the reporting database
and against independent counts (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import delete, update

from constops import snapshots
from constops.archive import RawArchive
from constops.dashboard.calendar import calendar_days
from constops.dashboard.day_view import day_view, passes_csv
from constops.dashboard.figures import coverage_map, pass_lanes, pass_timeline
from constops.dashboard.pages import day_page, plotly_script, trend_page
from constops.dashboard.trend import trend
from constops.reporting import schema
from constops.reporting.store import connect
from constops.settings import load_settings
from tests.support.data import REPO, SNAPSHOTS
from tests.support.days import compute_day
from tests.support.postgres import DATABASES, postgres_database

DAY = date(2025, 11, 20)


@pytest.fixture(scope="module", params=DATABASES)
def computed(request, tmp_path_factory):
    """The reporting database with 2025-11-20 computed from the real download of that day,
    once per module (the calendar test, last, is the only one that changes it)."""
    tmp_path = tmp_path_factory.mktemp("dashboard")
    urls = iter([f"sqlite:///{tmp_path / 'reporting.db'}"]) if request.param == "sqlite" else postgres_database()
    url = next(urls)
    engine, settings = connect(url), load_settings()
    archive = RawArchive(str(tmp_path / "archive"))
    snapshots.import_file(engine, archive, SNAPSHOTS / "qianfan_2025-11-20.tle", "qianfan")
    compute_day(engine, archive, DAY)
    yield engine, settings, url
    engine.dispose()
    next(urls, None)  # drops the PostgreSQL database


def test_the_day_view_holds_every_row_of_the_day(computed):
    engine, settings, _ = computed
    view = day_view(engine, settings, DAY)
    n_cells = int(view.coverage["n_cells"].iloc[0])
    assert len(view.cells) == n_cells * len(settings.masks_deg)
    assert len(view.passes) == 598 and len(view.fleet) == 108
    assert view.snapshot["object_count"] == 108 and view.snapshot["snapshot_age_days"] < 1
    # Kazakhstan time is UTC+5 all year.
    assert all(loc.utcoffset() == timedelta(hours=5) and loc == utc for loc, utc in zip(view.passes["aos_local"], view.passes["aos"]))
    # Satellites in view over the region: its day mean equals coverage_daily's (a different sum).
    for mask_deg, rows in view.region_in_view.groupby("min_elevation_deg"):
        daily = view.coverage[(view.coverage["min_elevation_deg"] == mask_deg) & (view.coverage["satellite_set"] == "all")
                              & (view.coverage["service"] == "direct")]["sats_in_view_mean"].item()
        assert rows["sats_in_view_mean"].mean() == pytest.approx(daily, rel=1e-9)
        assert (rows["sats_in_view_max"] >= rows["sats_in_view_mean"] - 1e-9).all()  # float sums: 1 + 2e-16


def test_satellites_in_view_of_a_station_count_the_passes_in_progress(computed):
    engine, settings, _ = computed
    view = day_view(engine, settings, DAY)
    series = view.station_in_view
    assert len(series) == 24 * 60  # one station, one mask, every minute
    # Brute force: at 50 instants, the passes whose [AOS, LOS) holds the instant.
    passes = view.passes
    for t in series["t"].iloc[::29]:
        expected = int(((passes["aos"] <= t) & (passes["los"] > t)).sum())
        # Passes of 11-19/11-21 that reach into the day are counted too (none stored here).
        assert series.loc[series["t"] == t, "satellites"].item() == expected


def test_pass_lanes_never_overlap_and_are_as_few_as_the_busiest_instant(computed):
    engine, settings, _ = computed
    passes = day_view(engine, settings, DAY).passes
    lanes = np.array(pass_lanes(passes))
    for lane in np.unique(lanes):
        on_lane = passes[lanes == lane].sort_values("aos")
        assert (on_lane["aos"].to_numpy()[1:] >= on_lane["los"].to_numpy()[:-1]).all()
    events = sorted([(t, 1) for t in passes["aos"]] + [(t, -1) for t in passes["los"]], key=lambda e: (e[0], e[1]))
    busiest = max(np.cumsum([step for _, step in events]))
    assert lanes.max() + 1 == busiest
    figure = pass_timeline(day_view(engine, settings, DAY))
    assert len(figure.data[0].x) == len(passes)


def test_the_map_draws_one_cell_per_row_for_each_mask(computed):
    engine, settings, _ = computed
    view = day_view(engine, settings, DAY)
    figure = coverage_map(view, settings)
    heatmaps = [trace for trace in figure.data if trace.type == "heatmap"]
    assert [h.name for h in heatmaps] == [f"≥ {m:g}°" for m in settings.masks_deg]
    for heatmap, mask in zip(heatmaps, settings.masks_deg):
        shown = [v for row in heatmap.z for v in row if v is not None]
        stored = view.cells[view.cells["min_elevation_deg"] == mask]["percent_time_covered"]
        assert len(shown) == len(stored)
        assert sorted(shown) == pytest.approx(sorted(stored.round(3)), abs=1e-9)


def test_passes_csv_has_a_row_per_pass_in_utc_and_local_time(computed):
    engine, settings, _ = computed
    lines = passes_csv(day_view(engine, settings, DAY)).splitlines()
    assert len(lines) == 599
    first = dict(zip(lines[0].split(","), lines[1].split(",")))
    aos = datetime.fromisoformat(first["aos"].replace("Z", "+00:00"))
    assert datetime.fromisoformat(first["aos_local"]) == aos.replace(microsecond=aos.microsecond // 1000 * 1000)


def test_pages_render_the_day_and_the_history_with_the_given_plotly(computed):
    engine, settings, _ = computed
    html = day_page(day_view(engine, settings, DAY), settings, plotly_script("/x/plotly.min.js"))
    assert '<script src="/x/plotly.min.js"></script>' in html and html.count("<tr>") > 598 + 108
    history = trend(engine, settings)
    assert len(history) == 1 and history["passes"].item() == 598
    assert history["percent_time_covered_25deg"].item() == pytest.approx(71.24, abs=0.01)
    assert "trend-table" in trend_page(history, settings, plotly_script("/x/plotly.min.js"))
    empty = day_view(engine, settings, DAY + timedelta(days=30))
    assert not empty.computed and "has no results" in day_page(empty, settings, plotly_script("p.js"))


@pytest.mark.slow  # a Python process that imports Airflow
def test_make_report_writes_one_self_contained_file(computed, tmp_path):
    engine, settings, url = computed
    if not url.startswith("sqlite"):
        pytest.skip("the report reads the installation's reporting_db connection; SQLite is enough here")
    env = {**os.environ, "AIRFLOW_CONN_REPORTING_DB": f'{{"conn_type": "sqlite", "host": "{url[len("sqlite:///"):]}"}}'}
    out = tmp_path / "report.html"
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "report.py"), DAY.isoformat(), "--out", str(out)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    head, library = html.split("<script>", 1)
    rest = library.split("</script>", 1)[1]  # the page outside the inline Plotly library
    assert "plotly.js v" in library and "<script src=" not in head + rest and "http" not in head + rest
    assert out.stat().st_size > 4_000_000 and "598 passes" in done.stdout
    missing = subprocess.run([sys.executable, str(REPO / "scripts" / "report.py"), "2025-12-25", "--out",
                              str(tmp_path / "none.html")], env=env, capture_output=True, text=True, timeout=120)
    assert missing.returncode == 1 and "never computed" in missing.stderr and not (tmp_path / "none.html").exists()


def test_the_calendar_tells_computed_old_incomplete_and_missing_days(computed):
    engine, settings, _ = computed
    days = {d.day: d.state for d in calendar_days(engine, settings, DAY - timedelta(days=1), DAY + timedelta(days=1))}
    assert days == {DAY - timedelta(days=1): "missing", DAY: "computed", DAY + timedelta(days=1): "missing"}
    with engine.begin() as conn:
        conn.execute(update(schema.day_snapshots).values(age_override=True))
    assert calendar_days(engine, settings, DAY, DAY)[0].state == "old snapshot"
    with engine.begin() as conn:
        conn.execute(delete(schema.gateway_daily))
    assert calendar_days(engine, settings, DAY, DAY)[0].state == "incomplete"
