"""The robustness map: does "though the precise values hardly matter" (5.4) hold for the input-gate biases?

A grid over the two blocks' initial input-gate biases and the learning rate; every cell trains the
same ``trials`` seeds (trial k uses seed k: the same training streams in every cell, so cells differ
only by what the grid changes) until the primary stopping definition is met or the budget is spent.

This module trains the grid and summarises it per cell; ``plots.sweep_heatmaps`` draws the cells and
the report's notebook words them (from ``facts``).
"""

from __future__ import annotations

import dataclasses
import itertools
import logging

import numpy as np
import pandas as pd

from . import gpu, task
from .lstm97 import Lstm97, Net
from .protocol import Protocol, Start, train_from
from .variants import resolve

log = logging.getLogger(__name__)
PAPER = {"bias1": Net().in_gate_bias[0], "bias2": Net().in_gate_bias[1], "lr": Protocol().lr}
"""The paper's cell (5.4): the default input-gate biases and learning rate."""
CPU_GROUP = 64
"""Runs trained together on the CPU engine: enough to keep every core busy, few enough to log often."""


@dataclasses.dataclass(frozen=True)
class Grid:
    """base: the registry variant swept (a 1997 network); in_gate_bias: values for each block; lr: learning
    rates; engine: "cpu" (groups of ``CPU_GROUP`` runs over the cores) or "cuda" (every run at once on one GPU)."""

    base: str
    in_gate_bias: tuple[float, ...]
    lr: tuple[float, ...]
    trials: int
    engine: str = "cpu"

    def cells(self) -> list[tuple[float, float, float]]:
        return list(itertools.product(self.in_gate_bias, self.in_gate_bias, self.lr))


def run(grid: Grid, T: int, budget: int, threads: int | None = None) -> pd.DataFrame:
    """Train every (cell, trial) at T; one row per trial: the cell, the seed, sequences to success or NaN."""
    setting = resolve(grid.base, {})
    if not isinstance(setting.model, Lstm97):
        raise ValueError(f"sweep.base: must name a 1997-network variant, got {grid.base!r}")
    net, model = setting.net, Lstm97(setting.net, device=grid.engine)
    if grid.engine == "cuda":
        gpu.require("sweep.engine")
    protocol = dataclasses.replace(setting.protocol, budget=budget, criteria=(setting.protocol.primary,), until="primary")
    keys, starts = [], []
    for (b1, b2, lr), trial in itertools.product(grid.cells(), range(grid.trials)):
        theta = Lstm97(dataclasses.replace(net, in_gate_bias=(b1, b2))).init(task.rng(trial, "init"))
        keys.append({"bias1": b1, "bias2": b2, "lr": lr, "trial": trial})
        starts.append(Start(trial, theta, lr))
    results, group = [], CPU_GROUP if grid.engine == "cpu" else len(starts)
    for first in range(0, len(starts), group):
        log.info("sweep T=%d: runs %d-%d of %d", T, first, min(first + group, len(starts)) - 1, len(starts))
        results += train_from(T, starts[first : first + group], model, protocol, threads)
    rows = [k | {"T": T, "sequences": r.sequences, "success": r.success[protocol.primary]} for k, r in zip(keys, results)]
    return pd.DataFrame(rows).astype({"success": "float64"})


def summarize(trials: pd.DataFrame) -> pd.DataFrame:
    """Per (T, cell): trials, success probability, median sequences to success."""
    grouped = trials.groupby(["T", "bias1", "bias2", "lr"], sort=True)["success"]
    return grouped.agg(trials="size", successes="count", median_sequences="median").reset_index().assign(
        success_probability=lambda d: d["successes"] / d["trials"]
    )


def facts(cells: pd.DataFrame) -> pd.DataFrame:
    """Per (T, lr): bias pairs, those that succeed in at least 90% of trials, the paper's pair's success
    probability (NaN where the grid lacks it), the three weakest pairs as (bias1, bias2, success probability)."""
    rows = []
    for (T, lr), part in cells.groupby(["T", "lr"]):
        paper = part[(part["bias1"] == PAPER["bias1"]) & (part["bias2"] == PAPER["bias2"])]["success_probability"]
        weakest = part.nsmallest(3, "success_probability")[["bias1", "bias2", "success_probability"]]
        rows.append(
            {
                "T": T,
                "lr": lr,
                "pairs": len(part),
                "good": int((part["success_probability"] >= 0.9).sum()),
                "paper": paper.iloc[0] if len(paper) else np.nan,
                "weakest": list(weakest.itertuples(index=False, name=None)),
            }
        )
    return pd.DataFrame(rows)
