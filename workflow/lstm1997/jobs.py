"""Start-up of a pipeline job: log to the rule's log file, share the compiled engine's cache.

Import this before anything that imports numba: the cache folder is read when numba starts.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path


def start(log_path: str, numba_cache: str | None = None) -> None:
    """Send logging (INFO) and uncaught errors to ``log_path``; point numba at the pipeline's engine cache.

    ``numba_cache`` is a file inside the cache folder (the compile_engine rule's output).
    """
    if numba_cache is not None:
        if "numba" in sys.modules:
            raise RuntimeError("jobs.start must run before numba is imported")
        os.environ["NUMBA_CACHE_DIR"] = str(Path(numba_cache).resolve().parent)
    handler = logging.FileHandler(log_path, mode="w")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", handlers=[handler])
    sys.excepthook = lambda kind, value, tb: logging.getLogger("job").critical("failed", exc_info=(kind, value, tb))
