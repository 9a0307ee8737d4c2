"""The plateau and its escape (5.4, "State drift versus initial bias"): which weights move, how the cells drift.

Every run sits for most of its training on a plateau (windowed MSE 0.04-0.056; 0.052 is the target's
variance, the error of predicting the mean), then leaves it within about 10,000 sequences.  Two views of that, from a run's weight
snapshots (``Protocol.snapshot_every``) and learning curve:

- which weights move most between the start and the escape (the weights that carry it):
  ``python -m lstm1997.anatomy PNG RUN...``;
- the cell states s_c(t) along one test sequence, at the start, on the plateau and at the escape: the drift
  that 5.4 induces on purpose by biasing the cell inputs, and what learning did to it:
  ``python -m lstm1997.anatomy --drift PNG RUN...``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from . import engine, plots, task
from .io import read_csv, read_json, reading
from .lstm97 import COLUMNS, OUTPUT_COLUMNS, Lstm97, Net
from .variants import Setting

ESCAPED = 0.02
"""Windowed MSE below which a run has left the plateau: on it the windowed MSE sits at 0.04-0.056 (0.052
is the target's variance, predicting the mean), and it falls to below 0.001 within about 10,000 sequences."""
UNITS = ("cell1", "cell2", "cell3", "cell4", "in_gate1", "in_gate2", "out_gate1", "out_gate2", "forget_gate1", "forget_gate2")
"""Hidden units in the engine's row order (``lstm97``'s layout)."""
SEQUENCE_SEED = 0
"""Seed of the test sequence along which ``run_drift`` follows the cell states (the first of ``task.make_dataset``)."""


def weight_names(net: Net) -> list[str]:
    """Name of every entry of the flat parameter vector: ``<unit>.<column>``, e.g. ``cell1.bias``, ``output.y_c3``."""
    return [f"{unit}.{col}" for unit in UNITS[: net.n_rows] for col in COLUMNS] + [f"output.{col}" for col in OUTPUT_COLUMNS]


def escape(curve: pd.DataFrame) -> int | None:
    """Sequences after which the windowed MSE first drops below ``ESCAPED`` (None: never)."""
    below = curve.loc[curve["window_mse"] < ESCAPED, "sequences"]
    return int(below.iloc[0]) if len(below) else None


def trajectory(weights: str | Path, model: Lstm97, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(sequences, thetas): the run's initial weights (drawn again from its seed) and every snapshot of weights.npz."""
    names = list(model.unflatten(np.zeros(model.n_params)))
    with reading(weights), np.load(weights) as z:
        counts = sorted({int(key.split("/")[0].removeprefix("after_")) for key in z.files if key.startswith("after_")})
        thetas = [model.flatten({name: z[f"after_{n}/{name}"] for name in names}) for n in counts]
    return np.array([0, *counts]), np.stack([model.init(task.rng(seed, "init")), *thetas])


def movers(sequences: np.ndarray, thetas: np.ndarray, net: Net, until: int, k: int = 6) -> pd.DataFrame:
    """The ``k`` weights that moved most from the start to the snapshot at or before ``until``; one row
    per (weight, snapshot): name, sequences, value (long format, for plotting)."""
    last = int(np.searchsorted(sequences, until, side="right")) - 1
    top = np.argsort(-np.abs(thetas[last] - thetas[0]), kind="stable")[:k]
    names = weight_names(net)
    return pd.DataFrame(
        [{"weight": names[j], "sequences": int(n), "value": float(theta[j])} for j in top for n, theta in zip(sequences, thetas)]
    )


def cell_states(net: Net, theta: np.ndarray, x: np.ndarray) -> np.ndarray:
    """s_c(t) of the 4 cells along one sequence ``x`` (L, 2), shape (L, 4) (A.1)."""
    Wh, _ = engine.split(np.ascontiguousarray(theta, dtype=np.float64))
    ws, opts = engine.workspace(0), Lstm97(net).options()
    engine.reset(ws, opts)
    states = np.empty((len(x), engine.N_CELLS))
    for t, x_t in enumerate(np.ascontiguousarray(x, dtype=np.float64)):
        engine.step(Wh, x_t, ws, opts)
        states[t] = ws.s
    return states


class Run(NamedTuple):
    """One finished run folder read back: name (label, trial), T, setting, escape and weight trajectory."""

    name: str
    T: int
    setting: Setting
    until: int
    sequences: np.ndarray
    thetas: np.ndarray


def read_run(run: str | Path) -> Run:
    """A finished run folder (summary.json, curve.csv, weights.npz with snapshots) that left the plateau."""
    run = Path(run)
    summary = read_json(run / "summary.json")
    setting = Setting.from_params(summary["label"], {"engine": "scalar"} | summary["settings"])  # reads weights, trains nothing
    until = escape(read_csv(run / "curve.csv"))
    if until is None:
        raise ValueError(f"{run}: never left the plateau (windowed MSE never below {ESCAPED})")
    sequences, thetas = trajectory(run / "weights.npz", setting.model, summary["seed"])
    if len(sequences) == 1:
        raise ValueError(f"{run}: weights.npz holds no snapshots (protocol.snapshot_every was 0)")
    return Run(f"{summary['label']}, trial {summary['trial']}", summary["T"], setting, until, sequences, thetas)


def run_movers(run: str | Path, k: int = 6) -> tuple[str, pd.DataFrame, int]:
    """(name, movers up to the escape, escape) of one finished run folder (``read_run``)."""
    r = read_run(run)
    keep = r.sequences <= r.until + 20 * (r.sequences[1] - r.sequences[0])
    return r.name, movers(r.sequences[keep], r.thetas[keep], r.setting.net, r.until, k), r.until


def drift_points(sequences: np.ndarray, until: int) -> dict[str, int]:
    """Indices into ``sequences`` of the drift figure's three points: "start" (the initial weights), "plateau" (the
    last snapshot at or before half the escape's sequences: the middle of the plateau in every reading) and
    "escape" (the first snapshot at or after the escape)."""
    at = int(np.searchsorted(sequences, until))
    if at == len(sequences):
        raise ValueError(f"no weight snapshot at or after the escape ({until:,}); the last is after {sequences[-1]:,}")
    return {"start": 0, "plateau": int(np.searchsorted(sequences, until / 2, side="right")) - 1, "escape": at}


def run_drift(run: str | Path, seed: int = SEQUENCE_SEED) -> tuple[str, dict[str, tuple[int, np.ndarray]], np.ndarray]:
    """(name, {point: (sequences, s_c(t) of shape (L, 4))} at ``drift_points``, the marked time steps) of one
    finished run folder, along test sequence ``seed`` of its T: the drift that 5.4's cell-input biases induce."""
    r = read_run(run)
    data = task.make_dataset(r.T, 1, seed, r.setting.protocol.marked_first_marker)
    x = data.inputs[0, : data.lengths[0]]
    points = drift_points(r.sequences, r.until)
    states = {point: (int(r.sequences[i]), cell_states(r.setting.net, r.thetas[i], x)) for point, i in points.items()}
    return r.name, states, np.flatnonzero(x[:, 1] == 1.0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The escape from the plateau, one panel (row, with --drift) per run folder.")
    parser.add_argument("--drift", action="store_true", help="draw the cell states along one test sequence")
    parser.add_argument("png", help="figure to write (an SVG beside it)")
    parser.add_argument("runs", nargs="+", help="run folders results/runs/<label>/T<T>/trial<k> kept with protocol.snapshot_every")
    args = parser.parse_args(argv)
    svg = str(Path(args.png).with_suffix(".svg"))
    if args.drift:
        found = [run_drift(run) for run in args.runs]
        plots.drift({name: states for name, states, _ in found}, {name: marks for name, _, marks in found}, args.png, svg)
    else:
        found = [run_movers(run) for run in args.runs]
        plots.anatomy({name: frame for name, frame, _ in found}, {name: until for name, _, until in found}, args.png, svg)


if __name__ == "__main__":
    main()
