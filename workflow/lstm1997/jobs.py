"""Start-up and provenance of a pipeline job: what every job's script does before and around its body.

The bodies live with their concept: ``testset`` (the test_set job), ``trials`` (compile_engine, train,
evaluate), ``tables`` (aggregate), ``plots`` (the figures), ``sweep`` (sweep_train), ``robustness`` (sweep_cells),
``report``.  Import this before anything that imports numba: the cache folder is read when numba starts.
"""

from __future__ import annotations

import logging
import os
import platform
import sys
from pathlib import Path

import numpy as np

from . import __version__


def start(log_path: str, numba_cache: str | None = None) -> None:
    """Send logging (INFO) and uncaught errors to ``log_path``; point numba at the pipeline's engine cache.

    ``numba_cache`` is a file inside the cache folder (a compile_engine job's output).
    """
    if numba_cache is not None:
        if "numba" in sys.modules:
            raise RuntimeError("jobs.start must run before numba is imported")
        os.environ["NUMBA_CACHE_DIR"] = str(Path(numba_cache).resolve().parent)
    handler = logging.FileHandler(log_path, mode="w")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", handlers=[handler])
    logging.getLogger("numba").setLevel(logging.WARNING)  # its CUDA driver logs every allocation and free at INFO
    sys.excepthook = lambda kind, value, tb: logging.getLogger("job").critical("failed", exc_info=(kind, value, tb))


def versions() -> dict[str, str]:
    """The versions a job ran with, for its outputs' provenance."""
    import numba  # here, not at the top: ``start`` must run before numba is imported

    return {"lstm1997": __version__, "python": platform.python_version(), "numpy": np.__version__, "numba": numba.__version__}
