"""HTML pages of a day and of the history: the same markup for the Airflow plugin (Plotly
served by the plugin) and for ``make report`` (one self-contained file, Plotly inline)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath

import plotly.graph_objects as go
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ..settings import Settings
from .day_view import DayView
from .figures import coverage_map, in_view_lines, pass_timeline, trend_figures
from .schedule_figures import antenna_timeline, sky_plot
from .schedule_view import ScheduleView

TEMPLATES = Path(__file__).parent / "templates"
_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True,
                   lstrip_blocks=True)


def source_name(source: str) -> str:
    """Return where a snapshot came from as a page may show it: a URL as it is, an imported
    file by its name alone (never a path on the server)."""
    return source if "://" in source else PurePath(source.replace("\\", "/")).name


_ENV.filters["source_name"] = source_name


def plotly_inline() -> Markup:
    """Return a <script> element holding the whole Plotly library (about 4.8 MB), from the
    installed ``plotly`` package: a page that needs no server and no internet."""
    from plotly.offline import get_plotlyjs

    return Markup("<script>") + Markup(get_plotlyjs().replace("</script", "<\\/script")) + Markup("</script>")


def plotly_script(src: str) -> Markup:
    """Return a <script> element that loads Plotly from ``src`` (the plugin's own copy)."""
    return Markup('<script src="{}"></script>').format(src)


def figures_json(figures: dict[str, go.Figure]) -> Markup:
    """Return {element id: figure} as JSON safe inside a <script> element."""
    text = json.dumps({key: json.loads(figure.to_json()) for key, figure in figures.items()})
    return Markup(text.replace("</", "<\\/"))


@dataclass(frozen=True)
class ScheduleSection:
    """A station's contact plan on the day page: the view, and the links the page offers
    (none in ``make report``): the plan as CSV, the pointing files by name, the OEMs' zip."""

    view: ScheduleView
    csv_href: str | None = None
    pointing: tuple[tuple[str, str], ...] = ()
    oem_href: str | None = None

    @property
    def station(self):
        return self.view.station

    @property
    def summary(self):
        return self.view.summary


def day_page(view: DayView, settings: Settings, plotly: Markup, nav: list[tuple[str, str]] = (),
             runs: list[dict] = (), csv_href: str | None = None, title_suffix: str = "",
             outlook: dict | None = None, calendar_href: str | None = None,
             schedules: list[ScheduleSection] = (), revisions=None, revision_href: str | None = None) -> str:
    """Return the HTML of the day page of ``view``: the coverage map per mask, the pass timeline
    and table, satellites in view through the day, the fleet and the records set aside, the
    snapshot used (and, from the plugin, the runs that computed it), for the stations and
    region of the view's constellation. A day without results says why (``outlook``: the
    calendar's entry of the day, with the day's last failure as ``alert``) and offers only
    the actions that can work. Each of ``schedules`` adds a station's contact plan: its
    figures, the antennas' timeline and the sky plot. ``revisions`` (a
    :class:`~constops.dashboard.revisions_view.RevisionsView`) adds the day's revisions and
    the selected one's changes, each revision linked as ``revision_href`` + its number."""
    settings = settings.of(view.constellation_id)
    figures = {}
    if view.computed:
        figures = {"coverage-map": coverage_map(view, settings), "pass-timeline": pass_timeline(view),
                   "in-view": in_view_lines(view)}
        for section in schedules:
            if section.summary:
                station_id = section.station.station_id
                figures[f"antenna-timeline-{station_id}"] = antenna_timeline(section.view)
                figures[f"sky-plot-{station_id}"] = sky_plot(section.view)
    names = view.names
    return _ENV.get_template("day.html").render(
        view=view, settings=settings, plotly=plotly, nav=nav, runs=runs, csv_href=csv_href,
        figures=figures_json(figures), names=names, status_counts=_status_counts(view),
        coverage=_coverage_rows(view), title_suffix=title_suffix, outlook=outlook, calendar_href=calendar_href,
        schedules=schedules if view.computed else (), alert_percent=settings.contact_plan.continuity_alert_percent,
        revisions=revisions if view.computed else None, revision_href=revision_href,
    )


def trend_page(rows, settings: Settings, plotly: Markup, nav: list[tuple[str, str]] = (),
               day_href: str | None = None, constellation_id: str | None = None) -> str:
    """Return the HTML of the history page: coverage per mask, passes and satellites per day,
    and the table of days (each linking to its day page through ``day_href``, ``{day}`` replaced),
    of constellation ``constellation_id`` (default: the first computed)."""
    constellation_id = constellation_id or settings.constellation_ids[0]
    settings = settings.of(constellation_id)
    figures = dict(zip(["trend-coverage", "trend-passes", "trend-fleet"], trend_figures(rows, settings)))\
        if len(rows) else {}
    return _ENV.get_template("trend.html").render(
        rows=rows.to_dict("records") if len(rows) else [], settings=settings, plotly=plotly, nav=nav,
        figures=figures_json(figures), day_href=day_href, constellation_id=constellation_id,
        mask_columns=[(m, c) for m, c in _mask_columns(settings) if c in rows],
    )


def report_filename(day: date, constellation_id: str) -> str:
    return f"constellation-report-{constellation_id}-{day.isoformat()}.html"


def _mask_columns(settings: Settings):
    from .trend import coverage_columns

    return list(coverage_columns(settings).items())


def _status_counts(view: DayView) -> list[tuple[str, int]]:
    if not len(view.fleet):
        return []
    return sorted(view.fleet["status"].value_counts().items())


def _coverage_rows(view: DayView) -> list[dict]:
    if not len(view.coverage):
        return []
    rows = view.coverage.sort_values(["satellite_set", "service", "min_elevation_deg"])
    return rows.to_dict("records")
