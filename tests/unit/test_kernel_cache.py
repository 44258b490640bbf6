"""The Numba kernels compile once into a cache directory (the image does it at build time,
scripts/compile_kernels.py), and a later process loads them from there without compiling."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
KERNELS = {"row_runs._add_runs", "row_runs._add_counts", "reach.within_reach", "cell_series.cell_runs",
           "cell_series.weighted_series"}


def _compile(cache_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache_dir)}
    return subprocess.run([sys.executable, str(REPO / "scripts" / "compile_kernels.py")], env=env,
                          capture_output=True, text=True, check=True)


@pytest.mark.slow  # two Python processes that compile and load every kernel
def test_every_kernel_is_cached_once_and_then_only_loaded(tmp_path):
    _compile(tmp_path)
    index = {p.name.split("-")[0]: p for p in tmp_path.rglob("*.nbi")}
    assert set(index) == KERNELS
    compiled = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.nb*")}
    _compile(tmp_path)
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.nb*")} == compiled  # nothing compiled again


def test_the_image_compiles_the_kernels_into_the_airflow_home_volume():
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "NUMBA_CACHE_DIR=/opt/airflow/numba-cache" in dockerfile  # writable: the airflow-home volume
    assert "python scripts/compile_kernels.py" in dockerfile
    assert dockerfile.index("compile_kernels.py") < dockerfile.index("chown -R airflow /opt/airflow")
