"""One trial's files, as the pipeline writes them (every write atomic).

results/data/T{T}/test.npz, test.manifest.json       the fixed test set of a T (test_start_marker.* for marker -1)
results/runs/{label}/T{T}/trial{k}/summary.json       when each stopping definition was met, budget, engine
                                  /curve.csv          the learning curve
                                  /weights.npz        weights: "final" and each snapshot, layout of ``lstm97``
                                  /evaluation.json    wrong of the test set, test MSE
                                  /test_errors.npz    target and target - y of every test sequence
"""

from __future__ import annotations

import hashlib
import platform
import time
from pathlib import Path

import numba
import numpy as np
import pandas as pd

from . import __version__, task
from .io import write_csv, write_json, write_npz
from .protocol import RunResult, evaluate, train, warm_up
from .variants import Setting


def versions() -> dict[str, str]:
    return {"lstm1997": __version__, "python": platform.python_version(), "numpy": np.__version__, "numba": numba.__version__}


def sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def compile_engine(marker: str | Path) -> None:
    """Fill numba's cache (NUMBA_CACHE_DIR) once, so training jobs load the kernels instead of compiling them side by side."""
    started = time.perf_counter()
    warm_up()
    package = str(Path(__file__).resolve().parent)
    write_json(marker, {"seconds": round(time.perf_counter() - started, 3), "cache": str(Path(marker).parent), "package": package, "versions": versions()})


def make_test_set(T: int, n: int, seed: int, data_path: str | Path, manifest_path: str | Path, marked_first_marker: float = 1.0) -> None:
    """The fixed test set of a T (5.4: 2560 fresh sequences) and its manifest."""
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


def weights_arrays(result: RunResult) -> dict[str, np.ndarray]:
    """``{which}/{name}`` -> array, for "final" and every snapshot; names as the model's layout."""
    named = {"final": result.final_weights, **result.weights}
    return {f"{which}/{name}": array for which, w in named.items() for name, array in w.items()}


def load_weights(path: str | Path, model, which: str = "final") -> dict[str, np.ndarray]:
    """One set of weights from weights.npz, in ``model``'s layout."""
    with np.load(path) as z:
        return {name: z[f"{which}/{name}"] for name in model.unflatten(np.zeros(model.n_params))}


def train_trial(setting: Setting, T: int, trial: int, threads: int, summary: str, curve: str, weights: str) -> RunResult:
    """Train trial k (seed k) of a setting at T and write its summary, curve and weights."""
    result = train(T, [trial], setting.model, setting.protocol, threads=threads)[0]
    write_npz(weights, weights_arrays(result))
    write_csv(curve, pd.DataFrame(result.curve))
    write_json(
        summary,
        {
            "label": setting.label,
            "variant": setting.variant.name,
            "T": T,
            "trial": trial,
            "seed": result.seed,
            "budget": setting.protocol.budget,
            "sequences": result.sequences,
            "primary": result.primary,
            "success": result.success,
            "final_weights": result.primary if result.primary in result.weights else "end",
            "wall_time_s": round(result.wall_time, 3),
            "engine": setting.model.engine_name,
            "threads": threads,
            "versions": versions(),
            "settings": setting.params(setting.protocol.budget, setting.protocol.until),
        },
    )
    return result


def evaluate_trial(setting: Setting, weights: str, test_set: str, evaluation: str, errors: str) -> None:
    """Test a trial's final weights on the fixed test set (5.4): wrong of 2560 and MSE."""
    data = task.AddingData.load(test_set)
    started = time.perf_counter()
    result = evaluate(load_weights(weights, setting.model), data, setting.model, setting.protocol.correct_threshold)
    write_npz(errors, {"targets": data.targets, "errors": result.errors})
    write_json(
        evaluation,
        {"wrong": result.wrong, "sequences": result.n, "mse": result.mse, "seconds": round(time.perf_counter() - started, 3)},
    )
