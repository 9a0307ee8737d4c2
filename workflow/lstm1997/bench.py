"""Throughput of the training engines: ``python -m lstm1997.bench [--T 100] [--seconds 3]``.

Prints time steps per second (one step = one (value, marker) pair, forward, gradient and update
included) per core for every engine, and its ratio to the baseline measured in the same run:
a straightforward PyTorch loop of the same 93-weight network (autograd, batch 1, one SGD step per
sequence, one thread).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np
import torch

from . import lstm97, task, torch_ref
from .lstm97 import Net


@dataclass(frozen=True)
class Row:
    engine: str
    steps: int
    seconds: float
    cores: int

    @property
    def per_core(self) -> float:
        return self.steps / self.seconds / self.cores


def timed(run_once: Callable[[], int], seconds: float) -> tuple[int, float]:
    """Repeat ``run_once`` (returns steps done) for at least ``seconds``; total steps and time."""
    steps, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        steps += run_once()
    return steps, elapsed


def torch_loop(data: task.AddingData, seconds: float) -> Row:
    """The baseline: per sequence, autograd through a Python loop over time steps, then w -= 0.5 g."""
    torch.set_num_threads(1)
    params = torch_ref.parameters(lstm97.init_weights(Net(), task.rng(0, "init")))
    seqs = [torch.as_tensor(data.inputs[i, : data.lengths[i]]) for i in range(len(data))]
    counter = iter(range(10**12))

    def one_sequence() -> int:
        i = next(counter) % len(seqs)
        loss = torch_ref.loss(torch_ref.forward(params, seqs[i]), float(data.targets[i]))
        loss.backward()
        with torch.no_grad():
            for p in params.values():
                p -= 0.5 * p.grad
                p.grad = None
        return len(seqs[i])

    return Row("PyTorch autograd loop, batch 1 (baseline)", *timed(one_sequence, seconds), 1)


def compiled(data: task.AddingData, seconds: float, gradient: str, runs: int, threads: int) -> Row:
    """The compiled engine: ``runs`` independent runs of online learning on ``threads`` cores."""
    numba.set_num_threads(threads)
    model = lstm97.Lstm97()
    theta = np.stack([model.init(task.rng(0, "init"))] * runs)
    stacked = [np.stack([getattr(data, k)] * runs) for k in ("inputs", "lengths", "targets")]
    counts, lr, errors = np.full(runs, len(data)), np.full(runs, 0.5), np.zeros((runs, len(data)))
    model.train_runs(theta.copy(), *[a[:, :1] for a in stacked], np.ones(runs, dtype=np.int64), lr, errors, gradient, "half")

    def one_block() -> int:
        model.train_runs(theta.copy(), *stacked, counts, lr, errors, gradient, "half")
        return int(data.lengths.sum()) * runs

    name = f"compiled engine, {gradient} gradient, {runs} run{'s' * (runs > 1)} on {threads} core{'s' * (threads > 1)}"
    return Row(name, *timed(one_block, seconds), threads)


def table(rows: list[Row]) -> str:
    """Markdown table: steps per second per core and the ratio to the first row."""
    base = rows[0].per_core
    lines = ["| engine | time steps / s / core | ratio to baseline |", "|---|---:|---:|"]
    lines += [f"| {r.engine} | {r.per_core:,.0f} | {r.per_core / base:,.1f}x |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--T", type=int, default=100, help="sequence length parameter (default 100)")
    parser.add_argument("--seconds", type=float, default=3.0, help="minimum seconds per row (default 3)")
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    data = task.generate(args.T, 200, task.rng(0, "test", args.T))
    rows = [torch_loop(data, args.seconds)]
    rows += [compiled(data, args.seconds, gradient, 1, 1) for gradient in lstm97.GRADIENTS]
    rows.append(compiled(data, args.seconds, "truncated", 2 * cores, cores))
    print(f"T = {args.T}, {cores} cores, numba {numba.__version__}, torch {torch.__version__}\n")
    print(table(rows))


if __name__ == "__main__":
    main()
