"""The robustness map: does "though the precise values hardly matter" (5.4) hold for the input-gate biases?

A grid over the two blocks' initial input-gate biases and the learning rate; every cell trains the
same ``trials`` seeds (trial k uses seed k: the same training streams in every cell, so cells differ
only by what the grid changes) until the primary stopping definition is met or the budget is spent.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging

import numpy as np
import pandas as pd

from . import gpu, task
from .lstm97 import Lstm97
from .protocol import Start, train_from
from .variants import resolve

log = logging.getLogger(__name__)
PAPER = {"bias1": -3.0, "bias2": -6.0, "lr": 0.5}
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


def verdict(cells: pd.DataFrame) -> str:
    """Plain words: where the paper's claim holds (most cells as good as the paper's own) and where it breaks."""
    lines = []
    for (T, lr), part in cells.groupby(["T", "lr"]):
        paper = part[(part["bias1"] == PAPER["bias1"]) & (part["bias2"] == PAPER["bias2"])]
        good = part[part["success_probability"] >= 0.9]
        ref = f"the paper's pair (-3, -6): {paper['success_probability'].iloc[0]:.0%}" if len(paper) else "the paper's pair not in the grid"
        worst = part.nsmallest(3, "success_probability")
        bad = ", ".join(f"({r.bias1:g}, {r.bias2:g}) {r.success_probability:.0%}" for r in worst.itertuples())
        lines.append(
            f"- T = {T}, lr {lr:g}: {len(good)} of {len(part)} bias pairs succeed in at least 90% of trials; {ref}; "
            f"weakest: {bad}."
        )
    return "\n".join(lines)


def heatmaps(cells: pd.DataFrame, value: str, png: str, svg: str) -> None:
    """One heatmap per (T, lr) over the two blocks' input-gate biases; the paper's setting outlined."""
    from . import plots

    Ts, lrs = sorted(cells["T"].unique()), sorted(cells["lr"].unique())
    fig, axes = plots.plt.subplots(len(Ts), len(lrs), figsize=(3.6 * len(lrs), 3.2 * len(Ts)), squeeze=False, layout="constrained")
    label = "success probability" if value == "success_probability" else "median sequences to success"
    for (i, T), (j, lr) in itertools.product(enumerate(Ts), enumerate(lrs)):
        ax = axes[i, j]
        table = cells[(cells["T"] == T) & (cells["lr"] == lr)].pivot(index="bias1", columns="bias2", values=value)
        table = table.sort_index(ascending=False).sort_index(axis=1, ascending=False)
        kwargs = {"vmin": 0, "vmax": 1, "cmap": "viridis"} if value == "success_probability" else {"cmap": "magma_r"}
        fmt = ".0%" if value == "success_probability" else ".2g"
        plots.sns.heatmap(table, ax=ax, annot=True, fmt=fmt, annot_kws={"fontsize": 7}, cbar=j == len(lrs) - 1, **kwargs)
        if lr == PAPER["lr"] and PAPER["bias1"] in table.index and PAPER["bias2"] in table.columns:
            r, c = list(table.index).index(PAPER["bias1"]), list(table.columns).index(PAPER["bias2"])
            ax.add_patch(plots.plt.Rectangle((c, r), 1, 1, fill=False, edgecolor="red", lw=2.5))
        ax.set_title(f"T={T}, lr={lr:g}" + (" (paper)" if lr == PAPER["lr"] else ""), fontsize=10)
        ax.set_xlabel("input-gate bias, block 2")
        ax.set_ylabel("input-gate bias, block 1")
    fig.suptitle(f"{label} over the initial input-gate biases (red: the paper's -3, -6 at lr 0.5)")
    plots.save(fig, png, svg)
