"""How the plateau grows with the lag: sequences to success against T, and a power law fitted to it.

Table 7's three rows (74,000, 209,000, 853,000 at T = 100, 500, 1000) grow like T^0.99 (least squares in log-log); a reading
whose runs grow faster than the paper's cannot reproduce the long lags however close it is at T = 100.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import paper

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
