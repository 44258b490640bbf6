#!/usr/bin/env bash
# Start `airflow standalone` for this installation and tell the user how to log in.
# Expects the environment of scripts/airflow-env.sh (the Makefile sources it).
set -euo pipefail
port="${AIRFLOW__API__PORT:-8080}"
host="${AIRFLOW__API__HOST:-127.0.0.1}"
passwords="$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated"
echo "Starting Airflow standalone: AIRFLOW_HOME=$AIRFLOW_HOME, DAGs from $AIRFLOW__CORE__DAGS_FOLDER"
airflow standalone > "$AIRFLOW_HOME/standalone.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; exit 0' INT TERM
for _ in $(seq 1 120); do
  if [ -s "$passwords" ] && curl -fsS "http://127.0.0.1:$port/api/v2/monitor/health" > /dev/null 2>&1; then
    break
  fi
  kill -0 $pid 2>/dev/null || { tail -30 "$AIRFLOW_HOME/standalone.log"; exit 1; }
  sleep 2
done
celestrak_note=$(python - <<'PY' 2>/dev/null || true
import json, os, socket
try:
    conn = json.loads(os.environ.get("AIRFLOW_CONN_CELESTRAK", "{}"))
except ValueError:
    raise SystemExit(0)  # a URI connection: not checked here
host = conn.get("host", "celestrak.org")
port = conn.get("port") or (443 if conn.get("schema", "https") == "https" else 80)
try:
    socket.create_connection((host, int(port)), timeout=5).close()
except OSError as exc:
    print(f"NOT reachable from this machine ({host}:{port}: {exc.strerror or exc}).")
PY
)
cat <<EOT

  Airflow UI:  http://localhost:$port   (Constellation pages: http://localhost:$port/constellation/calendar)
  Listening:   $host:$port$([ "$host" = 127.0.0.1 ] && echo "   (this machine only; make run HOST=0.0.0.0 opens it to other hosts)")
  Log in as:   admin / $(python -c "import json,sys; print(json.load(open(sys.argv[1]))['admin'])" "$passwords" 2>/dev/null || echo "see $passwords")
  Passwords:   $passwords
  Logs:        $AIRFLOW_HOME/standalone.log
  DAGs:        tle_ingest (daily 00:00 UTC) -> gateway_passes, coverage (same day)
               tle_refresh (02:00 ... 22:00 UTC, every 2 h) -> the days its new elements revise
  Stop:        Ctrl-C
EOT
if [ -n "$celestrak_note" ]; then
  cat <<EOT
  CelesTrak:   $celestrak_note
               Today's scheduled tle_ingest run fails, saying so. Past days need no CelesTrak:
                 make import FILES='data/snapshots/qianfan/qianfan_2025-*.tle'   (the bundled week)
               then backfill 2025-11-15 .. 2025-11-21 (Constellation > Calendar, or Trigger > Backfill
               on tle_ingest). Or point the celestrak connection (AIRFLOW_CONN_CELESTRAK) elsewhere.
EOT
fi
echo
wait $pid
