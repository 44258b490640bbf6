"""The operations pages inside Airflow's UI: a FastAPI app served by the API server.

``app`` holds the routes (every one behind Airflow's authentication and the permission to
read the pipeline's DAG runs), ``airflow_runs`` reads which runs computed which day.
The charts and tables come from :mod:`constops.dashboard`.
"""
