"""The per-trial jobs' bodies (compile_engine, train, evaluate) and the files they write (every write atomic).

results/engine/{kind}/numba.json                      a model kind's kernels are in numba's cache (the folder);
                                                      one core's training rate, time steps per second
results/runs/{label}/T{T}/trial{k}/summary.json       when each stopping definition was met, budget, engine
                                  /curve.csv          the learning curve
                                  /weights.npz        weights: "final" and each snapshot, layout of ``lstm97``
                                  /evaluation.json    wrong of the test set, test MSE
                                  /test_errors.npz    target and target - y of every test sequence

Each job's script starts it with ``jobs.start`` (logging, numba's cache) before importing this module.
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd

from . import testset
from .io import reading, write_csv, write_json, write_npz
from .jobs import versions
from .protocol import Checkpoint, RunResult, evaluate, rate, train, warm_up
from .variants import Setting, build

log = logging.getLogger(__name__)

def compile_engine(kind: str, engine: str, marker: str | Path) -> None:
    """Fill numba's cache (NUMBA_CACHE_DIR, the marker's folder: one per model kind) with one model kind's
    kernels, once, so that the jobs training and testing that kind load them instead of compiling them side
    by side into one cache.

    The folder is emptied first: numba checks a cached kernel against its own file only, so a kernel that
    inlines another module's code (the batched engine's g and h are ``engine``'s) would stay stale after an
    edit there; this job reruns on an edit to any module its kind imports.  The kind's default model on the
    config's ``engine`` compiles them all: its options reach the kernels as values of fixed types.
    """
    cache = str(Path(marker).parent)
    log.info("compiling the kernels of %s (engine %s) into numba's cache %s", kind, engine, cache)
    started = time.perf_counter()
    _empty(Path(cache))
    model = build(kind, engine=engine)
    warm_up(model)
    seconds = round(time.perf_counter() - started, 3)
    rates = {gradient: round(rate(model, gradient, model.runs_per_core)) for gradient in model.gradients}
    package = str(Path(__file__).resolve().parent)
    info = {"kind": kind, "engine": engine, "seconds": seconds, "steps_per_s_per_core": rates, "cache": cache, "package": package}
    write_json(marker, info | {"versions": versions()})
    said = ", ".join(f"{steps / 1e6:.2f} M ({gradient} gradient)" for gradient, steps in rates.items())
    log.info("kernels of %s ready after %.1f s; one core trains %s time steps/s (T = 100, %d run(s))", kind, seconds, said, model.runs_per_core)
    log.info("wrote %s", marker)


def _empty(folder: Path) -> None:
    for path in folder.glob("*"):
        shutil.rmtree(path) if path.is_dir() else path.unlink()


def weights_arrays(result: RunResult) -> dict[str, np.ndarray]:
    """``{which}/{name}`` -> array, for "final" and every snapshot; names as the model's layout."""
    named = {"final": result.final_weights, **result.weights}
    return {f"{which}/{name}": array for which, w in named.items() for name, array in w.items()}


def load_weights(path: str | Path, model, which: str = "final") -> dict[str, np.ndarray]:
    """One set of weights from weights.npz, in ``model``'s layout."""
    with reading(path), np.load(path) as z:
        return {name: z[f"{which}/{name}"] for name in model.unflatten(np.zeros(model.n_params))}


def train_trials(
    setting: Setting, T: int, trials: list[int], threads: int, summary: list[str], curve: list[str], weights: list[str], checkpoint: Checkpoint
) -> None:
    """Train trials k (seed k) of a setting at T side by side (one run per thread on the scalar engine,
    16 in the vector lanes of a core on the batched one) and write each one's summary, curve and weights.

    A killed job's rerun resumes from its ``checkpoint`` (saved every few minutes), to the same bytes.
    """
    results = train(T, list(trials), setting.model, setting.protocol, threads=threads, checkpoint=checkpoint)
    for trial, result, paths in zip(trials, results, zip(summary, curve, weights)):
        _write_trial(setting, T, trial, threads, result, *paths)
    checkpoint.clear()


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
