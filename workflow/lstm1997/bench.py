"""Throughput of the training engines: ``python -m lstm1997.bench [--T 100] [--seconds 3] [--json PATH] [--host]``.

Prints time steps per second (one step = one (value, marker) pair of one trial, forward, gradient
and update included) per core, and the ratio to a baseline measured in the same run, the asker's
own loop (one nn.LSTM(2, 2, num_layers=3), batch 1, float32 as in the question): what a user
would otherwise run.
1. the 93-weight 1997 network: a straightforward PyTorch loop of it (autograd, batch 1, one SGD
   step per sequence), the scalar compiled engine (one run per thread, ``engine``) and the batched
   one (``engine_batched``: 16 runs in the vector lanes of a core), each gradient on one core, then
   both on every core; the batched engine's ratio to the scalar one per core and its scaling over cores;
2. the asker's nn.LSTM stack: the batched torch trainer at R = 1, 10, 100 trials and the compiled
   nn.LSTM engine; cuda rows where a CUDA device exists;
3. where numba sees a CUDA GPU: the cuda engine (``gpu``) at 1,024 to 65,536 runs in flight against
   the compiled engine on every core, on a block of 1,000 sequences, and a sweep's whole loop;
4. ``--host`` alone: the stopping rules of many runs fed one by one and all at once (``rules_table``), and the
   protocol's host side around a stand-in device (``host_table``), without a GPU.
Torch runs on one thread.  A row's rate is that of its fastest timed call (the machine may be shared);
``--json PATH`` writes every row as {engine, runs, cores, steps_per_s, steps_per_s_per_core, ratio,
steps_per_cpu_s, cpu_ratio} (ratio: per core, to the asker's loop; the CPU-second columns divide by the
process's CPU time instead of wall time, the per-core rate where other work shares the cores).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import itertools
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numba
import numpy as np
import torch
from numba import cuda

from . import criteria, engine_batched, gpu, learning, lstm97, nnlstm, task, torch_ref
from .lstm97 import Net
from .nnlstm import NNLstm
from .protocol import Protocol, Start, train_from
from .stack import Stack


@dataclass(frozen=True)
class Row:
    engine: str
    steps: int
    seconds: float
    cores: int
    runs: int = 1
    cpu_seconds: float = float("nan")

    @property
    def rate(self) -> float:
        return self.steps / self.seconds

    @property
    def per_core(self) -> float:
        return self.rate / self.cores

    @property
    def per_cpu_second(self) -> float:
        """Steps per second of CPU time the process got: the per-core rate even where other work shares the cores."""
        return self.steps / self.cpu_seconds


def timed(run_once: Callable[[], int], seconds: float) -> tuple[int, float, float]:
    """Repeat ``run_once`` (returns steps done) for at least ``seconds`` (and at least 3 calls); the steps,
    wall time and process CPU time of the fastest call, the rate of the machine when nothing else took a core."""
    best, start, calls = (0, float("inf"), float("inf")), time.perf_counter(), 0
    while calls < 3 or time.perf_counter() - start < seconds:
        t0, c0 = time.perf_counter(), time.process_time()
        steps = run_once()
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        if steps / dt > best[0] / best[1]:
            best = (steps, dt, dc)
        calls += 1
    return best


def torch_loop(data: task.AddingData, seconds: float) -> Row:
    """Our own network the plain PyTorch way: per sequence, autograd through a Python loop over time steps, then w -= 0.5 g."""
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

    steps, wall, cpu = timed(one_sequence, seconds)
    return Row("PyTorch autograd loop of the 1997 network, batch 1", steps, wall, 1, 1, cpu)


def asker_loop(data: task.AddingData, seconds: float) -> Row:
    """The asker's loop: nn.LSTM(2, 2, 3) + Linear + sigmoid in float32, one sequence per SGD step."""
    torch.set_num_threads(1)
    lstm, head = (m.float() for m in nnlstm.module(Stack(), Stack().init_weights(task.rng(0, "init"))))
    optimizer = torch.optim.SGD(list(lstm.parameters()) + list(head.parameters()), lr=0.5)
    seqs = [torch.as_tensor(data.inputs[i, : data.lengths[i]], dtype=torch.float32) for i in range(len(data))]
    counter = iter(range(10**12))

    def one_sequence() -> int:
        i = next(counter) % len(seqs)
        optimizer.zero_grad()
        ((nnlstm.module_output(lstm, head, seqs[i]) - float(data.targets[i])) ** 2).backward()
        optimizer.step()
        return len(seqs[i])

    steps, wall, cpu = timed(one_sequence, seconds)
    return Row("the asker's loop: nn.LSTM 3x2, batch 1, float32 (baseline)", steps, wall, 1, 1, cpu)


