# Environment of one local installation of the pipeline. Sourced by the Makefile;
# `source scripts/airflow-env.sh` gives a shell the same setup. Values already set win.
_repo="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$_repo/.airflow}"
export PATH="$_repo/.venv/bin:$PATH"
export AIRFLOW__CORE__DAGS_FOLDER="${AIRFLOW__CORE__DAGS_FOLDER:-$_repo/dags}"
export AIRFLOW__CORE__PLUGINS_FOLDER="${AIRFLOW__CORE__PLUGINS_FOLDER:-$_repo/plugins}"
export AIRFLOW__CORE__LOAD_EXAMPLES="${AIRFLOW__CORE__LOAD_EXAMPLES:-False}"
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="${AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION:-False}"
# The LocalExecutor, loading the library and its compiled kernels once before it forks its
# workers, so that every task process starts with them (plugins/constops_airflow/preload.py).
export AIRFLOW__CORE__EXECUTOR="${AIRFLOW__CORE__EXECUTOR:-constops_airflow.preload.PreloadingLocalExecutor}"
# One setting moves the whole installation: AIRFLOW__API__PORT (`make run PORT=8090`) is
# the UI's and API's port and, unless set apart, where tasks reach Airflow's execution API.
export AIRFLOW__API__PORT="${AIRFLOW__API__PORT:-8080}"
# The API server (UI, REST API, the operations pages) listens on this machine only unless
# AIRFLOW__API__HOST says otherwise (`make run HOST=0.0.0.0`: every interface).
export AIRFLOW__API__HOST="${AIRFLOW__API__HOST:-127.0.0.1}"
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="${AIRFLOW__CORE__EXECUTION_API_SERVER_URL:-http://127.0.0.1:$AIRFLOW__API__PORT/execution/}"
export AIRFLOW_CONN_CELESTRAK="${AIRFLOW_CONN_CELESTRAK:-{\"conn_type\": \"http\", \"host\": \"celestrak.org\", \"schema\": \"https\"\}}"
unset _repo
