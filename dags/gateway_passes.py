"""gateway_passes: the pass schedule of one UTC day over every configured gateway (Akkol).

Runs once for each day partition that ``tle_ingest`` publishes (or by hand with the
``day`` parameter). ``compute_day`` reads once which snapshot each constellation's day is
computed from; every later task uses that snapshot. A constellation without one is left
out, the others are computed, and the run then fails naming it. A pass belongs to the day
in which its TCA falls; its AOS and LOS are the true times even outside the day. A day
that fits one shard per constellation (the cost model; every shipped constellation) is
computed, loaded, planned and checked whole inside ``compute_day``, and the tasks after it
are skipped. A larger day runs them: the day's satellites are split into shards of
at most ``[passes] shard_satellites`` (settings); ``find_passes`` is mapped over them,
and ``load_passes`` merges their passes and loads ``gateway_passes`` and
``gateway_daily`` in one transaction: the same rows whatever the shard size.
``plan_contacts`` then plans every gateway's antennas over the day (``contact_plan``,
``keep_out_intervals``, ``gateway_schedule_daily``), ``find_sun_outages`` (beside it) finds
when the Sun stands behind the GEO satellites of the stations with a GEO beam
(``sun_outages``), and ``quality_gate`` checks passes and plans together.
"""

from __future__ import annotations

from airflow.sdk import dag

from constops.api import check_gateway_day
from constops_airflow.day_tasks import (
    every_constellation,
    find_sun_outages,
    plan_contacts,
    quality_gate,
)
from constops_airflow.runs import per_day_dag
from constops_airflow.sharding import sharded
from constops_airflow.whole_day import compute_day, gateway_day


@dag(**per_day_dag("gateway_passes", tags=["passes", "gateway"], doc_md=__doc__))
def gateway_passes():
    snapshots, failed = compute_day("passes", gateway_day)
    _, loaded = sharded(
        "passes", snapshots, compute_task_id="find_passes", load_task_id="load_passes",
        compute_doc="Find the passes of one shard's satellites over every station and store them.",
        load_doc="Merge the shards' passes and load the day's passes and station summaries for every group.",
    )
    planned, outages = plan_contacts(snapshots), find_sun_outages(snapshots)
    gate = quality_gate(check_gateway_day, snapshots)
    loaded >> [planned, outages] >> gate >> every_constellation(failed)


gateway_passes()