def trainer(model, data: task.AddingData, seconds: float, gradient: str, loss: str, runs: int, threads: int, name: str) -> Row:
    """``model.train_runs`` on ``runs`` trials of the same block (all sequences), timed."""
    numba.set_num_threads(threads)
    torch.set_num_threads(1)
    theta = np.stack([model.init(task.rng(r, "init")) for r in range(runs)])
    shared = [getattr(data, k)[None] for k in ("inputs", "lengths", "targets")]
    stream, counts, lr, errors = np.zeros(runs, dtype=np.int64), np.full(runs, len(data)), np.full(runs, 0.5), np.zeros((runs, len(data)))
    model.train_runs(theta.copy(), *shared, stream, np.ones(runs, dtype=np.int64), lr, errors, gradient, loss)

    def one_block() -> int:
        model.train_runs(theta.copy(), *shared, stream, counts, lr, errors, gradient, loss)
        return int(data.lengths.sum()) * runs

    steps, wall, cpu = timed(one_block, seconds)
    return Row(name, steps, wall, threads, runs, cpu)


def compiled(data: task.AddingData, seconds: float, gradient: str, runs: int, threads: int, engine: str = "scalar") -> Row:
    """The compiled 1997 engine (``engine`` "scalar" or "batched"): ``runs`` independent runs of online
    learning on ``threads`` cores."""
    kind = "batched 1997 engine (runs in vector lanes)" if engine == "batched" else "compiled 1997 engine"
    name = f"{kind}, {gradient} gradient, {runs} run{'s' * (runs > 1)} on {threads} core{'s' * (threads > 1)}"
    return trainer(lstm97.Lstm97(engine=engine), data, seconds, gradient, "half", runs, threads, name)


def nn_lstm_rows(data: task.AddingData, seconds: float, asker: Row) -> list[Row]:
    """The asker's stack: their loop, the batched torch trainer (R = 1, 10, 100; cuda too if present), the compiled engine."""
    rows = [asker]
    devices = ["cpu"] + ["cuda"] * torch.cuda.is_available()
    for device in devices:
        for runs in (1, 10, 100):
            model = NNLstm(Stack(engine="torch", device=device))
            rows.append(trainer(model, task.concat([data], 5), seconds, "full", "squared", runs, 1, f"batched torch trainer (bmm), {device}, R = {runs} trials"))
    rows.append(trainer(NNLstm(Stack()), data, seconds, "full", "squared", 1, 1, "compiled nn.LSTM engine, 1 run on 1 core"))
    return rows


class _OneRunPerThread(lstm97.Lstm97):
    """The cuda engine as it was, every run on one thread (``gpu.train_runs`` with ``teams`` False): the bench's baseline."""

    def train_runs(self, theta, inputs, lengths, targets, stream, counts, lr, errors, gradient: str, loss: str) -> None:
        gpu.train_runs(theta, inputs, lengths, targets, stream, counts, lr, self.options(gradient, loss), errors, teams=False)


