"""The report: papermill runs the parameterised notebook, nbconvert renders it to HTML.

The notebook (workflow/notebooks/report.ipynb) holds the prose; this module computes what the prose
fills in: the verdict per row of Table 7, markdown tables of the results in the config's order, the
ladder's rungs and its minimal fix, the cost, figures with their alternative text.
"""

from __future__ import annotations

import base64
import html
import logging
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import papermill
import yaml
from IPython.display import HTML
from nbconvert import HTMLExporter

from . import paper
from .criteria import DEFINITIONS
from .estimate import duration
from .io import atomic, write_text
from .plots import ordered
from .variants import LADDER

log = logging.getLogger(__name__)


def _cell(successes: int, trials: int, mean: float) -> str:
    return f"{successes}/{trials}" + (f", {mean:,.0f}" if successes else "")


def in_order(frame: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Rows by variant, those of ``order`` (the config's) first in its order, then by T."""
    rank = {label: k for k, label in enumerate(ordered(order, frame["label"]))}
    return frame.sort_values(["label", "T"], key=lambda c: c.map(rank) if c.name == "label" else c, kind="stable").reset_index(drop=True)


def figure(png: str | Path, alt: str) -> HTML:
    """A PNG embedded in the page with its alternative text (nbconvert's own image output has none)."""
    data = base64.b64encode(Path(png).read_bytes()).decode()
    return HTML(f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" style="max-width: 100%">')


def readings(table: pd.DataFrame) -> str:
    """Every (variant, T) in the order of ``table``: what it changes, successes and mean sequences under each
    definition, test errors."""
    head = "| variant | T | changes from the paper's defaults | " + " | ".join(DEFINITIONS) + " | mean wrong | test MSE | verdict |"
    lines = [head, "|" + "---|" * (len(DEFINITIONS) + 6)]
    for r in table.to_dict("records"):
        cells = [_cell(r[f"successes_{d}"], r["trials"], r[f"mean_sequences_{d}"]) for d in DEFINITIONS]
        lines.append(
            f"| {r['label']} | {r['T']} | {r['changes']} | " + " | ".join(cells)
            + f" | {r['mean_wrong']:.1f} of {r['test_sequences']} | {r['mean_test_mse']:.2e} | {r['verdict']} |"
        )
    return "\n".join(lines)


def _reading(r) -> str:
    return (
        f"`{r.label}` ({r.changes}): {r.successes}/{r.trials} trials, mean {r.mean_sequences:,.0f} sequences "
        f"({r.ratio_to_paper:.2f}x the paper's), {r.mean_wrong:.1f} wrong of {r.test_sequences:,}"
    )


def diverged(summaries: list[dict]) -> str:
    """Trials whose weights stopped being finite (summary.json ``diverged_at``): where, and how Table 7 counts them."""
    lines = []
    for s in summaries:
        if s["diverged_at"] is not None:
            met = s["success"][s["primary"]]
            counted = "counted as failed" if met is None else f"counted as a success: it met the rule at {met:,} before"
            lines.append(f"- **{s['label']}, T = {s['T']}, trial {s['trial']}**: diverged at sequence {s['diverged_at']:,} (weights no longer finite), {counted}.")
    return "\n".join(lines) if lines else "No trial diverged: every run's weights stayed finite."


SHOWN_READINGS = 3
"""Readings that reproduce a row told in full in its verdict, the closest first; the others are named."""


def reproduced(table: pd.DataFrame) -> str:
    """The verdict per row of Table 7: the readings that reproduce it (every trial met the rule, mean within 2x
    of the paper's; the ``SHOWN_READINGS`` closest in full), else the closest, and the paper as written
    (``lstm1997``) where it was run."""
    lines = []
    for T, ref in paper.TABLE7.items():
        rows = table[table["T"] == T]
        if rows.empty:
            continue
        good = rows[rows["verdict"].str.startswith("within 2x") & (rows["successes"] == rows["trials"])]
        good = good.iloc[np.argsort(paper.off_by(good["ratio_to_paper"].to_numpy()), kind="stable")]
        best = best_reading(table, T)
        if len(good):
            words = "**reproduced** within 2x by " + "; ".join(_reading(r) for r in good.head(SHOWN_READINGS).itertuples())
            if len(good) > SHOWN_READINGS:
                words += f"; and {len(good) - SHOWN_READINGS} more: " + ", ".join(f"`{label}`" for label in good["label"].iloc[SHOWN_READINGS:])
        elif best is not None:
            words = f"**not reproduced** within 2x; closest {_reading(best)}"
        else:
            words = "**not reproduced**: no reading had every trial meet the rule within its budget"
        shown = set(good["label"]) | ({best.label} if best is not None else set())
        written = rows[(rows["label"] == "lstm1997") & ~rows["label"].isin(shown)]
        words += "".join(f". The paper as written (`lstm1997`): {r.verdict}" for r in written.itertuples())
        lines.append(f"- **T = {T}** (paper: mean {ref['sequences']:,} sequences, {ref['wrong']} wrong of 2560): {words}.")
    if not lines:
        Ts = ", ".join(str(T) for T in sorted(table["T"].unique()))
        return f"No T of this configuration (T = {Ts}) has a row in the paper's Table 7 (T = 100, 500, 1000): nothing to compare."
    return "\n".join(filter(None, [every_row(table), *lines]))


def every_row(table: pd.DataFrame) -> str | None:
    """Which readings reproduce all three rows of Table 7 (every trial met the rule at every T, each mean within
    2x), the closest first (the smallest largest factor off), else the closest reading measured at all three;
    None where no reading has all three rows."""
    rows = table[table["T"].isin(paper.TABLE7) & (table["successes"] == table["trials"])]
    complete = rows.groupby("label").filter(lambda g: g["T"].nunique() == len(paper.TABLE7))
    if complete.empty:
        return None
    factor = paper.off_by(complete["ratio_to_paper"]).groupby(complete["label"]).max()
    label = factor.idxmin()
    ratios = ", ".join(f"{r.ratio_to_paper:.2f}x at T = {r.T}" for r in complete[complete["label"] == label].sort_values("T").itertuples())
    low, high = paper.RANGES[1000]
    spread = complete[(complete["label"] == label) & (complete["T"] == 1000)].iloc[0]
    trials = f"its T = 1000 trials {spread.min_sequences:,.0f}-{spread.max_sequences:,.0f} against the paper's {low:,}-{high:,}"
    if factor[label] <= paper.WITHIN:
        others = sorted(set(factor[factor <= paper.WITHIN].index) - {label})
        if not others:
            return f"**All three rows are reproduced within 2x by one reading**: `{label}`: {ratios} the paper's mean; {trials}."
        also = ", ".join(f"`{o}`" for o in others)
        return (
            f"**All three rows are reproduced within 2x by {len(others) + 1} readings**; the closest, `{label}`: {ratios} the paper's "
            f"mean; {trials}. Also within 2x at every T: {also}."
        )
    return f"**No reading of this run reproduces all three rows within 2x.** Closest over the three: `{label}`, {ratios} the paper's mean; {trials}."


def best_reading(table: pd.DataFrame, T: int) -> pd.Series | None:
    """The row at T closest to the paper's mean sequences among rows where every trial succeeded."""
    rows = table[(table["T"] == T) & (table["successes"] == table["trials"])]
    if rows.empty or T not in paper.TABLE7:
        return None
    return rows.loc[paper.off_by(rows["ratio_to_paper"]).idxmin()]


Rung = tuple[int, str, str, pd.Series]
"""A rung of the ladder in a results table: its number, variant, the change it makes, its Table 7 row."""


def rungs(table: pd.DataFrame, T: int) -> list[Rung]:
    """The ladder's rungs (``variants.LADDER``) that ``table`` has at T, in order."""
    rows = table[table["T"] == T].set_index("label")
    return [(k, name, change, rows.loc[name]) for k, (name, change) in enumerate(LADDER) if name in rows.index]


def ladder_T(table: pd.DataFrame) -> int | None:
    """The T of the ladder: the smallest T with the asker's setup (rung 0) and a rung above it; None where the
    configuration has no ladder."""
    for T in sorted(table["T"].unique()):
        found = rungs(table, T)
        if len(found) >= 2 and found[0][0] == 0:
            return T
    return None


def median(r: pd.Series) -> str:
    """Median sequences to success of a Table 7 row, or a dash where no trial met the rule."""
    return f"{r.median_sequences:,.0f}" if r.successes else "–"


def _first_T(table: pd.DataFrame, *labels: str) -> int | None:
    """The smallest T at which ``table`` has a row of every one of ``labels``."""
    common = set.intersection(*(set(table.loc[table["label"] == label, "T"]) for label in labels))
    return min(common) if common else None


def effect(table: pd.DataFrame, before: str, after: str, T: int | None = None) -> str | None:
    """One change measured, from variant ``before`` to ``after`` at ``T`` (default: the smallest T that has both):
    trials that met the rule, median sequences, mean wrong; None where that T lacks either."""
    T = _first_T(table, before, after) if T is None else T
    rows = table[table["T"] == T].set_index("label")
    if before not in rows.index or after not in rows.index:
        return None
    a, b = rows.loc[before], rows.loc[after]
    sequences = f"median {median(a)} -> {median(b)} sequences, " if a.successes or b.successes else ""
    return (
        f"`{before}` -> `{after}` (T = {T}): {a.successes}/{a.trials} -> {b.successes}/{b.trials} trials met the rule, "
        f"{sequences}mean wrong {a.mean_wrong:.1f} -> {b.mean_wrong:.1f} of {b.test_sequences:,}"
    )


def measures(table: pd.DataFrame, label: str) -> str | None:
    """The paper's measures beside the asker's for one variant at its smallest T: the windowed rule and the running
    mean's, and at the end the running mean, the asker's 'correct' and the paper's wrong; None where it is not run."""
    T = _first_T(table, label)
    if T is None:
        return None
    r = table[(table["T"] == T) & (table["label"] == label)].iloc[0]
    window, since_start = (
        f"{r[f'successes_{d}']}/{r.trials}" + (f" (mean {r[f'mean_sequences_{d}']:,.0f})" if r[f"successes_{d}"] else "") for d in ("window_mse", "cumulative_mse")
    )
    return (
        f"`{label}` (T = {T}): the paper's rule (MSE of the last 2000) met in {window}; the running mean since the start below 0.01 "
        f"in {since_start}; at the end a running mean of {r.mean_last_cumulative_mse:.3f} and {r.mean_last_asker_correct:,.0f} of the "
        f"last 2000 'correct' by |t - y| < 0.2, while {r.mean_wrong:.1f} of {r.test_sequences:,} test sequences are wrong by |t - y| >= 0.04"
    )


def ladder(table: pd.DataFrame, T: int = 100) -> str:
    """The diagnosis table: each rung from the asker's setup to the paper's, what it changes, what it achieves."""
    lines = [
        "| rung | variant | change from the rung above | met the stopping rule | median sequences | mean wrong of test set "
        "| asker's running mean at the end | asker's 'correct' (abs. error < 0.2) of last 2000 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    previous = None
    for k, name, change, r in rungs(table, T):
        if previous is not None and k > previous + 1:
            skipped = f"rung {previous + 1}" if k == previous + 2 else f"rungs {previous + 1}-{k - 1}"
            change += f" (after {skipped}, not in this configuration)"
        lines.append(
            f"| {k} | {name} | {change} | {r.successes}/{r.trials} | {median(r)} | {r.mean_wrong:.1f} of {r.test_sequences} "
            f"| {r.mean_last_cumulative_mse:.4f} | {r.mean_last_asker_correct:,.0f} |"
        )
        previous = k
    if len(lines) < 4:
        return f"(fewer than two rungs of the ladder at T = {T} in this configuration: see config/ladder.yaml)"
    return "\n".join(lines)


def _changed(a: pd.Series, b: pd.Series) -> bool:
    """Whether a rung changed the outcome measurably: trials meeting the rule, or mean test errors by over 25%."""
    return a.successes != b.successes or not 0.8 <= (b.mean_wrong + 1) / (a.mean_wrong + 1) <= 1.25


@dataclass(frozen=True)
class Fix:
    """The minimal fix along a ladder: the first rung where most trials meet the rule (None: no such rung),
    and, of the rungs up to it after the first, those whose change moved the outcome, (rung, change), and those that did not."""

    rung: int | None
    moved: list[tuple[int, str]]
    inert: list[int]


def minimal_fix(ladder_rungs: list[Rung]) -> Fix:
    """The changes up to the first rung where most trials meet the rule, split by whether they changed the outcome."""
    fixed = next((k for k, _, _, r in ladder_rungs if r.successes * 2 >= r.trials), None)
    if fixed is None:
        return Fix(None, [], [])
    steps = [(k, change, _changed(a, b)) for (_, _, _, a), (k, _, change, b) in zip(ladder_rungs, ladder_rungs[1:]) if k <= fixed]
    return Fix(fixed, [(k, change) for k, change, changed in steps if changed], [k for k, _, changed in steps if not changed])


def cost(timings: pd.DataFrame, order: list[str]) -> str:
    """Training time per (variant, T) as a markdown table, with the total: each trial's time on its core,
    summed over the trials, and the sequences per core-second."""
    groups = timings.groupby(["label", "T"], sort=False).agg(trials=("trial", "size"), sequences=("sequences", "sum"), seconds=("wall_time_s", "sum"))
    rows = in_order(groups.reset_index(), order).to_dict("records")
    total = {"label": "**all**", "T": "", **{k: sum(r[k] for r in rows) for k in ("trials", "sequences", "seconds")}}
    lines = ["| variant | T | trials | sequences trained | core time | sequences per core-second |", "|---|---:|---:|---:|---:|---:|"]
    for r in [*rows, total]:
        lines.append(f"| {r['label']} | {r['T']} | {r['trials']:,} | {r['sequences']:,} | {duration(r['seconds'])} | {r['sequences'] / r['seconds']:,.0f} |")
    return "\n".join(lines)


def render(notebook: str, executed: str, html: str, parameters: dict) -> None:
    """Execute ``notebook`` with papermill in the current folder (``parameters`` injected), then render HTML without the code."""
    with atomic(executed) as tmp:
        papermill.execute_notebook(
            notebook, str(tmp), parameters=parameters, cwd=os.getcwd(), kernel_name="python3", progress_bar=False, log_output=False
        )
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
    write_text(html, body)
    log.info("wrote %s and %s", executed, html)


NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "report.ipynb"


def config_order(configs: list[str | Path]) -> list[str]:
    """The variant labels of ``configs``, in their order, each once."""
    return list(dict.fromkeys(label for config in configs for label in yaml.safe_load(Path(config).read_text())["variants"]))


def published_parameters(folder: str | Path, order: list[str]) -> dict:
    """The notebook's parameters for a published run folder (docs/reproduction/<name>: its tables, figures and
    sweep cells), the variants in ``order``.  Summaries are not published: refused unless every
    trial's test MSE is finite (a run whose weights stopped being finite has none), so "no trial diverged" holds."""
    folder = Path(folder)
    trials = pd.read_csv(folder / "trials.csv")
    if not np.isfinite(trials["test_mse"]).all():
        raise ValueError(f"{folder}: a trial's test MSE is not finite; render this report from its run's results")
    figures = folder / "figures"
    parameters = {f"{name}_csv": str(folder / f"{name}.csv") for name in ("table7", "trials", "timings")}
    parameters |= {f"{name}_png": str(figures / f"{name}.png") for name in ("overview", "success")}
    parameters |= {f"{name}_png": str(png) if (png := figures / f"{name}.png").exists() else "" for name in ("test_errors", "failures", "scaling", "anatomy", "drift")}
    parameters |= {
        "curve_pngs": [str(p) for p in sorted((figures / "curves").glob("*.png"))],
        "sweep_pngs": [str(p) for p in sorted(figures.glob("sweep_*.png"))],
        "sweep_cells": [str(folder / "sweep_cells.csv")] if (folder / "sweep_cells.csv").exists() else [],
        "order": order,
    }
    return parameters


def republish(folder: str | Path, order: list[str]) -> None:
    """Render a published folder's report.html again with this checkout's notebook, from the tables and figures
    published beside it: today's prose and order on the published numbers (the figures stay the run's)."""
    with tempfile.TemporaryDirectory() as tmp:
        render(str(NOTEBOOK), str(Path(tmp) / "report.ipynb"), str(Path(folder) / "report.html"), published_parameters(folder, order))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m lstm1997.report FOLDER CONFIG  (re-render FOLDER/report.html from its published tables and figures)")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    republish(sys.argv[1], config_order([sys.argv[2]]))
