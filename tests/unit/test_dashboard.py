"""What the operations pages and the report show, checked against the reporting database
and against independent counts (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import delete, update

from constops import snapshots
from constops.archive import RawArchive
from constops.dashboard.calendar import calendar_days, day_outlook
from constops.dashboard.day_view import day_view, passes_csv
from constops.dashboard.figures import coverage_map, pass_lanes, pass_timeline, trend_figures, with_missing_days
from constops.dashboard.pages import day_page, plotly_script, source_name, trend_page
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
    view = day_view(engine, settings, DAY)
    lines = passes_csv(view).splitlines()
    assert len(lines) == 599
    first = dict(zip(lines[0].split(","), lines[1].split(",")))
    names = dict(zip(view.fleet["norad_cat_id"], view.fleet["object_name"]))
    assert first["object_name"] == names[int(first["norad_cat_id"])] and first["object_name"].startswith("QIANFAN")
    aos = datetime.fromisoformat(first["aos"].replace("Z", "+00:00"))
    assert datetime.fromisoformat(first["aos_local"]) == aos.replace(microsecond=aos.microsecond // 1000 * 1000)


def test_the_timeline_gives_each_bar_a_colour_and_names_the_satellite_with_dated_times(computed):
    engine, settings, _ = computed
    view = day_view(engine, settings, DAY)
    bars = pass_timeline(view).data[0]
    # A colour string per bar (a number makes Plotly warn "Invalid color specifier" for each bar).
    assert len(bars.marker.color) == len(view.passes) and all(c.startswith("rgb(") for c in bars.marker.color)
    first = view.passes.iloc[0]
    name = view.fleet.set_index("norad_cat_id")["object_name"][first["norad_cat_id"]]
    assert bars.customdata[0][0] == f"{name} ({first['norad_cat_id']})"
    assert bars.customdata[0][2] == first["aos"].strftime("%Y-%m-%d %H:%M:%S")
    assert bars.customdata[0][4] == first["los"].strftime("%Y-%m-%d %H:%M:%S")
    assert "LOS" in bars.hovertemplate and "max elevation" in bars.hovertemplate


def test_the_history_lines_break_at_a_missing_day(computed):
    engine, settings, _ = computed
    rows = trend(engine, settings)
    two = pd.concat([rows, rows.assign(day=rows["day"] + timedelta(days=3))], ignore_index=True)
    full = with_missing_days(two)
    assert list(full["day"]) == [DAY + timedelta(days=i) for i in range(4)]
    coverage = trend_figures(two, settings)[0].data[0]
    assert [y is None or y != y for y in coverage.y] == [False, True, True, False]  # None/NaN: a gap


def test_the_day_page_names_an_imported_file_not_its_path_on_the_server(computed):
    engine, settings, _ = computed
    view = day_view(engine, settings, DAY)
    assert view.snapshot["source"].startswith("/")  # the import recorded the file's absolute path
    html = day_page(view, settings, plotly_script("p.js"))
    assert "qianfan_2025-11-20.tle" in html and str(REPO) not in html and view.snapshot["source"] not in html
    assert source_name("https://celestrak.org/NORAD/elements/gp.php?GROUP=qianfan&FORMAT=json").startswith("https://")


def test_each_day_says_why_it_is_not_computed_and_only_what_can_work(computed):
    """The 2025-11-20 download (acquired at its newest epoch, 2025-11-19 23:52 UTC) serves
    2025-11-20 and 21 within the 3-day limit; nothing serves 2025-11-19 or 2025-11-24."""
    engine, settings, _ = computed
    now = datetime(2025, 12, 1, 10, tzinfo=timezone.utc)
    days = {d.day: d for d in calendar_days(engine, settings, date(2025, 11, 1), date(2025, 12, 3), now=now)}
    assert days[DAY].state == "computed" and "snapshot" in days[DAY].reason
    nxt = days[DAY + timedelta(days=1)]
    assert (nxt.state, nxt.computable, nxt.actions) == ("missing", True, ("backfill",)) and "backfill" in nxt.reason
    before = days[DAY - timedelta(days=1)]
    assert (before.computable, before.actions) == (False, ("import",))
    assert "no archived qianfan snapshot was acquired at or before 2025-11-19 00:00 UTC" in before.reason
    assert "a backfill cannot" in before.reason
    old = days[date(2025, 11, 24)]
    assert (old.computable, old.actions) == (False, ("import", "override")) and "more than the limit of 3" in old.reason
    for live in (date(2025, 11, 30), date(2025, 12, 1)):  # started less than live_window_h (36 h) ago
        assert days[live].actions == ("backfill", "trigger") and "fetches the elements from CelesTrak" in days[live].reason
    tomorrow = days[date(2025, 12, 2)]
    assert tomorrow.actions == ("trigger",) and "a backfill refuses" in tomorrow.reason
    # 11-21 and 22 from the archive (2.1 days old; 11-23: 3.1), the two live days, the horizon (2 days).
    assert [d.day.day for d in days.values() if d.computable] == [21, 22, 30, 1, 2, 3]
    early = day_outlook(engine, settings, date(2025, 10, 31), now=now)
    assert (early.computable, early.actions) == (False, ()) and "before the pipeline's first day" in early.reason
    later = day_outlook(engine, settings, date(2025, 12, 4), now=now)
    assert (later.computable, later.actions) == (False, ()) and "beyond the planning horizon" in later.reason
    # The day page of a day without results says the day's own reason and offers what can work.
    page = day_page(day_view(engine, settings, before.day), settings, plotly_script("p.js"), outlook=before.as_json())
    assert "a backfill cannot" in page and "make import" in page and "Start a backfill" not in page
    page = day_page(day_view(engine, settings, nxt.day), settings, plotly_script("p.js"), outlook=nxt.as_json())
    assert "Start a backfill" in page and "make import" not in page


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
    assert str(SNAPSHOTS) not in head + rest and "qianfan_2025-11-20.tle" in rest  # the file's name, not its path
    assert "@media print" in head
    # Without --out: into $AIRFLOW_HOME/reports, never the working directory (the repository).
    home = tmp_path / "home"
    default = subprocess.run([sys.executable, str(REPO / "scripts" / "report.py"), DAY.isoformat()], cwd=tmp_path,
                             env={**env, "AIRFLOW_HOME": str(home)}, capture_output=True, text=True, timeout=120)
    assert default.returncode == 0, default.stderr
    assert [f.relative_to(tmp_path).as_posix() for f in tmp_path.rglob("*.html") if f != out] == [
        f"home/reports/constellation-report-qianfan-{DAY}.html"]
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


def test_the_contact_plan_section_draws_the_antennas_the_sky_and_marks_the_calendar(computed, tmp_path, monkeypatch):
    """The day page's contact plan of Akkol: one timeline bar per contact row, the GSO arc
    where geometry puts it (due south at 30.5 degrees of elevation from 52 N: atan((cos 52 -
    R/r_GSO) / sin 52)), the Sun's noon at 90 - 52 - 19.8 = 18.2 degrees (its declination on
    2025-11-20, Astronomical Almanac), and a calendar mark when continuity falls under the
    threshold."""
    from constops.archive import WorkArea
    from constops.dashboard.pages import ScheduleSection
    from constops.dashboard.schedule_figures import antenna_timeline, sky_plot
    from constops.dashboard.schedule_view import contact_plan_csv, schedule_view
    from constops.day.assignment import snapshot_for_day
    from constops.day.gateway_schedule import plan_station_day

    engine, settings, _ = computed
    snapshot_id = snapshot_for_day(engine, "qianfan", DAY).snapshot_id
    summary = plan_station_day(engine, settings, "akkol", DAY, {"qianfan": snapshot_id}, WorkArea(str(tmp_path)))
    view = schedule_view(engine, settings.station("akkol"), DAY)
    assert len(view.contacts) == summary["contacts"] and view.summary["contacts"] == summary["contacts"]
    timeline = antenna_timeline(view)
    bars = timeline.data[0]
    assert len(bars.x) == summary["contacts"] and set(bars.y) == {"akkol-1", "akkol-2", "akkol-3", "akkol-4"}
    assert len(timeline.data[1].x) == summary["handovers"]  # a diamond per make-before-break handover
    assert {t.name for t in timeline.data[2:]} >= {"keep-out: gso_arc"}

    south = view.gso_arc.iloc[(view.gso_arc["azimuth_deg"] - 180.0).abs().argmin()]
    assert abs(south["azimuth_deg"] - 180.0) < 0.2 and south["elevation_deg"] == pytest.approx(30.5, abs=0.2)
    assert view.sun["elevation_deg"].max() == pytest.approx(18.2, abs=0.3)
    sky = sky_plot(view)
    assert sum(1 for t in sky.data if t.name and "GSO" in t.name) == 2 and sky.data[-1].name.startswith("Sun")
    assert len(sky.data) - 3 == summary["contacts"]  # a track per contact
    for contact in view.tracks.groupby(["norad_cat_id", "contact_start"]):
        assert (contact[1]["elevation_deg"] >= settings.station("akkol").antennas.min_elevation_deg - 1e-6).all()

    csv_rows = contact_plan_csv(view).splitlines()
    assert len(csv_rows) == summary["contacts"] + 1 and csv_rows[0].startswith("day,station_id,antenna_id,norad_cat_id")
    html = day_page(day_view(engine, settings, DAY), settings, plotly_script("p.js"),
                    schedules=[ScheduleSection(view, csv_href="plan.csv", pointing=(("akkol-1.csv", "a1.csv"),))])
    assert 'id="antenna-timeline-akkol"' in html and '"sky-plot-akkol"' in html and 'href="a1.csv"' in html

    (day,) = calendar_days(engine, settings, DAY, DAY)
    assert day.continuity_percent == pytest.approx(summary["percent_day_one_link"]) and not day.continuity_alert
    monkeypatch.setenv("CONSTOPS__CONTACT_PLAN__CONTINUITY_ALERT_PERCENT", "99.5")
    (day,) = calendar_days(engine, load_settings(), DAY, DAY)
    assert day.continuity_alert
