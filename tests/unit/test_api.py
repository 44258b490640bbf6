"""constops.api, the library's public face: each name is the object its module defines, the
walk-through of its docstring gives the pipeline's own figures for 2025-11-20, importing a
name costs only its module, and the DAGs, plugins and scripts reach the library through it."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from constops import api
from tests.support.data import REPO, snapshot_bytes

DAY_START = datetime(2025, 11, 20, tzinfo=timezone.utc)
DAY_END = DAY_START + timedelta(days=1)
#: The day's figures that `make demo` prints (README) for the bundled 2025-11-20 snapshot.
DEMO_PASSES_AKKOL_10DEG = 598
DEMO_PERCENT_TIME_COVERED_10DEG = 91.8
DEMO_SATS_IN_VIEW_MEAN_10DEG = 3.81


@pytest.mark.parametrize("name", api.__all__)
def test_every_public_name_is_its_modules_object(name):
    module = importlib.import_module(f"constops.{api._WHERE[name]}")
    assert getattr(api, name) is getattr(module, api._RENAMED.get(name, name))


def test_an_unknown_name_is_refused_with_the_public_names():
    with pytest.raises(AttributeError, match="find_passes"):
        api.find_pass  # noqa: B018 (the attribute access is the test)


def test_the_docstring_walkthrough_gives_the_demo_figures():
    settings = api.load_settings()
    records = api.read_answer(snapshot_bytes("qianfan_2025-11-20.json"), source="qianfan_2025-11-20.json")
    assert len(records.element_sets) == 108 and not records.set_aside
    passes = api.find_passes(records.element_sets, settings.station("akkol"), DAY_START, DAY_END, 10.0)
    assert len(passes) == DEMO_PASSES_AKKOL_10DEG
    grid = api.CellGrid.for_region(settings.region, settings.cell_size_deg)
    figures = api.region_coverage(records.element_sets, grid, [10.0], DAY_START, DAY_END, settings.coverage_step_s)
    assert round(figures[10.0]["percent_time_covered"], 1) == DEMO_PERCENT_TIME_COVERED_10DEG
    assert round(figures[10.0]["sats_in_view_mean"], 2) == DEMO_SATS_IN_VIEW_MEAN_10DEG
    statuses = api.fleet_status(records.element_sets, DAY_START)
    assert sum(api.status_counts(statuses).values()) == 108


def test_a_name_imports_only_its_own_module():
    """The scheduler parses the DAGs often: ``check_day`` must not bring pandas or SQLAlchemy."""
    code = ("import sys; from constops.api import check_day; "
            "print(sorted(m for m in ('pandas', 'sqlalchemy', 'numba', 'shapely') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


#: Modules outside the api that the Airflow layer and the scripts may import: the pages' own face.
OWN_FACES = ("constops.dashboard",)


def _library_imports(path):
    """Yield (line, module) of every import of a constops module other than the api in ``path``."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module] if node.module != "constops" else [f"constops.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        else:
            continue
        for module in modules:
            if module.startswith("constops.") and module != "constops.api" and not module.startswith(OWN_FACES):
                yield node.lineno, module


def test_dags_plugins_and_scripts_use_the_library_through_its_api():
    files = [*REPO.glob("dags/*.py"), *REPO.glob("plugins/**/*.py"), *REPO.glob("scripts/*.py")]
    assert len(files) > 20
    found = [f"{path.relative_to(REPO)}:{line} {module}" for path in files for line, module in _library_imports(path)]
    assert found == []