def cuda_row(data: task.AddingData, seconds: float, runs: int, teams: bool = True) -> Row:
    """``trainer`` on the cuda engine (truncated gradient), transfers included: on teams of 8 threads per run, or
    (``teams`` False) one run per thread."""
    model = lstm97.Lstm97(device="cuda") if teams else _OneRunPerThread(device="cuda")
    name = "cuda engine, " + ("a team of 8 threads per run" if teams else "one run per thread")
    return trainer(model, data, seconds, "truncated", "half", runs, 1, name)


def sweep_row(T: int, seeds: int, cells: int, blocks: int, ahead: bool) -> Row:
    """The whole protocol as a sweep runs it on cuda (``protocol.train_from``: each block's data drawn, trained,
    every run's stopping rule fed; ``ahead``: the next block trains while the host feeds this one's): ``seeds`` x
    ``cells`` runs for ``blocks`` blocks, after one to compile."""
    model, protocol = lstm97.Lstm97(device="cuda"), Protocol(budget=blocks * task.BLOCK, criteria=("window_mse",), until="primary", curve_every=blocks * task.BLOCK)
    starts = [Start(seed, model.init(task.rng(seed, "init")), 0.5) for seed in range(seeds) for _ in range(cells)]
    train_from(T, starts[:8], model, dataclasses.replace(protocol, budget=task.BLOCK), log_every=1e9)
    t0, c0 = time.perf_counter(), time.process_time()
    results = train_from(T, starts, model, protocol, log_every=1e9, ahead=ahead)
    steps = sum(r.sequences for r in results) * task.mean_length(T)
    how = "a block ahead" if ahead else "block after block"
    return Row(f"the sweep's whole loop on cuda (teams, {how}), {seeds} seeds x {cells} cells", int(steps), time.perf_counter() - t0, 1, len(starts), time.process_time() - c0)


@dataclass(frozen=True)
class _StandIn(lstm97.Lstm97):
    """A device that trains nothing: a block takes as long as a kernel at ``rate`` time steps/s would (asleep, the
    GIL released); every error is 0.2, as on the plateau, so that no run stops."""

    rate: float = 2.2e9
    on_device = True

    def train_runs(self, theta, inputs, lengths, targets, stream, counts, lr, errors, gradient: str, loss: str) -> None:
        time.sleep(counts.sum() * lengths.mean() / self.rate)
        errors.fill(0.2)


def rules_table(runs: int, blocks: int) -> Iterator[str]:
    """The stopping rules (the paper's, ``window_mse``) of ``runs`` runs fed ``blocks`` blocks of plateau errors by
    ``criteria.feed`` as the protocol feeds them between progress lines (no measures wanted): one call per run (as
    the protocol fed them before, one rule at a time) and one call for all runs, in the same run; microseconds per
    run and block."""
    errors, counts = np.random.default_rng(0).normal(0.2, 0.05, (runs, task.BLOCK)), np.full(runs, task.BLOCK)
    fed = functools.partial(criteria.feed, wanted=("window_mse",), every=blocks * task.BLOCK, latest=False)
    ways = {
        "one call per run": lambda rules: [fed([rule], errors[r : r + 1], counts[r : r + 1]) for r, rule in enumerate(rules)],
        "one call for all runs": lambda rules: fed(rules, errors, counts),
    }
    yield f"| stopping rules of {runs:,} runs fed {blocks} blocks | microseconds a run and block | ratio |"
    yield "|---|---:|---:|"
    base = None
    for name, way in ways.items():
        rules = [criteria.StoppingRule(("window_mse",)) for _ in range(runs)]
        t0 = time.perf_counter()
        for _ in range(blocks):
            way(rules)
        micro = (time.perf_counter() - t0) / (runs * blocks) * 1e6
        base = base or micro
        yield f"| {name} | {micro:.1f} | {_ratio(base / micro)} |"


