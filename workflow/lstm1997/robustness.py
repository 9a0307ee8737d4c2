"""What the robustness map says: per cell, the success probability and the median sequences to success with
their 95% intervals; whether a cell holds (5.4: "though the precise values hardly matter"); the verdict in words.

``sweep`` trains the map's runs; this module reads them (``summarize``), and the report words them (``facts``,
``words``, ``verdict``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import paper, task
from .lstm97 import Net
from .protocol import Protocol

PAPER = {"bias1": Net().in_gate_bias[0], "bias2": Net().in_gate_bias[1], "lr": Protocol().lr}
"""The paper's cell (5.4): the default input-gate biases and learning rate."""
CELL = ("base", "T", "bias1", "bias2", "lr")
"""What names a cell of a published map: the setting swept, T and the grid's three values."""
LEVEL = 0.95
Z = 1.959963984540054
"""The standard normal quantile at (1 + LEVEL) / 2: the Wilson interval's z."""


def wilson(successes: int, n: int) -> tuple[float, float]:
    """The Wilson score interval of a success probability from ``successes`` of ``n`` trials, at ``LEVEL``
    (its ends exactly 0 and 1 where no trial fails or none succeeds)."""
    p, z2 = successes / n, Z * Z
    centre, half = (p + z2 / (2 * n)) / (1 + z2 / n), Z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (0.0 if successes == 0 else centre - half), (1.0 if successes == n else centre + half)


def median_interval(sequences: np.ndarray) -> tuple[float, float, float]:
    """Median sequences to success, a failed trial (NaN) counted as never succeeding (inf), with its
    distribution-free interval at ``LEVEL``: order statistics x_(j) and x_(n+1-j), j the largest with
    P(Binomial(n, 1/2) < j) <= (1 - LEVEL) / 2.  inf: past the budget; NaN: too few trials for an interval."""
    x = np.sort(np.where(np.isnan(sequences), np.inf, sequences))
    n = len(x)
    below = np.cumsum([math.comb(n, k) for k in range(n + 1)]) / 2**n  # P(B <= k)
    j = int(np.sum(below <= (1 - LEVEL) / 2))
    low, high = (x[j - 1], x[n - j]) if j >= 1 else (np.nan, np.nan)
    return float(np.median(x)), float(low), float(high)


def summarize(trials: pd.DataFrame) -> pd.DataFrame:
    """Per (base, T, cell): trials, successes, success probability with its Wilson interval, median sequences
    to success with its interval (``median_interval``), the mean test wrong of the successful trials, and the
    sequences its trials trained (the map's cost)."""
    rows = []
    for key, part in trials.groupby(list(CELL), sort=True):
        n, k = len(part), int(part["success"].notna().sum())
        median, low, high = median_interval(part["success"].to_numpy(float))
        wrong = part.loc[part["success"].notna(), "wrong"].mean() if "wrong" in part else np.nan
        success_low, success_high = wilson(k, n)
        rows.append(
            dict(zip(CELL, key))
            | {"trials": n, "successes": k, "success_probability": k / n, "success_low": success_low, "success_high": success_high}
            | {"median_sequences": median, "median_low": low, "median_high": high, "mean_wrong": wrong}
            | {"sequences_trained": int(part["sequences"].sum())}
        )
    return pd.DataFrame(rows)


def _paper_cell(cells: pd.DataFrame) -> pd.DataFrame:
    """Row for row, the paper's cell (``PAPER``) of each cell's base and T; NaN where the grid lacks it."""
    own = cells[(cells["bias1"] == PAPER["bias1"]) & (cells["bias2"] == PAPER["bias2"]) & (cells["lr"] == PAPER["lr"])]
    return cells[["base", "T"]].merge(own, on=["base", "T"], how="left").set_axis(cells.index)


def _ratio(cells: pd.DataFrame, ref: pd.DataFrame) -> pd.Series:
    """Each cell's median sequences over its reference cell's; 1 where both are past the budget (alike)."""
    both_past = np.isinf(cells["median_sequences"]) & np.isinf(ref["median_sequences"])
    return (cells["median_sequences"] / ref["median_sequences"]).where(~both_past, 1.0)


def holds(cells: pd.DataFrame) -> pd.Series:
    """1.0 where a cell matches the paper's cell of its base and T (5.4: "the precise values hardly matter"):
    median sequences within 2x of that cell's (both past the budget: alike) and success probability inside
    that cell's interval; else 0.0; NaN where the grid lacks the paper's cell."""
    ref = _paper_cell(cells)
    inside = cells["success_probability"].between(ref["success_low"], ref["success_high"])
    return ((paper.off_by(_ratio(cells, ref)) <= paper.WITHIN) & inside).astype(float).where(ref["trials"].notna())


SHOWN = ("bias1", "bias2", "success_probability", "success_low", "success_high", "median_sequences", "median_low", "median_high", "ratio")
"""What ``facts`` keeps of a cell: its pair, success probability and median with their intervals, and its
median over the paper's cell's."""


