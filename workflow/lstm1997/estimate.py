"""What a run's training will cost, said as it starts (the Snakefile's ``onstart``): CPU-hours, and the wall time
on the given cores, of the train jobs it is about to run.

An upper bound: every run counts to its budget (10x the paper's mean in config/config.yaml), while a run stops
once it meets the stopping rule (``until``), often far earlier.  A job's time is its runs' time steps, budget x
``task.mean_length(T)`` each, over a rate in time steps per second per core: the one the compile_engine job
measured for the model kind on this machine (its marker's ``steps_per_s_per_core``), else ``DEFAULT_RATES``.
The wall time packs the jobs onto the cores, longest first; a job's runs share its threads (one run per thread,
or a group of vector lanes per thread on the batched engine), so 10 runs on 8 threads take two runs' time.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

from . import task

DEFAULT_RATES = {
    "scalar": {"truncated": 3.5e6, "full": 2.46e6},
    "batched": {"truncated": 6.1 * 3.5e6, "full": 6.5 * 2.46e6},
    "nnlstm": {"full": 4.4e5},
}
"""Time steps per second per core where no compile_engine marker has measured them: docs/reproduction/bench.md,
T = 100, one core of this project's 2-core machine kind, idle: the scalar 1997 engine 3.50 M (truncated
gradient) and 2.46 M (full BPTT) for one run; the batched engine 6.1x and 6.5x that, all 16 lanes of a group
counted; the asker's nn.LSTM stack (compiled) 0.44 M, full BPTT only.  Keys: the 1997 network's CPU engine,
else the model kind."""


@dataclass(frozen=True)
class Job:
    """A planned training job: ``runs`` runs of one model ``kind`` at ``T`` side by side on ``threads`` threads,
    ``lanes`` runs per thread at once (a group of the batched engine's vector lanes, else 1), each for at most
    ``budget`` sequences."""

    name: str
    kind: str
    engine: str
    gradient: str
    T: int
    runs: int
    budget: int
    threads: int
    lanes: int = 1

    @property
    def key(self) -> str:
        """The entry of ``DEFAULT_RATES``: the 1997 network's CPU engine, else the model kind."""
        return self.engine if self.kind == "lstm97" else self.kind


@dataclass(frozen=True)
class Rate:
    steps_per_s: float
    """Time steps per second per core (a batched group's lanes together)."""
    measured: bool
    """By this machine's compile_engine job, else ``DEFAULT_RATES``."""


def rate(job: Job, marker: dict | None) -> Rate:
    """The job's rate: its kind's compile_engine marker's, where that marker measured the job's engine and
    gradient, else the default."""
    measured = (marker or {}).get("steps_per_s_per_core", {})
    if job.gradient in measured and marker.get("engine") == job.engine:
        return Rate(measured[job.gradient], True)
    return Rate(DEFAULT_RATES[job.key][job.gradient], False)


def unit_seconds(job: Job, steps_per_s: float) -> float:
    """Seconds of one thread's unit of work, a run or a group of lanes, to the budget."""
    return job.budget * task.mean_length(job.T) * job.lanes / steps_per_s


def units(job: Job) -> int:
    return math.ceil(job.runs / job.lanes)


def job_seconds(job: Job, steps_per_s: float, cores: int | None) -> tuple[float, int]:
    """(wall seconds, cores held) of one job on ``cores`` (None: as many as its threads); Snakemake scales its
    threads down to the cores, and each thread trains its share of the units one after another."""
    held = min(job.threads, units(job), cores or job.threads)
    return math.ceil(units(job) / held) * unit_seconds(job, steps_per_s), held


def pack(jobs: list[tuple[float, int]], cores: int) -> float:
    """Wall seconds of (seconds, cores) jobs started longest first, each as soon as its cores are free."""
    running, free, now = [], cores, 0.0
    for seconds, held in sorted(jobs, reverse=True):
        while held > free:
            end, back = heapq.heappop(running)
            now, free = max(now, end), free + back
        heapq.heappush(running, (now + seconds, held))
        free -= held
    return max([now] + [end for end, _ in running])


@dataclass(frozen=True)
class Estimate:
    runs: int
    steps: float
    cpu_seconds: float
    wall_seconds: float
    longest: tuple[str, float]
    """The longest job's name and wall seconds."""
    rates: dict[tuple[str, str], Rate]
    """Per (engine or kind, gradient) in the plan."""


def estimate(jobs: list[Job], markers: dict[str, dict], cores: int | None) -> Estimate:
    """The plan's bound: ``markers`` the compile_engine markers by model kind; ``cores`` None on a cluster
    (every job on cores of its own)."""
    rates = {job: rate(job, markers.get(job.kind)) for job in jobs}
    timed = {job: job_seconds(job, rates[job].steps_per_s, cores) for job in jobs}
    longest = max(jobs, key=lambda job: timed[job][0])
    return Estimate(
        runs=sum(job.runs for job in jobs),
        steps=sum(job.runs * job.budget * task.mean_length(job.T) for job in jobs),
        cpu_seconds=sum(units(job) * unit_seconds(job, rates[job].steps_per_s) for job in jobs),
        wall_seconds=pack(list(timed.values()), cores) if cores else timed[longest][0],
        longest=(longest.name, timed[longest][0]),
        rates={(job.key, job.gradient): rates[job] for job in jobs},
    )


def duration(seconds: float) -> str:
    """Seconds as a reader counts them: 45 s, 12 min, 3 h 05 min."""
    if seconds < 59.5:
        return f"{seconds:.0f} s"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def _count(n: float) -> str:
    return f"{n / 1e9:,.1f} billion" if n >= 1e9 else f"{n / 1e6:,.1f} million"


NAMES = {"scalar": "the scalar 1997 engine", "batched": "the batched 1997 engine (16 runs per core)", "nnlstm": "the compiled nn.LSTM stack"}


def say(jobs: list[Job], markers: dict[str, dict], cores: int | None) -> str:
    """The estimate as the lines a run starts with."""
    if not jobs:
        return "Training ahead: none (every planned run's outputs are up to date)."
    e = estimate(jobs, markers, cores)
    where = f"on {cores} core{'s' * (cores != 1)}" if cores else "on a cluster, every job on cores of its own"
    lines = [
        f"Training ahead, at most (every run to its budget; a run stops earlier where it meets the stopping rule): "
        f"{len(jobs)} job{'s' * (len(jobs) != 1)}, {e.runs:,} runs, {_count(e.steps)} time steps; "
        f"{e.cpu_seconds / 3600:,.1f} CPU-hours, {duration(e.wall_seconds)} {where} (longest job: {e.longest[0]}, {duration(e.longest[1])})."
    ]
    for (key, gradient), r in sorted(e.rates.items()):
        source = "measured by compile_engine on this machine" if r.measured else "docs/reproduction/bench.md's default until compile_engine measures it"
        lines.append(f"  {NAMES[key]}, {gradient} gradient: {r.steps_per_s / 1e6:,.2f} M time steps/s per core ({source})")
    return "\n".join(lines)
