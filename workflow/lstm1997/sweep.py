"""The robustness map's training: does "though the precise values hardly matter" (5.4) hold for the input-gate
biases?

A grid over the two blocks' initial input-gate biases and the learning rate around one setting of the
config (its ``base``); every cell trains the same ``trials`` seeds (trial k uses seed k: the same training
streams in every cell, so cells differ only by what the grid changes) until the primary stopping definition
is met or the budget is spent.

This module trains the grid; ``robustness`` summarises it per cell and words the verdict, ``plots.sweep_heatmaps``
draws the cells.  (Apart, so that a change to what the map says reruns no training.)
"""

from __future__ import annotations

import dataclasses
import itertools
import logging

import pandas as pd

from . import gpu, task
from .lstm97 import Lstm97, Net
from .protocol import Checkpoint, Start, evaluate, train_from
from .variants import Setting

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Grid:
    """in_gate_bias: values for each block; lr: learning rates; trials: seeds 0 .. trials - 1 in every cell;
    engine: "cpu" (the base setting's CPU engine over the job's cores) or "cuda" (every run at once on a CUDA GPU, ``gpu``)."""

    in_gate_bias: tuple[float, ...]
    lr: tuple[float, ...]
    trials: int
    engine: str = "cpu"

    def cells(self) -> list[tuple[float, float, float]]:
        return list(itertools.product(self.in_gate_bias, self.in_gate_bias, self.lr))

    @classmethod
    def from_params(cls, params: dict) -> Grid:
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in params.items()})


def grid_params(sweep: dict, T: int) -> dict:
    """A config's ``sweep`` block (its schema's defaults filled in) at one T as plain data, for rule params:
    ``in_gate_bias`` and ``lr`` are one list for every T or one per T."""
    return {k: sweep[k][T] if isinstance(sweep[k], dict) else sweep[k] for k in ("in_gate_bias", "lr", "trials", "engine")}


def run(
    base: Setting, grid: Grid, T: int, budget: int, threads: int | None = None, checkpoint: Checkpoint | None = None, test: task.AddingData | None = None
) -> pd.DataFrame:
    """Train every (cell, trial) of the grid around ``base`` (a 1997-network setting) at T, all runs at once, to
    the primary stopping definition or the budget; with a ``checkpoint``, a killed sweep resumes where it was
    saved.  One row per trial: the cell, the seed, sequences to success or NaN, and with a ``test`` set its
    final weights' wrong of it (5.4)."""
    if not isinstance(base.net, Net):
        raise ValueError(f"sweep.base: must name a 1997-network variant, got {base.label!r} (a {base.variant.model} model)")
    if grid.engine == "cuda":
        gpu.require("sweep.engine")
    cpu_model = base.model  # trains on the CPU, and tests every run's final weights
    model = Lstm97(base.net, device="cuda") if grid.engine == "cuda" else cpu_model
    # No learning curves (a point at the budget at most): the map keeps none, and a checkpoint carries every run's.
    protocol = dataclasses.replace(base.protocol, budget=budget, criteria=(base.protocol.primary,), until="primary", curve_every=budget)
    keys, starts = [], []
    for (b1, b2, lr), trial in itertools.product(grid.cells(), range(grid.trials)):
        theta = Lstm97(dataclasses.replace(base.net, in_gate_bias=(b1, b2))).init(task.rng(trial, "init"))
        keys.append({"base": base.label, "T": T, "bias1": b1, "bias2": b2, "lr": lr, "trial": trial})
        starts.append(Start(trial, theta, lr))
    log.info("sweep of %s at T=%d: %d cells x %d trials on %s", base.label, T, len(grid.cells()), grid.trials, model.engine_name)
    results = train_from(T, starts, model, protocol, threads, checkpoint=checkpoint)
    rows = [k | {"sequences": r.sequences, "success": r.success[protocol.primary]} for k, r in zip(keys, results)]
    if test is not None:
        log.info("testing the %d final weights on %d sequences", len(results), len(test))
        for row, r in zip(rows, results):
            row["wrong"] = evaluate(r.final_weights, test, cpu_model, protocol.correct_threshold).wrong
    return pd.DataFrame(rows).astype({"success": "float64"})
