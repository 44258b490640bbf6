"""The assets that link the DAGs: ingest publishes one partition per UTC day."""

from airflow.sdk import Asset

#: GP element sets of every configured group, loaded and assigned to a day.
#: Partition key: the UTC day, ``YYYY-MM-DD``.
GP_ELEMENTS = Asset(name="gp_elements", uri="constops://reporting/element_sets", group="constops")
