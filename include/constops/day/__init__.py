"""One UTC day of the pipeline: which days can be computed, which snapshot a day uses, how
its satellites are sharded, and one module per job the DAG tasks call:

* :mod:`.computable`: the days the pipeline can compute at a moment, and why not another;
* :mod:`.assignment`: the snapshot assigned to each day, resolved once per run, and the
  lock every load checks it under;
* :mod:`.shard_plan`: the blocks of satellites a day is split into, from a cost model;
* :mod:`.ingest`: choose (fetch, or take from the archive) the day's snapshot, fresh enough;
* :mod:`.fleet_status`: every satellite's status, and the satellites whose SGP4 fails in the day;
* :mod:`.gateway_passes`: the gateway pass schedule, per block and merged;
* :mod:`.region_coverage`: the coverage of the region, per block and added up;
* :mod:`.products`: coverage and passes as the same four functions for shards.

Each job returns a small JSON-able summary (for XCom and logs); each load replaces the
day's rows for its key in one transaction, after checking that the day is still
assigned the run's snapshot, so a rerun leaves exactly one copy and a failure leaves
the previous copy.
"""
