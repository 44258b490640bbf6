"""Compile the Numba kernels of constops into Numba's cache, once, ahead of the first task.

    python scripts/compile_kernels.py

The kernels (``row_runs``, ``reach``, ``cell_series``) are compiled on their first call
(``constops.kernels.warm_kernels`` makes it) and cached on disk (``__pycache__`` next to them, or ``NUMBA_CACHE_DIR``). Where that
directory is not writable at run time (the image's read-only file system) Numba cannot
cache at all, and every task process would compile them again (about 5 s); the image
therefore sets ``NUMBA_CACHE_DIR`` to a directory of the airflow-home volume and runs
this script at build time, so the volume starts with the compiled kernels. Prints the
cache files written.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from constops.api import warm_kernels


def main() -> int:
    warm_kernels()
    cache = Path(os.environ.get("NUMBA_CACHE_DIR") or Path(__file__).resolve().parents[1] / "include")
    for path in sorted(cache.rglob("*.nbi")):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
