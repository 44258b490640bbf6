"""The operations pages, served by Airflow's API server under ``/constellation``.

Routes (all behind Airflow's authentication, and the permission to read the runs of
``tle_ingest``, ``coverage`` and ``gateway_passes``: a request without a valid token is
refused with 401 or 403 before any route runs):

* ``calendar``: every day since ``[pipeline] first_day``, computed, failed, missing or
  computed from an old snapshot, and a form that starts a backfill through Airflow's own
  REST API with the operator's credentials; ``api/calendar`` is its JSON;
* ``day/{day}`` (and ``day/{day}/passes.csv``): the day page; a station's contact plan as
  ``day/{day}/contact_plan/{station_id}.csv``, its antennas' program tracks as
  ``day/{day}/pointing/{station_id}/{antenna_id}.csv`` and its OEMs as ``.../oem.zip``;
* ``trend``: the whole history;
* ``run/{dag_id}/{run_id}``: the day page of a run (the link on every DAG run's page);
* ``static/plotly.min.js``: Plotly from the installed ``plotly`` package (no CDN).

Every response, refusals included, carries :data:`SECURITY_HEADERS`: no page of another
origin (another port of the host, a sibling subdomain) may frame these pages, whose
buttons act with the operator's login. A day in a path is ``YYYY-MM-DD`` and nothing
else (422 otherwise), from ``[pipeline] first_day`` to tomorrow (404 otherwise); both
answers name the accepted range.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from constops_airflow.operations.airflow_runs import PIPELINE_DAGS, day_of_run, runs_by_day

URL_PREFIX = "/constellation"
TEMPLATES = Path(__file__).parent / "templates"


def _can_read_pipeline_runs() -> list:
    """Return the dependencies every route needs: an authenticated user allowed to read the
    DAG runs of each pipeline DAG (Airflow's own checks, as its REST API applies them)."""
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity
    from airflow.api_fastapi.core_api.security import requires_access_dag

    return [Depends(requires_access_dag("GET", DagAccessEntity.RUN, param_dag_id=dag_id)) for dag_id in PIPELINE_DAGS]


app = FastAPI(title="Constellation operations", dependencies=_can_read_pipeline_runs(), docs_url=None,
              redoc_url=None, openapi_url=None)

#: Sent with every response of the app: framed only by Airflow's own pages (same origin),
#: and no content-type guessing.
SECURITY_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'self'",
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
}


@app.middleware("http")
async def _security_headers(request: Request, call_next):
    response = await call_next(request)
    response.headers.update(SECURITY_HEADERS)
    return response


def _settings():
    from constops.api import load_settings

    return load_settings()


def _engine():
    from constops_airflow.resources import reporting_engine

    return reporting_engine()


def _base(request: Request) -> tuple[str, str]:
    """Return (this app's root, Airflow's root) as URL paths, e.g. ('/constellation', '')."""
    root = request.scope.get("root_path", "").rstrip("/")
    return root, root[: -len(URL_PREFIX)] if root.endswith(URL_PREFIX) else ""


#: The pages' query parameter that names the constellation (its id): ``?group=qianfan``, the
#: name of the links operators keep.
GROUP_PARAM = Query(None, alias="group", description="constellation id, e.g. qianfan (default: the first computed)")


def _nav(request: Request, day: date | None = None, constellation_id: str | None = None,
         page: str = "day") -> list[tuple[str, str]]:
    """Return the pages' links: calendar, history, the neighbouring days, the other
    constellations' same page (when several are computed), and Airflow; ``constellation_id`` kept."""
    root, airflow_root = _base(request)
    settings = _settings()
    keep = f"?group={constellation_id}" if constellation_id else ""
    links = [("Calendar", f"{root}/calendar{keep}"), ("History", f"{root}/trend{keep}")]
    if day:
        links += [("Previous day", f"{root}/day/{day - timedelta(days=1)}{keep}"),
                  ("Next day", f"{root}/day/{day + timedelta(days=1)}{keep}")]
    if len(settings.constellation_ids) > 1:
        here = {"day": f"{root}/day/{day}", "trend": f"{root}/trend", "calendar": f"{root}/calendar"}[page]
        links += [(settings.constellations[other].name, f"{here}?group={other}")
                  for other in settings.constellation_ids if other != (constellation_id or settings.constellation_ids[0])]
    return links + [("Airflow", f"{airflow_root}/")]


