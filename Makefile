# Quick start: `make run` (the pipeline on Airflow standalone) and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
ENV := $(if $(PORT),export AIRFLOW__API__PORT=$(PORT);) $(if $(HOST),export AIRFLOW__API__HOST=$(HOST);) source scripts/airflow-env.sh &&
UV := .tools/bin/uv
PYTEST_ARGS ?=

.PHONY: help venv init run test test-fast demo demo-all history import replay pipeline report bench bench-age bench-lead bench-scale bench-backfill bench-imports profile cluster whatif antennas bench-plans sun-outages clean-airflow

help:
	@echo "make run [PORT=8080]            Airflow standalone with the pipeline; PORT moves UI, API and tasks"
	@echo "   [HOST=0.0.0.0]               ... listening on every interface (default 127.0.0.1: this machine only)"
	@echo "make test                       the test suite, then its 20 slowest tests"
	@echo "make test-fast                  the library's unit tests without Airflow, PostgreSQL or a browser (< 1 min)"
	@echo "make demo                       import the bundled 2025-11-20 snapshot and compute that day"
	@echo "make demo-all                   every shipped constellation on its real 2026-05-30 answer (Starlink: 10,398)"
	@echo "make import FILES='a.tle b.xml' import snapshot files into the archive"
	@echo "make pipeline DAY=YYYY-MM-DD    run tle_ingest, gateway_passes and coverage for one day"
	@echo "   [MAX_AGE_DAYS=N]             ... accepting elements up to N days old (recorded as an override)"
	@echo "make report DAY=YYYY-MM-DD      one self-contained HTML file of the day's charts (in \$$AIRFLOW_HOME/reports) [OUT=file.html]"
	@echo "make replay FILES='a.tle ...' archived answers fed in acquisition order as new elements: the plan's revisions"
	@echo "make history                    import the bundled week 2025-11-14..20 and compute 2025-11-15..21"
	@echo "make bench                      engine speed and memory at 108..15,000 satellites"
	@echo "make bench-age                  pass-time error against snapshot age (justifies max_snapshot_age_days)"
	@echo "make bench-lead                 pass-time error of plans 0.5, 1 and 2 days ahead (justifies horizon_days)"
	@echo "make bench-scale                one 15,000-satellite day on 1 and 2 Celery workers (PostgreSQL, Redis)"
	@echo "make bench-backfill [DAYS=30]   a backfill of Qianfan days through make run's scheduler against the engine alone"
	@echo "make bench-imports              what a task process pays before its work: Airflow, DAG files, library, kernels"
	@echo "make profile                    where each task's time goes on a 15,000-satellite day (cProfile)"
	@echo "make cluster WORKERS=2          the docker-compose deployment as local processes (PostgreSQL, Redis)"
	@echo "make whatif                     Walker shells for continuous 25-deg coverage of Kazakhstan"
	@echo "make antennas                   continuity of Akkol's contact plan with 1, 2, 4 and 8 antennas (3 fleets)"
	@echo "make bench-plans                the contact plan of every real Qianfan answer in the repo: figures and times"
	@echo "make sun-outages [YEAR=2026]    the spring and autumn sun-outage seasons of KazSat at the Akkol control centre"

# The environment: uv from PyPI into .tools, then every package from uv.lock into .venv.
.venv/.synced: pyproject.toml uv.lock
	@test -x $(UV) || (python3 -m venv .tools && .tools/bin/pip install --quiet uv==0.13.8)
	$(UV) sync --frozen --quiet
	@touch $@

venv: .venv/.synced

# Airflow's metadata database under AIRFLOW_HOME (default ./.airflow).
init: venv
	@$(ENV) mkdir -p "$$AIRFLOW_HOME" && airflow db migrate > "$$AIRFLOW_HOME/db-migrate.log" 2>&1 \
		|| (cat "$$AIRFLOW_HOME/db-migrate.log"; exit 1)

run: init
	@$(ENV) exec bash scripts/run_standalone.sh

# Both suites on pytest-xdist processes, each running a whole module at a time (its module
# fixtures, such as the browser test's installation, are made once). make test: one process
# per core, and one more for the modules that wait on Airflow's servers (tests/conftest.py).
TEST_PROCESSES ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 2) + 1 )))
XDIST = --dist loadfile
test: venv
	$(ENV) ruff check --quiet . && echo "ruff: no findings (rules in pyproject.toml)"
	$(ENV) python -m pytest -n $(TEST_PROCESSES) $(XDIST) --no-loadscope-reorder --durations=20 $(PYTEST_ARGS)