def host_table(T: int, runs: int, blocks: int, rate: float) -> Iterator[str]:
    """The protocol's host side (streams drawn, every run's stopping rule fed) around a ``_StandIn`` device, block
    after block and a block ahead: what a GPU's whole loop would reach, measured without one."""
    device, protocol = _StandIn(rate=rate), Protocol(budget=blocks * task.BLOCK, criteria=("window_mse",), until="primary", curve_every=blocks * task.BLOCK)
    starts = [Start(seed, device.init(task.rng(seed, "init")), 0.5) for seed in range(32)] * (runs // 32)
    train_from(T, starts[:32], device, dataclasses.replace(protocol, budget=task.BLOCK), log_every=1e9)
    yield f"| whole loop, {len(starts):,} runs, T = {T}, a stand-in device at {rate / 1e9:.2g} G time steps/s | seconds a block | time steps / s | ratio |"
    yield "|---|---:|---:|---:|"
    base = None
    for ahead in (False, True):
        t0 = time.perf_counter()
        train_from(T, starts, device, protocol, log_every=1e9, ahead=ahead)
        seconds = (time.perf_counter() - t0) / blocks
        base = base or seconds
        steps = len(starts) * task.BLOCK * task.mean_length(T)
        yield f"| {'a block ahead' if ahead else 'block after block'} | {seconds:.3f} | {steps / seconds:,.0f} | {_ratio(base / seconds)} |"
    yield f"| the device alone | {steps / rate:.3f} | {rate:,.0f} | {_ratio(base * rate / steps)} |"


def gpu_table(T: int, seconds: float, cores: int) -> Iterator[str]:
    """The cuda engine on a block of 1,000 sequences at growing runs in flight, the one-run-per-thread kernel at
    16,384 runs, and a sweep's whole loop (block after block, then a block ahead), against the batched CPU engine
    on every core of this machine, measured in the same run; ratios also to 2 cores of it.  Markdown lines, each
    as soon as it is measured."""
    data = task.block(T, 0, 0)
    cpu = compiled(data, seconds, "truncated", 4 * engine_batched.LANES * cores, cores, "batched")
    yield f"| engine | runs in flight | time steps / s | ratio to the CPU engine on {cores} cores | ratio to 2 cores |"
    yield "|---|---:|---:|---:|---:|"
    yield f"| {cpu.engine} | {cpu.runs:,} | {cpu.rate:,.0f} | 1.0x | {_ratio(cores / 2)} |"
    for runs, teams in ((16384, False), (1024, True), (4096, True), (16384, True), (65536, True)):
        yield _gpu_line(cuda_row(data, seconds, runs, teams), cpu)
    for ahead in (False, True):
        yield _gpu_line(sweep_row(T, 32, 486, 6, ahead), cpu)


def _gpu_line(row: Row, cpu: Row) -> str:
    return f"| {row.engine} | {row.runs:,} | {row.rate:,.0f} | {_ratio(row.rate / cpu.rate)} | {_ratio(row.rate / (2 * cpu.per_core))} |"


def _ratio(x: float) -> str:
    return f"{x:,.0f}x" if x >= 10 else f"{x:.2g}x"


def table(rows: list[Row]) -> str:
    """Markdown table: steps per second per core and the ratio to the first row; steps per CPU-second and its ratio."""
    base, base_cpu = rows[0].per_core, rows[0].per_cpu_second
    lines = [
        "| engine | time steps / s / core | ratio to baseline | time steps / CPU-second | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        cpu = f"{r.per_cpu_second:,.0f} | {_ratio(r.per_cpu_second / base_cpu)}"
        lines.append(f"| {r.engine} | {r.per_core:,.0f} | {_ratio(r.per_core / base)} | {cpu} |")
    return "\n".join(lines)


def lanes_note() -> str:
    """What the host's vector units are, as numba (LLVM) compiles for them."""
    import llvmlite.binding as ll

    features = ll.get_host_cpu_features()
    width = 8 if features.get("avx512f") else 4 if features.get("avx2") or features.get("avx") else 2
    return f"host CPU {ll.get_host_cpu_name()}: {width} float64 per vector register; {engine_batched.LANES} runs per group"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--T", type=int, default=100, help="sequence length parameter (default 100)")
    parser.add_argument("--seconds", type=float, default=3.0, help="minimum seconds per row (default 3)")
    parser.add_argument("--cuda-only", action="store_true", help="only the cuda engine's table")
    parser.add_argument("--json", metavar="PATH", help="also write every CPU row to PATH as JSON")
    parser.add_argument("--host", action="store_true", help="only the protocol's host side around a stand-in device")
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    if args.host:
        criteria.feed([criteria.StoppingRule()], np.zeros((1, 1)), np.ones(1, np.int64))  # compiled before it is timed
        for line in itertools.chain(rules_table(3840, 6), [""], host_table(args.T, 3840, 6, 2.2e9)):
            print(line, flush=True)
        return
    data = task.generate(args.T, 200, task.rng(0, "test", args.T))
    rows: list[Row] = []
    if not args.cuda_only:
        rows = cpu_tables(data, args.seconds, cores)
    if args.json:
        base, base_cpu = (rows[0].per_core, rows[0].per_cpu_second) if rows else (1.0, 1.0)
        keys = [
            {
                "engine": r.engine, "runs": r.runs, "cores": r.cores,
                "steps_per_s": r.rate, "steps_per_s_per_core": r.per_core, "ratio": r.per_core / base,
                "steps_per_cpu_s": r.per_cpu_second, "cpu_ratio": r.per_cpu_second / base_cpu,
            }
            for r in rows
        ]
        with open(args.json, "w") as f:
            json.dump({"T": args.T, "cores": cores, "baseline": rows[0].engine if rows else None, "rows": keys}, f, indent=1)
    if gpu.available():
        name = cuda.get_current_device().name
        print(f"\nThe cuda engine on {name.decode() if isinstance(name, bytes) else name} (block of {task.BLOCK} sequences per call, transfers included):\n")
        for line in gpu_table(args.T, args.seconds, cores):
            print(line, flush=True)


def cpu_tables(data: task.AddingData, seconds: float, cores: int) -> list[Row]:
    """Print the tables of the 1997 network and of the asker's stack; return every row, the asker's loop first."""
    asker = asker_loop(data, seconds)
    lanes = engine_batched.LANES
    rows = [asker, torch_loop(data, seconds)]
    one = {}
    for gradient in learning.GRADIENTS:
        one[gradient] = (compiled(data, seconds, gradient, 1, 1), compiled(data, seconds, gradient, 2 * lanes, 1, "batched"))
        rows += one[gradient]
    rows.append(compiled(data, seconds, "truncated", 2 * cores, cores))
    single = compiled(data, seconds, "truncated", 4 * lanes, 1, "batched")
    every = compiled(data, seconds, "truncated", 4 * lanes, cores, "batched")
    rows += [single, every]
    print(f"T = {data.T}, {cores} cores, numba {numba.__version__}, torch {torch.__version__}; {lanes_note()}")
    print("\nThe 93-weight 1997 network against the asker's loop:\n")
    print(table(rows))
    print()
    for gradient, (scalar, batched) in one.items():
        ratio, cpu_ratio = batched.per_core / scalar.per_core, batched.per_cpu_second / scalar.per_cpu_second
        print(f"- {gradient} gradient, one core: the batched engine runs {ratio:.2f}x the scalar engine's time steps per second", end="")
        print(f" ({cpu_ratio:.2f}x per CPU-second)")
    cpu_share = every.cpu_seconds / every.seconds
    print(f"- the batched engine on {cores} cores: {every.rate / single.rate:.2f}x its rate on one core ({4 * lanes} runs);", end="")
    print(f" the process got {cpu_share:.2f} cores of CPU time")
    print("\nThe asker's nn.LSTM(2, 2, num_layers=3) stack" + ("" if torch.cuda.is_available() else " (no CUDA device: no cuda rows)") + ":\n")
    stack = nn_lstm_rows(data, seconds, asker)
    print(table(stack))
    return rows + stack[1:]


if __name__ == "__main__":
    main()