def facts(cells: pd.DataFrame) -> pd.DataFrame:
    """Per (base, T, lr): bias pairs, those that ``hold`` as (bias1, bias2), the paper's cell, the paper's pair at
    this learning rate, the cells that do not hold (``SHOWN`` of each; the paper's ones None where the grid lacks
    them), and the cost: runs and the time steps they trained (sequences x ``task.mean_length``; NaN for cells
    summarised before they counted their sequences)."""
    ref = _paper_cell(cells)
    cells = cells.assign(holds=holds(cells), ratio=_ratio(cells, ref))
    rows = []
    for (base, T, lr), part in cells.groupby(["base", "T", "lr"]):
        at_pair = part[(part["bias1"] == PAPER["bias1"]) & (part["bias2"] == PAPER["bias2"])]
        own = ref.loc[part.index[0]]
        known = pd.notna(own["trials"])  # the grid has the paper's cell
        rows.append(
            {
                "base": base,
                "T": T,
                "lr": lr,
                "pairs": len(part),
                "holding": int((part["holds"] == 1.0).sum()),
                "held": list(part.loc[part["holds"] == 1.0, ["bias1", "bias2"]].itertuples(index=False, name=None)),
                "paper_cell": own.to_dict() if known else None,
                "paper_pair": at_pair[list(SHOWN)].iloc[0].to_dict() if known and len(at_pair) else None,
                "outside": part.loc[part["holds"] == 0.0, list(SHOWN)].to_dict("records"),
                "runs": int(part["trials"].sum()),
                "time_steps": part["sequences_trained"].sum() * task.mean_length(T) if "sequences_trained" in part else np.nan,
            }
        )
    return pd.DataFrame(rows)


LISTED = 4
"""Up to this many cells outside are told one by one; more are told as a count and a range."""


def _interval(value: float, low: float, high: float, fmt: str) -> str:
    """``value (low-high)`` in ``fmt``, an infinite end "∞"; "(no interval)" where its ends are NaN (too few trials)."""
    if np.isnan(low):
        return f"{value:{fmt}} (no interval)"
    return f"{value:{fmt}} ({low:{fmt}}-{'∞' if np.isinf(high) else format(high, fmt)})"


def _times(ratio: float) -> str:
    """A median over the paper's cell's: "2.6x the paper's cell", or "past the budget"."""
    return "past the budget" if np.isinf(ratio) else f"{ratio:.2g}x the paper's cell"


def _cell(c: dict) -> str:
    """A cell in words: success probability and median sequences with their intervals, and its factor."""
    if np.isinf(c["median_sequences"]):
        median = "past the budget"
    else:
        factor = f", {_times(c['ratio'])}" if "ratio" in c else ""
        median = f"{_interval(c['median_sequences'], c['median_low'], c['median_high'], ',.0f')} sequences{factor}"
    return f"success {_interval(c['success_probability'], c['success_low'], c['success_high'], '.0%')}, median {median}"


def _pair(bias1: float, bias2: float) -> str:
    return f"({bias1:g}, {bias2:g})"


def _pairs(pairs: list[tuple[float, float]]) -> str:
    return ", ".join(_pair(*p) for p in pairs)


def _lr_line(f) -> str:
    """One learning rate: the pairs that hold, the paper's pair at this rate, and each pair outside with why (if
    many: the smaller of the two sets by name, the range of the medians outside and how many are faster)."""
    outside = [(c["bias1"], c["bias2"]) for c in f.outside]
    many, fewer_held = len(outside) > LISTED, len(f.held) < len(outside)
    line = f"    - lr {f.lr:g}: {f.holding} of {f.pairs} bias pairs hold" + (f" ({_pairs(f.held)})" if many and fewer_held and f.held else "")
    if f.paper_pair is not None and f.lr != PAPER["lr"]:
        line += f"; the paper's pair {_pair(PAPER['bias1'], PAPER['bias2'])} here: {_cell(f.paper_pair)}"
    if not outside:
        return line + "; none is outside."
    if not many:
        return line + "; outside: " + "; ".join(f"{_pair(*p)}: {_cell(c)}" for p, c in zip(outside, f.outside)) + "."
    low, high = (_times(r([c["ratio"] for c in f.outside])) for r in (min, max))
    named = (f"the other {len(outside)}" if f.held else "all") if fewer_held else _pairs(outside)
    faster = sum(c["ratio"] < 1 / paper.WITHIN for c in f.outside)
    return line + f"; outside: {named}, their medians {f'all {low}' if low == high else f'from {low} to {high}'}" + (
        f" ({faster} more than 2x faster than the paper's cell)." if faster else "."
    )


def words(facts: pd.DataFrame) -> list[str]:
    """The map in Markdown bullets: per (base, T) the paper's cell and the map's cost, then per learning rate the
    bias pairs that hold and those outside, with their intervals."""
    lines = []
    for (base, T), part in facts.groupby(["base", "T"], sort=False):
        own = part.iloc[0]["paper_cell"]
        if own is None:
            lines.append(f"- `{base}`, T = {T}: the paper's cell is not in the grid.")
        else:
            lines.append(f"- `{base}`, T = {T}, the paper's cell {_pair(PAPER['bias1'], PAPER['bias2'])} at lr {PAPER['lr']:g}: {_cell(own)}.")
        if np.isfinite(steps := part["time_steps"].sum(min_count=1)):
            lines[-1] += f" The map trained {part['runs'].sum():,} runs, {steps / 1e9:,.1f} billion time steps."
        lines += [_lr_line(f) for f in part.itertuples()]
    return lines


def verdict(facts: pd.DataFrame) -> str:
    """One sentence per (base, T) at the paper's learning rate: how many bias pairs hold (5.4, "hardly matter")
    and which do not."""
    at_paper = facts[facts["lr"] == PAPER["lr"]]
    if at_paper.empty:
        return f"The robustness map has no cell at the paper's learning rate ({PAPER['lr']:g})."

    def one(f) -> str:
        outside = f", all but {_pairs([(c['bias1'], c['bias2']) for c in f.outside])}" if 0 < len(f.outside) <= LISTED else ""
        return f"`{f.base}` at T = {f.T}: {f.holding} of {f.pairs}{outside}"

    return (
        f"The input-gate biases (5.4: \"the precise values hardly matter\"), at the paper's learning rate: bias pairs that hold "
        f"(median sequences within 2x of the paper's pair's, success probability inside its 95% interval): "
        f"{'; '.join(one(f) for f in at_paper.itertuples())}. The map is below."
    )