# The loop while editing: tests/unit less what runs Airflow, a process, PostgreSQL or a browser.
FAST := not slow and not postgres and not browser and not cluster
test-fast: venv
	$(ENV) python -m pytest tests/unit -q -n auto $(XDIST) -m "$(FAST)" $(PYTEST_ARGS)

import: init
	@test -n "$(FILES)" || (echo "usage: make import FILES='a.tle b.xml'"; exit 2)
	@$(ENV) python scripts/import_snapshots.py $(FILES)

pipeline: init
	@test -n "$(DAY)" || (echo "usage: make pipeline DAY=YYYY-MM-DD"; exit 2)
	@$(ENV) python scripts/pipeline_day.py $(DAY) $(if $(MAX_AGE_DAYS),--max-snapshot-age-days $(MAX_AGE_DAYS)) \
		> "$$AIRFLOW_HOME/pipeline-$(DAY).log" 2>&1 \
		|| (tail -40 "$$AIRFLOW_HOME/pipeline-$(DAY).log"; exit 1); \
		echo "(Airflow's log of the runs: $$AIRFLOW_HOME/pipeline-$(DAY).log)"; \
		sed -n '/^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9] [a-z]/,$$p' "$$AIRFLOW_HOME/pipeline-$(DAY).log"

demo:
	@$(MAKE) --no-print-directory import FILES=data/snapshots/qianfan/qianfan_2025-11-20.tle
	@$(MAKE) --no-print-directory pipeline DAY=2025-11-20

# Every shipped constellation (README "Constellations") on its real CelesTrak answer of
# 2026-05-30, Starlink whole: a full-size day (about 5 minutes on 2 cores).
ALL_CONSTELLATIONS := ["qianfan", "oneweb", "starlink", "kuiper", "kazsat"]
demo-all:
	@$(MAKE) --no-print-directory import FILES="$(sort $(wildcard data/snapshots/*/*_2026-05-30.tle))"
	@CONSTOPS__PIPELINE__CONSTELLATIONS='$(ALL_CONSTELLATIONS)' $(MAKE) --no-print-directory pipeline DAY=2026-05-30

report: init
	@test -n "$(DAY)" || (echo "usage: make report DAY=YYYY-MM-DD [OUT=file.html]"; exit 2)
	@$(ENV) python scripts/report.py $(DAY) $(if $(OUT),--out $(OUT))

replay: init
	@test -n "$(FILES)" || (echo "usage: make replay FILES='a.tle b.xml'"; exit 2)
	@$(ENV) python scripts/replay.py $(FILES) > "$$AIRFLOW_HOME/replay.log" 2>&1 \
		|| (tail -40 "$$AIRFLOW_HOME/replay.log"; exit 1); \
		grep -vE "^\[|^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T| INFO | WARNING |^ *warnings|^$$" "$$AIRFLOW_HOME/replay.log" | sed -n '/UTC /,$$p'; \
		echo "(Airflow's log of the runs: $$AIRFLOW_HOME/replay.log)"

history: init
	@$(ENV) python scripts/history.py > "$$AIRFLOW_HOME/history.log" 2>&1 \
		|| (tail -40 "$$AIRFLOW_HOME/history.log"; exit 1); \
		grep -E "^ *(imported|day |[0-9]{4}-[0-9]{2}-[0-9]{2} )" "$$AIRFLOW_HOME/history.log"; \
		echo "(Airflow's log of the runs: $$AIRFLOW_HOME/history.log)"

bench: venv
	$(ENV) python benchmarks/bench_engine.py $(BENCH_ARGS)

bench-age: venv
	$(ENV) python benchmarks/snapshot_age.py $(BENCH_ARGS)

bench-lead: venv
	$(ENV) python benchmarks/lead_time.py $(BENCH_ARGS)

bench-scale: venv
	$(ENV) python benchmarks/bench_scale.py $(BENCH_ARGS)

bench-backfill: venv
	$(ENV) python benchmarks/bench_backfill.py --days $(or $(DAYS),30) $(BENCH_ARGS)

bench-imports: venv
	$(ENV) python benchmarks/bench_imports.py $(BENCH_ARGS)

profile: venv
	$(ENV) python benchmarks/profile_day.py $(BENCH_ARGS)

# The distributed deployment of docker-compose.yml as processes on this host.
WORKERS ?= 2
cluster: venv
	@$(ENV) exec python scripts/cluster.py --workers $(WORKERS) $(CLUSTER_ARGS)

whatif: venv
	$(ENV) python scripts/whatif_walker.py

antennas: venv
	$(ENV) python scripts/antennas_needed.py

bench-plans: venv
	$(ENV) python benchmarks/contact_plans.py

sun-outages: venv
	$(ENV) python scripts/sun_outages.py --year $(or $(YEAR),2026)

clean-airflow:
	rm -rf .airflow
