"""The fixed test set of a T (5.4: 2560 fresh sequences), as the test_set job writes it.

results/data/T{T}/test.npz, test.manifest.json       (test_start_marker.* for the marker -1 of a marked first pair)
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import task
from .io import read_json, reading, write_json
from .jobs import versions


def make_test_set(T: int, n: int, seed: int, data_path: str | Path, manifest_path: str | Path, marked_first_marker: float = 1.0) -> None:
    """Draw the test set and write it with its manifest: how it was drawn, its sha256, the versions."""
    task.make_dataset(T, n, seed, marked_first_marker).save(data_path)
    write_json(
        manifest_path,
        {
            "T": T,
            "sequences": n,
            "seed": seed,
            "marked_first_marker": marked_first_marker,
            "sha256": sha256(data_path),
            "test_set": f"lstm1997.task.make_dataset(T={T}, n={n}, seed={seed})",
            "training_streams": "trial k trains on lstm1997.task.stream(T, seed=k, purpose='train'): "
            "block b is drawn by Philox(SeedSequence(k, spawn_key=(0, T, b))), 1000 sequences per block; "
            "test sets use spawn_key (1, T, b), initial weights (2,), so no stream repeats another",
            "versions": versions(),
        },
    )


def sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load(data_path: str | Path, manifest_path: str | Path) -> task.AddingData:
    """The test set, if its bytes are the ones its manifest records (a damaged one: ``io.reading``)."""
    with reading(manifest_path):
        expected = read_json(manifest_path)["sha256"]
    with reading(data_path):
        if (found := sha256(data_path)) != expected:
            raise ValueError(f"sha256 {found} is not its manifest's {expected}")
    return task.AddingData.load(data_path)
