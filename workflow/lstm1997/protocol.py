"""The training protocol of Experiment 4 (5.4): online learning, the stopping rule, a budget, testing.

One sequence, one gradient, one plain SGD step (learning rate 0.5).  A run ends when its stopping
definitions are met or its budget of sequences is spent.  Every tracked definition of "average
training error" (``criteria``) is met at its own sequence count along the same trajectory; the
weights at each of those counts are kept, so one run answers all of them.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import itertools
import logging
import pickle
import time
import typing
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numba
import numpy as np

from . import criteria, paper, task
from .checks import choice, integer, positive
from .criteria import DEFINITIONS, MEASURES, StoppingRule
from .io import atomic
from .learning import GRADIENTS, LOSSES
from .lstm97 import Lstm97

log = logging.getLogger(__name__)
UNTIL = ("primary", "all")
PROGRESS_RUNS = 16
"""Above this many active runs, progress is one summary line instead of one line per run; above this many
runs in all (a sweep), a run meeting the paper's rule is not announced."""


@typing.runtime_checkable
class Model(typing.Protocol):
    """What ``train`` and ``evaluate`` need of a network: ``lstm97.Lstm97`` and ``nnlstm.NNLstm`` are two."""

    gradients: tuple[str, ...]
    """The gradients (``learning.GRADIENTS``) it trains with."""

    runs_per_core: int
    """Runs one core trains at once (the batched engine's vector lanes)."""

    on_device: bool
    """Whether ``train_runs`` runs on an accelerator and leaves the host idle meanwhile (``train_from``'s ``ahead``)."""

    @property
    def engine_name(self) -> str: ...

    @property
    def n_params(self) -> int:
        """Length of the flat parameter vector."""

    @property
    def n_weights(self) -> int:
        """Weights as the paper counts them (93 for the 1997 network)."""

    def init(self, rng: np.random.Generator) -> np.ndarray:
        """Initial flat parameters drawn from ``rng``."""

    def flatten(self, weights: dict[str, np.ndarray]) -> np.ndarray: ...

    def unflatten(self, theta: np.ndarray) -> dict[str, np.ndarray]: ...

    def train_runs(self, theta, inputs, lengths, targets, stream, counts, lr, errors, gradient: str, loss: str) -> None:
        """Online SGD of R runs at once: run r takes counts[r] sequences of block stream[r], theta[r] and
        errors[r] (target - y before each update) written in place."""

    def predict(self, theta: np.ndarray, inputs: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The output at the end of each sequence."""


@dataclass(frozen=True)
class Protocol:
    """How a run learns and when it stops; defaults are the paper's (5.4).

    lr: learning rate of the online SGD step (0.5).
    budget: sequences after which a run that has not met its definitions is declared failed.
    gradient: "truncated" (section 4, the paper's) or "full" (BPTT).
    loss: "half" or "squared" (see ``learning.LOSSES``).
    window, error_threshold, correct_threshold: the stopping rule (2000, 0.01, 0.04).
    criteria: the definitions of "average training error" tracked (``criteria.DEFINITIONS``).
    primary: the definition that decides success and the final weights (default ``window_mse``).
    until: "all" trains until every tracked definition is met (or the budget), "primary" stops at
        the primary's; the primary's count and weights are the same either way.
    curve_every: a learning-curve row every this many sequences.
    snapshot_every: keep the weights every this many sequences (a multiple of ``task.BLOCK``), as
        ``weights["after_<n>"]``, to see which weights move over the plateau; 0 keeps none.
    marked_first_marker: marker of a marked first pair in the training stream (``task.generate``).
    """

    lr: float = paper.LR
    budget: int = 1_000_000
    gradient: str = "truncated"
    loss: str = "half"
    window: int = paper.WINDOW
    error_threshold: float = paper.ERROR_THRESHOLD
    correct_threshold: float = paper.CORRECT
    criteria: tuple[str, ...] = ("window_mse", "cumulative_mse")
    primary: str = "window_mse"
    until: str = "all"
    curve_every: int = 1000
    snapshot_every: int = 0
    marked_first_marker: float = 1.0

    def __post_init__(self):
        choice("gradient", self.gradient, GRADIENTS)
        choice("loss", self.loss, LOSSES)
        choice("until", self.until, UNTIL)
        if not isinstance(self.criteria, tuple) or not self.criteria:
            raise ValueError(f"criteria: must be a non-empty list of {list(DEFINITIONS)}, got {self.criteria!r}")
        for name in self.criteria:
            choice("criteria", name, DEFINITIONS)
        choice("primary", self.primary, self.criteria)
        for key in ("budget", "window", "curve_every"):
            integer(key, getattr(self, key), 1)
        if integer("snapshot_every", self.snapshot_every, 0) % task.BLOCK:
            raise ValueError(f"snapshot_every: must be 0 or a positive multiple of {task.BLOCK}, got {self.snapshot_every!r}")
        for key in ("lr", "error_threshold", "correct_threshold"):
            positive(key, getattr(self, key))
        choice("marked_first_marker", self.marked_first_marker, task.MARKED_FIRST_PAIR_MARKERS)


@dataclass
class RunResult:
    """One trial: when each definition was met (sequence count, or None), its weights, the learning curve;
    ``diverged``: the sequence count after which its weights stopped being finite (the run then stopped), or None."""

    seed: int
    T: int
    primary: str
    sequences: int
    success: dict[str, int | None]
    weights: dict[str, dict[str, np.ndarray]]
    curve: dict[str, np.ndarray]
    wall_time: float
    diverged: int | None = None

    @property
    def final_weights(self) -> dict[str, np.ndarray]:
        """Weights when the primary definition was met (the paper's stopping point), else at the budget's end."""
        return self.weights.get(self.primary, self.weights["end"])


@dataclass(frozen=True)
class Start:
    """Where one run starts: its seed (training stream), initial weights and learning rate."""

    seed: int
    theta: np.ndarray
    lr: float


@dataclass(frozen=True)
class Checkpoint:
    """Where ``train_from`` keeps its runs' state between blocks, so that a killed job resumes where it was
    saved instead of from the start, and ends with the same bytes (only wall times differ).

    The state is saved at a block boundary at most every ``every`` seconds (written whole, then renamed),
    and only resumed by a call of the same runs: ``key`` (what the caller's results depend on beyond the
    arguments, e.g. its code), T, the starts, the model and the protocol.  ``clear`` once the results are safe.
    The stopping rules' tails (a window of errors a run, 20x its weights) are not saved: the state keeps the
    weights a window's blocks back and the tails' digest instead, and a resumed call trains those blocks again to
    recover them.
    """

    path: Path
    key: str = ""
    every: float = 300.0
    FORMAT: typing.ClassVar[int] = 2
    """The saved state's shape, in the digest: a state of another shape is never resumed."""

    def digest(self, T: int, starts: list[Start], model: Model, protocol: Protocol) -> str:
        h = hashlib.sha256(f"{self.FORMAT}\0{self.key}\0{T}\0{model!r}\0{protocol!r}".encode())
        for s in starts:
            h.update(f"{s.seed}\0{s.lr!r}\0".encode() + np.ascontiguousarray(s.theta).tobytes())
        return h.hexdigest()

    def load(self, digest: str) -> dict | None:
        """The saved state of the runs with this ``digest``, or None (no state, or another call's)."""
        try:
            with open(self.path, "rb") as fh:
                state = pickle.load(fh)
        except FileNotFoundError:
            return None
        return state if state.get("digest") == digest else None

    def save(self, state: dict) -> None:
        with atomic(self.path) as tmp:
            tmp.write_bytes(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))

    def clear(self) -> None:
        Path(self.path).unlink(missing_ok=True)


@dataclass
class _Run:
    seed: int
    lr: float
    theta: np.ndarray
    rule: StoppingRule
    curve: list[dict[str, np.ndarray]] = field(default_factory=list)
    snapshots: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    wall_time: float = 0.0
    diverged: int | None = None


def start(seed: int, model: Model, protocol: Protocol) -> Start:
    """The default start of a run: ``model``'s initialisation drawn from the seed, the protocol's learning rate."""
    return Start(seed, model.init(task.rng(seed, "init")), protocol.lr)


def _open(start: Start, protocol: Protocol) -> _Run:
    rule = StoppingRule(protocol.criteria, protocol.window, protocol.error_threshold, protocol.correct_threshold)
    return _Run(start.seed, start.lr, start.theta.copy(), rule)


def _wanted(protocol: Protocol) -> tuple[str, ...]:
    return (protocol.primary,) if protocol.until == "primary" else protocol.criteria


def _finished(run: _Run, protocol: Protocol) -> bool:
    return run.diverged is not None or run.rule.n >= protocol.budget or all(name in run.rule.met for name in _wanted(protocol))


def _diverge(run: _Run, errors: np.ndarray, n_before: int) -> None:
    """Stop a run whose weights are no longer finite: diverged after the sequence count where its outputs
    stopped being finite (or after the block, if only the last update broke them; ``n_before`` the count before)."""
    bad = np.flatnonzero(~np.isfinite(errors))
    run.diverged = n_before + (int(bad[0]) if len(bad) else len(errors))
    log.warning("seed=%d: weights not finite after %s sequences: the run diverged and stops as failed", run.seed, f"{run.diverged:,}")


def _announce(T: int, run: _Run, protocol: Protocol) -> None:
    """Log that a run met its primary definition (the paper's rule), and whether it stops there."""
    left = [name for name in _wanted(protocol) if name not in run.rule.met]
    then = f"going on for {', '.join(left)}" if left else "stopping"
    log.info("T=%d seed=%d: met the paper's rule (%s) at %s sequences; %s", T, run.seed, protocol.primary, f"{run.rule.met[protocol.primary]:,}", then)


def _replay(runs: list[_Run], needs: dict[int, dict[str, int]], theta0: np.ndarray, data, stream, model, protocol: Protocol) -> None:
    """Weights after the first k sequences of a run's block, for every (run i, name, k) of ``needs`` ({i: {name:
    k}}), in one batched ``model.train_runs`` call from the block's start weights: snapshots and cut-back ends."""
    jobs = [(i, name, k) for i, need in needs.items() for name, k in need.items()]
    if not jobs:
        return
    rows, counts = np.array([i for i, _, _ in jobs]), np.array([k for _, _, k in jobs])
    theta = theta0[rows].copy()
    lr = np.array([runs[i].lr for i in rows])
    model.train_runs(theta, *data, stream[rows], counts, lr, np.zeros((len(jobs), counts.max())), protocol.gradient, protocol.loss)
    for (i, name, _), weights in zip(jobs, theta):
        if name == "end":
            runs[i].theta = weights
        else:
            runs[i].snapshots[name] = model.unflatten(weights)


@dataclass(frozen=True)
class _Pace:
    """Where the runs stood at a progress line, for the rates of the next: the time, the sequences trained by
    all runs, and by the slowest active one."""

    time: float
    trained: int
    slowest: int


def _pace(runs: list[_Run], active: list[_Run]) -> _Pace:
    return _Pace(time.perf_counter(), sum(run.rule.n for run in runs), min((run.rule.n for run in active), default=0))


def _progress(T: int, runs: list[_Run], active: list[_Run], fed: criteria.Fed, budget: int, started: float, last: _Pace) -> _Pace:
    """Log lines per active run (row i of the last block's ``fed``): sequences, windowed error, correct of the
    window, ETA (to the budget at worst); one summary line where more than ``PROGRESS_RUNS`` runs are active (a
    sweep): its rates are those since the ``last`` line (all runs' sequences and time steps), its ETA the slowest
    run's to the budget at that pace.  Returns where the runs stand now."""
    now = _pace(runs, active)
    if len(active) > PROGRESS_RUNS:
        mse = np.array([fed.last(i)["window_mse"] for i in range(len(active))])
        seconds = max(now.time - last.time, 1e-9)
        rate, slowest_rate = (now.trained - last.trained) / seconds, (now.slowest - last.slowest) / seconds
        log.info(
            "T=%d: %s of %s runs active, %s-%s/%s sequences | window mse median %.5f | %s seq/s, %.1f M time steps/s in all | ETA <= %s",
            T, f"{len(active):,}", f"{len(runs):,}", f"{now.slowest:,}", f"{max(run.rule.n for run in active):,}", f"{budget:,}", np.median(mse),
            f"{rate:,.0f}", rate * task.mean_length(T) / 1e6, _clock((budget - now.slowest) / slowest_rate if slowest_rate > 0 else 0.0),
        )
        return now
    elapsed = now.time - started
    for i, run in enumerate(active):
        n, latest = run.rule.n, fed.last(i)
        rate = n / elapsed
        log.info(
            "T=%d seed=%d: %s/%s sequences | window mse %.5f | correct of last %d: %d | %.0f seq/s | ETA <= %s",
            T, run.seed, f"{n:,}", f"{budget:,}", latest["window_mse"], run.rule.window,
            latest["correct_in_window"], rate, _clock((budget - n) / rate),
        )
    return now


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def train(
    T: int,
    seeds: list[int],
    model: Model = Lstm97(),
    protocol: Protocol = Protocol(),
    threads: int | None = None,
    log_every: float = 10.0,
    checkpoint: Checkpoint | None = None,
) -> list[RunResult]:
    """Train one run per seed, all at once (``model.train_runs``: the compiled engine runs them in parallel).

    A seed fully determines its run: initial weights and training stream (``task.SEED_SPACES``).
    """
    return train_from(T, [start(seed, model, protocol) for seed in seeds], model, protocol, threads, log_every, checkpoint)


def train_from(
    T: int,
    starts: list[Start],
    model: Model,
    protocol: Protocol,
    threads: int | None = None,
    log_every: float = 10.0,
    checkpoint: Checkpoint | None = None,
    ahead: bool | None = None,
) -> list[RunResult]:
    """Train runs from given starts (initial weights and learning rate each) at once, e.g. the cells of a sweep;
    with a ``checkpoint``, resume from its saved state of these runs and save it as training goes on.

    ``ahead`` (default: ``model.on_device``) trains each block on a thread of its own while the host feeds the
    stopping rules the block before: the same results, bit for bit, with the host's work hidden behind a device's.
    """
    T = task.check_T(T)
    if threads:
        numba.set_num_threads(threads)
    seeds = sorted({s.seed for s in starts})
    named = seeds if len(starts) <= PROGRESS_RUNS else f"{seeds[0]}-{seeds[-1]} ({len(starts):,} runs)"
    log.info("T=%d seeds %s: %s, %s, %d thread(s)", T, named, model, protocol, numba.get_num_threads())
    digest = checkpoint.digest(T, starts, model, protocol) if checkpoint else None
    state = checkpoint.load(digest) if checkpoint else None
    runs, index, elapsed = (state["runs"], state["index"], state["elapsed"]) if state else ([_open(s, protocol) for s in starts], 0, 0.0)
    active = [run for run in runs if not _finished(run, protocol)]
    if state:
        done = f"{len(runs) - len(active):,} of {len(runs):,} runs finished, the others at {min((r.rule.n for r in active), default=0):,} sequences"
        log.info("T=%d: resumed from %s at block %d (%s)", T, checkpoint.path, index, done)
    started = last_save = time.perf_counter() - elapsed
    last_log = _pace(runs, active)
    cores, ahead = numba.get_num_threads(), model.on_device if ahead is None else ahead
    replayed = _replay_tails(checkpoint.path, T, active, state, model, protocol, cores) if state and active else []
    back = collections.deque(replayed, maxlen=-(-protocol.window // task.BLOCK))  # the last blocks' runs and start weights
    device = ThreadPoolExecutor(1, initializer=numba.set_num_threads, initargs=(cores,)) if ahead else _Inline()
    with ThreadPoolExecutor(1) as drawer, device:
        feed, settled = _Feed(T, active, index, model, protocol, drawer, device, cores), None
        pending = feed.launch(active, index) if active else None
        while active:
            block = pending.result().only(active)
            pending = feed.launch(block.runs, index + 1, after=block) if ahead else None
            due = time.perf_counter() - last_log.time >= log_every  # a progress line after this block
            needs, fed = _absorb_block(T, block, protocol, announce=len(runs) <= PROGRESS_RUNS, latest=due)
            back.append((block.runs, block.theta0))
            previous, settled = settled, device.submit(_settle, block, needs, model, protocol)
            if previous:
                previous.result()  # the device's executor runs in order: the block before has settled, or raises here
            finished = [_finished(run, protocol) for run in active]
            for run in itertools.compress(active, finished):
                run.wall_time = time.perf_counter() - started
            if due:
                last_log = _progress(T, runs, block.runs, fed, protocol.budget, started, last_log)
            active = list(itertools.compress(active, [not done for done in finished]))
            index += 1
            if checkpoint and active and time.perf_counter() - last_save >= checkpoint.every:
                settled.result()
                saved = [dataclasses.replace(run, rule=dataclasses.replace(run.rule, tail=np.zeros(0))) for run in runs]
                checkpoint.save({"digest": digest, "runs": saved, "index": index, "elapsed": time.perf_counter() - started, "back": _back(back, active), "tails": _tails(active)})
                last_save = time.perf_counter()
            if active and not ahead:
                pending = feed.launch(active, index)
        for future in (pending, settled):  # the last block ahead (its runs all stopped) and the last settling: what they raised
            if future:
                future.result()
    results = [_result(T, run, model, protocol) for run in runs]
    for r in results:
        log.info("T=%d seed=%d: done after %s sequences, %.1f s; success at %s", T, r.seed, f"{r.sequences:,}", r.wall_time, r.success)
    return results


def _back(back: collections.deque, active: list[_Run]) -> tuple[int, np.ndarray]:
    """What a checkpoint keeps instead of the stopping rules' tails: how many blocks ``back`` holds, and the active
    runs' weights at the start of the first (their rows of it: the active runs only shrink)."""
    runs, theta0 = back[0]
    row = {id(run): i for i, run in enumerate(runs)}
    return len(back), theta0[[row[id(run)] for run in active]]


def _tails(runs: list[_Run]) -> str:
    """The digest of the runs' stopping-rule tails."""
    h = hashlib.sha256()
    for run in runs:
        h.update(run.rule.tail.tobytes())
    return h.hexdigest()


def _replay_tails(path: Path, T: int, runs: list[_Run], state: dict, model: Model, protocol: Protocol, threads: int) -> list[tuple[list[_Run], np.ndarray]]:
    """The stopping rules' tails checkpoint ``path`` did not save (its ``state``): the active ``runs`` trained
    again from their weights the state's blocks ``back`` through those blocks, which must reach its weights and
    tails.  Returns each block's runs and start weights, what the next checkpoint keeps of them."""
    (blocks, theta), index, errors, back = state["back"], state["index"], [], []
    for b in range(index - blocks, index):
        streams = _draw(T, runs, b, protocol, threads)
        n = np.array([run.rule.n for run in runs]) - (index - b) * task.BLOCK
        block = _Block.untrained(runs, b, streams, n, np.full(len(runs), task.BLOCK), theta)
        theta = _train(model, protocol, block).theta
        errors.append(block.errors)
        back.append((runs, block.theta0))
    errors = np.concatenate(errors, axis=1)
    for run, row in zip(runs, errors):
        run.rule.tail = row[len(row) - min(run.rule.n, run.rule.window) :].copy()
    if not np.array_equal(theta, np.stack([run.theta for run in runs])) or _tails(runs) != state["tails"]:
        raise RuntimeError(f"checkpoint {path}: training blocks {index - blocks}-{index - 1} again did not reach its weights and errors; delete it to start over")
    return back


def _draw(T: int, runs: list[_Run], index: int, protocol: Protocol, threads: int) -> tuple[dict[int, int], list[np.ndarray]]:
    """Block ``index`` of the runs' training streams, one per seed, stacked (``task.stack``): {seed: its stream
    index}, and the data.  Drawn on the job's ``threads``: numpy's bulk draws release the GIL (2x at T = 500 on 2 cores)."""
    seeds = list(dict.fromkeys(run.seed for run in runs))
    with ThreadPoolExecutor(threads) as pool:
        blocks = list(pool.map(lambda seed: task.block(T, seed, index, "train", protocol.marked_first_marker), seeds))
    return {seed: k for k, seed in enumerate(seeds)}, task.stack(blocks)


@dataclass
class _Block:
    """One block of training for ``runs``: its stream ``index``, the drawn ``streams`` ({seed: stream}, data), the
    runs' sequences before it ``n`` and ``counts`` in it, their start weights ``theta0`` and, once trained, the
    weights ``theta`` and the ``errors`` before each update."""

    runs: list[_Run]
    index: int
    streams: tuple[dict[int, int], list[np.ndarray]]
    n: np.ndarray
    counts: np.ndarray
    theta0: np.ndarray
    theta: np.ndarray
    errors: np.ndarray

    @classmethod
    def untrained(cls, runs: list[_Run], index: int, streams, n: np.ndarray, counts: np.ndarray, theta0: np.ndarray) -> _Block:
        """A block to train from ``theta0`` (kept; the weights trained in a copy)."""
        return cls(runs, index, streams, n, counts, theta0, theta0.copy(), np.zeros((len(runs), task.BLOCK)))

    @property
    def stream(self) -> np.ndarray:
        """Each run's row of the drawn data."""
        return np.array([self.streams[0][run.seed] for run in self.runs])

    def only(self, runs: list[_Run]) -> _Block:
        """The rows of ``runs``: a sublist of this block's, in its order (the active runs, a list that only shrinks,
        so that one of the same length is the same runs)."""
        if len(runs) == len(self.runs):
            return self
        keep = {id(run) for run in runs}
        rows = [i for i, run in enumerate(self.runs) if id(run) in keep]
        return _Block(runs, self.index, self.streams, *(a[rows] for a in (self.n, self.counts, self.theta0, self.theta, self.errors)))


class _Inline:
    """An executor that runs each task at once on the calling thread: a CPU engine trains on the caller's
    thread, with numba's thread count the caller set (``numba.set_num_threads`` is per thread)."""

    def submit(self, fn, *args) -> Future:
        done = Future()
        done.set_result(fn(*args))
        return done

    def __enter__(self) -> _Inline:
        return self

    def __exit__(self, *exc) -> None:
        pass


class _Feed:
    """Launches the blocks of training in stream order on the ``device`` executor, each block's streams drawn on
    the ``drawer`` while the block before trains."""

    def __init__(self, T: int, runs: list[_Run], index: int, model: Model, protocol: Protocol, drawer, device, cores: int):
        self.T, self.model, self.protocol, self.drawer, self.device, self.cores = T, model, protocol, drawer, device, cores
        self.drawn = drawer.submit(_draw, T, runs, index, protocol, cores)

    def launch(self, runs: list[_Run], index: int, after: _Block | None = None) -> Future:
        """Train block ``index`` of ``runs`` (those the last draw was made for, or some of them): from their weights
        now, or from where the trained block before, ``after``, left them.  The future's result is the ``_Block``."""
        streams = self.drawn.result()
        self.drawn = self.drawer.submit(_draw, self.T, runs, index + 1, self.protocol, self.cores)
        if after is None:
            theta0, n = np.stack([run.theta for run in runs]), np.array([run.rule.n for run in runs])
        else:
            theta0, n = after.theta, after.n + after.counts
        counts = np.minimum(task.BLOCK, self.protocol.budget - n)
        block = _Block.untrained(runs, index, streams, n, counts, theta0)
        return self.device.submit(_train, self.model, self.protocol, block)


def _train(model: Model, protocol: Protocol, block: _Block) -> _Block:
    """Train ``block`` (its weights and errors filled in place)."""
    lr = np.array([run.lr for run in block.runs])
    model.train_runs(block.theta, *block.streams[1], block.stream, block.counts, lr, block.errors, protocol.gradient, protocol.loss)
    return block


def _absorb_block(T: int, block: _Block, protocol: Protocol, announce: bool, latest: bool) -> tuple[dict[int, dict[str, int]], criteria.Fed]:
    """Feed a trained block to its runs' stopping rules (``criteria.feed``, all at once; ``latest``: with the measures
    after each run's last sequence, for a progress line) and curves and stop the diverged runs; ``announce`` logs
    the paper's rule met.  Returns what was fed and the weights ``_settle``
    replays: {run i of the block: {name: k}}, each definition newly met k sequences into the block (its snapshot),
    and "end" where the run's wanted definitions are all met inside the block (it ends exactly there)."""
    fed = criteria.feed([run.rule for run in block.runs], block.errors, block.counts, _wanted(protocol), protocol.curve_every, latest)
    needs = {i: ({"end": fed.end[i]} if fed.end[i] >= 0 else {}) | dict(sorted(met.items())) for i, met in fed.newly.items()}
    finite = np.isfinite(block.theta).all(axis=1)
    for i, run in enumerate(block.runs):
        run.theta = block.theta[i]
        if fed.kept[i]:  # the block's learning-curve points; a sweep's many runs, carried in a checkpoint, keep none
            run.curve.append({"sequences": fed.sequences(i), **fed.measures(i)})
        if not finite[i] and (fed.end[i] < 0 or not np.isfinite(block.errors[i, fed.end[i]])):  # broken before its end, if any
            _diverge(run, block.errors[i, : block.counts[i]], int(block.n[i]))
        if announce and protocol.primary in needs.get(i, ()):
            _announce(T, run, protocol)
    return needs, fed


def _settle(block: _Block, needs: dict[int, dict[str, int]], model: Model, protocol: Protocol) -> None:
    """After ``_absorb_block``, on the device's executor: replay to the sequences where definitions were met
    (snapshots, cut-back ends), keep the periodic snapshots.  Reads no state the host changes meanwhile."""
    _replay(block.runs, needs, block.theta0, block.streams[1], block.stream, model, protocol)
    if protocol.snapshot_every:  # a run cut back ends inside its block, never at a multiple of the block
        for i, run in enumerate(block.runs):
            n = int(block.n[i] + block.counts[i])
            if "end" not in needs.get(i, ()) and n % protocol.snapshot_every == 0:
                run.snapshots[f"after_{n}"] = model.unflatten(block.theta[i])


def _result(T: int, run: _Run, model, protocol: Protocol) -> RunResult:
    parts = run.curve or [{"sequences": np.zeros(0, np.int64), **{k: np.zeros(0) for k in MEASURES}}]
    curve = {k: np.concatenate([part[k] for part in parts]) for k in ("sequences", *MEASURES)}
    return RunResult(
        seed=run.seed,
        T=T,
        primary=protocol.primary,
        sequences=run.rule.n,
        success={name: run.rule.met.get(name) for name in protocol.criteria},
        weights={"end": model.unflatten(run.theta), **run.snapshots},
        curve=curve,
        wall_time=run.wall_time,
        diverged=run.diverged,
    )


@dataclass(frozen=True)
class Evaluation:
    """Test result (5.4): sequences not within 0.04 of the target are wrong, a non-finite output among them;
    mse of target - y, None where an output is not finite."""

    wrong: int
    n: int
    mse: float | None
    errors: np.ndarray


def evaluate(weights: dict[str, np.ndarray], data: task.AddingData, model: Model = Lstm97(), correct_threshold: float = paper.CORRECT) -> Evaluation:
    """Number wrong (absolute error >= ``correct_threshold``) out of ``data`` and the test mean squared error."""
    errors = data.targets - model.predict(model.flatten(weights), data.inputs, data.lengths)
    mse = float(np.mean(errors**2)) if np.all(np.isfinite(errors)) else None
    return Evaluation(int(np.sum(~(np.abs(errors) < correct_threshold))), len(data), mse, errors)


@contextmanager
def _quiet():
    """Only warnings from this module inside the block: a warm-up's two sequences are no training run to log."""
    level = log.level
    log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        log.setLevel(level)


def warm_up(model: Model = Lstm97()) -> None:
    """Compile, or load from numba's cache, every kernel that ``train`` and ``evaluate`` call for ``model``,
    with each gradient it trains with (two sequences each, not logged)."""
    with _quiet():
        for gradient in model.gradients:
            result = train(10, [0], model, Protocol(budget=2, gradient=gradient))[0]
    evaluate(result.final_weights, task.generate(10, 2, task.rng(0, "test", 10)), model)


def rate(model: Model, gradient: str, runs: int = 1, T: int = 100, seconds: float = 0.3) -> float:
    """Time steps per second of ``runs`` runs trained together on one thread (one core), the trainer's own work
    included: a short training, not logged, from 1,000 sequences doubled until it takes ``seconds``.

    A time step is one (value, marker) pair of one run; a sequence has ``task.mean_length(T)`` of them on average.
    """
    sequences = task.BLOCK
    with _quiet():
        while True:
            started = time.perf_counter()
            train(T, list(range(runs)), model, Protocol(budget=sequences, gradient=gradient), threads=1)
            elapsed = time.perf_counter() - started
            if elapsed >= seconds:
                return runs * sequences * task.mean_length(T) / elapsed
            sequences *= 2
