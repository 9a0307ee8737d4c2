"""The per-trial jobs' bodies (compile_engine, train, evaluate) and the files they write (every write atomic).

results/engine/numba/{kind}.json                      a model kind's kernels are in numba's cache (the folder)
results/runs/{label}/T{T}/trial{k}/summary.json       when each stopping definition was met, budget, engine
                                  /curve.csv          the learning curve
                                  /weights.npz        weights: "final" and each snapshot, layout of ``lstm97``
                                  /evaluation.json    wrong of the test set, test MSE
                                  /test_errors.npz    target and target - y of every test sequence

Each job's script starts it with ``jobs.start`` (logging, numba's cache) before importing this module.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from . import testset
from .io import reading, write_csv, write_json, write_npz
from .jobs import versions
from .protocol import RunResult, evaluate, train, warm_up
from .variants import Setting, build


def compile_engine(kind: str, engine: str, marker: str | Path) -> None:
    """Fill numba's cache (NUMBA_CACHE_DIR) with one model kind's kernels, once, so that the jobs training
    and testing that kind load them instead of compiling them side by side into one cache.

    The kind's default model on the config's ``engine`` compiles them all: its options reach the kernels as
    values of fixed types.
    """
    started = time.perf_counter()
    warm_up(build(kind, engine=engine))
    package = str(Path(__file__).resolve().parent)
    write_json(
        marker,
        {"kind": kind, "seconds": round(time.perf_counter() - started, 3), "cache": str(Path(marker).parent), "package": package, "versions": versions()},
    )


def weights_arrays(result: RunResult) -> dict[str, np.ndarray]:
    """``{which}/{name}`` -> array, for "final" and every snapshot; names as the model's layout."""
    named = {"final": result.final_weights, **result.weights}
    return {f"{which}/{name}": array for which, w in named.items() for name, array in w.items()}


def load_weights(path: str | Path, model, which: str = "final") -> dict[str, np.ndarray]:
    """One set of weights from weights.npz, in ``model``'s layout."""
    with reading(path), np.load(path) as z:
        return {name: z[f"{which}/{name}"] for name in model.unflatten(np.zeros(model.n_params))}


def train_trials(setting: Setting, T: int, trials: list[int], threads: int, summary: list[str], curve: list[str], weights: list[str]) -> None:
    """Train trials k (seed k) of a setting at T side by side (one run per thread on the scalar engine,
    16 in the vector lanes of a core on the batched one) and write each one's summary, curve and weights."""
    results = train(T, list(trials), setting.model, setting.protocol, threads=threads)
    for trial, result, paths in zip(trials, results, zip(summary, curve, weights)):
        _write_trial(setting, T, trial, threads, result, *paths)


def _write_trial(setting: Setting, T: int, trial: int, threads: int, result: RunResult, summary: str, curve: str, weights: str) -> None:
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
            "diverged_at": result.diverged,
            "final_weights": result.primary if result.primary in result.weights else "end",
            "wall_time_s": round(result.wall_time, 3),
            "engine": setting.model.engine_name,
            "threads": threads,
            "versions": versions(),
            "settings": setting.params(setting.protocol.budget, setting.protocol.until),
        },
    )


def evaluate_trial(setting: Setting, weights: str, test_set: str, manifest: str, evaluation: str, errors: str) -> None:
    """Test a trial's final weights on the fixed test set (5.4), checked against its manifest: wrong of 2560 and MSE."""
    data = testset.load(test_set, manifest)
    started = time.perf_counter()
    result = evaluate(load_weights(weights, setting.model), data, setting.model, setting.protocol.correct_threshold)
    write_npz(errors, {"targets": data.targets, "errors": result.errors})
    write_json(
        evaluation,
        {"wrong": result.wrong, "sequences": result.n, "mse": result.mse, "seconds": round(time.perf_counter() - started, 3)},
    )
