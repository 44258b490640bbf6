"""The library's public face: what a user of constops calls, under one import.

As ``sgp4.api`` and ``skyfield.api`` do, this module names what a user needs and nothing
else; the modules behind it are the implementation and may be reorganised. Two kinds of
user call it (the pages of the Airflow UI and the report have their own face,
:mod:`constops.dashboard`):

* Someone with an answer of CelesTrak and no database (a notebook, a script, a test)::

      from datetime import datetime, timedelta, timezone
      from pathlib import Path
      from constops import api

      settings = api.load_settings()
      records = api.read_answer(Path("qianfan.json").read_bytes(), source="qianfan.json")
      start = datetime(2025, 11, 20, tzinfo=timezone.utc)
      end = start + timedelta(days=1)
      passes = api.find_passes(records.element_sets, settings.station("akkol"), start, end, 10.0)
      grid = api.CellGrid.for_region(settings.region, settings.cell_size_deg)
      figures = api.region_coverage(records.element_sets, grid, [10, 25], start, end, 30.0)
      statuses = api.fleet_status(records.element_sets, start)

* The Airflow layer and the scripts, which run the pipeline's day against the reporting
  database: ingest a day, resolve its snapshot, plan its shards, compute and load each
  product, check it, summarise it.

Names are imported on first use (PEP 562), so ``from constops.api import check_day``
costs the import of one module, not of pandas and SQLAlchemy: the Airflow scheduler and
API server parse the DAGs and plugins that use this module many times a day.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

#: Each public name and the module that defines it (relative to ``constops``).
_WHERE = {
    # Settings and places.
    "Settings": "settings", "load_settings": "settings",
    "Station": "sites", "Region": "sites", "CellGrid": "coverage",
    # Time: UTC days and instants, the pipeline's clock (which a replay or a demo may set).
    "day_bounds": "timescale", "parse_day": "timescale", "TimeGrid": "timescale",
    "utc_now": "clock", "parse_utc": "clock",
    # Answers of CelesTrak: parse (lenient: bad records set aside with a reason; strict).
    "ElementSet": "elements", "Records": "elements", "SetAside": "elements",
    "read_answer": "elements", "parse": "elements",
    # Computations on element sets, no database.
    "Pass": "passes", "find_passes": "passes",
    # Plan contacts: a station's antennas over the usable parts of its passes.
    "AntennaSpec": "antennas", "usable_intervals": "usable_intervals", "ContactRules": "contact_plan",
    "plan_contacts": "contact_plan", "continuity": "continuity", "plan_elements": "day.gateway_schedule",
    # Sun outages of GEO links: the Sun behind a satellite, within a station's beam.
    "GeoBeam": "antennas", "SunOutage": "sun_outages", "sun_outages": "sun_outages",
    "region_coverage": "coverage", "count_in_view": "coverage",
    "SatelliteStatus": "fleet", "fleet_status": "fleet", "status_counts": "fleet",
    "PropagationFailure": "propagation", "propagation_failures": "propagation",
    "walker_delta": "walker", "Shell": "whatif", "shell_coverage": "whatif", "smallest_continuous": "whatif",
    # A day of the pipeline, against the reporting database: the jobs the DAG tasks call.
    "connect": "reporting.store", "mask_column": "reporting.schema",
    "RawArchive": "archive", "WorkArea": "archive", "RequestPacer": "celestrak", "refuses_client": "celestrak",
    "GP_PATH": "celestrak", "gp_params": "celestrak",
    "import_file": "snapshots", "stored_account": "snapshots", "newest_plausible_epoch": "snapshots",
    "computable_range": "day.computable", "check_day": "day.computable",
    "Answer": "day.ingest", "ingest_day": "day.ingest",
    "refresh_constellation": "day.refresh", "plan_horizon": "day.refresh", "next_request_at": "day.refresh",
    "resolve_day_snapshot": "day.assignment", "assign_day": "day.assignment",
    "plan_day_blocks": "day.shard_plan", "available_slots": "day.shard_plan",
    "configured_slots": "slots", "runs_at_once": "slots", "ingests_at_once": "slots",
    "PRODUCTS": "day.products", "compute_fleet_day": "day.fleet_status",
    "fits_one_block": "day.whole_day", "day_blocks": "day.products", "compute_whole": "day.whole_day",
    "check_coverage_day": "quality", "check_passes_day": "quality", "check_gateway_day": "quality",
    "plan_station_day": "day.gateway_schedule", "planned_stations": "day.gateway_schedule",
    "pointing_prefix": "day.gateway_schedule",
    "sun_outages_day": "day.sun_outages", "sun_outage_stations": "day.sun_outages",
    "sun_outage_days": "day.sun_outages",
    "day_summary": "reporting.text_summary", "warm_kernels": "kernels",
    # Errors: every exception the library raises on purpose.
    "ConstopsError": "errors", "ElementsError": "errors", "CelestrakAnswerError": "errors",
    "DayOutOfRangeError": "errors", "NoSnapshotError": "errors", "SnapshotTooOldError": "errors",
    "SnapshotSupersededError": "errors", "DataQualityError": "errors", "PERMANENT": "errors",
}

#: Names under which the api exposes a function of another name.
_RENAMED = {"read_answer": "read_records"}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    """Return the public object ``name``, importing its module on first use; AttributeError
    names the public names for any other."""
    if name not in _WHERE:
        raise AttributeError(f"constops.api has no {name!r}; its names are: {', '.join(__all__)}")
    value = getattr(importlib.import_module(f"constops.{_WHERE[name]}"), _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # the same names for type checkers and editors
    pass
