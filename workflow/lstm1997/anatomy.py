"""The plateau and its escape (5.4, "State drift versus initial bias"): which weights move, how the cells drift.

Every run sits for most of its training on a plateau (windowed MSE 0.04-0.056; 0.052 is the target's
variance, the error of predicting the mean), then leaves it within about 10,000 sequences.  Two views of that, from a run's weight
snapshots (``Protocol.snapshot_every``) and learning curve:

- which weights move most between the start and the escape (the weights that carry it);
- the cell states s_c(t) along one sequence, at the start and at the escape: the drift that 5.4
  induces on purpose by biasing the cell inputs, and what learning did to it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

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


def run_movers(run: str | Path, k: int = 6) -> tuple[str, pd.DataFrame, int]:
    """(label, movers up to the escape, escape) of one finished run folder (summary.json, curve.csv, weights.npz)."""
    run = Path(run)
    summary = read_json(run / "summary.json")
    setting = Setting.from_params(summary["label"], {"engine": "scalar"} | summary["settings"])  # reads weights, trains nothing
    until = escape(read_csv(run / "curve.csv"))
    if until is None:
        raise ValueError(f"{run}: never left the plateau (windowed MSE never below {ESCAPED})")
    sequences, thetas = trajectory(run / "weights.npz", setting.model, summary["seed"])
    keep = sequences <= until + 20 * (sequences[1] - sequences[0])
    return f"{summary['label']}, trial {summary['trial']}", movers(sequences[keep], thetas[keep], setting.net, until, k), until


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The weights that carry the escape from the plateau, one panel per run folder.")
    parser.add_argument("png", help="figure to write (an SVG beside it)")
    parser.add_argument("runs", nargs="+", help="run folders results/runs/<label>/T<T>/trial<k> kept with protocol.snapshot_every")
    args = parser.parse_args(argv)
    found = [run_movers(run) for run in args.runs]
    plots.anatomy({label: frame for label, frame, _ in found}, {label: until for label, _, until in found}, args.png, str(Path(args.png).with_suffix(".svg")))


if __name__ == "__main__":
    main()