def _group(constellation_id: str | None) -> str:
    """Return the constellation a page is about: ``constellation_id``, else the first computed one;
    404 for an id that is not computed."""
    settings = _settings()
    if constellation_id is None:
        return settings.constellation_ids[0]
    if constellation_id not in settings.constellation_ids:
        raise HTTPException(status_code=404, detail=f"constellation {constellation_id!r} is not computed here; "
                                                    f"computed: {', '.join(settings.constellation_ids)}")
    return constellation_id


def _plotly(request: Request):
    from constops.dashboard.pages import plotly_script

    return plotly_script(f"{_base(request)[0]}/static/plotly.min.js")


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(text: str) -> date:
    """Return the day ``text`` names: exactly ``YYYY-MM-DD`` (else 422), a day the pipeline
    can compute now, from ``[pipeline] first_day`` to tomorrow (else 404); both name the range."""
    from constops.api import computable_range, utc_now

    first, last = computable_range(_settings().first_day, utc_now(), _settings().horizon_days)
    accepted = f"accepted: a UTC day YYYY-MM-DD from {first.isoformat()} to {last.isoformat()}"
    try:
        if not _ISO_DAY.fullmatch(text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise HTTPException(status_code=422, detail=f"{text!r} is not a UTC day YYYY-MM-DD; {accepted}") from None
    if not first <= day <= last:
        raise HTTPException(status_code=404, detail=f"{day.isoformat()} is outside the days of this pipeline; {accepted}")
    return day


@app.get("/", include_in_schema=False)
def index(request: Request) -> RedirectResponse:
    return RedirectResponse(f"{_base(request)[0]}/calendar", status_code=303)


@app.get("/day/{day}", response_class=HTMLResponse)
def day_page(day: str, request: Request, constellation_id: str | None = GROUP_PARAM,
             revision: int | None = Query(None, ge=1, description="show this revision's passes (default: in force)")) -> str:
    """Return the day page: coverage map, passes, satellites in view, fleet, snapshot, runs,
    the day's revisions and what the shown one changed (404 for a revision the day lacks)."""
    import dataclasses

    from constops.dashboard.day_view import day_view
    from constops.dashboard.pages import day_page as render
    from constops.dashboard.revisions_view import passes_of_revision, revisions_view

    the_day, settings, constellation_id = _day(day), _settings(), _group(constellation_id)
    root, airflow_root = _base(request)
    runs = runs_by_day(the_day, the_day, airflow_root).get(the_day, [])
    engine = _engine()
    view = day_view(engine, settings, the_day, constellation_id)
    try:
        revisions = revisions_view(engine, the_day, constellation_id, revision)
    except ValueError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    if revisions.showing_past:
        view = dataclasses.replace(view, passes=passes_of_revision(engine, the_day, constellation_id, revision))
    outlook = None
    if not view.computed:
        from constops.dashboard.calendar import day_outlook
        from constops_airflow.alerts import failures_by_day

        outlook = day_outlook(engine, settings, the_day, constellation_id).as_json()
        outlook["alert"] = failures_by_day(the_day, the_day).get(the_day)
    return render(view, settings, _plotly(request), _nav(request, the_day, constellation_id), runs,
                  csv_href=f"{root}/day/{the_day}/passes.csv?group={constellation_id}", outlook=outlook,
                  calendar_href=f"{root}/calendar?group={constellation_id}",
                  schedules=_schedules(engine, settings, the_day, constellation_id, root) if view.computed else (),
                  revisions=revisions, revision_href=f"{root}/day/{the_day}?group={constellation_id}&revision=")


def _schedules(engine, settings, day: date, constellation_id: str, root: str) -> list:
    """Return the contact-plan sections of the day page: one per station with antennas that
    serves the constellation, with the links to its CSV and pointing files."""
    from constops.api import planned_stations
    from constops.dashboard.pages import ScheduleSection
    from constops.dashboard.schedule_view import schedule_view
    from constops_airflow.resources import work_area

    sections = []
    for station in planned_stations(settings, [constellation_id]):
        base = f"{root}/day/{day}/pointing/{station.station_id}"
        names = _pointing_names(work_area(), station.station_id, day)
        sections.append(ScheduleSection(
            schedule_view(engine, station, day), csv_href=f"{root}/day/{day}/contact_plan/{station.station_id}.csv",
            pointing=tuple((n, f"{base}/{n}") for n in names if n.endswith(".csv")),
            oem_href=f"{base}/oem.zip" if any(n.endswith(".oem") for n in names) else None))
    return sections


def _pointing_names(work, station_id: str, day: date) -> list[str]:
    """Return the names of a station's pointing files of ``day``, relative to its folder."""
    from constops.api import pointing_prefix

    prefix = pointing_prefix(station_id, day)
    return [name[len(prefix) + 1:] for name in work.list_files(prefix)]


def _station_with_antennas(station_id: str):
    """Return the configured station ``station_id`` with antennas; 404 otherwise."""
    station = next((s for s in _settings().all_stations if s.station_id == station_id and s.antennas), None)
    if station is None:
        raise HTTPException(status_code=404, detail=f"no station {station_id!r} with antennas is configured")
    return station


@app.get("/day/{day}/contact_plan/{station_id}.csv")
def contact_plan_csv(day: str, station_id: str) -> Response:
    """Return a station's contact plan of the day as CSV (one row per contact, UTC)."""
    from constops.dashboard.schedule_view import contact_plan_csv as to_csv
    from constops.dashboard.schedule_view import schedule_view

    the_day, station = _day(day), _station_with_antennas(station_id)
    view = schedule_view(_engine(), station, the_day)
    return Response(to_csv(view), media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="contact-plan-{station_id}-{the_day}.csv"'})


@app.get("/day/{day}/pointing/{station_id}/oem.zip")
def pointing_oem_zip(day: str, station_id: str) -> Response:
    """Return every CCSDS OEM of a station's contacts of the day in one zip (404: none)."""
    import io
    import zipfile

    from constops.api import pointing_prefix
    from constops_airflow.resources import work_area

    the_day, station = _day(day), _station_with_antennas(station_id)
    work, prefix = work_area(), pointing_prefix(station.station_id, the_day)
    names = [n for n in _pointing_names(work, station.station_id, the_day) if n.endswith(".oem")]
    if not names:
        raise HTTPException(status_code=404, detail=f"no OEM of {station_id} on {the_day}: no contact plan yet")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(name, work.read_file(f"{prefix}/{name}"))
    return Response(buffer.getvalue(), media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="oem-{station_id}-{the_day}.zip"'})


@app.get("/day/{day}/pointing/{station_id}/{name}")
def pointing_file(day: str, station_id: str, name: str) -> Response:
    """Return one antenna's program track of the day (``<antenna_id>.csv``; 404: none)."""
    from constops.api import pointing_prefix
    from constops_airflow.resources import work_area

    the_day, station = _day(day), _station_with_antennas(station_id)
    if name not in {f"{a}.csv" for a in station.antennas.antenna_ids(station.station_id)}:
        raise HTTPException(status_code=404, detail=f"{name!r} is not a program track of {station_id}")
    try:
        data = work_area().read_file(f"{pointing_prefix(station.station_id, the_day)}/{name}")
    except FileNotFoundError:
        raise HTTPException(status_code=404, detail=f"no {name} of {the_day}: no contact plan yet") from None
    return Response(data, media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{station_id}-{the_day}-{name}"'})


@app.get("/day/{day}/passes.csv")
def passes_csv(day: str, constellation_id: str | None = GROUP_PARAM) -> Response:
    """Return the day's passes as CSV (UTC and Kazakhstan times)."""
    from constops.dashboard.day_view import day_view
    from constops.dashboard.day_view import passes_csv as to_csv

    view = day_view(_engine(), _settings(), _day(day), _group(constellation_id))
    return Response(to_csv(view), media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="passes-{view.constellation_id}-{view.day}.csv"'})


@app.get("/trend", response_class=HTMLResponse)
def trend_page(request: Request, constellation_id: str | None = GROUP_PARAM) -> str:
    """Return the history: coverage per mask, passes and satellites per day."""
    from constops.dashboard.pages import trend_page as render
    from constops.dashboard.trend import trend

    settings, constellation_id = _settings(), _group(constellation_id)
    return render(trend(_engine(), settings, constellation_id), settings, _plotly(request), _nav(request, constellation_id=constellation_id, page="trend"),
                  day_href=f"{_base(request)[0]}/day/{{day}}?group={constellation_id}", constellation_id=constellation_id)


@app.get("/run/{dag_id}/{run_id}", include_in_schema=False)
def run_page(dag_id: str, run_id: str, request: Request) -> RedirectResponse:
    """Redirect to the day page of a DAG run (404 when the run names no day)."""
    day = day_of_run(dag_id, run_id)
    if day is None:
        raise HTTPException(status_code=404, detail=f"run {run_id} of {dag_id} names no day")
    return RedirectResponse(f"{_base(request)[0]}/day/{day}", status_code=303)


@app.get("/calendar", response_class=HTMLResponse)
def calendar_page(request: Request, constellation_id: str | None = GROUP_PARAM) -> str:
    """Return the calendar page of a constellation (it reads ``api/calendar`` and starts
    backfills, which compute every constellation of the days)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from constops.api import available_slots, ingests_at_once

    root, airflow_root = _base(request)
    settings, constellation_id = _settings(), _group(constellation_id)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    return env.get_template("calendar.html").render(
        root=root, airflow_root=airflow_root, nav=_nav(request, constellation_id=constellation_id, page="calendar"), constellation_id=constellation_id,
        first_day=settings.first_day.isoformat(), script=_static_text("calendar.js"),
        continuity_alert_percent=settings.contact_plan.continuity_alert_percent,
        backfill_runs=ingests_at_once(available_slots(settings)))


@app.get("/api/calendar")
def calendar_json(request: Request, first: str | None = None, last: str | None = None, constellation_id: str | None = GROUP_PARAM) -> dict:
    """Return every day from ``first`` (default ``[pipeline] first_day``) to ``last`` (default
    tomorrow, UTC) with its state in the reporting database and its runs in Airflow."""
    from constops.api import computable_range, utc_now
    from constops.dashboard.calendar import calendar_days
    from constops_airflow.alerts import failures_by_day

    settings, now = _settings(), utc_now()
    first_day, last_day = computable_range(settings.first_day, now, settings.horizon_days)
    first_day, last_day = _day(first) if first else first_day, _day(last) if last else last_day
    if first_day > last_day:
        raise HTTPException(status_code=422, detail=f"first {first_day} is after last {last_day}")
    runs = runs_by_day(first_day, last_day, _base(request)[1])
    alerts = failures_by_day(first_day, last_day)
    days, constellation_id = [], _group(constellation_id)
    for entry in calendar_days(_engine(), settings, first_day, last_day, constellation_id, now):
        item = entry.as_json()
        item["runs"] = runs.get(entry.day, [])
        item["state"] = _with_runs(entry.state, item["runs"])
        item["alert"] = alerts.get(entry.day) if item["state"] in ("failed", "incomplete") else None
        days.append(item)
    return {"constellation_id": constellation_id, "first": first_day.isoformat(), "last": last_day.isoformat(),
            "days": days}


def _with_runs(state: str, runs: list[dict]) -> str:
    """Return the state a day shows: ``running`` while any run of it is queued or running,
    ``failed`` when it has no results and its latest run of some DAG failed, else ``state``."""
    if any(r["state"] in ("queued", "running") for r in runs):
        return "running"
    latest = {}
    for run in runs:  # newest first
        latest.setdefault(run["dag_id"], run["state"])
    if state in ("missing", "incomplete") and "failed" in latest.values():
        return "failed"
    return state


@app.get("/static/plotly.min.js", include_in_schema=False)
def plotly_js() -> FileResponse:
    """Return Plotly's JavaScript from the installed ``plotly`` package."""
    return FileResponse(_plotly_path(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})


@lru_cache(maxsize=1)
def _plotly_path() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _static_text(name: str) -> str:
    return (Path(__file__).parent / "static" / name).read_text(encoding="utf-8")
