#!/usr/bin/env bash
# Start `airflow standalone` for this installation and tell the user how to log in.
# Expects the environment of scripts/airflow-env.sh (the Makefile sources it).
set -euo pipefail
port="${AIRFLOW__API__PORT:-8080}"
passwords="$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated"
echo "Starting Airflow standalone: AIRFLOW_HOME=$AIRFLOW_HOME, DAGs from $AIRFLOW__CORE__DAGS_FOLDER"
airflow standalone > "$AIRFLOW_HOME/standalone.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; exit 0' INT TERM
for _ in $(seq 1 120); do
  if [ -s "$passwords" ] && curl -fsS "http://localhost:$port/api/v2/monitor/health" > /dev/null 2>&1; then
    break
  fi
  kill -0 $pid 2>/dev/null || { tail -30 "$AIRFLOW_HOME/standalone.log"; exit 1; }
  sleep 2
done
cat <<EOT

  Airflow UI:  http://localhost:$port
  Log in as:   admin / $(python -c "import json,sys; print(json.load(open(sys.argv[1]))['admin'])" "$passwords" 2>/dev/null || echo "see $passwords")
  Passwords:   $passwords
  Logs:        $AIRFLOW_HOME/standalone.log
  DAGs:        tle_ingest (daily 00:00 UTC) -> gateway_passes, coverage (same day)
  Stop:        Ctrl-C

EOT
wait $pid
