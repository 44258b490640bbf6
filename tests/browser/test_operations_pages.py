"""The operations pages in a real Airflow installation (``airflow standalone``, as ``make
run`` starts it), driven by headless Chromium (Debian's ``chromium``, through Playwright).

The installation holds the real CelesTrak downloads of 2025-11-19 and 2025-11-20; the
day 2025-11-20 is computed beforehand. The tests check that every route refuses a request
without a valid token and serves one with a token; then, in the browser, log in, open the
"Constellation" entry, compare the day page's map and timeline with the database, start
a one-day backfill of 2025-11-21 from the calendar and see it computed, with no console
error and no request leaving the API server. Screenshots go to
``$CONSTOPS_SCREENSHOTS_DIR`` (default: the test's temporary folder).

What only these tests prove: that the plugin's routes sit behind Airflow's own login in a
real api-server, and that the pages work as a person uses them (JavaScript, Plotly, the
calendar's backfill through Airflow's REST API). What the pages contain is checked
faster on the library's tables (tests/unit/test_dashboard.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from constops.archive import RawArchive
from constops.reporting import schema
from constops.reporting.store import connect
from tests.support.airflow_services import Standalone, airflow, airflow_env
from tests.support.celestrak_stand_in import CelestrakStandIn
from tests.support.data import REPO, SNAPSHOTS
from tests.support.days import compute_day

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    if os.environ.get("CONSTOPS_REQUIRE_BROWSER"):
        raise RuntimeError(f"CONSTOPS_REQUIRE_BROWSER is set but {CHROMIUM} is missing (apt-get install chromium)")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

COMPUTED, BACKFILLED = date(2025, 11, 20), date(2025, 11, 21)
FILES = ("qianfan_2025-11-19.tle", "qianfan_2025-11-20.tle")
NOT_UPDATED = b"GP data has not updated since your last successful download of GROUP=qianfan."
SCREENSHOTS = Path(os.environ.get("CONSTOPS_SCREENSHOTS_DIR", "")) if os.environ.get("CONSTOPS_SCREENSHOTS_DIR") else None


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A running installation: (base URL, admin password, reporting engine, screenshot folder)."""
    root = tmp_path_factory.mktemp("operations")
    celestrak = CelestrakStandIn()
    celestrak.answer(403, NOT_UPDATED)  # the scheduler's own run for today is refused
    env = airflow_env(
        root / "airflow", AIRFLOW_CONN_CELESTRAK=celestrak.connection_json,
        AIRFLOW_CONN_REPORTING_DB=json.dumps({"conn_type": "sqlite", "host": str(root / "reporting.db")}),
        CONSTOPS_ARCHIVE_URL=str(root / "archive"),
    )
    (root / "airflow").mkdir()
    airflow(env, "db", "migrate")
    subprocess.run([sys.executable, str(REPO / "scripts" / "import_snapshots.py"), *(str(SNAPSHOTS / f) for f in FILES)],
                   env=env, check=True, capture_output=True)
    engine = connect(f"sqlite:///{root / 'reporting.db'}")
    compute_day(engine, RawArchive(str(root / "archive")), COMPUTED)
    services = Standalone(env)
    base = f"http://127.0.0.1:{env['AIRFLOW__API__PORT']}"
    passwords = root / "airflow" / "simple_auth_manager_passwords.json.generated"
    services.wait_for("the API server and the DAGs", lambda: passwords.exists() and _healthy(base) and len(
        services.metadata("SELECT dag_id FROM dag WHERE is_paused = 0")) == 3)
    shots = SCREENSHOTS or root / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    yield base, json.loads(passwords.read_text())["admin"], engine, shots, services
    services.stop()
    engine.dispose()
    celestrak.close()


def _healthy(base: str) -> bool:
    try:
        return requests.get(f"{base}/api/v2/monitor/health", timeout=2).ok
    except requests.RequestException:
        return False


def _token(base: str, password: str) -> str:
    answer = requests.post(f"{base}/auth/token", json={"username": "admin", "password": password}, timeout=10)
    answer.raise_for_status()
    return answer.json()["access_token"]


def _routes() -> list[str]:
    """Return a concrete path for every route of the plugin's app (path parameters filled in)."""
    import airflow  # noqa: F401  (puts the plugins folder on sys.path)

    from constops_airflow.operations.app import URL_PREFIX, app

    fill = {"{day}": COMPUTED.isoformat(), "{dag_id}": "coverage", "{run_id}": "no_such_run"}
    paths = []
    for route in app.routes:
        path = route.path
        for name, value in fill.items():
            path = path.replace(name, value)
        paths.append(URL_PREFIX + path)
    return paths


