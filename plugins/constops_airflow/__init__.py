"""Airflow-side glue of the constellation pipeline: connections, assets, run days, alerts.

DAG files import from here; the pure library (``constops``) never imports Airflow.
"""
