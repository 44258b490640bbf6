"""One UTC day of the pipeline, one module per job the DAG tasks call:

* :mod:`.ingest`: choose (fetch, or take from the archive) the day's snapshot, and check it is fresh;
* :mod:`.snapshot`: the snapshot a run uses, resolved once, and its blocks of satellites;
* :mod:`.fleet`: every satellite's status, and the satellites whose SGP4 fails in the day;
* :mod:`.passes`: the gateway pass schedule, per block and merged;
* :mod:`.coverage`: the coverage of the region, per block and added up.

Each job returns a small JSON-able summary (for XCom and logs); each load replaces the
day's rows for its key in one transaction, after checking that the day is still
assigned the run's snapshot, so a rerun leaves exactly one copy and a failure leaves
the previous copy.
"""
