"""How the plateau grows with the lag: sequences to success against T, and a power law fitted to it.

Table 7's three rows (74,000, 209,000, 853,000 at T = 100, 500, 1000) grow like T^0.99 (least squares in log-log); a reading
whose runs grow faster than the paper's cannot reproduce the long lags however close it is at T = 100.

Usage: ``python -m lstm1997.scaling PNG TRIALS_CSV... [--labels a,b]``: the figure of published trials.csv files
(an SVG beside it), the fits as a markdown table on stdout.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from . import paper, plots
from .io import read_csv

KEY = ["label", "T", "trial"]
PAPER = "paper (Table 7)"


def fit(T, sequences) -> tuple[float, float]:
    """(exponent, prefactor) of sequences = prefactor * T^exponent, least squares in log-log."""
    T, sequences = np.asarray(T, dtype=float), np.asarray(sequences, dtype=float)
    if len(np.unique(T)) < 2:
        raise ValueError(f"T: a power law needs at least two distinct T, got {sorted({int(t) for t in T})}")
    exponent, log_prefactor = np.polyfit(np.log(T), np.log(sequences), 1)
    return float(exponent), float(np.exp(log_prefactor))


def successes(trials: pd.DataFrame) -> pd.DataFrame:
    """``trials`` with ``success``, the sequences to success of its primary definition (NaN: failed)."""
    return trials.assign(success=trials.apply(lambda row: row[f"success_{row['primary']}"], axis=1).astype(float))


def points(trials: pd.DataFrame) -> pd.DataFrame:
    """Per (label, T): successful trials, their mean and median sequences to success (primary definition)."""
    grouped = successes(trials).dropna(subset=["success"]).groupby(["label", "T"])["success"]
    return grouped.agg(successes="count", mean="mean", median="median").reset_index()


def fits(trials: pd.DataFrame) -> pd.DataFrame:
    """Per label with successes at two or more T: the fitted exponent over per-T means, and the paper's."""
    rows = [{"label": PAPER, **_fit_row(paper.TABLE7.keys(), [r["sequences"] for r in paper.TABLE7.values()])}]
    for label, group in points(trials).groupby("label"):
        if group["T"].nunique() >= 2:
            rows.append({"label": label, **_fit_row(group["T"], group["mean"])})
    return pd.DataFrame(rows)


def _fit_row(T, sequences) -> dict:
    exponent, prefactor = fit(list(T), list(sequences))
    return {"T": ", ".join(str(int(t)) for t in T), "exponent": exponent, "prefactor": prefactor}


def read(paths: list[str]) -> pd.DataFrame:
    """The trials of several published trials.csv, each (label, T, trial) once: a trial in two files with the same
    sequences to success is kept once, with different ones it is an error."""
    trials = successes(pd.concat([read_csv(path).assign(file=path) for path in paths], ignore_index=True))
    distinct = trials.drop_duplicates([*KEY, "success"])
    clash = distinct[distinct.duplicated(KEY, keep=False)]
    if len(clash):
        (label, T, trial), rows = next(iter(clash.groupby(KEY)))
        found = " but ".join(f"{_count(row.success)} in {row.file}" for row in rows.iloc[:2].itertuples())
        raise ValueError(f"{label} T={T} trial {trial}: {found}")
    return distinct.drop(columns=["file", "success"]).reset_index(drop=True)


def _count(success: float) -> str:
    """A trial's sequences to success as the error message names it."""
    return "no success" if np.isnan(success) else f"{success:,.0f}"


def keep(trials: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """The trials of ``labels`` only (none given: all); a label not in ``trials`` is an error."""
    present = sorted(trials["label"].unique())
    if unknown := [label for label in labels if label not in present]:
        raise ValueError(f"no trials of {', '.join(unknown)}; the labels present: {', '.join(present)}")
    return trials[trials["label"].isin(labels or present)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Sequences to success against T (log-log) and its power law, of published trials.")
    parser.add_argument("png", help="figure to write (an SVG beside it)")
    parser.add_argument("trials", nargs="+", help="published trials.csv files, e.g. docs/reproduction/paper/trials.csv")
    parser.add_argument("--labels", help="comma-separated labels to keep (default: all), in the figure's order")
    args = parser.parse_args(argv)
    order = args.labels.split(",") if args.labels else []
    try:
        trials = keep(read(args.trials), order)
    except ValueError as error:
        parser.exit(1, f"{error}\n")
    plots.scaling(trials, order, args.png, str(Path(args.png).with_suffix(".svg")))
    print(fits(trials)[["label", "T", "exponent"]].round(3).to_markdown(index=False))


if __name__ == "__main__":
    main()
