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
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from constops.archive import RawArchive, WorkArea
from constops.day.assignment import snapshot_for_day
from constops.day.gateway_schedule import plan_station_day
from constops.reporting import schema
from constops.reporting.store import connect
from constops.settings import load_settings
from tests.support.data import REPO, SNAPSHOTS
from tests.support.days import compute_day

from celestrak_stand_in import CelestrakStandIn
from standalone import Standalone, airflow, airflow_env

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    if os.environ.get("CONSTOPS_REQUIRE_BROWSER"):
        raise RuntimeError(f"CONSTOPS_REQUIRE_BROWSER is set but {CHROMIUM} is missing (apt-get install chromium)")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

COMPUTED, BACKFILLED = date(2025, 11, 20), date(2025, 11, 21)
#: No archived snapshot was acquired before this day's start: a backfill cannot compute it.
UNSERVED = date(2025, 11, 10)
SECURITY_HEADERS = {"content-security-policy": "frame-ancestors 'self'", "x-frame-options": "SAMEORIGIN",
                    "x-content-type-options": "nosniff"}
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
        CONSTOPS_ARCHIVE_URL=str(root / "archive"), CONSTOPS_ALERTS_FILE=str(root / "alerts.log"),
    )
    (root / "airflow").mkdir()
    airflow(env, "db", "migrate")
    subprocess.run([sys.executable, str(REPO / "scripts" / "import_snapshots.py"), *(str(SNAPSHOTS / f) for f in FILES)],
                   env=env, check=True, capture_output=True)
    engine = connect(f"sqlite:///{root / 'reporting.db'}")
    compute_day(engine, RawArchive(str(root / "archive")), COMPUTED)
    snapshot_id = snapshot_for_day(engine, "qianfan", COMPUTED).snapshot_id  # and Akkol's contact plan
    plan_station_day(engine, load_settings(), "akkol", COMPUTED, {"qianfan": snapshot_id},
                     WorkArea(str(root / "airflow" / "work")))
    services = Standalone(env)
    base = f"http://127.0.0.1:{env['AIRFLOW__API__PORT']}"
    passwords = root / "airflow" / "simple_auth_manager_passwords.json.generated"
    services.wait_for("the API server and the DAGs", lambda: passwords.exists() and _healthy(base) and len(
        services.metadata("SELECT dag_id FROM dag WHERE is_paused = 0")) == 4)  # tle_ingest, tle_refresh, coverage, gateway_passes
    shots = SCREENSHOTS or root / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    yield base, json.loads(passwords.read_text())["admin"], engine, shots, services, root
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

    fill = {"{day}": COMPUTED.isoformat(), "{dag_id}": "coverage", "{run_id}": "no_such_run",
            "{station_id}": "akkol", "{name}": "akkol-1.csv"}
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
        refused = requests.get(base + path, timeout=30, allow_redirects=False)
        forged = requests.get(base + path, headers={"Authorization": "Bearer not-a-token"}, timeout=30,
                              allow_redirects=False)
        assert (refused.status_code, forged.status_code) == (401, 403), path
        served = requests.get(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=60,
                              allow_redirects=False)
        expected = 404 if "no_such_run" in path else (303 if path.endswith(("/constellation/",)) else 200)
        assert served.status_code == expected, (path, served.status_code, served.text[:300])
        # No page of another origin may frame the pages (their buttons act with the operator's login).
        for answer in (refused, forged, served):
            assert {k: answer.headers.get(k) for k in SECURITY_HEADERS} == SECURITY_HEADERS, (path, answer.status_code)
    # A constellation that is configured but not computed here is named, not a server error.
    other = requests.get(f"{base}/constellation/day/{COMPUTED}?group=starlink",
                         headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert other.status_code == 404 and "'starlink' is not computed here; computed: qianfan" in other.text
    # A day is YYYY-MM-DD and nothing else (422), within the pipeline's days (404): both name the range.
    horizon = datetime.now(timezone.utc).date() + timedelta(days=2)  # [pipeline] horizon_days
    accepted = f"accepted: a UTC day YYYY-MM-DD from 2025-11-01 to {horizon}"
    auth = {"Authorization": f"Bearer {token}"}
    for day, status in [("0001-01-01", 404), ("9999-12-31", 404), ("2025-10-31", 404), (str(horizon + timedelta(days=1)), 404),
                        ("20251120", 422), ("2025-W47-4", 422), ("2025-11-31", 422), ("2025-11-20T00:00", 422)]:
        for path in (f"/constellation/day/{day}", f"/constellation/day/{day}/passes.csv",
                     f"/constellation/api/calendar?first={day}"):
            answer = requests.get(base + path, headers=auth, timeout=30)
            assert (answer.status_code, accepted in answer.json()["detail"]) == (status, True), (path, answer.text)
    assert requests.get(f"{base}/constellation/day/{horizon}", headers=auth, timeout=30).status_code == 200
    # The day's revisions: one here, named; a revision it lacks is a 404 that lists them.
    page = requests.get(f"{base}/constellation/day/{COMPUTED}", headers=auth, timeout=30).text
    assert 'id="revisions-table"' in page and "none: the first revision of the day." in page
    missing = requests.get(f"{base}/constellation/day/{COMPUTED}?revision=9", headers=auth, timeout=30)
    assert missing.status_code == 404 and "has no revision 9; its revisions: 1" in missing.json()["detail"]
    # The UI knows both entries: the navigation's and the tab on every DAG run.
    plugins = requests.get(f"{base}/api/v2/plugins", headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
    (plugin,) = [p for p in plugins["plugins"] if p["name"] == "constellation_operations"]
    assert {(v["name"], v["destination"], v["href"]) for v in plugin["external_views"]} == {
        ("Constellation", "nav", "constellation/calendar"),
        ("Day page", "dag_run", "constellation/run/{DAG_ID}/{RUN_ID}")}


def test_pages_show_the_database_and_a_backfill_from_the_calendar_computes_its_day(site):
    from playwright.sync_api import sync_playwright

    base, password, engine, shots, services, root = site
    # A failure of a day, as the DAGs' alert callback writes it: the day page shows it.
    failed_day = date(2025, 11, 18)
    (root / "alerts.log").write_text(f"2026-12-01T10:00:00Z FAILED tle_ingest.ingest day={failed_day} try=1 "
                                     f"run=manual__x: NoSnapshotError: no archived qianfan snapshot <b>was</b> here\n")
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
        errors, outside, warnings, posts = [], [], [], []
        page.on("console", lambda m: errors.append((m.location.get("url"), m.text)) if m.type == "error" else None)
        page.on("console", lambda m: warnings.append(m.text) if m.type in ("warning", "trace") else None)
        page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/api/v2/backfills" in r.url else None)
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
        # It opens on the latest month with a computed day; days an archived snapshot serves are striped.
        assert frame.locator(".month.opened").get_attribute("data-month") == "2025-11"
        assert frame.evaluate("(() => { const r = document.querySelector('.month.opened').getBoundingClientRect();"
                              " return r.top >= 0 && r.top < window.innerHeight; })()")
        assert frame.locator(f".day.computable[data-day='{BACKFILLED}']").count() == 1
        assert frame.locator(f".day.computable[data-day='{UNSERVED}']").count() == 0
        assert frame.locator(f".day[data-day='{UNSERVED}'][data-state='missing']").count() == 1

        # Another origin of the same site (another port of this host) cannot frame the pages.
        other_origin = CelestrakStandIn()
        other_origin.answer(200, f'<iframe src="{base}/constellation/calendar" width="900" height="600"></iframe>'.encode(),
                            content_type="text/html; charset=utf-8")
        framer = f"http://127.0.0.1:{other_origin.port}/"
        try:
            page.goto(framer)
            page.wait_for_timeout(3000)
            (framed,) = [f for f in page.frames if f != page.main_frame]
            assert framed.locator("#months").count() == 0 and framed.locator("#start").count() == 0, framed.url
            page.screenshot(path=shots / "calendar-framed-elsewhere.png")
        finally:
            other_origin.close()

        # The day page: one heatmap cell per database row, one bar per pass.
        page.goto(f"{base}/constellation/day/{COMPUTED}")
        page.wait_for_function("document.getElementById('pass-timeline')?.data !== undefined")
        shown_cells = page.evaluate(
            "document.getElementById('coverage-map').data[0].z.flat().filter(v => v !== null).length")
        shown_passes = page.evaluate("document.getElementById('pass-timeline').data[0].x.length")
        table_rows = page.locator("#passes-table tr").count() - 1
        assert (shown_cells, shown_passes, table_rows) == (cells, passes, passes)
        assert page.locator("#fleet-table tr").count() - 1 == 108
        assert [w for w in warnings if "Invalid color" in w] == []
        # Akkol's contact plan: a timeline bar per contact row, a sky track per contact, the files offered.
        with engine.connect() as conn:
            contacts = conn.execute(select(func.count()).select_from(schema.contact_plan)).scalar()
        page.wait_for_function("document.getElementById('sky-plot-akkol')?.data !== undefined")
        assert page.evaluate("document.getElementById('antenna-timeline-akkol').data[0].x.length") == contacts
        assert page.evaluate("document.getElementById('sky-plot-akkol').data.length") == contacts + 3
        assert page.locator("#pointing-akkol a").count() == 4 + 1  # a program track per antenna, the OEMs' zip
        page.locator("#schedule-akkol").screenshot(path=shots / "contact-plan.png")
        # The pass table sorts by a column and filters by any text.
        page.click("#passes-table th:has-text('max el.')")
        page.click("#passes-table th:has-text('max el.')")
        top = float(page.locator("#passes-table tbody tr").first.locator("td").nth(10).inner_text())
        assert top == pytest.approx(page.evaluate("Math.max(...document.getElementById('pass-timeline').data[0]"
                                                  ".customdata.map(c => Number(c[1])))"), abs=0.05)
        norad = page.locator("#passes-table tbody tr").first.locator("td").nth(2).inner_text()
        page.fill("#passes-filter", norad)
        with engine.connect() as conn:
            of_one = conn.execute(select(func.count()).select_from(schema.gateway_passes).where(
                schema.gateway_passes.c.day == COMPUTED, schema.gateway_passes.c.norad_cat_id == int(norad))).scalar()
        assert page.locator("#passes-table tbody tr:visible").count() == of_one
        page.screenshot(path=shots / "day-page.png", full_page=True)
        with page.expect_download() as download:
            page.click("#passes-csv")
        assert download.value.suggested_filename == f"passes-qianfan-{COMPUTED}.csv"
        assert len(Path(download.value.path()).read_text().splitlines()) == passes + 1

        # A day no snapshot serves says so, and offers no backfill; a failed day shows its failure as text.
        page.goto(f"{base}/constellation/day/{UNSERVED}")
        assert "a backfill cannot compute it" in page.inner_text("#day-reason")
        assert "make import" in page.inner_text("#day-actions") and "backfill of it" not in page.inner_text("#day-actions")
        page.goto(f"{base}/constellation/day/{failed_day}")
        assert "snapshot <b>was</b> here" in page.inner_text("#day-alert")

        # The history: one row per computed day.
        page.goto(f"{base}/constellation/trend")
        page.wait_for_selector("#trend-table")
        assert page.locator("#trend-table tr").count() - 1 == 1
        page.screenshot(path=shots / "trend-page.png", full_page=True)

        # The calendar: a day no snapshot serves gives its own reason and no backfill.
        page.goto(f"{base}/constellation/calendar")
        page.click(f".day[data-day='{UNSERVED}']")
        assert "a backfill cannot compute it" in page.inner_text("#day-reason")
        assert page.is_disabled("#start")
        # Every field is checked before anything is sent: a negative "Max active runs" is refused here.
        page.click(f".day[data-day='{BACKFILLED}']")
        assert page.input_value("#from") == page.input_value("#to") == BACKFILLED.isoformat()
        assert page.is_enabled("#start")
        page.fill("#max-active", "-5")
        assert "Max active runs must be a whole number from 1 to 16" in page.inner_text("#problems")
        assert page.is_disabled("#start")
        page.evaluate("startBackfill()")
        assert "Max active runs must be" in page.inner_text("#status") and posts == []
        page.fill("#max-active", "1")
        # Airflow's refusal is said in plain words (here a 409 as Airflow answers while a backfill is open).
        refuse = lambda route: route.fulfill(status=409, json={"detail": "There is already a running backfill for dag tle_ingest"})  # noqa: E731
        page.route(f"{base}/api/v2/backfills", refuse)
        page.click("#start")
        page.wait_for_selector("#status:has-text('a backfill of tle_ingest is still open')", timeout=30_000)
        page.unroute(f"{base}/api/v2/backfills", refuse)
        posts.clear()
        # A one-day backfill from the calendar, with the operator's own login, followed until it is finished.
        page.click("#start")
        page.wait_for_selector("#status:has-text('started')", timeout=30_000)
        page.wait_for_selector(f".day[data-day='{BACKFILLED}'][data-state='computed']", timeout=300_000)
        page.wait_for_selector("#status:has-text('finished')", timeout=120_000)
        assert "1 of 1 days computed" in page.inner_text("#status") and len(posts) == 1
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
    assert [url for url in outside if not url.startswith(framer)] == []  # the framing page's own request aside
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
