"""Atomic output: every file is written to a temporary name beside it, then renamed into place.  Checked input:
a file that fails to load is damaged, and one of the workflow's outputs is deleted so that the next run rebuilds it."""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

OUTPUTS = "results"
"""The workflow's output folder, in the working directory: nothing but the workflow writes there."""
DAMAGE = (ValueError, KeyError, EOFError, zipfile.BadZipFile)
"""What loading a damaged file raises (json, numpy, pandas, a check of ours): cut short, bytes changed, a key missing."""


class DamagedFile(ValueError):
    """A file that does not load; its message names it and says how it gets rebuilt."""


@contextmanager
def reading(path: str | Path) -> Iterator[None]:
    """Load ``path`` inside the block.  If that fails (``DAMAGE``) the file is damaged: one under ``OUTPUTS``
    is deleted, so that the next ``snakemake`` run sees it missing and reruns the job that writes it."""
    try:
        yield
    except DamagedFile:
        raise
    except DAMAGE as err:
        why = f"{type(err).__name__}: {err}".splitlines()[0]
        if Path(OUTPUTS).resolve() in Path(path).resolve().parents:
            Path(path).unlink(missing_ok=True)
            raise DamagedFile(f"{path}: damaged ({why}); deleted: the next snakemake run rebuilds it") from None
        raise DamagedFile(f"{path}: damaged ({why})") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _umask()


@contextmanager
def atomic(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path in ``path``'s folder; rename it to ``path`` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}")
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_UMASK)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_json(path: str | Path, obj) -> None:
    """Strict JSON: a NaN or an infinity, which strict parsers reject, is an error naming the file."""
    try:
        text = json.dumps(obj, indent=2, sort_keys=True, allow_nan=False)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from None
    with atomic(path) as tmp:
        tmp.write_text(text + "\n")


def read_json(path: str | Path):
    with reading(path):
        return json.loads(Path(path).read_text())


def read_csv(path: str | Path) -> pd.DataFrame:
    """A table as ``write_csv`` writes it: every row ends with a newline, so one cut mid-row is damaged."""
    with reading(path):
        text = Path(path).read_text()
        if not text.endswith("\n"):
            raise ValueError("cut short: the last row has no line end")
        return pd.read_csv(StringIO(text))


def write_csv(path: str | Path, frame: pd.DataFrame) -> None:
    with atomic(path) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.10g", lineterminator="\n")


def write_text(path: str | Path, text: str) -> None:
    with atomic(path) as tmp:
        tmp.write_text(text)


def write_npz(path: str | Path, arrays: dict[str, np.ndarray]) -> None:
    with atomic(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)
