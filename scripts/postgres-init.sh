#!/bin/bash
# docker-compose: create the reporting database and its owner beside Airflow's metadata DB.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<-SQL
  CREATE ROLE reporting LOGIN PASSWORD '${REPORTING_PASSWORD}';
  CREATE DATABASE reporting OWNER reporting;
SQL
