"""How many runs of each DAG may run at once, from the task slots the pipeline plans for.

Read when the DAG files are parsed, so without the settings' heavy parts (NumPy, shapely):
:func:`configured_slots` reads ``[pipeline] slots`` with the precedence of
:func:`constops.settings.load_settings` (``CONSTOPS__PIPELINE__SLOTS``, else the file of
``CONSTOPS_SETTINGS``, else ``defaults.toml``), 0 meaning the cores of this machine, as
:func:`constops.day.shard_plan.available_slots` does with loaded settings.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from .defaults import OVERRIDE_PREFIX, SETTINGS_ENV, default

#: The variable that overrides ``[pipeline] slots``.
SLOTS_OVERRIDE = f"{OVERRIDE_PREFIX}PIPELINE__SLOTS"
#: Runs of each per-day DAG per slot at once (:func:`runs_at_once`).
RUNS_PER_SLOT = 2
#: tle_ingest runs per slot at once (:func:`ingests_at_once`).
INGESTS_PER_SLOT = 6


def configured_slots(environ: Mapping[str, str] | None = None) -> int:
    """Return the task slots of ``[pipeline] slots`` in ``environ`` (default: the process's),
    or this machine's cores when it is 0. ValueError names a value that is not a whole number."""
    environ = os.environ if environ is None else environ
    value = default("pipeline", "slots")
    user = environ.get(SETTINGS_ENV)
    if user:
        value = tomllib.loads(Path(user).read_text(encoding="utf-8")).get("pipeline", {}).get("slots", value)
    if SLOTS_OVERRIDE in environ:
        value = environ[SLOTS_OVERRIDE]
    try:
        slots = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"[pipeline] slots must be a whole number, not {value!r}") from None
    return slots or os.cpu_count() or 1


def runs_at_once(slots: int) -> int:
    """Return how many runs of each per-day DAG (``coverage``, ``gateway_passes``) may run at
    once on ``slots`` slots: :data:`RUNS_PER_SLOT` per slot. One per slot leaves a slot idle
    while the scheduler ends one run and starts the next (a 30-day backfill of Qianfan here:
    99 s at one per slot, 72 s at two; ``make bench-backfill``); a task holds at most one
    block of ``shard_satellites`` satellites (the memory a slot is sized for,
    docs/operators.md)."""
    return RUNS_PER_SLOT * slots


def ingests_at_once(slots: int) -> int:
    """Return how many ``tle_ingest`` runs may run at once on ``slots`` slots:
    :data:`INGESTS_PER_SLOT` per slot. A past day's ingest asks CelesTrak nothing (today's
    single run is the only request), and each run is two short tasks with the scheduler's
    wait between them: fewer runs leave the slots waiting for days to compute
    (``make bench-backfill``)."""
    return INGESTS_PER_SLOT * slots