def test_every_route_needs_a_valid_token(site):
    base, password, *_ = site
    token = _token(base, password)
    routes = _routes()
    assert len(routes) >= 8
    for path in routes:
        assert requests.get(base + path, timeout=30, allow_redirects=False).status_code == 401, path
        assert requests.get(base + path, headers={"Authorization": "Bearer not-a-token"}, timeout=30,
                            allow_redirects=False).status_code == 403, path
        served = requests.get(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=60,
                              allow_redirects=False)
        expected = 404 if "no_such_run" in path else (303 if path.endswith(("/constellation/",)) else 200)
        assert served.status_code == expected, (path, served.status_code, served.text[:300])
    # A constellation that is configured but not computed here is named, not a server error.
    other = requests.get(f"{base}/constellation/day/{COMPUTED}?group=starlink",
                         headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert other.status_code == 404 and "'starlink' is not computed here; computed: qianfan" in other.text
    # The UI knows both entries: the navigation's and the tab on every DAG run.
    plugins = requests.get(f"{base}/api/v2/plugins", headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
    (plugin,) = [p for p in plugins["plugins"] if p["name"] == "constellation_operations"]
    assert {(v["name"], v["destination"], v["href"]) for v in plugin["external_views"]} == {
        ("Constellation", "nav", "constellation/calendar"),
        ("Day page", "dag_run", "constellation/run/{DAG_ID}/{RUN_ID}")}


def test_pages_show_the_database_and_a_backfill_from_the_calendar_computes_its_day(site):
    from playwright.sync_api import sync_playwright

    base, password, engine, shots, services = site
    with engine.connect() as conn:
        cells = conn.execute(select(func.count()).select_from(schema.coverage_cells).where(
            schema.coverage_cells.c.day == COMPUTED, schema.coverage_cells.c.satellite_set == "all",
            schema.coverage_cells.c.service == "direct", schema.coverage_cells.c.min_elevation_deg == 10.0)).scalar()
        passes = conn.execute(select(func.count()).select_from(schema.gateway_passes).where(
            schema.gateway_passes.c.day == COMPUTED)).scalar()
    assert cells > 1000 and passes > 500

    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors, outside = [], []
        page.on("console", lambda m: errors.append((m.location.get("url"), m.text)) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(("pageerror", str(e))))
        page.on("request", lambda r: outside.append(r.url) if r.url.startswith(("http:", "https:"))
                and not r.url.startswith(base) else None)

        page.goto(f"{base}/")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/", timeout=30_000)

        # The navigation entry opens the calendar inside Airflow's UI.
        page.click("text=Constellation")
        frame = _frame(page, f"{base}/constellation/calendar")
        frame.wait_for_selector(f".day[data-day='{COMPUTED}'][data-state='computed']", timeout=30_000)
        page.screenshot(path=shots / "calendar-in-airflow.png")

        # The day page: one heatmap cell per database row, one bar per pass.
        page.goto(f"{base}/constellation/day/{COMPUTED}")
        page.wait_for_function("document.getElementById('pass-timeline')?.data !== undefined")
        shown_cells = page.evaluate(
            "document.getElementById('coverage-map').data[0].z.flat().filter(v => v !== null).length")
        shown_passes = page.evaluate("document.getElementById('pass-timeline').data[0].x.length")
        table_rows = page.locator("#passes-table tr").count() - 1
        assert (shown_cells, shown_passes, table_rows) == (cells, passes, passes)
        assert page.locator("#fleet-table tr").count() - 1 == 108
        page.screenshot(path=shots / "day-page.png", full_page=True)
        with page.expect_download() as download:
            page.click("#passes-csv")
        assert download.value.suggested_filename == f"passes-qianfan-{COMPUTED}.csv"
        assert len(Path(download.value.path()).read_text().splitlines()) == passes + 1

        # The history: one row per computed day.
        page.goto(f"{base}/constellation/trend")
        page.wait_for_selector("#trend-table")
        assert page.locator("#trend-table tr").count() - 1 == 1
        page.screenshot(path=shots / "trend-page.png", full_page=True)

        # A one-day backfill from the calendar, with the operator's own login.
        page.goto(f"{base}/constellation/calendar")
        page.click(f".day[data-day='{BACKFILLED}']")
        assert page.input_value("#from") == page.input_value("#to") == BACKFILLED.isoformat()
        page.click("#start")
        page.wait_for_selector("#status:has-text('started')", timeout=30_000)
        page.wait_for_selector(f".day[data-day='{BACKFILLED}'][data-state='computed']", timeout=300_000)
        page.click(f".day[data-day='{BACKFILLED}']")
        page.screenshot(path=shots / "calendar-after-backfill.png", full_page=True)

        # The "Day page" link of a run leads to the day it computed.
        run_id = services.metadata("SELECT run_id FROM dag_run WHERE dag_id = 'coverage' AND partition_key = ?",
                                   [BACKFILLED.isoformat()])[0][0]
        # Airflow's runs list shows each run's conf: the listener wrote the day there.
        conf = services.metadata("SELECT conf FROM dag_run WHERE run_id = ?", [run_id])[0][0]
        assert json.loads(conf) == {"day": BACKFILLED.isoformat()}
        page.goto(f"{base}/constellation/run/coverage/{run_id}")
        assert page.url == f"{base}/constellation/day/{BACKFILLED}"
        browser.close()
    print(f"browser session: {time.monotonic() - started:.0f} s")
    # Airflow's own login page logs a 401 of /ui/config before login: only our pages count.
    assert [e for e in errors if "/constellation/" in (e[0] or "") or e[0] == "pageerror"] == []
    assert outside == []
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.gateway_passes).where(
            schema.gateway_passes.c.day == BACKFILLED)).scalar() > 500
    backfills = services.metadata("SELECT dag_id, triggering_user_name FROM backfill")
    assert backfills == [("tle_ingest", "admin")]


def _frame(page, url: str, timeout_s: float = 30):
    """Return the frame of the page whose URL starts with ``url`` (the page itself, under
    /plugin/..., is not it)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            if frame.url.startswith(url):
                return frame
        page.wait_for_timeout(250)
    raise AssertionError(f"no frame of {url}; frames: {[f.url for f in page.frames]}")
